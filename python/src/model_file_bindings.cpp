// The project's JSON model file from Python: save_model(path, dict) and load_model(path) ->
// dict, through the library's own writer and reader, so the CLI and C++ read what Python
// writes (and back) bit for bit. The dict carries task, precision, classes (numbers or text),
// feature_names, target, coef (rows x d), intercept, options and reports.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "simdlr/model_file.hpp"

namespace simdlr::python {
namespace {

ClassLabels classes_from(const nb::handle& classes) {
  const nb::list list(classes);
  bool numeric = true;
  for (nb::handle c : list)
    numeric = numeric && (nb::isinstance<nb::float_>(c) || nb::isinstance<nb::int_>(c));
  if (numeric) return ClassLabels::from_numbers(nb::cast<std::vector<double>>(list));
  return ClassLabels::from_text(nb::cast<std::vector<std::string>>(list));
}

void save(const std::filesystem::path& file, const nb::dict& d) {
  SavedModel s;
  s.task = nb::cast<std::string>(d["task"]);
  s.precision = nb::cast<std::string>(d["precision"]);
  s.feature_names = nb::cast<std::vector<std::string>>(d["feature_names"]);
  s.target = nb::cast<std::string>(d["target"]);
  const Matrix<double> coef = nb::cast<Matrix<double>>(d["coef"]);
  s.rows = coef.shape(0);
  s.coef.assign(coef.data(), coef.data() + coef.size());
  s.intercept = nb::cast<std::vector<double>>(d["intercept"]);
  const nb::dict o = nb::cast<nb::dict>(d["options"]);
  if (s.task == "logistic") {
    s.classes = classes_from(d["classes"]);
    LogisticRegressionOptions& l = s.logistic;
    l.penalty = parse_penalty(nb::cast<std::string>(o["penalty"]));
    l.C = nb::cast<double>(o["C"]);
    l.l1_ratio = nb::cast<double>(o["l1_ratio"]);
    l.solver = parse_solver(nb::cast<std::string>(o["solver"]));
    l.solver_options.tol = nb::cast<double>(o["tol"]);
    l.solver_options.max_iter = nb::cast<int>(o["max_iter"]);
    l.class_weight = nb::cast<std::string>(o["class_weight"]) == "balanced" ? ClassWeight::balanced
                                                                            : ClassWeight::none;
    l.fit_intercept = nb::cast<bool>(o["fit_intercept"]);
    l.multi_class = parse_multi_class(nb::cast<std::string>(o["multi_class"]));
    l.standardize = nb::cast<bool>(o["standardize"]);
    l.threads = Threads{nb::cast<int>(o["threads"])};
  } else {
    LinearRegressionOptions& l = s.linear;
    l.penalty = parse_penalty(nb::cast<std::string>(o["penalty"]));
    l.alpha = nb::cast<double>(o["alpha"]);
    l.l1_ratio = nb::cast<double>(o["l1_ratio"]);
    l.solver = parse_linear_solver(nb::cast<std::string>(o["solver"]));
    l.solver_options.tol = nb::cast<double>(o["tol"]);
    l.solver_options.max_iter = nb::cast<int>(o["max_iter"]);
    l.fit_intercept = nb::cast<bool>(o["fit_intercept"]);
    l.threads = Threads{nb::cast<int>(o["threads"])};
  }
  for (nb::handle r : nb::list(d["reports"]))
    s.reports.push_back(report_from_dict(nb::cast<nb::dict>(r)));
  // Checks every shape the way loading does: build the model the file describes.
  if (s.task == "logistic") {
    (void)logistic_from<double>(s);
  } else {
    (void)linear_from<double>(s);
  }
  save_model(file, s);
}

nb::dict load(const std::filesystem::path& file) {
  const SavedModel s = load_model(file);
  nb::dict d;
  d["task"] = s.task;
  d["precision"] = s.precision;
  d["feature_names"] = s.feature_names;
  d["target"] = s.target;
  d["coef"] = to_numpy(s.coef, {s.rows, s.feature_names.size()});
  d["intercept"] = to_numpy(s.intercept, {s.intercept.size()});
  nb::dict o;
  if (s.task == "logistic") {
    d["classes"] = s.classes.numeric() ? nb::cast(s.classes.values()) : nb::cast(s.classes.text());
    const LogisticRegressionOptions& l = s.logistic;
    o["penalty"] = std::string(penalty_name(l.penalty));
    o["C"] = l.C;
    o["l1_ratio"] = l.l1_ratio;
    o["solver"] = std::string(solver_name(l.solver));
    o["tol"] = l.solver_options.tol;
    o["max_iter"] = l.solver_options.max_iter;
    o["class_weight"] = l.class_weight == ClassWeight::balanced ? "balanced" : "none";
    o["fit_intercept"] = l.fit_intercept;
    o["multi_class"] = std::string(multi_class_name(l.multi_class));
    o["standardize"] = l.standardize;
    o["threads"] = l.threads.count;
  } else {
    d["classes"] = nb::list();
    const LinearRegressionOptions& l = s.linear;
    o["penalty"] = std::string(penalty_name(l.penalty));
    o["alpha"] = l.alpha;
    o["l1_ratio"] = l.l1_ratio;
    o["solver"] = std::string(linear_solver_name(l.solver));
    o["tol"] = l.solver_options.tol;
    o["max_iter"] = l.solver_options.max_iter;
    o["fit_intercept"] = l.fit_intercept;
    o["threads"] = l.threads.count;
  }
  d["options"] = o;
  nb::list reports;
  for (const FitReport& r : s.reports)
    reports.append(report_to_dict(r));
  d["reports"] = reports;
  return d;
}

}  // namespace

void bind_model_file(nb::module_& m) {
  m.def("save_model", &save, nb::arg("path"), nb::arg("model"));
  m.def("load_model", &load, nb::arg("path"));
}

}  // namespace simdlr::python
