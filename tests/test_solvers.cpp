// The solvers on problems with known minima: an ill-conditioned quadratic (exact Hessian
// products) and the Rosenbrock function; the stopping rule and the report.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "simdlr/errors.hpp"
#include "simdlr/solvers.hpp"

namespace {

// f(x) = 1 + ½ Σ a_i (x_i − c_i)², a_i spread over 1..1e4 (condition number 1e4); the 1 makes
// the minimum value positive, so a relative gap can be certified.
// It certifies itself exactly: F − F* = ½ Σ g_i² / a_i.
class Quadratic final : public simdlr::Objective,
                        public simdlr::HessianVectorProduct,
                        public simdlr::ExactHessian,
                        public simdlr::CertifiedBound {
 public:
  explicit Quadratic(std::size_t n) : a_(n), c_(n) {
    for (std::size_t i = 0; i < n; ++i) {
      a_[i] = std::pow(1e4, double(i) / double(n - 1));
      c_[i] = std::sin(double(i) + 1.0);
    }
  }
  std::size_t dimension() const override { return a_.size(); }
  double value_and_gradient(std::span<const double> x, std::span<double> g) override {
    ++evaluations;
    double f = 1;
    for (std::size_t i = 0; i < a_.size(); ++i) {
      const double r = x[i] - c_[i];
      f += 0.5 * a_[i] * r * r;
      g[i] = a_[i] * r;
    }
    return f;
  }
  simdlr::HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override {
    for (std::size_t i = 0; i < a_.size(); ++i)
      out[i] = a_[i] * v[i];
  }
  simdlr::ExactHessian* exact_hessian() override { return this; }
  void hessian(std::span<double> H) override {
    const std::size_t n = a_.size();
    for (std::size_t i = 0; i < n * n; ++i)
      H[i] = 0;
    for (std::size_t i = 0; i < n; ++i)
      H[i * n + i] = a_[i];
  }
  simdlr::CertifiedBound* certified_bound() override { return this; }
  simdlr::GapBound certify(std::span<double> x, const simdlr::CertifyRequest& request) override {
    if (defer_below > 0 && request.may_defer) {  // declines, as a costly check may
      if (first_deferred < 0) first_deferred = iteration;
      if (checked_after_deferral < 0) ++deferrals;
      simdlr::GapBound deferred;
      deferred.retry_below = defer_below * request.enough;
      return deferred;
    }
    if (first_deferred >= 0 && checked_after_deferral < 0) {
      checked_after_deferral = iteration;
      forced = !request.may_defer;
    }
    ++certificates;
    std::vector<double> g(x.size());
    const double f = value_and_gradient(x, g);
    --evaluations;  // not a solver's evaluation
    return {f, gap_estimate(g), simdlr::Certificate::quadratic, ""};
  }
  double gap_estimate(std::span<const double> g) const override {
    double gap = 0;
    for (std::size_t i = 0; i < a_.size(); ++i)
      gap += 0.5 * g[i] * g[i] / a_[i];
    return gap;
  }
  bool penalised() const override { return true; }
  const std::vector<double>& minimum() const { return c_; }
  int evaluations = 0, certificates = 0;
  // Deferral (CertifyRequest::may_defer): with defer_below > 0, every check that may be deferred
  // is, with retry_below = defer_below · enough; the iterations (as the test's callback sets
  // them) of the first deferral and of the first check made after it, whether that one could not
  // be deferred, and the number of deferrals before it.
  double defer_below = 0;
  int iteration = 0, first_deferred = -1, checked_after_deferral = -1, deferrals = 0;
  bool forced = false;

 private:
  std::vector<double> a_, c_;
};

class Rosenbrock final : public simdlr::Objective {
 public:
  std::size_t dimension() const override { return 2; }
  double value_and_gradient(std::span<const double> x, std::span<double> g) override {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  }
};

}  // namespace

