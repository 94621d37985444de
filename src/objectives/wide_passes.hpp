// Passes over the data in double arithmetic, for the certificates (docs/convergence.md, 2e):
// float data are widened exactly, so a bound is not swamped by the rounding of a float pass.
// Double data use the kernels; float data the widened row kernels over fixed blocks of rows,
// spread over threads. Both give the same result for every thread count.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "partition_rows.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

// OpenMP threads for a wide pass over X (0: OpenMP's default); one below 2^15 elements, where
// starting a team costs more than the pass (the kernels' rule).
template <class T>
int wide_threads(Threads threads, MatrixView<const T> X) {
  if (X.rows * X.cols < (std::size_t(1) << 15)) return 1;
  return threads.count > 0 ? threads.count : omp_get_max_threads();
}

// OpenMP threads for a sum over rows that does a few dozen flops per row (sum_in_row_blocks):
// one below two blocks of rows.
inline int row_threads(Threads threads, std::size_t rows) {
  if (rows < 2 * kRowBlockRows) return 1;
  return threads.count > 0 ? threads.count : omp_get_max_threads();
}

// Rows [begin, end) of X.
template <class T>
MatrixView<const T> rows_between(MatrixView<const T> X, std::size_t begin, std::size_t end) {
  return MatrixView<const T>(X.data + begin * X.stride, end - begin, X.cols, X.stride);
}

// Z (n x K) = X Wᵀ in double over float rows, W holding K rows of X.cols coefficients: blocks of
// rows (each in cache for all K classes) spread over threads; each row's margin is the same bits
// wherever its block falls.
inline void wide_margins_classes(MatrixView<const float> X, std::span<const double> W,
                                 std::size_t K, std::span<double> Z, Threads threads) {
  const std::size_t d = X.cols;
  constexpr std::size_t kRows = 256;
  const std::ptrdiff_t blocks = std::ptrdiff_t((X.rows + kRows - 1) / kRows);
#pragma omp parallel for schedule(static) num_threads(wide_threads(threads, X))
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const std::size_t begin = std::size_t(b) * kRows, end = std::min(X.rows, begin + kRows);
    double z[kRows];
    for (std::size_t k = 0; k < K; ++k) {
      kernels::widened_margins(rows_between(X, begin, end), W.data() + k * d, 0.0, z);
      for (std::size_t i = begin; i < end; ++i)
        Z[i * K + k] = z[i - begin];
    }
  }
}

// z_i = x_i · w (no intercept), n values. Float data: as one class of wide_margins_classes.
template <class T>
void wide_margins(MatrixView<const T> X, std::span<const double> w, std::span<double> z,
                  Threads threads) {
  if constexpr (std::is_same_v<T, double>) {
    kernels::margins(X, w.data(), 0.0, z.data(), threads);
  } else {
    wide_margins_classes(X, w.first(X.cols), 1, z, threads);
  }
}

// out = Xᵀ r, X.cols values. Float data: fixed blocks of rows, each summed into its own partial
// vector, the partials added in block order (the same sums for every thread count).
template <class T>
void wide_transpose_product(MatrixView<const T> X, std::span<const double> r, std::span<double> out,
                            Threads threads) {
  if constexpr (std::is_same_v<T, double>) {
    kernels::transpose_product(X, r.data(), out.data(), threads);
  } else {
    sum_in_row_blocks(X.rows, out.first(X.cols), wide_threads(threads, X),
                      [&](std::size_t begin, std::size_t end, double* sum) {
                        kernels::widened_accumulate(rows_between(X, begin, end), r.data() + begin,
                                                    sum);
                      });
  }
}

// out (K x X.cols) = Rᵀ X, R n x K, in one pass over float rows, with the bits of K calls of
// wide_transpose_product.
inline void wide_transpose_product_classes(MatrixView<const float> X, std::span<const double> R,
                                           std::size_t K, std::span<double> out, Threads threads) {
  const std::size_t d = X.cols;
  sum_in_row_blocks(X.rows, out.first(K * d), wide_threads(threads, X),
                    [&](std::size_t begin, std::size_t end, double* sum) {
                      std::vector<double> r(end - begin);
                      for (std::size_t k = 0; k < K; ++k) {
                        for (std::size_t i = begin; i < end; ++i)
                          r[i - begin] = R[i * K + k];
                        kernels::widened_accumulate(rows_between(X, begin, end), r.data(),
                                                    sum + k * d);
                      }
                    });
}

