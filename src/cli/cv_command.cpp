// simdlr cv: k-fold cross-validation over a grid of C (logistic) or alpha (linear), and of
// l1_ratio (elasticnet), by simdlr::cross_validate (model_selection.hpp); then a refit on all rows
// at the best point, which is reported, and saved with --model, exactly as `simdlr fit` with that
// C (alpha) and l1_ratio would report and save it.
//
// The grid when none is given (--n-grid N values, default 20):
//   logistic l1 / elasticnet: from l1_min_c up to l1_min_c · R (--grid-ratio, default 1e4);
//   logistic l2: scikit-learn's LogisticRegressionCV grid, logspace(-4, 4, N), increasing;
//   linear l1 / elasticnet: from lasso_alpha_max down to alpha_max / R (scikit-learn's
//     LassoCV / ElasticNetCV with eps = 1/R);
//   linear l2 (ridge): logspace(4, -4, N), decreasing;
//   penalty none: nothing to choose, one point (the unpenalised model's cross-validated score).
// With several l1_ratios the path start is that of the smallest positive one (where the start
// of every l1_ratio's path is all zeros, since l1_min_c grows and alpha_max shrinks with it).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "commands.hpp"
#include "fit_output.hpp"
#include "progress.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_file.hpp"
#include "simdlr/model_selection.hpp"

