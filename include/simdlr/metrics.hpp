// Model quality measures, checked against scikit-learn in the tests. They return means (the
// kernels return sums). Labels are class indices in [0, n_classes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace simdlr::metrics {

// Fraction of equal entries.
double accuracy(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted);

// Mean cross-entropy −(1/n) Σ log p_{i, y_i} for probabilities n x K (rows summing to 1),
// with p clipped to [1e-15, 1 − 1e-15] as scikit-learn does.
double log_loss(std::span<const std::int32_t> truth, std::span<const double> probabilities,
                std::size_t n_classes);

// Area under the ROC curve for binary labels (1 = positive) and scores (higher = more
// positive); ties count one half (the Mann-Whitney statistic). Needs both classes present.
double roc_auc(std::span<const std::int32_t> truth, std::span<const double> scores);

// counts[t * K + p]: samples of true class t predicted as p.
std::vector<std::size_t> confusion_matrix(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> predicted,
                                          std::size_t n_classes);

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;  // 0 where undefined (no predicted / true samples)
  std::size_t support = 0;                   // true samples of the class
};
std::vector<ClassScores> per_class_scores(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> predicted,
                                          std::size_t n_classes);

// 1 − Σ (y − ŷ)² / Σ (y − ȳ)²; 1 when both sums are 0, 0 when only the second is.
double r2_score(std::span<const double> truth, std::span<const double> predicted);
double mean_squared_error(std::span<const double> truth, std::span<const double> predicted);

}  // namespace simdlr::metrics
