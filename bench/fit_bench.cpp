// fit_bench: LogisticRegression fits on 200,000 x 100 dense standard-normal data (labels drawn
// from a logistic model with a random true coefficient vector), float64 and float32, per solver.
// Counters: objective (the value reached), iterations, passes (reads of X: function evaluations
// plus Hessian-vector products), seconds_per_pass, and read_X_seconds, the time a plain streaming
// read of X takes on the same threads (measured in the same run), so pass_over_read says how
// close one evaluation gets to reading X once.
//
//   build/bench/bench/fit_bench --benchmark_out=fit.json --benchmark_out_format=json
#include <benchmark/benchmark.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "read_bandwidth.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/logistic_regression.hpp"

namespace {

constexpr std::size_t kRows = 200000, kCols = 100;

template <class T>
struct Problem {
  std::vector<T> X;
  std::vector<double> y;
};

template <class T>
const Problem<T>& problem() {
  static const Problem<T> p = [] {
    Problem<T> q;
    std::mt19937_64 rng(2026);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> w(kCols);
    for (double& v : w)
      v = normal(rng) * 0.3;
    q.X.resize(kRows * kCols);
    q.y.resize(kRows);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (std::size_t i = 0; i < kRows; ++i) {
      double z = 0.5;
      for (std::size_t j = 0; j < kCols; ++j) {
        const double x = normal(rng);
        q.X[i * kCols + j] = T(x);
        z += x * w[j];
      }
      q.y[i] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
    }
    return q;
  }();
  return p;
}

// Median time of a streaming read of X with `threads` threads.
template <class T>
double read_seconds(int threads) {
  const Problem<T>& p = problem<T>();
  const simdlr::bench::Region region{p.X.data(), p.X.size() * sizeof(T)};
  std::vector<double> times;
  for (int rep = 0; rep < 11; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(simdlr::bench::read_regions(&region, 1, threads));
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + 5, times.end());
  return times[5];
}

template <class T>
void fit(benchmark::State& state, simdlr::Solver solver, int threads) {
  const Problem<T>& p = problem<T>();
  simdlr::LogisticRegressionOptions o;
  o.solver = solver;
  o.solver_options.tol = 1e-6;
  o.solver_options.max_iter = solver == simdlr::Solver::gd ? 2000 : 1000;
  o.threads = simdlr::Threads{threads};
  const simdlr::MatrixView<const T> X(p.X.data(), kRows, kCols);
  simdlr::FitReport report;
  double fit_seconds = 0;
  for (auto _ : state) {
    simdlr::LogisticRegression<T> model(o);
    const auto start = std::chrono::steady_clock::now();
    report = model.fit(X, p.y);
    fit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const int passes = report.function_evaluations + report.hessian_vector_products;
  const double per_pass = fit_seconds / double(state.iterations()) / passes;
  const double read = read_seconds<T>(threads);
  state.counters["objective"] = report.objective_history.back();
  state.counters["iterations"] = report.iterations;
  state.counters["passes"] = passes;
  state.counters["converged"] = report.converged ? 1 : 0;
  state.counters["read_X_seconds"] = read;
  state.counters["seconds_per_pass"] = per_pass;
  state.counters["pass_over_read"] = per_pass / read;  // 1.0 = one evaluation costs one read of X
  state.SetLabel(std::string(simdlr::isa_name(simdlr::active_isa())));
}

void register_all() {
  for (int threads : {1, 2}) {
    for (auto [name, solver] :
         {std::pair{"lbfgs", simdlr::Solver::lbfgs}, std::pair{"newton", simdlr::Solver::newton},
          std::pair{"gd", simdlr::Solver::gd}}) {
      const std::string suffix = std::string(name) + "/t" + std::to_string(threads);
      benchmark::RegisterBenchmark(("fit/f64/" + suffix).c_str(), fit<double>, solver, threads)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(1.0);
      benchmark::RegisterBenchmark(("fit/f32/" + suffix).c_str(), fit<float>, solver, threads)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(1.0);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("simdlr_isa", std::string(simdlr::isa_name(simdlr::active_isa())));
  benchmark::AddCustomContext("problem", "200000 x 100 standard normal, C = 1, tol 1e-6");
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
