// simdlr._simdlr: the compiled half of the Python package (the estimators live in Python).
#include <nanobind/stl/string.h>

#include "bindings.hpp"
#include "simdlr/version.hpp"

NB_MODULE(_simdlr, m) {
  namespace py = simdlr::python;
  m.doc() = "Bindings of the simdlr C++ library (kernels, models, model files)";
  m.attr("__version__") = std::string(simdlr::library_version());
  py::bind_errors(m);
  py::bind_kernels(m);
  py::bind_labels(m);
  py::bind_logistic(m);
  py::bind_linear(m);
  py::bind_model_file(m);
}
