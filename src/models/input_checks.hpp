// Checks of user data before a fit or a prediction: shapes, NaN/Inf, weights. Each failure is a
// typed error naming the argument and the row/column.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

// X must be non-empty (rows >= 1, cols >= 1) with stride >= cols and every value finite (scanned
// on `threads`, as fast as a read). Returns max_i |x_ij| for each column, which the same scan
// computes and the objectives' certificates would otherwise read X once more for.
template <class T>
std::vector<double> check_training_matrix(const char* who, MatrixView<const T> X, Threads threads);
// check_training_matrix without the scan of the values: for a fit whose first pass takes the
// column maxima and shows a non-finite value by its loss (LogisticObjective::scan_in_first_pass),
// which then calls check_finite_values.
template <class T>
void check_training_shape(const char* who, MatrixView<const T> X);
// Throws what check_training_matrix would for the first NaN or ±inf of X, row by row (a row-wise
// vectorized test, then the row's values); returns when every value is finite.
template <class T>
void check_finite_values(const char* who, MatrixView<const T> X);
// The shape of X for prediction with a model of n_features features; its values are checked by
// check_finite_margins once the margins are computed.
template <class T>
void check_prediction_shape(const char* who, MatrixView<const T> X, std::size_t n_features);
// With finite coefficients, a non-finite value in X always makes its row's margin non-finite
// (NaN or ±inf propagate through x·w, and inf·0 is NaN), so scanning the few margins replaces
// scanning all of X on the prediction path. When a margin is not finite because of X, throws
// what check_training_matrix would for that X (InvalidArgument naming the row and column of the
// first non-finite value); margins that overflowed from finite X are left as they are.
template <class T>
void check_finite_margins(const char* who, MatrixView<const T> X, std::span<const T> margins);
// Empty, or X.rows finite values >= 0 with a positive sum.
template <class T>
void check_sample_weight(const char* who, std::span<const T> weights, std::size_t rows);
// n values, all finite.
void check_targets(const char* who, std::span<const double> y, std::size_t rows);
void check_label_count(const char* who, std::size_t labels, std::size_t rows);

}  // namespace simdlr::detail