namespace simdlr::cli {
namespace {

constexpr std::size_t kDefaultGridSize = 20;
constexpr double kDefaultGridRatio = 1e4;

using clock_type = std::chrono::steady_clock;

// A double as the shortest text that reads back to it ("1.5", "0.1", "1e-08").
std::string number_text(double v) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

bool sparse_penalty(Penalty penalty) {
  return penalty == Penalty::l1 || penalty == Penalty::elasticnet;
}

bool greater_is_better(Scoring scoring) {
  return scoring == Scoring::accuracy || scoring == Scoring::roc_auc || scoring == Scoring::r2;
}

bool classification_scoring(Scoring scoring) {
  return scoring == Scoring::log_loss || scoring == Scoring::accuracy ||
         scoring == Scoring::roc_auc;
}

// The numbers of --Cs, --alphas or --l1-ratios ("" and "1,,2" are refused, not read as 0).
std::vector<double> parse_list(const char* option, const char* noun,
                               const std::vector<std::string>& items) {
  if (std::all_of(items.begin(), items.end(), [](const std::string& t) { return t.empty(); })) {
    throw InvalidArgument(std::string(option) + ": the " + noun + " is empty");
  }
  std::vector<double> values;
  for (const std::string& text : items) {
    double v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      throw InvalidArgument(std::string(option) + ": '" + text + "' is not a number");
    }
    values.push_back(v);
  }
  return values;
}

// The grid's lists as numbers.
struct GridLists {
  std::vector<double> strengths;  // --Cs or --alphas, when given
  std::vector<double> l1_ratios;  // --l1-ratios, when given
};

// The checks that need no data: every option must mean something for this task and penalty.
GridLists check_settings(const CvSettings& s, Penalty penalty, Scoring scoring) {
  GridLists lists;
  const bool logistic = s.fit.task == "logistic";
  const char* strengths = logistic ? "--Cs" : "--alphas";
  if (s.strength_given) {
    throw InvalidArgument(std::string("cv chooses ") + (logistic ? "C" : "alpha") +
                          ": give the grid with " + strengths +
                          " (or --n-grid), not --C or --alpha");
  }
  if (logistic && s.alphas_given) {
    throw InvalidArgument("--alphas is for --task linear; the logistic grid is --Cs");
  }
  if (!logistic && s.Cs_given) {
    throw InvalidArgument("--Cs is for --task logistic; the linear grid is --alphas");
  }
  if (!logistic &&
      (s.fit.standardize || s.fit.class_weight != "none" || s.fit.multi_class != "auto")) {
    throw InvalidArgument(
        "--standardize, --class-weight and --multi-class are logistic options; not with --task "
        "linear");
  }
  if (logistic ? !classification_scoring(scoring) : classification_scoring(scoring)) {
    throw InvalidArgument("--scoring " + std::string(scoring_name(scoring)) + " is for --task " +
                          (logistic ? "linear" : "logistic") + "; " +
                          (logistic ? "logistic cv scores log_loss (default), accuracy or roc_auc"
                                    : "linear cv scores r2 (default) or mse"));
  }
  const bool list_given = logistic ? s.Cs_given : s.alphas_given;
  if (penalty == Penalty::none) {
    if (list_given || s.n_grid || s.grid_ratio || s.l1_ratios_given) {
      throw InvalidArgument(
          "cv with --penalty none scores the one unpenalised model: --Cs, --alphas, --n-grid, "
          "--grid-ratio and --l1-ratios have no effect with it");
    }
  }
  if (list_given) {
    lists.strengths = parse_list(strengths, "grid", logistic ? s.Cs : s.alphas);
    for (double v : lists.strengths) {
      if (!(v > 0) || !std::isfinite(v)) {
        throw InvalidArgument(std::string(strengths) + ": every value must be a number > 0, got " +
                              number_text(v));
      }
    }
    if (s.n_grid) {
      throw InvalidArgument(std::string("--n-grid has no effect with ") + strengths +
                            " (the grid is given)");
    }
  }
  if (s.n_grid && *s.n_grid < 1) {
    throw InvalidArgument("--n-grid: the grid is empty; it must have at least 1 value");
  }
  if (s.l1_ratios_given) {
    if (penalty != Penalty::elasticnet) {
      throw InvalidArgument("--l1-ratios is only used with --penalty elasticnet, not " +
                            std::string(penalty_name(penalty)));
    }
    if (s.fit.l1_ratio) throw InvalidArgument("give --l1-ratios or --l1-ratio, not both");
    lists.l1_ratios = parse_list("--l1-ratios", "list", s.l1_ratios);
    for (double r : lists.l1_ratios) {
      if (!(r >= 0 && r <= 1)) {
        throw InvalidArgument("--l1-ratios: l1_ratio must be in [0, 1], got " + number_text(r));
      }
    }
  }
  if (s.grid_ratio) {
    const bool all_zero =
        penalty == Penalty::elasticnet &&
        (s.l1_ratios_given ? std::all_of(lists.l1_ratios.begin(), lists.l1_ratios.end(),
                                         [](double r) { return r == 0; })
                           : s.fit.l1_ratio == 0.0);
    if (list_given || !sparse_penalty(penalty) || all_zero) {
      throw InvalidArgument(std::string("--grid-ratio only shapes the grid cv builds for --penalty "
                                        "l1 or elasticnet (l1_ratio > 0); it has no effect ") +
                            (list_given ? std::string("with ") + strengths
                             : all_zero ? std::string("with l1_ratio 0")
                                        : "with --penalty " + std::string(penalty_name(penalty))));
    }
    if (!(*s.grid_ratio > 1) || !std::isfinite(*s.grid_ratio)) {
      throw InvalidArgument("--grid-ratio must be a number > 1, got " + number_text(*s.grid_ratio));
    }
  }
  if (s.folds < 2) {
    throw InvalidArgument("--folds must be at least 2, got " + std::to_string(s.folds));
  }
  if (s.seed && !s.shuffle) {
    throw InvalidArgument(
        "--seed has no effect without --shuffle (the folds are cut in file order)");
  }
  return lists;
}

// The rows of the data must be enough for the folds.
void check_folds_fit_rows(const CvSettings& s, std::size_t rows, const std::string& source) {
  if (s.folds > rows) {
    throw InvalidArgument("--folds " + std::to_string(s.folds) + ": more folds than the " +
                          std::to_string(rows) + " rows of " + source);
  }
}

// What a cv run produced: the scores of the grid and the refit, with what the report needs.
struct CvOutcome {
  CvResult result;
  FitOutcome refit;
  Scoring scoring = Scoring::log_loss;
  Penalty penalty = Penalty::l2;
  std::string grid_source;  // "given", "l1_min_c", "lasso_alpha_max", "logspace", "none"
  double path_start = std::numeric_limits<double>::quiet_NaN();  // l1_min_c or alpha_max
  std::size_t rows = 0;
  std::vector<std::size_t> fold_sizes;
  double seconds = 0;
};

// The smallest positive l1_ratio, or 0 when none is positive.
double smallest_positive(const std::vector<double>& ratios) {
  double smallest = 0;
  for (double r : ratios) {
    if (r > 0 && (smallest == 0 || r < smallest)) smallest = r;
  }
  return smallest;
}

template <class T>
CvOutcome cv_logistic(const CvSettings& s, const GridLists& lists, const Dataset<T>& data,
                      Scoring scoring, IterationPrinter& printer) {
  CvOutcome out;
  LogisticRegressionOptions o = logistic_options(s.fit);
  out.penalty = o.penalty;
  // The labels as class indices (sorted classes, as the model sorts them), so that text labels
  // (cross_validate takes numbers) and numeric ones go through the same path.
  const ClassLabels classes = data.target_is_numeric ? ClassLabels::from_numbers(data.y_numeric)
                                                     : ClassLabels::from_text(data.y_text);
  const std::size_t n = data.X.rows, K = classes.size();
  if (K < 2) {
    throw InvalidArgument(data.source + ": the target has a single class ('" +
                          (K ? classes.text()[0] : std::string()) + "'); cv needs at least two");
  }
  std::vector<double> y(n);
  std::vector<std::size_t> count(K, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t k = data.target_is_numeric ? classes.index_of(data.y_numeric[i])
                                                  : classes.index_of(data.y_text[i]);
    y[i] = double(k);
    ++count[std::size_t(k)];
  }
  if (scoring == Scoring::roc_auc && K != 2) {
    throw InvalidArgument("--scoring roc_auc needs two classes; the target has " +
                          std::to_string(K));
  }
  check_folds_fit_rows(s, n, data.source);
  for (std::size_t k = 0; k < K; ++k) {
    if (count[k] < s.folds) {
      throw InvalidArgument("--folds " + std::to_string(s.folds) + ": class '" + classes.text()[k] +
                            "' has only " + std::to_string(count[k]) +
                            " rows; the stratified folds need at least " + std::to_string(s.folds) +
                            " rows of every class");
    }
  }

  std::vector<double> l1_ratios;
  if (o.penalty == Penalty::elasticnet) {
    l1_ratios = s.l1_ratios_given ? lists.l1_ratios : std::vector<double>{o.l1_ratio};
  }
  const std::size_t N = s.n_grid.value_or(kDefaultGridSize);
  const double R = s.grid_ratio.value_or(kDefaultGridRatio);
  std::vector<double> Cs;
  if (s.Cs_given) {
    Cs = lists.strengths;
    out.grid_source = "given";
  } else if (o.penalty == Penalty::none) {
    Cs = {o.C};
    out.grid_source = "none";
  } else if (o.penalty == Penalty::l1 ||
             (o.penalty == Penalty::elasticnet && smallest_positive(l1_ratios) > 0)) {
    LogisticRegressionOptions start = o;
    if (o.penalty == Penalty::elasticnet) start.l1_ratio = smallest_positive(l1_ratios);
    const double c0 = l1_min_c<T>(data.X, y, {}, start);
    if (!std::isfinite(c0)) {
      throw InvalidArgument(
          "cv: no C makes a coefficient non-zero (every feature's gradient is 0 at w = 0); give "
          "the grid with --Cs");
    }
    out.path_start = c0;
    Cs = log_grid(c0, R, N);
    out.grid_source = "l1_min_c";
  } else {
    Cs = log_grid(1e-4, 1e8, N);
    out.grid_source = "logspace";
  }

  CvOptions cv;
  cv.folds = s.folds;
  cv.shuffle = s.shuffle;
  cv.seed = s.seed.value_or(0);
  cv.scoring = scoring;
  cv.refit = false;  // the refit below keeps the labels as given (text too)
  LogisticRegression<T> cv_model(o);
  const auto start = clock_type::now();
  out.result = cross_validate<T>(cv_model, data.X, y, {}, Cs, l1_ratios, cv);
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();

  // The refit, as `fit` would do it: the labels as they are in the data (text stays text).
  o.C = out.result.best_strength;
  if (o.penalty == Penalty::elasticnet) o.l1_ratio = out.result.best_l1_ratio;
  o.solver_options.on_iteration = printer.callback();
  LogisticRegression<T> model(o);
  const auto refit_start = clock_type::now();
  if (data.target_is_numeric) {
    model.fit(data.X, data.y_numeric);
  } else {
    model.fit(data.X, data.y_text);
  }
  out.refit.seconds = std::chrono::duration<double>(clock_type::now() - refit_start).count();
  out.refit.saved = saved_model(model, data.feature_names);
  return out;
}

template <class T>
CvOutcome cv_linear(const CvSettings& s, const GridLists& lists, const Dataset<T>& data,
                    Scoring scoring, IterationPrinter& printer) {
  CvOutcome out;
  if (!data.target_is_numeric) {
    throw InvalidArgument(data.source + ": the target of a linear fit must be numeric; '" +
                          data.table->target_first_non_numeric + "' is not a number");
  }
  FitSettings fit = s.fit;
  // linear_options checks --alpha, which cv does not take: any value valid for the penalty.
  const Penalty penalty = parse_penalty(fit.penalty);
  fit.alpha = sparse_penalty(penalty) ? 1.0 : 0.0;
  LinearRegressionOptions o = linear_options(fit);
  out.penalty = o.penalty;
  check_folds_fit_rows(s, data.X.rows, data.source);

  std::vector<double> l1_ratios;
  if (o.penalty == Penalty::elasticnet) {
    l1_ratios = s.l1_ratios_given ? lists.l1_ratios : std::vector<double>{o.l1_ratio};
  }
  const std::size_t N = s.n_grid.value_or(kDefaultGridSize);
  const double R = s.grid_ratio.value_or(kDefaultGridRatio);
  std::vector<double> alphas;
  if (s.alphas_given) {
    alphas = lists.strengths;
    out.grid_source = "given";
  } else if (o.penalty == Penalty::none) {
    // The paths take alpha > 0; penalty none ignores it (least squares), and the report shows 0.
    alphas = {1.0};
    out.grid_source = "none";
  } else if (o.penalty == Penalty::l1 ||
             (o.penalty == Penalty::elasticnet && smallest_positive(l1_ratios) > 0)) {
    LinearRegressionOptions start = o;
    if (o.penalty == Penalty::elasticnet) start.l1_ratio = smallest_positive(l1_ratios);
    const double a0 = lasso_alpha_max<T>(data.X, data.y_numeric, {}, start);
    if (!(a0 > 0) || !std::isfinite(a0)) {
      throw InvalidArgument(
          "cv: every alpha gives all-zero coefficients (the target is uncorrelated with every "
          "feature); give the grid with --alphas");
    }
    out.path_start = a0;
    alphas = log_grid(a0, 1 / R, N);
    out.grid_source = "lasso_alpha_max";
  } else {
    alphas = log_grid(1e4, 1e-8, N);
    out.grid_source = "logspace";
  }

  CvOptions cv;
  cv.folds = s.folds;
  cv.shuffle = s.shuffle;
  cv.seed = s.seed.value_or(0);
  cv.scoring = scoring;
  cv.refit = false;  // the refit below keeps the labels as given (text too)
  LinearRegression<T> cv_model(o);
  const auto start = clock_type::now();
  out.result = cross_validate<T>(cv_model, data.X, data.y_numeric, {}, alphas, l1_ratios, cv);
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (o.penalty == Penalty::none) {
    out.result.strengths = {0.0};
    out.result.best_strength = 0.0;
  }

  o.alpha = out.result.best_strength;
  if (o.penalty == Penalty::elasticnet) o.l1_ratio = out.result.best_l1_ratio;
  o.solver_options.on_iteration = printer.callback();
  LinearRegression<T> model(o);
  const auto refit_start = clock_type::now();
  model.fit(data.X, data.y_numeric);
  out.refit.seconds = std::chrono::duration<double>(clock_type::now() - refit_start).count();
  out.refit.saved = saved_model(model, data.feature_names);
  return out;
}

template <class T>
CvOutcome cv_typed(const CvSettings& s, const GridLists& lists, Scoring scoring,
                   IterationPrinter& printer) {
  Dataset<T> data = load_dataset<T>(s.fit.data);
  if (!data.has_target)
    throw InvalidArgument("cv needs a target: --target COL with --data, or --y with --x");
  CvOutcome out = s.fit.task == "logistic" ? cv_logistic<T>(s, lists, data, scoring, printer)
                                           : cv_linear<T>(s, lists, data, scoring, printer);
  out.scoring = scoring;
  out.rows = data.X.rows;
  out.fold_sizes.assign(s.folds, 0);
  for (std::int32_t f : out.result.fold)
    ++out.fold_sizes.at(std::size_t(f));
  out.refit.saved.target = s.fit.data.target;
  return out;
}

// ---- the report ----------------------------------------------------------------------------

const char* strength_name(const CvSettings& s) {
  return s.fit.task == "logistic" ? "C" : "alpha";
}

std::string fold_description(const CvSettings& s, const CvOutcome& out) {
  const auto [smallest, largest] =
      std::minmax_element(out.fold_sizes.begin(), out.fold_sizes.end());
  std::string text = std::to_string(s.folds) +
                     (s.fit.task == "logistic" ? " stratified folds" : " folds") + " of " +
                     std::to_string(out.rows) + " rows (" + std::to_string(*smallest);
  if (*largest != *smallest) text += "-" + std::to_string(*largest);
  text += " test rows each, ";
  text += s.shuffle ? "shuffled, seed " + std::to_string(s.seed.value_or(0)) : "in file order";
  return text + ")";
}

std::string grid_description(const CvSettings& s, const CvOutcome& out) {
  const std::size_t count = out.result.strengths.size();
  const std::string name = strength_name(s);
  const std::string values = std::to_string(count) + (count == 1 ? " value" : " values");
  if (out.grid_source == "none") return "none to choose (penalty none)";
  if (out.grid_source == "given") return values + " of " + name + ", as given";
  if (out.grid_source == "logspace") {
    return values + " of " + name + ", logspace(" + (s.fit.task == "logistic" ? "-4, 4" : "4, -4") +
           ")";
  }
  const double R = s.grid_ratio.value_or(kDefaultGridRatio);
  char text[160];
  if (out.grid_source == "l1_min_c") {
    std::snprintf(text, sizeof text, " of C from l1_min_c %.6g up to %.6g (ratio %g)",
                  out.path_start, out.path_start * R, R);
  } else {
    std::snprintf(text, sizeof text, " of alpha from alpha_max %.6g down to %.6g (ratio %g)",
                  out.path_start, out.path_start / R, R);
  }
  return values + text;
}

void print_cv_text(const CvSettings& s, const CvOutcome& out) {
  const CvResult& r = out.result;
  const bool net = out.penalty == Penalty::elasticnet;
  const std::string score(scoring_name(out.scoring));
  const std::size_t folds = s.folds, strengths = r.strengths.size();
  std::printf("cv          %s\n", fold_description(s, out).c_str());
  std::printf("scoring     %s (%s is better)\n", score.c_str(),
              greater_is_better(out.scoring) ? "higher" : "lower");
  std::printf("grid        %s\n", grid_description(s, out).c_str());
  std::printf("\n  %s%12s  %14s  %12s  %8s\n", net ? "  l1_ratio" : "", strength_name(s),
              ("mean " + score).c_str(), "std", "nonzero");
  for (std::size_t p = 0; p < r.mean_score.size(); ++p) {
    std::printf("%s ", p == r.best ? "*" : " ");
    if (net) std::printf(" %9.4g", r.l1_ratios[p / strengths]);
    std::printf("%12.6g  %14.8g  %12.4g  %8zu\n", r.strengths[p % strengths], r.mean_score[p],
                r.std_score[p], r.nonzero[p]);
  }
  std::printf("\n");
  std::string best = std::string(strength_name(s)) + " " + number_text(r.best_strength);
  if (net) best += ", l1_ratio " + number_text(r.best_l1_ratio);
  std::printf("best        %s: mean %s %.8g (std %.4g over %zu folds)\n", best.c_str(),
              score.c_str(), r.mean_score[r.best], r.std_score[r.best], folds);
  const std::string converged =
      r.all_converged
          ? "every fold fit converged"
          : std::to_string(r.unconverged) + " fold fits did NOT converge (see --tol, --max-iter)";
  std::printf("cv time     %.6f s (%zu fold fits, then the refit): %s\n", out.seconds,
              r.mean_score.size() * folds, converged.c_str());
  std::printf("\nrefit on all rows at the best point:\n");
  print_text(out.refit, s.fit);
}

void print_cv_json(const CvSettings& s, const CvOutcome& out) {
  const CvResult& r = out.result;
  const bool net = out.penalty == Penalty::elasticnet;
  const std::string name = strength_name(s);
  const std::size_t folds = s.folds, strengths = r.strengths.size();
  nlohmann::json j;
  j["task"] = s.fit.task;
  j["penalty"] = std::string(penalty_name(out.penalty));
  j["scoring"] = std::string(scoring_name(out.scoring));
  j["greater_is_better"] = greater_is_better(out.scoring);
  j["folds"] = folds;
  j["stratified"] = s.fit.task == "logistic";
  j["shuffle"] = s.shuffle;
  j["seed"] = s.seed.value_or(0);
  j["rows"] = out.rows;
  j["fold_sizes"] = out.fold_sizes;
  j["grid_source"] = out.grid_source;
  if (out.grid_source == "l1_min_c") j["l1_min_c"] = out.path_start;
  if (out.grid_source == "lasso_alpha_max") j["alpha_max"] = out.path_start;
  j[name == "C" ? "Cs" : "alphas"] = r.strengths;
  if (net) j["l1_ratios"] = r.l1_ratios;
  nlohmann::json grid = nlohmann::json::array(), fold_scores = nlohmann::json::array();
  for (std::size_t p = 0; p < r.mean_score.size(); ++p) {
    nlohmann::json point;
    if (net) point["l1_ratio"] = r.l1_ratios[p / strengths];
    point[name] = r.strengths[p % strengths];
    grid.push_back(point);
    fold_scores.push_back(std::vector<double>(r.fold_scores.begin() + p * folds,
                                              r.fold_scores.begin() + (p + 1) * folds));
  }
  j["grid"] = grid;
  j["mean_score"] = r.mean_score;
  j["std_score"] = r.std_score;
  j["fold_scores"] = fold_scores;
  j["nonzero_coef"] = r.nonzero;
  nlohmann::json best;
  best["index"] = r.best;
  best[name] = r.best_strength;
  if (net) best["l1_ratio"] = r.best_l1_ratio;
  best["mean_score"] = r.mean_score[r.best];
  best["std_score"] = r.std_score[r.best];
  best["nonzero_coef"] = r.nonzero[r.best];
  j["best"] = best;
  j["all_converged"] = r.all_converged;  // the fold fits (the refit has its own report)
  j["unconverged_fold_fits"] = r.unconverged;
  j["cv_seconds"] = out.seconds;
  j["refit"] = fit_json(out.refit, s.fit);
  std::cout << j.dump() << std::endl;
}

}  // namespace

