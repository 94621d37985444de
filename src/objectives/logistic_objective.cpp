#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "hessian_block.hpp"
#include "one_row.hpp"
#include "one_row_certificate.hpp"
#include "one_row_sums.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {
namespace {

// Columns from which double data keep the margins of every pass (LogisticObjective::margins_):
// writing n values costs under 1/64 of the pass's reading of n · d.
constexpr std::size_t kMarginsCols = 64;

}  // namespace

template <class T>
LogisticObjective<T>::LogisticObjective(MatrixView<const T> X, std::span<const T> y,
                                        std::span<const T> sample_weight, double C, Penalty penalty,
                                        bool fit_intercept, Threads threads)
    : data_("LogisticObjective", X, y.size(), "y", sample_weight, fit_intercept, threads),
      row_(y, X.cols),
      C_(C),
      l2_(detail::smooth_l2("LogisticObjective", penalty)),
      hessian_diag_(X.rows) {
  if (!(C > 0)) throw InvalidArgument("LogisticObjective: C must be positive");
  if (std::is_same_v<T, double> && X.cols >= kMarginsCols) margins_.resize(X.rows);
}

// One fused pass at the point of row_: loss and gradient sums; the Hessian diagonal when asked
// for.
template <class T>
double LogisticObjective<T>::pass(T* hessian_diag) {
  LogisticPass<T> arguments = detail::one_row_pass<LogisticPass<T>>(data_, row_);
  arguments.hessian_diag = hessian_diag;
  arguments.margins = margins_.empty() ? nullptr : margins_.data();
  if (!scan_pending_) return kernels::logistic_loss_grad(arguments, data_.threads);
  std::vector<T> maxima(data_.d);
  arguments.column_max_abs = maxima.data();
  const double loss = kernels::logistic_loss_grad(arguments, data_.threads);
  end_scan(std::isfinite(loss), maxima);
  return loss;
}

// scan_in_first_pass's check as a pass of its own.
template <class T>
void LogisticObjective<T>::scan_now() {
  std::vector<T> maxima(data_.d);
  end_scan(kernels::column_max_abs(data_.X, maxima.data(), data_.threads), maxima);
}

// The deferred scan is done: its check where X may hold a NaN or ±inf, and the maxima kept.
template <class T>
void LogisticObjective<T>::end_scan(bool finite, const std::vector<T>& maxima) {
  const std::function<void()> check = std::move(scan_pending_);
  scan_pending_ = nullptr;
  if (!finite) check();
  use_column_max_abs(std::vector<double>(maxima.begin(), maxima.end()));
}

template <class T>
double LogisticObjective<T>::value_and_gradient(std::span<const double> x, std::span<double> g) {
  detail::set_point(row_, x, data_.fit_intercept);
  if (in_double_) {
    if (scan_pending_) scan_now();  // the widened pass takes no maxima
    diagonal_current_ = diagonal_wanted_;
    wide_point_.clear();  // until the pass is done
    const double f = detail::value_and_gradient_in_double<T>(
        detail::OneRowLoss::logistic, data_, row_.y, detail::Weighting::logistic(C_, l2_), x, g,
        row_norms_, diagonal_wanted_ ? std::span<T>(hessian_diag_) : std::span<T>(), &wide_pass_);
    wide_point_.assign(x.begin(), x.end());
    return f;
  }
  const double loss = pass(diagonal_wanted_ ? hessian_diag_.data() : nullptr);
  diagonal_current_ = diagonal_wanted_;
  if (!margins_.empty()) margins_point_.assign(x.begin(), x.end());
  return detail::one_row_value_and_gradient(data_, row_, detail::Weighting::logistic(C_, l2_), loss,
                                            x, g);
}

template <class T>
bool LogisticObjective<T>::evaluate_in_double(bool on) {
  if (std::is_same_v<T, double>) return false;
  in_double_ = on;
  diagonal_current_ = false;  // the next evaluation makes it again
  return true;
}

template <class T>
void LogisticObjective<T>::hessian_vector(std::span<const double> v, std::span<double> out) {
  make_diagonal_current();
  detail::one_row_hessian_vector(data_, row_, hessian_diag_.data(),
                                 detail::Weighting::logistic(C_, l2_), v, out);
}

