#include "parameters.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
SquaredObjective<T>::SquaredObjective(MatrixView<const T> X, std::span<const T> y,
                                      std::span<const T> sample_weight, double alpha,
                                      bool fit_intercept, Threads threads)
    : data_("SquaredObjective", X, y.size(), "y", sample_weight, fit_intercept, threads),
      y_(y),
      alpha_(alpha),
      w_(X.cols),
      grad_(X.cols),
      v_(X.cols),
      hv_(X.cols) {
  if (!(alpha >= 0)) throw InvalidArgument("SquaredObjective: alpha must be >= 0");
}

template <class T>
double SquaredObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  T b, grad_b = 0;
  detail::split_parameters<T>(x, data_.fit_intercept, w_, {&b, 1});
  const double loss = kernels::squared_loss_grad(SquaredPass<T>{.X = data_.X,
                                                                .y = y_.data(),
                                                                .sample_weight = data_.weights(),
                                                                .w = w_.data(),
                                                                .b = b,
                                                                .grad_w = grad_.data(),
                                                                .grad_b = &grad_b},
                                                 data_.threads);
  return detail::value_and_gradient_from<T>(detail::Weighting::ridge(alpha_), loss, x, grad_,
                                            {&grad_b, 1}, data_.fit_intercept, g);
}

template <class T>
void SquaredObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  T v_b, out_b = 0;
  detail::split_parameters<T>(v, data_.fit_intercept, v_, {&v_b, 1});
  kernels::hessian_vector(data_.X, data_.weights(), v_.data(), v_b, hv_.data(), &out_b,
                          data_.threads);
  detail::hessian_vector_from<T>(detail::Weighting::ridge(alpha_), v, hv_, {&out_b, 1},
                                 data_.fit_intercept, out);
}

template class SquaredObjective<float>;
template class SquaredObjective<double>;

}  // namespace simdlr
