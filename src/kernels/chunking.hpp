// How work is cut into chunks, and how chunk partials are combined. Chunk boundaries depend on
// the problem size only, never on the thread count, and partials are combined in a fixed
// pairwise tree: this is what makes results bitwise-identical for any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel_table.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

// Elements per chunk of the vector kernels (dot, sigmoid, log_loss).
inline constexpr std::size_t kVectorChunk = 8192;
// Matrix kernels: at least this many elements of X per chunk...
inline constexpr std::size_t kRowChunkElements = 16384;
// ...at most this many chunks...
inline constexpr std::size_t kMaxRowChunks = 256;
// ...and at most this many partial-result elements summed over all chunks.
inline constexpr std::size_t kMaxPartialElements = std::size_t(1) << 23;
// Below this many elements of work a kernel runs on the calling thread: an OpenMP team costs
// microseconds, more than the work itself.
inline constexpr std::size_t kParallelMinWork = 1 << 15;
// weighted_gram: chunks are whole multiples of kGramChunkRowStep rows (kernel_table.hpp), at
// least kGramMinChunkRows, and at most kGramMaxChunks of them. Every chunk writes a cols x cols
// partial that is then added into another: few, long chunks keep that traffic small next to the
// reading of X (64 partials of 100 x 100 doubles are 5 MB against 131 MB of X at 163840 x 100)
// and the additions under 1/512 of the multiply-adds.
inline constexpr std::size_t kGramMinChunkRows = 512;
inline constexpr std::size_t kGramMaxChunks = 64;

// True when plan_rows makes one chunk of `rows` rows of `cols` elements, without computing the
// general plan (a row to predict, say). rows · max(cols, 1) ≤ kRowChunkElements is the same test
// as rows ≤ kRowChunkElements / max(cols, 1) without the division (it cannot overflow: X holds
// rows · cols elements).
inline bool rows_fit_one_chunk(std::size_t rows, std::size_t cols) {
  return rows * (cols > 0 ? cols : 1) <= kRowChunkElements;
}

struct ChunkPlan {
  std::size_t total = 0;  // elements or rows
  std::size_t size = 0;   // per chunk (the last may be shorter)
  std::size_t count = 0;
  // The global index of the first local element: 0, except for a process holding one block of
  // a matrix split over several (<simdlr/row_partition.hpp>), whose plan is that of the whole.
  std::size_t origin = 0;

  // Where chunk c starts, as a local index.
  std::size_t begin(std::size_t c) const { return c * size - origin; }
  std::size_t length(std::size_t c) const {
    const std::size_t b = c * size;
    return total - b < size ? total - b : size;
  }
};

ChunkPlan plan_vector(std::size_t n);
// rows of `cols` elements, each chunk producing `partial_size` partial-result elements.
ChunkPlan plan_rows(std::size_t rows, std::size_t cols, std::size_t partial_size);
// weighted_gram's chunks of rows of `cols` elements (see kGramChunkRowStep).
ChunkPlan plan_gram(std::size_t rows, std::size_t cols);

// The rows of X in chunk c, as the chunk kernels take them.
template <class T>
RowsChunk<T> rows_of(MatrixView<const T> X, const ChunkPlan& plan, std::size_t c) {
  return {X.data + plan.begin(c) * X.stride, plan.length(c), X.cols, X.stride};
}

// Threads to use for `plan` with `work` elements of work: 1 when small or when asked for 1.
int threads_for(const ChunkPlan& plan, std::size_t work, Threads threads);

// Runs body(c) for every chunk c, on `threads` threads (OpenMP, static schedule).
template <class Body>
void for_each_chunk(const ChunkPlan& plan, int threads, const Body& body) {
  if (threads <= 1) {
    for (std::size_t c = 0; c < plan.count; ++c)
      body(c);
    return;
  }
  const long count = long(plan.count);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long c = 0; c < count; ++c)
    body(std::size_t(c));
}

// The index of the calling thread in its OpenMP team and the team's size (0 and 1 outside a
// parallel region).
int thread_index();
int team_size();

// The first of the chunks [0, count) that thread t of a team of `team` takes when they are split
// into contiguous ranges, one per thread: thread t takes [chunk_range_begin(t), ...(t + 1)).
inline std::size_t chunk_range_begin(std::size_t count, int team, int t) {
  return count * std::size_t(t) / std::size_t(team);
}

// Runs body(first, last, t) for the contiguous ranges of chunks [first, last) of [0, count), one
// per thread t of a team of up to `threads` (OpenMP may give fewer); returns the team's size.
template <class Body>
int for_each_chunk_range(std::size_t count, int threads, const Body& body) {
  if (threads <= 1 || count < 2) {
    body(std::size_t(0), count, 0);
    return 1;
  }
  int team = 1;
#pragma omp parallel num_threads(threads)
  {
    const int t = thread_index(), n = team_size();
    if (t == 0) team = n;
    body(chunk_range_begin(count, n, t), chunk_range_begin(count, n, t + 1), t);
  }
  return team;
}

// Σ values[0..n) in a fixed pairwise order, in long double.
long double pairwise_sum(const long double* values, std::size_t n);

// partials holds `count` vectors of `size` elements, `stride` elements apart; adds them pairwise
// into partials[0..size).
template <class T>
void pairwise_combine(T* partials, std::size_t count, std::size_t size, std::size_t stride) {
  for (std::size_t step = 1; step < count; step *= 2) {
    for (std::size_t c = 0; c + step < count; c += 2 * step) {
      T* into = partials + c * stride;
      const T* from = partials + (c + step) * stride;
      for (std::size_t j = 0; j < size; ++j)
        into[j] += from[j];
    }
  }
}

inline constexpr std::size_t kCacheLine = 64;

// `elements` rounded up to a whole number of cache lines of T.
template <class T>
constexpr std::size_t whole_lines(std::size_t elements) {
  constexpr std::size_t per_line = kCacheLine / sizeof(T);
  return (elements + per_line - 1) / per_line * per_line;
}

// A per-thread, cache-line aligned buffer reused across calls so repeated kernel calls do not
// allocate.
template <class T>
T* scratch_buffer(std::size_t elements, int slot = 0) {
  static_assert(kCacheLine % sizeof(T) == 0 && sizeof(T) <= 16);
  thread_local std::vector<T> buffers[3];
  std::vector<T>& b = buffers[slot];
  // operator new aligns to 16 bytes, so at most 48 bytes (a multiple of sizeof(T)) are skipped.
  const std::size_t pad = (kCacheLine - 16) / sizeof(T);
  if (b.size() < elements + pad) b.resize(elements + pad);
  const std::size_t misalignment = reinterpret_cast<std::uintptr_t>(b.data()) % kCacheLine;
  return b.data() + (misalignment ? (kCacheLine - misalignment) / sizeof(T) : 0);
}

}  // namespace simdlr::detail
