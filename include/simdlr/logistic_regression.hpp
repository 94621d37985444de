// Logistic regression, binary and multinomial, with scikit-learn's semantics:
//   minimise C · Σ_i s_i ℓ(y_i, z_i) + P(w),  P = ½ ‖w‖² (penalty l2), 0 (none), ‖w‖₁ (l1),
//   or l1_ratio ‖w‖₁ + (1 − l1_ratio)/2 ‖w‖² (elasticnet),
// with the intercept unpenalised; ℓ is the logistic loss (two classes) or the softmax
// cross-entropy (more than two, multi_class auto/multinomial), or one binary problem per class
// (multi_class ovr). Solvers: auto (default), lbfgs, newton (Newton-CG), newton-cholesky (Newton
// with the exact Hessian) and gd (gradient descent, the textbook method: slow on unscaled data,
// use standardize with it). auto runs lbfgs for penalties l2 and none: it is preconditioned by
// the start Hessian up to kPreconditionerLimit parameters (solvers.hpp), which it evaluates again
// at the point while its iterations are slow (binary and one-vs-rest), so that on hard problems
// its steps become Newton's; measured, that is as fast as newton-cholesky where newton-cholesky
// was fastest (breast cancer) and faster elsewhere.
// Penalties l1 and elasticnet (binary, one-vs-rest and multinomial) run prox-newton
// (solvers.hpp), which auto chooses for them; other solvers refuse them.
// Every solver stops on the certified rule of solvers.hpp: converged means the objective is
// within tol/100 relative of the optimum, proved.
//
// Classes are sorted: numerically when every label is a number, else as text. With two classes
// the single coefficient row belongs to the second class (classes()[1]), as in scikit-learn.
//
// The data are read through non-owning views and never copied; float and double data are both
// fitted natively (the solver's parameters are double). A fitted model is immutable: predicting
// from many threads at once is safe, and predicting one row allocates nothing and starts no
// threads. A fit's convergence check keeps the memory of its arrays of one value per row (up to
// 32 MiB per calling thread, 4 arrays of at most 2^20 doubles) for the next fit on the same
// thread: fresh memory would cost a page fault per 4 KiB on every fit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/objectives.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr {

enum class Solver { lbfgs, newton, gd, newton_cholesky, automatic, prox_newton };
enum class MultiClass { automatic, multinomial, ovr };
enum class ClassWeight { none, balanced };

std::string_view solver_name(Solver solver) noexcept;
Solver parse_solver(std::string_view name);  // throws InvalidArgument
std::string_view multi_class_name(MultiClass mode) noexcept;
MultiClass parse_multi_class(std::string_view name);  // "auto", "multinomial", "ovr"
std::string_view penalty_name(Penalty penalty) noexcept;
Penalty parse_penalty(std::string_view name);  // "l2", "none", "l1", "elasticnet"

struct LogisticRegressionOptions {
  Penalty penalty = Penalty::l2;
  double C = 1.0;  // inverse regularisation strength, > 0
  // elasticnet's mix, in [0, 1]: l1_ratio ‖w‖₁ + (1 − l1_ratio)/2 ‖w‖² (ignored otherwise).
  double l1_ratio = 0.5;
  Solver solver = Solver::automatic;
  // tol (> 0: converged means a certified relative gap of at most tol / 100), max_iter (> 0),
  // history (L-BFGS memory) and the per-iteration callback, handed to the solver as they are
  // (see solvers.hpp).
  SolverOptions solver_options{.tol = 1e-4, .max_iter = 100};
  ClassWeight class_weight = ClassWeight::none;  // balanced: n / (K · count_k)
  bool fit_intercept = true;
  MultiClass multi_class = MultiClass::automatic;
  // Fit on standardized features (mean 0, standard deviation 1 per column, computed without
  // copying X) and report coefficients and intercept on the original scale. The penalty then
  // applies to the standardized coefficients, as with a StandardScaler pipeline.
  bool standardize = false;
  Threads threads;          // for fit and predict, >= 0; {0}: OpenMP's default
  bool warm_start = false;  // start from the previous fit's coefficients when shapes agree
};

