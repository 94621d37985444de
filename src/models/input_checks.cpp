#include "input_checks.hpp"

#include <cmath>

#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"

namespace simdlr::detail {
namespace {

std::string where(const char* who) {
  return std::string(who) + ": ";
}

// True if any of v[0..n) is NaN or infinite. A few values (the margins of a row or two) are
// summed right here: x · 0 is ±0 for finite x and NaN otherwise, and the sum is NaN exactly
// when one of them is. More go to the vectorized scan, on the calling thread.
template <class T>
bool any_non_finite(const T* v, std::size_t n) {
  if (n >= 8) return kernels::has_non_finite(MatrixView<const T>(v, n, 1), Threads{1});
  T total = 0;
  for (std::size_t j = 0; j < n; ++j)
    total += v[j] * T(0);
  return total != total;
}

template <class T>
void check_layout(const char* who, MatrixView<const T> X) {
  if (X.stride < X.cols) {
    throw ShapeError(where(who) + "X row stride " + std::to_string(X.stride) +
                     " is smaller than its " + std::to_string(X.cols) + " columns");
  }
  if (X.data == nullptr && X.rows * X.cols > 0) throw InvalidArgument(where(who) + "X has no data");
}

}  // namespace

template <class T>
void check_training_shape(const char* who, MatrixView<const T> X) {
  if (X.rows == 0)
    throw InvalidArgument(where(who) + "X has no rows; a fit needs at least one sample");
  if (X.cols == 0)
    throw InvalidArgument(where(who) + "X has no columns; a fit needs at least one feature");
  check_layout(who, X);
}

template <class T>
std::vector<double> check_training_matrix(const char* who, MatrixView<const T> X, Threads threads) {
  check_training_shape(who, X);
  // The vectorized scan says whether to look; the row-by-row scan finds what and where.
  std::vector<T> maxima(X.cols);
  if (!kernels::column_max_abs(X, maxima.data(), threads)) check_finite_values(who, X);
  return std::vector<double>(maxima.begin(), maxima.end());
}

template <class T>
void check_finite_values(const char* who, MatrixView<const T> X) {
  for (std::size_t i = 0; i < X.rows; ++i) {
    const T* row = X.row(i);
    if (!any_non_finite(row, X.cols)) continue;
    for (std::size_t j = 0; j < X.cols; ++j) {
      if (!std::isfinite(row[j])) {
        throw InvalidArgument(
            where(who) + "X[row " + std::to_string(i) + ", column " + std::to_string(j) + "] is " +
            (std::isnan(row[j]) ? "NaN" : "infinite") + "; every feature value must be finite");
      }
    }
  }
}

template <class T>
void check_prediction_shape(const char* who, MatrixView<const T> X, std::size_t n_features) {
  if (X.cols != n_features) {
    throw ShapeError(where(who) + "X has " + std::to_string(X.cols) +
                     " features but the model was fitted with " + std::to_string(n_features));
  }
  check_layout(who, X);
}

template <class T>
void check_finite_margins(const char* who, MatrixView<const T> X, std::span<const T> margins) {
  if (any_non_finite(margins.data(), margins.size())) check_finite_values(who, X);
}

template <class T>
void check_sample_weight(const char* who, std::span<const T> weights, std::size_t rows) {
  if (weights.empty()) return;
  if (weights.size() != rows) {
    throw ShapeError(where(who) + "sample_weight has " + std::to_string(weights.size()) +
                     " values for " + std::to_string(rows) + " rows");
  }
  long double total = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    if (!std::isfinite(weights[i])) {
      throw InvalidArgument(where(who) + "sample_weight[" + std::to_string(i) + "] is not finite");
    }
    if (weights[i] < 0) {
      throw InvalidArgument(where(who) + "sample_weight[" + std::to_string(i) +
                            "] = " + std::to_string(weights[i]) + " is negative");
    }
    total += weights[i];
  }
  if (!(total > 0)) throw InvalidArgument(where(who) + "sample weights are all zero");
}

void check_targets(const char* who, std::span<const double> y, std::size_t rows) {
  check_label_count(who, y.size(), rows);
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw InvalidArgument(where(who) + "y[" + std::to_string(i) + "] is " +
                            (std::isnan(y[i]) ? "NaN" : "infinite"));
    }
  }
}

void check_label_count(const char* who, std::size_t labels, std::size_t rows) {
  if (labels != rows) {
    throw ShapeError(where(who) + "y has " + std::to_string(labels) + " values but X has " +
                     std::to_string(rows) + " rows");
  }
}

template std::vector<double> check_training_matrix<float>(const char*, MatrixView<const float>,
                                                          Threads);
template std::vector<double> check_training_matrix<double>(const char*, MatrixView<const double>,
                                                           Threads);
template void check_training_shape<float>(const char*, MatrixView<const float>);
template void check_training_shape<double>(const char*, MatrixView<const double>);
template void check_finite_values<float>(const char*, MatrixView<const float>);
template void check_finite_values<double>(const char*, MatrixView<const double>);
template void check_prediction_shape<float>(const char*, MatrixView<const float>, std::size_t);
template void check_prediction_shape<double>(const char*, MatrixView<const double>, std::size_t);
template void check_finite_margins<float>(const char*, MatrixView<const float>,
                                          std::span<const float>);
template void check_finite_margins<double>(const char*, MatrixView<const double>,
                                           std::span<const double>);
template void check_sample_weight<float>(const char*, std::span<const float>, std::size_t);
template void check_sample_weight<double>(const char*, std::span<const double>, std::size_t);

}  // namespace simdlr::detail
