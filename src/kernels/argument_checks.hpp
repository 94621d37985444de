// Argument checks shared by the kernels and their scalar twins: they run before any work and
// throw typed errors whose message names the kernel and the argument. The tests are inline and
// cheap (a one-row prediction runs them); building a message is out of line (argument_checks.cpp).
#pragma once

#include <cstddef>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

[[noreturn, gnu::cold]] void throw_bad_threads(const char* kernel, int count);
[[noreturn, gnu::cold]] void throw_null(const char* kernel, const char* name, std::size_t n);
[[noreturn, gnu::cold]] void throw_bad_stride(const char* kernel, const char* name,
                                              std::size_t stride, std::size_t cols);

inline void check_threads(const char* kernel, Threads threads) {
  if (threads.count < 0) [[unlikely]]
    throw_bad_threads(kernel, threads.count);
}

inline void check_pointer(const char* kernel, const char* name, const void* p, std::size_t n) {
  if (p == nullptr && n > 0) [[unlikely]]
    throw_null(kernel, name, n);
}

// The thread count and two arrays of n elements each: the arguments of every vector kernel.
inline void check_vectors(const char* kernel, Threads threads, const char* a_name, const void* a,
                          const char* b_name, const void* b, std::size_t n) {
  check_threads(kernel, threads);
  check_pointer(kernel, a_name, a, n);
  check_pointer(kernel, b_name, b, n);
}

// `name` and `data_name` name the matrix and its data in messages ("X" and "X.data", or those of
// cross_product's A and B).
template <class T>
void check_matrix(const char* kernel, MatrixView<const T> X, const char* name = "X",
                  const char* data_name = "X.data") {
  if (X.stride < X.cols) [[unlikely]]
    throw_bad_stride(kernel, name, X.stride, X.cols);
  check_pointer(kernel, data_name, X.data, X.rows * X.cols);
}

}  // namespace simdlr::detail
