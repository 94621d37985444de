// The systematic row sample the preconditioners and the Hessian certificate estimate Hessians
// from: rows 0, k, 2k, … of the data. On one process, a strided view of X, or, for k ≥ kPackStep,
// the rows copied into one block (see pack_rows). Under a row partition
// (<simdlr/row_partition.hpp>), the sample is of the global rows (row g with g % k == 0), and every
// part's sampled rows are gathered, in part order, into one contiguous matrix on every part: the
// sample is small by design (about max_rows rows), and the Gram pass over it then runs exactly as
// on one process, so the estimate has the same bits for any number of parts. All rows (max_rows =
// 0, the exact Hessian) are not gathered: the sample is then the local block, to be passed over
// with the partition active (partition() says so).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#include "simdlr/matrix.hpp"
#include "simdlr/row_partition.hpp"

namespace simdlr::detail {

// Sampled rows this many rows apart or more are copied into one block before the kernels pass
// over them. Rows k · 800 bytes apart defeat the hardware prefetcher (it does not cross pages),
// so every kernel pass over the strided view waits on memory for every row. The copy is
// prefetched and at most 1/16 of X (a fit's peak memory stays within 1.2 X).
inline constexpr std::size_t kPackStep = 16;

// Rows [begin, begin + count) of a strided view into out, contiguous (converted to U); each
// row's cache lines are requested a few rows ahead.
template <class T, class U>
void copy_rows(MatrixView<const T> rows, std::size_t begin, std::size_t count, U* out) {
  constexpr std::size_t kAhead = 8, kLine = 64;
  const std::size_t bytes = rows.cols * sizeof(T), end = begin + count;
  for (std::size_t i = begin; i < end; ++i) {
    if (i + kAhead < end) {
      const char* ahead = reinterpret_cast<const char*>(rows.row(i + kAhead));
      for (std::size_t at = 0; at < bytes; at += kLine)
        __builtin_prefetch(ahead + at);
    }
    std::copy_n(rows.row(i), rows.cols, out + (i - begin) * rows.cols);
  }
}

template <class T>
std::vector<T> pack_rows(MatrixView<const T> rows) {
  std::vector<T> packed(rows.rows * rows.cols);
  copy_rows(rows, 0, rows.rows, packed.data());
  return packed;
}

template <class T>
class RowSample {
 public:
  // X is this process's block of rows; `rows_wanted` as for row_step_for (0: every row).
  RowSample(MatrixView<const T> X, std::size_t rows_wanted)
      : RowSample(X, step_for(X, rows_wanted), rows_wanted == 0, true) {}

  // Every `step`-th global row (step 1: all rows, under a row partition this part's block of them
  // with the partition active, as for rows_wanted = 0). On one process never copied: the caller
  // passes over it a block at a time (copy_rows).
  static RowSample every(MatrixView<const T> X, std::size_t step) {
    return RowSample(X, step, step == 1, false);
  }
  // (The views may point into the object's own copies.)
  RowSample(const RowSample&) = delete;
  RowSample& operator=(const RowSample&) = delete;

  // Rows in the whole data set, the sampling step, the rows in the sample.
  std::size_t global_rows() const { return global_rows_; }
  std::size_t step() const { return step_; }
  std::size_t rows() const { return rows_; }
  // The sample's rows here: all of them, or (partition() not null) this part's block of them.
  MatrixView<const T> X() const { return X_; }
  // The partition to pass over X() with: nullptr when X() is the whole sample.
  const RowPartition* partition() const { return local_block_ ? partition_ : nullptr; }
  // This process's sampled rows: local indices first() + i · step(), i < local_rows().
  std::size_t first() const { return first_; }
  std::size_t local_rows() const { return local_; }

  // This process's sampled rows (local indices first() + i · step()), contiguous when copied.
  MatrixView<const T> local() const { return local_view_; }

  // The `width` values per row of a row-major per-row array (this process's rows) at the sample.
  template <class V>
  std::vector<V> rows_of(const V* per_row, std::size_t width) const {
    std::vector<V> mine(local_ * width);
    for (std::size_t i = 0; i < local_; ++i)
      std::copy_n(per_row + (first_ + i * step_) * width, width, mine.data() + i * width);
    return partition_ && !local_block_ ? gather(mine) : mine;
  }

  // The values of a per-row array (this process's rows; nullptr: all `fill`) at the sample.
  template <class V>
  std::vector<V> values(const V* per_row, V fill = V(1)) const {
    std::vector<V> mine(local_, fill);
    if (per_row) {
      for (std::size_t i = 0; i < local_; ++i)
        mine[i] = per_row[first_ + i * step_];
    }
    return partition_ && !local_block_ ? gather(mine) : mine;
  }

 private:
  static std::size_t step_for(MatrixView<const T> X, std::size_t rows_wanted) {
    const RowPartition* partition = active_row_partition();
    const std::size_t n = partition ? partition->global_rows() : X.rows;
    return n == 0 || rows_wanted == 0 || n <= rows_wanted ? 1 : (n + rows_wanted - 1) / rows_wanted;
  }

  // all_rows: under a row partition, the local block with the partition active (otherwise the
  // sampled rows of every part are gathered, also with step 1). pack: copy the rows on one
  // process from kPackStep on.
  RowSample(MatrixView<const T> X, std::size_t step, bool all_rows, bool pack)
      : partition_(active_row_partition()),
        global_rows_(partition_ ? partition_->global_rows() : X.rows),
        step_(step) {
    const std::size_t offset = partition_ ? partition_->row_offset(partition_->part()) : 0;
    first_ = (step_ - offset % step_) % step_;
    local_ = first_ < X.rows ? (X.rows - first_ + step_ - 1) / step_ : 0;
    local_view_ = MatrixView<const T>(X.data + first_ * X.stride, local_, X.cols, X.stride * step_);
    if (!partition_ || all_rows) {
      if (pack && step_ >= kPackStep) {
        packed_ = pack_rows(local_view_);
        local_view_ = MatrixView<const T>(packed_.data(), local_, X.cols);
      }
      X_ = local_view_;
      rows_ = partition_ ? global_rows_ : local_;
      local_block_ = partition_ != nullptr;
      return;
    }
    gathered_ = gather(pack_rows(local_view_));
    rows_ = gathered_.size() / (X.cols > 0 ? X.cols : 1);
    X_ = MatrixView<const T>(gathered_.data(), rows_, X.cols);
  }

  template <class V>
  std::vector<V> gather(const std::vector<V>& mine) const {
    const std::vector<std::byte> all = partition_->gather(std::span<const std::byte>(
        reinterpret_cast<const std::byte*>(mine.data()), mine.size() * sizeof(V)));
    std::vector<V> out(all.size() / sizeof(V));
    if (!all.empty()) std::memcpy(out.data(), all.data(), all.size());
    return out;
  }

  const RowPartition* partition_;
  std::size_t global_rows_, step_, first_ = 0, local_ = 0, rows_ = 0;
  bool local_block_ = false;
  std::vector<T> packed_, gathered_;
  MatrixView<const T> X_, local_view_;
};

}  // namespace simdlr::detail
