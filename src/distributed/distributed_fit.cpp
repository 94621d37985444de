// Distributed fits: the model layer's fit over a row partition. Everything computed from the data
// is global: the row count, the classes, the class weights; the objectives' passes combine their
// chunk partials across ranks (<simdlr/row_partition.hpp>); the solvers see the same values on
// every rank, so their state stays replicated. The single-process entry points run the same
// code without a partition, which is what the distributed fit must equal bit for bit.
#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <type_traits>

#include "simdlr/distributed.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/objectives.hpp"
#include "simdlr/partitioned_objective.hpp"
#include "simdlr/solvers.hpp"
#include "simdlr/standardize.hpp"

namespace simdlr::distributed {
namespace {

// The communication a fit needs besides the kernels' chunk partials: nothing on one process.
class Collective {
 public:
  Collective() = default;
  Collective(MPI_Comm comm, std::size_t local_rows)
      : comm_(comm), partition_(std::make_unique<MpiRowPartition>(comm, local_rows)) {}

  const RowPartition* partition() const { return partition_.get(); }
  std::size_t rank() const { return partition_ ? partition_->part() : 0; }
  // The global row count and the first global row of this rank.
  std::size_t global_rows(std::size_t local_rows) const {
    return partition_ ? partition_->global_rows() : local_rows;
  }
  std::size_t row_offset() const { return partition_ ? partition_->row_offset(rank()) : 0; }

  // Runs `checks`; if it throws on any rank, every rank throws InvalidArgument with the message
  // of the lowest rank that failed.
  template <class Checks>
  void agree(const Checks& checks) const {
    std::string message;
    bool failed = false;
    try {
      checks();
    } catch (const std::exception& e) {
      message = e.what();
      failed = true;
    }
    if (!partition_) {
      if (failed) throw InvalidArgument(message);
      return;
    }
    int mine = failed ? int(rank()) : INT_MAX, first = INT_MAX;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm_);
    if (first == INT_MAX) return;
    int length = int(message.size());
    MPI_Bcast(&length, 1, MPI_INT, first, comm_);
    message.resize(std::size_t(length));
    MPI_Bcast(message.data(), length, MPI_CHAR, first, comm_);
    throw InvalidArgument(message);
  }

  // Element-wise sums over the ranks (exact for the integer-valued counts it is used for).
  void sum(std::span<double> values) const {
    if (partition_)
      MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, comm_);
  }
  // The smallest and the largest value over the ranks (a rank may give `low` for the first and
  // `high` for the second, to stay out of one of them).
  void min_max(std::size_t low, std::size_t high, std::size_t& lo, std::size_t& hi) const {
    unsigned long long v[2] = {~(unsigned long long)(low), high};
    if (partition_) MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm_);
    lo = std::size_t(~v[0]);
    hi = std::size_t(v[1]);
  }
  // Every rank's values, concatenated in rank order.
  std::vector<double> gather(std::span<const double> local) const {
    if (!partition_) return {local.begin(), local.end()};
    const int n = int(partition_->parts());
    std::vector<int> counts(static_cast<std::size_t>(n)), at(static_cast<std::size_t>(n), 0);
    const int mine = int(local.size());
    MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_);
    for (int p = 1; p < n; ++p)
      at[std::size_t(p)] = at[std::size_t(p) - 1] + counts[std::size_t(p) - 1];
    std::vector<double> all(std::size_t(at.back() + counts.back()));
    MPI_Allgatherv(local.data(), mine, MPI_DOUBLE, all.data(), counts.data(), at.data(), MPI_DOUBLE,
                   comm_);
    return all;
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::unique_ptr<MpiRowPartition> partition_;
};

// The options' l1_ratio in [0, 1], and l1 / elasticnet only with a solver that runs them
// (auto or prox-newton; linear: cholesky, which runs cd, or cd), as the models check them.
void check_sparse_options(const char* who, Penalty penalty, double l1_ratio, bool solver_fits) {
  if (!(l1_ratio >= 0 && l1_ratio <= 1)) {
    throw InvalidArgument(std::string(who) + ": l1_ratio must be in [0, 1], got " +
                          std::to_string(l1_ratio));
  }
  if ((penalty == Penalty::l1 || penalty == Penalty::elasticnet) && !solver_fits) {
    throw InvalidArgument(std::string(who) + ": the solver does not support penalty " +
                          std::string(penalty_name(penalty)) +
                          "; use auto or prox-newton (linear: cd)");
  }
}

