// The subcommands of the simdlr tool. Each returns the process exit status; errors are thrown
// (simdlr::Error and friends) and turned into one line on stderr and status 2 by main.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data_source.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr::cli {

struct FitSettings {
  DataPaths data;
  std::filesystem::path model_out;  // --model (empty: do not save)
  std::string task = "logistic";
  std::string penalty = "l2";
  double C = 1.0;
  double alpha = 0.0;
  // --l1-ratio: elasticnet's mix; unset means the library's default (0.5). Refused outside
  // [0, 1] and with any penalty but elasticnet (fit_command.cpp).
  std::optional<double> l1_ratio;
  std::optional<std::string> solver;
  // --tol, --max-iter; these defaults hold for both tasks. Handed to the model as they are.
  SolverOptions solver_options{.tol = 1e-4, .max_iter = 100};
  std::string class_weight = "none";
  std::string multi_class = "auto";
  bool standardize = false;
  bool no_intercept = false;
  Threads threads;        // --threads; checked by the model
  std::string precision;  // float32 | float64 | "" (CSV: float64; NPY: the file's dtype)
  bool json = false;
  bool verbose = false;
};

// `simdlr cv`: the fit options (the model's, except --C and --alpha, which the grid replaces),
// the grid, the folds and the scoring. The *_given flags say which options were on the command
// line (an option that would be ignored is refused, never dropped silently).
struct CvSettings {
  FitSettings fit;
  // --Cs, --alphas, --l1-ratios: the items as given (comma-separated or repeated), parsed and
  // checked by run_cv so that an empty list or a non-number gets a message of its own.
  std::vector<std::string> Cs, alphas, l1_ratios;
  bool Cs_given = false, alphas_given = false, l1_ratios_given = false;
  bool strength_given = false;        // --C or --alpha (refused: the grid chooses them)
  std::optional<std::size_t> n_grid;  // --n-grid (default 20)
  std::optional<double> grid_ratio;   // --grid-ratio (default 1e4)
  std::size_t folds = 5;
  bool shuffle = false;
  std::optional<std::uint64_t> seed;   // --seed, only with --shuffle (default 0)
  std::optional<std::string> scoring;  // default: log_loss (logistic), r2 (linear)
};

struct PredictSettings {
  std::filesystem::path model;
  DataPaths data;
  bool proba = false;
  std::filesystem::path output;  // empty: stdout
};

struct EvalSettings {
  std::filesystem::path model;
  DataPaths data;
  bool json = false;
};

int run_fit(const FitSettings& settings);
int run_cv(const CvSettings& settings);
int run_predict(const PredictSettings& settings);
int run_eval(const EvalSettings& settings);
int run_info(bool kernel_timing);
int run_demo(const std::filesystem::path& data, const std::string& target);

}  // namespace simdlr::cli
