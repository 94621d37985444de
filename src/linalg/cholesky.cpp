#include <algorithm>
#include <cmath>
#include <limits>

#include "simdlr/linalg.hpp"

namespace simdlr::linalg {

bool Cholesky::factor(std::span<const double> A, std::size_t m) {
  m_ = 0;
  L_.assign(m * m, 0.0);
  scaled_.assign(m * m, 0.0);
  scale_.assign(m, 1.0);
  for (std::size_t i = 0; i < m; ++i) {
    const double a = A[i * m + i];
    if (!(a > 0) || !std::isfinite(a)) return false;
    scale_[i] = 1.0 / std::sqrt(a);
  }
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j <= i; ++j)
      scaled_[i * m + j] = A[i * m + j] * scale_[i] * scale_[j];
  if (!factor_scaled(0.0, L_)) return false;
  m_ = m;
  return true;
}

bool Cholesky::factor_scaled(double shift, std::vector<double>& L) const {
  const std::size_t m = scale_.size();
  const double tiny = 16.0 * double(m) * std::numeric_limits<double>::epsilon();
  for (std::size_t j = 0; j < m; ++j) {
    double pivot = scaled_[j * m + j] - shift;
    for (std::size_t k = 0; k < j; ++k)
      pivot -= L[j * m + k] * L[j * m + k];
    if (!(pivot > tiny) || !std::isfinite(pivot)) return false;
    const double l = std::sqrt(pivot);
    L[j * m + j] = l;
    for (std::size_t i = j + 1; i < m; ++i) {
      double v = scaled_[i * m + j];
      for (std::size_t k = 0; k < j; ++k)
        v -= L[i * m + k] * L[j * m + k];
      L[i * m + j] = v / l;
    }
  }
  return true;
}

void Cholesky::solve(std::span<double> b) const {
  const std::size_t m = m_;
  for (std::size_t i = 0; i < m; ++i) {  // L z = S b
    double v = b[i] * scale_[i];
    for (std::size_t k = 0; k < i; ++k)
      v -= L_[i * m + k] * b[k];
    b[i] = v / L_[i * m + i];
  }
  for (std::size_t i = m; i-- > 0;) {  // Lᵀ u = z, x = S u
    double v = b[i];
    for (std::size_t k = i + 1; k < m; ++k)
      v -= L_[k * m + i] * b[k];
    b[i] = v / L_[i * m + i];
  }
  for (std::size_t i = 0; i < m; ++i)
    b[i] *= scale_[i];
}

double Cholesky::inverse_quadratic(std::span<const double> v, std::span<double> z) const {
  const std::size_t m = m_;
  double sum = 0;
  for (std::size_t i = 0; i < m; ++i) {
    double t = v[i] * scale_[i];
    for (std::size_t k = 0; k < i; ++k)
      t -= L_[i * m + k] * z[k];
    z[i] = t / L_[i * m + i];
    sum += z[i] * z[i];
  }
  return sum;
}

double Cholesky::inverse_bound() const {
  const std::size_t m = m_;
  std::vector<double> z(m);
  double frobenius = 0;
  for (std::size_t k = 0; k < m; ++k) {  // column k of L⁻¹: L z = e_k, z_i = 0 for i < k
    for (std::size_t i = k; i < m; ++i) {
      double t = i == k ? 1.0 : 0.0;
      for (std::size_t j = k; j < i; ++j)
        t -= L_[i * m + j] * z[j];
      z[i] = t / L_[i * m + i];
      frobenius += z[i] * z[i];
    }
  }
  // ‖L⁻¹‖_F² overstates ‖L⁻¹‖₂² = 1/λ_min(SAS) by up to m times. Inverse iteration estimates
  // λ_min from above; a successful factorization of SAS − μI proves λ_min ≥ μ, up to the
  // factorization's backward error (at most a few m² ε here, the diagonal being 1), which is
  // subtracted. The first μ tried is half the estimate, then a quarter of that, and so on.
  if (m == 0) return frobenius;
  std::vector<double> v(m);
  for (std::size_t i = 0; i < m; ++i)
    v[i] = 1.0 + 0.5 * std::sin(double(i) + 1.0);  // fixed start, not orthogonal to much
  double estimate = 0;
  for (int iteration = 0; iteration < 12; ++iteration) {
    double norm = 0;
    for (double value : v)
      norm += value * value;
    norm = std::sqrt(norm);
    for (double& value : v)
      value /= norm;
    solve_scaled(v);
    double grown = 0;
    for (double value : v)
      grown += value * value;
    estimate = 1 / std::sqrt(grown);  // ≥ λ_min for a unit start vector
  }
  const double rounding = 4.0 * double(m) * double(m) * std::numeric_limits<double>::epsilon();
  std::vector<double> shifted(m * m);
  double mu = 0.5 * estimate;
  for (int attempt = 0; attempt < 4 && mu > 2 * rounding; ++attempt, mu *= 0.25) {
    if (factor_scaled(mu, shifted)) return std::min(frobenius, 1 / (mu - rounding));
  }
  return frobenius;
}

void Cholesky::solve_scaled(std::span<double> b) const {
  const std::size_t m = m_;
  for (std::size_t i = 0; i < m; ++i) {  // L z = b
    double v = b[i];
    for (std::size_t k = 0; k < i; ++k)
      v -= L_[i * m + k] * b[k];
    b[i] = v / L_[i * m + i];
  }
  for (std::size_t i = m; i-- > 0;) {  // Lᵀ u = z
    double v = b[i];
    for (std::size_t k = i + 1; k < m; ++k)
      v -= L_[k * m + i] * b[k];
    b[i] = v / L_[i * m + i];
  }
}

double Cholesky::scaled_norm_squared(std::span<const double> v) const {
  double sum = 0;
  for (std::size_t i = 0; i < m_; ++i)
    sum += v[i] * scale_[i] * v[i] * scale_[i];
  return sum;
}

}  // namespace simdlr::linalg
