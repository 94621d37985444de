// LinearRegression: the exact seed example, scikit-learn's OLS and ridge on the diabetes data,
// every solver, weights as repeated rows, float32, and the singular-system error.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "reference_fixtures.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/linear_regression.hpp"
#include "support.hpp"

using simdlr::LinearRegression;
using simdlr::LinearRegressionOptions;
using simdlr::LinearSolver;
using simdlr::MatrixView;
using namespace simdlr::test;

TEST_CASE("the seed example y = 2x + 1 is recovered exactly by every solver", "[linear]") {
  std::vector<double> x, y;
  for (int v = -2; v <= 5; ++v) {
    x.push_back(v);
    y.push_back(2.0 * v + 1.0);
  }
  for (LinearSolver solver :
       {LinearSolver::cholesky, LinearSolver::lbfgs, LinearSolver::newton, LinearSolver::gd}) {
    INFO(simdlr::linear_solver_name(solver));
    LinearRegression<double> model(model_options<LinearRegressionOptions>(solver, 1e-14, 100000));
    model.fit(MatrixView<const double>(x.data(), x.size(), 1), y);
    CHECK(std::fabs(model.coef()[0] - 2.0) <= 1e-10);
    CHECK(std::fabs(model.intercept() - 1.0) <= 1e-10);
    CHECK(model.score(MatrixView<const double>(x.data(), x.size(), 1), y) ==
          Approx(1.0).margin(1e-12));
    const std::vector<double> at_ten =
        model.predict(MatrixView<const double>(std::vector<double>{10.0}.data(), 1, 1));
    CHECK(at_ten[0] == Approx(21.0).epsilon(1e-10));
  }
}

TEST_CASE("an exact linear fit converges: its bound is within the targets' rounding floor",
          "[linear][certificate]") {
  // y = 2a − b + 3 exactly (a, b with 53-bit fractions, so Xw rounds): F* is 0 and F at the
  // returned point is rounding (about 1e-29), where no relative gap can be proved; the bound is
  // below ½ Σ (16 ε y_i)², so the fit is as good as an exact one and says so.
  std::vector<double> X, y;
  for (int i = 0; i < 50; ++i) {
    const double a = std::sin(0.7 * i + 0.1), b = std::cos(1.3 * i);
    X.insert(X.end(), {a, b});
    y.push_back(2 * a - b + 3);
  }
  const MatrixView<const double> view(X.data(), 50, 2);
  for (LinearSolver solver : {LinearSolver::cholesky, LinearSolver::lbfgs, LinearSolver::newton}) {
    INFO(simdlr::linear_solver_name(solver));
    LinearRegressionOptions options;
    options.solver = solver;
    LinearRegression<double> model(options);
    const simdlr::FitReport& r = model.fit(view, y);
    CAPTURE(r.objective_history.back(), r.objective_gap_bound, r.relative_gap_bound);
    CHECK(r.converged);
    CHECK(r.stop_reason == simdlr::StopReason::certified);
    CHECK(r.objective_gap_bound <= 1e-26);
    // B = 0 (lbfgs and newton land on F = 0 exactly) meets the relative rule itself; otherwise
    // the note says the floor decided.
    CHECK((r.objective_gap_bound == 0 ||
           r.certificate_note.find("rounding floor") != std::string::npos));
    CHECK(std::fabs(model.coef()[0] - 2) <= 1e-12);
    CHECK(std::fabs(model.coef()[1] + 1) <= 1e-12);
    CHECK(std::fabs(model.intercept() - 3) <= 1e-12);
  }
  // Off by 1e-6 in one target, F* ≈ 5e-13 is far above the floor: the relative rule decides, and
  // the default solver still proves it.
  y[7] += 1e-6;
  LinearRegression<double> model;
  const simdlr::FitReport& r = model.fit(view, y);
  CHECK(r.converged);
  CHECK(r.relative_gap_bound <= 1e-6);
  CHECK(r.certificate_note.empty());
}

