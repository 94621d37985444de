// linalg_bench: the Cholesky factorization of the Newton systems and certificates
// (kernels::cholesky_upper) under every supported ISA and as the scalar twin, next to OpenBLAS's
// LAPACK dpotrf on one thread, for m = 31 (the breast cancer data with intercept) to 1,001
// (1,000 features). Each iteration copies the matrix into the work array first (a memcpy of m²
// doubles, also timed for dpotrf) and factors it.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "simdlr/simdlr.hpp"

extern "C" void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);

namespace {

using namespace simdlr;

// A = GᵀG / rows + 0.05 I, G standard normal (rows = m + 3): positive definite, row-major.
std::vector<double> spd_matrix(std::size_t m) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  const std::size_t rows = m + 3;
  std::vector<double> G(rows * m), A(m * m, 0.0);
  for (double& g : G)
    g = normal(rng);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < m; ++j)
        A[i * m + j] += G[r * m + i] * G[r * m + j] / double(rows);
  for (std::size_t i = 0; i < m; ++i)
    A[i * m + i] += 0.05;
  return A;
}

template <class Factor>
void run(benchmark::State& st, std::size_t m, const Factor& factor) {
  const std::vector<double> A = spd_matrix(m);
  std::vector<double> U(m * m);
  for (auto _ : st) {
    std::memcpy(U.data(), A.data(), m * m * sizeof(double));
    if (!factor(U.data())) st.SkipWithError("not positive definite");
    benchmark::DoNotOptimize(U.data());
    benchmark::ClobberMemory();
  }
  st.counters["GFLOP/s"] = benchmark::Counter(double(m) * double(m) * double(m) / 3.0,
                                              benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

void register_all() {
  const std::size_t sizes[] = {31, 101, 256, 510, 1001};
  for (std::size_t m : sizes) {
    const std::string size = "/" + std::to_string(m);
    benchmark::RegisterBenchmark(
        ("cholesky_upper/scalar_twin" + size).c_str(),
        [m](benchmark::State& st) {
          run(st, m, [m](double* U) { return scalar::cholesky_upper(U, m, 0.0); });
        })
        ->Unit(benchmark::kMicrosecond);
    for (Isa isa : supported_isas()) {
      benchmark::RegisterBenchmark(
          ("cholesky_upper/" + std::string(isa_name(isa)) + size).c_str(),
          [m, isa](benchmark::State& st) {
            ScopedIsa scoped(isa);
            run(st, m, [m](double* U) { return kernels::cholesky_upper(U, m, 0.0); });
          })
          ->Unit(benchmark::kMicrosecond);
    }
    // Column-major 'L' on the row-major array is the upper triangle UᵀU = A of the kernels.
    benchmark::RegisterBenchmark(("cholesky_upper/openblas_dpotrf" + size).c_str(),
                                 [m](benchmark::State& st) {
                                   run(st, m, [m](double* U) {
                                     const char uplo = 'L';
                                     const int n = int(m);
                                     int info = 0;
                                     dpotrf_(&uplo, &n, U, &n, &info);
                                     return info == 0;
                                   });
                                 })
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);  // the kernel runs on the calling thread
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
