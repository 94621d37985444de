// The options every model shares, checked once at the model's boundary (fit), before any work.
#pragma once

#include <string>

#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr::detail {

// The solver options (check_solver_options: tol, max_iter, history) and threads >= 0; each
// failure is an InvalidArgument "<who>: <option> must be ..., got <value>".
inline void check_shared_options(const char* who, const SolverOptions& solver_options,
                                 Threads threads) {
  check_solver_options(solver_options, who);
  if (threads.count < 0) {
    throw InvalidArgument(std::string(who) + ": threads must be >= 0, got " +
                          std::to_string(threads.count));
  }
}

}  // namespace simdlr::detail
