// Argument checks shared by the kernels and their scalar twins: they run before any work and
// throw typed errors whose message names the kernel and the argument.
#pragma once

#include <cstddef>
#include <string>

#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"

namespace simdlr::detail {

inline void check_threads(const char* kernel, Threads threads) {
  if (threads.count < 0) {
    throw InvalidArgument(std::string(kernel) +
                          ": thread count must be >= 0 (0 = OpenMP default), got " +
                          std::to_string(threads.count));
  }
}

inline void check_pointer(const char* kernel, const char* name, const void* p, std::size_t n) {
  if (p == nullptr && n > 0) {
    throw InvalidArgument(std::string(kernel) + ": " + name + " is null but must hold " +
                          std::to_string(n) + " elements");
  }
}

template <class T>
void check_matrix(const char* kernel, MatrixView<const T> X) {
  if (X.stride < X.cols) {
    throw ShapeError(std::string(kernel) + ": X row stride " + std::to_string(X.stride) +
                     " is smaller than its column count " + std::to_string(X.cols));
  }
  check_pointer(kernel, "X.data", X.data, X.rows * X.cols);
}

}  // namespace simdlr::detail
