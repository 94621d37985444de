#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
MultinomialObjective<T>::MultinomialObjective(MatrixView<const T> X,
                                              std::span<const std::int32_t> labels,
                                              std::size_t n_classes,
                                              std::span<const T> sample_weight, double C,
                                              Penalty penalty, bool fit_intercept, Threads threads)
    : X_(X),
      labels_(labels),
      K_(n_classes),
      sample_weight_(sample_weight),
      C_(C),
      l2_(penalty == Penalty::l2),
      fit_intercept_(fit_intercept),
      threads_(threads),
      d_(X.cols),
      W_(n_classes * X.cols),
      b_(n_classes),
      grad_W_(n_classes * X.cols),
      grad_b_(n_classes),
      probabilities_(X.rows * n_classes),
      V_(n_classes * X.cols),
      v_b_(n_classes),
      out_(n_classes * X.cols),
      out_b_(n_classes) {
  if (labels.size() != X.rows)
    throw ShapeError("MultinomialObjective: labels has " + std::to_string(labels.size()) +
                     " values for " + std::to_string(X.rows) + " rows");
  if (!sample_weight.empty() && sample_weight.size() != X.rows)
    throw ShapeError("MultinomialObjective: sample_weight has " +
                     std::to_string(sample_weight.size()) + " values for " +
                     std::to_string(X.rows) + " rows");
  if (n_classes < 2) throw InvalidArgument("MultinomialObjective: needs at least 2 classes");
  if (!(C > 0)) throw InvalidArgument("MultinomialObjective: C must be positive");
}

template <class T>
double MultinomialObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  const std::size_t kd = K_ * d_;
  for (std::size_t j = 0; j < kd; ++j)
    W_[j] = T(x[j]);
  for (std::size_t k = 0; k < K_; ++k)
    b_[k] = fit_intercept_ ? T(x[kd + k]) : T(0);
  const double loss = kernels::softmax_loss_grad(
      SoftmaxPass<T>{.X = X_,
                     .labels = labels_.data(),
                     .n_classes = K_,
                     .sample_weight = sample_weight_.empty() ? nullptr : sample_weight_.data(),
                     .W = W_.data(),
                     .b = b_.data(),
                     .grad_W = grad_W_.data(),
                     .grad_b = grad_b_.data(),
                     .probabilities = probabilities_.data()},
      threads_);
  double f = C_ * loss;
  for (std::size_t j = 0; j < kd; ++j) {
    g[j] = C_ * double(grad_W_[j]);
    if (l2_) {
      f += 0.5 * x[j] * x[j];
      g[j] += x[j];
    }
  }
  if (fit_intercept_) {
    for (std::size_t k = 0; k < K_; ++k)
      g[kd + k] = C_ * double(grad_b_[k]);
  }
  return f;
}

template <class T>
void MultinomialObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  const std::size_t kd = K_ * d_;
  for (std::size_t j = 0; j < kd; ++j)
    V_[j] = T(v[j]);
  for (std::size_t k = 0; k < K_; ++k)
    v_b_[k] = fit_intercept_ ? T(v[kd + k]) : T(0);
  kernels::softmax_hessian_vector(
      SoftmaxHessianPass<T>{
          .X = X_,
          .n_classes = K_,
          .probabilities = probabilities_.data(),
          .sample_weight = sample_weight_.empty() ? nullptr : sample_weight_.data(),
          .V = V_.data(),
          .v_b = v_b_.data(),
          .out = out_.data(),
          .out_b = out_b_.data()},
      threads_);
  for (std::size_t j = 0; j < kd; ++j)
    out[j] = C_ * double(out_[j]) + (l2_ ? v[j] : 0.0);
  if (fit_intercept_) {
    for (std::size_t k = 0; k < K_; ++k)
      out[kd + k] = C_ * double(out_b_[k]);
  }
}

template class MultinomialObjective<float>;
template class MultinomialObjective<double>;

}  // namespace simdlr
