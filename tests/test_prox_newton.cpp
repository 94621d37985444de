// The proximal Newton solver and the duality-gap certificate on problems whose optimum is known
// in closed form: the lasso and the elastic net with orthogonal columns, where each coefficient
// is a soft-thresholded correlation; the gap bound against the true gap at points off the optimum;
// the options the models refuse.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "simdlr/errors.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/objectives.hpp"
#include "simdlr/solvers.hpp"

using namespace simdlr;

namespace {

// n = 64 rows; columns 1..d of the 64 x 64 Sylvester-Hadamard matrix (entries ±1, each column
// orthogonal to the others and to the ones of the intercept): XᵀX = n I.
struct Orthogonal {
  std::size_t n = 64, d;
  std::vector<double> X, y;
  explicit Orthogonal(std::size_t d) : d(d), X(64 * d), y(64) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < d; ++j)
        X[i * d + j] = __builtin_popcountll(i & (j + 1)) % 2 == 0 ? 1.0 : -1.0;
      y[i] = 3.0 + std::sin(0.7 * double(i)) * 2 + 0.25 * X[i * d] - 0.5 * X[i * d + 2];
    }
  }
  // c_j = x_jᵀy / n, the mean of y, and the exact optimum w_j = S(c_j, αρ) / (1 + α(1 − ρ)) of
  // 1/(2n) ‖y − Xw − b‖² + αρ ‖w‖₁ + α(1 − ρ)/2 ‖w‖².
  double correlation(std::size_t j) const {
    long double s = 0;
    for (std::size_t i = 0; i < n; ++i)
      s += (long double)X[i * d + j] * y[i];
    return double(s / n);
  }
  double mean() const {
    long double s = 0;
    for (double v : y)
      s += v;
    return double(s / n);
  }
  double optimum_coef(std::size_t j, double alpha, double rho) const {
    const double c = correlation(j), t = alpha * rho;
    const double shrunk = c > t ? c - t : c < -t ? c + t : 0.0;
    return shrunk / (1 + alpha * (1 - rho));
  }
  // The objective in long double at (w, b).
  long double objective(const std::vector<double>& w, double b, double alpha, double rho) const {
    long double loss = 0, l1 = 0, l2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      long double z = b;
      for (std::size_t j = 0; j < d; ++j)
        z += (long double)X[i * d + j] * w[j];
      loss += (z - y[i]) * (z - y[i]);
    }
    for (double v : w) {
      l1 += std::fabs((long double)v);
      l2 += (long double)v * v;
    }
    return loss / (2 * n) + alpha * rho * l1 + 0.5 * alpha * (1 - rho) * l2;
  }
};

}  // namespace

TEST_CASE("lasso and elastic net with orthogonal columns reach the closed-form optimum",
          "[prox_newton]") {
  const Orthogonal data(12);
  const MatrixView<const double> X(data.X.data(), data.n, data.d);
  for (const double rho : {1.0, 0.5}) {
    for (const double alpha : {0.05, 0.3, 1.0}) {
      CAPTURE(rho, alpha);
      LinearRegressionOptions o;
      o.penalty = rho == 1.0 ? Penalty::l1 : Penalty::elasticnet;
      o.alpha = alpha;
      o.l1_ratio = rho;
      o.solver_options.tol = 1e-8;
      LinearRegression<double> model(o);
      const FitReport& r = model.fit(X, data.y);
      CHECK(r.converged);
      CHECK(r.certificate == Certificate::duality_gap);
      CHECK(r.solver == "cd");
      std::size_t nonzero = 0;
      for (std::size_t j = 0; j < data.d; ++j) {
        const double expected = data.optimum_coef(j, alpha, rho);
        CHECK(model.coef()[j] == Approx(expected).margin(1e-12));
        CHECK((model.coef()[j] == 0) == (expected == 0));  // the same support, exactly
        nonzero += expected != 0;
      }
      CHECK(model.intercept() == Approx(data.mean()).epsilon(1e-13));
      if (alpha == 0.3) CHECK((nonzero > 0 && nonzero < data.d));
      // The reported objective is scikit-learn's scale, and within the bound of the optimum.
      std::vector<double> optimum(data.d);
      for (std::size_t j = 0; j < data.d; ++j)
        optimum[j] = data.optimum_coef(j, alpha, rho);
      const double best = double(data.objective(optimum, data.mean(), alpha, rho));
      CHECK(r.objective_history.back() == Approx(best).epsilon(1e-12));
      CHECK(r.objective_history.back() - best <= r.objective_gap_bound + 1e-15 * best);
    }
  }
}

