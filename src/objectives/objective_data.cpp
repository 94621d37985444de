#include <string>

#include "simdlr/errors.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr::detail {
namespace {

void check_one_per_row(const char* objective, const char* what, std::size_t count,
                       std::size_t rows) {
  if (count != rows) {
    throw ShapeError(std::string(objective) + ": " + what + " has " + std::to_string(count) +
                     " values for " + std::to_string(rows) + " rows");
  }
}

}  // namespace

template <class T>
ObjectiveData<T>::ObjectiveData(const char* objective, MatrixView<const T> X, std::size_t targets,
                                const char* target_name, std::span<const T> sample_weight,
                                bool fit_intercept, Threads threads)
    : X(X),
      sample_weight(sample_weight),
      fit_intercept(fit_intercept),
      threads(threads),
      d(X.cols) {
  check_one_per_row(objective, target_name, targets, X.rows);
  if (!sample_weight.empty())
    check_one_per_row(objective, "sample_weight", sample_weight.size(), X.rows);
}

template struct ObjectiveData<float>;
template struct ObjectiveData<double>;

void set_known_column_max(RowNormCache& cache, std::vector<double> maxima, std::size_t d) {
  if (maxima.size() != d) {
    throw ShapeError("use_column_max_abs: " + std::to_string(maxima.size()) +
                     " column maxima for " + std::to_string(d) + " columns");
  }
  cache.known_column_max = std::move(maxima);
  cache.column_max.clear();  // combined again from these when next needed
}

bool smooth_l2(const char* objective, Penalty penalty) {
  if (penalty != Penalty::l2 && penalty != Penalty::none) {
    throw InvalidArgument(std::string(objective) +
                          ": penalties l1 and elasticnet are not smooth; build the data term "
                          "(Penalty::none) and minimise with minimize_prox_newton");
  }
  return penalty == Penalty::l2;
}

}  // namespace simdlr::detail
