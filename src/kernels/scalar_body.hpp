// Plain loops: the scalar twins and the chunk kernels of the `scalar` ISA. Written to be
// obviously correct rather than fast: one element at a time, sums of scalars accumulated in a
// wider type (double for float, long double for double), vectors accumulated in row order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "kernel_table.hpp"

namespace simdlr::detail::plain {

template <class T>
using Wide = std::conditional_t<std::is_same_v<T, float>, double, long double>;

template <class T>
T dot(const T* x, const T* y, std::size_t n) {
  Wide<T> acc = 0;
  for (std::size_t i = 0; i < n; ++i)
    acc += Wide<T>(x[i]) * Wide<T>(y[i]);
  return T(acc);
}

template <class T>
T sigmoid_one(T z) {
  const T e = std::exp(-std::fabs(z));
  return (z >= 0 ? T(1) : e) / (T(1) + e);
}

template <class T>
void sigmoid(const T* z, T* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    out[i] = sigmoid_one(z[i]);
}

template <class T>
T log_loss_one(T z, T y) {
  const T linear = z >= 0 ? (T(1) - y) * z : -(y * z);
  return std::log1p(std::exp(-std::fabs(z))) + linear;
}

template <class T>
double log_loss(const T* z, const T* y, std::size_t n) {
  Wide<T> acc = 0;
  for (std::size_t i = 0; i < n; ++i)
    acc += log_loss_one(z[i], y[i]);
  return double(acc);
}

template <class T>
void margins(const T* X, std::size_t rows, std::size_t cols, std::size_t stride, const T* w, T b,
             T* z) {
  for (std::size_t i = 0; i < rows; ++i)
    z[i] = dot(X + i * stride, w, cols) + b;
}

template <class T>
void transpose_product(RowsChunk<T> X, const T* r, T* out) {
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    for (std::size_t j = 0; j < X.cols; ++j)
      out[j] += r[i] * x[j];
  }
}

template <class T>
void cross_product(RowsChunk<T> A, RowsChunk<T> B, T* out) {
  for (std::size_t i = 0; i < A.rows; ++i) {
    const T* a = A.X + i * A.stride;
    const T* b = B.X + i * B.stride;
    for (std::size_t p = 0; p < A.cols; ++p)
      for (std::size_t q = 0; q < B.cols; ++q)
        out[p * B.cols + q] += a[p] * b[q];
  }
}

// One pass of a generalised linear model, row by row: z = x · w + b; row(i, z, s, r) returns the
// row's weighted loss term and sets its residual r = s (μ(z) − y); then grad_w += r x,
// grad_b += r and the margin z is stored (and the column maxima of |x| taken, if asked for).
template <class T, class Row>
double glm_pass(const GlmChunk<T>& a, const Row& row) {
  Wide<T> loss = 0;
  for (std::size_t i = 0; i < a.X.rows; ++i) {
    const T* x = a.X.X + i * a.X.stride;
    const T s = a.sample_weight ? a.sample_weight[i] : T(1);
    const T z = dot(x, a.w, a.X.cols) + a.b;
    T r;
    loss += row(i, z, s, r);
    for (std::size_t j = 0; j < a.X.cols; ++j)
      a.grad_w[j] += r * x[j];
    if (a.column_max) {
      for (std::size_t j = 0; j < a.X.cols; ++j)
        a.column_max[j] = std::max(a.column_max[j], std::fabs(x[j]));
    }
    if (a.grad_b) *a.grad_b += r;
    if (a.margins) a.margins[i] = z;
  }
  return double(loss);
}

// Logistic: μ = σ, loss = softplus(z) − y z, and the Hessian diagonal s σ (1 − σ) if asked for.
template <class T>
double logistic(const GlmChunk<T>& a) {
  return glm_pass(a, [&](std::size_t i, T z, T s, T& r) {
    const T e = std::exp(-std::fabs(z));
    const T p = (z >= 0 ? T(1) : e) / (T(1) + e);
    r = s * (p - a.y[i]);
    if (a.hessian_diag) a.hessian_diag[i] = s * e / ((T(1) + e) * (T(1) + e));
    return Wide<T>(s) * Wide<T>(log_loss_one(z, a.y[i]));
  });
}

