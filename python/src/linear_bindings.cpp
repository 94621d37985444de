// LinearCore: the state behind simdlr.LinearRegression, Ridge, Lasso and ElasticNet, fitted in
// the precision of X and kept in both precisions for prediction (as LogisticCore).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <optional>

#include "bindings.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"  // parse_penalty

namespace simdlr::python {
namespace {

class LinearCore {
 public:
  LinearCore(const std::string& penalty, double alpha, double l1_ratio, const std::string& solver,
             double tol, int max_iter, bool fit_intercept, int threads) {
    options_.penalty = parse_penalty(penalty);
    options_.alpha = alpha;
    options_.l1_ratio = l1_ratio;
    options_.solver = parse_linear_solver(solver);
    options_.solver_options.tol = tol;
    options_.solver_options.max_iter = max_iter;
    options_.fit_intercept = fit_intercept;
    options_.threads = Threads{threads};
  }

  template <class T>
  nb::dict fit(Matrix<T> X, Vector<double> y, std::optional<Vector<T>> sample_weight,
               bool interruptible) {
    LinearRegressionOptions o = options_;
    o.solver_options = with_interrupt_check(o.solver_options, interruptible);
    LinearRegression<T> model(o);
    without_gil([&] { model.fit(view(X), span(y), span(sample_weight)); });
    set_fitted(model.coef(), model.intercept(), model.fit_report());
    return report_to_dict(model.fit_report());
  }

  void set_fitted(const std::vector<double>& coef, double intercept, const FitReport& report) {
    LinearRegression<float> f32(options_);
    LinearRegression<double> f64(options_);
    f32.set_fitted(coef, intercept, report);
    f64.set_fitted(coef, intercept, report);
    f32_ = std::move(f32);
    f64_ = std::move(f64);
  }

  void set_fitted_arrays(Vector<double> coef, double intercept) {
    set_fitted({coef.data(), coef.data() + coef.size()}, intercept, {});
  }

  nb::ndarray<nb::numpy, double> coef() const {
    const auto& m = fitted<double>();
    return to_numpy(m.coef(), {m.n_features()});
  }
  double intercept() const { return fitted<double>().intercept(); }

  template <class T>
  void predict(Matrix<T> X, OutVector<T> out) const {
    const auto& m = fitted<T>();
    predict_call(X.size(), [&] { m.predict(view(X), out_span(out)); });
  }

 private:
  template <class T>
  const LinearRegression<T>& fitted() const {
    const auto& m = [&]() -> const std::optional<LinearRegression<T>>& {
      if constexpr (sizeof(T) == 4) {
        return f32_;
      } else {
        return f64_;
      }
    }();
    if (!m) throw InvalidArgument("LinearRegression: the model is not fitted; call fit first");
    return *m;
  }

  LinearRegressionOptions options_;
  std::optional<LinearRegression<float>> f32_;
  std::optional<LinearRegression<double>> f64_;
};

template <class T>
void bind_typed(nb::class_<LinearCore>& c) {
  c.def("fit", &LinearCore::fit<T>, nb::arg("X").noconvert(), nb::arg("y").noconvert(),
        nb::arg("sample_weight").noconvert().none(), nb::arg("interruptible"));
  c.def("predict", &LinearCore::predict<T>, nb::arg("X").noconvert(), nb::arg("out").noconvert());
}

}  // namespace

void bind_linear(nb::module_& m) {
  nb::class_<LinearCore> c(m, "LinearCore");
  c.def(nb::init<const std::string&, double, double, const std::string&, double, int, bool, int>(),
        nb::arg("penalty"), nb::arg("alpha"), nb::arg("l1_ratio"), nb::arg("solver"),
        nb::arg("tol"), nb::arg("max_iter"), nb::arg("fit_intercept"), nb::arg("threads"));
  bind_typed<float>(c);
  bind_typed<double>(c);
  c.def("set_fitted", &LinearCore::set_fitted_arrays, nb::arg("coef").noconvert(),
        nb::arg("intercept"));
  c.def_prop_ro("coef", &LinearCore::coef, nb::rv_policy::move);
  c.def_prop_ro("intercept", &LinearCore::intercept);
}

}  // namespace simdlr::python
