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
// block taken from it. Fewer: the chosen columns (and the ones) copied once into an n x |S|
// matrix and one weighted Gram pass over it, n·|S|² rather than n·d² (the copy is at most half
// of X). Both are single kernel calls: the same bits for every thread count and, under a row
// partition, for every split.
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
  std::vector<T> packed(n * k), gram(k * k), ones;
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = data.X.row(i);
    T* out = packed.data() + i * k;
    for (std::size_t a = 0; a < cols; ++a)
      out[a] = row[index[a]];
    if (intercept) out[cols] = T(1);
  }
  if (diagonal == nullptr) ones.assign(n, T(1));
  kernels::weighted_gram(MatrixView<const T>(packed.data(), n, k),
                         diagonal != nullptr ? diagonal : ones.data(), gram.data(), data.threads);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b)
      H[a * k + b] = weighting.scale * double(gram[a * k + b]);
    if (weighting.penalized && a < cols) H[a * k + a] += weighting.lambda;
  }
}

}  // namespace simdlr::detail
