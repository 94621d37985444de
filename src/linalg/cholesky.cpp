// The factor is kept as U = Lᵀ, row-major: row k of U is column k of L, so every inner loop
// below runs along a contiguous row as an axpy (independent lanes that vectorize) instead of a
// dot product (one chain of dependent additions, latency bound). The factorization itself is the
// kernel cholesky_upper (<simdlr/kernels.hpp>), vectorized for the active ISA.
#include <algorithm>
#include <cmath>
#include <limits>

#include "simdlr/kernels.hpp"
#include "simdlr/linalg.hpp"

namespace simdlr::linalg {
namespace {

// Right-hand sides solved together by inverse_quadratics.
constexpr std::size_t kBatch = 64;

}  // namespace

bool Cholesky::factor(std::span<const double> A, std::size_t m) {
  m_ = 0;
  U_.assign(m * m, 0.0);
  scaled_.assign(m * m, 0.0);
  scale_.assign(m, 1.0);
  for (std::size_t i = 0; i < m; ++i) {
    const double a = A[i * m + i];
    if (!(a > 0) || !std::isfinite(a)) return false;
    scale_[i] = 1.0 / std::sqrt(a);
  }
  // Upper triangle of SAS from A's lower triangle.
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j <= i; ++j)
      scaled_[j * m + i] = A[i * m + j] * scale_[i] * scale_[j];
  if (!factor_scaled(0.0, U_)) return false;
  m_ = m;
  return true;
}

bool Cholesky::factor_scaled(double shift, std::vector<double>& U) const {
  const std::size_t m = scale_.size();
  const double tiny = 16.0 * double(m) * std::numeric_limits<double>::epsilon();
  U.assign(m * m, 0.0);
  for (std::size_t j = 0; j < m; ++j) {
    std::copy(scaled_.begin() + std::ptrdiff_t(j * m + j),
              scaled_.begin() + std::ptrdiff_t(j * m + m), U.begin() + std::ptrdiff_t(j * m + j));
    U[j * m + j] -= shift;
  }
  // The active ISA's kernel; it leaves scratch in the strict lower triangle, which no step here
  // reads.
  return kernels::cholesky_upper(U.data(), m, tiny);
}

void Cholesky::forward(std::span<double> b) const {  // L z = b, L = Uᵀ
  const std::size_t m = m_;
  for (std::size_t k = 0; k < m; ++k) {
    const double* __restrict uk = &U_[k * m];
    const double z = b[k] / uk[k];
    b[k] = z;
    for (std::size_t i = k + 1; i < m; ++i)
      b[i] -= uk[i] * z;
  }
}

void Cholesky::backward(std::span<double> b) const {  // Lᵀ u = z, Lᵀ = U
  const std::size_t m = m_;
  for (std::size_t i = m; i-- > 0;) {
    const double* ui = &U_[i * m];
    // Four partial sums: a single one would chain m − i dependent additions.
    double s[4] = {0, 0, 0, 0};
    std::size_t k = i + 1;
    for (; k + 4 <= m; k += 4)
      for (std::size_t t = 0; t < 4; ++t)
        s[t] += ui[k + t] * b[k + t];
    for (; k < m; ++k)
      s[0] += ui[k] * b[k];
    b[i] = (b[i] - ((s[0] + s[1]) + (s[2] + s[3]))) / ui[i];
  }
}

void Cholesky::solve(std::span<double> b) const {
  for (std::size_t i = 0; i < m_; ++i)
    b[i] *= scale_[i];
  forward(b);
  backward(b);
  for (std::size_t i = 0; i < m_; ++i)
    b[i] *= scale_[i];
}

double Cholesky::inverse_quadratic(std::span<const double> v, std::span<double> z) const {
  for (std::size_t i = 0; i < m_; ++i)
    z[i] = v[i] * scale_[i];
  forward(z.first(m_));
  double sum = 0;
  for (std::size_t i = 0; i < m_; ++i)
    sum += z[i] * z[i];
  return sum;
}

double Cholesky::largest_inverse_quadratic(std::span<const double> rows, std::size_t count) const {
  const std::size_t m = m_;
  std::vector<double> Z(m * kBatch), sums(kBatch);
  double largest = 0;
  for (std::size_t first = 0; first < count; first += kBatch) {
    const std::size_t width = std::min(kBatch, count - first);
    // Z holds the batch transposed (one row per coordinate), so the solve runs across it.
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t b = 0; b < kBatch; ++b)
        Z[i * kBatch + b] = b < width ? rows[(first + b) * m + i] * scale_[i] : 0.0;
    std::fill(sums.begin(), sums.end(), 0.0);
    for (std::size_t k = 0; k < m; ++k) {
      const double* __restrict uk = &U_[k * m];
      double* zk = &Z[k * kBatch];
      const double inverse_pivot = 1.0 / uk[k];
      for (std::size_t b = 0; b < kBatch; ++b) {
        zk[b] *= inverse_pivot;
        sums[b] += zk[b] * zk[b];
      }
      for (std::size_t i = k + 1; i < m; ++i) {
        const double c = uk[i];
        double* __restrict zi = &Z[i * kBatch];
        for (std::size_t b = 0; b < kBatch; ++b)
          zi[b] -= c * zk[b];
      }
    }
    for (std::size_t b = 0; b < width; ++b)
      largest = std::max(largest, sums[b]);
  }
  return largest;
}

double Cholesky::inverse_bound() const {
  const std::size_t m = m_;
  std::vector<double> z(m);
  double frobenius = 0;
  for (std::size_t k = 0; k < m; ++k) {  // column k of L⁻¹: L z = e_k, z_i = 0 for i < k
    std::fill(z.begin() + std::ptrdiff_t(k), z.end(), 0.0);
    z[k] = 1.0;
    for (std::size_t j = k; j < m; ++j) {
      const double* uj = &U_[j * m];
      const double zj = z[j] / uj[j];
      frobenius += zj * zj;
      for (std::size_t i = j + 1; i < m; ++i)
        z[i] -= uj[i] * zj;
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
    forward(v);
    backward(v);
    double grown = 0;
    for (double value : v)
      grown += value * value;
    estimate = 1 / std::sqrt(grown);  // ≥ λ_min for a unit start vector
  }
  const double rounding = 4.0 * double(m) * double(m) * std::numeric_limits<double>::epsilon();
  std::vector<double> shifted;
  double mu = 0.5 * estimate;
  for (int attempt = 0; attempt < 4 && mu > 2 * rounding; ++attempt, mu *= 0.25) {
    if (factor_scaled(mu, shifted)) return std::min(frobenius, 1 / (mu - rounding));
  }
  return frobenius;
}

double Cholesky::scaled_norm_squared(std::span<const double> v) const {
  double sum = 0;
  for (std::size_t i = 0; i < m_; ++i)
    sum += v[i] * scale_[i] * v[i] * scale_[i];
  return sum;
}

bool factor_regularised(std::vector<double>& A, std::size_t m, Cholesky& cholesky) {
  double largest = 0;
  for (std::size_t i = 0; i < m; ++i)
    largest = std::max(largest, std::fabs(A[i * m + i]));
  double added = 0;
  for (double mu = 1e-10 * largest; !cholesky.factor(A, m); mu *= 10) {
    if (!(mu > 0) || mu > largest || !std::isfinite(mu)) return false;
    for (std::size_t i = 0; i < m; ++i)
      A[i * m + i] += mu - added;
    added = mu;
  }
  return true;
}

}  // namespace simdlr::linalg
