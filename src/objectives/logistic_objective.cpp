#include <cmath>

#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
LogisticObjective<T>::LogisticObjective(MatrixView<const T> X, std::span<const T> y,
                                        std::span<const T> sample_weight, double C, Penalty penalty,
                                        bool fit_intercept, Threads threads)
    : X_(X),
      y_(y),
      sample_weight_(sample_weight),
      C_(C),
      l2_(penalty == Penalty::l2),
      fit_intercept_(fit_intercept),
      threads_(threads),
      d_(X.cols),
      w_(X.cols),
      grad_(X.cols),
      v_(X.cols),
      hv_(X.cols),
      hessian_diag_(X.rows) {
  if (y.size() != X.rows)
    throw ShapeError("LogisticObjective: y has " + std::to_string(y.size()) + " values for " +
                     std::to_string(X.rows) + " rows");
  if (!sample_weight.empty() && sample_weight.size() != X.rows)
    throw ShapeError("LogisticObjective: sample_weight has " +
                     std::to_string(sample_weight.size()) + " values for " +
                     std::to_string(X.rows) + " rows");
  if (!(C > 0)) throw InvalidArgument("LogisticObjective: C must be positive");
}

// One fused pass at (w_, b_): loss, grad_ and grad_b; the Hessian diagonal when asked for.
template <class T>
double LogisticObjective<T>::pass(T* hessian_diag) {
  T grad_b = 0;
  const double loss = kernels::logistic_loss_grad(
      LogisticPass<T>{.X = X_,
                      .y = y_.data(),
                      .sample_weight = sample_weight_.empty() ? nullptr : sample_weight_.data(),
                      .w = w_.data(),
                      .b = b_,
                      .grad_w = grad_.data(),
                      .grad_b = &grad_b,
                      .hessian_diag = hessian_diag},
      threads_);
  grad_b_ = grad_b;
  return loss;
}

template <class T>
double LogisticObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  for (std::size_t j = 0; j < d_; ++j)
    w_[j] = T(x[j]);
  b_ = fit_intercept_ ? T(x[d_]) : T(0);
  const double loss = pass(diagonal_wanted_ ? hessian_diag_.data() : nullptr);
  diagonal_current_ = diagonal_wanted_;
  double f = C_ * loss;
  for (std::size_t j = 0; j < d_; ++j) {
    g[j] = C_ * double(grad_[j]);
    if (l2_) {
      f += 0.5 * x[j] * x[j];
      g[j] += x[j];
    }
  }
  if (fit_intercept_) g[d_] = C_ * double(grad_b_);
  return f;
}

template <class T>
void LogisticObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  if (!diagonal_current_) {
    // First Hessian product at this point: one more pass for the diagonal (grad_ is scratch
    // here), and from now on every evaluation computes it in its own pass.
    diagonal_wanted_ = true;
    pass(hessian_diag_.data());
    diagonal_current_ = true;
  }
  for (std::size_t j = 0; j < d_; ++j)
    v_[j] = T(v[j]);
  const T v_b = fit_intercept_ ? T(v[d_]) : T(0);
  T out_b = 0;
  kernels::hessian_vector(X_, hessian_diag_.data(), v_.data(), v_b, hv_.data(), &out_b, threads_);
  for (std::size_t j = 0; j < d_; ++j)
    out[j] = C_ * double(hv_[j]) + (l2_ ? v[j] : 0.0);
  if (fit_intercept_) out[d_] = C_ * double(out_b);
}

template class LogisticObjective<float>;
template class LogisticObjective<double>;

}  // namespace simdlr
