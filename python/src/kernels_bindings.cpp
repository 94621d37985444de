// simdlr.kernels: dot, sigmoid and log_loss over float32 and float64 vectors, and the ISA
// dispatch (which ISA runs, which the machine has, switching for the whole process).
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"

namespace simdlr::python {
namespace {

void check_lengths(const char* who, std::size_t a, std::size_t b) {
  if (a != b) {
    throw ShapeError(std::string(who) + ": the arrays have " + std::to_string(a) + " and " +
                     std::to_string(b) + " elements");
  }
}

template <class T>
void bind_typed(nb::module_& m) {
  m.def(
      "dot",
      [](Vector<T> x, Vector<T> y, int threads) {
        check_lengths("dot", x.shape(0), y.shape(0));
        return without_gil([&] { return kernels::dot(span(x), span(y), Threads{threads}); });
      },
      nb::arg("x").noconvert(), nb::arg("y").noconvert(), nb::arg("threads") = 0);
  m.def(
      "sigmoid",
      [](Vector<T> z, OutVector<T> out, int threads) {
        check_lengths("sigmoid", z.shape(0), out.shape(0));
        without_gil([&] { kernels::sigmoid(span(z), out_span(out), Threads{threads}); });
      },
      nb::arg("z").noconvert(), nb::arg("out").noconvert(), nb::arg("threads") = 0);
  m.def(
      "log_loss",
      [](Vector<T> z, Vector<T> y, int threads) {
        check_lengths("log_loss", z.shape(0), y.shape(0));
        return without_gil([&] { return kernels::log_loss(span(z), span(y), Threads{threads}); });
      },
      nb::arg("z").noconvert(), nb::arg("y").noconvert(), nb::arg("threads") = 0);
}

}  // namespace

void bind_kernels(nb::module_& m) {
  bind_typed<float>(m);
  bind_typed<double>(m);
  m.def("active_isa", [] { return std::string(isa_name(active_isa())); });
  m.def("best_isa", [] { return std::string(isa_name(best_isa())); });
  m.def("available_isas", [] {
    std::vector<std::string> names;
    for (Isa isa : supported_isas())
      names.emplace_back(isa_name(isa));
    return names;
  });
  m.def(
      "set_active_isa", [](std::string_view name) { set_active_isa(parse_isa(name)); },
      nb::arg("name"));
}

}  // namespace simdlr::python
