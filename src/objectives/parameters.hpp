// The objectives' parameter layout, [W (rows x d, row-major), b (rows, only with fit_intercept)]
// (see objectives.hpp), between the solvers' double vectors and the kernels' sums in T.
#pragma once

#include <cstddef>
#include <span>

namespace simdlr::detail {

// W and b in T from the parameter vector x (b = 0 without fit_intercept); W.size() = rows x d,
// b.size() = rows.
template <class T>
void split_parameters(std::span<const double> x, bool fit_intercept, std::span<T> W,
                      std::span<T> b) {
  const std::size_t n = W.size();
  for (std::size_t j = 0; j < n; ++j)
    W[j] = T(x[j]);
  for (std::size_t k = 0; k < b.size(); ++k)
    b[k] = fit_intercept ? T(x[n + k]) : T(0);
}

// Softmax does not change when one vector is added to every class's row, so the data term's
// gradient and Hessian-vector products, K rows (classes) of `data.size() / K` values, sum to 0
// over the classes in every column, exactly. Their float sums do not: rounding remains along the
// intercepts' common direction, where F is flat and the Hessian has no curvature, and Newton-CG
// turned it into steps (float 100,000 x 10, 10 classes: 18 iterations and 77 evaluations
// instead of 7 and 8). This subtracts scale times each column's class mean of `data` from `out`
// (the solver's vector, whose penalty part is left as it is), in double: the data part of `out`
// then sums to 0 over the classes to double rounding.
template <class T>
void remove_class_mean(double scale, std::span<const T> data, std::size_t K,
                       std::span<double> out) {
  const std::size_t d = data.size() / K;
  for (std::size_t j = 0; j < d; ++j) {
    double mean = 0;
    for (std::size_t k = 0; k < K; ++k)
      mean += double(data[k * d + j]);
    mean *= scale / double(K);
    for (std::size_t k = 0; k < K; ++k)
      out[k * d + j] -= mean;
  }
}

// How an objective weighs its data term and its penalty on the coefficients W (never on the
// intercepts): f = scale · loss + (λ/2) ‖W‖², with the penalty only when `penalized`.
struct Weighting {
  double scale;    // C for the logistic losses, 1 for least squares
  bool penalized;  // l2 (logistic); always for least squares, where λ = α may be 0
  double lambda;   // 1 for the logistic losses, α for ridge

  // C times the data term, plus ½‖W‖² with the l2 penalty.
  static Weighting logistic(double C, bool l2) { return {C, l2, 1.0}; }
  // The sum of squares plus (α/2)‖w‖².
  static Weighting ridge(double alpha) { return {1.0, true, alpha}; }
};

// The value and the gradient for the solver from the data term's loss and gradient sums
// (grad_W, grad_b in T): g = scale · grad (+ λ W), intercepts scale · grad_b.
template <class T>
double value_and_gradient_from(const Weighting& w, double loss, std::span<const double> x,
                               std::span<const T> grad_W, std::span<const T> grad_b,
                               bool fit_intercept, std::span<double> g) {
  const std::size_t n = grad_W.size();
  double f = w.scale * loss;
  for (std::size_t j = 0; j < n; ++j) {
    g[j] = w.scale * double(grad_W[j]);
    if (w.penalized) {
      f += 0.5 * w.lambda * x[j] * x[j];
      g[j] += w.lambda * x[j];
    }
  }
  if (fit_intercept) {
    for (std::size_t k = 0; k < grad_b.size(); ++k)
      g[n + k] = w.scale * double(grad_b[k]);
  }
  return f;
}

// The Hessian-vector product for the solver from the data term's product (hv_W, hv_b in T):
// out = scale · hv (+ λ v), intercepts scale · hv_b.
template <class T>
void hessian_vector_from(const Weighting& w, std::span<const double> v, std::span<const T> hv_W,
                         std::span<const T> hv_b, bool fit_intercept, std::span<double> out) {
  const std::size_t n = hv_W.size();
  for (std::size_t j = 0; j < n; ++j)
    out[j] = w.scale * double(hv_W[j]) + (w.penalized ? w.lambda * v[j] : 0.0);
  if (fit_intercept) {
    for (std::size_t k = 0; k < hv_b.size(); ++k)
      out[n + k] = w.scale * double(hv_b[k]);
  }
}

}  // namespace simdlr::detail
