// A certificate check whose Hessian sample would be dense for the solver's estimate costs more
// than another iteration and a sparse check after it: the binary certificate defers it
// (CertifyRequest::may_defer, GapBound::retry_below), evaluating nothing; the fits that defer
// still certify the optimum, within their bound.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

// n x d Gaussian columns, labels from a logistic model.
struct Problem {
  std::size_t n, d;
  std::vector<double> X, y;
};

Problem gaussian(std::size_t n, std::size_t d, unsigned seed) {
  Problem p{n, d, std::vector<double>(n * d), std::vector<double>(n)};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0.3;
    for (std::size_t j = 0; j < d; ++j) {
      p.X[i * d + j] = normal(rng);
      z += p.X[i * d + j] * (j % 2 == 0 ? 0.2 : -0.15);
    }
    p.y[i] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
  }
  return p;
}

template <class T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// certify at a point near the optimum (five L-BFGS iterations) with the request's estimate at
// enough / estimate_share; the request otherwise as SolverProgress makes it.
// x: the point after certify; moved: whether certify changed it.
template <class T>
GapBound check(const Problem& p, double estimate_share, bool may_defer, double tier1_share,
               std::vector<double>& x, double& enough, bool& moved) {
  const std::vector<T> X = as<T>(p.X), y = as<T>(p.y);
  LogisticObjective<T> objective(MatrixView<const T>(X.data(), p.n, p.d), y, {}, 1.0, Penalty::l2,
                                 true);
  x.assign(p.d + 1, 0.0);
  minimize_lbfgs(objective, x, SolverOptions{.tol = 1e-12, .max_iter = 5});
  std::vector<double> g(x.size());
  const double f = objective.value_and_gradient(x, g);
  CertifyRequest request;
  request.hessian_allowed = true;
  request.enough = enough = 1e-6 * f;
  request.estimate = enough / estimate_share;
  request.tier1_estimate =
      tier1_share > 0 ? enough / tier1_share : std::numeric_limits<double>::infinity();
  request.may_defer = may_defer;
  const std::vector<double> before = x;
  const GapBound b = objective.certify(x, request);
  moved = std::memcmp(x.data(), before.data(), x.size() * sizeof(double)) != 0;
  return b;
}

// A default LogisticRegression fit on one thread, with the solver and tol given, on the problem's
// float64 data or their float32 copy.
FitReport fit_logistic(const Problem& p, bool float_data, Solver solver, double tol) {
  LogisticRegressionOptions o;
  o.solver = solver;
  o.solver_options.tol = tol;
  o.threads = Threads{1};
  if (float_data) {
    const std::vector<float> X = as<float>(p.X);
    LogisticRegression<float> m(o);
    return m.fit(MatrixView<const float>(X.data(), p.n, p.d), p.y);
  }
  LogisticRegression<double> m(o);
  return m.fit(MatrixView<const double>(p.X.data(), p.n, p.d), p.y);
}

}  // namespace

TEST_CASE("a check whose Hessian sample would be dense is deferred, evaluating nothing",
          "[certificate][deferral]") {
  // 10,000 x 100: n·m² above the exact-work limit; the sparsest sample is every 4th row, whose
  // Gram matrix costs 101 / (32 · 4) · 1.75 = 1.38 passes (cheap enough); every 3rd: 1.84.
  const Problem p = gaussian(10000, 100, 21);
  std::vector<double> x;
  double enough = 0;
  bool moved = false;
  for (bool float_data : {false, true}) {
    INFO((float_data ? "float32" : "float64"));
    const auto run = [&](double share, bool may_defer, double tier1_share) {
      return float_data ? check<float>(p, share, may_defer, tier1_share, x, enough, moved)
                        : check<double>(p, share, may_defer, tier1_share, x, enough, moved);
    };
    // Estimate at half of enough: every row (float64: 3.2 passes; float32: none offered).
    GapBound b = run(2, true, 0);
    CHECK(b.retry_below == Approx(enough / 8).epsilon(1e-15));  // every 4th row then
    CHECK(b.bound == std::numeric_limits<double>::infinity());
    CHECK(b.certificate == Certificate::none);
    CHECK(b.objective == 0);  // nothing evaluated
    CHECK_FALSE(moved);       // (a check may move the intercept to its exact minimiser)
    // Every 3rd row (estimate at a sixth): 1.84 passes, deferred too.
    CHECK(run(6, true, 0).retry_below == Approx(enough / 8).epsilon(1e-15));
    // Every 4th row (estimate at a tenth): checked.
    b = run(10, true, 0);
    CHECK(b.retry_below == 0);
    CHECK(b.objective > 0);
    // Not when the solver forbids it, nor where tier 1 may hold.
    b = run(2, false, 0);
    CHECK(b.retry_below == 0);
    CHECK(b.objective > 0);
    CHECK(run(2, true, 2).retry_below == 0);
  }
  // Where the Hessian's work is small (4,000 x 100: n·m² = 4.1e7), every row's Gram matrix is
  // exact and cheap: never deferred.
  CHECK(check<double>(gaussian(4000, 100, 22), 2, true, 0, x, enough, moved).retry_below == 0);
  // Where no sample is both cheap and large enough (8,000 rows: every 3rd at most), not either.
  CHECK(check<double>(gaussian(8000, 100, 23), 2, true, 0, x, enough, moved).retry_below == 0);
}

