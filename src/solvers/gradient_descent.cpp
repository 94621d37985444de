// Plain gradient descent, the textbook method: x ← x − a ∇f(x), with the step a found by
// Armijo backtracking from twice the previous step (so it can grow back after a cut). Slow on
// badly scaled problems, which is the lesson it is kept to teach; also a baseline.
#include <algorithm>
#include <cmath>
#include <vector>

#include "line_search.hpp"
#include "simdlr/solvers.hpp"
#include "solver_progress.hpp"
#include "vector_ops.hpp"

namespace simdlr {

FitReport minimize_gradient_descent(Objective& objective, std::span<double> x,
                                    const SolverOptions& options) {
  detail::check_solver_arguments("gd", objective, x, options);
  const std::size_t n = x.size();
  detail::SolverProgress progress("gd", options, objective);
  std::vector<double> g(n), d(n), x_new(n), g_new(n);
  double f = objective.value_and_gradient(x, g);
  progress.count_evaluations(1);
  if (progress.start(f, g)) return progress.finish(x);

  double step = 1.0 / std::sqrt(detail::dot(g, g));
  for (;;) {
    // The decrease a step of the last accepted length along −g would predict.
    if (progress.converged_at(x, f, g, 0.5 * step * detail::dot(g, g))) return progress.report();
    for (std::size_t i = 0; i < n; ++i)
      d[i] = -g[i];
    const detail::LineSearchResult ls =
        detail::backtracking_search(objective, x, f, g, d, 2 * step, x_new, g_new);
    progress.count_evaluations(ls.evaluations);
    if (!ls.ok) return progress.no_decrease(x);
    step = ls.step;
    std::copy(x_new.begin(), x_new.end(), x.begin());
    std::copy(g_new.begin(), g_new.end(), g.begin());
    f = ls.f_new;
    if (progress.step(f, g, ls.step)) return progress.finish(x);
  }
}

}  // namespace simdlr
