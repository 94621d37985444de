// Concurrency: a fitted model is immutable and may be used from many threads at once, and
// independent models may be fitted at the same time, while the kernels themselves run OpenMP
// teams. Every result must be bitwise identical to the same call made alone on one thread (the
// determinism contract: same ISA + same input => same bits, whatever the threads).
//
// The kernels' OpenMP thread count comes from SIMDLR_TEST_KERNEL_THREADS (default 2; 0 means
// OpenMP's default). The `tsan` preset builds this test with ThreadSanitizer and runs it with 1,
// so only the library's own (non-OpenMP) paths run: libgomp is not TSan-instrumented.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace simdlr;

namespace {

constexpr int kPredictThreads = 8;
constexpr std::size_t kRows = 4000;  // 4000 x 12 = 48000 elements: big enough for OpenMP teams
constexpr std::size_t kCols = 12;

int kernel_threads() {
  const char* text = std::getenv("SIMDLR_TEST_KERNEL_THREADS");
  return text != nullptr && *text != '\0' ? std::atoi(text) : 2;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// A reproducible problem: X (n x d, normal), a linear score per class, labels or targets from it.
template <class T>
struct Problem {
  std::vector<T> X;
  std::vector<double> y;
  MatrixView<const T> view() const { return {X.data(), kRows, kCols}; }
};

template <class T>
Problem<T> make_problem(std::uint32_t seed, int classes) {
  Problem<T> p;
  p.X = test::normal_vector<T>(kRows * kCols, seed);
  const auto w = test::normal_vector<double>(kCols * std::max(classes, 1), seed + 1);
  const auto noise = test::normal_vector<double>(kRows, seed + 2, 0.5);
  p.y.resize(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    double best = -1e300;
    for (int k = 0; k < std::max(classes, 1); ++k) {
      double s = (k == 0 ? noise[i] : 0);
      for (std::size_t j = 0; j < kCols; ++j)
        s += double(p.X[i * kCols + j]) * w[k * kCols + j];
      if (classes == 0) {
        p.y[i] = s;  // regression target
      } else if (classes == 2) {
        p.y[i] = s > 0 ? 1 : 0;
      } else if (s > best) {
        best = s;
        p.y[i] = k;
      }
    }
  }
  return p;
}

// Everything a logistic model predicts for X, computed on the calling thread.
template <class T>
struct LogisticOutputs {
  std::vector<T> proba, decision, row_decision;
  std::vector<std::int32_t> index;

  bool operator==(const LogisticOutputs& o) const {
    return same_bits(proba, o.proba) && same_bits(decision, o.decision) &&
           same_bits(row_decision, o.row_decision) && index == o.index;
  }
};

template <class T>
LogisticOutputs<T> predict_all(const LogisticRegression<T>& model, MatrixView<const T> X,
                               std::size_t single_rows) {
  LogisticOutputs<T> out;
  out.proba.resize(X.rows * model.classes().size());
  model.predict_proba(X, out.proba);
  out.decision.resize(X.rows * model.rows());
  model.decision_function(X, out.decision);
  out.index = model.predict_index(X);
  out.row_decision.resize(single_rows * model.rows());
  for (std::size_t i = 0; i < single_rows; ++i) {
    model.decision_function(MatrixView<const T>{X.row(i), 1, X.cols},
                            std::span<T>(out.row_decision.data() + i * model.rows(), model.rows()));
  }
  return out;
}

template <class T>
struct LinearOutputs {
  std::vector<T> predictions, row_predictions;
  bool operator==(const LinearOutputs& o) const {
    return same_bits(predictions, o.predictions) && same_bits(row_predictions, o.row_predictions);
  }
};

template <class T>
LinearOutputs<T> predict_all(const LinearRegression<T>& model, MatrixView<const T> X,
                             std::size_t single_rows) {
  LinearOutputs<T> out;
  out.predictions = model.predict(X);
  out.row_predictions.resize(single_rows);
  for (std::size_t i = 0; i < single_rows; ++i) {
    model.predict(MatrixView<const T>{X.row(i), 1, X.cols},
                  std::span<T>(&out.row_predictions[i], 1));
  }
  return out;
}

// Runs predict_all from kPredictThreads threads at once, `rounds` times each, and counts the
// results that differ from `expected` (Catch2 assertions are not thread-safe: checked after).
template <class Model, class Outputs, class T>
int concurrent_mismatches(const Model& model, MatrixView<const T> X, const Outputs& expected,
                          int rounds) {
  std::atomic<int> mismatches{0};
  std::atomic<int> errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kPredictThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load())
        std::this_thread::yield();
      try {
        for (int r = 0; r < rounds; ++r) {
          if (!(predict_all(model, X, 64) == expected)) ++mismatches;
        }
      } catch (...) {
        ++errors;
      }
    });
  }
  go = true;
  for (auto& t : threads)
    t.join();
  return mismatches + 1000 * errors;
}

