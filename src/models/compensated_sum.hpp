// Neumaier's compensated summation into a (sum, compensation) pair of doubles: about twice the
// precision of a plain double sum, with a state of two doubles. A sum over rows kept that way can
// be continued by another process from the pair it was handed (sum_in_row_blocks), with the same
// bits as one process that added every row; an extended-precision accumulator rounded to a double
// partial could not.
#pragma once

#include <cmath>

namespace simdlr::detail {

inline void add_compensated(double& sum, double& compensation, double x) {
  const double t = sum + x;
  compensation += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
  sum = t;
}

}  // namespace simdlr::detail
