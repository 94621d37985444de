// Per-fit statistics of the rows for the certificates (docs/convergence.md, section 2): the
// tier-1 intercept term's Σ c_i ‖x_i‖_{P⁻¹} and the column maxima that bound every row's leverage
// in the sampled Hessian certificate. One pass computes both (the maxima alone come from the
// column_max_abs kernel) and caches them in the objective.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "partition_rows.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/objectives.hpp"
#include "wide_passes.hpp"

namespace simdlr::detail {

// One pass over the rows with c_i ≠ 0: Σ c_i ‖x_i‖_{P⁻¹} when `penalty` is not empty (every
// p_j > 0), and max_i |x_ij| when the cache has none yet. Rows run in parallel; the per-row
// terms are summed in fixed blocks of rows afterwards and maxima are exact, so the values do not
// depend on the thread count.
template <class T>
void row_statistics_pass(MatrixView<const T> X, std::span<const double> c,
                         std::span<const double> penalty, Threads threads, RowNormCache& cache) {
  constexpr std::size_t kSums = 8;  // independent sums, in pairs that baseline SSE2 vectorizes
  const std::size_t n = X.rows, d = X.cols, blocks = d / kSums * kSums;
  const bool norms = !penalty.empty();
  const bool maxima = cache.column_max.empty() && cache.known_column_max.empty();
  std::vector<double> inverse(d, 0.0), term(norms ? n : 0, 0.0), column_max(d, 0.0);
  if (norms) {
    for (std::size_t j = 0; j < d; ++j)
      inverse[j] = 1 / penalty[j];
  }
#pragma omp parallel num_threads(wide_threads(threads, X))
  {
    std::vector<double> local(maxima ? d : 0, 0.0);
#pragma omp for schedule(static)
    for (std::ptrdiff_t signed_i = 0; signed_i < std::ptrdiff_t(n); ++signed_i) {
      const auto i = std::size_t(signed_i);
      if (c[i] == 0) continue;
      const T* row = X.data + i * X.stride;
      if (norms) {
        double s[kSums] = {};
        for (std::size_t j = 0; j < blocks; j += kSums) {
          for (std::size_t k = 0; k < kSums; ++k) {
            const double v = row[j + k];
            s[k] += v * v * inverse[j + k];
          }
        }
        for (std::size_t j = blocks; j < d; ++j)
          s[0] += double(row[j]) * double(row[j]) * inverse[j];
        term[i] =
            c[i] * std::sqrt(((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])));
      }
      if (maxima) {
        for (std::size_t j = 0; j < d; ++j)
          local[j] = std::max(local[j], std::fabs(double(row[j])));
      }
    }
#pragma omp critical
    for (std::size_t j = 0; j < local.size(); ++j)
      column_max[j] = std::max(column_max[j], local[j]);
  }
  if (maxima) {
    max_over_parts(column_max);  // under a row partition: of every part's rows
    cache.column_max = std::move(column_max);
  }
  if (norms) {
    cache.penalty.assign(penalty.begin(), penalty.end());
    cache.value = row_total(std::span<const double>(term), wide_threads(threads, X));
  }
}

// Σ c_i ‖x_i‖_{P⁻¹}, from the cache when it was computed for this penalty.
template <class T>
double row_norm_sum(MatrixView<const T> X, std::span<const double> c,
                    std::span<const double> penalty, Threads threads, RowNormCache& cache) {
  if (cache.value < 0 ||
      !std::equal(penalty.begin(), penalty.end(), cache.penalty.begin(), cache.penalty.end())) {
    row_statistics_pass(X, c, penalty, threads, cache);
  }
  return cache.value;
}

// Bounds max_i |x_ij| over the rows with c_i ≠ 0, X.cols values: the maxima over all rows, the
// caller's (known_column_max) or by the kernel (rows of zero weight only make the bound larger,
// and are rare).
template <class T>
std::span<const double> column_max_abs(MatrixView<const T> X, std::span<const double> c,
                                       Threads threads, RowNormCache& cache) {
  (void)c;
  if (cache.column_max.empty() && !cache.known_column_max.empty()) {
    cache.column_max = cache.known_column_max;
    max_over_parts(cache.column_max);  // under a row partition: of every part's rows
  } else if (cache.column_max.empty()) {
    std::vector<T> maxima(X.cols);
    kernels::column_max_abs(X, maxima.data(), threads);
    cache.column_max.assign(maxima.begin(), maxima.end());
    max_over_parts(cache.column_max);  // under a row partition: of every part's rows
  }
  return cache.column_max;
}

}  // namespace simdlr::detail
