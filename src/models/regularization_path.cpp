// Regularization paths: one fit per penalty strength, each warm-started from the one before.
#include <algorithm>
#include <cmath>
#include <string>

#include "simdlr/errors.hpp"
#include "simdlr/model_selection.hpp"

namespace simdlr {
namespace {

void check_strengths(const char* who, const char* name, std::span<const double> values) {
  if (values.empty())
    throw InvalidArgument(std::string(who) + ": the grid of " + name + " is empty");
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!(values[k] > 0) || !std::isfinite(values[k])) {
      throw InvalidArgument(std::string(who) + ": " + name + "[" + std::to_string(k) +
                            "] must be a positive number, got " + std::to_string(values[k]));
    }
  }
}

std::size_t count_nonzero(const std::vector<double>& coef) {
  return std::size_t(std::count_if(coef.begin(), coef.end(), [](double v) { return v != 0; }));
}

}  // namespace

bool PathPoint::converged() const {
  return std::all_of(reports.begin(), reports.end(),
                     [](const FitReport& r) { return r.converged; });
}

template <class T>
std::vector<PathPoint> logistic_path(MatrixView<const T> X, std::span<const double> y,
                                     std::span<const T> sample_weight,
                                     const LogisticRegressionOptions& options,
                                     std::span<const double> Cs) {
  check_strengths("logistic_path", "Cs", Cs);
  std::vector<PathPoint> path;
  LogisticRegression<T> previous;
  for (const double C : Cs) {
    LogisticRegressionOptions o = options;
    o.C = C;
    o.warm_start = true;
    LogisticRegression<T> model(o);
    if (previous.fitted()) {
      model.set_fitted(previous.classes(), previous.n_features(), previous.coef(),
                       previous.intercept(), {});
    }
    model.fit(X, y, sample_weight);
    path.push_back(
        {C, model.coef(), model.intercept(), count_nonzero(model.coef()), model.fit_reports()});
    previous = std::move(model);
  }
  return path;
}

template <class T>
std::vector<PathPoint> linear_path(MatrixView<const T> X, std::span<const double> y,
                                   std::span<const T> sample_weight,
                                   const LinearRegressionOptions& options,
                                   std::span<const double> alphas) {
  check_strengths("linear_path", "alphas", alphas);
  std::vector<PathPoint> path;
  LinearRegression<T> previous;
  for (const double alpha : alphas) {
    LinearRegressionOptions o = options;
    o.alpha = alpha;
    o.warm_start = true;
    LinearRegression<T> model(o);
    if (previous.fitted()) model.set_fitted(previous.coef(), previous.intercept());
    model.fit(X, y, sample_weight);
    path.push_back({alpha,
                    model.coef(),
                    {model.intercept()},
                    count_nonzero(model.coef()),
                    {model.fit_report()}});
    previous = std::move(model);
  }
  return path;
}

template std::vector<PathPoint> logistic_path<float>(MatrixView<const float>,
                                                     std::span<const double>,
                                                     std::span<const float>,
                                                     const LogisticRegressionOptions&,
                                                     std::span<const double>);
template std::vector<PathPoint> logistic_path<double>(MatrixView<const double>,
                                                      std::span<const double>,
                                                      std::span<const double>,
                                                      const LogisticRegressionOptions&,
                                                      std::span<const double>);
template std::vector<PathPoint> linear_path<float>(MatrixView<const float>, std::span<const double>,
                                                   std::span<const float>,
                                                   const LinearRegressionOptions&,
                                                   std::span<const double>);
template std::vector<PathPoint> linear_path<double>(MatrixView<const double>,
                                                    std::span<const double>,
                                                    std::span<const double>,
                                                    const LinearRegressionOptions&,
                                                    std::span<const double>);

}  // namespace simdlr
