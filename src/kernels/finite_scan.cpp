#include "finite_scan.hpp"

#include <atomic>

#include "dispatch.hpp"
#include "chunking.hpp"

namespace simdlr::detail {

template <class T>
bool matrix_has_non_finite(MatrixView<const T> X, Threads threads) {
  const KernelTable<T>& k = active_table<T>();
  const ChunkPlan plan = plan_rows(X.rows, X.cols, 0);
  const int nt = threads_for(plan, X.rows * X.cols, threads);
  if (nt <= 1) {
    for (std::size_t c = 0; c < plan.count; ++c)
      if (k.any_non_finite(rows_of(X, plan, c))) return true;
    return false;
  }
  std::atomic<bool> found{false};
  for_each_chunk(plan, nt, [&](std::size_t c) {
    if (!found.load(std::memory_order_relaxed) && k.any_non_finite(rows_of(X, plan, c)))
      found.store(true, std::memory_order_relaxed);
  });
  return found.load();
}

template bool matrix_has_non_finite(MatrixView<const float>, Threads);
template bool matrix_has_non_finite(MatrixView<const double>, Threads);

}  // namespace simdlr::detail
