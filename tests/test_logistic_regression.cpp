// LogisticRegression against scikit-learn fixtures (polished to the exact optimum), for every
// solver, float64 and float32; classes, predictions, errors, threads, allocation-free predict.
// The replaced operator new/delete below pair malloc with free, which GCC 12 cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#pragma GCC diagnostic ignored "-Wrestrict"
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "reference_fixtures.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/logistic_regression.hpp"
#include "support.hpp"

// Counts heap allocations, to show that predicting one row allocates nothing. Every
// non-aligned form of new and delete is replaced, so allocations and frees always pair up
// (AddressSanitizer checks that).
static std::atomic<long> g_allocations{0};
static void* counted_malloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size) {
  return counted_malloc(size);
}
void* operator new[](std::size_t size) {
  return counted_malloc(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_malloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
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
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace {

using simdlr::LogisticRegression;
using simdlr::LogisticRegressionOptions;
using simdlr::MatrixView;
using simdlr::Solver;
using namespace simdlr::test;

LogisticRegressionOptions tight(Solver solver) {
  LogisticRegressionOptions o;
  o.solver = solver;
  o.solver_options.tol = 1e-10;  // certified relative gap 1e-12: coefficients to ~1e-6
  o.solver_options.max_iter = solver == Solver::gd ? 500000 : 2000;
  return o;
}

template <class T>
struct Fit {
  std::vector<T> X;
  LogisticRegression<T> model;
};

// Fits `options` on data set `data` (columns limited to `cols` if non-zero) in precision T.
template <class T>
LogisticRegression<T> fit(const Data& data, LogisticRegressionOptions options,
                          const std::vector<T>& weights = {}, std::size_t cols = 0) {
  const std::size_t d = cols ? cols : data.X.cols;
  static thread_local std::vector<T> X;
  X = data.X.as<T>();
  LogisticRegression<T> model(std::move(options));
  model.fit(MatrixView<const T>(X.data(), data.X.rows, d, data.X.cols), data.y.values, weights);
  return model;
}

template <class T>
void check_against(const LogisticRegression<T>& model, const Case& ref, double objective_tol,
                   double coef_tol) {
  const double objective = model.fit_report().objective_history.back();
  INFO("objective " << objective << " reference " << ref.at("objective")[0] << " iterations "
                    << model.fit_report().iterations);
  CHECK(model.fit_report().converged);
  CHECK(relative_difference(objective, ref.at("objective")[0]) <= objective_tol);
  std::vector<double> got = model.coef();
  std::vector<double> want = ref.at("coef");
  got.insert(got.end(), model.intercept().begin(), model.intercept().end());
  want.insert(want.end(), ref.at("intercept").begin(), ref.at("intercept").end());
  CHECK(vector_relative_difference(got, want) <= coef_tol);
}

}  // namespace

TEST_CASE("standardized breast cancer: every solver reaches scikit-learn's optimum (float64)",
          "[logistic][reference]") {
  const Case ref = load_case("breast_cancer_standardized");
  for (Solver solver : {Solver::lbfgs, Solver::newton, Solver::gd}) {
    INFO("solver " << simdlr::solver_name(solver));
    LogisticRegressionOptions o = tight(solver);
    o.standardize = true;
    const auto model = fit<double>(breast_cancer(), o);
    check_against(model, ref, 1e-8, 1e-5);
    REQUIRE(model.classes().size() == 2);
    CHECK(model.rows() == 1);
  }
}

TEST_CASE("standardized breast cancer in float32 reaches the optimum within 1e-5",
          "[logistic][float32]") {
  const Case ref = load_case("breast_cancer_standardized");
  for (Solver solver : {Solver::lbfgs, Solver::newton, Solver::gd}) {
    INFO("solver " << simdlr::solver_name(solver));
    LogisticRegressionOptions o = tight(solver);
    o.solver_options.tol = 1e-6;
    o.standardize = true;
    const auto model = fit<float>(breast_cancer(), o);
    const double objective = model.fit_report().objective_history.back();
    CHECK(relative_difference(objective, ref.at("objective")[0]) <= 1e-5);
  }
}

TEST_CASE("weights, class weights, C and penalty none match their references",
          "[logistic][reference]") {
  SECTION("sample weights 1, 2, 3, 1, 2, 3, ...") {
    std::vector<double> w(breast_cancer().y.rows);
    for (std::size_t i = 0; i < w.size(); ++i)
      w[i] = 1.0 + double(i % 3);
    LogisticRegressionOptions o = tight(Solver::lbfgs);
    o.standardize = true;
    check_against(fit<double>(breast_cancer(), o, w), load_case("breast_cancer_weighted"), 1e-8,
                  1e-5);
  }
  SECTION("class_weight balanced") {
    LogisticRegressionOptions o = tight(Solver::newton);
    o.standardize = true;
    o.class_weight = simdlr::ClassWeight::balanced;
    check_against(fit<double>(breast_cancer(), o), load_case("breast_cancer_balanced"), 1e-8, 1e-5);
  }
  SECTION("C = 0.05") {
    LogisticRegressionOptions o = tight(Solver::lbfgs);
    o.standardize = true;
    o.C = 0.05;
    check_against(fit<double>(breast_cancer(), o), load_case("breast_cancer_standardized_C0.05"),
                  1e-8, 1e-5);
  }
  SECTION("penalty none on four features") {
    LogisticRegressionOptions o = tight(Solver::newton);
    o.standardize = true;
    o.penalty = simdlr::Penalty::none;
    check_against(fit<double>(breast_cancer(), o, {}, 4),
                  load_case("breast_cancer_standardized_none"), 1e-8, 1e-5);
  }
}

TEST_CASE("raw breast cancer: lbfgs and newton reach the optimum, or say they did not",
          "[logistic][badly-scaled]") {
  const Case ref = load_case("breast_cancer_raw");
  for (Solver solver : {Solver::lbfgs, Solver::newton}) {
    INFO("solver " << simdlr::solver_name(solver));
    LogisticRegressionOptions o = tight(solver);
    o.solver_options.max_iter = 100000;
    o.solver_options.tol = 1e-12;
    const auto model = fit<double>(breast_cancer(), o);
    const double objective = model.fit_report().objective_history.back();
    INFO("objective " << objective << " iterations " << model.fit_report().iterations << " stop "
                      << simdlr::stop_reason_text(model.fit_report().stop_reason));
    CHECK(relative_difference(objective, ref.at("objective")[0]) <= 1e-8);
    const bool converged = model.fit_report().converged;
    // Either converged, or it honestly stopped for lack of floating-point progress at the optimum.
    CHECK((converged || model.fit_report().stop_reason == simdlr::StopReason::no_progress));

    o.solver_options.max_iter = 5;
    const auto short_fit = fit<double>(breast_cancer(), o);
    CHECK_FALSE(short_fit.fit_report().converged);
    CHECK(short_fit.fit_report().stop_reason == simdlr::StopReason::max_iterations);
    CHECK(short_fit.fit_report().objective_history.back() > ref.at("objective")[0] * (1 + 1e-6));
  }
}

TEST_CASE("iris multinomial: every solver reaches the optimum",
          "[logistic][multinomial][reference]") {
  for (Solver solver : {Solver::lbfgs, Solver::newton, Solver::gd}) {
    for (bool standardize : {true, false}) {
      // Plain gradient descent is too slow on the raw features (that is its lesson).
      if (solver == Solver::gd && !standardize) continue;
      INFO("solver " << simdlr::solver_name(solver) << (standardize ? " standardized" : " raw"));
      const Case ref =
          load_case(standardize ? "iris_multinomial_standardized" : "iris_multinomial");
      LogisticRegressionOptions o = tight(solver);
      o.standardize = standardize;
      const auto model = fit<double>(iris(), o);
      REQUIRE(model.multinomial());
      REQUIRE(model.rows() == 3);
      const double objective = model.fit_report().objective_history.back();
      INFO("objective " << objective << " iterations " << model.fit_report().iterations);
      CHECK(model.fit_report().converged);
      CHECK(relative_difference(objective, ref.at("objective")[0]) <= 1e-8);
      // Intercepts are defined up to a common constant: compare them centred.
      std::vector<double> got = model.coef(), b = model.intercept();
      double mean = (b[0] + b[1] + b[2]) / 3;
      for (double v : b)
        got.push_back(v - mean);
      std::vector<double> want = ref.at("coef");
      want.insert(want.end(), ref.at("intercept").begin(), ref.at("intercept").end());
      CHECK(vector_relative_difference(got, want) <= 1e-5);
    }
  }
}

TEST_CASE("wine multinomial: standardize with default options is the fit on standardized data",
          "[logistic][multinomial][standardize]") {
  // The standardize option fits in standardized coordinates over the raw X; its start Hessian
  // must carry the penalty's + I there, or L-BFGS overshoots along the columns of small curvature
  // (it used to stop uncertified at max_iter 100, 5e-3 relative above the optimum).
  const Data wine{load_csv("wine_X.csv"), load_csv("wine_y.csv")};
  const std::size_t n = wine.X.rows, d = wine.X.cols;
  Data standardized = wine;
  for (std::size_t j = 0; j < d; ++j) {
    double mean = 0, sq = 0;
    for (std::size_t i = 0; i < n; ++i)
      mean += wine.X.values[i * d + j] / double(n);
    for (std::size_t i = 0; i < n; ++i)
      sq += (wine.X.values[i * d + j] - mean) * (wine.X.values[i * d + j] - mean);
    const double scale = std::sqrt(sq / double(n));
    for (std::size_t i = 0; i < n; ++i)
      standardized.X.values[i * d + j] = (wine.X.values[i * d + j] - mean) / scale;
  }
  LogisticRegressionOptions o;  // defaults: auto (L-BFGS for multinomial), tol 1e-4, 100 iter
  o.standardize = true;
  const auto via_option = fit<double>(wine, o);
  o.standardize = false;
  o.solver_options.tol = 1e-8;
  const auto reference = fit<double>(standardized, o);
  REQUIRE(via_option.multinomial());
  REQUIRE(reference.fit_report().converged);
  const simdlr::FitReport& r = via_option.fit_report();
  INFO("iterations " << r.iterations << " bound " << r.relative_gap_bound);
  CHECK(r.converged);
  CHECK(r.iterations <= 50);
  CHECK(relative_difference(r.objective_history.back(),
                            reference.fit_report().objective_history.back()) <= 1e-6);
}

TEST_CASE("classes are sorted and the binary row belongs to the second class",
          "[logistic][classes]") {
  const Data& bc = breast_cancer();
  std::vector<std::string> text(bc.y.rows);
  for (std::size_t i = 0; i < text.size(); ++i)
    text[i] = bc.y.values[i] == 0 ? "M" : "B";
  std::vector<double> X = bc.X.values;
  LogisticRegressionOptions o = tight(Solver::lbfgs);
  o.standardize = true;
  LogisticRegression<double> by_text(o), by_number(o);
  const MatrixView<const double> view(X.data(), bc.X.rows, bc.X.cols);
  by_text.fit(view, text);
  by_number.fit(view, bc.y.values);
  REQUIRE(by_text.classes().text() == std::vector<std::string>{"B", "M"});
  REQUIRE(by_number.classes().text() == std::vector<std::string>{"0", "1"});
  // "B" (benign) is class 1 in the numeric data and the first in text order: the coefficient rows
  // must be each other's negatives.
  for (std::size_t j = 0; j < bc.X.cols; ++j) {
    CHECK(by_text.coef()[j] == Approx(-by_number.coef()[j]).epsilon(1e-6));
  }
  // Numeric text labels sort as numbers: "10" after "9".
  const std::vector<std::string> numeric_text{"9", "10", "9", "10"};
  const auto labels = simdlr::ClassLabels::from_text(numeric_text);
  CHECK(labels.numeric());
  CHECK(labels.text() == std::vector<std::string>{"9", "10"});
}

TEST_CASE("predictions: probabilities, decisions and accuracy agree", "[logistic][predict]") {
  const Data& data = iris();
  std::vector<double> X = data.X.values;
  const MatrixView<const double> view(X.data(), data.X.rows, data.X.cols);
  for (auto mode : {simdlr::MultiClass::multinomial, simdlr::MultiClass::ovr}) {
    LogisticRegressionOptions o;
    o.multi_class = mode;
    LogisticRegression<double> model(o);
    model.fit(view, data.y.values);
    CHECK(model.multinomial() == (mode == simdlr::MultiClass::multinomial));
    std::vector<double> proba(data.X.rows * 3), decision(data.X.rows * 3);
    model.predict_proba(view, proba);
    model.decision_function(view, decision);
    const std::vector<std::int32_t> predicted = model.predict_index(view);
    for (std::size_t i = 0; i < data.X.rows; ++i) {
      const double* p = &proba[i * 3];
      CHECK(p[0] + p[1] + p[2] == Approx(1.0).epsilon(1e-12));
      const std::int32_t argmax = std::int32_t(std::max_element(p, p + 3) - p);
      CHECK(argmax == predicted[i]);
    }
    CHECK(model.score(view, data.y.values) > 0.95);
  }
  // Binary: P(second class) = σ(decision), the two columns sum to 1.
  const Data& bc = breast_cancer();
  std::vector<double> Xb = bc.X.values;
  const MatrixView<const double> vb(Xb.data(), bc.X.rows, bc.X.cols);
  LogisticRegressionOptions o;
  o.standardize = true;
  LogisticRegression<double> model(o);
  model.fit(vb, bc.y.values);
  std::vector<double> proba(bc.X.rows * 2), z(bc.X.rows);
  model.predict_proba(vb, proba);
  model.decision_function(vb, z);
  for (std::size_t i = 0; i < bc.X.rows; ++i) {
    CHECK(proba[2 * i + 1] == Approx(1 / (1 + std::exp(-z[i]))).epsilon(1e-12));
    CHECK(proba[2 * i] + proba[2 * i + 1] == Approx(1.0).epsilon(1e-15));
  }
  CHECK(model.score(vb, bc.y.values) > 0.97);
}

TEST_CASE("predicting one row allocates nothing", "[logistic][predict][embedding]") {
  const Data& data = iris();
  std::vector<float> X = data.X.as<float>();
  LogisticRegression<float> model;
  model.fit(MatrixView<const float>(X.data(), data.X.rows, data.X.cols), data.y.values);
  const MatrixView<const float> one(X.data() + 4 * 77, 1, 4);
  float proba[3], decision[3];
  std::int32_t label = -1;
  model.predict_index(one, std::span<std::int32_t>(&label, 1));  // warm up
  const long before = g_allocations.load();
  for (int rep = 0; rep < 100; ++rep) {
    model.decision_function(one, decision);
    model.predict_proba(one, proba);
    model.predict_index(one, std::span<std::int32_t>(&label, 1));
  }
  CHECK(g_allocations.load() == before);
  // The same answer as the bulk prediction of that row.
  CHECK(label == model.predict_index(MatrixView<const float>(X.data(), data.X.rows, 4))[77]);
  std::vector<float> all(data.X.rows * 3);
  model.predict_proba(MatrixView<const float>(X.data(), data.X.rows, 4), all);
  for (int k = 0; k < 3; ++k)
    CHECK(proba[k] == all[77 * 3 + k]);
}

TEST_CASE("fits are bitwise identical for 1 and 2 threads", "[logistic][threads]") {
  for (Solver solver : {Solver::lbfgs, Solver::newton}) {
    LogisticRegressionOptions o = tight(solver);
    o.standardize = true;
    o.threads = simdlr::Threads{1};
    const auto one = fit<double>(breast_cancer(), o);
    o.threads = simdlr::Threads{2};
    const auto two = fit<double>(breast_cancer(), o);
    CHECK(one.coef() == two.coef());
    CHECK(one.intercept() == two.intercept());
    CHECK(one.fit_report().objective_history == two.fit_report().objective_history);
  }
}

TEST_CASE("bad input gets typed errors", "[logistic][errors]") {
  const Data& bc = breast_cancer();
  std::vector<double> X = bc.X.values;
  const MatrixView<const double> view(X.data(), bc.X.rows, bc.X.cols);
  std::vector<double> y = bc.y.values;
  LogisticRegression<double> model;

  CHECK_THROWS_AS(model.fit(view, std::span<const double>(y.data(), y.size() - 1)),
                  simdlr::ShapeError);
  CHECK_THROWS_AS(model.predict_index(view), simdlr::InvalidArgument);  // before fit

  std::vector<double> bad = X;
  bad[7 * bc.X.cols + 3] = NAN;
  CHECK_THROWS_WITH(model.fit(MatrixView<const double>(bad.data(), bc.X.rows, bc.X.cols), y),
                    Catch::Contains("row 7, column 3") && Catch::Contains("NaN"));
  bad[7 * bc.X.cols + 3] = INFINITY;
  CHECK_THROWS_AS(model.fit(MatrixView<const double>(bad.data(), bc.X.rows, bc.X.cols), y),
                  simdlr::InvalidArgument);
  std::vector<double> y_nan = y;
  y_nan[5] = NAN;
  CHECK_THROWS_AS(model.fit(view, y_nan), simdlr::InvalidArgument);
  const std::vector<double> one_class(y.size(), 1.0);
  CHECK_THROWS_WITH(model.fit(view, one_class), Catch::Contains("single class"));

  for (double C : {0.0, -1.0, double(NAN)}) {
    LogisticRegressionOptions o;
    o.C = C;
    CHECK_THROWS_AS(LogisticRegression<double>(o).fit(view, y), simdlr::InvalidArgument);
  }
  LogisticRegressionOptions o;
  o.solver_options.tol = 0;
  CHECK_THROWS_AS(LogisticRegression<double>(o).fit(view, y), simdlr::InvalidArgument);
  o = {};
  o.solver_options.max_iter = 0;
  CHECK_THROWS_AS(LogisticRegression<double>(o).fit(view, y), simdlr::InvalidArgument);

  std::vector<double> weights(y.size(), 1.0);
  weights[11] = -0.5;
  CHECK_THROWS_WITH(model.fit(view, y, weights), Catch::Contains("sample_weight[11]"));
  CHECK_THROWS_AS(model.fit(view, y, std::vector<double>(3, 1.0)), simdlr::ShapeError);

  model.fit(view, y);
  CHECK_THROWS_AS(
      model.predict_index(MatrixView<const double>(X.data(), bc.X.rows, bc.X.cols - 1, bc.X.cols)),
      simdlr::ShapeError);
  // A failed fit leaves the fitted model as it was.
  const std::vector<double> before = model.coef();
  CHECK_THROWS(model.fit(view, one_class));
  CHECK(model.coef() == before);
  CHECK(model.classes().size() == 2);
}

TEST_CASE("one fitted model predicts from many threads at once", "[logistic][threads]") {
  const Data& data = iris();
  std::vector<double> X = data.X.values;
  const MatrixView<const double> view(X.data(), data.X.rows, data.X.cols);
  LogisticRegression<double> model;
  model.fit(view, data.y.values);
  std::vector<double> expected(data.X.rows * 3);
  model.predict_proba(view, expected);
  std::vector<std::vector<double>> results(8, std::vector<double>(data.X.rows * 3));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 50; ++rep) {
        if (t % 2 == 0) {
          model.predict_proba(view, results[t]);
        } else {  // row by row
          for (std::size_t i = 0; i < data.X.rows; ++i) {
            model.predict_proba(MatrixView<const double>(X.data() + i * 4, 1, 4),
                                std::span<double>(results[t].data() + i * 3, 3));
          }
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  for (const auto& r : results)
    CHECK(r == expected);
}

TEST_CASE("a row's prediction does not depend on the rows predicted with it",
          "[logistic][predict]") {
  // One row goes through the coefficient rows as one margins call (four classes at a time),
  // many rows through one margins call per class: the same dot products, the same bits.
  const std::size_t n = 37, d = 100;
  std::vector<float> X(n * d);
  for (std::size_t k = 0; k < X.size(); ++k)
    X[k] = float(std::sin(0.37 * double(k)) * 3.0);
  for (const std::size_t K : {std::size_t(3), std::size_t(10)}) {
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i)
      y[i] = double(i % K);
    for (simdlr::Isa isa : simdlr::supported_isas()) {
      simdlr::ScopedIsa scoped(isa);
      INFO(K << " classes, ISA " << simdlr::isa_name(isa));
      LogisticRegression<float> model;
      const MatrixView<const float> all(X.data(), n, d);
      model.fit(all, y);
      std::vector<float> bulk(n * K), single(K), bulk_p(n * K), single_p(K);
      model.decision_function(all, bulk);
      model.predict_proba(all, bulk_p);
      for (std::size_t i = 0; i < n; ++i) {
        const MatrixView<const float> row(X.data() + i * d, 1, d);
        model.decision_function(row, single);
        model.predict_proba(row, single_p);
        for (std::size_t k = 0; k < K; ++k) {
          CHECK(single[k] == bulk[i * K + k]);
          CHECK(single_p[k] == bulk_p[i * K + k]);
        }
      }
    }
  }
}

TEST_CASE("float32 fits converge at tol 1e-6 in about as many passes as float64",
          "[logistic][float32]") {
  // 10,000 x 100 standard-normal-like rows, labels from a logistic model. Near this optimum the
  // float32 objective's rounding noise (~1e-8 relative) exceeds the decrease an L-BFGS step still
  // makes, so a strong-Wolfe-only line search bisected on noise and stopped with no_progress after
  // ~100 passes; the approximate Wolfe conditions let the gradient rule finish the fit.
  constexpr std::size_t n = 10000, d = 100;
  std::vector<double> X64(n * d), y(n);
  std::vector<float> X32(n * d);
  std::uint64_t state = 12345;
  auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) * 0x1p-53;
  };
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0.5;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = 2 * uniform() + 2 * uniform() - 2;  // mean 0, variance 2/3
      X32[i * d + j] = float(x);
      X64[i * d + j] = double(X32[i * d + j]);  // the same values in both precisions
      z += X64[i * d + j] * 0.25 * std::sin(double(j));
    }
    y[i] = uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0;
  }
  for (Solver solver : {Solver::lbfgs, Solver::newton}) {
    CAPTURE(simdlr::solver_name(solver));
    const auto o = model_options<LogisticRegressionOptions>(solver, 1e-6, 1000);
    LogisticRegression<double> m64(o);
    LogisticRegression<float> m32(o);
    const auto& r64 = m64.fit(MatrixView<const double>(X64.data(), n, d), y);
    const auto& r32 = m32.fit(MatrixView<const float>(X32.data(), n, d), y);
    CHECK(r64.converged);
    CHECK(r32.converged);
    CHECK(r32.stop_reason == simdlr::StopReason::certified);
    CHECK(r32.function_evaluations <= r64.function_evaluations + 5);
    // Both solutions on the same, long double objective: the float32 fit reaches the optimum.
    auto objective = [&](const std::vector<double>& w, double b) {
      long double total = 0, norm = 0;
      for (std::size_t i = 0; i < n; ++i) {
        long double z = b;
        for (std::size_t j = 0; j < d; ++j)
          z += (long double)X64[i * d + j] * w[j];
        total += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - y[i] * z;
      }
      for (double v : w)
        norm += (long double)v * v;
      return double(total + norm / 2);
    };
    const double f64 = objective(m64.coef(), m64.intercept()[0]);
    const double f32 = objective(m32.coef(), m32.intercept()[0]);
    // Each is certified within tol/100 = 1e-8 relative of the optimum, so they agree to that;
    // and neither beats the other's certified lower bound on the optimum, F − B.
    CHECK(std::fabs(f32 - f64) <= 1e-8 * f64);
    CHECK(r64.relative_gap_bound <= 1e-8);
    CHECK(r32.relative_gap_bound <= 1e-8);
    CHECK(f32 >= f64 - r64.objective_gap_bound * (1 + 1e-9));
    CHECK(f64 >= f32 - r32.objective_gap_bound * (1 + 1e-9));
  }
}