TEST_CASE("lbfgs, newton and gd reach the minimum of a quadratic", "[solvers]") {
  using Minimizer =
      simdlr::FitReport (*)(simdlr::Objective&, std::span<double>, const simdlr::SolverOptions&);
  const std::pair<const char*, Minimizer> solvers[] = {
      {"lbfgs", simdlr::minimize_lbfgs},
      {"newton", simdlr::minimize_newton_cg},
      {"gd", simdlr::minimize_gradient_descent},
      {"newton-cholesky", simdlr::minimize_newton_cholesky}};
  for (const auto& [name, minimize] : solvers) {
    INFO(name);
    Quadratic q(50);
    std::vector<double> x(50, 0.0);
    simdlr::SolverOptions options;
    options.tol = 1e-6;  // certified relative gap 1e-8; the minimum value is 1 (see below)
    options.max_iter = 200000;
    const simdlr::FitReport report = minimize(q, x, options);
    CHECK(report.converged);
    CHECK(report.stop_reason == simdlr::StopReason::certified);
    CHECK(report.certificate == simdlr::Certificate::quadratic);
    CHECK(report.certificate_checks == q.certificates);
    // The rule: bound ≤ ε (F − bound), and the bound is the true gap F − 1 here.
    const double f = report.objective_history.back();
    CHECK(report.objective_gap_bound == Approx(f - 1.0).margin(1e-14));
    CHECK(report.objective_gap_bound <= 1e-8 * (f - report.objective_gap_bound));
    CHECK(report.relative_gap_bound <= 1e-8);
    CHECK(report.objective_history.size() == std::size_t(report.iterations) + 1);
    // What the bound implies for x: ½ a_i r_i² ≤ gap with a_i ≥ 1, so |r_i| ≤ √(2 gap).
    for (std::size_t i = 0; i < x.size(); ++i)
      CHECK(x[i] == Approx(q.minimum()[i]).margin(std::sqrt(2 * report.objective_gap_bound)));
    CHECK(report.function_evaluations == q.evaluations);
  }
}

TEST_CASE(
    "lbfgs minimises Rosenbrock but cannot certify it, and gd with few iterations says it "
    "did not converge",
    "[solvers]") {
  Rosenbrock r;
  std::vector<double> x{-1.2, 1.0};
  simdlr::SolverOptions options;
  options.tol = 1e-10;
  options.max_iter = 1000;
  const simdlr::FitReport report = simdlr::minimize_lbfgs(r, x, options);
  // No certificate (and a minimum of 0, where no relative gap can be proved): the solver stops
  // on its own estimate and says it cannot prove convergence.
  CHECK_FALSE(report.converged);
  CHECK(report.stop_reason == simdlr::StopReason::uncertified);
  CHECK(report.certificate == simdlr::Certificate::none);
  CHECK(report.objective_gap_bound == std::numeric_limits<double>::infinity());
  CHECK(x[0] == Approx(1.0).margin(1e-6));
  CHECK(x[1] == Approx(1.0).margin(1e-6));
  CHECK(report.iterations < 100);

  std::vector<double> y{-1.2, 1.0};
  options.max_iter = 50;
  const simdlr::FitReport slow = simdlr::minimize_gradient_descent(r, y, options);
  CHECK_FALSE(slow.converged);
  CHECK(slow.stop_reason == simdlr::StopReason::max_iterations);
  CHECK(slow.iterations == 50);
  // Every accepted step decreased the objective.
  for (std::size_t i = 1; i < slow.objective_history.size(); ++i) {
    CHECK(slow.objective_history[i] < slow.objective_history[i - 1]);
  }
}

TEST_CASE("solvers reject bad options and start points", "[solvers][errors]") {
  Quadratic q(3);
  std::vector<double> x(3, 0.0);
  simdlr::SolverOptions options;
  options.tol = 0;
  CHECK_THROWS_AS(simdlr::minimize_lbfgs(q, x, options), simdlr::InvalidArgument);
  options.tol = 1e-4;
  options.max_iter = 0;
  CHECK_THROWS_AS(simdlr::minimize_newton_cg(q, x, options), simdlr::InvalidArgument);
  options.max_iter = 10;
  std::vector<double> wrong(2, 0.0);
  CHECK_THROWS_AS(simdlr::minimize_gradient_descent(q, wrong, options), simdlr::ShapeError);
  x[1] = NAN;
  CHECK_THROWS_AS(simdlr::minimize_lbfgs(q, x, options), simdlr::InvalidArgument);
  Rosenbrock r;
  std::vector<double> z{0.0, 0.0};
  CHECK_THROWS_AS(simdlr::minimize_newton_cg(r, z, options), simdlr::InvalidArgument);
}

