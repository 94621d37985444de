// Choosing the penalty: where the l1 path starts, regularization paths with warm starts, and
// k-fold cross-validation over a grid, for LogisticRegression (C, l1_ratio) and LinearRegression
// (alpha, l1_ratio), with scikit-learn's conventions (l1_min_c, LogisticRegressionCV,
// StratifiedKFold / KFold, lasso_path's alpha_max).
//
// Folds are index views of the one X, never copies: a fold's training fit is the full data with
// the sample weights of its test rows set to 0 (which removes them from the objective exactly),
// and its scores are those of the test rows' predictions. Everything is deterministic for a seed
// and the same for every thread count. With standardize, the column statistics are those of all
// rows (as when X is standardized once before the split), not of each training fold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr {

// ---- where the path starts ----------------------------------------------------------------

// The smallest C at which the optimum of the l1 or elasticnet logistic problem (options'
// penalty, l1_ratio, fit_intercept, standardize, class_weight) has a non-zero coefficient,
// exactly: with w = 0 the intercept is at its optimum b₀ (the logit of the weighted share of the
// positive class; 0 without an intercept), and w = 0 stays optimal while C · |Σ_i s_i (σ(b₀) −
// y_i) x_ij| ≤ l1_ratio · scale_j for every j (scale_j: the column's standard deviation with
// standardize, else 1). One-vs-rest: the smallest over the classes; multinomial: over every
// class's gradient, the intercepts giving every row the weighted class shares. scikit-learn's
// l1_min_c treats the intercept as a penalised feature; without an intercept the two agree.
// InvalidArgument for penalties other than l1 and elasticnet with l1_ratio > 0, or a single
// class; +inf when no C makes a coefficient non-zero (all gradients 0).
template <class T>
double l1_min_c(MatrixView<const T> X, std::span<const double> y, std::span<const T> sample_weight,
                const LogisticRegressionOptions& options);

// The smallest alpha at which the lasso or elastic-net optimum (options' penalty l1 or
// elasticnet) has every coefficient 0: max_j |Σ_i s_i (y_i − ȳ) x_ij| / (Σ_i s_i · l1_ratio),
// ȳ the weighted mean (0 without an intercept), as scikit-learn's lasso_path.
template <class T>
double lasso_alpha_max(MatrixView<const T> X, std::span<const double> y,
                       std::span<const T> sample_weight, const LinearRegressionOptions& options);

// `count` values from `first` to first · ratio, evenly spaced on a log scale (first, then
// increasing for ratio > 1, decreasing for ratio < 1). InvalidArgument unless count ≥ 1, first
// > 0 and ratio > 0, all finite.
std::vector<double> log_grid(double first, double ratio, std::size_t count);

// ---- paths --------------------------------------------------------------------------------

// One point of a path: its penalty strength (C or alpha), the coefficients (rows x n_features,
// row-major) and intercepts on the original scale, the non-zero coefficients, and the fit
// reports (one per class for one-vs-rest).
struct PathPoint {
  double strength = 0;
  std::vector<double> coef, intercept;
  std::size_t nonzero = 0;
  std::vector<FitReport> reports;
  bool converged() const;
};

// Fits options at every C of Cs, in the order given, each starting from the previous solution
// (warm start; give Cs increasing, from l1_min_c up, for the fewest iterations). Any penalty.
template <class T>
std::vector<PathPoint> logistic_path(MatrixView<const T> X, std::span<const double> y,
                                     std::span<const T> sample_weight,
                                     const LogisticRegressionOptions& options,
                                     std::span<const double> Cs);

// The same for LinearRegression over alphas (give them decreasing, from lasso_alpha_max).
template <class T>
std::vector<PathPoint> linear_path(MatrixView<const T> X, std::span<const double> y,
                                   std::span<const T> sample_weight,
                                   const LinearRegressionOptions& options,
                                   std::span<const double> alphas);

// ---- folds --------------------------------------------------------------------------------

