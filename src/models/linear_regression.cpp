// LinearRegression: normal equations (weighted Gram kernel + Cholesky) or an iterative solver
// on the squared-error objective.
#include "simdlr/linear_regression.hpp"

#include <cmath>

#include "cholesky.hpp"
#include "compensated_sum.hpp"
#include "input_checks.hpp"
#include "name_table.hpp"
#include "option_checks.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/metrics.hpp"
#include "simdlr/objectives.hpp"
#include "simdlr/row_partition.hpp"
#include "simdlr/standardize.hpp"

namespace simdlr {
namespace {

constexpr const char* kFit = "LinearRegression.fit";
constexpr detail::NameTable<LinearSolver, 5> kLinearSolvers{
    "linear solver", {"cholesky", "lbfgs", "newton", "gd", "cd"}};

bool sparse_penalty(const LinearRegressionOptions& o) {
  return o.penalty == Penalty::l1 || o.penalty == Penalty::elasticnet;
}

void check_options(const LinearRegressionOptions& o) {
  if (!(o.alpha >= 0) || !std::isfinite(o.alpha)) {
    throw InvalidArgument(std::string(kFit) + ": alpha must be >= 0, got " +
                          std::to_string(o.alpha));
  }
  if (!(o.l1_ratio >= 0 && o.l1_ratio <= 1)) {
    throw InvalidArgument(std::string(kFit) + ": l1_ratio must be in [0, 1], got " +
                          std::to_string(o.l1_ratio));
  }
  if (sparse_penalty(o)) {
    if (!(o.alpha > 0)) {
      throw InvalidArgument(std::string(kFit) + ": penalty " +
                            std::string(penalty_name(o.penalty)) + " needs alpha > 0, got " +
                            std::to_string(o.alpha));
    }
    if (o.solver != LinearSolver::cholesky && o.solver != LinearSolver::cd) {
      throw InvalidArgument(
          std::string(kFit) + ": solver " + std::string(linear_solver_name(o.solver)) +
          " does not support penalty " + std::string(penalty_name(o.penalty)) + "; use cd");
    }
  }
  detail::check_shared_options(kFit, o.solver_options, o.threads);
}

}  // namespace

template <class T>
LassoProblem lasso_problem(MatrixView<const T> X, std::span<const T> s,
                           const LinearRegressionOptions& o) {
  if (!sparse_penalty(o)) throw InvalidArgument("lasso_problem: penalty must be l1 or elasticnet");
  // Σ s_i, compensated within fixed blocks of rows, the blocks in order.
  double sums[2] = {0, 0};
  sum_in_row_blocks(X.rows, sums, o.threads.count,
                    [&](std::size_t begin, std::size_t end, double* out) {
                      for (std::size_t i = begin; i < end; ++i)
                        detail::add_compensated(out[0], out[1], s.empty() ? 1.0 : double(s[i]));
                    });
  const double total = sums[0] + sums[1];
  const double ratio = o.penalty == Penalty::l1 ? 1.0 : o.l1_ratio;
  return {column_scaled_penalty(X, 1, o.fit_intercept, false, o.alpha * ratio * total,
                                o.alpha * (1 - ratio) * total, o.threads),
          total};
}

void rescale_lasso_report(FitReport& r, double total) {
  const double factor = 1 / total;
  for (double& f : r.objective_history)
    f *= factor;
  r.objective_gap_bound *= factor;
  r.initial_gradient_norm *= factor;
  r.gradient_norm *= factor;
}

template LassoProblem lasso_problem<float>(MatrixView<const float>, std::span<const float>,
                                           const LinearRegressionOptions&);
template LassoProblem lasso_problem<double>(MatrixView<const double>, std::span<const double>,
                                            const LinearRegressionOptions&);

template <class T>
std::vector<double> solve_normal_equations(MatrixView<const T> X, std::span<const double> y,
                                           std::span<const T> s, const LinearRegressionOptions& o) {
  const std::size_t n = X.rows, d = X.cols, m = d + (o.fit_intercept ? 1 : 0);
  const Threads threads = o.threads;
  std::vector<T> gram(d * d), weighted_y(n), xty(d);
  kernels::weighted_gram(X, s.empty() ? nullptr : s.data(), gram.data(), threads);
  // Σ s_i and Σ s_i y_i, compensated (compensated_sum.hpp) in fixed blocks of rows
  // (sum_in_row_blocks: under a row partition over every part's rows, the single-process bits on
  // every part).
  double sums[4] = {0, 0, 0, 0};  // the two sums, then their compensations
  sum_in_row_blocks(n, sums, threads.count, [&](std::size_t begin, std::size_t end, double* out) {
    for (std::size_t i = begin; i < end; ++i) {
      const double si = s.empty() ? 1.0 : double(s[i]);
      weighted_y[i] = T(si * y[i]);
      detail::add_compensated(out[0], out[2], si);
      detail::add_compensated(out[1], out[3], si * y[i]);
    }
  });
  const long double sum_s = (long double)sums[0] + sums[2], sum_sy = (long double)sums[1] + sums[3];
  kernels::transpose_product(X, weighted_y.data(), xty.data(), threads);
  std::vector<long double> A(m * m), b(m);
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t k = 0; k < d; ++k)
      A[j * m + k] = gram[j * d + k];
    A[j * m + j] += o.alpha;
    b[j] = xty[j];
  }
  if (o.fit_intercept) {
    std::vector<T> xts(d), ones;
    if (s.empty()) ones.assign(n, T(1));
    kernels::transpose_product(X, s.empty() ? ones.data() : s.data(), xts.data(), threads);
    for (std::size_t j = 0; j < d; ++j)
      A[j * m + d] = A[d * m + j] = xts[j];
    A[d * m + d] = sum_s;
    b[d] = sum_sy;
  }
  return detail::cholesky_solve(kFit, std::move(A), std::move(b), m);
}

