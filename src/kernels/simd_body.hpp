// The vectorized kernel body, templated on the xsimd architecture A. Each per-ISA translation
// unit (isa_sse2.cpp, isa_avx2.cpp, isa_avx512.cpp) includes this file once, compiled with that
// ISA's flags, and instantiates simd::tables<A>(). The kernels themselves are in simd/, one
// header per concern:
//
//   simd/registers.hpp      batch type, FMA policy, partial loads/stores, TwoSum, reductions
//   simd/sweeps.hpp         row/block sweeps over X and their prefetching (page kicks)
//   simd/vector_math.hpp    exp, the logistic pieces, log1p on [0, 1]
//   simd/vector_chunks.hpp  dot, sigmoid, log_loss, row-wise softmax
//   simd/glm_passes.hpp     margins, Xᵀr, fused GLM pass, Hessian-vector, finite scan
//   simd/gram.hpp           the weighted Gram matrix (packed, register-tiled)
//   simd/cross_product.hpp  the cross product AᵀB of two matrices over the same rows
//   simd/softmax.hpp        the softmax pass and the multinomial Hessian-vector product
//   simd/widened.hpp        double-arithmetic passes over float rows (the certificates')
//   simd/cholesky.hpp       the Cholesky factorization (linalg::Cholesky's, register-tiled)
//
// Everything there lives in an unnamed namespace: the instantiations get internal linkage, so no
// AVX-512 copy of any function can leak into the rest of the program as a shared weak symbol.
// For the same reason the body calls no STL function and no inline helper of the library, and
// it refuses to compile outside the per-ISA objects (SIMDLR_PER_ISA_TRANSLATION_UNIT, defined by
// cmake/SimdlrIsaObjects.cmake). The parts in simd/ are included inside the unnamed namespace
// below, in dependency order, and cannot be included anywhere else.
#pragma once

#ifndef SIMDLR_PER_ISA_TRANSLATION_UNIT
#error "the kernel body belongs in the per-ISA objects only (isa_*.cpp)"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <xsimd/xsimd.hpp>

#include "kernel_table.hpp"

namespace simdlr::detail {
namespace {
namespace simd {

#define SIMDLR_INSIDE_SIMD_BODY
// clang-format off
#include "simd/registers.hpp"
#include "simd/sweeps.hpp"
#include "simd/vector_math.hpp"
#include "simd/vector_chunks.hpp"
#include "simd/glm_passes.hpp"
#include "simd/gram.hpp"
#include "simd/cross_product.hpp"
#include "simd/softmax.hpp"
#include "simd/widened.hpp"
#include "simd/cholesky.hpp"
// clang-format on
#undef SIMDLR_INSIDE_SIMD_BODY

template <class T, class A>
constexpr KernelTable<T> table_for() {
  return {&dot<T, A>,
          &sigmoid<T, A>,
          &log_loss<T, A>,
          &margins<T, A>,
          &transpose_product<T, A>,
          &cross_product<T, A>,
          &logistic<T, A>,
          &softmax<T, A>,
          &softmax_hessian_vector<T, A>,
          &squared<T, A>,
          &hessian_vector<T, A>,
          &gram_upper<T, A>,
          &gram_scratch<T, A>,
          &any_non_finite<T, A>,
          &column_max_abs<T, A>,
          &softmax_rows<T, A>,
          &widened_margins<T, A>,
          &widened_accumulate<T, A>,
          &widened_gram_rows<T, A>,
          &cholesky_upper<T, A>};
}

template <class A>
constexpr IsaKernels tables() {
  return {table_for<float, A>(), table_for<double, A>()};
}

}  // namespace simd
}  // namespace
}  // namespace simdlr::detail
