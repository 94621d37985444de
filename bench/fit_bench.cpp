// fit_bench: LogisticRegression fits on 200,000 x 100 dense standard-normal data (labels drawn
// from a logistic model with a random true coefficient vector), float64 and float32, per solver.
// Counters: objective (the value reached), iterations, passes (reads of X: function evaluations
// plus Hessian-vector products), seconds_per_pass, and read_X_seconds, the time a plain streaming
// read of X takes on the same threads (measured in the same run), so pass_over_read says how
// close one evaluation gets to reading X once.
//
// Real-looking problems (issue 15), where the solver rather than the kernel decides the time;
// same counters plus hessians (Gram passes), checks (certificate evaluations) and
// relative_gap_bound, one fit per benchmark (Iterations(1), wall-clock time), the label adds the
// reason the solver stopped:
//   fit_correlated/<f64|f32>/<auto|lbfgs|newton|newton-cholesky>/t<1|2>   200,000 x 100,
//       X = Z·M (Z standard normal, M a fixed random 100 x 100 mixing matrix), each column then
//       scaled by a factor spread log-uniformly over [1, 10]; labels from a logistic model;
//       C = 1, tol 1e-6.
//   fit_breast_cancer_raw/<f64|f32>/<auto|lbfgs|newton|newton-cholesky>/t1
//       data/breast_cancer.csv unscaled, target diagnosis, default options but max_iter 100,000;
//       also optimum (a Newton-CG fit of the same data in float64 with tol 1e-12) and
//       relative_gap = (objective - optimum) / optimum.
//   fit_multinomial_correlated/<f64|f32>/<auto|lbfgs>/t2   100,000 x 50, 10 classes (softmax
//       model), columns mixed and scaled as above; C = 1, tol 1e-6.
//   fit_wide/f64/<auto|lbfgs|newton-cholesky>/t2   20,000 x 1,000, mixed and scaled as above;
//       C = 1, tol 1e-6.
// The generated problems are seeded and built once per process (the float32 X is the float64 X
// rounded); max_iter is 10,000, so the iteration counts are the solvers' own.
//
//   build/bench/bench/fit_bench --benchmark_out=fit.json --benchmark_out_format=json
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "read_bandwidth.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/io.hpp"
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

