// Where a regularization path starts: l1_min_c (logistic) and lasso_alpha_max (least squares),
// exactly, from the gradient at w = 0 with the intercept at its optimum; and log_grid.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "class_weights.hpp"
#include "column_stats.hpp"
#include "input_checks.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_selection.hpp"

namespace simdlr {
namespace {

// G_j = Σ_i r_i x_ij in double (four partial sums per column, rows in order): the gradient at
// w = 0 up to its factor.
template <class T>
std::vector<double> column_products(MatrixView<const T> X, std::span<const double> r) {
  std::vector<double> G(X.cols, 0.0);
  for (std::size_t i = 0; i < X.rows; ++i) {
    if (r[i] == 0) continue;
    const T* row = X.row(i);
    for (std::size_t j = 0; j < X.cols; ++j)
      G[j] += r[i] * double(row[j]);
  }
  return G;
}

double l1_share(Penalty penalty, double l1_ratio, const char* who) {
  if (penalty == Penalty::l1) return 1.0;
  if (penalty == Penalty::elasticnet && l1_ratio > 0 && l1_ratio <= 1) return l1_ratio;
  throw InvalidArgument(
      std::string(who) + ": needs penalty l1, or elasticnet with l1_ratio in (0, 1]; got " +
      std::string(penalty_name(penalty)) +
      (penalty == Penalty::elasticnet ? " with l1_ratio " + std::to_string(l1_ratio)
                                      : std::string()));
}

}  // namespace

template <class T>
double l1_min_c(MatrixView<const T> X, std::span<const double> y, std::span<const T> sample_weight,
                const LogisticRegressionOptions& o) {
  constexpr const char* kWho = "l1_min_c";
  const double rho = l1_share(o.penalty, o.l1_ratio, kWho);
  detail::check_training_matrix(kWho, X, o.threads);
  detail::check_targets(kWho, y, X.rows);
  detail::check_sample_weight(kWho, sample_weight, X.rows);
  const ClassLabels classes = ClassLabels::from_numbers(y);
  const std::size_t K = classes.size(), n = X.rows, d = X.cols;
  if (K < 2) throw InvalidArgument(std::string(kWho) + ": y has a single class");
  std::vector<double> scale(d, 1.0);
  if (o.standardize) scale = detail::column_stats(X, o.fit_intercept, o.threads).scale;
  const std::vector<std::int32_t> index = detail::class_indices(classes, y);
  double best = std::numeric_limits<double>::infinity();
  if (K > 2 && o.multi_class != MultiClass::ovr) {
    // Multinomial: with W = 0 the optimal intercepts give every row the weighted class shares
    // (1/K each without an intercept); the gradient of class k is C Σ_i s_i (p̄_k − y_ik) x_i.
    const std::vector<T> w =
        detail::effective_weights(sample_weight, std::span(index), K, o.class_weight);
    std::vector<long double> share(K, 0.0L);
    long double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double s = w.empty() ? 1.0 : double(w[i]);
      total += s;
      share[std::size_t(index[i])] += s;
    }
    for (std::size_t k = 0; k < K; ++k) {
      const double p = o.fit_intercept ? double(share[k] / total) : 1.0 / double(K);
      std::vector<double> r(n);
      for (std::size_t i = 0; i < n; ++i)
        r[i] = (w.empty() ? 1.0 : double(w[i])) * (p - (std::size_t(index[i]) == k ? 1.0 : 0.0));
      const std::vector<double> G = column_products(X, r);
      for (std::size_t j = 0; j < d; ++j)
        if (G[j] != 0) best = std::min(best, rho * scale[j] / std::fabs(G[j]));
    }
    return best;
  }
  for (std::size_t k = 0; k < (K == 2 ? 1 : K); ++k) {
    const std::int32_t positive = K == 2 ? 1 : std::int32_t(k);
    std::vector<std::int32_t> binary(n);
    for (std::size_t i = 0; i < n; ++i)
      binary[i] = index[i] == positive ? 1 : 0;
    const std::vector<T> w = detail::effective_weights(
        sample_weight, std::span<const std::int32_t>(binary), 2, o.class_weight);
    // The intercept's optimum with w = 0: σ(b₀) = the weighted share of positives.
    long double total = 0, positives = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double s = w.empty() ? 1.0 : double(w[i]);
      total += s;
      positives += s * binary[i];
    }
    const double p = o.fit_intercept ? double(positives / total) : 0.5;
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i)
      r[i] = (w.empty() ? 1.0 : double(w[i])) * (p - binary[i]);
    const std::vector<double> G = column_products(X, r);
    for (std::size_t j = 0; j < d; ++j) {
      if (G[j] != 0) best = std::min(best, rho * scale[j] / std::fabs(G[j]));
    }
  }
  return best;
}

template <class T>
double lasso_alpha_max(MatrixView<const T> X, std::span<const double> y,
                       std::span<const T> sample_weight, const LinearRegressionOptions& o) {
  constexpr const char* kWho = "lasso_alpha_max";
  const double rho = l1_share(o.penalty, o.l1_ratio, kWho);
  detail::check_training_matrix(kWho, X, o.threads);
  detail::check_targets(kWho, y, X.rows);
  detail::check_sample_weight(kWho, sample_weight, X.rows);
  const std::size_t n = X.rows;
  long double total = 0, weighted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = sample_weight.empty() ? 1.0 : double(sample_weight[i]);
    total += s;
    weighted += s * y[i];
  }
  const double mean = o.fit_intercept ? double(weighted / total) : 0.0;
  std::vector<double> r(n);
  for (std::size_t i = 0; i < n; ++i)
    r[i] = (sample_weight.empty() ? 1.0 : double(sample_weight[i])) * (y[i] - mean);
  const std::vector<double> G = column_products(X, r);
  double largest = 0;
  for (double g : G)
    largest = std::max(largest, std::fabs(g));
  return largest / (double(total) * rho);
}

std::vector<double> log_grid(double first, double ratio, std::size_t count) {
  if (count < 1 || !(first > 0) || !(ratio > 0) || !std::isfinite(first) || !std::isfinite(ratio)) {
    throw InvalidArgument("log_grid: needs count >= 1 and finite first > 0, ratio > 0; got count " +
                          std::to_string(count) + ", first " + std::to_string(first) + ", ratio " +
                          std::to_string(ratio));
  }
  std::vector<double> grid(count);
  for (std::size_t k = 0; k < count; ++k) {
    const double t = count == 1 ? 0.0 : double(k) / double(count - 1);
    grid[k] = first * std::pow(ratio, t);
  }
  return grid;
}

template double l1_min_c<float>(MatrixView<const float>, std::span<const double>,
                                std::span<const float>, const LogisticRegressionOptions&);
template double l1_min_c<double>(MatrixView<const double>, std::span<const double>,
                                 std::span<const double>, const LogisticRegressionOptions&);
template double lasso_alpha_max<float>(MatrixView<const float>, std::span<const double>,
                                       std::span<const float>, const LinearRegressionOptions&);
template double lasso_alpha_max<double>(MatrixView<const double>, std::span<const double>,
                                        std::span<const double>, const LinearRegressionOptions&);

}  // namespace simdlr
