// What the objectives with one coefficient row (logistic, least squares) do alike: set the point,
// hand a fused pass its arguments, and take Hessian-vector products Xᵀ D X v with their own
// diagonal D (logistic: σ(z)(1 − σ(z)) s; least squares: s).
#pragma once

#include <span>
#include <vector>

#include "parameters.hpp"
#include "partition_rows.hpp"
#include "row_sample.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr::detail {

// (w, b) in T from the solver's x.
template <class T>
void set_point(OneRow<T>& row, std::span<const double> x, bool fit_intercept) {
  split_parameters<T>(x, fit_intercept, row.w, {&row.b, 1});
}

// The arguments of a fused one-row pass (LogisticPass, SquaredPass) at row's point; the pass
// writes the gradient sums to row.grad and row.grad_b.
template <class Pass, class T>
Pass one_row_pass(const ObjectiveData<T>& data, OneRow<T>& row) {
  return {.X = data.X,
          .y = row.y.data(),
          .sample_weight = data.weights(),
          .w = row.w.data(),
          .b = row.b,
          .grad_w = row.grad.data(),
          .grad_b = &row.grad_b};
}

// The value and gradient for the solver from the last pass's loss and gradient sums.
template <class T>
double one_row_value_and_gradient(const ObjectiveData<T>& data, const OneRow<T>& row,
                                  const Weighting& weighting, double loss,
                                  std::span<const double> x, std::span<double> g) {
  return value_and_gradient_from<T>(weighting, loss, x, row.grad, {&row.grad_b, 1},
                                    data.fit_intercept, g);
}

// out = scale · (Xᵀ D X v) (+ λ v) for the coefficients; diagonal: D, n values.
template <class T>
void one_row_hessian_vector(const ObjectiveData<T>& data, OneRow<T>& row, const T* diagonal,
                            const Weighting& weighting, std::span<const double> v,
                            std::span<double> out) {
  T v_b, out_b = 0;
  split_parameters<T>(v, data.fit_intercept, row.v, {&v_b, 1});
  kernels::hessian_vector(data.X, diagonal, row.v.data(), v_b, row.hv.data(), &out_b, data.threads);
  hessian_vector_from<T>(weighting, v, row.hv, {&out_b, 1}, data.fit_intercept, out);
}

// The exact Hessian for the solver: scale · Aᵀ D A (+ λ on the coefficients' diagonal), A the
// rows (x_i, 1) (the 1 with fit_intercept), D = diagonal (nullptr: all ones), m x m row-major.
// With a sample of every k-th row (k > 1), only those rows enter, and the data part is scaled by
// n / rows used (an estimate, for preconditioning). Under a row partition, n and the sample are
// global (row_sample.hpp).
template <class T>
void one_row_hessian(const ObjectiveData<T>& data, const T* diagonal, const Weighting& weighting,
                     std::span<double> H, const RowSample<T>& sample) {
  const std::size_t d = data.d, m = data.dimension(1);
  const MatrixView<const T> X = sample.X();
  std::vector<T> gram(d * d), column(d);
  const std::vector<T> picked = sample.values(diagonal);
  // The whole sample here, or this part's block of all rows with the partition active.
  const ScopedRowPartition scope(sample.partition());
  kernels::weighted_gram(X, picked.data(), gram.data(), data.threads);
  const double scale = weighting.scale * double(sample.global_rows()) / double(sample.rows());
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t k = 0; k < d; ++k)
      H[j * m + k] = scale * double(gram[j * d + k]);
    if (weighting.penalized) H[j * m + j] += weighting.lambda;
  }
  if (data.fit_intercept) {
    kernels::transpose_product(X, picked.data(), column.data(), data.threads);
    // (under the partition: this part's rows, the parts' block sums combined)
    const double sum = row_total(std::span<const T>(picked));
    for (std::size_t j = 0; j < d; ++j)
      H[j * m + d] = H[d * m + j] = scale * double(column[j]);
    H[d * m + d] = scale * double(sum);
  }
}

// The row step that samples about max_rows of n rows.
inline std::size_t row_step_for(std::size_t n, std::size_t max_rows) {
  return max_rows == 0 || n <= max_rows ? 1 : (n + max_rows - 1) / max_rows;
}

}  // namespace simdlr::detail
