// The objectives' sums and maxima over rows under a row partition (<simdlr/row_partition.hpp>,
// distributed fits): each part works on its own rows, and the parts' results are combined so
// that every part has the single-process bits. Their passes over X run on this part's block (the
// kernels combine the parts). On one process every helper works on the local rows alone.
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

// The global rows cut into cells of `grid` rows; a cell that spans parts is to be handled whole by
// the part holding its first row. Under a row partition (collective): every part sends the rows it
// holds before its first cell boundary (`width` values per row, row-major in `head`, which holds
// those rows only) to the part holding that cell's first row, and receives, in row order, the
// rows after its own end that complete its last cell. Empty on one process.
inline std::vector<double> cell_tail(std::span<const double> head, std::size_t width,
                                     std::size_t grid) {
  const RowPartition* partition = active_row_partition();
  if (partition == nullptr) return {};
  const std::size_t parts = partition->parts(), me = partition->part();
  // The part holding global row g (parts without rows hold none).
  const auto holder = [&](std::size_t g) {
    std::size_t p = 0;
    while (partition->row_offset(p + 1) <= g)
      ++p;
    return p;
  };
  // Part q's head: its rows before the first multiple of grid, and who takes them.
  const auto head_rows = [&](std::size_t q) -> std::size_t {
    const std::size_t begin = partition->row_offset(q), end = partition->row_offset(q + 1);
    if (begin == end || begin % grid == 0) return 0;
    return std::min(end, (begin / grid + 1) * grid) - begin;
  };
  std::vector<std::size_t> send(parts, 0), receive(parts, 0);
  for (std::size_t q = 0; q < parts; ++q) {
    const std::size_t rows = head_rows(q);
    if (rows == 0) continue;
    const std::size_t to = holder(partition->row_offset(q) / grid * grid);
    if (q == me) send[to] = rows * width * sizeof(double);
    if (to == me) receive[q] = rows * width * sizeof(double);
  }
  std::size_t total = 0;
  for (std::size_t bytes : receive)
    total += bytes;
  std::vector<double> tail(total / sizeof(double));
  partition->exchange(std::as_bytes(head), send, std::as_writable_bytes(std::span<double>(tail)),
                      receive);
  return tail;
}

// The rows this part holds before its first multiple of grid (0 on one process): cell_tail's head.
inline std::size_t head_rows(std::size_t local_rows, std::size_t grid) {
  const RowPartition* partition = active_row_partition();
  if (partition == nullptr || local_rows == 0) return 0;
  const std::size_t begin = partition->row_offset(partition->part());
  if (begin % grid == 0) return 0;
  return std::min(begin + local_rows, (begin / grid + 1) * grid) - begin;
}

// Σ values[i] over the rows (this part's values under a row partition), in fixed blocks of rows
// (sum_in_row_blocks): the single-process bits on every part, for every thread count. Collective
// under a partition.
template <class V>
double row_total(std::span<const V> values, int threads = 1) {
  double total = 0;
  sum_in_row_blocks(values.size(), std::span<double>(&total, 1), threads,
                    [&](std::size_t begin, std::size_t end, double* sum) {
                      for (std::size_t i = begin; i < end; ++i)
                        *sum += double(values[i]);
                    });
  return total;
}

}  // namespace simdlr::detail
