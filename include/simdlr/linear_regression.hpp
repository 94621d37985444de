// Linear regression: least squares, and ridge with alpha > 0, with scikit-learn's semantics:
//   minimise ½ Σ_i s_i (x_i·w + b − y_i)² + ½ α ‖w‖²   (the intercept b is not penalised;
//   the minimiser is the same as LinearRegression / Ridge(alpha) in scikit-learn).
// Solvers: cholesky (default: the normal equations from the weighted Gram kernel, solved by a
// Cholesky factorisation in long double; a singular system is a SingularSystem error), and the
// iterative lbfgs, newton and gd (gradient descent, the textbook method) on the same objective.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr {

enum class LinearSolver { cholesky, lbfgs, newton, gd };
std::string_view linear_solver_name(LinearSolver solver) noexcept;
LinearSolver parse_linear_solver(std::string_view name);  // throws InvalidArgument

struct LinearRegressionOptions {
  double alpha = 0;  // ridge penalty, >= 0
  bool fit_intercept = true;
  LinearSolver solver = LinearSolver::cholesky;
  // The iterative solvers' tol, max_iter, history and per-iteration callback (see solvers.hpp);
  // checked for every solver.
  SolverOptions solver_options{.tol = 1e-6, .max_iter = 1000};
  Threads threads;  // for fit and predict, >= 0; {0}: OpenMP's default
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
