#include "column_stats.hpp"

#include "compensated_sum.hpp"

#include <cmath>
#include <span>
#include <vector>

#include "simdlr/row_partition.hpp"

namespace simdlr::detail {
namespace {

// Column sums of term(row, j) over the rows, d values: compensated sums (compensated_sum.hpp)
// in fixed blocks of rows (sum_in_row_blocks: the same bits for every thread count and, under a
// row partition, on every part for every split), the blocks' pairs added in block order.
template <class T, class Term>
std::vector<double> column_sums(MatrixView<const T> X, int threads, const Term& term) {
  const std::size_t d = X.cols;
  std::vector<double> pairs(2 * d, 0.0);  // sums, then compensations
  sum_in_row_blocks(X.rows, pairs, threads, [&](std::size_t begin, std::size_t end, double* out) {
    for (std::size_t i = begin; i < end; ++i) {
      const T* row = X.row(i);
      for (std::size_t j = 0; j < d; ++j)
        add_compensated(out[j], out[d + j], term(row[j], j));
    }
  });
  std::vector<double> sums(d);
  for (std::size_t j = 0; j < d; ++j)
    sums[j] = pairs[j] + pairs[d + j];
  return sums;
}

}  // namespace

template <class T>
ColumnStats column_stats(MatrixView<const T> X, bool center, Threads threads) {
  const RowPartition* partition = active_row_partition();
  const std::size_t n = partition ? partition->global_rows() : X.rows, d = X.cols;
  const int team =
      X.rows * d < (std::size_t(1) << 15) ? 1 : (threads.count > 0 ? threads.count : 0);
  ColumnStats s{std::vector<double>(d, 0.0), std::vector<double>(d, 1.0)};
  if (center) {
    const std::vector<double> sum =
        column_sums(X, team, [](T v, std::size_t) { return double(v); });
    for (std::size_t j = 0; j < d; ++j)
      s.mean[j] = sum[j] / double(n);
  }
  const std::vector<double> sq = column_sums(X, team, [&](T v, std::size_t j) {
    const double dev = double(v) - s.mean[j];
    return dev * dev;
  });
  for (std::size_t j = 0; j < d; ++j) {
    const double sd = std::sqrt(sq[j] / double(n));
    s.scale[j] = sd > 0 && std::isfinite(sd) ? sd : 1.0;
  }
  return s;
}

template ColumnStats column_stats<float>(MatrixView<const float>, bool, Threads);
template ColumnStats column_stats<double>(MatrixView<const double>, bool, Threads);

}  // namespace simdlr::detail
