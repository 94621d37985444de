#include <type_traits>

#include "parameters.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {
template <class T>
MultinomialObjective<T>::MultinomialObjective(MatrixView<const T> X,
                                              std::span<const std::int32_t> labels,
                                              std::size_t n_classes,
                                              std::span<const T> sample_weight, double C,
                                              Penalty penalty, bool fit_intercept, Threads threads)
    : data_("MultinomialObjective", X, labels.size(), "labels", sample_weight, fit_intercept,
            threads),
      labels_(labels),
      K_(n_classes),
      C_(C),
      l2_(detail::smooth_l2("MultinomialObjective", penalty)),
      W_(n_classes * X.cols),
      b_(n_classes),
      grad_W_(n_classes * X.cols),
      grad_b_(n_classes),
      probabilities_(X.rows * n_classes),
      V_(n_classes * X.cols),
      v_b_(n_classes),
      out_(n_classes * X.cols),
      out_b_(n_classes) {
  if (n_classes < 2) throw InvalidArgument("MultinomialObjective: needs at least 2 classes");
  if (!(C > 0)) throw InvalidArgument("MultinomialObjective: C must be positive");
  pass_ = {.X = X,
           .labels = labels.data(),
           .n_classes = K_,
           .sample_weight = data_.weights(),
           .W = W_.data(),
           .b = b_.data(),
           .grad_W = grad_W_.data(),
           .grad_b = grad_b_.data(),
           .probabilities = probabilities_.data()};
  // The Hessian pass reads the data of the loss pass and the probabilities it left.
  hessian_pass_.X = X;
  hessian_pass_.n_classes = K_;
  hessian_pass_.probabilities = probabilities_.data();
  hessian_pass_.sample_weight = pass_.sample_weight;
  hessian_pass_.V = V_.data();
  hessian_pass_.v_b = v_b_.data();
  hessian_pass_.out = out_.data();
  hessian_pass_.out_b = out_b_.data();
}

template <class T>
double MultinomialObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  if (in_double_) return value_and_gradient_in_double(x, g);
  detail::split_parameters<T>(x, data_.fit_intercept, W_, b_);
  const double loss = kernels::softmax_loss_grad(pass_, data_.threads);
  if constexpr (std::is_same_v<T, double>) pass_point_.assign(x.begin(), x.end());
  const double f = detail::value_and_gradient_from<T>(detail::Weighting::logistic(C_, l2_), loss, x,
                                                      grad_W_, grad_b_, data_.fit_intercept, g);
  remove_class_means(grad_W_, grad_b_, g);
  return f;
}

template <class T>
void MultinomialObjective<T>::remove_class_means(std::span<const T> W_part,
                                                 std::span<const T> b_part, std::span<double> out) {
  const std::size_t coefficients = W_part.size();
  detail::remove_class_mean<T>(C_, W_part, K_, out.first(coefficients));
  if (data_.fit_intercept) detail::remove_class_mean<T>(C_, b_part, K_, out.subspan(coefficients));
}

template <class T>
void MultinomialObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  detail::split_parameters<T>(v, data_.fit_intercept, V_, v_b_);
  kernels::softmax_hessian_vector(hessian_pass_, data_.threads);
  detail::hessian_vector_from<T>(detail::Weighting::logistic(C_, l2_), v, out_, out_b_,
                                 data_.fit_intercept, out);
  remove_class_means(out_, out_b_, out);
}

template class MultinomialObjective<float>;
template class MultinomialObjective<double>;

}  // namespace simdlr
