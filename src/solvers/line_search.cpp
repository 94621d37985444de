#include "line_search.hpp"

#include <algorithm>
#include <cmath>

#include "vector_ops.hpp"

namespace simdlr::detail {
namespace {

constexpr double kC1 = 1e-4;
constexpr int kMaxEvaluations = 30;

// Minimiser of the cubic through (a, fa, da) and (b, fb, db), kept inside the interval away from
// its ends; bisection when the cubic has no usable minimum.
double cubic_minimizer(double a, double fa, double da, double b, double fb, double db) {
  const double lo = std::min(a, b), hi = std::max(a, b), width = hi - lo;
  const double d1 = da + db - 3 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - da * db;
  double t = 0.5 * (a + b);
  if (disc >= 0 && std::isfinite(disc)) {
    const double d2 = std::copysign(std::sqrt(disc), b - a);
    const double denom = db - da + 2 * d2;
    if (denom != 0) t = b - (b - a) * (db + d2 - d1) / denom;
  }
  if (!std::isfinite(t) || t < lo + 0.1 * width || t > hi - 0.1 * width) t = 0.5 * (a + b);
  return t;
}

struct Probe {
  Objective& objective;
  std::span<const double> x, p;
  std::span<double> x_new, g_new;
  int evaluations = 0;

  // f and directional derivative at step a; x_new, g_new hold the point.
  std::pair<double, double> at(double a) {
    step_from(x, a, p, x_new);
    const double f = objective.value_and_gradient(x_new, g_new);
    ++evaluations;
    return {f, dot(g_new, p)};
  }
};

}  // namespace

LineSearchResult strong_wolfe_search(Objective& objective, std::span<const double> x, double f0,
                                     std::span<const double> g0, std::span<const double> p,
                                     double initial_step, std::span<double> x_new,
                                     std::span<double> g_new, double c2) {
  Probe probe{objective, x, p, x_new, g_new};
  const double d0 = dot(g0, p);
  LineSearchResult result;
  if (!(d0 < 0)) return result;  // not a descent direction

  auto accept = [&](double a, double f) {
    result = {true, a, f, probe.evaluations};
    return result;
  };
  // Approximate Wolfe (Hager & Zhang): f within the value's rounding noise of f0, and the slope
  // reduced enough, 0.9 d0 <= d <= (2 c1 - 1) d0. Near the optimum of a float32 fit the decrease
  // still to be found is smaller than that noise, and the strong Wolfe test would bisect on
  // noise until its evaluations ran out.
  const double noise = objective.value_precision() * std::fabs(f0);
  auto approximately_wolfe = [&](double f, double d) {
    return std::isfinite(f) && f <= f0 + noise && d >= c2 * d0 && d <= (2 * kC1 - 1) * d0;
  };
  auto zoom = [&](double lo, double f_lo, double d_lo, double hi, double f_hi, double d_hi) {
    while (probe.evaluations < kMaxEvaluations) {
      const double a = cubic_minimizer(lo, f_lo, d_lo, hi, f_hi, d_hi);
      if (std::fabs(hi - lo) <= 1e-16 * std::max(1.0, std::fabs(a))) break;
      const auto [f, d] = probe.at(a);
      if (approximately_wolfe(f, d)) return accept(a, f);
      if (!std::isfinite(f) || f > f0 + kC1 * a * d0 || f >= f_lo) {
        hi = a, f_hi = f, d_hi = d;
        if (!std::isfinite(f)) f_hi = f_lo + 1, d_hi = 0;
      } else {
        if (std::fabs(d) <= -c2 * d0) return accept(a, f);
        if (d * (hi - lo) >= 0) hi = lo, f_hi = f_lo, d_hi = d_lo;
        lo = a, f_lo = f, d_lo = d;
      }
    }
    // No Wolfe point: fall back to the best sufficient-decrease point, if there is one.
    if (lo > 0 && f_lo < f0) {
      const auto [f, d] = probe.at(lo);
      (void)d;
      if (f == f_lo) return accept(lo, f);
    }
    result = {false, 0, f0, probe.evaluations};
    return result;
  };

  double a_prev = 0, f_prev = f0, d_prev = d0;
  double a = initial_step;
  for (int i = 0; probe.evaluations < kMaxEvaluations; ++i) {
    const auto [f, d] = probe.at(a);
    if (!std::isfinite(f) || !std::isfinite(d)) {
      // Overshot into overflow: retreat towards the last good step.
      a = a_prev + 0.25 * (a - a_prev);
      continue;
    }
    if (approximately_wolfe(f, d)) return accept(a, f);
    if (f > f0 + kC1 * a * d0 || (i > 0 && f >= f_prev))
      return zoom(a_prev, f_prev, d_prev, a, f, d);
    if (std::fabs(d) <= -c2 * d0) return accept(a, f);
    if (d >= 0) return zoom(a, f, d, a_prev, f_prev, d_prev);
    a_prev = a, f_prev = f, d_prev = d;
    a = std::min(4 * a, 1e20);
  }
  result = {false, 0, f0, probe.evaluations};
  return result;
}

LineSearchResult backtracking_search(Objective& objective, std::span<const double> x, double f0,
                                     std::span<const double> g0, std::span<const double> p,
                                     double initial_step, std::span<double> x_new,
                                     std::span<double> g_new) {
  Probe probe{objective, x, p, x_new, g_new};
  const double d0 = dot(g0, p);
  if (!(d0 < 0)) return {};
  double a = initial_step;
  while (probe.evaluations < 60) {
    const auto [f, d] = probe.at(a);
    (void)d;
    if (std::isfinite(f) && f <= f0 + kC1 * a * d0) return {true, a, f, probe.evaluations};
    a *= 0.5;
  }
  return {false, 0, f0, probe.evaluations};
}

}  // namespace simdlr::detail
