// The certificates over a row partition (<simdlr/row_partition.hpp>, distributed fits): their sums
// over rows run on every row's margin, target and weight, gathered in row order on every part,
// exactly as on one process; their passes over X run on this part's block (the kernels combine
// the parts), their maxima are taken over the parts, and their sums in row order continue from
// part to part. On one process every helper is the identity.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

#include "simdlr/row_partition.hpp"

namespace simdlr::detail {

// Every part's values, concatenated in part order (this part's own values on one process).
template <class V>
std::vector<V> gather_rows(std::span<const V> local) {
  const RowPartition* partition = active_row_partition();
  if (partition == nullptr) return {local.begin(), local.end()};
  const std::vector<std::byte> all = partition->gather(std::as_bytes(local));
  std::vector<V> out(all.size() / sizeof(V));
  if (!all.empty()) std::memcpy(out.data(), all.data(), all.size());
  return out;
}

// values[j] ← the largest values[j] of all parts.
inline void max_over_parts(std::span<double> values) {
  if (active_row_partition() == nullptr) return;
  const std::vector<double> all = gather_rows<double>(values);
  for (std::size_t at = 0; at < all.size(); at += values.size()) {
    for (std::size_t j = 0; j < values.size(); ++j)
      values[j] = std::max(values[j], all[at + j]);
  }
}

// add(sum) over this part's rows, continuing the sum of the parts before it (in_order).
template <class V, class Add>
V sum_in_row_order(V sum, const Add& add) {
  const RowPartition* partition = active_row_partition();
  if (partition == nullptr) {
    add(sum);
    return sum;
  }
  partition->in_order(std::as_writable_bytes(std::span<V>(&sum, 1)),
                      [&](std::span<std::byte>) { add(sum); });
  return sum;
}

// This part's slice of a vector over every row (the vector itself on one process).
template <class V>
std::span<V> this_part(std::span<V> all, std::size_t local_rows) {
  const RowPartition* partition = active_row_partition();
  return partition ? all.subspan(partition->row_offset(partition->part()), local_rows) : all;
}

// The margins u, targets y and weights c of every row, for the sums over rows; views of this
// part's own vectors on one process. This part's rows are [offset, offset + local size).
template <class T>
struct AllRows {
  AllRows(std::span<const double> u_local, std::span<const T> y_local,
          std::span<const double> c_local)
      : partition(active_row_partition()) {
    // (u, y and c view the vectors below: not copied or moved)
    if (partition == nullptr) {
      u = u_local, y = y_local, c = c_local;
      return;
    }
    offset = partition->row_offset(partition->part());
    u_ = gather_rows(u_local), y_ = gather_rows(y_local), c_ = gather_rows(c_local);
    u = u_, y = y_, c = c_;
  }
  AllRows(const AllRows&) = delete;
  AllRows& operator=(const AllRows&) = delete;

  const RowPartition* partition;
  std::size_t offset = 0;
  std::span<const double> u, c;
  std::span<const T> y;

 private:
  std::vector<double> u_, c_;
  std::vector<T> y_;
};

}  // namespace simdlr::detail
