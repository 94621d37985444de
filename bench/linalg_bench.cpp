// linalg_bench: the Cholesky factorization of the Newton systems and certificates
// (kernels::cholesky_upper) under every supported ISA and as the scalar twin, next to OpenBLAS's
// LAPACK dpotrf on one thread, for m = 31 (the breast cancer data with intercept) to 1,001
// (1,000 features). Each iteration copies the matrix into the work array first (a memcpy of m²
// doubles, also timed for dpotrf) and factors it.
// And the Hessian certificate's sampled Gram matrix (every k-th row of n x d Gaussian data, with
// the intercept's column of ones) on the active ISA, one thread: in float with its allowance
// (linalg::gram_below_in_float) against the double computation it replaces where it is kept
// (2,048 rows at a time widened to double, then weighted_gram).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "simdlr/linalg.hpp"
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

// X: n x d standard normal in T; weights uniform on [0, 0.25].
template <class T>
struct SampleProblem {
  std::vector<T> X;
  std::vector<double> weight;
  std::vector<double> column_max;
};

template <class T>
SampleProblem<T> sample_problem(std::size_t n, std::size_t d, std::size_t k) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.0, 0.25);
  SampleProblem<T> p{std::vector<T>(n * d), std::vector<double>((n + k - 1) / k),
                     std::vector<double>(d, 0.0)};
  for (std::size_t i = 0; i < n * d; ++i) {
    p.X[i] = T(normal(rng));
    p.column_max[i % d] = std::max(p.column_max[i % d], std::fabs(double(p.X[i])));
  }
  for (double& w : p.weight)
    w = uniform(rng);
  return p;
}

template <class T>
void sample_gram_in_float(benchmark::State& st, std::size_t n, std::size_t d, std::size_t k) {
  const SampleProblem<T> p = sample_problem<T>(n, d, k);
  const MatrixView<const T> sample(p.X.data(), p.weight.size(), d, d * k);
  for (auto _ : st) {
    const linalg::GramBelow below =
        linalg::gram_below_in_float(sample, p.weight, true, p.column_max, Threads{1});
    benchmark::DoNotOptimize(below.matrix.data());
  }
}

template <class T>
void sample_gram_in_double(benchmark::State& st, std::size_t n, std::size_t d, std::size_t k) {
  const SampleProblem<T> p = sample_problem<T>(n, d, k);
  const std::size_t rows = p.weight.size(), m = d + 1, block = 2048;
  std::vector<double> copied(std::min(rows, block) * m), gram(m * m), H(m * m);
  for (auto _ : st) {
    std::fill(H.begin(), H.end(), 0.0);
    for (std::size_t begin = 0; begin < rows; begin += block) {
      const std::size_t count = std::min(block, rows - begin);
      for (std::size_t i = 0; i < count; ++i) {
        std::copy_n(&p.X[(begin + i) * k * d], d, &copied[i * m]);
        copied[i * m + d] = 1.0;
      }
      kernels::weighted_gram(MatrixView<const double>(copied.data(), count, m), &p.weight[begin],
                             gram.data(), Threads{1});
      for (std::size_t e = 0; e < m * m; ++e)
        H[e] += gram[e];
    }
    benchmark::DoNotOptimize(H.data());
  }
}

void register_all() {
  // n, d, k: the samples of the report's 10,000 x 100, 100,000 x 100 and 200,000 x 100 checks,
  // and one of 20,000 x 1,000.
  const std::size_t samples[][3] = {
      {10000, 100, 4}, {100000, 100, 39}, {200000, 100, 5}, {20000, 1000, 2}};
  for (const auto& s : samples) {
    const std::size_t n = s[0], d = s[1], k = s[2];
    const std::string shape =
        "/n" + std::to_string(n) + "_d" + std::to_string(d) + "_every" + std::to_string(k);
    benchmark::RegisterBenchmark(("sample_gram/float_below/f32" + shape).c_str(),
                                 sample_gram_in_float<float>, n, d, k)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("sample_gram/double/f32" + shape).c_str(),
                                 sample_gram_in_double<float>, n, d, k)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("sample_gram/float_below/f64" + shape).c_str(),
                                 sample_gram_in_float<double>, n, d, k)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("sample_gram/double/f64" + shape).c_str(),
                                 sample_gram_in_double<double>, n, d, k)
        ->Unit(benchmark::kMillisecond);
  }
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
