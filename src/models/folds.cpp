// Fold assignments identical to scikit-learn's KFold and StratifiedKFold without shuffling, and
// the scoring names.
#include <algorithm>
#include <random>
#include <string>

#include "name_table.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_selection.hpp"

namespace simdlr {
namespace {

constexpr detail::NameTable<Scoring, 5> kScorings{"scoring",
                                                  {"log_loss", "accuracy", "roc_auc", "r2", "mse"}};

// Fisher-Yates with std::mt19937_64 and its raw output reduced by rejection, so the permutation
// is the same with every standard library (std::shuffle and the distributions are not).
template <class V>
void shuffle(std::vector<V>& values, std::mt19937_64& engine) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const std::uint64_t range = i, limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t draw;
    do {
      draw = engine();
    } while (draw >= limit);
    std::swap(values[i - 1], values[std::size_t(draw % range)]);
  }
}

void check_folds(const char* who, std::size_t folds, std::size_t n) {
  if (folds < 2 || folds > n) {
    throw InvalidArgument(std::string(who) + ": folds must be in [2, " + std::to_string(n) +
                          "] for " + std::to_string(n) + " rows, got " + std::to_string(folds));
  }
}

}  // namespace

std::string_view scoring_name(Scoring scoring) noexcept {
  return kScorings.name(scoring);
}

Scoring parse_scoring(std::string_view name) {
  return kScorings.parse(name);
}

std::vector<std::int32_t> kfold_assignment(std::size_t n, std::size_t folds, bool shuffle_rows,
                                           std::uint64_t seed) {
  check_folds("kfold_assignment", folds, n);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = i;
  if (shuffle_rows) {
    std::mt19937_64 engine(seed);
    shuffle(order, engine);
  }
  std::vector<std::int32_t> fold(n);
  std::size_t at = 0;
  for (std::size_t f = 0; f < folds; ++f) {
    const std::size_t size = n / folds + (f < n % folds ? 1 : 0);
    for (std::size_t t = 0; t < size; ++t)
      fold[order[at++]] = std::int32_t(f);
  }
  return fold;
}

std::vector<std::int32_t> stratified_kfold_assignment(std::span<const std::int32_t> classes,
                                                      std::size_t folds, bool shuffle_labels,
                                                      std::uint64_t seed) {
  const std::size_t n = classes.size();
  check_folds("stratified_kfold_assignment", folds, n);
  // Classes renumbered by first appearance, as scikit-learn's StratifiedKFold does.
  std::vector<std::int32_t> renumber;
  std::vector<std::size_t> encoded(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t c = classes[i];
    if (c < 0) throw InvalidArgument("stratified_kfold_assignment: negative class index");
    if (std::size_t(c) >= renumber.size()) renumber.resize(std::size_t(c) + 1, -1);
    if (renumber[std::size_t(c)] < 0) {
      renumber[std::size_t(c)] = std::int32_t(
          std::count_if(renumber.begin(), renumber.end(), [](std::int32_t v) { return v >= 0; }));
    }
    encoded[i] = std::size_t(renumber[std::size_t(c)]);
  }
  std::size_t K = 0;
  for (std::int32_t v : renumber)
    K += v >= 0;
  std::vector<std::size_t> count(K, 0);
  for (std::size_t e : encoded)
    ++count[e];
  for (std::size_t k = 0; k < K; ++k) {
    if (count[k] < folds) {
      throw InvalidArgument("stratified_kfold_assignment: " + std::to_string(folds) +
                            " folds need at least that many rows of every class; class " +
                            std::to_string(k) + " (by first appearance) has " +
                            std::to_string(count[k]));
    }
  }
  // allocation[f][k]: the rows of class k in fold f, from dealing the class-sorted rows to the
  // folds in turn (scikit-learn: bincount(y_order[f::folds])).
  std::vector<std::size_t> allocation(folds * K, 0);
  std::size_t position = 0;
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t t = 0; t < count[k]; ++t, ++position)
      ++allocation[(position % folds) * K + k];
  }
  std::vector<std::int32_t> fold(n);
  std::mt19937_64 engine(seed);
  for (std::size_t k = 0; k < K; ++k) {
    std::vector<std::int32_t> labels;  // fold f repeated allocation[f][k] times
    for (std::size_t f = 0; f < folds; ++f)
      labels.insert(labels.end(), allocation[f * K + k], std::int32_t(f));
    if (shuffle_labels) shuffle(labels, engine);
    std::size_t next = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (encoded[i] == k) fold[i] = labels[next++];
  }
  return fold;
}

}  // namespace simdlr
