// Passes over the data in double arithmetic, for the certificates (docs/convergence.md, 2e):
// float data are widened exactly, so a bound is not swamped by the rounding of a float pass.
// Double data use the kernels (deterministic for every thread count); float data use plain
// loops on the calling thread (a certificate runs a few times per fit).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

// z_i = x_i · w (no intercept), n values.
template <class T>
void wide_margins(MatrixView<const T> X, std::span<const double> w, std::span<double> z,
                  Threads threads) {
  if constexpr (std::is_same_v<T, double>) {
    kernels::margins(X, w.data(), 0.0, z.data(), threads);
  } else {
    for (std::size_t i = 0; i < X.rows; ++i) {
      const T* row = X.data + i * X.stride;
      double s = 0;
      for (std::size_t j = 0; j < X.cols; ++j)
        s += double(row[j]) * w[j];
      z[i] = s;
    }
  }
}

// out = Xᵀ r, X.cols values.
template <class T>
void wide_transpose_product(MatrixView<const T> X, std::span<const double> r, std::span<double> out,
                            Threads threads) {
  if constexpr (std::is_same_v<T, double>) {
    kernels::transpose_product(X, r.data(), out.data(), threads);
  } else {
    std::fill(out.begin(), out.end(), 0.0);
    for (std::size_t i = 0; i < X.rows; ++i) {
      const T* row = X.data + i * X.stride;
      for (std::size_t j = 0; j < X.cols; ++j)
        out[j] += double(row[j]) * r[i];
    }
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
    std::fill(out.begin(), out.end(), 0.0);
    std::vector<double> row(p);
    for (std::size_t i = 0; i < X.rows; ++i) {
      if (d[i] == 0) continue;
      for (std::size_t j = 0; j < p; ++j)
        row[j] = double(X.data[i * X.stride + j]);
      for (std::size_t j = 0; j < p; ++j) {
        const double a = d[i] * row[j];
        double* o = out.data() + j * m;
        for (std::size_t k = 0; k <= j; ++k)
          o[k] += a * row[k];
        xtd[j] += a;
      }
    }
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = 0; k < j; ++k)
        out[k * m + j] = out[j * m + k];
  }
  if (intercept) {
    double sum = 0;
    for (double v : d)
      sum += v;
    for (std::size_t j = 0; j < p; ++j)
      out[j * m + p] = out[p * m + j] = xtd[j];
    out[p * m + p] = sum;
  }
}

}  // namespace simdlr::detail
