#include "simdlr/row_partition.hpp"

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

std::size_t pass_chunk_rows(std::size_t rows, std::size_t cols, std::size_t partials) {
  return detail::plan_rows(rows, cols, partials).size;
}

std::size_t gram_chunk_rows(std::size_t rows, std::size_t cols) {
  return detail::plan_gram(rows, cols).size;
}

}  // namespace simdlr