int run_cv(const CvSettings& s) {
  if (s.fit.task != "logistic" && s.fit.task != "linear") {
    throw InvalidArgument("--task must be logistic or linear, got '" + s.fit.task + "'");
  }
  const std::string precision =
      !s.fit.precision.empty()
          ? s.fit.precision
          : (!s.fit.data.x_npy.empty() ? npy_precision(s.fit.data.x_npy) : "float64");
  if (precision != "float32" && precision != "float64") {
    throw InvalidArgument("--precision must be float32 or float64, got '" + precision + "'");
  }
  const Penalty penalty = parse_penalty(s.fit.penalty);
  const Scoring scoring =
      parse_scoring(s.scoring.value_or(s.fit.task == "logistic" ? "log_loss" : "r2"));
  const GridLists lists = check_settings(s, penalty, scoring);
  (void)active_isa();  // an invalid SIMDLR_ISA fails here, before any work
  IterationPrinter printer(s.fit.verbose);
  const CvOutcome out = precision == "float32" ? cv_typed<float>(s, lists, scoring, printer)
                                               : cv_typed<double>(s, lists, scoring, printer);
  printer.finish();
  if (!s.fit.model_out.empty()) save_model(s.fit.model_out, out.refit.saved);
  if (s.fit.json) {
    print_cv_json(s, out);
  } else {
    print_cv_text(s, out);
  }
  return 0;
}

}  // namespace simdlr::cli
