// Model files: JSON with "format": "simdlr-model" and a "version", the task, classes, feature
// names, coefficient rows, intercepts, the options and the fit report. Numbers are written with
// 17 significant digits, so every double reads back bit for bit. Loading checks the format, the
// version and every shape before anything is used. Files are written to a temporary name and
// renamed: a failed save leaves nothing behind.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "simdlr/errors.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"

namespace simdlr {

// A model file that cannot be used: unreadable, not JSON, not a simdlr model, a future version,
// or inconsistent shapes. The message names the file and the problem.
class ModelFileError : public Error {
 public:
  using Error::Error;
};

// The version written. 1: the first. 2: "options" gains "l1_ratio" (logistic) and "penalty" and
// "l1_ratio" (linear), for the l1 and elasticnet penalties. Every earlier version still loads:
// a missing key reads as its default (penalty l2, l1_ratio 0.5), what those files meant.
inline constexpr int kModelFileVersion = 2;

// Everything a model file holds, independent of the data precision.
struct SavedModel {
  std::string task;                   // "logistic" or "linear"
  std::string precision = "float64";  // precision of the data the model was fitted on
  ClassLabels classes;                // logistic only
  std::vector<std::string> feature_names;
  std::string target;             // name of the target column in the training CSV, if any
  std::size_t rows = 1;           // coefficient rows
  std::vector<double> coef;       // rows x feature_names.size()
  std::vector<double> intercept;  // rows
  LogisticRegressionOptions logistic;
  LinearRegressionOptions linear;
  std::vector<FitReport> reports;
};

template <class T>
SavedModel saved_model(const LogisticRegression<T>& model, std::vector<std::string> feature_names);
template <class T>
SavedModel saved_model(const LinearRegression<T>& model, std::vector<std::string> feature_names);

template <class T>
LogisticRegression<T> logistic_from(const SavedModel& saved);
template <class T>
LinearRegression<T> linear_from(const SavedModel& saved);

void save_model(const std::filesystem::path& file, const SavedModel& model);
SavedModel load_model(const std::filesystem::path& file);

}  // namespace simdlr
