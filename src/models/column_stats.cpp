#include "column_stats.hpp"

#include <cmath>

namespace simdlr::detail {

template <class T>
ColumnStats column_stats(MatrixView<const T> X, bool center) {
  const std::size_t n = X.rows, d = X.cols;
  std::vector<long double> sum(d, 0.0L), sq(d, 0.0L);
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = X.row(i);
    for (std::size_t j = 0; j < d; ++j)
      sum[j] += row[j];
  }
  ColumnStats s{std::vector<double>(d, 0.0), std::vector<double>(d, 1.0)};
  for (std::size_t j = 0; j < d; ++j)
    s.mean[j] = center ? double(sum[j] / n) : 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = X.row(i);
    for (std::size_t j = 0; j < d; ++j) {
      const long double dev = (long double)row[j] - s.mean[j];
      sq[j] += dev * dev;
    }
  }
  for (std::size_t j = 0; j < d; ++j) {
    const double sd = double(std::sqrt(sq[j] / n));
    s.scale[j] = sd > 0 && std::isfinite(sd) ? sd : 1.0;
  }
  return s;
}

template ColumnStats column_stats<float>(MatrixView<const float>, bool);
template ColumnStats column_stats<double>(MatrixView<const double>, bool);

}  // namespace simdlr::detail