// First Hessian use at this point: one more pass for the diagonal (the gradient sums are scratch
// here), and from now on every evaluation computes it in its own pass.
template <class T>
void LogisticObjective<T>::make_diagonal_current() {
  if (diagonal_current_) return;
  diagonal_wanted_ = true;
  pass(hessian_diag_.data());
  diagonal_current_ = true;
}

template <class T>
void LogisticObjective<T>::hessian_block(std::span<const std::size_t> index, std::span<double> H) {
  make_diagonal_current();
  detail::one_row_hessian_block(data_, hessian_diag_.data(), detail::Weighting::logistic(C_, l2_),
                                index, H);
}

template <class T>
void LogisticObjective<T>::hessian(std::span<double> H) {
  sampled_hessian(H, 0);
}

template <class T>
void LogisticObjective<T>::sampled_hessian(std::span<double> H, std::size_t max_rows) {
  const detail::RowSample<T> sample(data_.X, max_rows);
  const std::size_t step = sample.step();
  // At w = 0 (a solver's start) every margin is b, so the diagonal needs no pass over X at all
  // (10,000 x 10 float64: 7 % of the fit, most of what the start Hessian cost there); elsewhere a
  // sample needs the margins of its rows only, not a pass over X. Either way the passes that
  // follow need not compute the diagonal.
  const bool at_start =
      !diagonal_current_ && std::all_of(row_.w.begin(), row_.w.end(), [](T v) { return v == 0; });
  if (!diagonal_current_ && (at_start || step > 1)) {
    const std::size_t rows = sample.local_rows(), first = sample.first();
    std::vector<T> z;
    if (!at_start) {
      z.resize(rows);
      kernels::margins(sample.local(), row_.w.data(), row_.b, z.data(), data_.threads);
      kernels::sigmoid(z.data(), z.data(), rows, data_.threads);
    }
    const T e = std::exp(-std::fabs(row_.b)), curvature = e / ((T(1) + e) * (T(1) + e));
    for (std::size_t i = 0; i < rows; ++i) {
      const std::size_t at = first + i * step;
      const T s = data_.sample_weight.empty() ? T(1) : data_.sample_weight[at];
      hessian_diag_[at] = at_start ? s * curvature : s * z[i] * (T(1) - z[i]);
    }
    diagonal_current_ = step == 1;  // every row's, at this point
  } else {
    make_diagonal_current();
  }
  detail::one_row_hessian(data_, hessian_diag_.data(), detail::Weighting::logistic(C_, l2_), H,
                          sample);
}

template <class T>
GapBound LogisticObjective<T>::certify(std::span<double> x, const CertifyRequest& request) {
  detail::LastPass last;
  const auto at_x = [&](const std::vector<double>& point) {
    return point.size() == x.size() &&
           std::memcmp(x.data(), point.data(), x.size() * sizeof(double)) == 0;
  };
  if constexpr (std::is_same_v<T, double>) {
    // The last pass's margins and gradient sums, when it was at x (passes at the same point for
    // the Hessian diagonal leave the same values).
    if (!margins_.empty() && at_x(margins_point_)) last = {margins_, row_.grad};
  } else {
    // The last evaluation in double at x, which made the check's own widened pass.
    if (at_x(wide_point_)) {
      const std::span<const double> kept(wide_pass_);
      last = {kept.first(data_.X.rows), kept.subspan(data_.X.rows, data_.d), true};
    }
  }
  if (!request.l1_penalty.empty()) {
    return detail::certify_elastic_net<T>(detail::OneRowLoss::logistic, data_, row_.y, C_,
                                          l2_ ? 1.0 : 0.0, x, request, row_norms_, last);
  }
  return detail::certify_one_row<T>(detail::OneRowLoss::logistic, data_, row_.y, C_,
                                    l2_ ? 1.0 : 0.0, x, request, row_norms_, last);
}

template <class T>
double LogisticObjective<T>::gap_estimate(std::span<const double> gradient) const {
  return detail::one_row_gap_estimate(gradient, data_.d, l2_ ? 1.0 : 0.0);
}

template class LogisticObjective<float>;
template class LogisticObjective<double>;

}  // namespace simdlr