// Median time of a streaming read of `bytes` bytes at `data` with `threads` threads.
double read_seconds(const void* data, std::size_t bytes, int threads) {
  const simdlr::bench::Region region{data, bytes};
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

// Median time of a streaming read of X with `threads` threads.
template <class T>
double read_seconds(int threads) {
  const Problem<T>& p = problem<T>();
  return read_seconds(p.X.data(), p.X.size() * sizeof(T), threads);
}

// The counters every fit benchmark reports (see the header comment).
void report_fit(benchmark::State& state, const simdlr::FitReport& report, double fit_seconds,
                double read) {
  const int passes = report.function_evaluations + report.hessian_vector_products;
  const double per_pass = fit_seconds / double(state.iterations()) / passes;
  state.counters["objective"] = report.objective_history.back();
  state.counters["iterations"] = report.iterations;
  state.counters["passes"] = passes;
  state.counters["converged"] = report.converged ? 1 : 0;
  state.counters["hessians"] = report.hessians;  // newton-cholesky's Gram passes
  state.counters["checks"] = report.certificate_checks;
  state.counters["relative_gap_bound"] = report.relative_gap_bound;
  state.counters["read_X_seconds"] = read;
  state.counters["seconds_per_pass"] = per_pass;
  state.counters["pass_over_read"] = per_pass / read;  // 1.0 = one evaluation costs one read of X
  state.SetLabel(std::string(simdlr::isa_name(simdlr::active_isa())) + ", " +
                 std::string(simdlr::stop_reason_text(report.stop_reason)));
}

// Fits a fresh model once per benchmark iteration; returns the seconds spent in fit (summed over
// iterations) and leaves the last fit's report in `report`.
template <class T, class Labels>
double timed_fits(benchmark::State& state, const simdlr::LogisticRegressionOptions& o,
                  simdlr::MatrixView<const T> X, const Labels& y, simdlr::FitReport& report) {
  double fit_seconds = 0;
  for (auto _ : state) {
    simdlr::LogisticRegression<T> model(o);
    const auto start = std::chrono::steady_clock::now();
    report = model.fit(X, y);
    fit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return fit_seconds;
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
  const double fit_seconds = timed_fits<T>(state, o, X, p.y, report);
  report_fit(state, report, fit_seconds, read_seconds<T>(threads));
}

// ---------------------------------------------------------------------------------------------
// Real-looking problems (issue 15)
// ---------------------------------------------------------------------------------------------

constexpr int kRealMaxIter = 10000;

// A generated problem in float64: X (rows x cols, row-major) and labels 0 .. classes-1.
struct Generated {
  std::size_t rows = 0, cols = 0;
  std::vector<double> X;
  std::vector<double> y;
};

// X = Z·M with Z standard normal (rows x cols) and M a random cols x cols matrix with N(0, 1/cols)
// entries (so a mixed column has variance about 1), then column j scaled by 10^u_j with u_j
// uniform on [0, 1]. Labels: true coefficients v_kj / s_j (v standard normal, s_j the column's
// scale), logits rescaled so their standard deviation over the data is 2, plus an intercept of
// 0.5 (binary) or 0 (more classes); the label is drawn from the sigmoid / softmax of the logits.
Generated generate(std::size_t rows, std::size_t cols, int classes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double mix_scale = 1.0 / std::sqrt(double(cols));
  std::vector<double> M(cols * cols);
  for (double& v : M)
    v = normal(rng) * mix_scale;
  std::vector<double> scale(cols);
  for (double& v : scale)
    v = std::pow(10.0, uniform(rng));
  const std::size_t K = classes == 2 ? 1 : std::size_t(classes);
  std::vector<double> w(K * cols);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t j = 0; j < cols; ++j)
      w[k * cols + j] = normal(rng) / scale[j];

  Generated g;
  g.rows = rows;
  g.cols = cols;
  g.X.resize(rows * cols);
  for (double& v : g.X)
    v = normal(rng);  // Z, mixed in place below
  const auto n = static_cast<std::ptrdiff_t>(rows);
#pragma omp parallel
  {
    std::vector<double> z(cols);
#pragma omp for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      double* x = g.X.data() + std::size_t(i) * cols;
      std::copy(x, x + cols, z.begin());
      std::fill(x, x + cols, 0.0);
      for (std::size_t k = 0; k < cols; ++k) {
        const double zk = z[k];
        const double* m = M.data() + k * cols;
        for (std::size_t j = 0; j < cols; ++j)
          x[j] += zk * m[j];
      }
      for (std::size_t j = 0; j < cols; ++j)
        x[j] *= scale[j];
    }
  }

  std::vector<double> logits(rows * K);
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < K; ++k) {
      double t = 0;
      for (std::size_t j = 0; j < cols; ++j)
        t += g.X[i * cols + j] * w[k * cols + j];
      logits[i * K + k] = t;
      sum += t;
      sum_sq += t * t;
    }
  const double count = double(rows * K);
  const double sd = std::sqrt(std::max(sum_sq / count - (sum / count) * (sum / count), 1e-300));
  const double a = 2.0 / sd;
  g.y.resize(rows);
  std::vector<double> p(K);
  for (std::size_t i = 0; i < rows; ++i) {
    const double u = uniform(rng);
    if (K == 1) {
      const double z = 0.5 + a * logits[i];
      g.y[i] = u < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
      continue;
    }
    double top = -INFINITY;
    for (std::size_t k = 0; k < K; ++k)
      top = std::max(top, a * logits[i * K + k]);
    double total = 0;
    for (std::size_t k = 0; k < K; ++k)
      total += p[k] = std::exp(a * logits[i * K + k] - top);
    double cumulative = 0;
    std::size_t label = K - 1;
    for (std::size_t k = 0; k < K; ++k) {
      cumulative += p[k] / total;
      if (u < cumulative) {
        label = k;
        break;
      }
    }
    g.y[i] = double(label);
  }
  return g;
}

enum class Kind { correlated, multinomial, wide };

const Generated& generated(Kind kind) {
  switch (kind) {
    case Kind::correlated: {
      static const Generated g = generate(200000, 100, 2, 1501);
      return g;
    }
    case Kind::multinomial: {
      static const Generated g = generate(100000, 50, 10, 1502);
      return g;
    }
    case Kind::wide:
      break;
  }
  static const Generated g = generate(20000, 1000, 2, 1503);
  return g;
}

// X of a generated problem in T (float32: the float64 values rounded, built once).
template <class T>
const std::vector<T>& generated_X(Kind kind) {
  if constexpr (std::is_same_v<T, double>) {
    return generated(kind).X;
  } else {
    const auto convert = [](Kind k) {
      const std::vector<double>& X = generated(k).X;
      return std::vector<T>(X.begin(), X.end());
    };
    switch (kind) {
      case Kind::correlated: {
        static const std::vector<T> X = convert(kind);
        return X;
      }
      case Kind::multinomial: {
        static const std::vector<T> X = convert(kind);
        return X;
      }
      case Kind::wide:
        break;
    }
    static const std::vector<T> X = convert(Kind::wide);
    return X;
  }
}

