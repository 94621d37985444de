#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
SquaredObjective<T>::SquaredObjective(MatrixView<const T> X, std::span<const T> y,
                                      std::span<const T> sample_weight, double alpha,
                                      bool fit_intercept, Threads threads)
    : X_(X),
      y_(y),
      sample_weight_(sample_weight),
      alpha_(alpha),
      fit_intercept_(fit_intercept),
      threads_(threads),
      d_(X.cols),
      w_(X.cols),
      grad_(X.cols),
      v_(X.cols),
      hv_(X.cols) {
  if (y.size() != X.rows)
    throw ShapeError("SquaredObjective: y has " + std::to_string(y.size()) + " values for " +
                     std::to_string(X.rows) + " rows");
  if (!sample_weight.empty() && sample_weight.size() != X.rows)
    throw ShapeError("SquaredObjective: sample_weight has " + std::to_string(sample_weight.size()) +
                     " values for " + std::to_string(X.rows) + " rows");
  if (!(alpha >= 0)) throw InvalidArgument("SquaredObjective: alpha must be >= 0");
}

template <class T>
double SquaredObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  for (std::size_t j = 0; j < d_; ++j)
    w_[j] = T(x[j]);
  T grad_b = 0;
  const double loss = kernels::squared_loss_grad(
      SquaredPass<T>{.X = X_,
                     .y = y_.data(),
                     .sample_weight = sample_weight_.empty() ? nullptr : sample_weight_.data(),
                     .w = w_.data(),
                     .b = fit_intercept_ ? T(x[d_]) : T(0),
                     .grad_w = grad_.data(),
                     .grad_b = &grad_b},
      threads_);
  double f = loss;
  for (std::size_t j = 0; j < d_; ++j) {
    g[j] = double(grad_[j]) + alpha_ * x[j];
    f += 0.5 * alpha_ * x[j] * x[j];
  }
  if (fit_intercept_) g[d_] = double(grad_b);
  return f;
}

template <class T>
void SquaredObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  for (std::size_t j = 0; j < d_; ++j)
    v_[j] = T(v[j]);
  T out_b = 0;
  kernels::hessian_vector(X_, sample_weight_.empty() ? nullptr : sample_weight_.data(), v_.data(),
                          fit_intercept_ ? T(v[d_]) : T(0), hv_.data(), &out_b, threads_);
  for (std::size_t j = 0; j < d_; ++j)
    out[j] = double(hv_[j]) + alpha_ * v[j];
  if (fit_intercept_) out[d_] = double(out_b);
}

template class SquaredObjective<float>;
template class SquaredObjective<double>;

}  // namespace simdlr
