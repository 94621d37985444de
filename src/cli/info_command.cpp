// simdlr info: version, detected and available ISAs, threads; --kernels adds the timing table.
#include <omp.h>

#include <iostream>

#include "commands.hpp"
#include "kernel_timing.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/version.hpp"

namespace simdlr::cli {

int run_info(bool kernel_timing) {
  const Isa active = active_isa();  // throws for an invalid SIMDLR_ISA, before printing
  std::cout << "simdlr " << library_version() << "\n";
  std::cout << "active ISA: " << isa_name(active) << " (best on this CPU: " << isa_name(best_isa())
            << ")\n";
  std::cout << "ISAs available:";
  for (Isa isa : supported_isas())
    std::cout << ' ' << isa_name(isa);
  std::cout << "\nthreads: " << omp_get_max_threads()
            << " (OpenMP default; OMP_NUM_THREADS applies)\n";
  if (kernel_timing) {
    std::cout << "\n";
    print_kernel_timing_table(std::cout);
  }
  return 0;
}

}  // namespace simdlr::cli
