// Per-column mean and (population) standard deviation, for `standardize`.
#pragma once

#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

struct ColumnStats {
  std::vector<double> mean;
  std::vector<double> scale;  // standard deviation, or 1 for a constant column
};

// Two passes (mean, then squared deviations), compensated sums in fixed blocks of rows
// (sum_in_row_blocks: the same bits for every thread count and, under a row partition, for every
// split). With center == false the means are reported as 0 and the scale is the root mean
// square, so no shift is applied.
template <class T>
ColumnStats column_stats(MatrixView<const T> X, bool center, Threads threads);

}  // namespace simdlr::detail
