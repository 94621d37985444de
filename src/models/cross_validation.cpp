// k-fold cross-validation over a grid of penalty strengths and l1_ratios: a warm-started path per
// fold and l1_ratio, each fold's training fit being the full data with its test rows weighted 0
// (model_selection.hpp), scored on the test rows, then a refit on all rows at the best point.
#include <algorithm>
#include <cmath>
#include <string>

#include "class_weights.hpp"
#include "input_checks.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/metrics.hpp"
#include "simdlr/model_selection.hpp"

namespace simdlr {
namespace {

constexpr const char* kWho = "cross_validate";

bool lower_is_better(Scoring s) {
  return s == Scoring::log_loss || s == Scoring::mse;
}

std::vector<double> ratios_or(std::span<const double> l1_ratios, double fallback) {
  std::vector<double> ratios(l1_ratios.begin(), l1_ratios.end());
  if (ratios.empty()) ratios.push_back(fallback);
  for (std::size_t k = 0; k < ratios.size(); ++k) {
    if (!(ratios[k] >= 0 && ratios[k] <= 1)) {
      throw InvalidArgument(std::string(kWho) + ": l1_ratios[" + std::to_string(k) +
                            "] must be in [0, 1], got " + std::to_string(ratios[k]));
    }
  }
  return ratios;
}

// The training weights of fold f: the sample weights (or ones) with the test rows' set to 0.
template <class T>
std::vector<T> training_weights(std::span<const T> sample_weight,
                                const std::vector<std::int32_t>& fold, std::int32_t f) {
  std::vector<T> w(fold.size());
  for (std::size_t i = 0; i < fold.size(); ++i)
    w[i] = fold[i] == f ? T(0) : (sample_weight.empty() ? T(1) : sample_weight[i]);
  return w;
}

// Mean, standard deviation (ddof 0), best point; the grid's bookkeeping shared by both models.
void summarise(CvResult& r, Scoring scoring, std::size_t folds,
               const std::vector<double>& nonzero_sum) {
  const std::size_t points = r.strengths.size() * r.l1_ratios.size();
  r.mean_score.assign(points, 0.0);
  r.std_score.assign(points, 0.0);
  r.nonzero.assign(points, 0);
  for (std::size_t p = 0; p < points; ++p) {
    double mean = 0, squares = 0;
    for (std::size_t f = 0; f < folds; ++f)
      mean += r.fold_scores[p * folds + f];
    mean /= double(folds);
    for (std::size_t f = 0; f < folds; ++f) {
      const double e = r.fold_scores[p * folds + f] - mean;
      squares += e * e;
    }
    r.mean_score[p] = mean;
    r.std_score[p] = std::sqrt(squares / double(folds));
    r.nonzero[p] = std::size_t(std::llround(nonzero_sum[p] / double(folds)));
  }
  r.best = 0;
  for (std::size_t p = 1; p < points; ++p) {
    const bool better = lower_is_better(scoring) ? r.mean_score[p] < r.mean_score[r.best]
                                                 : r.mean_score[p] > r.mean_score[r.best];
    if (better) r.best = p;
  }
  r.best_strength = r.strengths[r.best % r.strengths.size()];
  r.best_l1_ratio = r.l1_ratios[r.best / r.strengths.size()];
}

// The score of a fitted classifier on the test rows of fold f (unweighted).
template <class T>
double classifier_score(const LogisticRegression<T>& model, MatrixView<const T> X,
                        const std::vector<std::int32_t>& index,
                        const std::vector<std::int32_t>& fold, std::int32_t f, Scoring scoring) {
  const std::size_t n = X.rows, K = model.classes().size();
  std::vector<T> proba(n * K);
  model.predict_proba(X, proba);
  std::vector<std::int32_t> truth, predicted;
  std::vector<double> p, positive;
  for (std::size_t i = 0; i < n; ++i) {
    if (fold[i] != f) continue;
    truth.push_back(index[i]);
    const T* row = proba.data() + i * K;
    predicted.push_back(std::int32_t(std::max_element(row, row + K) - row));
    p.insert(p.end(), row, row + K);
    positive.push_back(double(row[K - 1]));
  }
  switch (scoring) {
    case Scoring::log_loss:
      return metrics::log_loss(truth, p, K);
    case Scoring::accuracy:
      return metrics::accuracy(truth, predicted);
    case Scoring::roc_auc:
      return metrics::roc_auc(truth, positive);
    default:
      break;
  }
  throw InvalidArgument(std::string(kWho) + ": scoring " + std::string(scoring_name(scoring)) +
                        " is for regression");
}

// The grid's fold scores, shared by both models: per fold and l1_ratio a warm-started path over
// the strengths on the fold's training weights (fit_path(weights, options) → the path), each
// point scored on the fold's test rows (score(options, point, fold)); then the summary. r holds
// the strengths, l1_ratios and folds on entry.
template <class T, class Options, class FitPath, class Score>
void score_grid(CvResult& r, const CvOptions& cv, std::span<const T> sample_weight,
                const Options& base, const FitPath& fit_path, const Score& score) {
  const std::size_t folds = cv.folds, strengths = r.strengths.size();
  const std::size_t points = strengths * r.l1_ratios.size();
  r.fold_scores.assign(points * folds, 0.0);
  std::vector<double> nonzero_sum(points, 0.0);
  for (std::size_t f = 0; f < folds; ++f) {
    const std::vector<T> w = training_weights(sample_weight, r.fold, std::int32_t(f));
    for (std::size_t k = 0; k < r.l1_ratios.size(); ++k) {
      Options o = base;
      o.l1_ratio = r.l1_ratios[k];
      const std::vector<PathPoint> path = fit_path(std::span<const T>(w), o);
      for (std::size_t c = 0; c < strengths; ++c) {
        const std::size_t p = k * strengths + c;
        r.fold_scores[p * folds + f] = score(o, path[c], std::int32_t(f));
        nonzero_sum[p] += double(path[c].nonzero);
        r.unconverged += path[c].converged() ? 0 : 1;
      }
    }
  }
  summarise(r, cv.scoring, folds, nonzero_sum);
  r.all_converged = r.unconverged == 0;
}

// Refits `model` at r's best C and l1_ratio, its other options `base`, by fit(model).
template <class T, class Fit>
void refit_at_best(LogisticRegression<T>& model, const LogisticRegressionOptions& base, CvResult& r,
                   const Fit& fit) {
  LogisticRegressionOptions o = base;
  o.C = r.best_strength;
  o.l1_ratio = r.best_l1_ratio;
  model = LogisticRegression<T>(o);
  fit(model);
  for (const FitReport& report : model.fit_reports())
    r.all_converged = r.all_converged && report.converged;
}

}  // namespace

template <class T>
CvResult cross_validate(LogisticRegression<T>& model, MatrixView<const T> X,
                        std::span<const double> y, std::span<const T> sample_weight,
                        std::span<const double> Cs, std::span<const double> l1_ratios,
                        const CvOptions& cv) {
  const LogisticRegressionOptions base = model.options();
  if (Cs.empty()) throw InvalidArgument(std::string(kWho) + ": the grid of Cs is empty");
  detail::check_targets(kWho, y, X.rows);
  detail::check_sample_weight(kWho, sample_weight, X.rows);
  const ClassLabels classes = ClassLabels::from_numbers(y);
  const std::vector<std::int32_t> index = detail::class_indices(classes, y);
  if (cv.scoring == Scoring::r2 || cv.scoring == Scoring::mse) {
    throw InvalidArgument(std::string(kWho) + ": scoring " + std::string(scoring_name(cv.scoring)) +
                          " is for regression; use log_loss, accuracy or roc_auc");
  }
  if (cv.scoring == Scoring::roc_auc && classes.size() != 2) {
    throw InvalidArgument(std::string(kWho) + ": scoring roc_auc needs two classes, y has " +
                          std::to_string(classes.size()));
  }
  CvResult r;
  r.strengths.assign(Cs.begin(), Cs.end());
  r.l1_ratios = ratios_or(l1_ratios, base.l1_ratio);
  r.fold = stratified_kfold_assignment(index, cv.folds, cv.shuffle, cv.seed);
  score_grid<T>(
      r, cv, sample_weight, base,
      [&](std::span<const T> w, const LogisticRegressionOptions& o) {
        return logistic_path<T>(X, y, w, o, Cs);
      },
      [&](const LogisticRegressionOptions& o, const PathPoint& point, std::int32_t f) {
        LogisticRegression<T> fitted(o);
        fitted.set_fitted(classes, X.cols, point.coef, point.intercept, point.reports);
        return classifier_score(fitted, X, index, r.fold, f, cv.scoring);
      });
  if (cv.refit) refit_at_best(model, base, r, [&](auto& m) { m.fit(X, y, sample_weight); });
  return r;
}

template <class T>
CvResult cross_validate(LogisticRegression<T>& model, MatrixView<const T> X,
                        std::span<const std::string> y, std::span<const T> sample_weight,
                        std::span<const double> Cs, std::span<const double> l1_ratios,
                        const CvOptions& cv) {
  detail::check_label_count(kWho, y.size(), X.rows);
  // The classes' positions in text order as the labels: the same classes, folds and fits.
  const ClassLabels classes = ClassLabels::from_text(y);
  std::vector<double> index(y.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    index[i] = double(classes.index_of(y[i]));
  CvOptions without_refit = cv;
  without_refit.refit = false;
  const LogisticRegressionOptions base = model.options();
  CvResult r = cross_validate<T>(model, X, index, sample_weight, Cs, l1_ratios, without_refit);
  if (cv.refit) refit_at_best(model, base, r, [&](auto& m) { m.fit(X, y, sample_weight); });
  return r;
}

template <class T>
CvResult cross_validate(LinearRegression<T>& model, MatrixView<const T> X,
                        std::span<const double> y, std::span<const T> sample_weight,
                        std::span<const double> alphas, std::span<const double> l1_ratios,
                        const CvOptions& cv) {
  const LinearRegressionOptions base = model.options();
  if (alphas.empty()) throw InvalidArgument(std::string(kWho) + ": the grid of alphas is empty");
  detail::check_targets(kWho, y, X.rows);
  detail::check_sample_weight(kWho, sample_weight, X.rows);
  if (cv.scoring != Scoring::r2 && cv.scoring != Scoring::mse) {
    throw InvalidArgument(std::string(kWho) + ": scoring " + std::string(scoring_name(cv.scoring)) +
                          " is for classification; use r2 or mse");
  }
  CvResult r;
  r.strengths.assign(alphas.begin(), alphas.end());
  r.l1_ratios = ratios_or(l1_ratios, base.l1_ratio);
  r.fold = kfold_assignment(X.rows, cv.folds, cv.shuffle, cv.seed);
  score_grid<T>(
      r, cv, sample_weight, base,
      [&](std::span<const T> w, const LinearRegressionOptions& o) {
        return linear_path<T>(X, y, w, o, alphas);
      },
      [&](const LinearRegressionOptions& o, const PathPoint& point, std::int32_t f) {
        LinearRegression<T> fitted(o);
        fitted.set_fitted(point.coef, point.intercept[0]);
        const std::vector<T> predicted = fitted.predict(X);
        std::vector<double> truth, guess;
        for (std::size_t i = 0; i < X.rows; ++i) {
          if (r.fold[i] != f) continue;
          truth.push_back(y[i]);
          guess.push_back(double(predicted[i]));
        }
        return cv.scoring == Scoring::r2 ? metrics::r2_score(truth, guess)
                                         : metrics::mean_squared_error(truth, guess);
      });
  if (!cv.refit) return r;
  LinearRegressionOptions o = base;
  o.alpha = r.best_strength;
  o.l1_ratio = r.best_l1_ratio;
  model = LinearRegression<T>(o);
  model.fit(X, y, sample_weight);
  r.all_converged = r.all_converged && model.fit_report().converged;
  return r;
}

template CvResult cross_validate<float>(LogisticRegression<float>&, MatrixView<const float>,
                                        std::span<const double>, std::span<const float>,
                                        std::span<const double>, std::span<const double>,
                                        const CvOptions&);
template CvResult cross_validate<double>(LogisticRegression<double>&, MatrixView<const double>,
                                         std::span<const double>, std::span<const double>,
                                         std::span<const double>, std::span<const double>,
                                         const CvOptions&);
template CvResult cross_validate<float>(LogisticRegression<float>&, MatrixView<const float>,
                                        std::span<const std::string>, std::span<const float>,
                                        std::span<const double>, std::span<const double>,
                                        const CvOptions&);
template CvResult cross_validate<double>(LogisticRegression<double>&, MatrixView<const double>,
                                         std::span<const std::string>, std::span<const double>,
                                         std::span<const double>, std::span<const double>,
                                         const CvOptions&);
template CvResult cross_validate<float>(LinearRegression<float>&, MatrixView<const float>,
                                        std::span<const double>, std::span<const float>,
                                        std::span<const double>, std::span<const double>,
                                        const CvOptions&);
template CvResult cross_validate<double>(LinearRegression<double>&, MatrixView<const double>,
                                         std::span<const double>, std::span<const double>,
                                         std::span<const double>, std::span<const double>,
                                         const CvOptions&);

}  // namespace simdlr
