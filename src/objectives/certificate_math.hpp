// The formulas of the certificates (docs/convergence.md, section 2), shared by the objectives.
#pragma once

#include <cmath>
#include <limits>
#include <span>

#include "simdlr/objective.hpp"

namespace simdlr::detail {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// An upper bound on ω(u) = u + (1 − u) log(1 − u) for 0 ≤ u < 1 (+inf from 1 on): the closed
// form loses its relative accuracy as u → 0, where ω(u) = Σ_{k≥2} u^k / (k(k − 1)) is bounded
// by u² / (2(1 − u)) (every coefficient ≤ ½), which is tight to u/3 relative.
inline double omega_upper(double u) {
  if (!(u < 1)) return kInfinity;
  if (u < 1e-3) return u * u / (2 * (1 - u));
  return (u + (1 - u) * std::log1p(-u)) * (1 + 1e-12);
}

// The per-coefficient l2 penalty p_j of a certification: the request's, or λ for every
// coefficient (0 without a penalty).
inline double penalty_of(const CertifyRequest& request, std::size_t j, double own) {
  return request.coefficient_penalty.empty() ? own : request.coefficient_penalty[j];
}

// The intercepts' part of tier 1 after their Newton polish: F(w, b̂) − min_b F(w, b) ≤ gap and
// ‖b̂ − b*‖₂ ≤ shift (both +inf when the polish proved nothing).
struct InterceptBound {
  double gap = kInfinity;
  double shift = kInfinity;
};

// Tier 1 (Theorem 1 with the strong convexity of the penalised block in the norm of P):
// gap_b + (‖∇_w F(w, b̂)‖_{P⁻¹} + δ)² / 2, δ = L′ · shift · Σ c_i ‖x_i‖_{P⁻¹}.
inline double tier1_bound(const InterceptBound& b, double gradient_norm, double delta) {
  const double g = gradient_norm + delta;
  return b.gap + 0.5 * g * g;
}

// The smaller of two bounds (the second replacing the first when it is smaller).
inline void keep_smaller(GapBound& best, double bound, Certificate certificate) {
  if (bound < best.bound) {
    best.bound = bound;
    best.certificate = certificate;
    best.note = "";
  }
}

}  // namespace simdlr::detail
