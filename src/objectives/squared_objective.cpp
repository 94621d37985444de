#include <type_traits>

#include "hessian_block.hpp"
#include "one_row.hpp"
#include "one_row_certificate.hpp"
#include "one_row_sums.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
SquaredObjective<T>::SquaredObjective(MatrixView<const T> X, std::span<const T> y,
                                      std::span<const T> sample_weight, double alpha,
                                      bool fit_intercept, Threads threads)
    : data_("SquaredObjective", X, y.size(), "y", sample_weight, fit_intercept, threads),
      row_(y, X.cols),
      alpha_(alpha) {
  if (!(alpha >= 0)) throw InvalidArgument("SquaredObjective: alpha must be >= 0");
}

template <class T>
double SquaredObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  detail::set_point(row_, x, data_.fit_intercept);
  if (in_double_) {
    return detail::value_and_gradient_in_double<T>(detail::OneRowLoss::squared, data_, row_.y,
                                                   detail::Weighting::ridge(alpha_), x, g,
                                                   row_norms_);
  }
  const double loss =
      kernels::squared_loss_grad(detail::one_row_pass<SquaredPass<T>>(data_, row_), data_.threads);
  return detail::one_row_value_and_gradient(data_, row_, detail::Weighting::ridge(alpha_), loss, x,
                                            g);
}

template <class T>
bool SquaredObjective<T>::evaluate_in_double(bool on) {
  if (std::is_same_v<T, double>) return false;
  in_double_ = on;
  return true;
}

template <class T>
void SquaredObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  // The Hessian of the sum of squares is Xᵀ S X: the diagonal is the sample weights.
  detail::one_row_hessian_vector(data_, row_, data_.weights(), detail::Weighting::ridge(alpha_), v,
                                 out);
}

template <class T>
void SquaredObjective<T>::hessian(std::span<double> H) {
  sampled_hessian(H, 0);
}

template <class T>
void SquaredObjective<T>::sampled_hessian(std::span<double> H, std::size_t max_rows) {
  const detail::RowSample<T> sample(data_.X, max_rows);
  detail::one_row_hessian(data_, data_.weights(), detail::Weighting::ridge(alpha_), H, sample);
}

template <class T>
void SquaredObjective<T>::hessian_block(std::span<const std::size_t> index, std::span<double> H) {
  detail::one_row_hessian_block(data_, data_.weights(), detail::Weighting::ridge(alpha_), index, H);
}

template <class T>
GapBound SquaredObjective<T>::certify(std::span<double> x, const CertifyRequest& request) {
  GapBound out = request.l1_penalty.empty()
                     ? detail::certify_one_row<T>(detail::OneRowLoss::squared, data_, row_.y, 1.0,
                                                  alpha_, x, request, row_norms_)
                     : detail::certify_elastic_net<T>(detail::OneRowLoss::squared, data_, row_.y,
                                                      1.0, alpha_, x, request, row_norms_);
  // An exact fit's residuals are rounding errors of about ε |y_i| (the targets' own ulps, and
  // those of z_i ≈ y_i): its F is then about ½ Σ s_i (ε y_i)², which no bound can see past.
  // Summed over every part's rows (certify is collective), once.
  if (rounding_floor_ < 0) {
    const double ulps = 16 * 0x1p-52;
    const std::span<const T> s = data_.sample_weight;
    double sums[1] = {0};
    sum_in_row_blocks(row_.y.size(), sums, detail::row_threads(data_.threads, row_.y.size()),
                      [&](std::size_t begin, std::size_t end, double* sum) {
                        for (std::size_t i = begin; i < end; ++i) {
                          const double e = ulps * double(row_.y[i]);
                          *sum += 0.5 * (s.empty() ? 1.0 : double(s[i])) * e * e;
                        }
                      });
    rounding_floor_ = sums[0];
  }
  out.floor = rounding_floor_;
  return out;
}

template <class T>
double SquaredObjective<T>::gap_estimate(std::span<const double> gradient) const {
  return detail::one_row_gap_estimate(gradient, data_.d, alpha_);
}

template class SquaredObjective<float>;
template class SquaredObjective<double>;

}  // namespace simdlr
