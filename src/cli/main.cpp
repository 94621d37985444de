// The simdlr command line. For now: `info` (version, ISAs, threads) and `demo` (the kernel
// timing table); fit/predict/eval arrive with the model layer.
#include <omp.h>

#include <iostream>
#include <string>
#include <string_view>

#include "kernel_timing.hpp"
#include "simdlr/simdlr.hpp"

namespace {

void print_info(std::ostream& out) {
  out << "simdlr " << simdlr::library_version() << "\n";
  out << "active ISA: " << simdlr::isa_name(simdlr::active_isa())
      << " (best on this CPU: " << simdlr::isa_name(simdlr::best_isa()) << ")\n";
  out << "ISAs available:";
  for (simdlr::Isa isa : simdlr::supported_isas())
    out << ' ' << simdlr::isa_name(isa);
  out << "\nthreads: " << omp_get_max_threads() << " (OpenMP default; OMP_NUM_THREADS applies)\n";
}

int usage(std::ostream& out, int status) {
  out << "usage: simdlr info | simdlr demo\n"
         "  info   version, detected and available ISAs, threads\n"
         "  demo   the detected ISA and a scalar-vs-SIMD kernel timing table\n"
         "environment: SIMDLR_ISA=scalar|sse2|avx2|avx512 selects the kernels' ISA\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc != 2) return usage(std::cerr, 2);
    const std::string_view command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") return usage(std::cout, 0);
    if (command == "info") {
      print_info(std::cout);
      return 0;
    }
    if (command == "demo") {
      print_info(std::cout);
      std::cout << "\n";
      simdlr::cli::print_kernel_timing_table(std::cout);
      return 0;
    }
    std::cerr << "simdlr: unknown command '" << command << "'\n";
    return usage(std::cerr, 2);
  } catch (const std::exception& e) {
    std::cerr << "simdlr: error: " << e.what() << "\n";
    return 2;
  }
}
