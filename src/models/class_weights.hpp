// The per-row weights and class indices of a classifier's fit, shared by LogisticRegression and
// the model-selection helpers (l1_min_c, cross-validation).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "simdlr/logistic_regression.hpp"

namespace simdlr::detail {

// Per-sample weights: sample weights times class weights, or empty when all are one.
template <class T>
std::vector<T> effective_weights(std::span<const T> sample_weight, std::span<const std::int32_t> y,
                                 std::size_t n_classes, ClassWeight class_weight) {
  if (class_weight == ClassWeight::none) {
    return std::vector<T>(sample_weight.begin(), sample_weight.end());
  }
  std::vector<double> count(n_classes, 0.0);
  for (std::int32_t k : y)
    count[std::size_t(k)] += 1;
  std::vector<T> w(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double cw = double(y.size()) / (double(n_classes) * count[std::size_t(y[i])]);
    w[i] = T(cw * (sample_weight.empty() ? 1.0 : double(sample_weight[i])));
  }
  return w;
}

// The index in `classes` of each label (-1 for a label that is not a class).
template <class Label>
std::vector<std::int32_t> class_indices(const ClassLabels& classes, std::span<const Label> y) {
  std::vector<std::int32_t> index(y.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    index[i] = classes.index_of(y[i]);
  return index;
}

inline std::vector<std::int32_t> class_indices(const ClassLabels& classes,
                                               std::span<const double> y) {
  return classes.indices_of(y);
}

}  // namespace simdlr::detail