template <class T>
void check_block(const char* who, const Collective& c, MatrixView<const T> X,
                 std::span<const double> y, std::span<const T> sample_weight, Threads threads,
                 std::vector<double>& column_max) {
  const std::size_t offset = c.row_offset();
  if (X.stride < X.cols) throw ShapeError(std::string(who) + ": X row stride below its columns");
  if (X.rows > 0 && X.data == nullptr) throw InvalidArgument(std::string(who) + ": X is null");
  if (y.size() != X.rows) {
    throw ShapeError(std::string(who) + ": y has " + std::to_string(y.size()) + " values for " +
                     std::to_string(X.rows) + " rows (rank " + std::to_string(c.rank()) + ")");
  }
  if (!sample_weight.empty() && sample_weight.size() != X.rows) {
    throw ShapeError(std::string(who) + ": sample_weight has " +
                     std::to_string(sample_weight.size()) + " values for " +
                     std::to_string(X.rows) + " rows (rank " + std::to_string(c.rank()) + ")");
  }
  // The block's column maxima come with the scan (the certificates use them).
  std::vector<T> maxima(X.cols);
  const bool finite = X.rows == 0 || kernels::column_max_abs(X, maxima.data(), threads);
  column_max.assign(maxima.begin(), maxima.end());
  if (!finite) {
    for (std::size_t i = 0; i < X.rows; ++i) {
      for (std::size_t j = 0; j < X.cols; ++j) {
        if (!std::isfinite(double(X(i, j)))) {
          throw InvalidArgument(std::string(who) + ": X[" + std::to_string(offset + i) + ", " +
                                std::to_string(j) + "] is not finite");
        }
      }
    }
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw InvalidArgument(std::string(who) + ": y[" + std::to_string(offset + i) +
                            "] is not finite");
    }
  }
  for (std::size_t i = 0; i < sample_weight.size(); ++i) {
    if (!(sample_weight[i] >= 0) || !std::isfinite(double(sample_weight[i]))) {
      throw InvalidArgument(std::string(who) + ": sample_weight[" + std::to_string(offset + i) +
                            "] must be finite and >= 0");
    }
  }
}

// The checks every fit makes across ranks: each block's data, the same column count and use of
// sample weights everywhere, at least one row, weights with a positive sum. column_max: the
// block's max_i |x_ij|.
template <class T>
std::size_t check_data(const char* who, const Collective& c, MatrixView<const T> X,
                       std::span<const double> y, std::span<const T> sample_weight, Threads threads,
                       std::vector<double>& column_max) {
  c.agree([&] { check_block(who, c, X, y, sample_weight, threads, column_max); });
  std::size_t lo = 0, hi = 0, w_lo = 0, w_hi = 0;
  c.min_max(X.cols, X.cols, lo, hi);
  // Sample weights on every rank that has rows, or on none (a rank without rows may give none).
  const std::size_t weighted = sample_weight.empty() ? 0 : 1;
  c.min_max(X.rows == 0 ? 1 : weighted, X.rows == 0 ? 0 : weighted, w_lo, w_hi);
  const std::size_t n = c.global_rows(X.rows);
  std::vector<double> weight_sum{0.0};
  for (const T& s : sample_weight)
    weight_sum[0] += double(s);
  c.sum(weight_sum);
  c.agree([&] {
    if (lo != hi) {
      throw ShapeError(std::string(who) + ": the ranks' blocks have between " + std::to_string(lo) +
                       " and " + std::to_string(hi) + " columns");
    }
    if (n == 0 || hi == 0) throw InvalidArgument(std::string(who) + ": X is empty");
    if (w_lo != w_hi) {
      throw InvalidArgument(std::string(who) +
                            ": sample_weight is given on some ranks and not on others");
    }
    if (w_hi == 1 && !(weight_sum[0] > 0)) {
      throw InvalidArgument(std::string(who) + ": sample_weight must have a positive sum");
    }
  });
  return n;
}

