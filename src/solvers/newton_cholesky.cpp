// Newton's method with the exact Hessian (Nocedal & Wright, algorithm 3.2 with a strong-Wolfe
// line search from the full step): each iteration asks the objective for H (one Gram pass when
// n ≫ d), factors it by Cholesky and solves H p = −g. A Hessian that does not factor (singular
// without a penalty, or indefinite through rounding) is regularised to H + μI with μ raised
// tenfold from 1e-10 of its largest diagonal entry; if even that fails the step is −g.
#include <algorithm>
#include <cmath>
#include <vector>

#include "preconditioner.hpp"
#include "simdlr/linalg.hpp"
#include "simdlr/solvers.hpp"
#include "solver_progress.hpp"
#include "vector_ops.hpp"

namespace simdlr {
namespace {

// p = −H⁻¹ g, regularising H as described above; false if only −g was left.
bool newton_direction(std::vector<double>& H, std::size_t n, std::span<const double> g,
                      std::span<double> p, linalg::Cholesky& cholesky) {
  for (std::size_t i = 0; i < n; ++i)
    p[i] = -g[i];
  if (!linalg::factor_regularised(H, n, cholesky)) return false;
  cholesky.solve(p);
  return true;
}

// Whether the step along the Newton direction, rather than a check here, should certify. Where the
// decrement is enough but the free (tier-1) estimate is not, the check would be the Hessian
// certificate: a second Gram pass, a Cholesky and a leverage pass. Newton's quadratic convergence,
// measured on the last two decrements (next ≈ decrease³ / previous²), predicts the next decrement,
// and the free estimate falls in proportion to it; when a tenth of the prediction would do, the
// step (one evaluation) is cheaper. Not once the decrement is below the rounding of F in the
// data's arithmetic (value_precision: float data), where the pass's gradient is at its rounding
// floor and will not fall further (raw breast cancer, float32: the step's free estimate missed).
// A prediction that fails costs a Hessian and an evaluation, and is made once per fit.
bool free_estimate_after_step(const detail::SolverProgress& progress, double f,
                              std::span<const double> g, double decrease, double previous,
                              double precision) {
  if (!(decrease > precision * std::fabs(f) && std::isfinite(previous) && previous > decrease)) {
    return false;
  }
  const double estimate = progress.free_estimate(g);
  if (!std::isfinite(estimate) || progress.free_estimate_would_do(f, estimate)) return false;
  const double next = decrease * (decrease / previous) * (decrease / previous);
  return progress.free_estimate_would_do(f, 10 * estimate * (next / decrease));
}

}  // namespace

FitReport minimize_newton_cholesky(Objective& objective, std::span<double> x,
                                   const SolverOptions& options) {
  detail::check_solver_arguments("newton-cholesky", objective, x, options);
  ExactHessian& hessian = require_exact_hessian(objective, "newton-cholesky");
  const std::size_t n = x.size();
  detail::SolverProgress progress("newton-cholesky", options, objective);
  std::vector<double> g(n), p(n), x_new(n), g_new(n), H(n * n);
  linalg::Cholesky cholesky;
  double f = objective.value_and_gradient(x, g);
  progress.count_evaluations(1);
  if (progress.start(f, g)) return progress.finish(x);

  double previous_decrease = detail::kNoEstimate;
  bool predicted_once = false;
  for (;;) {
    // The free estimate first (l2): a point it certifies needs no Hessian.
    if (progress.converged_at(x, f, g, detail::kNoEstimate)) return progress.report();
    hessian.hessian(H);  // at x: the objective's last evaluation
    progress.count_hessians(1);
    const bool newton = newton_direction(H, n, g, p, cholesky);
    const double decrease = -0.5 * detail::dot(g, p);
    const bool step_first = newton && !predicted_once &&
                            free_estimate_after_step(progress, f, g, decrease, previous_decrease,
                                                     objective.value_precision());
    predicted_once = predicted_once || step_first;
    if (!step_first && progress.converged_at(x, f, g, newton ? decrease : detail::kNoEstimate)) {
      return progress.report();
    }
    previous_decrease = newton ? decrease : detail::kNoEstimate;
    const double initial = newton ? 1.0 : std::min(1.0, 1.0 / std::sqrt(detail::dot(g, g)));
    if (const FitReport* done =
            detail::search_and_step(objective, progress, x, f, g, p, initial, x_new, g_new)) {
      return *done;
    }
  }
}

}  // namespace simdlr
