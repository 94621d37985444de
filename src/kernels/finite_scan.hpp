// The NaN/±inf scan of a data matrix before a fit: the active ISA's chunk kernel over the
// kernels' row chunks, on the given threads, so checking X costs about one streaming read.
#pragma once

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

// True when X holds a NaN or an infinity. X must have stride >= cols (not checked here).
template <class T>
bool matrix_has_non_finite(MatrixView<const T> X, Threads threads);

}  // namespace simdlr::detail