template <class T>
const FitReport& fit_logistic(LogisticRegression<T>& model, const Collective& c,
                              MatrixView<const T> X, std::span<const double> y,
                              std::span<const T> sample_weight) {
  constexpr const char* kFit = "LogisticRegression.fit (distributed)";
  const LogisticRegressionOptions& o = model.options();
  c.agree([&] {
    check_sparse_options(kFit, o.penalty, o.l1_ratio,
                         o.solver == Solver::automatic || o.solver == Solver::prox_newton);
    if (!(o.C > 0) || !std::isfinite(o.C))
      throw InvalidArgument(std::string(kFit) + ": C must be a positive number");
    check_solver_options(o.solver_options, kFit);
    if (o.threads.count < 0) throw InvalidArgument(std::string(kFit) + ": threads must be >= 0");
  });
  std::vector<double> column_max;
  const std::size_t n = check_data(kFit, c, X, y, sample_weight, o.threads, column_max);
  const std::size_t d = X.cols, n_local = X.rows;

  // The classes: every rank's distinct labels, gathered.
  std::set<double> distinct;
  for (double v : y)
    distinct.insert(v == 0 ? 0.0 : v);
  const std::vector<double> mine(distinct.begin(), distinct.end());
  const ClassLabels classes = ClassLabels::from_numbers(c.gather(mine));
  const std::size_t K = classes.size();
  c.agree([&] {
    if (K < 2) {
      throw InvalidArgument(std::string(kFit) + ": y has a single class ('" + classes.text().at(0) +
                            "'); logistic regression needs at least two");
    }
  });
  std::vector<std::int32_t> index(n_local);
  for (std::size_t i = 0; i < n_local; ++i)
    index[i] = classes.index_of(y[i]);

  const bool multinomial = K > 2 && o.multi_class != MultiClass::ovr;
  const std::size_t rows = K == 2 ? 1 : K, per_row = d + (o.fit_intercept ? 1 : 0);
  const bool warm = o.warm_start && model.fitted() && model.n_features() == d &&
                    model.rows() == rows && model.multinomial() == multinomial;
  const SolverOptions& so = o.solver_options;
  // solver auto as LogisticRegression::fit resolves it, with the global row count.
  Solver solver = o.solver;
  if (solver == Solver::automatic &&
      (o.penalty == Penalty::l1 || o.penalty == Penalty::elasticnet)) {
    solver = Solver::prox_newton;
  } else if (solver == Solver::automatic) {
    solver = Solver::lbfgs;
  }
  const bool prox = solver == Solver::prox_newton;
  // prox-newton's penalty for one problem (K coefficient rows or one), as the model makes it,
  // with the global column statistics.
  SeparablePenalty penalty;
  if (prox) {
    const double on = o.penalty == Penalty::none ? 0.0 : 1.0;
    const double share = o.penalty == Penalty::l1           ? 1.0
                         : o.penalty == Penalty::elasticnet ? o.l1_ratio
                                                            : 0.0;
    const ScopedRowPartition scope(c.partition());
    penalty = column_scaled_penalty(X, multinomial ? K : 1, o.fit_intercept, o.standardize,
                                    on * share, on * (1 - share), o.threads);
  }
  const auto run_solver = [&](Objective& objective, std::span<double> theta) {
    // The certificates run over the partition too.
    PartitionedObjective partitioned(objective, c.partition(), true);
    switch (solver) {
      case Solver::prox_newton:
        return minimize_prox_newton(partitioned, theta, penalty, so);
      case Solver::newton:
        return minimize_newton_cg(partitioned, theta, so);
      case Solver::gd:
        return minimize_gradient_descent(partitioned, theta, so);
      case Solver::newton_cholesky:
        return minimize_newton_cholesky(partitioned, theta, so);
      default:
        return minimize_lbfgs(partitioned, theta, so);
    }
  };
  // make(penalty) builds the objective on this rank's block; with standardize, the unpenalised
  // data term, reparametrised with the global column statistics (solve_standardized under the
  // partition).
  const auto run = [&](const auto& make, std::size_t coefficient_rows, std::vector<double>& theta) {
    if (prox) {  // on raw X, the penalty reweighted for standardize (as the model)
      auto data_term = make(Penalty::none);
      return run_solver(*data_term, theta);
    }
    if (!o.standardize) {
      auto objective = make(o.penalty);
      return run_solver(*objective, theta);
    }
    auto data_term = make(Penalty::none);
    const ScopedRowPartition scope(c.partition());
    return solve_standardized<T>(*data_term, X, coefficient_rows, o.fit_intercept,
                                 o.penalty == Penalty::l2, theta, run_solver, o.threads);
  };
  // Sample weights times class weights n / (K · count_k), the counts global.
  const auto weights = [&](std::span<const std::int32_t> label, std::size_t n_classes) {
    if (o.class_weight == ClassWeight::none)
      return std::vector<T>(sample_weight.begin(), sample_weight.end());
    std::vector<double> count(n_classes, 0.0);
    for (std::int32_t k : label)
      count[std::size_t(k)] += 1;
    c.sum(count);
    std::vector<T> w(label.size());
    for (std::size_t i = 0; i < label.size(); ++i) {
      const double cw = double(n) / (double(n_classes) * count[std::size_t(label[i])]);
      w[i] = T(cw * (sample_weight.empty() ? 1.0 : double(sample_weight[i])));
    }
    return w;
  };

  std::vector<double> coef(rows * d, 0.0), intercept(rows, 0.0);
  std::vector<FitReport> reports;
  if (multinomial) {
    const std::vector<T> w = weights(index, K);
    std::vector<double> theta(K * per_row, 0.0);
    if (warm) {
      std::copy(model.coef().begin(), model.coef().end(), theta.begin());
      if (o.fit_intercept)
        std::copy(model.intercept().begin(), model.intercept().end(), theta.begin() + K * d);
    }
    reports.push_back(run(
        [&](Penalty penalty) {
          auto objective = std::make_unique<MultinomialObjective<T>>(X, index, K, w, o.C, penalty,
                                                                     o.fit_intercept, o.threads);
          objective->use_column_max_abs(column_max);
          return objective;
        },
        K, theta));
    std::copy(theta.begin(), theta.begin() + K * d, coef.begin());
    if (o.fit_intercept) std::copy(theta.begin() + K * d, theta.end(), intercept.begin());
    if (o.fit_intercept && prox) {  // centred, as the model does
      double mean = 0;
      for (double v : intercept)
        mean += v;
      mean /= double(K);
      for (double& v : intercept)
        v -= mean;
    }
  } else {
    std::vector<T> target(n_local);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int32_t positive = K == 2 ? 1 : std::int32_t(r);
      std::vector<std::int32_t> binary(n_local);
      for (std::size_t i = 0; i < n_local; ++i) {
        binary[i] = index[i] == positive ? 1 : 0;
        target[i] = T(binary[i]);
      }
      const std::vector<T> w = weights(binary, 2);
      std::vector<double> theta(per_row, 0.0);
      if (warm) {
        std::copy(model.coef().begin() + r * d, model.coef().begin() + (r + 1) * d, theta.begin());
        if (o.fit_intercept) theta[d] = model.intercept()[r];
      }
      reports.push_back(run(
          [&](Penalty penalty) {
            auto objective = std::make_unique<LogisticObjective<T>>(X, target, w, o.C, penalty,
                                                                    o.fit_intercept, o.threads);
            objective->use_column_max_abs(column_max);
            return objective;
          },
          1, theta));
      std::copy(theta.begin(), theta.begin() + d, coef.begin() + r * d);
      if (o.fit_intercept) intercept[r] = theta[d];
    }
  }
  model.set_fitted(classes, d, std::move(coef), std::move(intercept), std::move(reports));
  return model.fit_report();
}

