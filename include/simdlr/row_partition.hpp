// The hook a distributed fit plugs into the kernels (MPI-free: the MPI side lives in the optional
// distributed component, <simdlr/distributed.hpp>).
//
// A RowPartition says that the rows a process holds are one block of a larger, global matrix
// split over several processes ("parts"), in part order: part p holds the global rows
// [row_offset(p), row_offset(p + 1)). While a ScopedRowPartition is active on a thread, every
// matrix kernel that sums over rows (transpose_product, logistic_loss_grad, squared_loss_grad,
// softmax_loss_grad, softmax_hessian_vector, hessian_vector, weighted_gram) called from that
// thread on the local block:
//   1. cuts the GLOBAL row count into the chunks the single-process kernel would use (the chunk
//      plan depends only on the problem's size, never on threads or parts),
//   2. computes the partials of the chunks whose rows this part holds,
//   3. has the partition share every chunk's partial with every part (share_chunks),
//   4. combines all the partials in the same fixed pairwise tree as the single-process kernel.
// The result is then bitwise identical on every part, for any number of parts and threads, and
// identical to the single-process kernel on the whole matrix (same ISA).
//
// Requirement: every part's block starts and ends on a chunk boundary of every pass it runs
// (a part may hold no rows). A kernel finds a block that does not throws InvalidArgument on
// every part alike (every part knows every block), so no part waits for the others forever.
// weighted_gram alone has no such requirement: the part holding the first row of a chunk that
// continues into the next blocks receives the rest of its rows (and weights) from them
// (exchange), at most one chunk's worth per block boundary.
// Per-row kernels (margins, has_non_finite) need no partition and ignore it; column_max_abs too
// (it gives the maxima of the local block).
//
// The objectives' preconditioners (sampled_hessian, MultinomialObjective::preconditioner) sample
// rows by their global index under a partition and gather the sample (gather below).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace simdlr {

class RowPartition {
 public:
  virtual ~RowPartition() = default;
  // Number of parts and the index of this one.
  virtual std::size_t parts() const = 0;
  virtual std::size_t part() const = 0;
  // The first global row of part p; row_offset(parts()) is the global row count.
  virtual std::size_t row_offset(std::size_t p) const = 0;
  std::size_t global_rows() const { return row_offset(parts()); }
  std::size_t local_rows() const { return row_offset(part() + 1) - row_offset(part()); }
  // buffer holds `chunks` results of chunk_bytes bytes each, chunk c at byte c · chunk_bytes;
  // part p has written those of chunks [first_chunk[p], first_chunk[p + 1]) (first_chunk has
  // parts() + 1 entries, the last one `chunks`). On return every part's buffer holds all of them.
  // Collective: every part calls it with the same chunk_bytes and first_chunk.
  virtual void share_chunks(void* buffer, std::size_t chunk_bytes,
                            std::span<const std::size_t> first_chunk) const = 0;
  // Every part's `local` bytes, concatenated in part order, on every part. Collective. (The
  // preconditioners' row samples: a few thousand rows.)
  virtual std::vector<std::byte> gather(std::span<const std::byte> local) const = 0;
  // A sum in row order over all parts, as one process makes it: runs step(state) on every part
  // in part order, each part receiving the state the previous one left (part 0: `state` as
  // given); on return every part holds the last part's state. Collective. (The column
  // statistics of standardize: a sequential sum, continued where the previous block ended.)
  virtual void in_order(std::span<std::byte> state,
                        const std::function<void(std::span<std::byte>)>& step) const = 0;
  // Point to point, collectively: this part sends send_counts[q] bytes to part q (packed in `send`
  // in part order) and receives receive_counts[q] bytes from part q (into `receive`, in part
  // order). Every part knows both sides, since transfers follow from the row offsets alone.
  // (weighted_gram's chunks whose rows span two blocks.)
  virtual void exchange(std::span<const std::byte> send, std::span<const std::size_t> send_counts,
                        std::span<std::byte> receive,
                        std::span<const std::size_t> receive_counts) const = 0;
};

// Makes `partition` the active partition of the calling thread until destroyed (then the previous
// one is active again). nullptr: none (plain single-process kernels).
class ScopedRowPartition {
 public:
  explicit ScopedRowPartition(const RowPartition* partition) noexcept;
  ~ScopedRowPartition();
  ScopedRowPartition(const ScopedRowPartition&) = delete;
  ScopedRowPartition& operator=(const ScopedRowPartition&) = delete;

 private:
  const RowPartition* previous_;
};

// The calling thread's active partition, or nullptr.
const RowPartition* active_row_partition() noexcept;

// Rows per block of sum_in_row_blocks.
inline constexpr std::size_t kRowBlockRows = 4096;

// Sums over rows outside the kernels (column statistics, the certificates' sums over margins):
// out[0..width) = Σ over blocks of the block's partial, in block order, where the blocks are the
// GLOBAL rows cut every kRowBlockRows rows and add_rows(begin, end, partial) adds this process's
// local rows [begin, end) of one block into its partial (width doubles, zero at first). The blocks
// run on up to `threads` OpenMP threads (0: OpenMP's default; add_rows must be safe to call
// concurrently for different blocks), so the sums are the same for every thread count. Under an
// active partition (collective) every part sums its own blocks; a block that spans parts is
// continued by each from the partial the one before left (in_order), and the running total travels
// from part to part with it: every part ends with the single-process bits, with nothing of size n
// gathered or sent and the serial part of the work one block per part.
void sum_in_row_blocks(std::size_t local_rows, std::span<double> out, int threads,
                       const std::function<void(std::size_t, std::size_t, double*)>& add_rows);

// The rows per chunk (the last chunk may be shorter) of a pass over `rows` rows of `cols`
// features whose chunks each produce `partials` partial sums: d + 1 for the logistic and squared
// passes and hessian_vector, d for transpose_product, K (d + 1) for the softmax passes. A block
// boundary at a multiple of it (or at `rows`) is a chunk boundary of that pass.
std::size_t pass_chunk_rows(std::size_t rows, std::size_t cols, std::size_t partials);
// The same for weighted_gram.
std::size_t gram_chunk_rows(std::size_t rows, std::size_t cols);

}  // namespace simdlr
