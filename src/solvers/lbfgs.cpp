// Limited-memory BFGS (Nocedal & Wright, algorithm 7.5): two-loop recursion over the last
// `history` pairs (s, y), strong-Wolfe line search. One value_and_gradient call per line-search
// trial, usually one per iteration. The initial inverse Hessian is γI with γ = sᵀy / yᵀy, or,
// preconditioned (preconditioner.hpp), γH₀⁻¹ with γ = sᵀy / yᵀH₀⁻¹y: L-BFGS in the metric of
// the start Hessian, whose first step is the Newton step.
#include <algorithm>
#include <cmath>
#include <vector>

#include "line_search.hpp"
#include "preconditioner.hpp"
#include "simdlr/solvers.hpp"
#include "solver_progress.hpp"
#include "vector_ops.hpp"

namespace simdlr {
namespace {

// Iterations after which L-BFGS judges, by its progress, whether a deferred start Hessian is
// needed before the deferral runs out.
constexpr int kProbeIterations = 5;
// A start Hessian at the point (Objective::point_preconditioner) is built again after each of
// this many first iterations: from the second build on, the steps are those of a sampled
// Newton method. (Once, after the first: 9 iterations on 100,000 x 10 with 10 Gaussian classes;
// after the first two: 7; after every one: 7 at twice the builds.)
constexpr int kRebuildIterations = 2;
// From kProbeIterations on, an iteration whose decrease is above this fraction of the previous
// one's is slow (superlinear convergence shrinks it by orders of magnitude), as is one that still
// makes more than 1 % of the progress so far. While iterations are slow, the exact start Hessian
// is evaluated again at the point, at most once per kRefreshRent times its estimated cost in
// passes (rent or buy): on nearly separable or badly scaled data the curvature at the start
// says little about the curvature near the optimum, and the steps become those of Newton's
// method. Raw breast cancer: 59 iterations and 1.3 ms before, 14 iterations with 3 Hessians
// and 0.4 ms after, the time of newton-cholesky; on data where the start Hessian serves,
// iterations are not slow by then.
constexpr double kSlowDecreaseRatio = 0.5;
// A refresh's cost in passes, as a multiple of StartHessian::exact_cost's model: measured, the
// sampled Gram matrix took about twice its estimate (20,000 x 100: 2.0 passes against 1.0; raw
// breast cancer 2.6 against 1.1; 2,000 x 20: 1.4 against 0.7).
constexpr double kRefreshRent = 2.0;

// The last m curvature pairs, oldest first.
class CurvatureHistory {
 public:
  CurvatureHistory(std::size_t dim, std::size_t m, const detail::StartHessian& start)
      : dim_(dim), m_(m), s_(m * dim), y_(m * dim), rho_(m), start_(start), scaled_y_(dim) {}

  // Keeps the pair only if it has positive curvature (sᵀy > ε yᵀy), as BFGS needs.
  void push(std::span<const double> s, std::span<const double> y) {
    const double sy = detail::dot(s, y), yy = detail::dot(y, y);
    if (!(sy > 1e-12 * yy) || !std::isfinite(sy)) return;
    const std::size_t slot = (first_ + count_) % m_;
    if (count_ == m_)
      first_ = (first_ + 1) % m_;
    else
      ++count_;
    std::copy(s.begin(), s.end(), s_.begin() + slot * dim_);
    std::copy(y.begin(), y.end(), y_.begin() + slot * dim_);
    rho_[slot] = 1.0 / sy;
    if (start_.active()) {
      std::copy(y.begin(), y.end(), scaled_y_.begin());
      start_.apply(scaled_y_);
      gamma_ = sy / detail::dot(y, scaled_y_);
    } else {
      gamma_ = sy / yy;
    }
  }

  // direction = −H g by the two-loop recursion.
  void direction(std::span<const double> g, std::span<double> d, std::vector<double>& alpha) const {
    std::copy(g.begin(), g.end(), d.begin());
    alpha.assign(m_, 0.0);
    for (std::size_t k = count_; k-- > 0;) {
      const std::size_t slot = (first_ + k) % m_;
      alpha[slot] = rho_[slot] * detail::dot(s(slot), d);
      detail::axpy(-alpha[slot], y(slot), d);
    }
    if (start_.active()) start_.apply(d);
    for (double& v : d)
      v *= gamma_;
    for (std::size_t k = 0; k < count_; ++k) {
      const std::size_t slot = (first_ + k) % m_;
      const double beta = rho_[slot] * detail::dot(y(slot), d);
      detail::axpy(alpha[slot] - beta, s(slot), d);
    }
    for (double& v : d)
      v = -v;
  }

  bool empty() const { return count_ == 0; }
  void clear() { count_ = 0, first_ = 0, gamma_ = 1; }