template std::vector<double> solve_normal_equations<float>(MatrixView<const float>,
                                                           std::span<const double>,
                                                           std::span<const float>,
                                                           const LinearRegressionOptions&);
template std::vector<double> solve_normal_equations<double>(MatrixView<const double>,
                                                            std::span<const double>,
                                                            std::span<const double>,
                                                            const LinearRegressionOptions&);

std::string_view linear_solver_name(LinearSolver solver) noexcept {
  return kLinearSolvers.name(solver);
}

LinearSolver parse_linear_solver(std::string_view name) {
  return kLinearSolvers.parse(name);
}

template <class T>
const FitReport& LinearRegression<T>::fit(MatrixView<const T> X, std::span<const double> y,
                                          std::span<const T> sample_weight) {
  const LinearRegressionOptions& o = options_;
  check_options(o);
  std::vector<double> column_max = detail::check_training_matrix(kFit, X, o.threads);
  detail::check_targets(kFit, y, X.rows);
  detail::check_sample_weight(kFit, sample_weight, X.rows);
  const std::size_t d = X.cols;
  std::vector<double> theta;
  FitReport report;
  std::vector<T> target(y.begin(), y.end());
  const bool sparse = sparse_penalty(o);
  const bool ridge = o.penalty == Penalty::l2;
  const double alpha = ridge ? o.alpha : 0.0;
  const bool cd = sparse || o.solver == LinearSolver::cd;
  SquaredObjective<T> objective(X, target, sample_weight, sparse ? 0.0 : alpha, o.fit_intercept,
                                o.threads);
  objective.use_column_max_abs(std::move(column_max));  // from the scan of X
  if (cd) {
    // l1 / elasticnet in scikit-learn's Lasso scale, multiplied out by Σ s_i (the report divided
    // by it at the end); ridge through cd: the objective's own penalty, none here.
    const std::size_t m = d + (o.fit_intercept ? 1 : 0);
    const LassoProblem problem =
        sparse ? lasso_problem(X, sample_weight, o)
               : LassoProblem{column_scaled_penalty(X, 1, o.fit_intercept, false, 0.0, 0.0), 1.0};
    theta.assign(m, 0.0);
    if (o.warm_start && fitted() && coef_.size() == d) {
      std::copy(coef_.begin(), coef_.end(), theta.begin());
      if (o.fit_intercept) theta[d] = intercept_;
    }
    report = minimize_prox_newton(objective, theta, problem.penalty, o.solver_options);
    report.solver = "cd";
    if (sparse) rescale_lasso_report(report, problem.total);
  } else if (o.solver == LinearSolver::cholesky) {
    LinearRegressionOptions normal = o;
    normal.alpha = alpha;  // penalty none: no ridge term whatever alpha says
    theta = solve_normal_equations(X, y, sample_weight, normal);
    report = certify_solution(objective, theta, o.solver_options, "cholesky");
  } else {
    theta.assign(d + (o.fit_intercept ? 1 : 0), 0.0);
    if (o.warm_start && fitted() && coef_.size() == d) {
      std::copy(coef_.begin(), coef_.end(), theta.begin());
      if (o.fit_intercept) theta[d] = intercept_;
    }
    const SolverOptions& so = o.solver_options;
    report = o.solver == LinearSolver::lbfgs    ? minimize_lbfgs(objective, theta, so)
             : o.solver == LinearSolver::newton ? minimize_newton_cg(objective, theta, so)
                                                : minimize_gradient_descent(objective, theta, so);
  }
  coef_.assign(theta.begin(), theta.begin() + d);
  intercept_ = o.fit_intercept ? theta[d] : 0.0;
  coef_t_.assign(coef_.begin(), coef_.end());
  report_ = std::move(report);
  return report_;
}

template <class T>
void LinearRegression<T>::set_fitted(std::vector<double> coef, double intercept, FitReport report) {
  if (coef.empty()) throw ShapeError("LinearRegression: a model needs at least one coefficient");
  coef_ = std::move(coef);
  intercept_ = intercept;
  coef_t_.assign(coef_.begin(), coef_.end());
  report_ = std::move(report);
}

template <class T>
void LinearRegression<T>::predict(MatrixView<const T> X, std::span<T> out) const {
  if (!fitted())
    throw InvalidArgument("LinearRegression.predict: the model is not fitted; call fit first");
  detail::check_prediction_shape("LinearRegression.predict", X, coef_.size());
  if (out.size() != X.rows) {
    throw ShapeError("LinearRegression.predict: output has " + std::to_string(out.size()) +
                     " elements for " + std::to_string(X.rows) + " rows");
  }
  kernels::margins(X, coef_t_.data(), T(intercept_), out.data(), options_.threads);
  detail::check_finite_margins<T>("LinearRegression.predict", X, out);
}

template <class T>
std::vector<T> LinearRegression<T>::predict(MatrixView<const T> X) const {
  std::vector<T> out(X.rows);
  predict(X, out);
  return out;
}

template <class T>
double LinearRegression<T>::score(MatrixView<const T> X, std::span<const double> y) const {
  detail::check_targets("LinearRegression.score", y, X.rows);
  const std::vector<T> p = predict(X);
  const std::vector<double> predicted(p.begin(), p.end());
  return metrics::r2_score(y, predicted);
}

template class LinearRegression<float>;
template class LinearRegression<double>;

}  // namespace simdlr
