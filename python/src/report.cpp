// FitReport <-> dict: the Python layer turns the dict into simdlr.FitReport, and hands it back
// for model files. Infinite bounds stay inf here (JSON files write them as null).
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "simdlr/errors.hpp"

namespace simdlr::python {

nb::dict report_to_dict(const FitReport& r) {
  nb::dict d;
  d["solver"] = r.solver;
  d["iterations"] = r.iterations;
  d["function_evaluations"] = r.function_evaluations;
  d["hessian_vector_products"] = r.hessian_vector_products;
  d["hessians"] = r.hessians;
  d["objective_history"] = to_numpy(r.objective_history, {r.objective_history.size()});
  d["initial_gradient_norm"] = r.initial_gradient_norm;
  d["gradient_norm"] = r.gradient_norm;
  d["converged"] = r.converged;
  d["stop_reason"] = std::string(stop_reason_text(r.stop_reason));
  d["stop_code"] = int(r.stop_reason);
  d["objective_gap_bound"] = r.objective_gap_bound;
  d["relative_gap_bound"] = r.relative_gap_bound;
  d["certificate"] = std::string(certificate_name(r.certificate));
  d["certificate_note"] = r.certificate_note;
  d["certificate_checks"] = r.certificate_checks;
  return d;
}

FitReport report_from_dict(const nb::dict& d) {
  FitReport r;
  r.solver = nb::cast<std::string>(d["solver"]);
  r.iterations = nb::cast<int>(d["iterations"]);
  r.function_evaluations = nb::cast<int>(d["function_evaluations"]);
  r.hessian_vector_products = nb::cast<int>(d["hessian_vector_products"]);
  r.hessians = nb::cast<int>(d["hessians"]);
  r.objective_history = nb::cast<std::vector<double>>(d["objective_history"]);
  r.initial_gradient_norm = nb::cast<double>(d["initial_gradient_norm"]);
  r.gradient_norm = nb::cast<double>(d["gradient_norm"]);
  r.converged = nb::cast<bool>(d["converged"]);
  const int code = nb::cast<int>(d["stop_code"]);
  if (code < 0 || code > int(StopReason::uncertified))
    throw InvalidArgument("fit report: unknown stop_code " + std::to_string(code));
  r.stop_reason = StopReason(code);
  r.objective_gap_bound = nb::cast<double>(d["objective_gap_bound"]);
  r.relative_gap_bound = nb::cast<double>(d["relative_gap_bound"]);
  const std::string certificate = nb::cast<std::string>(d["certificate"]);
  for (Certificate c : {Certificate::none, Certificate::strong_convexity, Certificate::hessian,
                        Certificate::quadratic, Certificate::duality_gap}) {
    if (certificate_name(c) == certificate) r.certificate = c;
  }
  r.certificate_note = nb::cast<std::string>(d["certificate_note"]);
  r.certificate_checks = nb::cast<int>(d["certificate_checks"]);
  return r;
}

}  // namespace simdlr::python
