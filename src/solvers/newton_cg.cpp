// Newton-CG (line-search Newton with conjugate gradients, Nocedal & Wright algorithm 7.1): each
// iteration solves H p = −g approximately by CG using Hessian-vector products (one pass over the
// data each), to the relative residual η = min(0.5, √(‖g‖∞/‖g₀‖∞)), stopping early on negative
// curvature; then a strong-Wolfe line search starting from the full Newton step.
#include <algorithm>
#include <cmath>
#include <vector>

#include "line_search.hpp"
#include "simdlr/solvers.hpp"
#include "solver_progress.hpp"
#include "vector_ops.hpp"

namespace simdlr {

FitReport minimize_newton_cg(Objective& objective, std::span<double> x,
                             const SolverOptions& options) {
  detail::check_solver_arguments("newton", objective, x, options);
  HessianVectorProduct& hessian = require_hessian_vector_product(objective, "newton");
  const std::size_t n = x.size();
  detail::SolverProgress progress("newton", options, objective);
  std::vector<double> g(n), p(n), r(n), q(n), hq(n), x_new(n), g_new(n);
  double f = objective.value_and_gradient(x, g);
  progress.count_evaluations(1);
  if (progress.start(f, g)) return progress.finish(x);
  const double g0 = progress.report().initial_gradient_norm;
  const int max_cg = int(std::min<std::size_t>(std::max<std::size_t>(2 * n, 20), 500));

  for (;;) {
    // CG on H p = −g from p = 0 (the objective's last evaluation is at x).
    std::fill(p.begin(), p.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i)
      r[i] = -g[i];
    q = r;
    double rr = detail::dot(r, r);
    const double eta = std::min(0.5, std::sqrt(detail::norm_inf(g) / g0));
    const double target = eta * std::sqrt(rr);
    for (int k = 0; k < max_cg && std::sqrt(rr) > target; ++k) {
      hessian.hessian_vector(q, hq);
      progress.count_hessian_products(1);
      const double curvature = detail::dot(q, hq);
      if (!(curvature > 0)) {
        if (k == 0) p = r;  // negative curvature at once: steepest descent
        break;
      }
      const double a = rr / curvature;
      detail::axpy(a, q, p);
      detail::axpy(-a, hq, r);
      const double rr_new = detail::dot(r, r);
      for (std::size_t i = 0; i < n; ++i)
        q[i] = r[i] + (rr_new / rr) * q[i];
      rr = rr_new;
    }
    if (progress.converged_at(x, f, g, -0.5 * detail::dot(g, p))) return progress.report();
    detail::LineSearchResult ls =
        detail::strong_wolfe_search(objective, x, f, g, p, 1.0, x_new, g_new);
    progress.count_evaluations(ls.evaluations);
    if (!ls.ok) return progress.no_decrease(x);
    std::copy(x_new.begin(), x_new.end(), x.begin());
    std::copy(g_new.begin(), g_new.end(), g.begin());
    f = ls.f_new;
    if (progress.step(f, g, ls.step)) return progress.finish(x);
  }
}

}  // namespace simdlr