 private:
  std::span<const double> s(std::size_t slot) const { return {s_.data() + slot * dim_, dim_}; }
  std::span<const double> y(std::size_t slot) const { return {y_.data() + slot * dim_, dim_}; }

  std::size_t dim_, m_, first_ = 0, count_ = 0;
  std::vector<double> s_, y_, rho_;
  double gamma_ = 1;
  const detail::StartHessian& start_;
  std::vector<double> scaled_y_;
};

}  // namespace

FitReport minimize_lbfgs(Objective& objective, std::span<double> x, const SolverOptions& options) {
  detail::check_solver_arguments("lbfgs", objective, x, options);
  const std::size_t n = x.size();
  detail::SolverProgress progress("lbfgs", options, objective);
  std::vector<double> g(n), d(n), x_new(n), g_new(n), s(n), y(n), alpha;
  double f = objective.value_and_gradient(x, g);
  progress.count_evaluations(1);
  if (progress.start(f, g)) return progress.finish(x);

  detail::StartHessian start(objective, options);
  // The objective's sampled Hessian at the point, when it offers one, now and again after the
  // first steps; otherwise the start Hessian (built once). A deferral no longer than the progress
  // check would only cost the curvature pairs gathered until then: such a one is built at once.
  const bool rebuilds = start.build_at_point();
  if (rebuilds) progress.count_hessians(1);
  const int build_after = start.worth_after();
  if (!rebuilds && build_after <= kProbeIterations) progress.count_hessians(start.build());
  int iterations = 0, last_build = 0;
  const double f0 = f;
  double last_decrease = 0;
  CurvatureHistory history(n, std::size_t(options.history), start);
  // First step (or after a reset): the Newton step of the start Hessian, or, without one, a
  // unit-length step along −g, as the scale is unknown.
  const auto first_step = [&] {
    return start.active() ? 1.0 : std::min(1.0, 1.0 / std::sqrt(detail::dot(g, g)));
  };
  for (;;) {
    history.direction(g, d, alpha);
    if (progress.converged_at(x, f, g, -0.5 * detail::dot(g, d))) return progress.report();
    const double initial = history.empty() ? first_step() : 1.0;
    detail::LineSearchResult ls =
        detail::strong_wolfe_search(objective, x, f, g, d, initial, x_new, g_new);
    progress.count_evaluations(ls.evaluations);
    // At the rounding floor (the estimate already within tol, only the certificate missing) no
    // step can be found, along −g neither: the final check decides, without 30 more passes.
    if (!ls.ok && progress.estimated_done(f, g, -0.5 * detail::dot(g, d))) {
      return progress.no_decrease(x);
    }
    if (!ls.ok && !history.empty()) {
      // A stale curvature model can give a poor direction: retry once along −g.
      history.clear();
      history.direction(g, d, alpha);
      ls = detail::strong_wolfe_search(objective, x, f, g, d, first_step(), x_new, g_new);
      progress.count_evaluations(ls.evaluations);
    }
    if (!ls.ok) return progress.no_decrease(x);
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = x_new[i] - x[i];
      y[i] = g_new[i] - g[i];
    }
    history.push(s, y);
    std::copy(x_new.begin(), x_new.end(), x.begin());
    std::copy(g_new.begin(), g_new.end(), g.begin());
    const double decrease = f - ls.f_new;
    f = ls.f_new;
    if (progress.step(f, g, ls.step)) return progress.finish(x);
    // A deferred start Hessian is built once it has paid for itself, or earlier when the
    // objective still falls steadily after a few iterations (on well-conditioned data the
    // decrease per iteration drops by orders of magnitude within five; on correlated or badly
    // scaled columns it stays a sizeable fraction of the progress made). It is evaluated at the
    // last evaluation point (the accepted one, or close to it) and replaces the curvature pairs
    // gathered without it.
    ++iterations;
    if (rebuilds && iterations <= kRebuildIterations) {
      progress.count_hessians(start.rebuild());
      history.clear();
    }
    const bool large = decrease > 0.01 * (f0 - f);
    const bool slow =
        iterations >= kProbeIterations && (large || decrease > kSlowDecreaseRatio * last_decrease);
    last_decrease = decrease;
    if (!start.built()) {
      if (iterations == build_after || (large && iterations == kProbeIterations)) {
        progress.count_hessians(start.build());
        history.clear();
        last_build = iterations;
      }
    } else if (slow && double(iterations - last_build) >= kRefreshRent * start.exact_cost()) {
      const int built = start.refresh();
      progress.count_hessians(built);
      if (built > 0) history.clear(), last_build = iterations;
    }
  }
}

}  // namespace simdlr
