#include "parameters.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
LogisticObjective<T>::LogisticObjective(MatrixView<const T> X, std::span<const T> y,
                                        std::span<const T> sample_weight, double C, Penalty penalty,
                                        bool fit_intercept, Threads threads)
    : data_("LogisticObjective", X, y.size(), "y", sample_weight, fit_intercept, threads),
      y_(y),
      C_(C),
      l2_(penalty == Penalty::l2),
      w_(X.cols),
      grad_(X.cols),
      v_(X.cols),
      hv_(X.cols),
      hessian_diag_(X.rows) {
  if (!(C > 0)) throw InvalidArgument("LogisticObjective: C must be positive");
}

// One fused pass at (w_, b_): loss, grad_ and grad_b; the Hessian diagonal when asked for.
template <class T>
double LogisticObjective<T>::pass(T* hessian_diag) {
  T grad_b = 0;
  const double loss = kernels::logistic_loss_grad(LogisticPass<T>{.X = data_.X,
                                                                  .y = y_.data(),
                                                                  .sample_weight = data_.weights(),
                                                                  .w = w_.data(),
                                                                  .b = b_,
                                                                  .grad_w = grad_.data(),
                                                                  .grad_b = &grad_b,
                                                                  .hessian_diag = hessian_diag},
                                                  data_.threads);
  grad_b_ = grad_b;
  return loss;
}

template <class T>
double LogisticObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  detail::split_parameters<T>(x, data_.fit_intercept, w_, {&b_, 1});
  const double loss = pass(diagonal_wanted_ ? hessian_diag_.data() : nullptr);
  diagonal_current_ = diagonal_wanted_;
  return detail::value_and_gradient_from<T>(detail::Weighting::logistic(C_, l2_), loss, x, grad_,
                                            {&grad_b_, 1}, data_.fit_intercept, g);
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
  T v_b, out_b = 0;
  detail::split_parameters<T>(v, data_.fit_intercept, v_, {&v_b, 1});
  kernels::hessian_vector(data_.X, hessian_diag_.data(), v_.data(), v_b, hv_.data(), &out_b,
                          data_.threads);
  detail::hessian_vector_from<T>(detail::Weighting::logistic(C_, l2_), v, hv_, {&out_b, 1},
                                 data_.fit_intercept, out);
}

template class LogisticObjective<float>;
template class LogisticObjective<double>;

}  // namespace simdlr
