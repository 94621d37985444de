// The options of `cv`: every option of `fit` (fit_options.hpp), then the grid, the folds and the
// scoring.
#pragma once

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "fit_options.hpp"

namespace simdlr::cli {

inline void add_cv_options(CLI::App& cmd, CvSettings& cv) {
  add_fit_options(cmd, cv.fit);
  cmd.add_option("--Cs", cv.Cs, "logistic: the grid of C values, e.g. 0.01,0.1,1 (in this order)")
      ->delimiter(',');
  cmd.add_option("--alphas", cv.alphas,
                 "linear: the grid of alpha values, e.g. 1,0.1,0.01 (in this order)")
      ->delimiter(',');
  cmd.add_option("--n-grid", cv.n_grid,
                 "values in the grid when --Cs/--alphas are not given; default 20");
  cmd.add_option("--grid-ratio", cv.grid_ratio,
                 "l1, elasticnet: the grid spans l1_min_c .. l1_min_c*R (logistic) or "
                 "alpha_max .. alpha_max/R (linear); default 1e4");
  cmd.add_option("--l1-ratios", cv.l1_ratios,
                 "elasticnet: the l1_ratio values to try, e.g. 0.1,0.5,0.9; default: --l1-ratio "
                 "or 0.5")
      ->delimiter(',');
  cmd.add_option("--folds", cv.folds,
                 "number of folds, >= 2; default 5 (stratified by class for logistic)");
  cmd.add_flag("--shuffle", cv.shuffle, "shuffle before cutting the folds (default: file order)");
  cmd.add_option("--seed", cv.seed, "seed of --shuffle; default 0");
  cmd.add_option("--scoring", cv.scoring,
                 "log_loss (logistic default), accuracy, roc_auc (two classes), r2 (linear "
                 "default) or mse")
      ->check(CLI::IsMember({"log_loss", "accuracy", "roc_auc", "r2", "mse"}));
}

// After parsing: which of the options were given.
inline void note_cv_options_given(const CLI::App& cmd, CvSettings& cv) {
  cv.Cs_given = cmd.count("--Cs") > 0;
  cv.alphas_given = cmd.count("--alphas") > 0;
  cv.l1_ratios_given = cmd.count("--l1-ratios") > 0;
  cv.strength_given = cmd.count("--C") > 0 || cmd.count("--alpha") > 0;
}

}  // namespace simdlr::cli
