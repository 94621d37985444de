// Model quality measures. Means, not sums (kernels return sums). Weighted where a weight span
// is given (empty = unweighted).
#pragma once

#include <cstdint>
#include <span>

namespace simdlr::metrics {

// Fraction of equal entries.
double accuracy(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted);
// 1 − Σ (y − ŷ)² / Σ (y − ȳ)²; 1 when both sums are 0, 0 when only the second is.
double r2_score(std::span<const double> truth, std::span<const double> predicted);
double mean_squared_error(std::span<const double> truth, std::span<const double> predicted);

}  // namespace simdlr::metrics