// The class labels of a classifier, sorted.
class ClassLabels {
 public:
  ClassLabels() = default;
  // From labels given as numbers or as text.
  static ClassLabels from_numbers(std::span<const double> labels);
  static ClassLabels from_text(std::span<const std::string> labels);

  std::size_t size() const { return text_.size(); }
  bool numeric() const { return numeric_; }
  const std::vector<std::string>& text() const { return text_; }
  const std::vector<double>& values() const { return values_; }  // when numeric()
  // Index of a label, or -1.
  std::int32_t index_of(double label) const;
  std::int32_t index_of(const std::string& label) const;
  // index_of of every label.
  std::vector<std::int32_t> indices_of(std::span<const double> labels) const;

 private:
  bool numeric_ = true;
  std::vector<std::string> text_;
  std::vector<double> values_;
};

template <class T>
class LogisticRegression {
 public:
  explicit LogisticRegression(LogisticRegressionOptions options = {})
      : options_(std::move(options)) {}

  // Fits to X (n x d) and labels y (n). sample_weight: empty or n values >= 0. Returns the fit
  // report (for ovr, the report of the class that took most iterations; all in fit_reports()).
  const FitReport& fit(MatrixView<const T> X, std::span<const double> y,
                       std::span<const T> sample_weight = {});
  const FitReport& fit(MatrixView<const T> X, std::span<const std::string> y,
                       std::span<const T> sample_weight = {});

  bool fitted() const { return !coef_.empty(); }
  const ClassLabels& classes() const { return classes_; }
  std::size_t n_features() const { return n_features_; }
  // Coefficients: rows() x n_features(), row-major; rows() = 1 for two classes, else K.
  std::size_t rows() const { return rows_; }
  const std::vector<double>& coef() const { return coef_; }
  const std::vector<double>& intercept() const { return intercept_; }
  const LogisticRegressionOptions& options() const { return options_; }
  const FitReport& fit_report() const { return reports_.at(main_report_); }
  const std::vector<FitReport>& fit_reports() const { return reports_; }
  bool multinomial() const { return multinomial_; }

  // Margins, n x rows(). One row: no allocation, no threads.
  void decision_function(MatrixView<const T> X, std::span<T> out) const;
  // Probabilities, n x classes().size().
  void predict_proba(MatrixView<const T> X, std::span<T> out) const;
  // Index into classes() of the predicted class, per row.
  void predict_index(MatrixView<const T> X, std::span<std::int32_t> out) const;
  std::vector<std::int32_t> predict_index(MatrixView<const T> X) const;
  // Mean accuracy on labelled data.
  double score(MatrixView<const T> X, std::span<const double> y) const;
  double score(MatrixView<const T> X, std::span<const std::string> y) const;

  // Sets a fitted state directly (model files): coef rows x n_features, intercept rows.
  void set_fitted(ClassLabels classes, std::size_t n_features, std::vector<double> coef,
                  std::vector<double> intercept, std::vector<FitReport> reports);

 private:
  // Fits with classes() = labels and y the class index of each row; on failure the previous
  // classes() are restored (fit_classes commits the rest only once everything succeeded).
  const FitReport& fit_indexed(MatrixView<const T> X, std::span<const std::int32_t> y,
                               ClassLabels labels, std::span<const T> sample_weight);
  const FitReport& fit_classes(MatrixView<const T> X, std::span<const std::int32_t> y,
                               std::span<const T> sample_weight);
  void check_predict_input(const char* what, MatrixView<const T> X, std::size_t out_size,
                           std::size_t per_row) const;
  void refresh_typed_coefficients();
  // decision_function after the input was checked (each public entry checks X once).
  void margins_unchecked(MatrixView<const T> X, std::span<T> out) const;

  LogisticRegressionOptions options_;
  ClassLabels classes_;
  std::size_t n_features_ = 0, rows_ = 0, main_report_ = 0;
  bool multinomial_ = false;
  std::vector<double> coef_, intercept_;
  std::vector<T> coef_t_, intercept_t_;  // the same in T, for the kernels
  std::vector<FitReport> reports_;
};

}  // namespace simdlr
