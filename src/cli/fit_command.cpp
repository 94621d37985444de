// simdlr fit: read the data, fit, report (text or one JSON object), save the model.
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "fit_output.hpp"
#include "progress.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_file.hpp"

namespace simdlr::cli {

namespace {

// A double as the shortest text that reads back to it ("1.5", "0.1", "1e-08").
std::string number_text(double v) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

// --l1-ratio into `l1_ratio`: in [0, 1], and only with --penalty elasticnet (it would be ignored
// with any other penalty, and an option is never ignored silently). Unset: the library default.
void apply_l1_ratio(const FitSettings& s, Penalty penalty, double& l1_ratio) {
  if (!s.l1_ratio) return;
  const double r = *s.l1_ratio;
  if (!(r >= 0 && r <= 1)) {
    throw InvalidArgument("--l1-ratio: l1_ratio must be in [0, 1], got " + number_text(r));
  }
  if (penalty != Penalty::elasticnet) {
    throw InvalidArgument("--l1-ratio: l1_ratio is only used with --penalty elasticnet, not " +
                          std::string(penalty_name(penalty)));
  }
  l1_ratio = r;
}

bool sparse_penalty(Penalty penalty) {
  return penalty == Penalty::l1 || penalty == Penalty::elasticnet;
}

}  // namespace

LogisticRegressionOptions logistic_options(const FitSettings& s) {
  LogisticRegressionOptions o;
  o.penalty = parse_penalty(s.penalty);
  apply_l1_ratio(s, o.penalty, o.l1_ratio);
  o.C = s.C;
  if (s.solver) o.solver = parse_solver(*s.solver);
  o.solver_options = s.solver_options;
  if (s.class_weight == "balanced") {
    o.class_weight = ClassWeight::balanced;
  } else if (s.class_weight != "none") {
    throw InvalidArgument("--class-weight must be balanced or none, got '" + s.class_weight + "'");
  }
  o.multi_class = parse_multi_class(s.multi_class);
  o.standardize = s.standardize;
  o.fit_intercept = !s.no_intercept;
  o.threads = s.threads;
  return o;
}

LinearRegressionOptions linear_options(const FitSettings& s) {
  LinearRegressionOptions o;
  // l2: ridge with --alpha (0: least squares); none: least squares, so an --alpha would be
  // ignored and is refused; l1, elasticnet: Lasso / ElasticNet, whose alpha must be > 0 (the
  // library refuses the CLI's default 0 too; this message names the options to change).
  o.penalty = parse_penalty(s.penalty);
  apply_l1_ratio(s, o.penalty, o.l1_ratio);
  if (o.penalty == Penalty::none && s.alpha != 0) {
    throw InvalidArgument("--alpha " + number_text(s.alpha) +
                          " has no effect with --penalty none (least squares); use --penalty l2 "
                          "for ridge");
  }
  if (sparse_penalty(o.penalty) && !(s.alpha > 0)) {
    throw InvalidArgument("--alpha must be > 0 with --task linear --penalty " + s.penalty +
                          " (scikit-learn's " +
                          (o.penalty == Penalty::l1 ? "Lasso" : "ElasticNet") + " alpha), got " +
                          number_text(s.alpha));
  }
  o.alpha = s.alpha;
  if (s.solver) o.solver = parse_linear_solver(*s.solver);
  o.solver_options = s.solver_options;
  o.fit_intercept = !s.no_intercept;
  o.threads = s.threads;
  return o;
}

namespace {

template <class T>
FitOutcome fit_typed(const FitSettings& s, IterationPrinter& printer) {
  Dataset<T> data = load_dataset<T>(s.data);
  if (!data.has_target)
    throw InvalidArgument("fit needs a target: --target COL with --data, or --y with --x");
  FitOutcome out;
  using clock = std::chrono::steady_clock;
  if (s.task == "logistic") {
    LogisticRegressionOptions o = logistic_options(s);
    o.solver_options.on_iteration = printer.callback();
    LogisticRegression<T> model(o);
    const auto start = clock::now();
    if (data.target_is_numeric) {
      model.fit(data.X, data.y_numeric);
    } else {
      model.fit(data.X, data.y_text);
    }
    out.seconds = std::chrono::duration<double>(clock::now() - start).count();
    out.saved = saved_model(model, data.feature_names);
  } else if (s.task == "linear") {
    if (!data.target_is_numeric) {
      throw InvalidArgument(data.source + ": the target of a linear fit must be numeric; '" +
                            data.table->target_first_non_numeric + "' is not a number");
    }
    LinearRegressionOptions o = linear_options(s);
    o.solver_options.on_iteration = printer.callback();
    LinearRegression<T> model(o);
    const auto start = clock::now();
    model.fit(data.X, data.y_numeric);
    out.seconds = std::chrono::duration<double>(clock::now() - start).count();
    out.saved = saved_model(model, data.feature_names);
  } else {
    throw InvalidArgument("--task must be logistic or linear, got '" + s.task + "'");
  }
  out.saved.target = data.has_target ? s.data.target : "";
  return out;
}

Penalty penalty_of(const SavedModel& m) {
  return m.task == "logistic" ? m.logistic.penalty : m.linear.penalty;
}

std::size_t nonzero_coefficients(const SavedModel& m) {
  return std::size_t(std::count_if(m.coef.begin(), m.coef.end(), [](double v) { return v != 0; }));
}

// "l2, C 1", "elasticnet (l1_ratio 0.5), alpha 0.1: nonzero 7 of 10 coefficients", ...
std::string penalty_summary(const SavedModel& m) {
  const Penalty penalty = penalty_of(m);
  std::string text(penalty_name(penalty));
  if (penalty == Penalty::elasticnet) {
    const double r = m.task == "logistic" ? m.logistic.l1_ratio : m.linear.l1_ratio;
    text += " (l1_ratio " + number_text(r) + ")";
  }
  if (penalty != Penalty::none) {
    text += m.task == "logistic" ? ", C " + number_text(m.logistic.C)
                                 : ", alpha " + number_text(m.linear.alpha);
  }
  if (sparse_penalty(penalty)) {
    text += ": nonzero " + std::to_string(nonzero_coefficients(m)) + " of " +
            std::to_string(m.coef.size()) + " coefficients";
  }
  return text;
}

}  // namespace

void print_text(const FitOutcome& out, const FitSettings& s) {
  const SavedModel& m = out.saved;
  const FitReport& r = m.reports.at(0);
  std::printf("task        %s (%s, solver %s)\n", m.task.c_str(), m.precision.c_str(),
              r.solver.c_str());
  std::printf("penalty     %s\n", penalty_summary(m).c_str());
  std::printf("fit time    %.6f s   ISA %s, threads %d\n", out.seconds,
              std::string(isa_name(active_isa())).c_str(),
              s.threads.count > 0 ? s.threads.count : omp_get_max_threads());
  std::printf("objective   %.12g after %d iterations (%d passes over X)\n",
              r.objective_history.back(), r.iterations,
              r.function_evaluations + r.hessian_vector_products);
  std::printf("converged   %s: %s\n", r.converged ? "yes" : "NO",
              std::string(stop_reason_text(r.stop_reason)).c_str());
  if (std::isfinite(r.objective_gap_bound)) {
    std::printf("gap bound   objective - optimum <= %.3e (relative <= %.3e), %s certificate\n",
                r.objective_gap_bound, r.relative_gap_bound,
                std::string(certificate_name(r.certificate)).c_str());
    if (!r.certificate_note.empty()) std::printf("            %s\n", r.certificate_note.c_str());
  } else {
    std::printf("gap bound   none: %s\n", r.certificate_note.c_str());
  }
  for (std::size_t k = 1; k < m.reports.size(); ++k) {
    if (!m.reports[k].converged) std::printf("converged   NO for class %zu\n", k);
  }
  if (m.task == "logistic") {
    std::printf("classes    ");
    for (const std::string& c : m.classes.text())
      std::printf(" %s", c.c_str());
    std::printf("\n");
  }
  if (!s.model_out.empty()) std::printf("model       %s\n", s.model_out.string().c_str());
}

nlohmann::json fit_json(const FitOutcome& out, const FitSettings& s) {
  const SavedModel& m = out.saved;
  const FitReport& r = m.reports.at(0);
  nlohmann::json j;
  j["fit_seconds"] = out.seconds;
  j["objective"] = r.objective_history.back();
  j["iterations"] = r.iterations;
  j["converged"] = r.converged;
  j["stop_reason"] = std::string(stop_reason_text(r.stop_reason));
  j["solver"] = r.solver;
  const auto finite_or_null = [](double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nullptr;
  };
  j["objective_gap_bound"] = finite_or_null(r.objective_gap_bound);
  j["relative_gap_bound"] = finite_or_null(r.relative_gap_bound);
  j["certificate"] = std::string(certificate_name(r.certificate));
  if (!r.certificate_note.empty()) j["certificate_note"] = r.certificate_note;
  j["isa"] = std::string(isa_name(active_isa()));
  j["threads"] = s.threads.count > 0 ? s.threads.count : omp_get_max_threads();
  const std::size_t d = m.feature_names.size();
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t k = 0; k < m.rows; ++k) {
    rows.push_back(std::vector<double>(m.coef.begin() + k * d, m.coef.begin() + (k + 1) * d));
  }
  j["coef"] = rows;
  j["intercept"] = m.intercept;
  j["classes"] = m.task == "logistic" ? nlohmann::json(m.classes.text()) : nlohmann::json::array();
  j["task"] = m.task;
  j["precision"] = m.precision;
  // The penalty; elasticnet's l1_ratio; for l1 and elasticnet, the non-zero coefficients (of
  // coef, intercepts not counted).
  const Penalty penalty = penalty_of(m);
  j["penalty"] = std::string(penalty_name(penalty));
  if (penalty == Penalty::elasticnet)
    j["l1_ratio"] = m.task == "logistic" ? m.logistic.l1_ratio : m.linear.l1_ratio;
  if (sparse_penalty(penalty)) j["nonzero_coef"] = nonzero_coefficients(m);
  return j;
}

void print_json(const FitOutcome& out, const FitSettings& s) {
  std::cout << fit_json(out, s).dump() << std::endl;
}

int run_fit(const FitSettings& s) {
  const std::string precision =
      !s.precision.empty() ? s.precision
                           : (!s.data.x_npy.empty() ? npy_precision(s.data.x_npy) : "float64");
  if (precision != "float32" && precision != "float64") {
    throw InvalidArgument("--precision must be float32 or float64, got '" + precision + "'");
  }
  (void)active_isa();  // an invalid SIMDLR_ISA fails here, before any work
  IterationPrinter printer(s.verbose);
  const FitOutcome out =
      precision == "float32" ? fit_typed<float>(s, printer) : fit_typed<double>(s, printer);
  printer.finish();
  if (!s.model_out.empty()) save_model(s.model_out, out.saved);
  if (s.json) {
    print_json(out, s);
  } else {
    print_text(out, s);
  }
  return 0;
}

}  // namespace simdlr::cli
