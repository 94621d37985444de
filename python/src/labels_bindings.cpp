// A classifier's numeric labels as sorted classes and each row's class index, by the library's
// ClassLabels in a pass or two over the labels. numpy.unique(y, return_inverse=True) and
// scikit-learn's target-type check each sort y: at 100,000 rows about 3 ms, a third of a 10 ms
// fit.
#include <nanobind/stl/optional.h>

#include <cmath>
#include <optional>

#include "bindings.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/logistic_regression.hpp"

namespace simdlr::python {
namespace {

using Array = nb::ndarray<nb::numpy, double>;

// The sorted classes of float64 labels that are all whole numbers below 2^53 in magnitude, which
// scikit-learn calls a binary or multiclass target; None otherwise (a NaN, an infinity, a
// fraction: a continuous target; or a number a double may not hold exactly, such as an int64
// beyond 2^53 converted to double), so the caller takes scikit-learn's path and its errors.
std::optional<Array> label_classes(Vector<double> y) {
  std::optional<ClassLabels> classes;
  without_gil([&] {
    try {
      classes = ClassLabels::from_numbers(span(y));
    } catch (const InvalidArgument&) {  // a label that is not a finite number
      return;
    }
    for (const double v : classes->values())
      if (v != std::trunc(v) || std::fabs(v) >= 0x1p53) {
        classes.reset();
        return;
      }
  });
  if (!classes) return std::nullopt;
  return to_numpy(classes->values(), {classes->size()});
}

// Each label's index into `classes` (sorted, from label_classes of the same labels), as float64.
Array label_index(Vector<double> y, Vector<double> classes) {
  const std::size_t n = y.shape(0);
  auto* index = new double[n];
  nb::capsule owner(index, [](void* p) noexcept { delete[] static_cast<double*>(p); });
  without_gil([&] {
    const std::vector<std::int32_t> found =
        ClassLabels::from_numbers(span(classes)).indices_of(span(y));
    for (std::size_t i = 0; i < n; ++i)
      index[i] = double(found[i]);
  });
  return Array(index, {n}, owner);
}

}  // namespace

void bind_labels(nb::module_& m) {
  m.def("label_classes", &label_classes, nb::arg("y").noconvert(),
        "Sorted classes of float64 labels that are all whole numbers below 2**53, else None");
  m.def("label_index", &label_index, nb::arg("y").noconvert(), nb::arg("classes").noconvert(),
        "Each label's index into the sorted classes, as float64");
}

}  // namespace simdlr::python
