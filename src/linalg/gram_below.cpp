// The Gram matrix in float with a proven lower bound (docs/convergence.md, section 2g).
#include <algorithm>
#include <cmath>
#include <limits>

#include "simdlr/linalg.hpp"

namespace simdlr::linalg {
namespace {

// Rows per weighted_gram call: its contract bounds each element's error by
// (n + 2 log2(n) + 8) ε Σ_i |d_i x_ij x_ik| for a call over n rows, on every ISA, so short calls
// keep the allowance small (512 rows: 538 ε, 6e-5 relative), and the calls' sums are added in
// double.
constexpr std::size_t kBlockRows = 512;

// Rows [begin, begin + count) of X into `out` as float, m values per row (a trailing 1 for
// the intercept). The sampled rows are far apart: each is requested a few rows ahead.
template <class T>
void copy_block(MatrixView<const T> X, std::size_t begin, std::size_t count, std::size_t m,
                float* out) {
  constexpr std::size_t kAhead = 8, kLine = 64;
  const std::size_t d = X.cols, bytes = d * sizeof(T);
  for (std::size_t i = 0; i < count; ++i) {
    if (i + kAhead < count) {
      const char* ahead = reinterpret_cast<const char*>(X.row(begin + i + kAhead));
      for (std::size_t at = 0; at < bytes; at += kLine)
        __builtin_prefetch(ahead + at);
    }
    const T* __restrict x = X.row(begin + i);
    float* __restrict o = out + i * m;
    for (std::size_t j = 0; j < d; ++j)
      o[j] = float(x[j]);
    if (m > d) o[d] = 1.0f;
  }
}

}  // namespace

// Rounding model (docs/convergence.md, section 2g). Every operation on the way (x and w rounded
// to float, the kernel's product and sums, the blocks' sums in double) errs by at most u times
// its result plus α = 2⁻¹²⁶ (a result below float's normal range, even flushed to zero). The
// relative parts give, by the kernel's contract (K = n + 2 log2 n + 8 per call of n rows),
// γ Σ_i w_i |x_ij| |x_ik| with γ = (K + 4) ε + blocks · 2⁻⁵², and by Cauchy-Schwarz
// Σ_i w_i |x_ij| |x_ik| ≤ √(G_jj G_kk), so vᵀE_γv ≤ γ (Σ_j √G_jj |v_j|)² ≤ γ m Σ_j G_jj v_j²,
// with G_jj ≤ Ĝ_jj / (1 − γ) up to the absolute parts. Those are at most, per element,
// α ((W + N)(M_j + M_k) + N M_j M_k + N (K + 4)) (W = Σ w_i, N rows, M the column maxima, 1 for
// the intercept), and vᵀE_αv ≤ α ((W + N)(Σ_j M_j² + m) + N Σ_j M_j² + N (K + 4) m) ‖v‖².
// So E ⪯ diag(γ m G_jj + that), subtracted.
template <class T>
GramBelow gram_below_in_float(MatrixView<const T> X, std::span<const double> weight,
                              bool ones_column, std::span<const double> column_max,
                              Threads threads) {
  const std::size_t rows = X.rows, d = X.cols, m = d + (ones_column ? 1 : 0);
  GramBelow out;
  std::vector<double> H(m * m, 0.0);
  std::vector<float> block(std::min(rows, kBlockRows) * m), w(std::min(rows, kBlockRows)),
      gram(m * m);
  std::size_t blocks = 0;
  double total_weight = 0;
  for (std::size_t begin = 0; begin < rows; begin += kBlockRows, ++blocks) {
    const std::size_t count = std::min(kBlockRows, rows - begin);
    copy_block(X, begin, count, m, block.data());
    for (std::size_t i = 0; i < count; ++i) {
      w[i] = float(weight[begin + i]);
      total_weight += weight[begin + i];
    }
    kernels::weighted_gram(MatrixView<const float>(block.data(), count, m), w.data(), gram.data(),
                           threads);
    for (std::size_t k = 0; k < m * m; ++k)
      H[k] += double(gram[k]);
  }
  for (double h : H)
    if (!std::isfinite(h)) return {};
  const double eps = std::numeric_limits<float>::epsilon();
  const double alpha = std::ldexp(1.0, -126), N = double(rows);
  const double n = double(std::min(rows, kBlockRows));
  const double K = n + 2 * std::log2(std::max(n, 1.0)) + 8;
  double gamma = (K + 4) * eps + double(blocks) * std::ldexp(1.0, -52);
  gamma /= 1 - gamma;
  double squares = ones_column ? 1.0 : 0.0;
  for (std::size_t j = 0; j < d; ++j)
    squares += column_max[j] * column_max[j];
  const double absolute =
      alpha * ((total_weight + N) * (squares + double(m)) + N * squares + N * (K + 4) * double(m));
  out.allowance.resize(m);
  for (std::size_t j = 0; j < m; ++j) {
    const double g = (H[j * m + j] + absolute) / (1 - gamma);
    out.allowance[j] = (gamma * double(m) * g + absolute) * (1 + 1e-12);
    H[j * m + j] -= out.allowance[j];
  }
  if (!std::isfinite(absolute)) return {};
  out.matrix = std::move(H);
  return out;
}

template GramBelow gram_below_in_float<float>(MatrixView<const float>, std::span<const double>,
                                              bool, std::span<const double>, Threads);
template GramBelow gram_below_in_float<double>(MatrixView<const double>, std::span<const double>,
                                               bool, std::span<const double>, Threads);

}  // namespace simdlr::linalg
