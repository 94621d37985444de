#include "simdlr/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "simdlr/errors.hpp"

namespace simdlr::metrics {
namespace {

void check_sizes(const char* who, std::size_t a, std::size_t b) {
  if (a != b) {
    throw ShapeError(std::string(who) + ": " + std::to_string(a) + " true values but " +
                     std::to_string(b) + " predictions");
  }
  if (a == 0) throw InvalidArgument(std::string(who) + ": no values");
}

}  // namespace

double accuracy(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted) {
  check_sizes("accuracy", truth.size(), predicted.size());
  std::size_t equal = 0;
  for (std::size_t i = 0; i < truth.size(); ++i)
    equal += truth[i] == predicted[i];
  return double(equal) / double(truth.size());
}

double log_loss(std::span<const std::int32_t> truth, std::span<const double> probabilities,
                std::size_t n_classes) {
  check_sizes("log_loss", truth.size() * n_classes, probabilities.size());
  long double total = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const std::int32_t y = truth[i];
    if (y < 0 || std::size_t(y) >= n_classes) {
      throw InvalidArgument("log_loss: label " + std::to_string(y) + " at " + std::to_string(i) +
                            " is outside [0, " + std::to_string(n_classes) + ")");
    }
    const double p = std::clamp(probabilities[i * n_classes + std::size_t(y)], 1e-15, 1 - 1e-15);
    total -= std::log((long double)p);
  }
  return double(total / truth.size());
}

double roc_auc(std::span<const std::int32_t> truth, std::span<const double> scores) {
  check_sizes("roc_auc", truth.size(), scores.size());
  std::vector<std::size_t> order(truth.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Sum of the (tie-averaged) ranks of the positives.
  long double positive_rank_sum = 0;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]])
      ++j;
    const long double rank = (long double)(i + 1 + j) / 2;  // mean of ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k) {
      if (truth[order[k]] == 1) {
        positive_rank_sum += rank;
        ++positives;
      }
    }
    i = j;
  }
  const std::size_t negatives = truth.size() - positives;
  if (positives == 0 || negatives == 0) {
    throw InvalidArgument("roc_auc: needs both classes in the true labels");
  }
  const long double u = positive_rank_sum - (long double)positives * (positives + 1) / 2;
  return double(u / ((long double)positives * negatives));
}

std::vector<std::size_t> confusion_matrix(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> predicted,
                                          std::size_t n_classes) {
  check_sizes("confusion_matrix", truth.size(), predicted.size());
  std::vector<std::size_t> counts(n_classes * n_classes, 0);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || std::size_t(truth[i]) >= n_classes || predicted[i] < 0 ||
        std::size_t(predicted[i]) >= n_classes) {
      throw InvalidArgument("confusion_matrix: label outside [0, " + std::to_string(n_classes) +
                            ") at " + std::to_string(i));
    }
    counts[std::size_t(truth[i]) * n_classes + std::size_t(predicted[i])] += 1;
  }
  return counts;
}

std::vector<ClassScores> per_class_scores(std::span<const std::int32_t> truth,
                                          std::span<const std::int32_t> predicted,
                                          std::size_t n_classes) {
  const std::vector<std::size_t> cm = confusion_matrix(truth, predicted, n_classes);
  std::vector<ClassScores> out(n_classes);
  for (std::size_t k = 0; k < n_classes; ++k) {
    std::size_t predicted_k = 0, true_k = 0;
    for (std::size_t j = 0; j < n_classes; ++j) {
      predicted_k += cm[j * n_classes + k];
      true_k += cm[k * n_classes + j];
    }
    const double tp = double(cm[k * n_classes + k]);
    ClassScores& s = out[k];
    s.support = true_k;
    s.precision = predicted_k ? tp / double(predicted_k) : 0.0;
    s.recall = true_k ? tp / double(true_k) : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  }
  return out;
}

double r2_score(std::span<const double> truth, std::span<const double> predicted) {
  check_sizes("r2_score", truth.size(), predicted.size());
  long double mean = 0;
  for (double v : truth)
    mean += v;
  mean /= truth.size();
  long double residual = 0, total = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    residual += ((long double)truth[i] - predicted[i]) * ((long double)truth[i] - predicted[i]);
    total += (truth[i] - mean) * (truth[i] - mean);
  }
  if (total == 0) return residual == 0 ? 1.0 : 0.0;
  return double(1 - residual / total);
}

double mean_squared_error(std::span<const double> truth, std::span<const double> predicted) {
  check_sizes("mean_squared_error", truth.size(), predicted.size());
  long double sum = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    sum += ((long double)truth[i] - predicted[i]) * ((long double)truth[i] - predicted[i]);
  }
  return double(sum / truth.size());
}

}  // namespace simdlr::metrics
