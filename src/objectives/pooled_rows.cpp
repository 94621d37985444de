#include "pooled_rows.hpp"

#include <utility>

namespace simdlr::detail {
namespace {

std::vector<std::vector<double>>& pool() {
  thread_local std::vector<std::vector<double>> arrays;
  return arrays;
}

}  // namespace

PooledRows::PooledRows(std::size_t n) {
  if (n < kPooledMin || n > kPooledMax) {
    values_.assign(n, 0.0);
    return;
  }
  std::vector<std::vector<double>>& arrays = pool();
  arrays.reserve(kPooledArrays);  // so that the destructor's push_back cannot allocate
  // The smallest pooled array that holds n values.
  std::size_t best = arrays.size();
  for (std::size_t k = 0; k < arrays.size(); ++k) {
    if (arrays[k].capacity() >= n &&
        (best == arrays.size() || arrays[k].capacity() < arrays[best].capacity()))
      best = k;
  }
  if (best < arrays.size()) {
    values_ = std::move(arrays[best]);
    arrays.erase(arrays.begin() + std::ptrdiff_t(best));
  }
  values_.assign(n, 0.0);
}

PooledRows::~PooledRows() {
  const std::size_t capacity = values_.capacity();
  if (capacity < kPooledMin || capacity > kPooledMax) return;
  std::vector<std::vector<double>>& arrays = pool();
  if (arrays.size() < kPooledArrays) {
    arrays.push_back(std::move(values_));
    return;
  }
  // A full pool keeps the largest arrays.
  std::size_t smallest = 0;
  for (std::size_t k = 1; k < arrays.size(); ++k)
    if (arrays[k].capacity() < arrays[smallest].capacity()) smallest = k;
  if (arrays[smallest].capacity() < capacity) arrays[smallest] = std::move(values_);
}

}  // namespace simdlr::detail
