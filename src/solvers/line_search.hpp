// Line searches along a descent direction p from x: strong Wolfe (for L-BFGS and Newton-CG) and
// Armijo backtracking (for gradient descent). On success the last objective evaluation was at
// the accepted point, so Hessian-vector products that follow are taken there.
#pragma once

#include <span>

#include "simdlr/solvers.hpp"

namespace simdlr::detail {

struct LineSearchResult {
  bool ok = false;  // a point satisfying the conditions was found (x_new, g_new, f_new hold it)
  double step = 0;
  double f_new = 0;
  int evaluations = 0;
};

// Strong Wolfe conditions with c1 = 1e-4, c2 (0.9 for quasi-Newton, Newton), bracketing and
// zoom with safeguarded cubic interpolation (Nocedal & Wright, algorithms 3.5 and 3.6).
LineSearchResult strong_wolfe_search(Objective& objective, std::span<const double> x, double f0,
                                     std::span<const double> g0, std::span<const double> p,
                                     double initial_step, std::span<double> x_new,
                                     std::span<double> g_new, double c2 = 0.9);

// Backtracking until f(x + a p) ≤ f0 + 1e-4 a g0·p, halving a each time.
LineSearchResult backtracking_search(Objective& objective, std::span<const double> x, double f0,
                                     std::span<const double> g0, std::span<const double> p,
                                     double initial_step, std::span<double> x_new,
                                     std::span<double> g_new);

}  // namespace simdlr::detail
