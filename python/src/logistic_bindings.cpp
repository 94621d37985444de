// LogisticCore: the state behind simdlr.LogisticRegression. It fits in the precision of X
// (float32 or float64, no copy) and keeps the fitted model in both precisions, so predictions
// run natively on either dtype. Labels arrive as class indices 0..K-1 (the Python layer maps
// them to classes_), so the library's class order is the estimator's. Class weights arrive
// folded into the sample weights (scikit-learn's compute_class_weight, which also weighs
// 'balanced' by the sample weights).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <numeric>
#include <optional>

#include "bindings.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/logistic_regression.hpp"

namespace simdlr::python {
namespace {

ClassLabels index_labels(std::size_t n_classes) {
  std::vector<double> k(n_classes);
  std::iota(k.begin(), k.end(), 0.0);
  return ClassLabels::from_numbers(k);
}

class LogisticCore {
 public:
  LogisticCore(const std::string& penalty, double C, double l1_ratio, const std::string& solver,
               double tol, int max_iter, bool fit_intercept, bool standardize, int threads,
               const std::string& multi_class) {
    options_.penalty = parse_penalty(penalty);
    options_.C = C;
    options_.l1_ratio = l1_ratio;
    options_.solver = parse_solver(solver);
    options_.solver_options.tol = tol;
    options_.solver_options.max_iter = max_iter;
    options_.fit_intercept = fit_intercept;
    options_.standardize = standardize;
    options_.threads = Threads{threads};
    options_.multi_class = parse_multi_class(multi_class);
  }

  // Fits on X with labels y (class indices as doubles) and returns the fit reports (one, or one
  // per class for one-vs-rest). With start_coef, the fit starts there (warm start).
  template <class T>
  nb::list fit(Matrix<T> X, Vector<double> y, std::optional<Vector<T>> sample_weight,
               std::size_t n_classes, std::optional<Matrix<double>> start_coef,
               std::optional<Vector<double>> start_intercept, bool interruptible) {
    LogisticRegressionOptions o = options_;
    o.solver_options = with_interrupt_check(o.solver_options, interruptible);
    o.warm_start = start_coef.has_value();
    LogisticRegression<T> model(o);
    if (start_coef) {
      model.set_fitted(index_labels(n_classes), start_coef->shape(1),
                       {start_coef->data(), start_coef->data() + start_coef->size()},
                       {start_intercept->data(), start_intercept->data() + start_intercept->size()},
                       {});
    }
    without_gil([&] { model.fit(view(X), span(y), span(sample_weight)); });
    set_fitted(model.classes().size(), model.n_features(), model.coef(), model.intercept(),
               model.fit_reports());
    nb::list reports;
    for (const FitReport& r : model.fit_reports())
      reports.append(report_to_dict(r));
    return reports;
  }

  void set_fitted(std::size_t n_classes, std::size_t n_features, const std::vector<double>& coef,
                  const std::vector<double>& intercept, const std::vector<FitReport>& reports) {
    LogisticRegression<float> f32(options_);
    LogisticRegression<double> f64(options_);
    f32.set_fitted(index_labels(n_classes), n_features, coef, intercept, reports);
    f64.set_fitted(index_labels(n_classes), n_features, coef, intercept, reports);
    f32_ = std::move(f32);
    f64_ = std::move(f64);
  }

  void set_fitted_arrays(std::size_t n_classes, Matrix<double> coef, Vector<double> intercept) {
    set_fitted(n_classes, coef.shape(1), {coef.data(), coef.data() + coef.size()},
               {intercept.data(), intercept.data() + intercept.size()}, {});
  }

  nb::ndarray<nb::numpy, double> coef() const {
    const auto& m = fitted<double>();
    return to_numpy(m.coef(), {m.rows(), m.n_features()});
  }
  nb::ndarray<nb::numpy, double> intercept() const {
    const auto& m = fitted<double>();
    return to_numpy(m.intercept(), {m.rows()});
  }

  template <class T>
  void decision_function(Matrix<T> X, OutMatrix<T> out) const {
    const auto& m = fitted<T>();
    predict_call(X.size(), [&] { m.decision_function(view(X), out_span(out)); });
  }
  template <class T>
  void predict_proba(Matrix<T> X, OutMatrix<T> out) const {
    const auto& m = fitted<T>();
    predict_call(X.size(), [&] { m.predict_proba(view(X), out_span(out)); });
  }
  template <class T>
  void predict_index(Matrix<T> X, OutVector<std::int32_t> out) const {
    const auto& m = fitted<T>();
    predict_call(X.size(), [&] { m.predict_index(view(X), out_span(out)); });
  }

 private:
  template <class T>
  const LogisticRegression<T>& fitted() const {
    const auto& m = [&]() -> const std::optional<LogisticRegression<T>>& {
      if constexpr (sizeof(T) == 4) {
        return f32_;
      } else {
        return f64_;
      }
    }();
    if (!m) throw InvalidArgument("LogisticRegression: the model is not fitted; call fit first");
    return *m;
  }

  LogisticRegressionOptions options_;
  std::optional<LogisticRegression<float>> f32_;
  std::optional<LogisticRegression<double>> f64_;
};

template <class T>
void bind_typed(nb::class_<LogisticCore>& c) {
  c.def("fit", &LogisticCore::fit<T>, nb::arg("X").noconvert(), nb::arg("y").noconvert(),
        nb::arg("sample_weight").noconvert().none(), nb::arg("n_classes"),
        nb::arg("start_coef").noconvert().none(), nb::arg("start_intercept").noconvert().none(),
        nb::arg("interruptible"));
  c.def("decision_function", &LogisticCore::decision_function<T>, nb::arg("X").noconvert(),
        nb::arg("out").noconvert());
  c.def("predict_proba", &LogisticCore::predict_proba<T>, nb::arg("X").noconvert(),
        nb::arg("out").noconvert());
  c.def("predict_index", &LogisticCore::predict_index<T>, nb::arg("X").noconvert(),
        nb::arg("out").noconvert());
}

}  // namespace

void bind_logistic(nb::module_& m) {
  nb::class_<LogisticCore> c(m, "LogisticCore");
  c.def(nb::init<const std::string&, double, double, const std::string&, double, int, bool, bool,
                 int, const std::string&>(),
        nb::arg("penalty"), nb::arg("C"), nb::arg("l1_ratio"), nb::arg("solver"), nb::arg("tol"),
        nb::arg("max_iter"), nb::arg("fit_intercept"), nb::arg("standardize"), nb::arg("threads"),
        nb::arg("multi_class"));
  bind_typed<double>(c);
  bind_typed<float>(c);
  c.def("set_fitted", &LogisticCore::set_fitted_arrays, nb::arg("n_classes"),
        nb::arg("coef").noconvert(), nb::arg("intercept").noconvert());
  c.def_prop_ro("coef", &LogisticCore::coef, nb::rv_policy::move);
  c.def_prop_ro("intercept", &LogisticCore::intercept, nb::rv_policy::move);
}

}  // namespace simdlr::python
