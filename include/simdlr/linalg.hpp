// Small dense symmetric positive definite systems in double: the Newton systems of the
// newton-cholesky solver and the Hessian certificate of the objectives (dimension up to a few
// thousand; no threads). The factorization is the kernel cholesky_upper (<simdlr/kernels.hpp>),
// vectorized for the active ISA; the solves are plain loops that vectorize. And a Gram matrix
// computed in float with a proven lower bound, for the Hessian certificate's samples.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::linalg {

// A = Lᵀ-factored after symmetric Jacobi scaling (A's diagonal scaled to 1), so features of very
// different scales do not trip the positive-definiteness test.
class Cholesky {
 public:
  // Factors the m x m matrix A (row-major; only the lower triangle is read). Returns false, and
  // leaves the object unusable, if A is not numerically positive definite: a diagonal entry
  // that is not positive and finite, or a pivot at or below 16·m·ε of the unit diagonal.
  bool factor(std::span<const double> A, std::size_t m);

  std::size_t size() const { return m_; }
  // b ← A⁻¹ b.
  void solve(std::span<double> b) const;
  // vᵀ A⁻¹ v, as ‖L⁻¹ S v‖² (S the Jacobi scaling) so it is never negative. scratch: m values.
  double inverse_quadratic(std::span<const double> v, std::span<double> scratch) const;
  // The largest vᵀA⁻¹v over `count` vectors stored as rows of `rows` (count x m, row-major),
  // solved in batches: several times faster per vector than inverse_quadratic.
  double largest_inverse_quadratic(std::span<const double> rows, std::size_t count) const;
  // A bound κ with vᵀA⁻¹v ≤ κ · ‖S v‖² for every v (S the Jacobi scaling): the smaller of
  // ‖L⁻¹‖_F² and 1/μ for a μ ≤ λ_min(SAS) proved by factoring SAS − μI. m triangular solves
  // and up to four factorizations.
  double inverse_bound() const;
  // ‖S v‖².
  double scaled_norm_squared(std::span<const double> v) const;

 private:
  std::size_t m_ = 0;
  std::vector<double> U_;       // Lᵀ: upper triangle of the scaled factor, row-major m x m
  std::vector<double> scale_;   // 1 / √A_jj
  std::vector<double> scaled_;  // upper triangle of SAS, row-major m x m

  // Factors SAS − shift·I = UᵀU into U (m x m); false if not numerically positive definite.
  bool factor_scaled(double shift, std::vector<double>& U) const;
  void forward(std::span<double> b) const;   // b ← L⁻¹ b
  void backward(std::span<double> b) const;  // b ← L⁻ᵀ b
};

// Factors A (m x m, row-major), regularised to A + μI with μ raised tenfold from 1e-10 of its
// largest diagonal entry until the factorisation succeeds (A is modified): for Hessians that are
// singular along collinear columns without a penalty. False if it never does (μ above the
// largest diagonal entry).
bool factor_regularised(std::vector<double>& A, std::size_t m, Cholesky& cholesky);

// A matrix proven ⪯ G = Σ_i w_i a_i a_iᵀ, computed in float: a_i = x_i, or (x_i, 1) with
// ones_column (the rows of X, w_i ≥ 0 given in double, m = X.cols (+ 1)), as Ĝ − diag(allowance),
// Ĝ summed in double from the float weighted_gram kernel over blocks of 512 rows (rounded to
// float; twice the multiply-adds per instruction of double), `allowance` covering every rounding
// on the way (the kernel's contract, the roundings to float, results below float's normal range).
// The allowance is m (γ Ĝ_jj + β) with γ ≈ 540 ε_float (6e-5; G's Jacobi-scaled smallest
// eigenvalue must be well above m γ for the bound to be of use) and β tiny unless values are
// extreme. column_max: max_i |x_ij| over the rows with w_i ≠ 0, or anything larger. Both vectors
// empty when a sum is not finite (a value or product beyond float's range).
struct GramBelow {
  std::vector<double> matrix;     // m x m, row-major, symmetric
  std::vector<double> allowance;  // m values
};

template <class T>
GramBelow gram_below_in_float(MatrixView<const T> X, std::span<const double> weight,
                              bool ones_column, std::span<const double> column_max,
                              Threads threads = {});

}  // namespace simdlr::linalg