// The test fold (0 .. folds − 1) of every row: scikit-learn's KFold (contiguous blocks, the first
// n mod folds one row longer) and StratifiedKFold (each class's rows, in their order, dealt to the
// folds in the counts scikit-learn allocates, classes ordered by first appearance), identical to
// them without shuffling. With shuffle, the rows (KFold) or each class's fold labels
// (StratifiedKFold) are permuted by a Fisher-Yates shuffle driven by std::mt19937_64(seed), the
// same on every platform (not numpy's permutation). InvalidArgument unless 2 ≤ folds ≤ n; for
// stratified folds, unless every class has at least `folds` rows.
std::vector<std::int32_t> kfold_assignment(std::size_t n, std::size_t folds, bool shuffle,
                                           std::uint64_t seed);
std::vector<std::int32_t> stratified_kfold_assignment(std::span<const std::int32_t> classes,
                                                      std::size_t folds, bool shuffle,
                                                      std::uint64_t seed);

// ---- cross-validation ---------------------------------------------------------------------

enum class Scoring { log_loss, accuracy, roc_auc, r2, mse };
std::string_view scoring_name(Scoring scoring) noexcept;
Scoring parse_scoring(std::string_view name);  // "log_loss", "accuracy", "roc_auc", "r2", "mse"

struct CvOptions {
  std::size_t folds = 5;
  bool shuffle = false;
  std::uint64_t seed = 0;
  // Classification: log_loss (lower is better), accuracy, roc_auc (two classes); regression:
  // r2, mse (lower is better). Scores are unweighted means over a fold's test rows, as
  // scikit-learn's scorers.
  Scoring scoring = Scoring::log_loss;
  // Refit the model on all rows at the best point (else the model is left as it was).
  bool refit = true;
};

// The scores of a grid: point p = (l1_ratio index r, strength index c) at p = r · strengths + c.
struct CvResult {
  std::vector<double> strengths;    // Cs or alphas, as given
  std::vector<double> l1_ratios;    // as given (one value, the options', when none is given)
  std::vector<double> fold_scores;  // point-major: fold_scores[p * folds + f]
  std::vector<double> mean_score, std_score;  // per point; std over folds (ddof 0, as numpy)
  std::vector<std::size_t> nonzero;           // per point: mean non-zero coefficients (rounded)
  std::size_t best = 0;                       // the best mean score; ties: the first in grid order
  double best_strength = 0, best_l1_ratio = 0;
  std::vector<std::int32_t> fold;  // each row's test fold
  bool all_converged = true;       // every fold's every fit, and the refit
  std::size_t unconverged = 0;     // fold fits (of folds x points) that did not converge
};

// Cross-validates LogisticRegression over Cs (a path per l1_ratio and fold, warm-started in the
// order given) and, with cv.refit, refits `model` on all rows with the best C and l1_ratio (its
// other options as they are). Folds stratified by class. l1_ratios empty: the options' l1_ratio.
template <class T>
CvResult cross_validate(LogisticRegression<T>& model, MatrixView<const T> X,
                        std::span<const double> y, std::span<const T> sample_weight,
                        std::span<const double> Cs, std::span<const double> l1_ratios,
                        const CvOptions& cv);
// The same with text labels (classes sorted as text, as LogisticRegression::fit sorts them); the
// refit model keeps them.
template <class T>
CvResult cross_validate(LogisticRegression<T>& model, MatrixView<const T> X,
                        std::span<const std::string> y, std::span<const T> sample_weight,
                        std::span<const double> Cs, std::span<const double> l1_ratios,
                        const CvOptions& cv);

// The same for LinearRegression over alphas; plain (unstratified) k folds; scoring r2 or mse.
template <class T>
CvResult cross_validate(LinearRegression<T>& model, MatrixView<const T> X,
                        std::span<const double> y, std::span<const T> sample_weight,
                        std::span<const double> alphas, std::span<const double> l1_ratios,
                        const CvOptions& cv);

}  // namespace simdlr
