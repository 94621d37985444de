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

  for (;;) {
    // The free estimate first (l2): a point it certifies needs no Hessian.
    if (progress.converged_at(x, f, g, detail::kNoEstimate)) return progress.report();
    hessian.hessian(H);  // at x: the objective's last evaluation
    progress.count_hessians(1);
    const bool newton = newton_direction(H, n, g, p, cholesky);
    const double decrease = -0.5 * detail::dot(g, p);
    if (progress.converged_at(x, f, g, newton ? decrease : detail::kNoEstimate)) {
      return progress.report();
    }
    const double initial = newton ? 1.0 : std::min(1.0, 1.0 / std::sqrt(detail::dot(g, g)));
    if (const FitReport* done =
            detail::search_and_step(objective, progress, x, f, g, p, initial, x_new, g_new)) {
      return *done;
    }
  }
}

}  // namespace simdlr