TEST_CASE("the duality gap bounds the true gap at points away from the optimum",
          "[prox_newton][certificate]") {
  // The squared objective's data term ½ Σ (z − y)² with the penalty n·α (ρ|w| + ...): the lasso
  // times n, whose optimum is known.
  const Orthogonal data(12);
  const MatrixView<const double> X(data.X.data(), data.n, data.d);
  const double alpha = 0.3, n = double(data.n);
  for (const double rho : {1.0, 0.5}) {
    SquaredObjective<double> objective(X, data.y, {}, 0.0, true);
    std::vector<double> l1(data.d + 1, n * alpha * rho), l2(data.d + 1, n * alpha * (1 - rho));
    l1[data.d] = l2[data.d] = 0;
    std::vector<double> optimum(data.d);
    for (std::size_t j = 0; j < data.d; ++j)
      optimum[j] = data.optimum_coef(j, alpha, rho);
    const double best = n * double(data.objective(optimum, data.mean(), alpha, rho));
    CertifyRequest request;
    request.l1_penalty = l1;
    request.coefficient_penalty = l2;
    for (const double distance : {1.0, 0.1, 1e-3, 1e-6}) {
      for (int trial = 0; trial < 4; ++trial) {
        std::vector<double> x(data.d + 1);
        for (std::size_t j = 0; j < data.d; ++j)
          x[j] = optimum[j] + distance * std::cos(double(7 * j + 3 * trial));
        x[data.d] = data.mean() + distance * (trial - 1.5);
        const GapBound b = objective.certify(x, request);
        CAPTURE(rho, distance, trial, b.objective, b.bound, best);
        REQUIRE(b.certificate == Certificate::duality_gap);
        CHECK(b.objective - best <= b.bound);
        CHECK(b.objective >= best * (1 - 1e-14));
        // The intercept is polished exactly here: y's mean shifted by the columns' zero sums.
        CHECK(x[data.d] == Approx(data.mean()).epsilon(1e-12));
      }
    }
    // At the optimum the gap is at rounding level.
    std::vector<double> x(optimum);
    x.push_back(data.mean());
    CHECK(objective.certify(x, request).bound <= 1e-12 * best);
  }
}

TEST_CASE("l1 and elastic-net options the models refuse", "[prox_newton][errors]") {
  const Orthogonal data(4);
  const MatrixView<const double> X(data.X.data(), data.n, data.d);
  std::vector<double> labels(data.n);
  for (std::size_t i = 0; i < data.n; ++i)
    labels[i] = double(i % 3);
  const auto logistic_error = [&](LogisticRegressionOptions o, std::vector<double> y) {
    LogisticRegression<double> model(o);
    try {
      model.fit(X, y);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LogisticRegressionOptions o;
  o.penalty = Penalty::elasticnet;
  o.l1_ratio = 1.5;
  std::vector<double> binary(data.n);
  for (std::size_t i = 0; i < data.n; ++i)
    binary[i] = double(i % 2);
  CHECK_THAT(logistic_error(o, binary), Catch::Contains("l1_ratio must be in [0, 1]"));
  o.l1_ratio = 0.5;
  o.solver = Solver::lbfgs;
  CHECK_THAT(logistic_error(o, binary),
             Catch::Contains("solver lbfgs does not support penalty elasticnet"));
  o.solver = Solver::newton_cholesky;
  o.multi_class = MultiClass::multinomial;
  CHECK_THAT(logistic_error(o, labels),
             Catch::Contains("solver newton-cholesky does not support penalty elasticnet"));

  LinearRegressionOptions lo;
  lo.penalty = Penalty::l1;
  lo.alpha = 0;
  LinearRegression<double> linear(lo);
  CHECK_THROWS_WITH(linear.fit(X, data.y), Catch::Contains("needs alpha > 0"));
  lo.alpha = 0.1;
  lo.solver = LinearSolver::lbfgs;
  LinearRegression<double> linear2(lo);
  CHECK_THROWS_WITH(linear2.fit(X, data.y), Catch::Contains("does not support penalty l1"));
  CHECK_THROWS_AS(LogisticObjective<double>(X, data.y, {}, 1.0, Penalty::l1, true),
                  InvalidArgument);
  SquaredObjective<double> objective(X, data.y, {}, 0.0, true);
  std::vector<double> x(data.d + 1, 0.0);
  CHECK_THROWS_AS(minimize_prox_newton(objective, x, {{1.0}, {0.0}}, {}), ShapeError);
  SeparablePenalty negative{std::vector<double>(data.d + 1, -1.0),
                            std::vector<double>(data.d + 1, 0.0)};
  CHECK_THROWS_AS(minimize_prox_newton(objective, x, negative, {}), InvalidArgument);
}