TEST_CASE("diabetes: OLS and ridge match scikit-learn", "[linear][reference]") {
  const Table X = load_csv("diabetes_X.csv"), y = load_csv("diabetes_y.csv");
  for (double alpha : {0.0, 1.0}) {
    const Case ref = load_case(alpha == 0 ? "diabetes_ols" : "diabetes_ridge1");
    for (LinearSolver solver :
         {LinearSolver::cholesky, LinearSolver::lbfgs, LinearSolver::newton}) {
      INFO(simdlr::linear_solver_name(solver) << " alpha " << alpha);
      LinearRegressionOptions o;
      o.alpha = alpha;
      o.solver = solver;
      o.solver_options.tol = 1e-12;
      o.solver_options.max_iter = 10000;
      LinearRegression<double> model(o);
      model.fit(MatrixView<const double>(X.values.data(), X.rows, X.cols), y.values);
      std::vector<double> got = model.coef(), want = ref.at("coef");
      got.push_back(model.intercept());
      want.push_back(ref.at("intercept")[0]);
      CHECK(vector_relative_difference(got, want) <=
            (solver == LinearSolver::cholesky ? 1e-10 : 1e-6));
    }
  }
}

TEST_CASE("integer sample weights equal repeated rows", "[linear][weights]") {
  const Table X = load_csv("diabetes_X.csv"), y = load_csv("diabetes_y.csv");
  std::vector<double> weights(X.rows), Xr, yr;
  for (std::size_t i = 0; i < X.rows; ++i) {
    weights[i] = double(1 + i % 3);
    for (std::size_t r = 0; r < std::size_t(weights[i]); ++r) {
      Xr.insert(Xr.end(), X.values.begin() + i * X.cols, X.values.begin() + (i + 1) * X.cols);
      yr.push_back(y.values[i]);
    }
  }
  LinearRegression<double> weighted, repeated;
  weighted.fit(MatrixView<const double>(X.values.data(), X.rows, X.cols), y.values, weights);
  repeated.fit(MatrixView<const double>(Xr.data(), yr.size(), X.cols), yr);
  std::vector<double> a = weighted.coef(), b = repeated.coef();
  a.push_back(weighted.intercept());
  b.push_back(repeated.intercept());
  CHECK(vector_relative_difference(a, b) <= 1e-10);
}

TEST_CASE("float32 data fit to float accuracy", "[linear][float32]") {
  const Table X = load_csv("diabetes_X.csv"), y = load_csv("diabetes_y.csv");
  const Case ref = load_case("diabetes_ridge1");
  const std::vector<float> Xf = X.as<float>();
  LinearRegressionOptions o;
  o.alpha = 1.0;
  LinearRegression<float> model(o);
  model.fit(MatrixView<const float>(Xf.data(), X.rows, X.cols), y.values);
  std::vector<double> got = model.coef(), want = ref.at("coef");
  CHECK(vector_relative_difference(got, want) <= 1e-4);
}

TEST_CASE("a singular system is a clear error and ridge fixes it", "[linear][errors]") {
  // Column 2 = column 0 + column 1.
  std::vector<double> X, y;
  for (int i = 0; i < 20; ++i) {
    const double a = std::sin(i), b = std::cos(3.0 * i);
    X.insert(X.end(), {a, b, a + b});
    y.push_back(a - 2 * b);
  }
  const MatrixView<const double> view(X.data(), 20, 3);
  LinearRegression<double> ols;
  CHECK_THROWS_AS(ols.fit(view, y), simdlr::SingularSystem);
  CHECK_THROWS_WITH(ols.fit(view, y), Catch::Contains("singular"));
  CHECK_FALSE(ols.fitted());
  LinearRegressionOptions o;
  o.alpha = 1e-3;
  LinearRegression<double> ridge(o);
  ridge.fit(view, y);
  CHECK(ridge.score(view, y) > 0.999);
}

TEST_CASE("linear regression rejects bad input", "[linear][errors]") {
  std::vector<double> X{1, 2, 3, 4}, y{1, 2, 3, 4};
  const MatrixView<const double> view(X.data(), 4, 1);
  LinearRegression<double> model;
  CHECK_THROWS_AS(model.predict(view), simdlr::InvalidArgument);
  CHECK_THROWS_AS(model.fit(view, std::vector<double>{1, 2, 3}), simdlr::ShapeError);
  std::vector<double> y_nan = y;
  y_nan[2] = NAN;
  CHECK_THROWS_WITH(model.fit(view, y_nan), Catch::Contains("y[2]"));
  LinearRegressionOptions o;
  o.alpha = -1;
  CHECK_THROWS_AS(LinearRegression<double>(o).fit(view, y), simdlr::InvalidArgument);
  model.fit(view, y);
  std::vector<double> two_cols{1, 2};
  CHECK_THROWS_AS(model.predict(MatrixView<const double>(two_cols.data(), 1, 2)),
                  simdlr::ShapeError);
}