template <class T>
const FitReport& fit_linear(LinearRegression<T>& model, const Collective& c, MatrixView<const T> X,
                            std::span<const double> y, std::span<const T> sample_weight) {
  constexpr const char* kFit = "LinearRegression.fit (distributed)";
  const LinearRegressionOptions& o = model.options();
  c.agree([&] {
    const bool sparse = o.penalty == Penalty::l1 || o.penalty == Penalty::elasticnet;
    check_sparse_options(kFit, o.penalty, o.l1_ratio,
                         o.solver == LinearSolver::cholesky || o.solver == LinearSolver::cd);
    if (sparse && !(o.alpha > 0))
      throw InvalidArgument(std::string(kFit) + ": penalty l1 and elasticnet need alpha > 0");
    if (!(o.alpha >= 0) || !std::isfinite(o.alpha))
      throw InvalidArgument(std::string(kFit) + ": alpha must be >= 0");
    check_solver_options(o.solver_options, kFit);
    if (o.threads.count < 0) throw InvalidArgument(std::string(kFit) + ": threads must be >= 0");
  });
  std::vector<double> column_max;
  check_data(kFit, c, X, y, sample_weight, o.threads, column_max);
  const std::size_t d = X.cols;
  std::vector<T> target(y.begin(), y.end());
  // As LinearRegression::fit: penalty none has no ridge term, l1 / elasticnet run cd on the
  // data term with the Σ s-scaled penalty.
  const bool sparse = o.penalty == Penalty::l1 || o.penalty == Penalty::elasticnet;
  const double ridge = o.penalty == Penalty::l2 ? o.alpha : 0.0;
  SquaredObjective<T> objective(X, target, sample_weight, sparse ? 0.0 : ridge, o.fit_intercept,
                                o.threads);
  objective.use_column_max_abs(std::move(column_max));
  PartitionedObjective partitioned(objective, c.partition(), true);
  std::vector<double> theta(d + (o.fit_intercept ? 1 : 0), 0.0);
  const SolverOptions& so = o.solver_options;
  if (sparse || o.solver == LinearSolver::cd) {
    LassoProblem problem{column_scaled_penalty(X, 1, o.fit_intercept, false, 0.0, 0.0), 1.0};
    if (sparse) {
      const ScopedRowPartition scope(c.partition());
      problem = lasso_problem<T>(X, sample_weight, o);
    }
    FitReport report = minimize_prox_newton(partitioned, theta, problem.penalty, so);
    report.solver = "cd";
    if (sparse) rescale_lasso_report(report, problem.total);
    const double intercept = o.fit_intercept ? theta[d] : 0.0;
    theta.resize(d);
    model.set_fitted(std::move(theta), intercept, std::move(report));
    return model.fit_report();
  }
  if (o.solver == LinearSolver::cholesky) {
    {
      const ScopedRowPartition scope(c.partition());
      LinearRegressionOptions normal = o;
      normal.alpha = ridge;
      theta = solve_normal_equations<T>(X, y, sample_weight, normal);
    }
    FitReport report = certify_solution(partitioned, theta, so, "cholesky");
    const double intercept = o.fit_intercept ? theta[d] : 0.0;
    theta.resize(d);
    model.set_fitted(std::move(theta), intercept, std::move(report));
    return model.fit_report();
  }
  FitReport report = o.solver == LinearSolver::lbfgs ? minimize_lbfgs(partitioned, theta, so)
                     : o.solver == LinearSolver::newton
                         ? minimize_newton_cg(partitioned, theta, so)
                         : minimize_gradient_descent(partitioned, theta, so);
  const double intercept = o.fit_intercept ? theta[d] : 0.0;
  theta.resize(d);
  model.set_fitted(std::move(theta), intercept, std::move(report));
  return model.fit_report();
}

}  // namespace