TEST_CASE("fits whose check was deferred certify the optimum, within their bound",
          "[certificate][deferral]") {
  // 10,000 x 100 at the default tol: the first iterate whose estimate is within enough would
  // need every row's Gram matrix; the fit goes one iteration further and certifies from a sample.
  const Problem p = gaussian(10000, 100, 21);
  for (bool float_data : {false, true}) {
    INFO((float_data ? "float32" : "float64"));
    const auto fit = [&](Solver solver, double tol) {
      return fit_logistic(p, float_data, solver, tol);
    };
    const FitReport tight = fit(Solver::newton_cholesky, 1e-12);
    REQUIRE(tight.converged);
    const double f_ref = tight.objective_history.back();
    for (Solver solver : {Solver::automatic, Solver::lbfgs, Solver::newton}) {
      const FitReport r = fit(solver, 1e-4);
      const double f = r.objective_history.back();
      INFO("solver " << r.solver << ", iterations " << r.iterations << ", checks "
                     << r.certificate_checks << ", F " << f << ", bound " << r.objective_gap_bound);
      CHECK(r.converged);
      CHECK(r.certificate == Certificate::hessian);
      CHECK(f - f_ref <= r.objective_gap_bound * (1 + 1e-9) + 1e-12 * f_ref);
      CHECK(r.relative_gap_bound <= 1e-6);
      // Deferred checks are not counted: one check, made when a sample could succeed.
      CHECK(r.certificate_checks == 1);
    }
  }
}

TEST_CASE("newton-cholesky steps on instead of a Hessian check when the step will certify",
          "[certificate][deferral]") {
  // 10,000 x 10 at the default tol: the decrement at the second iterate is within enough but the
  // free (tier-1) estimate is not, so a check there would be the Hessian certificate (the solver
  // before this rule: 2 iterations, 3 Hessians, certificate hessian). Newton's quadratic
  // convergence predicts that one more step brings the free estimate within enough: the fit takes
  // it and certifies by strong convexity at the third, with no Hessian at the certified point.
  const Problem p = gaussian(10000, 10, 31);
  for (bool float_data : {false, true}) {
    INFO((float_data ? "float32" : "float64"));
    const auto fit = [&](double tol) {
      return fit_logistic(p, float_data, Solver::newton_cholesky, tol);
    };
    const FitReport tight = fit(1e-12);
    REQUIRE(tight.converged);
    const double f_ref = tight.objective_history.back();
    const FitReport r = fit(1e-4);
    const double f = r.objective_history.back();
    INFO("iterations " << r.iterations << ", Hessians " << r.hessians << ", checks "
                       << r.certificate_checks << ", F " << f << ", bound "
                       << r.objective_gap_bound);
    CHECK(r.converged);
    CHECK(r.certificate == Certificate::strong_convexity);
    CHECK(r.certificate_checks == 1);
    CHECK(r.hessians == r.iterations);  // one per step; none at the certified point
    CHECK(f - f_ref <= r.objective_gap_bound * (1 + 1e-9) + 1e-12 * f_ref);
    CHECK(r.relative_gap_bound <= 1e-6);
  }
}
