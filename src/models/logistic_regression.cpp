// LogisticRegression: turns labels into class indices, builds the objective (binary,
// multinomial or one binary problem per class), optionally wrapped to fit on standardized
// features, runs the chosen solver and keeps the coefficients on the original scale.
#include "simdlr/logistic_regression.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <utility>

#include "class_weights.hpp"
#include "column_stats.hpp"
#include "input_checks.hpp"
#include "option_checks.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/standardize.hpp"
#include "standardized_objective.hpp"

namespace simdlr {
namespace {

constexpr const char* kFit = "LogisticRegression.fit";

void check_options(const LogisticRegressionOptions& o) {
  if (!(o.C > 0) || !std::isfinite(o.C)) {
    throw InvalidArgument(std::string(kFit) + ": C must be a positive number, got " +
                          std::to_string(o.C));
  }
  if (!(o.l1_ratio >= 0 && o.l1_ratio <= 1)) {
    throw InvalidArgument(std::string(kFit) + ": l1_ratio must be in [0, 1], got " +
                          std::to_string(o.l1_ratio));
  }
  const bool sparse = o.penalty == Penalty::l1 || o.penalty == Penalty::elasticnet;
  if (sparse && o.solver != Solver::automatic && o.solver != Solver::prox_newton) {
    throw InvalidArgument(std::string(kFit) + ": solver " + std::string(solver_name(o.solver)) +
                          " does not support penalty " + std::string(penalty_name(o.penalty)) +
                          "; use auto or prox-newton");
  }
  detail::check_shared_options(kFit, o.solver_options, o.threads);
}

// The penalty's share of l1: l1_ratio ‖w‖₁ + (1 − l1_ratio)/2 ‖w‖² with ratio 1 for l1, 0 for
// l2; none: no penalty.
double l1_share(const LogisticRegressionOptions& o) {
  return o.penalty == Penalty::l1 ? 1.0 : o.penalty == Penalty::elasticnet ? o.l1_ratio : 0.0;
}

FitReport run_solver(Objective& objective, std::span<double> x,
                     const LogisticRegressionOptions& o) {
  switch (o.solver) {
    case Solver::lbfgs:
      return minimize_lbfgs(objective, x, o.solver_options);
    case Solver::newton:
      return minimize_newton_cg(objective, x, o.solver_options);
    case Solver::gd:
      return minimize_gradient_descent(objective, x, o.solver_options);
    case Solver::newton_cholesky:
      return minimize_newton_cholesky(objective, x, o.solver_options);
    case Solver::automatic:
    case Solver::prox_newton:
      break;  // resolved by chosen_solver before; prox-newton runs in solve()
  }
  throw InvalidArgument("unknown solver");
}

// What solver=auto runs (documented in logistic_regression.hpp): prox-newton for the l1 and
// elastic-net penalties, else L-BFGS, preconditioned by the start Hessian and, while its
// iterations are slow, by the Hessian at the point (solvers.hpp). newton-cholesky, auto's choice
// for small binary problems until 2026-12-05, took as long or longer on every shape measured
// (bench/README.md).
Solver chosen_solver(Solver requested, Penalty penalty) {
  if (requested != Solver::automatic) return requested;
  if (penalty == Penalty::l1 || penalty == Penalty::elasticnet) return Solver::prox_newton;
  return Solver::lbfgs;
}

// Solves one problem with `rows` coefficient rows; theta holds the start on entry and the
// solution on exit, both on the original scale. make(penalty) builds the objective on raw X.
// prox-newton: on raw X with `penalty` (reweighted for standardize: the same problem, no
// wrapper).
template <class Make>
FitReport solve(const LogisticRegressionOptions& o, const detail::ColumnStats* stats,
                std::size_t rows, const SeparablePenalty& penalty, std::vector<double>& theta,
                const Make& make) {
  if (o.solver == Solver::prox_newton) {
    std::unique_ptr<Objective> data_term = make(Penalty::none);
    return minimize_prox_newton(*data_term, theta, penalty, o.solver_options);
  }
  if (stats == nullptr) {
    std::unique_ptr<Objective> objective = make(o.penalty);
    return run_solver(*objective, theta, o);
  }
  std::unique_ptr<Objective> data_term = make(Penalty::none);
  detail::StandardizedObjective standardized(*data_term, *stats, rows, o.fit_intercept,
                                             o.penalty == Penalty::l2);
  std::vector<double> theta_s(theta.size());
  standardized.to_standardized(theta, theta_s);
  FitReport report = run_solver(standardized, theta_s, o);
  standardized.to_raw(theta_s, theta);
  return report;
}

// Mean accuracy of the model's predictions on labels given as numbers or as text.
template <class T, class Label>
double accuracy(const LogisticRegression<T>& model, MatrixView<const T> X,
                std::span<const Label> y) {
  detail::check_label_count("LogisticRegression.score", y.size(), X.rows);
  const std::vector<std::int32_t> predicted = model.predict_index(X);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    correct += predicted[i] == model.classes().index_of(y[i]);
  return double(correct) / double(y.size());
}

}  // namespace

template <class T>
const FitReport& LogisticRegression<T>::fit(MatrixView<const T> X, std::span<const double> y,
                                            std::span<const T> sample_weight) {
  detail::check_targets(kFit, y, X.rows);
  ClassLabels labels = ClassLabels::from_numbers(y);
  const std::vector<std::int32_t> index = detail::class_indices(labels, y);
  return fit_indexed(X, index, std::move(labels), sample_weight);
}

template <class T>
const FitReport& LogisticRegression<T>::fit(MatrixView<const T> X, std::span<const std::string> y,
                                            std::span<const T> sample_weight) {
  detail::check_label_count(kFit, y.size(), X.rows);
  ClassLabels labels = ClassLabels::from_text(y);
  const std::vector<std::int32_t> index = detail::class_indices(labels, y);
  return fit_indexed(X, index, std::move(labels), sample_weight);
}

template <class T>
const FitReport& LogisticRegression<T>::fit_indexed(MatrixView<const T> X,
                                                    std::span<const std::int32_t> y,
                                                    ClassLabels labels,
                                                    std::span<const T> sample_weight) {
  ClassLabels previous = std::exchange(classes_, std::move(labels));
  try {
    return fit_classes(X, y, sample_weight);
  } catch (...) {
    classes_ = std::move(previous);
    throw;
  }
}

template <class T>
const FitReport& LogisticRegression<T>::fit_classes(MatrixView<const T> X,
                                                    std::span<const std::int32_t> y,
                                                    std::span<const T> sample_weight) {
  const LogisticRegressionOptions& o = options_;
  check_options(o);
  const std::size_t K = classes_.size(), n = X.rows, d = X.cols;
  const bool multinomial = K > 2 && o.multi_class != MultiClass::ovr;
  const std::size_t rows = K == 2 ? 1 : K;
  const std::size_t per_row = d + (o.fit_intercept ? 1 : 0);
  LogisticRegressionOptions resolved = o;
  resolved.solver = chosen_solver(o.solver, o.penalty);
  const bool prox = resolved.solver == Solver::prox_newton;
  // The column maxima come with the scan of X; the certificates use them. A binary fit on raw X
  // has its first pass take them and show a NaN or ±inf by its loss instead: one read of X less.
  const bool scan_in_pass = K == 2 && !o.standardize && !prox;
  std::vector<double> column_max;
  if (scan_in_pass)
    detail::check_training_shape(kFit, X);
  else
    column_max = detail::check_training_matrix(kFit, X, o.threads);
  detail::check_sample_weight(kFit, sample_weight, X.rows);
  if (K < 2) {
    throw InvalidArgument(std::string(kFit) + ": y has a single class ('" + classes_.text().at(0) +
                          "'); logistic regression needs at least two");
  }
  const Threads threads = o.threads;

  // Start: zeros, or the previous solution for a warm start with matching shapes.
  const bool warm =
      o.warm_start && fitted() && n_features_ == d && rows_ == rows && multinomial_ == multinomial;
  std::unique_ptr<detail::ColumnStats> stats;
  if (o.standardize && !prox) {
    stats =
        std::make_unique<detail::ColumnStats>(detail::column_stats(X, o.fit_intercept, threads));
  }
  // prox-newton's penalty, for one problem (K coefficient rows, or one).
  SeparablePenalty penalty;
  if (prox) {
    const double on = o.penalty == Penalty::none ? 0.0 : 1.0;
    penalty = column_scaled_penalty(X, multinomial ? K : 1, o.fit_intercept, o.standardize,
                                    on * l1_share(o), on * (1 - l1_share(o)), threads);
  }

  std::vector<double> coef(rows * d, 0.0), intercept(rows, 0.0);
  std::vector<FitReport> reports;
  if (multinomial) {
    const std::vector<T> weights = detail::effective_weights(sample_weight, y, K, o.class_weight);
    std::vector<double> theta(K * per_row, 0.0);
    if (warm) {
      std::copy(coef_.begin(), coef_.end(), theta.begin());
      if (o.fit_intercept) std::copy(intercept_.begin(), intercept_.end(), theta.begin() + K * d);
    }
    reports.push_back(solve(resolved, stats.get(), K, penalty, theta, [&](Penalty penalty) {
      auto objective = std::make_unique<MultinomialObjective<T>>(X, y, K, weights, o.C, penalty,
                                                                 o.fit_intercept, threads);
      objective->use_column_max_abs(column_max);
      return objective;
    }));
    std::copy(theta.begin(), theta.begin() + K * d, coef.begin());
    if (o.fit_intercept) std::copy(theta.begin() + K * d, theta.end(), intercept.begin());
    if (o.fit_intercept && resolved.solver == Solver::prox_newton) {
      // The loss is the same for every common shift of the intercepts; coordinate descent does
      // not keep their sum, so they are centred as scikit-learn's are (the gradient methods
      // keep the start's zero sum: their steps along b sum to zero).
      double mean = 0;
      for (double v : intercept)
        mean += v;
      mean /= double(K);
      for (double& v : intercept)
        v -= mean;
    }
  } else {
    std::vector<T> target(n);
    for (std::size_t r = 0; r < rows; ++r) {
      // Binary: the positive class is the second one; ovr: class r against the rest.
      // (Two classes: the indices are the 0/1 labels already, no copy of them.)
      const std::int32_t positive = K == 2 ? 1 : std::int32_t(r);
      std::vector<std::int32_t> binary(K == 2 ? 0 : n);
      for (std::size_t i = 0; i < n; ++i) {
        const bool is_positive = y[i] == positive;
        if (K != 2) binary[i] = is_positive ? 1 : 0;
        target[i] = is_positive ? T(1) : T(0);
      }
      const std::vector<T> weights = detail::effective_weights(
          sample_weight, K == 2 ? y : std::span<const std::int32_t>(binary), 2, o.class_weight);
      std::vector<double> theta(per_row, 0.0);
      if (warm) {
        std::copy(coef_.begin() + r * d, coef_.begin() + (r + 1) * d, theta.begin());
        if (o.fit_intercept) theta[d] = intercept_[r];
      }
      reports.push_back(solve(resolved, stats.get(), 1, penalty, theta, [&](Penalty penalty) {
        auto objective = std::make_unique<LogisticObjective<T>>(X, target, weights, o.C, penalty,
                                                                o.fit_intercept, threads);
        if (scan_in_pass)
          objective->scan_in_first_pass([X] { detail::check_finite_values(kFit, X); });
        else
          objective->use_column_max_abs(column_max);
        return objective;
      }));
      std::copy(theta.begin(), theta.begin() + d, coef.begin() + r * d);
      if (o.fit_intercept) intercept[r] = theta[d];
    }
  }

  // Commit the new state only now that everything succeeded.
  n_features_ = d;
  rows_ = rows;
  multinomial_ = multinomial;
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  reports_ = std::move(reports);
  main_report_ = 0;
  for (std::size_t r = 0; r < reports_.size(); ++r) {
    const FitReport& a = reports_[r];
    const FitReport& best = reports_[main_report_];
    if ((!a.converged && best.converged) ||
        (a.converged == best.converged && a.iterations > best.iterations)) {
      main_report_ = r;
    }
  }
  refresh_typed_coefficients();
  return reports_[main_report_];
}

template <class T>
void LogisticRegression<T>::refresh_typed_coefficients() {
  coef_t_.assign(coef_.begin(), coef_.end());
  intercept_t_.assign(intercept_.begin(), intercept_.end());
}

template <class T>
void LogisticRegression<T>::set_fitted(ClassLabels classes, std::size_t n_features,
                                       std::vector<double> coef, std::vector<double> intercept,
                                       std::vector<FitReport> reports) {
  const std::size_t K = classes.size();
  const std::size_t rows = K == 2 ? 1 : K;
  if (K < 2) throw InvalidArgument("LogisticRegression: a model needs at least two classes");
  if (coef.size() != rows * n_features || intercept.size() != rows || n_features == 0) {
    throw ShapeError("LogisticRegression: coef must be " + std::to_string(rows) + " x " +
                     std::to_string(n_features) + " and intercept " + std::to_string(rows) +
                     " values for " + std::to_string(K) + " classes");
  }
  classes_ = std::move(classes);
  n_features_ = n_features;
  rows_ = rows;
  multinomial_ = K > 2 && options_.multi_class != MultiClass::ovr;
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  reports_ = reports.empty() ? std::vector<FitReport>(1) : std::move(reports);
  main_report_ = 0;
  refresh_typed_coefficients();
}

template <class T>
void LogisticRegression<T>::check_predict_input(const char* what, MatrixView<const T> X,
                                                std::size_t out_size, std::size_t per_row) const {
  if (!fitted())
    throw InvalidArgument(std::string(what) + ": the model is not fitted; call fit first");
  detail::check_prediction_shape(what, X, n_features_);
  if (out_size != X.rows * per_row) {
    throw ShapeError(std::string(what) + ": output has " + std::to_string(out_size) +
                     " elements, expected " + std::to_string(X.rows * per_row));
  }
}

template <class T>
void LogisticRegression<T>::decision_function(MatrixView<const T> X, std::span<T> out) const {
  const char* who = "LogisticRegression.decision_function";
  check_predict_input(who, X, out.size(), rows_);
  margins_unchecked(X, out);
  detail::check_finite_margins<T>(who, X, out);
}

template <class T>
void LogisticRegression<T>::margins_unchecked(MatrixView<const T> X, std::span<T> out) const {
  const Threads threads = options_.threads;
  const std::size_t d = n_features_;
  if (rows_ == 1) {
    kernels::margins(X, coef_t_.data(), intercept_t_[0], out.data(), threads);
    return;
  }
  if (X.rows == 1) {
    // One sample: the coefficient rows' margins against it, in one call (four rows at a time)
    // and without allocation. Each is the same dot product as in a batch (the same products in
    // the same order), so the same bits. One call per class took 2.4x as long (10 classes).
    // b = −0 is the exact additive identity (dot + (+0) would turn a −0 dot into +0), so adding
    // the intercept afterwards gives dot + b_r bit for bit.
    kernels::margins(MatrixView<const T>(coef_t_.data(), rows_, d), X.data, T(-0.0), out.data(),
                     threads);
    for (std::size_t r = 0; r < rows_; ++r)
      out[r] += intercept_t_[r];
    return;
  }
  std::vector<T> column(X.rows);
  for (std::size_t r = 0; r < rows_; ++r) {
    kernels::margins(X, coef_t_.data() + r * d, intercept_t_[r], column.data(), threads);
    for (std::size_t i = 0; i < X.rows; ++i)
      out[i * rows_ + r] = column[i];
  }
}

template <class T>
void LogisticRegression<T>::predict_proba(MatrixView<const T> X, std::span<T> out) const {
  const std::size_t K = classes_.size();
  const char* who = "LogisticRegression.predict_proba";
  check_predict_input(who, X, out.size(), K);
  const std::size_t n = X.rows;
  if (rows_ == 1) {
    // Margins into the first half, then spread backwards to (−z, z) pairs and take σ of both,
    // so the smaller probability is never computed as 1 − p.
    margins_unchecked(X, out.subspan(0, n));
    detail::check_finite_margins<T>(who, X, out.subspan(0, n));
    for (std::size_t i = n; i-- > 0;) {
      const T z = out[i];
      out[2 * i] = -z;
      out[2 * i + 1] = z;
    }
    kernels::sigmoid(out.data(), out.data(), 2 * n, options_.threads);
    return;
  }
  margins_unchecked(X, out);
  detail::check_finite_margins<T>(who, X, out);
  if (multinomial_) {
    // The plain twin keeps today's probabilities bit for bit (std::exp); kernels::softmax is the
    // vectorized one.
    scalar::softmax(out.data(), out.data(), n, K);
    return;
  }
  kernels::sigmoid(out.data(), out.data(), n * K, options_.threads);
  for (std::size_t i = 0; i < n; ++i) {  // one-vs-rest: normalise as scikit-learn does
    T* row = out.data() + i * K;
    T total = 0;
    for (std::size_t k = 0; k < K; ++k)
      total += row[k];
    for (std::size_t k = 0; k < K; ++k)
      row[k] /= total;
  }
}

template <class T>
void LogisticRegression<T>::predict_index(MatrixView<const T> X,
                                          std::span<std::int32_t> out) const {
  const char* who = "LogisticRegression.predict";
  check_predict_input(who, X, out.size(), 1);
  const std::size_t n = X.rows;
  // The margins of a few rows on the stack (left uninitialised: every element read is written
  // first; zeroing 512 bytes was a third of a single-row call's extra time over
  // decision_function), of more on the heap.
  std::array<T, 64> local;
  std::vector<T> heap;
  T* z = local.data();
  if (n * rows_ > local.size()) {
    heap.resize(n * rows_);
    z = heap.data();
  }
  margins_unchecked(X, std::span<T>(z, n * rows_));
  detail::check_finite_margins<T>(who, X, std::span<const T>(z, n * rows_));
  for (std::size_t i = 0; i < n; ++i) {
    if (rows_ == 1) {
      out[i] = z[i] > 0 ? 1 : 0;
    } else {
      const T* row = z + i * rows_;
      out[i] = std::int32_t(std::max_element(row, row + rows_) - row);
    }
  }
}

template <class T>
std::vector<std::int32_t> LogisticRegression<T>::predict_index(MatrixView<const T> X) const {
  std::vector<std::int32_t> out(X.rows);
  predict_index(X, out);
  return out;
}

template <class T>
double LogisticRegression<T>::score(MatrixView<const T> X, std::span<const double> y) const {
  return accuracy(*this, X, y);
}

template <class T>
double LogisticRegression<T>::score(MatrixView<const T> X, std::span<const std::string> y) const {
  return accuracy(*this, X, y);
}

template class LogisticRegression<float>;
template class LogisticRegression<double>;

}  // namespace simdlr
