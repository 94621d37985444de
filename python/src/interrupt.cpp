// Ctrl-C during a fit: the solver calls back after every iteration; on Python's main thread
// the callback takes the GIL for a moment and runs pending signal handlers. A KeyboardInterrupt
// then unwinds the fit (the model keeps its previous state) and reaches the caller.
#include <Python.h>

#include "bindings.hpp"

namespace simdlr::python {

SolverOptions with_interrupt_check(SolverOptions options, bool interruptible) {
  if (interruptible) {
    options.on_iteration = [](const IterationLog&) {
      nb::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) throw Interrupted{};
    };
  }
  return options;
}

}  // namespace simdlr::python
