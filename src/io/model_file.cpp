// Model files as JSON (nlohmann-json). Doubles are dumped with max_digits10 significant digits
// and parsed with correct rounding, so they read back bit for bit.
#include "simdlr/model_file.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "simdlr/io.hpp"

namespace simdlr {
namespace {

using nlohmann::json;

json report_json(const FitReport& r) {
  return {{"solver", r.solver},
          {"iterations", r.iterations},
          {"function_evaluations", r.function_evaluations},
          {"hessian_vector_products", r.hessian_vector_products},
          {"hessians", r.hessians},
          {"certificate_checks", r.certificate_checks},
          {"objective", r.objective_history},
          {"initial_gradient_norm", r.initial_gradient_norm},
          {"gradient_norm", r.gradient_norm},
          {"converged", r.converged},
          {"stop_reason", std::string(stop_reason_text(r.stop_reason))},
          {"stop_code", int(r.stop_reason)},
          // null for +inf (no bound): JSON has no infinity
          {"objective_gap_bound",
           std::isfinite(r.objective_gap_bound) ? json(r.objective_gap_bound) : json(nullptr)},
          {"relative_gap_bound",
           std::isfinite(r.relative_gap_bound) ? json(r.relative_gap_bound) : json(nullptr)},
          {"certificate", std::string(certificate_name(r.certificate))},
          {"certificate_note", r.certificate_note}};
}

// The integer field `key` of object `j`, in [lo, hi]. nlohmann's get<int>() would convert 1e300 or
// 4294967297 with undefined behaviour or wrap-around; this refuses anything but an integer in
// range, with a message naming the field and the value.
int integer_field(const json& j, const char* key, long long lo, long long hi) {
  const json& v = j.at(key);
  const std::string where = std::string("field '") + key + "'";
  if (!v.is_number_integer()) {
    throw std::invalid_argument(where + ": expected an integer, found " +
                                std::string(v.type_name()) + " " + v.dump().substr(0, 40));
  }
  const bool in_range = v.is_number_unsigned()
                            ? v.get<unsigned long long>() <= (unsigned long long)hi
                            : v.get<long long>() >= lo && v.get<long long>() <= hi;
  if (!in_range) {
    throw std::invalid_argument(where + ": " + v.dump() + " is outside [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "]");
  }
  return int(v.get<long long>());
}

constexpr long long kIntMax = std::numeric_limits<int>::max();

FitReport report_from(const json& j) {
  FitReport r;
  r.solver = j.at("solver").get<std::string>();
  r.iterations = integer_field(j, "iterations", 0, kIntMax);
  r.function_evaluations = integer_field(j, "function_evaluations", 0, kIntMax);
  r.hessian_vector_products = integer_field(j, "hessian_vector_products", 0, kIntMax);
  // Written since version 2's l1 solvers; older files have none (0).
  if (j.contains("hessians")) r.hessians = integer_field(j, "hessians", 0, kIntMax);
  if (j.contains("certificate_checks"))
    r.certificate_checks = integer_field(j, "certificate_checks", 0, kIntMax);
  r.objective_history = j.at("objective").get<std::vector<double>>();
  r.initial_gradient_norm = j.at("initial_gradient_norm").get<double>();
  r.gradient_norm = j.at("gradient_norm").get<double>();
  r.converged = j.at("converged").get<bool>();
  const int code = integer_field(j, "stop_code", 0, int(StopReason::uncertified));
  r.stop_reason = StopReason(code);
  // Written since the certified rule; older files have none (the report then says none).
  const auto bound_field = [&](const char* key) {
    return j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>()
                                                    : std::numeric_limits<double>::infinity();
  };
  r.objective_gap_bound = bound_field("objective_gap_bound");
  r.relative_gap_bound = bound_field("relative_gap_bound");
  if (j.contains("certificate")) {
    const std::string name = j.at("certificate").get<std::string>();
    for (Certificate c : {Certificate::none, Certificate::strong_convexity, Certificate::hessian,
                          Certificate::quadratic, Certificate::duality_gap}) {
      if (certificate_name(c) == name) r.certificate = c;
    }
  }
  if (j.contains("certificate_note"))
    r.certificate_note = j.at("certificate_note").get<std::string>();
  return r;
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  std::string message = file.string();
  message += ": ";
  message += what;
  throw ModelFileError(message);
}

// options.l1_ratio, written since version 2: in [0, 1]; absent (version 1), `fallback` (the
// options' default).
double l1_ratio_field(const std::filesystem::path& file, const json& options, double fallback) {
  if (!options.contains("l1_ratio")) return fallback;
  const double r = options.at("l1_ratio").get<double>();
  if (!(r >= 0 && r <= 1))
    fail(file, "options.l1_ratio must be in [0, 1], found " + json(r).dump());
  return r;
}

// What a saved model of either task starts with: task, precision of T, and the feature names
// (x0, x1, ... when none are given).
template <class T>
SavedModel saved_model_of(const char* task, bool fitted, std::vector<std::string> feature_names,
                          std::size_t n_features) {
  if (!fitted) throw InvalidArgument("save_model: the model is not fitted");
  SavedModel s;
  s.task = task;
  s.precision = sizeof(T) == 4 ? "float32" : "float64";
  s.feature_names = std::move(feature_names);
  if (s.feature_names.empty()) {
    for (std::size_t j = 0; j < n_features; ++j)
      s.feature_names.push_back("x" + std::to_string(j));
  }
  return s;
}

}  // namespace

template <class T>
SavedModel saved_model(const LogisticRegression<T>& model, std::vector<std::string> feature_names) {
  SavedModel s =
      saved_model_of<T>("logistic", model.fitted(), std::move(feature_names), model.n_features());
  s.classes = model.classes();
  s.rows = model.rows();
  s.coef = model.coef();
  s.intercept = model.intercept();
  s.logistic = model.options();
  s.logistic.solver_options.on_iteration = nullptr;
  s.reports = model.fit_reports();
  return s;
}

template <class T>
SavedModel saved_model(const LinearRegression<T>& model, std::vector<std::string> feature_names) {
  SavedModel s =
      saved_model_of<T>("linear", model.fitted(), std::move(feature_names), model.n_features());
  s.rows = 1;
  s.coef = model.coef();
  s.intercept = {model.intercept()};
  s.linear = model.options();
  s.linear.solver_options.on_iteration = nullptr;
  s.reports = {model.fit_report()};
  return s;
}

template <class T>
LogisticRegression<T> logistic_from(const SavedModel& s) {
  if (s.task != "logistic")
    throw InvalidArgument("the model is a " + s.task + " model, not logistic");
  LogisticRegression<T> model(s.logistic);
  model.set_fitted(s.classes, s.feature_names.size(), s.coef, s.intercept, s.reports);
  return model;
}

template <class T>
LinearRegression<T> linear_from(const SavedModel& s) {
  if (s.task != "linear") throw InvalidArgument("the model is a " + s.task + " model, not linear");
  LinearRegression<T> model(s.linear);
  model.set_fitted(s.coef, s.intercept.at(0), s.reports.empty() ? FitReport{} : s.reports[0]);
  return model;
}

void save_model(const std::filesystem::path& file, const SavedModel& s) {
  json j;
  j["format"] = "simdlr-model";
  j["version"] = kModelFileVersion;
  j["task"] = s.task;
  j["precision"] = s.precision;
  if (s.task == "logistic") {
    j["classes"] = s.classes.numeric() ? json(s.classes.values()) : json(s.classes.text());
  } else {
    j["classes"] = json::array();
  }
  j["feature_names"] = s.feature_names;
  j["target"] = s.target;
  const std::size_t d = s.feature_names.size();
  json rows = json::array();
  for (std::size_t r = 0; r < s.rows; ++r) {
    rows.push_back(std::vector<double>(s.coef.begin() + r * d, s.coef.begin() + (r + 1) * d));
  }
  j["coef"] = rows;
  j["intercept"] = s.intercept;
  if (s.task == "logistic") {
    const LogisticRegressionOptions& o = s.logistic;
    j["options"] = {{"penalty", std::string(penalty_name(o.penalty))},
                    {"C", o.C},
                    {"l1_ratio", o.l1_ratio},
                    {"solver", std::string(solver_name(o.solver))},
                    {"tol", o.solver_options.tol},
                    {"max_iter", o.solver_options.max_iter},
                    {"class_weight", o.class_weight == ClassWeight::balanced ? "balanced" : "none"},
                    {"fit_intercept", o.fit_intercept},
                    {"multi_class", std::string(multi_class_name(o.multi_class))},
                    {"standardize", o.standardize},
                    {"threads", o.threads.count}};
  } else {
    const LinearRegressionOptions& o = s.linear;
    j["options"] = {{"penalty", std::string(penalty_name(o.penalty))},
                    {"alpha", o.alpha},
                    {"l1_ratio", o.l1_ratio},
                    {"fit_intercept", o.fit_intercept},
                    {"solver", std::string(linear_solver_name(o.solver))},
                    {"tol", o.solver_options.tol},
                    {"max_iter", o.solver_options.max_iter},
                    {"threads", o.threads.count}};
  }
  json reports = json::array();
  for (const FitReport& r : s.reports)
    reports.push_back(report_json(r));
  j["fit_report"] = reports;
  const std::string text = j.dump(1);
  io::write_file_atomically(file, [&](std::ostream& out) { out << text << '\n'; });
}

SavedModel load_model(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot open the model file");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    fail(file, std::string("not valid JSON (byte ") + std::to_string(e.byte) + ")");
  } catch (const json::exception& e) {
    // Not a syntax error but still unreadable, e.g. a number too large for a double
    // ("[json.exception.out_of_range.406] number overflow parsing '1e999'").
    std::string what = e.what();
    if (const auto end = what.find("] ");
        what.rfind("[json.exception.", 0) == 0 && end != what.npos)
      what.erase(0, end + 2);
    if (what.size() > 80) what = what.substr(0, 80) + "...";
    fail(file, "not valid JSON: " + what);
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != "simdlr-model") {
    fail(file, "not a simdlr model (no \"format\": \"simdlr-model\")");
  }
  if (!j.contains("version") || !j["version"].is_number_integer())
    fail(file, "no model file version");
  // Compared as a 64-bit value: a version beyond the range of int must not wrap around to 1.
  const json& version = j["version"];
  if (version.is_number_unsigned() ? version.get<unsigned long long>() > kModelFileVersion
                                   : version.get<long long>() > kModelFileVersion) {
    fail(file, "model file version " + version.dump() + " is newer than this simdlr reads (" +
                   std::to_string(kModelFileVersion) + "); upgrade simdlr");
  }
  if (!version.is_number_unsigned() && version.get<long long>() < 1)
    fail(file, "invalid model file version " + version.dump());
  SavedModel s;
  try {
    s.task = j.at("task").get<std::string>();
    if (s.task != "logistic" && s.task != "linear") fail(file, "unknown task '" + s.task + "'");
    s.precision = j.value("precision", std::string("float64"));
    s.feature_names = j.at("feature_names").get<std::vector<std::string>>();
    s.target = j.value("target", std::string());
    const std::size_t d = s.feature_names.size();
    if (d == 0) fail(file, "the model has no features");
    const json& rows = j.at("coef");
    if (!rows.is_array() || rows.empty()) fail(file, "coef must be a non-empty list of rows");
    s.rows = rows.size();
    for (std::size_t r = 0; r < s.rows; ++r) {
      const std::vector<double> row = rows[r].get<std::vector<double>>();
      if (row.size() != d) {
        fail(file, "coef row " + std::to_string(r) + " has " + std::to_string(row.size()) +
                       " values for " + std::to_string(d) + " features");
      }
      s.coef.insert(s.coef.end(), row.begin(), row.end());
    }
    s.intercept = j.at("intercept").get<std::vector<double>>();
    if (s.intercept.size() != s.rows) {
      fail(file, "intercept has " + std::to_string(s.intercept.size()) + " values for " +
                     std::to_string(s.rows) + " coef rows");
    }
    const json& o = j.at("options");
    if (s.task == "logistic") {
      const json& classes = j.at("classes");
      if (!classes.is_array() || classes.size() < 2)
        fail(file, "a logistic model needs at least two classes");
      if (classes[0].is_number()) {
        s.classes = ClassLabels::from_numbers(classes.get<std::vector<double>>());
      } else {
        s.classes = ClassLabels::from_text(classes.get<std::vector<std::string>>());
      }
      if (s.classes.size() != classes.size()) fail(file, "classes are repeated");
      const std::size_t want = s.classes.size() == 2 ? 1 : s.classes.size();
      if (s.rows != want) {
        fail(file, std::to_string(s.classes.size()) + " classes need " + std::to_string(want) +
                       " coef rows, found " + std::to_string(s.rows));
      }
      s.logistic.penalty = parse_penalty(o.at("penalty").get<std::string>());
      s.logistic.C = o.at("C").get<double>();
      s.logistic.l1_ratio = l1_ratio_field(file, o, s.logistic.l1_ratio);
      s.logistic.solver = parse_solver(o.at("solver").get<std::string>());
      s.logistic.solver_options.tol = o.at("tol").get<double>();
      s.logistic.solver_options.max_iter = integer_field(o, "max_iter", 1, kIntMax);
      s.logistic.class_weight = o.at("class_weight").get<std::string>() == "balanced"
                                    ? ClassWeight::balanced
                                    : ClassWeight::none;
      s.logistic.fit_intercept = o.at("fit_intercept").get<bool>();
      s.logistic.multi_class = parse_multi_class(o.at("multi_class").get<std::string>());
      s.logistic.standardize = o.at("standardize").get<bool>();
      s.logistic.threads = Threads{integer_field(o, "threads", 0, kIntMax)};
    } else {
      if (s.rows != 1) fail(file, "a linear model has one coef row");
      // Version 1 has no penalty for linear models: l2 (ridge with alpha, or least squares).
      if (o.contains("penalty"))
        s.linear.penalty = parse_penalty(o.at("penalty").get<std::string>());
      s.linear.alpha = o.at("alpha").get<double>();
      s.linear.l1_ratio = l1_ratio_field(file, o, s.linear.l1_ratio);
      s.linear.fit_intercept = o.at("fit_intercept").get<bool>();
      s.linear.solver = parse_linear_solver(o.at("solver").get<std::string>());
      s.linear.solver_options.tol = o.at("tol").get<double>();
      s.linear.solver_options.max_iter = integer_field(o, "max_iter", 1, kIntMax);
      s.linear.threads = Threads{integer_field(o, "threads", 0, kIntMax)};
    }
    for (const json& r : j.at("fit_report"))
      s.reports.push_back(report_from(r));
  } catch (const ModelFileError&) {
    throw;
  } catch (const std::exception& e) {
    fail(file, std::string("malformed model: ") + e.what());
  }
  for (double v : s.coef) {
    if (!std::isfinite(v)) fail(file, "coef contains a non-finite value");
  }
  for (double v : s.intercept) {
    if (!std::isfinite(v)) fail(file, "intercept contains a non-finite value");
  }
  return s;
}

template SavedModel saved_model<float>(const LogisticRegression<float>&, std::vector<std::string>);
template SavedModel saved_model<double>(const LogisticRegression<double>&,
                                        std::vector<std::string>);
template SavedModel saved_model<float>(const LinearRegression<float>&, std::vector<std::string>);
template SavedModel saved_model<double>(const LinearRegression<double>&, std::vector<std::string>);
template LogisticRegression<float> logistic_from<float>(const SavedModel&);
template LogisticRegression<double> logistic_from<double>(const SavedModel&);
template LinearRegression<float> linear_from<float>(const SavedModel&);
template LinearRegression<double> linear_from<double>(const SavedModel&);

}  // namespace simdlr
