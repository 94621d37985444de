// Linear regression: least squares, ridge, lasso and elastic net, with scikit-learn's semantics
// (the intercept b is never penalised):
//   penalty l2 (default; none is the same with α = 0): LinearRegression / Ridge(alpha),
//     minimise ½ Σ_i s_i (x_i·w + b − y_i)² + ½ α ‖w‖²;
//   penalty l1 / elasticnet: Lasso(alpha) / ElasticNet(alpha, l1_ratio),
//     minimise 1/(2 Σ s_i) · Σ_i s_i (x_i·w + b − y_i)² + α ρ ‖w‖₁ + ½ α (1 − ρ) ‖w‖²,
//     ρ = 1 (l1) or l1_ratio (elasticnet); α > 0.
// Solvers: cholesky (default: the normal equations from the weighted Gram kernel, solved by a
// Cholesky factorisation in long double; a singular system is a SingularSystem error), the
// iterative lbfgs, newton and gd (gradient descent, the textbook method) on the same objective,
// and cd (proximal Newton with working sets, coordinate descent on the Gram matrix: solvers.hpp),
// the only one for l1 and elasticnet: the default cholesky runs cd for them, and the others
// refuse them (InvalidArgument). FitReport's objective for l1 and elasticnet is scikit-learn's
// (divided by Σ s_i), as is its gap bound.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/objectives.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr {

enum class LinearSolver { cholesky, lbfgs, newton, gd, cd };
std::string_view linear_solver_name(LinearSolver solver) noexcept;
LinearSolver parse_linear_solver(std::string_view name);  // throws InvalidArgument

struct LinearRegressionOptions {
  Penalty penalty = Penalty::l2;
  double alpha = 0;       // penalty strength, >= 0 (l2), > 0 (l1, elasticnet)
  double l1_ratio = 0.5;  // elasticnet's ρ, in [0, 1] (ignored otherwise)
  bool fit_intercept = true;
  LinearSolver solver = LinearSolver::cholesky;
  // The iterative solvers' tol, max_iter, history and per-iteration callback (see solvers.hpp);
  // checked for every solver.
  SolverOptions solver_options{.tol = 1e-6, .max_iter = 1000};
  Threads threads;  // for fit and predict, >= 0; {0}: OpenMP's default
  // The iterative solvers start from the previous fit's coefficients when the shapes agree.
  bool warm_start = false;
};

// [w, b] (b only with fit_intercept) from the normal equations of the (weighted, ridge)
// least-squares problem: the cholesky solver of LinearRegression::fit, without its checks and
// certificate (the distributed fits call it). Under a row partition (<simdlr/row_partition.hpp>)
// the sums are of the global rows, with the single-process bits on every part. A singular
// system is a SingularSystem error.
template <class T>
std::vector<double> solve_normal_equations(MatrixView<const T> X, std::span<const double> y,
                                           std::span<const T> sample_weight,
                                           const LinearRegressionOptions& options);

// The l1 / elasticnet problem of LinearRegression for minimize_prox_newton on the data term
// ½ Σ s_i (x_i·w + b − y_i)² (SquaredObjective with alpha 0): scikit-learn's objective times
// Σ s_i, so the penalty's weights are α ρ Σ s_i and α (1 − ρ) Σ s_i, and `total` = Σ s_i (under a
// row partition: of the global rows, the single-process bits), by which the fit's report is
// divided. InvalidArgument unless options.penalty is l1 or elasticnet.
struct LassoProblem {
  SeparablePenalty penalty;
  double total = 0;
};
template <class T>
LassoProblem lasso_problem(MatrixView<const T> X, std::span<const T> sample_weight,
                           const LinearRegressionOptions& options);

// Divides a report's objective values, bound and optimality violations by `total` (lasso_problem).
void rescale_lasso_report(FitReport& report, double total);

template <class T>
class LinearRegression {
 public:
  explicit LinearRegression(LinearRegressionOptions options = {}) : options_(std::move(options)) {}

  const FitReport& fit(MatrixView<const T> X, std::span<const double> y,
                       std::span<const T> sample_weight = {});

  bool fitted() const { return !coef_.empty(); }
  std::size_t n_features() const { return coef_.size(); }
  const std::vector<double>& coef() const { return coef_; }
  double intercept() const { return intercept_; }
  const FitReport& fit_report() const { return report_; }
  const LinearRegressionOptions& options() const { return options_; }

  // Predictions, one per row. One row: no allocation, no threads.
  void predict(MatrixView<const T> X, std::span<T> out) const;
  std::vector<T> predict(MatrixView<const T> X) const;
  // R² on labelled data.
  double score(MatrixView<const T> X, std::span<const double> y) const;

  void set_fitted(std::vector<double> coef, double intercept, FitReport report = {});

 private:
  LinearRegressionOptions options_;
  std::vector<double> coef_;
  double intercept_ = 0;
  std::vector<T> coef_t_;
  FitReport report_;
};

}  // namespace simdlr
