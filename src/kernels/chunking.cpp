#include "chunking.hpp"

#include <omp.h>

#include <algorithm>

namespace simdlr::detail {

ChunkPlan plan_vector(std::size_t n) {
  return {n, kVectorChunk, (n + kVectorChunk - 1) / kVectorChunk};
}

ChunkPlan plan_rows(std::size_t rows, std::size_t cols, std::size_t partial_size) {
  if (rows == 0) return {0, 1, 0};
  const std::size_t width = std::max<std::size_t>(cols, 1);
  // Small inputs (one row to predict, say) are one chunk; this is the plan the general case
  // below makes for them too, without its integer divisions (tens of cycles each).
  if (rows_fit_one_chunk(rows, cols)) return {rows, rows, 1};
  std::size_t max_chunks = kMaxRowChunks;
  if (partial_size > 0) {
    max_chunks = std::clamp<std::size_t>(kMaxPartialElements / partial_size, 1, kMaxRowChunks);
  }
  std::size_t size =
      std::max((kRowChunkElements + width - 1) / width, (rows + max_chunks - 1) / max_chunks);
  size = std::max<std::size_t>(size, 1);
  return {rows, size, (rows + size - 1) / size};
}

ChunkPlan plan_gram(std::size_t rows, std::size_t cols) {
  if (rows == 0) return {0, 1, 0};
  if (rows_fit_one_chunk(rows, cols)) return {rows, rows, 1};
  const std::size_t width = std::max<std::size_t>(cols, 1);
  const std::size_t max_chunks =
      std::clamp<std::size_t>(kMaxPartialElements / (width * width), 1, kGramMaxChunks);
  std::size_t size = std::max({(kRowChunkElements + width - 1) / width,
                               (rows + max_chunks - 1) / max_chunks, kGramMinChunkRows});
  size = (size + kGramChunkRowStep - 1) / kGramChunkRowStep * kGramChunkRowStep;
  return {rows, size, (rows + size - 1) / size};
}

int threads_for(const ChunkPlan& plan, std::size_t work, Threads threads) {
  if (plan.count < 2 || work < kParallelMinWork) return 1;
  int n = threads.count > 0 ? threads.count : omp_get_max_threads();
  return int(std::min<std::size_t>(std::size_t(std::max(n, 1)), plan.count));
}

int thread_index() {
  return omp_get_thread_num();
}

int team_size() {
  return omp_get_num_threads();
}

long double pairwise_sum(const long double* values, std::size_t n) {
  if (n == 0) return 0;
  if (n == 1) return values[0];
  const std::size_t half = n / 2;
  return pairwise_sum(values, half) + pairwise_sum(values + half, n - half);
}

}  // namespace simdlr::detail
