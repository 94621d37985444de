#include "simdlr/row_partition.hpp"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "chunking.hpp"

namespace simdlr {
namespace {

thread_local const RowPartition* active_partition = nullptr;

}  // namespace

ScopedRowPartition::ScopedRowPartition(const RowPartition* partition) noexcept
    : previous_(active_partition) {
  active_partition = partition;
}

ScopedRowPartition::~ScopedRowPartition() {
  active_partition = previous_;
}

const RowPartition* active_row_partition() noexcept {
  return active_partition;
}

void sum_in_row_blocks(std::size_t local_rows, std::span<double> out, int threads,
                       const std::function<void(std::size_t, std::size_t, double*)>& add_rows) {
  constexpr std::size_t kBlock = kRowBlockRows;
  const std::size_t width = out.size();
  const RowPartition* partition = active_row_partition();
  const std::size_t offset = partition ? partition->row_offset(partition->part()) : 0;
  const std::size_t end = offset + local_rows;
  // Local segments: global blocks [b·kBlock, (b + 1)·kBlock) cut to [offset, end).
  const std::size_t first_block = offset / kBlock;
  const std::size_t segments = local_rows == 0 ? 0 : (end - 1) / kBlock - first_block + 1;
  const auto segment_begin = [&](std::size_t k) {
    return std::max(offset, (first_block + k) * kBlock) - offset;
  };
  const auto segment_end = [&](std::size_t k) {
    return std::min(end, (first_block + k + 1) * kBlock) - offset;
  };
  // The first segment continues a block begun on an earlier part (it waits for that partial);
  // the last one's block may go on into a later part (it is not complete here).
  const bool continued = partition && offset % kBlock != 0 && segments > 0;
  const bool open =
      partition && segments > 0 && end % kBlock != 0 && end < partition->global_rows();
  std::vector<double> partial(segments * width, 0.0);
  const std::ptrdiff_t from = continued ? 1 : 0, to = std::ptrdiff_t(segments);
  const int team = to - from < 2 ? 1 : threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(team)
  for (std::ptrdiff_t k = from; k < to; ++k)
    add_rows(segment_begin(std::size_t(k)), segment_end(std::size_t(k)),
             partial.data() + std::size_t(k) * width);
  std::fill(out.begin(), out.end(), 0.0);
  const auto add_complete = [&](std::size_t count, double* total) {
    for (std::size_t k = 0; k < count; ++k)
      for (std::size_t j = 0; j < width; ++j)
        total[j] += partial[k * width + j];
  };
  if (partition == nullptr) {
    add_complete(segments, out.data());
    return;
  }
  // What travels from part to part: [an open block's index + 1 (0: none), its partial (width),
  // the total of the complete blocks so far (width)].
  std::vector<double> state(1 + 2 * width, 0.0);
  partition->in_order(std::as_writable_bytes(std::span<double>(state)), [&](std::span<std::byte>) {
    if (segments == 0) return;  // nothing of this part's: the state passes through
    double* carried = state.data() + 1;
    double* total = carried + width;
    if (continued) {
      if (state[0] == double(first_block + 1)) std::copy_n(carried, width, partial.begin());
      add_rows(segment_begin(0), segment_end(0), partial.data());
    }
    add_complete(open ? segments - 1 : segments, total);
    state[0] = open ? double(first_block + segments) : 0.0;
    if (open) std::copy_n(partial.begin() + std::ptrdiff_t((segments - 1) * width), width, carried);
  });
  std::copy_n(state.begin() + std::ptrdiff_t(1 + width), width, out.begin());
}

std::size_t pass_chunk_rows(std::size_t rows, std::size_t cols, std::size_t partials) {
  return detail::plan_rows(rows, cols, partials).size;
}

std::size_t gram_chunk_rows(std::size_t rows, std::size_t cols) {
  return detail::plan_gram(rows, cols).size;
}

}  // namespace simdlr
