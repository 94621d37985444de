#include "simdlr/metrics.hpp"

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
