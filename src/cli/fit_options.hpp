// The options of `fit` (everything but the data options), shared by simdlr and simdlr-mpi.
#pragma once

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace simdlr::cli {

inline void add_fit_options(CLI::App& cmd, FitSettings& fit) {
  cmd.add_option("--model", fit.model_out, "write the fitted model to this JSON file");
  cmd.add_option("--task", fit.task, "logistic (default) or linear")
      ->check(CLI::IsMember({"logistic", "linear"}));
  cmd.add_option("--penalty", fit.penalty,
                 "l2 (default), none, l1 or elasticnet; linear: l2 is ridge (--alpha, 0: least "
                 "squares), none least squares, l1 Lasso and elasticnet ElasticNet (--alpha > 0)")
      ->check(CLI::IsMember({"l2", "none", "l1", "elasticnet"}));
  cmd.add_option("--C", fit.C, "inverse regularisation strength (logistic), > 0; default 1");
  cmd.add_option("--alpha", fit.alpha,
                 "penalty strength (linear): >= 0 for l2 (ridge), > 0 for l1 and elasticnet; "
                 "default 0");
  cmd.add_option("--l1-ratio", fit.l1_ratio,
                 "elasticnet's mix l1_ratio in [0, 1] (1: l1, 0: l2); default 0.5; only with "
                 "--penalty elasticnet");
  cmd.add_option("--solver", fit.solver,
                 "logistic: auto (default)|lbfgs|newton|newton-cholesky|gd|prox-newton "
                 "(l1, elasticnet: auto or prox-newton); linear: cholesky (default)|lbfgs|newton|"
                 "gd|cd (l1, elasticnet: cholesky, which runs cd, or cd)");
  cmd.add_option("--tol", fit.solver_options.tol,
                 "> 0; converged means a certified relative gap <= tol/100; default 1e-4");
  cmd.add_option("--max-iter", fit.solver_options.max_iter, "iteration limit, > 0; default 100");
  cmd.add_option("--class-weight", fit.class_weight, "balanced or none (default)")
      ->check(CLI::IsMember({"balanced", "none"}));
  cmd.add_option("--multi-class", fit.multi_class, "auto (default), multinomial or ovr")
      ->check(CLI::IsMember({"auto", "multinomial", "ovr"}));
  cmd.add_flag("--standardize", fit.standardize, "fit on standardized features");
  cmd.add_flag("--no-intercept", fit.no_intercept, "fit without an intercept");
  cmd.add_option("--threads", fit.threads.count, "threads (0: OpenMP default)");
  cmd.add_option("--precision", fit.precision,
                 "float32 or float64 (default: float64; .npy: its dtype)")
      ->check(CLI::IsMember({"float32", "float64"}));
  cmd.add_flag("--json", fit.json, "print one JSON object");
  cmd.add_flag("--verbose", fit.verbose, "log every iteration on stderr");
}

}  // namespace simdlr::cli
