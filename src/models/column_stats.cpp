#include "column_stats.hpp"

#include <cmath>
#include <span>
#include <vector>

#include "simdlr/row_partition.hpp"

namespace simdlr::detail {
namespace {

// Runs add(sums) over the rows, sums holding d long doubles: on one process once; under a row
// partition on every part in row order, each continuing the sums where the previous part's rows
// ended (RowPartition::in_order), so the sums have the single-process bits on every part.
template <class Add>
void sum_in_row_order(std::vector<long double>& sums, const Add& add) {
  const RowPartition* partition = active_row_partition();
  if (partition == nullptr) {
    add(sums);
    return;
  }
  std::span<std::byte> state(reinterpret_cast<std::byte*>(sums.data()),
                             sums.size() * sizeof(long double));
  partition->in_order(state, [&](std::span<std::byte>) { add(sums); });
}

}  // namespace

template <class T>
ColumnStats column_stats(MatrixView<const T> X, bool center) {
  const RowPartition* partition = active_row_partition();
  const std::size_t n = partition ? partition->global_rows() : X.rows, d = X.cols;
  std::vector<long double> sum(d, 0.0L), sq(d, 0.0L);
  sum_in_row_order(sum, [&](std::vector<long double>& s) {
    for (std::size_t i = 0; i < X.rows; ++i) {
      const T* row = X.row(i);
      for (std::size_t j = 0; j < d; ++j)
        s[j] += row[j];
    }
  });
  ColumnStats s{std::vector<double>(d, 0.0), std::vector<double>(d, 1.0)};
  for (std::size_t j = 0; j < d; ++j)
    s.mean[j] = center ? double(sum[j] / n) : 0.0;
  sum_in_row_order(sq, [&](std::vector<long double>& q) {
    for (std::size_t i = 0; i < X.rows; ++i) {
      const T* row = X.row(i);
      for (std::size_t j = 0; j < d; ++j) {
        const long double dev = (long double)row[j] - s.mean[j];
        q[j] += dev * dev;
      }
    }
  });
  for (std::size_t j = 0; j < d; ++j) {
    const double sd = double(std::sqrt(sq[j] / n));
    s.scale[j] = sd > 0 && std::isfinite(sd) ? sd : 1.0;
  }
  return s;
}

template ColumnStats column_stats<float>(MatrixView<const float>, bool);
template ColumnStats column_stats<double>(MatrixView<const double>, bool);

}  // namespace simdlr::detail