// One pass over float data: u_i = x_i·w + b and out = Σ r_i x_i, in double, rows dotted as in
// wide_margins and summed as in wide_transpose_product (the same sums for every thread count),
// with r of a block of rows from its margins by residuals(begin, u_block, r_block) (a block at a
// time, so that the loss's derivative can go through a vector kernel); and, if column_max is not
// empty, max |x_ij| over the rows with c_i ≠ 0 while the rows are in cache.
template <class Residual>
void wide_fused_gradient(MatrixView<const float> X, std::span<const double> w, double b,
                         std::span<const double> c, const Residual& residuals, std::span<double> u,
                         std::span<double> out, std::span<double> column_max, Threads threads) {
  const std::size_t d = X.cols;
  const bool maxima = !column_max.empty();
  // The maxima are exact in any order: one per thread, then the largest (and over the parts of
  // a row partition).
  const int team = wide_threads(threads, X);
  std::vector<std::vector<double>> thread_max(std::size_t(team) + 1);
  sum_in_row_blocks(X.rows, out.first(d), team,
                    [&](std::size_t begin, std::size_t end, double* sum) {
                      std::vector<double>& top = thread_max[std::size_t(omp_get_thread_num())];
                      if (maxima && top.empty()) top.assign(d, 0.0);
                      const MatrixView<const float> rows = rows_between(X, begin, end);
                      kernels::widened_margins(rows, w.data(), b, u.data() + begin);
                      std::vector<double> r(end - begin);
                      residuals(begin, std::span<const double>(u.data() + begin, end - begin),
                                std::span<double>(r));
                      kernels::widened_accumulate(rows, r.data(), sum);
                      if (maxima) {
                        for (std::size_t i = begin; i < end; ++i) {
                          if (c[i] == 0) continue;
                          const float* row = X.data + i * X.stride;
                          for (std::size_t j = 0; j < d; ++j)
                            top[j] = std::max(top[j], std::fabs(double(row[j])));
                        }
                      }
                    });
  if (maxima) {
    std::fill(column_max.begin(), column_max.end(), 0.0);
    for (const std::vector<double>& top : thread_max)
      for (std::size_t j = 0; j < top.size(); ++j)
        column_max[j] = std::max(column_max[j], top[j]);
    max_over_parts(column_max);
  }
}

// The augmented weighted Gram matrix Aᵀ D A of the rows a_i = (x_i, 1) (the 1 only with
// intercept), m x m row-major with m = X.cols (+ 1), full and symmetric.
template <class T>
void wide_gram(MatrixView<const T> X, std::span<const double> d, bool intercept,
               std::span<double> out, Threads threads) {
  const std::size_t p = X.cols, m = p + (intercept ? 1 : 0);
  std::vector<double> xtd(p);
  if constexpr (std::is_same_v<T, double>) {
    std::vector<double> gram(p * p);
    kernels::weighted_gram(X, d.data(), gram.data(), threads);
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = 0; k < p; ++k)
        out[j * m + k] = gram[j * p + k];
    if (intercept) kernels::transpose_product(X, d.data(), xtd.data(), threads);
  } else {
    // Row by row, in row order (under a row partition: each part continuing the sums of the
    // parts before it, in_order).
    std::fill(out.begin(), out.end(), 0.0);
    const auto add_rows = [&] {
      kernels::widened_gram_rows(X, d.data(), out.data(), m, xtd.data());
    };
    if (const RowPartition* partition = active_row_partition()) {
      std::vector<double> state(m * m + p);
      partition->in_order(std::as_writable_bytes(std::span<double>(state)),
                          [&](std::span<std::byte>) {
                            std::copy_n(state.begin(), m * m, out.begin());
                            std::copy_n(state.begin() + std::ptrdiff_t(m * m), p, xtd.begin());
                            add_rows();
                            std::copy_n(out.begin(), m * m, state.begin());
                            std::copy_n(xtd.begin(), p, state.begin() + std::ptrdiff_t(m * m));
                          });
      std::copy_n(state.begin(), m * m, out.begin());
      std::copy_n(state.begin() + std::ptrdiff_t(m * m), p, xtd.begin());
    } else {
      add_rows();
    }
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = 0; k < j; ++k)
        out[k * m + j] = out[j * m + k];
  }
  if (intercept) {
    for (std::size_t j = 0; j < p; ++j)
      out[j * m + p] = out[p * m + j] = xtd[j];
    out[p * m + p] = row_total(d, wide_threads(threads, X));
  }
}

}  // namespace simdlr::detail
