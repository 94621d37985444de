// Data-parallel fits over MPI (the optional component simdlr_distributed; the core library never
// links MPI). Every rank holds one block of rows of the training data, in rank order: rank r the
// global rows [row_offset(r), row_offset(r + 1)). The objectives run their passes on the local
// block under a RowPartition (<simdlr/row_partition.hpp>): each rank computes the partial sums of
// the fixed row chunks it holds, the chunk partials are all-gathered, and every rank combines all
// of them in the fixed pairwise tree of the single-process kernels. The solver state is therefore
// replicated and identical on every rank.
//
// Determinism contract: for the same data, the fitted coefficients are bitwise identical for any
// number of ranks and any threads per rank (same ISA), provided every rank's block starts on a
// chunk boundary of the fit's passes (those of pass_chunk_rows; weighted_gram takes any split);
// row_range gives such a split. A split that does not is an InvalidArgument on every rank (never
// a different answer, never a hang). A rank may hold no rows, and the last block may be shorter
// than a chunk.
//
// What a distributed fit does, compared with LogisticRegression::fit and LinearRegression::fit
// on one process: the same, bit for bit (coefficients, report, certified bound). Classes,
// balanced class weights, the row count, the standardization statistics and the certificate's
// sums over rows (each rank summing its own rows in fixed blocks, sum_in_row_blocks) and the
// preconditioner's row sample (rows chosen by global index, then gathered) are global;
// every solver (auto resolved with the global row count), penalty and option works. The tests
// check it for 1-4 ranks. single_process_fit runs the same code on one process (no MPI).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/row_partition.hpp"

namespace simdlr::distributed {

// The rows [begin, end) of rank `rank` of `ranks` in a split of `global_rows` rows of `cols`
// features on chunk boundaries of the fit's passes (those of kernels::logistic_loss_grad,
// squared_loss_grad, hessian_vector and, for `classes` > 2 multinomial, softmax_loss_grad):
// whole chunks, as evenly as they go. Ranks beyond the chunk count get no rows.
struct RowRange {
  std::size_t begin = 0, end = 0;
};
RowRange row_range(std::size_t global_rows, std::size_t cols, std::size_t ranks, std::size_t rank,
                   std::size_t classes = 2);

// The partition of a communicator's ranks: built collectively from every rank's local row count
// (blocks in rank order). share_chunks is an MPI_Allgatherv in place.
class MpiRowPartition final : public RowPartition {
 public:
  MpiRowPartition(MPI_Comm comm, std::size_t local_rows);

  std::size_t parts() const override { return offsets_.size() - 1; }
  std::size_t part() const override { return rank_; }
  std::size_t row_offset(std::size_t p) const override { return offsets_.at(p); }
  void share_chunks(void* buffer, std::size_t chunk_bytes,
                    std::span<const std::size_t> first_chunk) const override;
  std::vector<std::byte> gather(std::span<const std::byte> local) const override;
  void in_order(std::span<std::byte> state,
                const std::function<void(std::span<std::byte>)>& step) const override;
  void exchange(std::span<const std::byte> send, std::span<const std::size_t> send_counts,
                std::span<std::byte> receive,
                std::span<const std::size_t> receive_counts) const override;
  MPI_Comm comm() const { return comm_; }

 private:
  MPI_Comm comm_;
  std::size_t rank_;
  std::vector<std::size_t> offsets_;
};

// Collective over comm: fits `model` (with its options) to the rows of every rank; X, y and
// sample_weight (empty: all ones; empty on every rank or on none) are this rank's block. On return
// the model and its report are the same on every rank. Errors (bad options, NaN in any rank's
// block, a single class, an unaligned split) are thrown on every rank alike.
template <class T>
const FitReport& fit(LogisticRegression<T>& model, MPI_Comm comm, MatrixView<const T> X,
                     std::span<const double> y, std::span<const T> sample_weight = {});
template <class T>
const FitReport& fit(LinearRegression<T>& model, MPI_Comm comm, MatrixView<const T> X,
                     std::span<const double> y, std::span<const T> sample_weight = {});

// The same algorithm on one process over all rows (no MPI): what a distributed fit must equal
// bit for bit.
template <class T>
const FitReport& single_process_fit(LogisticRegression<T>& model, MatrixView<const T> X,
                                    std::span<const double> y,
                                    std::span<const T> sample_weight = {});
template <class T>
const FitReport& single_process_fit(LinearRegression<T>& model, MatrixView<const T> X,
                                    std::span<const double> y,
                                    std::span<const T> sample_weight = {});

}  // namespace simdlr::distributed
