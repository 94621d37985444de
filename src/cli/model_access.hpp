// Helpers shared by predict and eval: checking a data set against a saved model.
#pragma once

#include <string>

#include "data_source.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_file.hpp"

namespace simdlr::cli {

// The data must have the model's features: the same count, and for CSV the same names in the
// same order.
template <class T>
void check_features(const SavedModel& saved, const Dataset<T>& data) {
  const std::size_t want = saved.feature_names.size();
  if (data.X.cols != want) {
    throw ShapeError(data.source + ": " + std::to_string(data.X.cols) +
                     " feature columns but the model was fitted with " + std::to_string(want));
  }
  if (data.table) {
    for (std::size_t j = 0; j < want; ++j) {
      if (data.feature_names[j] != saved.feature_names[j]) {
        throw ShapeError(data.source + ": feature column " + std::to_string(j + 1) + " is '" +
                         data.feature_names[j] + "' but the model expects '" +
                         saved.feature_names[j] + "'");
      }
    }
  }
}

// A CSV field, quoted when it contains a comma, a quote or a line break.
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

}  // namespace simdlr::cli
