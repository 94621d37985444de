// What `simdlr fit` and `simdlr-mpi fit` share: the models' options from the command line and
// the report (text, or one JSON object with the keys of ARCHITECTURE.md).
#pragma once

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/model_file.hpp"

namespace simdlr::cli {

LogisticRegressionOptions logistic_options(const FitSettings& s);
LinearRegressionOptions linear_options(const FitSettings& s);

struct FitOutcome {
  SavedModel saved;
  double seconds = 0;
};

void print_text(const FitOutcome& out, const FitSettings& s);
// The object `fit --json` prints (also the "refit" of `cv --json`).
nlohmann::json fit_json(const FitOutcome& out, const FitSettings& s);
void print_json(const FitOutcome& out, const FitSettings& s);

}  // namespace simdlr::cli