template <class T>
void check_logistic_predictions(int classes, MultiClass multi_class) {
  const Problem<T> p = make_problem<T>(classes == 2 ? 11 : 12, classes);
  LogisticRegressionOptions options;
  options.threads = simdlr::Threads{kernel_threads()};
  options.multi_class = multi_class;
  LogisticRegression<T> model(options);
  model.fit(p.view(), p.y);
  REQUIRE(model.classes().size() == std::size_t(classes));
  const LogisticOutputs<T> expected = predict_all(model, p.view(), 64);
  CHECK(concurrent_mismatches(model, p.view(), expected, 3) == 0);
}

template <class T>
void check_linear_predictions() {
  const Problem<T> p = make_problem<T>(13, 0);
  LinearRegressionOptions options;
  options.threads = simdlr::Threads{kernel_threads()};
  LinearRegression<T> model(options);
  model.fit(p.view(), p.y);
  const LinearOutputs<T> expected = predict_all(model, p.view(), 64);
  CHECK(concurrent_mismatches(model, p.view(), expected, 3) == 0);
}

// What a fit produced, to compare bit for bit.
struct FitResult {
  std::vector<double> coef, intercept;
  int iterations = 0;
  bool operator==(const FitResult& o) const {
    return same_bits(coef, o.coef) && same_bits(intercept, o.intercept) &&
           iterations == o.iterations;
  }
};

// Four different fits (data, type, task and solver all differ).
FitResult fit_job(int job) {
  const int threads = kernel_threads();
  switch (job) {
    case 0: {  // binary, float, lbfgs
      const auto p = make_problem<float>(21, 2);
      LogisticRegressionOptions o;
      o.threads = simdlr::Threads{threads};
      LogisticRegression<float> m(o);
      const FitReport& r = m.fit(p.view(), p.y);
      return {m.coef(), m.intercept(), r.iterations};
    }
    case 1: {  // multinomial, double, newton, standardized
      const auto p = make_problem<double>(22, 3);
      LogisticRegressionOptions o;
      o.threads = simdlr::Threads{threads};
      o.solver = Solver::newton;
      o.standardize = true;
      LogisticRegression<double> m(o);
      const FitReport& r = m.fit(p.view(), p.y);
      return {m.coef(), m.intercept(), r.iterations};
    }
    case 2: {  // least squares, double, cholesky
      const auto p = make_problem<double>(23, 0);
      LinearRegressionOptions o;
      o.threads = simdlr::Threads{threads};
      LinearRegression<double> m(o);
      const FitReport& r = m.fit(p.view(), p.y);
      return {m.coef(), {m.intercept()}, r.iterations};
    }
    default: {  // ridge, float, lbfgs
      const auto p = make_problem<float>(24, 0);
      LinearRegressionOptions o;
      o.threads = simdlr::Threads{threads};
      o.alpha = 0.5;
      o.solver = LinearSolver::lbfgs;
      LinearRegression<float> m(o);
      const FitReport& r = m.fit(p.view(), p.y);
      return {m.coef(), {m.intercept()}, r.iterations};
    }
  }
}

}  // namespace

TEST_CASE("8 threads predict from one binary logistic model", "[concurrency][logistic]") {
  check_logistic_predictions<float>(2, MultiClass::automatic);
  check_logistic_predictions<double>(2, MultiClass::automatic);
}

TEST_CASE("8 threads predict from one multinomial and one ovr model", "[concurrency][logistic]") {
  check_logistic_predictions<float>(3, MultiClass::multinomial);
  check_logistic_predictions<double>(3, MultiClass::multinomial);
  check_logistic_predictions<double>(3, MultiClass::ovr);
}

TEST_CASE("8 threads predict from one linear model", "[concurrency][linear]") {
  check_linear_predictions<float>();
  check_linear_predictions<double>();
}

TEST_CASE("several models fit at once, each as if alone", "[concurrency][fit]") {
  constexpr int kJobs = 4;
  std::array<FitResult, kJobs> alone;
  for (int j = 0; j < kJobs; ++j)
    alone[j] = fit_job(j);
  // Twice each job, all eight at once.
  std::array<FitResult, 2 * kJobs> together;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kJobs; ++t) {
    threads.emplace_back([&, t] {
      try {
        together[t] = fit_job(t % kJobs);
      } catch (...) {
        ++errors;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(errors == 0);
  for (int t = 0; t < 2 * kJobs; ++t) {
    INFO("fit job " << t % kJobs << ", copy " << t / kJobs);
    CHECK(!alone[t % kJobs].coef.empty());
    CHECK(together[t] == alone[t % kJobs]);
  }
}
