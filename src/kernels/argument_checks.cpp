#include "argument_checks.hpp"

#include <string>

#include "simdlr/errors.hpp"

namespace simdlr::detail {

void throw_bad_threads(const char* kernel, int count) {
  throw InvalidArgument(std::string(kernel) +
                        ": thread count must be >= 0 (0 = OpenMP default), got " +
                        std::to_string(count));
}

void throw_null(const char* kernel, const char* name, std::size_t n) {
  throw InvalidArgument(std::string(kernel) + ": " + name + " is null but must hold " +
                        std::to_string(n) + " elements");
}

void throw_bad_stride(const char* kernel, const char* name, std::size_t stride, std::size_t cols) {
  throw ShapeError(std::string(kernel) + ": " + name + " row stride " + std::to_string(stride) +
                   " is smaller than its column count " + std::to_string(cols));
}

}  // namespace simdlr::detail
