#include "standardized_objective.hpp"

namespace simdlr::detail {

StandardizedObjective::StandardizedObjective(Objective& inner, const ColumnStats& stats,
                                             std::size_t rows, bool fit_intercept, bool l2)
    : inner_(inner),
      inner_hessian_(inner.hessian_vector_product()),
      stats_(stats),
      rows_(rows),
      d_(stats.mean.size()),
      fit_intercept_(fit_intercept),
      l2_(l2),
      raw_x_(inner.dimension()),
      raw_g_(inner.dimension()),
      raw_v_(inner.dimension()),
      raw_out_(inner.dimension()) {}

void StandardizedObjective::to_raw(std::span<const double> s, std::span<double> raw) const {
  for (std::size_t r = 0; r < rows_; ++r) {
    double shift = 0;
    for (std::size_t j = 0; j < d_; ++j) {
      raw[r * d_ + j] = s[r * d_ + j] / stats_.scale[j];
      shift += raw[r * d_ + j] * stats_.mean[j];
    }
    if (fit_intercept_) raw[rows_ * d_ + r] = s[rows_ * d_ + r] - shift;
  }
}

void StandardizedObjective::to_standardized(std::span<const double> raw,
                                            std::span<double> s) const {
  for (std::size_t r = 0; r < rows_; ++r) {
    double shift = 0;
    for (std::size_t j = 0; j < d_; ++j) {
      s[r * d_ + j] = raw[r * d_ + j] * stats_.scale[j];
      shift += raw[r * d_ + j] * stats_.mean[j];
    }
    if (fit_intercept_) s[rows_ * d_ + r] = raw[rows_ * d_ + r] + shift;
  }
}

// gradient = Jᵀ raw_gradient, J the Jacobian of to_raw.
void StandardizedObjective::pull_back(std::span<const double> g, std::span<double> out) const {
  for (std::size_t r = 0; r < rows_; ++r) {
    const double gb = fit_intercept_ ? g[rows_ * d_ + r] : 0.0;
    for (std::size_t j = 0; j < d_; ++j) {
      out[r * d_ + j] = (g[r * d_ + j] - gb * stats_.mean[j]) / stats_.scale[j];
    }
    if (fit_intercept_) out[rows_ * d_ + r] = gb;
  }
}

double StandardizedObjective::value_and_gradient(std::span<const double> x,
                                                 std::span<double> gradient) {
  to_raw(x, raw_x_);
  double f = inner_.value_and_gradient(raw_x_, raw_g_);
  pull_back(raw_g_, gradient);
  if (l2_) {
    for (std::size_t k = 0; k < rows_ * d_; ++k) {
      f += 0.5 * x[k] * x[k];
      gradient[k] += x[k];
    }
  }
  return f;
}

void StandardizedObjective::hessian_vector(std::span<const double> v, std::span<double> out) {
  to_raw(v, raw_v_);
  inner_hessian_->hessian_vector(raw_v_, raw_out_);
  pull_back(raw_out_, out);
  if (l2_) {
    for (std::size_t k = 0; k < rows_ * d_; ++k)
      out[k] += v[k];
  }
}

}  // namespace simdlr::detail