template <class T>
double softmax(const SoftmaxChunk<T>& a) {
  const std::size_t K = a.n_classes, d = a.X.cols;
  T* z = a.scratch;
  Wide<T> loss = 0;
  for (std::size_t i = 0; i < a.X.rows; ++i) {
    const T* x = a.X.X + i * a.X.stride;
    const T s = a.sample_weight ? a.sample_weight[i] : T(1);
    T zmax = -INFINITY;
    for (std::size_t k = 0; k < K; ++k) {
      z[k] = dot(x, a.W + k * d, d) + (a.b ? a.b[k] : T(0));
      zmax = std::fmax(zmax, z[k]);
    }
    T total = 0;
    for (std::size_t k = 0; k < K; ++k)
      total += std::exp(z[k] - zmax);
    const auto y = std::size_t(a.labels[i]);
    loss += Wide<T>(s) * (Wide<T>(std::log(total)) + Wide<T>(zmax - z[y]));
    for (std::size_t k = 0; k < K; ++k) {
      const T p = std::exp(z[k] - zmax) / total;
      if (a.probabilities) a.probabilities[i * K + k] = p;
      const T r = s * (p - (k == y ? T(1) : T(0)));
      T* g = a.grad_W + k * d;
      for (std::size_t j = 0; j < d; ++j)
        g[j] += r * x[j];
      if (a.grad_b) a.grad_b[k] += r;
    }
  }
  return double(loss);
}

template <class T>
void softmax_hessian_vector(const SoftmaxHessianChunk<T>& a) {
  const std::size_t K = a.n_classes, d = a.X.cols;
  T* u = a.scratch;
  for (std::size_t i = 0; i < a.X.rows; ++i) {
    const T* x = a.X.X + i * a.X.stride;
    const T* p = a.probabilities + i * K;
    const T s = a.sample_weight ? a.sample_weight[i] : T(1);
    T mean = 0;
    for (std::size_t k = 0; k < K; ++k) {
      u[k] = dot(x, a.V + k * d, d) + (a.v_b ? a.v_b[k] : T(0));
      mean += p[k] * u[k];
    }
    for (std::size_t k = 0; k < K; ++k) {
      const T t = s * p[k] * (u[k] - mean);
      T* o = a.out + k * d;
      for (std::size_t j = 0; j < d; ++j)
        o[j] += t * x[j];
      a.out_b[k] += t;
    }
  }
}

// Squared loss: μ = identity, loss = ½ (z − y)².
template <class T>
double squared(const GlmChunk<T>& a) {
  return glm_pass(a, [&](std::size_t i, T z, T s, T& r) {
    const T residual = z - a.y[i];
    r = s * residual;
    return Wide<T>(s) * Wide<T>(residual) * Wide<T>(residual) / 2;
  });
}

template <class T>
void hessian_vector(RowsChunk<T> X, const T* d, const T* v, T v_b, T* out, T* out_b) {
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    const T t = (d ? d[i] : T(1)) * (dot(x, v, X.cols) + v_b);
    for (std::size_t j = 0; j < X.cols; ++j)
      out[j] += t * x[j];
    if (out_b) *out_b += t;
  }
}

// Rows in order, into a zeroed upper triangle; needs no scratch.
template <class T>
void gram_upper(RowsChunk<T> X, const T* d, T* out, T*, std::size_t) {
  const std::size_t m = X.cols;
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t k = j; k < m; ++k)
      out[j * m + k] = T(0);
  }
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    const T di = d ? d[i] : T(1);
    for (std::size_t j = 0; j < m; ++j) {
      const T g = di * x[j];
      for (std::size_t k = j; k < m; ++k)
        out[j * m + k] += g * x[k];
    }
  }
}

template <class T>
std::size_t gram_scratch(std::size_t) {
  return 0;
}

template <class T>
bool any_non_finite(RowsChunk<T> X) {
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    for (std::size_t j = 0; j < X.cols; ++j)
      if (!std::isfinite(x[j])) return true;
  }
  return false;
}

template <class T>
bool column_max_abs(RowsChunk<T> X, T* out) {
  bool finite = true;
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    for (std::size_t j = 0; j < X.cols; ++j) {
      finite = finite && std::isfinite(x[j]);
      out[j] = std::max(out[j], std::fabs(x[j]));
    }
  }
  return finite;
}

