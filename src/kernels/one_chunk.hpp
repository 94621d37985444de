// Kernels for inputs that fit in one chunk (one row to predict, a handful of logits): the chunk
// kernel of the active ISA called directly, without the driver's argument checks, chunk plan and
// thread choice, whose fixed cost is larger than the work at this size. The drivers run the same
// chunk kernel on a one-chunk plan for such inputs, so the results are theirs bit for bit.
// Callers check their arguments themselves.
#pragma once

#include <cstddef>

#include "chunking.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::detail {

// z[i] = X_i · w + b; X must satisfy rows_fit_one_chunk.
template <class T>
void margins_one_chunk(MatrixView<const T> X, const T* w, T b, T* z);

// out = σ(z) for n <= kVectorChunk values (out may equal z).
template <class T>
void sigmoid_one_chunk(const T* z, T* out, std::size_t n);

}  // namespace simdlr::detail
