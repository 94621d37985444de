// Small dense vector helpers for the solvers (parameter vectors, not data: plain loops).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>

namespace simdlr::detail {

inline double dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

inline double norm_inf(std::span<const double> a) {
  double m = 0;
  for (double v : a)
    m = std::fmax(m, std::fabs(v));
  return m;
}

// out = x + step * p
inline void step_from(std::span<const double> x, double step, std::span<const double> p,
                      std::span<double> out) {
  for (std::size_t i = 0; i < x.size(); ++i)
    out[i] = x[i] + step * p[i];
}

// y += a * x
inline void axpy(double a, std::span<const double> x, std::span<double> y) {
  for (std::size_t i = 0; i < x.size(); ++i)
    y[i] += a * x[i];
}

inline bool all_finite(std::span<const double> a) {
  for (double v : a) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace simdlr::detail