// Row-wise softmax, out == z allowed: the loop LogisticRegression::predict_proba ran for the
// multinomial model before it was a kernel (std::exp, classes in order), kept bit for bit.
template <class T>
void softmax_rows(const T* z, T* out, std::size_t rows, std::size_t classes) {
  for (std::size_t i = 0; i < rows; ++i) {
    const T* in = z + i * classes;
    T* row = out + i * classes;
    const T m = *std::max_element(in, in + classes);
    T total = 0;
    for (std::size_t k = 0; k < classes; ++k)
      total += (row[k] = std::exp(in[k] - m));
    for (std::size_t k = 0; k < classes; ++k)
      row[k] /= total;
  }
}

// z_i = x_i · w + b in double with four fixed partial sums, as the certificates' plain loop
// computed it before it was a kernel.
template <class T>
void widened_margins(RowsChunk<T> X, const double* w, double b, double* z) {
  const std::size_t d = X.cols, quads = d / 4 * 4;
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t j = 0; j < quads; j += 4) {
      s0 += double(x[j]) * w[j];
      s1 += double(x[j + 1]) * w[j + 1];
      s2 += double(x[j + 2]) * w[j + 2];
      s3 += double(x[j + 3]) * w[j + 3];
    }
    for (std::size_t j = quads; j < d; ++j)
      s0 += double(x[j]) * w[j];
    z[i] = ((s0 + s1) + (s2 + s3)) + b;
  }
}

// sum_j += Σ_i r_i x_ij in double, the rows in order.
template <class T>
void widened_accumulate(RowsChunk<T> X, const double* r, double* sum) {
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* x = X.X + i * X.stride;
    for (std::size_t j = 0; j < X.cols; ++j)
      sum[j] += double(x[j]) * r[i];
  }
}

// The lower triangle of Xᵀ D X and Xᵀ d in double, rows in order (zero weights skipped), as the
// certificates' plain loop computed them before it was a kernel.
template <class T>
void widened_gram_rows(RowsChunk<T> X, const double* d, double* out, std::size_t out_stride,
                       double* xtd) {
  for (std::size_t i = 0; i < X.rows; ++i) {
    if (d[i] == 0) continue;
    const T* x = X.X + i * X.stride;
    for (std::size_t j = 0; j < X.cols; ++j) {
      const double a = d[i] * double(x[j]);
      double* o = out + j * out_stride;
      for (std::size_t k = 0; k <= j; ++k)
        o[k] += a * double(x[k]);
      xtd[j] += a;
    }
  }
}

// The Cholesky factor as linalg::Cholesky computed it before it was a kernel: left-looking in
// panels of 4 rows, each update u − c·v a multiplication and a subtraction, in memory.
template <class T>
bool cholesky_upper(T* U, std::size_t m, T min_pivot) {
  constexpr std::size_t panel = 4;
  for (std::size_t j0 = 0; j0 < m; j0 += panel) {
    const std::size_t j1 = std::min(m, j0 + panel);
    for (std::size_t k = 0; k < j0; ++k) {
      const T* uk = U + k * m;
      for (std::size_t r = j0; r < j1; ++r) {
        const T c = uk[r];
        T* ur = U + r * m;
        for (std::size_t i = r; i < m; ++i)
          ur[i] -= c * uk[i];
      }
    }
    for (std::size_t r = j0; r < j1; ++r) {
      T* ur = U + r * m;
      for (std::size_t k = j0; k < r; ++k) {
        const T* uk = U + k * m;
        const T c = uk[r];
        for (std::size_t i = r; i < m; ++i)
          ur[i] -= c * uk[i];
      }
      const T pivot = ur[r];
      if (!(pivot > min_pivot) || !std::isfinite(pivot)) return false;
      const T l = std::sqrt(pivot);
      ur[r] = l;
      for (std::size_t i = r + 1; i < m; ++i)
        ur[i] /= l;
    }
  }
  return true;
}

template <class T>
constexpr KernelTable<T> table() {
  return {&dot<T>,
          &sigmoid<T>,
          &log_loss<T>,
          &margins<T>,
          &transpose_product<T>,
          &cross_product<T>,
          &logistic<T>,
          &softmax<T>,
          &softmax_hessian_vector<T>,
          &squared<T>,
          &hessian_vector<T>,
          &gram_upper<T>,
          &gram_scratch<T>,
          &any_non_finite<T>,
          &column_max_abs<T>,
          &softmax_rows<T>,
          &widened_margins<T>,
          &widened_accumulate<T>,
          &widened_gram_rows<T>,
          &cholesky_upper<T>};
}

}  // namespace simdlr::detail::plain
