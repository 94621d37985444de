// The one-row objectives' Hessian on a subset of the parameters (ExactHessian::hessian_block),
// for the proximal Newton solver's working sets: the Gram matrix of just those columns.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "one_row.hpp"
#include "parameters.hpp"
#include "row_sample.hpp"
#include "simdlr/kernels.hpp"

namespace simdlr::detail {

// H = scale · A_Sᵀ D A_S (+ λ on the penalised coefficients' diagonal), S = index (ascending;
// the value d stands for the intercept's column of ones), D = diagonal (nullptr: all ones),
// |S| x |S| row-major. Half the columns or more: the full Hessian's Gram pass (no copy), the
// block taken from it. Fewer: the chosen columns packed a fixed block of rows at a time and the
// blocks' Gram matrices added in row order (the same sums for every thread count), so the work
// is n·|S|² rather than n·d².
template <class T>
void one_row_hessian_block(const ObjectiveData<T>& data, const T* diagonal,
                           const Weighting& weighting, std::span<const std::size_t> index,
                           std::span<double> H) {
  const std::size_t d = data.d, k = index.size(), n = data.X.rows;
  const bool intercept = k > 0 && index[k - 1] == d;
  const std::size_t cols = intercept ? k - 1 : k;
  if (2 * cols >= d) {
    const std::size_t m = data.dimension(1);
    std::vector<double> full(m * m);
    one_row_hessian(data, diagonal, weighting, full, RowSample<T>(data.X, 0));
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < k; ++b)
        H[a * k + b] = full[index[a] * m + index[b]];
    return;
  }
  constexpr std::size_t kRows = 4096;
  const std::size_t block_rows = std::min(n, kRows);
  std::vector<T> packed(block_rows * cols), gram(cols * cols), column(cols), ones;
  if (diagonal == nullptr) ones.assign(block_rows, T(1));
  std::vector<double> G(cols * cols, 0.0), xd(cols, 0.0);
  double total = 0;
  for (std::size_t begin = 0; begin < n; begin += kRows) {
    const std::size_t count = std::min(kRows, n - begin);
    for (std::size_t t = 0; t < count; ++t) {
      const T* row = data.X.row(begin + t);
      T* out = packed.data() + t * cols;
      for (std::size_t a = 0; a < cols; ++a)
        out[a] = row[index[a]];
    }
    const MatrixView<const T> block(packed.data(), count, cols);
    const T* weight = diagonal != nullptr ? diagonal + begin : ones.data();
    kernels::weighted_gram(block, weight, gram.data(), data.threads);
    for (std::size_t e = 0; e < cols * cols; ++e)
      G[e] += double(gram[e]);
    if (intercept) {
      kernels::transpose_product(block, weight, column.data(), data.threads);
      for (std::size_t a = 0; a < cols; ++a)
        xd[a] += double(column[a]);
      for (std::size_t t = 0; t < count; ++t)
        total += double(weight[t]);
    }
  }
  const double scale = weighting.scale;
  for (std::size_t a = 0; a < cols; ++a) {
    for (std::size_t b = 0; b < cols; ++b)
      H[a * k + b] = scale * G[a * cols + b];
    if (weighting.penalized) H[a * k + a] += weighting.lambda;
  }
  if (intercept) {
    for (std::size_t a = 0; a < cols; ++a)
      H[a * k + cols] = H[cols * k + a] = scale * xd[a];
    H[cols * k + cols] = scale * total;
  }
}

}  // namespace simdlr::detail
