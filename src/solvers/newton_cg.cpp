// Newton-CG (line-search Newton with conjugate gradients, Nocedal & Wright algorithm 7.1): each
// iteration solves H p = −g approximately by CG using Hessian-vector products (one pass over the
// data each), preconditioned by the start Hessian when available (preconditioner.hpp), to the
// relative residual η = min(0.5, √(‖g‖∞/‖g₀‖∞)), stopping early on negative curvature; then a
// strong-Wolfe line search starting from the full Newton step.
#include <algorithm>
#include <cmath>
#include <vector>

#include "preconditioner.hpp"
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
  std::vector<double> g(n), p(n), r(n), z(n), q(n), hq(n), x_new(n), g_new(n);
  double f = objective.value_and_gradient(x, g);
  progress.count_evaluations(1);
  if (progress.start(f, g)) return progress.finish(x);
  const double g0 = progress.report().initial_gradient_norm;
  const int max_cg = int(std::min<std::size_t>(std::max<std::size_t>(2 * n, 20), 500));
  detail::StartHessian start(objective, options);
  progress.count_hessians(start.build());

  for (;;) {
    // Preconditioned CG on H p = −g from p = 0 (the objective's last evaluation is at x), with
    // M = H₀ when the start Hessian is active, else M = I.
    std::fill(p.begin(), p.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i)
      r[i] = -g[i];
    z = r;
    if (start.active()) start.apply(z);
    q = z;
    double rr = detail::dot(r, r), rz = detail::dot(r, z);
    const double eta = std::min(0.5, std::sqrt(detail::norm_inf(g) / g0));
    const double target = eta * std::sqrt(rr);
    for (int k = 0; k < max_cg && std::sqrt(rr) > target; ++k) {
      hessian.hessian_vector(q, hq);
      progress.count_hessian_products(1);
      const double curvature = detail::dot(q, hq);
      if (!(curvature > 0)) {
        if (k == 0) p = z;  // negative curvature at once: (preconditioned) steepest descent
        break;
      }
      const double a = rz / curvature;
      detail::axpy(a, q, p);
      detail::axpy(-a, hq, r);
      z = r;
      if (start.active()) start.apply(z);
      const double rz_new = detail::dot(r, z);
      for (std::size_t i = 0; i < n; ++i)
        q[i] = z[i] + (rz_new / rz) * q[i];
      rz = rz_new;
      rr = detail::dot(r, r);
    }
    if (progress.converged_at(x, f, g, -0.5 * detail::dot(g, p))) return progress.report();
    if (const FitReport* done =
            detail::search_and_step(objective, progress, x, f, g, p, 1.0, x_new, g_new)) {
      return *done;
    }
  }
}

}  // namespace simdlr