template <class T>
const FitReport& fit(LogisticRegression<T>& model, MPI_Comm comm, MatrixView<const T> X,
                     std::span<const double> y, std::span<const T> sample_weight) {
  const Collective c(comm, X.rows);
  return fit_logistic(model, c, X, y, sample_weight);
}

template <class T>
const FitReport& fit(LinearRegression<T>& model, MPI_Comm comm, MatrixView<const T> X,
                     std::span<const double> y, std::span<const T> sample_weight) {
  const Collective c(comm, X.rows);
  return fit_linear(model, c, X, y, sample_weight);
}

template <class T>
const FitReport& single_process_fit(LogisticRegression<T>& model, MatrixView<const T> X,
                                    std::span<const double> y, std::span<const T> sample_weight) {
  return fit_logistic(model, Collective(), X, y, sample_weight);
}

template <class T>
const FitReport& single_process_fit(LinearRegression<T>& model, MatrixView<const T> X,
                                    std::span<const double> y, std::span<const T> sample_weight) {
  return fit_linear(model, Collective(), X, y, sample_weight);
}

#define SIMDLR_DISTRIBUTED_FITS(T)                                                           \
  template const FitReport& fit(LogisticRegression<T>&, MPI_Comm, MatrixView<const T>,       \
                                std::span<const double>, std::span<const T>);                \
  template const FitReport& fit(LinearRegression<T>&, MPI_Comm, MatrixView<const T>,         \
                                std::span<const double>, std::span<const T>);                \
  template const FitReport& single_process_fit(LogisticRegression<T>&, MatrixView<const T>,  \
                                               std::span<const double>, std::span<const T>); \
  template const FitReport& single_process_fit(LinearRegression<T>&, MatrixView<const T>,    \
                                               std::span<const double>, std::span<const T>);
SIMDLR_DISTRIBUTED_FITS(float)
SIMDLR_DISTRIBUTED_FITS(double)
#undef SIMDLR_DISTRIBUTED_FITS

}  // namespace simdlr::distributed