TEST_CASE("the iteration callback sees every iteration", "[solvers]") {
  Quadratic q(10);
  std::vector<double> x(10, 0.0);
  simdlr::SolverOptions options;
  options.tol = 1e-8;
  std::vector<simdlr::IterationLog> logs;
  options.on_iteration = [&](const simdlr::IterationLog& log) { logs.push_back(log); };
  const simdlr::FitReport report = simdlr::minimize_lbfgs(q, x, options);
  REQUIRE(logs.size() == std::size_t(report.iterations));
  for (std::size_t i = 0; i < logs.size(); ++i) {
    CHECK(logs[i].iteration == int(i) + 1);
    CHECK(logs[i].objective == report.objective_history[i + 1]);
    CHECK(logs[i].step > 0);
  }
}

TEST_CASE("a deferred check is made once the estimate falls below retry_below, or 3 iterations on",
          "[solvers][deferral]") {
  using Minimizer =
      simdlr::FitReport (*)(simdlr::Objective&, std::span<double>, const simdlr::SolverOptions&);
  const std::pair<const char*, Minimizer> solvers[] = {
      {"lbfgs", simdlr::minimize_lbfgs},
      {"newton", simdlr::minimize_newton_cg},
      {"newton-cholesky", simdlr::minimize_newton_cholesky},
      {"gd", simdlr::minimize_gradient_descent}};
  for (const auto& [name, minimize] : solvers) {
    // retry_below never reached (1e-30 of enough): one deferral, then no check until 3 iterations
    // on (the first after them whose estimate is within tol), which may not be deferred; or the
    // solver's final check, if it ends first. Reached (half of enough): the estimate decides, or
    // the same limit. Without the start Hessian (exact here), L-BFGS and gd take many iterations
    // from their first estimate within tol 1e-2 to a certificate.
    for (double defer_below : {1e-30, 0.5}) {
      INFO(name << ", retry below " << defer_below << " of enough");
      Quadratic q(50);
      q.defer_below = defer_below;
      std::vector<double> x(50, 0.0);
      simdlr::SolverOptions options;
      options.tol = 1e-2;
      options.max_iter = 200000;
      options.precondition = false;
      options.on_iteration = [&q](const simdlr::IterationLog& log) { q.iteration = log.iteration; };
      const simdlr::FitReport report = minimize(q, x, options);
      INFO("deferred first at " << q.first_deferred << ", " << q.deferrals
                                << " deferrals, next check at " << q.checked_after_deferral << ", "
                                << report.iterations << " iterations");
      CHECK(report.converged);
      CHECK(report.certificate == simdlr::Certificate::quadratic);
      CHECK(report.certificate_checks == q.certificates);  // deferrals are not checks
      const double f = report.objective_history.back();
      CHECK(report.objective_gap_bound == Approx(f - 1.0).margin(1e-14));
      CHECK(report.relative_gap_bound <= 1e-4);
      REQUIRE(q.first_deferred >= 0);
      REQUIRE(q.checked_after_deferral >= 0);
      const int after = q.checked_after_deferral - q.first_deferred;
      const bool ended =
          q.checked_after_deferral == report.iterations && report.certificate_checks == 1;
      const std::string solver = name;
      const bool long_run = solver == "lbfgs" || solver == "gd";
      if (defer_below == 1e-30) {
        CHECK((q.forced || ended));
        CHECK((after >= 3 || ended));
        if (long_run) CHECK(q.deferrals == 1);  // the estimate never falls below 1e-30 of enough
      }
      if (!ended) CHECK(after >= 1);
      if (long_run) CHECK_FALSE(ended);
    }
  }
}
