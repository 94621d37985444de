// predict_bench: embedding latency. One row through a fitted model, as a service that scores
// requests one at a time calls it: decision_function, predict_proba and predict_index of a
// LogisticRegression (binary and 10 classes) and LinearRegression::predict, for d = 30 and
// d = 1000, float and double, on the calling thread.
//
// Names: predict_row/<model>/<call>/<f32|f64>/d<d>. Counter allocations_per_call counts every
// operator new during the timed loop (the contract: zero).
//
//   predict_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"

namespace {
std::atomic<long> allocations{0};
}

// Counted replacements of the allocation functions the library can reach.
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return operator new(size, align);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace {

enum class Call { decision, proba, label, linear };

template <class T>
std::vector<T> random_row(std::size_t d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<T> row(d);
  for (T& v : row)
    v = T(normal(rng));
  return row;
}

// A fitted classifier with given coefficients (no fit needed to time prediction).
template <class T>
simdlr::LogisticRegression<T> classifier(std::size_t d, std::size_t classes) {
  std::vector<double> labels(classes);
  for (std::size_t k = 0; k < classes; ++k)
    labels[k] = double(k);
  const std::size_t rows = classes == 2 ? 1 : classes;
  std::vector<double> coef(rows * d), intercept(rows);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0 / std::sqrt(double(d)));
  for (double& c : coef)
    c = normal(rng);
  for (double& b : intercept)
    b = normal(rng);
  simdlr::LogisticRegression<T> model;
  model.set_fitted(simdlr::ClassLabels::from_numbers(labels), d, std::move(coef),
                   std::move(intercept), {});
  return model;
}

template <class T>
void predict_row(benchmark::State& state, Call call, std::size_t d, std::size_t classes) {
  const std::vector<T> row = random_row<T>(d, 11);
  const simdlr::MatrixView<const T> X(row.data(), 1, d);
  std::vector<T> out(classes == 0 ? 1 : classes);
  std::int32_t label = 0;
  const auto model = classifier<T>(d, classes == 0 ? 2 : classes);
  simdlr::LinearRegression<T> linear;
  linear.set_fitted(std::vector<double>(d, 0.5), 1.0);
  const std::size_t margins = classes == 2 ? 1 : classes;

  const long before = allocations.load();
  for (auto _ : state) {
    switch (call) {
      case Call::decision:
        model.decision_function(X, std::span<T>(out.data(), margins));
        break;
      case Call::proba:
        model.predict_proba(X, out);
        break;
      case Call::label:
        model.predict_index(X, std::span<std::int32_t>(&label, 1));
        break;
      case Call::linear:
        linear.predict(X, out);
        break;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(label);
    benchmark::ClobberMemory();
  }
  state.counters["allocations_per_call"] =
      double(allocations.load() - before) / double(state.iterations());
}

template <class T>
void register_type(const char* dtype) {
  for (std::size_t d : {std::size_t(30), std::size_t(1000)}) {
    const std::string suffix = std::string("/") + dtype + "/d" + std::to_string(d);
    auto add = [&](const std::string& name, Call call, std::size_t classes) {
      benchmark::RegisterBenchmark((name + suffix).c_str(), predict_row<T>, call, d, classes)
          ->Unit(benchmark::kNanosecond);
    };
    add("predict_row/binary/decision_function", Call::decision, 2);
    add("predict_row/binary/predict_proba", Call::proba, 2);
    add("predict_row/binary/predict", Call::label, 2);
    add("predict_row/multinomial10/predict_proba", Call::proba, 10);
    add("predict_row/linear/predict", Call::linear, 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  register_type<float>("f32");
  register_type<double>("f64");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
