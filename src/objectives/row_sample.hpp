// The systematic row sample the preconditioners estimate Hessians from: rows 0, k, 2k, … of the
// data. On one process, a strided view of X. Under a row partition (<simdlr/row_partition.hpp>),
// the sample is of the global rows (row g with g % k == 0), and every part's sampled rows are
// gathered, in part order, into one contiguous matrix on every part: the sample is small by
// design (about max_rows rows), and the Gram pass over it then runs exactly as on one process,
// so the estimate has the same bits for any number of parts. All rows (max_rows = 0, the exact
// Hessian) are not gathered: the sample is then the local block, to be passed over with the
// partition active (partition() says so).
#pragma once

#include <cstddef>
#include <cstring>
#include <vector>

#include "simdlr/matrix.hpp"
#include "simdlr/row_partition.hpp"

namespace simdlr::detail {

template <class T>
class RowSample {
 public:
  // X is this process's block of rows; `rows_wanted` as for row_step_for (0: every row).
  RowSample(MatrixView<const T> X, std::size_t rows_wanted)
      : partition_(active_row_partition()),
        global_rows_(partition_ ? partition_->global_rows() : X.rows),
        step_(global_rows_ == 0 || rows_wanted == 0 || global_rows_ <= rows_wanted
                  ? 1
                  : (global_rows_ + rows_wanted - 1) / rows_wanted) {
    const std::size_t offset = partition_ ? partition_->row_offset(partition_->part()) : 0;
    first_ = (step_ - offset % step_) % step_;
    local_ = first_ < X.rows ? (X.rows - first_ + step_ - 1) / step_ : 0;
    const MatrixView<const T> mine(X.data + first_ * X.stride, local_, X.cols, X.stride * step_);
    if (!partition_ || rows_wanted == 0) {
      X_ = mine;
      rows_ = partition_ ? global_rows_ : local_;
      local_block_ = partition_ != nullptr;
      return;
    }
    std::vector<T> packed(local_ * X.cols);
    for (std::size_t i = 0; i < local_; ++i)
      std::memcpy(packed.data() + i * X.cols, mine.row(i), X.cols * sizeof(T));
    gathered_ = gather(packed);
    rows_ = gathered_.size() / (X.cols > 0 ? X.cols : 1);
    X_ = MatrixView<const T>(gathered_.data(), rows_, X.cols);
  }

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

  // The values of a per-row array (this process's rows; nullptr: all `fill`) at the sample.
  std::vector<T> values(const T* per_row, T fill = T(1)) const {
    std::vector<T> mine(local_, fill);
    if (per_row) {
      for (std::size_t i = 0; i < local_; ++i)
        mine[i] = per_row[first_ + i * step_];
    }
    return partition_ && !local_block_ ? gather(mine) : mine;
  }

 private:
  std::vector<T> gather(const std::vector<T>& mine) const {
    const std::vector<std::byte> all = partition_->gather(std::span<const std::byte>(
        reinterpret_cast<const std::byte*>(mine.data()), mine.size() * sizeof(T)));
    std::vector<T> out(all.size() / sizeof(T));
    if (!all.empty()) std::memcpy(out.data(), all.data(), all.size());
    return out;
  }

  const RowPartition* partition_;
  std::size_t global_rows_, step_, first_ = 0, local_ = 0, rows_ = 0;
  bool local_block_ = false;
  std::vector<T> gathered_;
  MatrixView<const T> X_;
};

}  // namespace simdlr::detail
