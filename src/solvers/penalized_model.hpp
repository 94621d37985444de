// The proximal Newton solver's subproblem: a quadratic model of the smooth part plus the
// separable penalty, minimised over the coordinates of a working set.
#pragma once

#include <cstddef>
#include <span>

namespace simdlr::detail {

// m(Δ) = gᵀΔ + ½ ΔᵀHΔ + Σ_j [l1_j (|x_j + Δ_j| − |x_j|) + ½ l2_j ((x_j + Δ_j)² − x_j²)],
// over k coordinates; H is k x k, row-major and symmetric positive semidefinite.
struct PenalizedModel {
  std::span<const double> H, g, x, l1, l2;
};

struct ModelStep {
  double model_change = 0;   // m(Δ) ≤ 0
  double linear_change = 0;  // gᵀΔ + the penalty's change: the line search's slope
  double violation = 0;      // the model's largest optimality violation at Δ
  bool exact = false;        // Δ solved the model on its support with consistent signs
  int sweeps = 0;
};

// The largest distance of −∂_j(smooth part) from the subdifferential of the penalty's
// coordinate j at u = x + Δ, given q = g + HΔ (0 at the model's minimiser).
double coordinate_violation(double q_j, double u_j, double l1_j, double l2_j);

// Δ (k values, zero on entry) minimising m to a largest violation of at most `tolerance`:
// cyclic coordinate descent, and after every few sweeps an exact solve of the model on the
// current support with its signs fixed (a Cholesky of H_AA + diag(l2_A)), kept when its signs
// agree and the zeros stay optimal: the step of an exact proximal Newton method, found without
// waiting for coordinate descent's linear rate on correlated coordinates.
ModelStep minimize_penalized_model(const PenalizedModel& model, double tolerance,
                                   std::span<double> delta);

}  // namespace simdlr::detail