template <class T>
void fit_generated(benchmark::State& state, Kind kind, simdlr::Solver solver, int threads) {
  const Generated& g = generated(kind);
  const std::vector<T>& data = generated_X<T>(kind);
  simdlr::LogisticRegressionOptions o;
  o.solver = solver;
  o.C = 1.0;
  o.solver_options.tol = 1e-6;
  o.solver_options.max_iter = kRealMaxIter;
  o.threads = simdlr::Threads{threads};
  const simdlr::MatrixView<const T> X(data.data(), g.rows, g.cols);
  simdlr::FitReport report;
  const double fit_seconds = timed_fits<T>(state, o, X, g.y, report);
  report_fit(state, report, fit_seconds,
             read_seconds(data.data(), data.size() * sizeof(T), threads));
}

template <class T>
const simdlr::io::Table<T>& breast_cancer() {
  static const simdlr::io::Table<T> table = simdlr::io::read_csv<T>(
      std::string(SIMDLR_DATA_DIR) + "/breast_cancer.csv", {.target = "diagnosis"});
  return table;
}

simdlr::LogisticRegressionOptions breast_cancer_options(simdlr::Solver solver) {
  simdlr::LogisticRegressionOptions o;  // defaults: C = 1, tol 1e-4
  o.solver = solver;
  o.solver_options.max_iter = 100000;
  o.threads = simdlr::Threads{1};
  return o;
}

// The optimum of the raw breast cancer problem: Newton-CG in float64 with tol 1e-12.
const simdlr::FitReport& breast_cancer_optimum() {
  static const simdlr::FitReport report = [] {
    simdlr::LogisticRegressionOptions o = breast_cancer_options(simdlr::Solver::newton);
    o.solver_options.tol = 1e-12;
    const simdlr::io::Table<double>& t = breast_cancer<double>();
    simdlr::LogisticRegression<double> model(o);
    return model.fit(t.view(), t.target_text);
  }();
  return report;
}

template <class T>
void fit_breast_cancer(benchmark::State& state, simdlr::Solver solver) {
  const simdlr::io::Table<T>& t = breast_cancer<T>();
  const simdlr::LogisticRegressionOptions o = breast_cancer_options(solver);
  simdlr::FitReport report;
  const double fit_seconds = timed_fits<T>(state, o, t.view(), t.target_text, report);
  report_fit(state, report, fit_seconds, read_seconds(t.X.data(), t.X.size() * sizeof(T), 1));
  const simdlr::FitReport& best = breast_cancer_optimum();
  const double optimum = best.objective_history.back();
  state.counters["optimum"] = optimum;
  state.counters["optimum_converged"] = best.converged ? 1 : 0;
  state.counters["relative_gap"] = (report.objective_history.back() - optimum) / optimum;
}

void register_real() {
  using Named = std::pair<const char*, simdlr::Solver>;
  const Named lbfgs{"lbfgs", simdlr::Solver::lbfgs}, newton{"newton", simdlr::Solver::newton},
      cholesky{"newton-cholesky", simdlr::Solver::newton_cholesky},
      automatic{"auto", simdlr::Solver::automatic};
  const auto add = [](const std::string& name, auto function, auto... args) {
    benchmark::RegisterBenchmark(name.c_str(), function, args...)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  };
  for (auto [name, solver] : {automatic, lbfgs, newton, cholesky})
    for (int threads : {1, 2}) {
      const std::string suffix = std::string(name) + "/t" + std::to_string(threads);
      add("fit_correlated/f64/" + suffix, fit_generated<double>, Kind::correlated, solver, threads);
      add("fit_correlated/f32/" + suffix, fit_generated<float>, Kind::correlated, solver, threads);
    }
  for (auto [name, solver] : {automatic, lbfgs, newton, cholesky}) {
    const std::string suffix = std::string(name) + "/t1";
    add("fit_breast_cancer_raw/f64/" + suffix, fit_breast_cancer<double>, solver);
    add("fit_breast_cancer_raw/f32/" + suffix, fit_breast_cancer<float>, solver);
  }
  for (auto [name, solver] : {automatic, lbfgs}) {
    const std::string suffix = std::string(name) + "/t2";
    add("fit_multinomial_correlated/f64/" + suffix, fit_generated<double>, Kind::multinomial,
        solver, 2);
    add("fit_multinomial_correlated/f32/" + suffix, fit_generated<float>, Kind::multinomial, solver,
        2);
  }
  for (auto [name, solver] : {automatic, lbfgs, cholesky})
    add("fit_wide/f64/" + std::string(name) + "/t2", fit_generated<double>, Kind::wide, solver, 2);
}

void register_all() {
  for (int threads : {1, 2}) {
    for (auto [name, solver] :
         {std::pair{"lbfgs", simdlr::Solver::lbfgs}, std::pair{"newton", simdlr::Solver::newton},
          std::pair{"gd", simdlr::Solver::gd},
          std::pair{"newton-cholesky", simdlr::Solver::newton_cholesky},
          std::pair{"auto", simdlr::Solver::automatic}}) {
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
  register_real();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
