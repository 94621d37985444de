// The library's typed errors as Python exceptions, each a subclass of the built-in a
// scikit-learn user expects: bad input is a ValueError, a singular system a LinAlgError.
#include <Python.h>

#include "bindings.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_file.hpp"

namespace simdlr::python {
namespace {

struct ErrorTypes {
  PyObject* error;
  PyObject* invalid_argument;
  PyObject* shape;
  PyObject* unsupported_isa;
  PyObject* singular;
  PyObject* model_file;
};
ErrorTypes types{};

PyObject* new_type(nb::module_& m, const char* name, PyObject* base, const char* doc) {
  const std::string qualified = std::string("simdlr.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (type == nullptr) throw nb::python_error();
  m.attr(name) = nb::handle(type);
  return type;
}

void translate(const std::exception_ptr& p, void*) {
  // Most derived first: ModelFileError and the others all derive from simdlr::Error.
  try {
    std::rethrow_exception(p);
  } catch (const ModelFileError& e) {
    PyErr_SetString(types.model_file, e.what());
  } catch (const ShapeError& e) {
    PyErr_SetString(types.shape, e.what());
  } catch (const UnsupportedIsa& e) {
    PyErr_SetString(types.unsupported_isa, e.what());
  } catch (const SingularSystem& e) {
    PyErr_SetString(types.singular, e.what());
  } catch (const InvalidArgument& e) {
    PyErr_SetString(types.invalid_argument, e.what());
  } catch (const Error& e) {
    PyErr_SetString(types.error, e.what());
  }
  // Anything else goes on to nanobind's own translators (bad_alloc: MemoryError, other
  // std::exception: RuntimeError), so no C++ exception reaches the interpreter.
}

}  // namespace

void bind_errors(nb::module_& m) {
  nb::object linalg_error = nb::module_::import_("numpy.linalg").attr("LinAlgError");
  types.error =
      new_type(m, "SimdlrError", PyExc_RuntimeError, "An error reported by the simdlr library.");
  types.invalid_argument = new_type(m, "InvalidArgument", PyExc_ValueError,
                                    "An argument outside its documented domain.");
  types.shape = new_type(m, "ShapeError", PyExc_ValueError, "Sizes that must agree do not.");
  types.unsupported_isa = new_type(m, "UnsupportedIsa", PyExc_ValueError,
                                   "An instruction set this CPU or OS cannot run, or unknown.");
  types.singular = new_type(m, "SingularSystem", linalg_error.ptr(),
                            "A linear system the model must solve is singular.");
  types.model_file =
      new_type(m, "ModelFileError", PyExc_ValueError, "A model file that cannot be used.");
  nb::register_exception_translator(translate);
}

}  // namespace simdlr::python
