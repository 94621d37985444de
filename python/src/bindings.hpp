// What the binding files share: NumPy views of the library's inputs, running library code
// without the GIL, and the registration function of each file.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <optional>
#include <span>
#include <utility>

#include "simdlr/matrix.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr::python {

namespace nb = nanobind;

// Arrays the bindings accept: C-contiguous, on the CPU, of exactly this dtype. Arguments are
// declared noconvert, so nanobind never copies behind the caller's back; the Python layer
// converts other layouts and dtypes once, in the open.
template <class T>
using Matrix = nb::ndarray<const T, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
template <class T>
using Vector = nb::ndarray<const T, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
template <class T>
using OutMatrix = nb::ndarray<T, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
template <class T>
using OutVector = nb::ndarray<T, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

template <class T>
MatrixView<const T> view(const Matrix<T>& a) {
  return {a.data(), a.shape(0), a.shape(1)};
}
template <class T>
std::span<const T> span(const Vector<T>& a) {
  return {a.data(), a.shape(0)};
}
template <class T>
std::span<const T> span(const std::optional<Vector<T>>& a) {
  return a ? span(*a) : std::span<const T>();
}
template <class A>
std::span<typename A::Scalar> out_span(A& a) {
  return {a.data(), a.size()};
}

// Thrown by the per-iteration check when Python has a pending KeyboardInterrupt (or any
// exception raised by a signal handler); the Python error is already set.
struct Interrupted {};

// Solver options whose per-iteration callback checks for Ctrl-C when `interruptible` (the
// calling thread is Python's main thread, the only one that runs signal handlers).
SolverOptions with_interrupt_check(SolverOptions options, bool interruptible);

// Runs f() with the GIL released. An interrupted fit surfaces as the pending Python exception.
template <class F>
decltype(auto) without_gil(F&& f) {
  try {
    nb::gil_scoped_release release;
    return std::forward<F>(f)();
  } catch (const Interrupted&) {
    throw nb::python_error();
  }
}

// Runs a prediction of `elements` input values: with the GIL released when it is large enough
// for other Python threads to get something done meanwhile, with it held below that, where
// releasing and re-taking it would cost more than the prediction (a row of 30 features takes
// about 50 ns in C++).
inline constexpr std::size_t kReleaseGilFrom = std::size_t(1) << 12;
template <class F>
void predict_call(std::size_t elements, F&& f) {
  if (elements < kReleaseGilFrom)
    std::forward<F>(f)();
  else
    without_gil(std::forward<F>(f));
}

// A NumPy array that owns a copy of `values`, with the given shape.
nb::ndarray<nb::numpy, double> to_numpy(std::span<const double> values,
                                        std::initializer_list<std::size_t> shape);

nb::dict report_to_dict(const FitReport& report);
FitReport report_from_dict(const nb::dict& d);

void bind_errors(nb::module_& m);
void bind_kernels(nb::module_& m);
void bind_labels(nb::module_& m);
void bind_logistic(nb::module_& m);
void bind_linear(nb::module_& m);
void bind_model_file(nb::module_& m);

}  // namespace simdlr::python
