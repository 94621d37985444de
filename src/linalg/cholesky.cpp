#include <cmath>
#include <limits>

#include "simdlr/linalg.hpp"

namespace simdlr::linalg {

bool Cholesky::factor(std::span<const double> A, std::size_t m) {
  m_ = 0;
  L_.assign(m * m, 0.0);
  scale_.assign(m, 1.0);
  for (std::size_t i = 0; i < m; ++i) {
    const double a = A[i * m + i];
    if (!(a > 0) || !std::isfinite(a)) return false;
    scale_[i] = 1.0 / std::sqrt(a);
  }
  const double tiny = 16.0 * double(m) * std::numeric_limits<double>::epsilon();
  for (std::size_t j = 0; j < m; ++j) {
    double pivot = A[j * m + j] * scale_[j] * scale_[j];
    for (std::size_t k = 0; k < j; ++k)
      pivot -= L_[j * m + k] * L_[j * m + k];
    if (!(pivot > tiny) || !std::isfinite(pivot)) return false;
    const double l = std::sqrt(pivot);
    L_[j * m + j] = l;
    for (std::size_t i = j + 1; i < m; ++i) {
      double v = A[i * m + j] * scale_[i] * scale_[j];
      for (std::size_t k = 0; k < j; ++k)
        v -= L_[i * m + k] * L_[j * m + k];
      L_[i * m + j] = v / l;
    }
  }
  m_ = m;
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
  double sum = 0;
  for (std::size_t k = 0; k < m; ++k) {  // column k of L⁻¹: L z = e_k, z_i = 0 for i < k
    for (std::size_t i = k; i < m; ++i) {
      double t = i == k ? 1.0 : 0.0;
      for (std::size_t j = k; j < i; ++j)
        t -= L_[i * m + j] * z[j];
      z[i] = t / L_[i * m + i];
      sum += z[i] * z[i];
    }
  }
  return sum;
}

double Cholesky::scaled_norm_squared(std::span<const double> v) const {
  double sum = 0;
  for (std::size_t i = 0; i < m_; ++i)
    sum += v[i] * scale_[i] * v[i] * scale_[i];
  return sum;
}

}  // namespace simdlr::linalg
