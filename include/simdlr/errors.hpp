// Typed errors: every failure simdlr reports derives from simdlr::Error, and its message names
// the problem and where it happened (argument, row/column, file:line:column).
#pragma once

#include <stdexcept>
#include <string>

namespace simdlr {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An argument has a value outside its documented domain (negative count, null pointer, ...).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Sizes that must agree do not (row stride smaller than the column count, ...).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// An instruction set was asked for that this CPU or operating system cannot run, or its name
// is not one of scalar, sse2, avx2, avx512.
class UnsupportedIsa : public Error {
 public:
  using Error::Error;
};

// A linear system the model must solve is singular or too ill-conditioned to solve in this
// precision (e.g. collinear features in least squares without a ridge penalty).
class SingularSystem : public Error {
 public:
  using Error::Error;
};

}  // namespace simdlr
