// The vectorized kernel body, templated on the xsimd architecture A. Each per-ISA translation
// unit (isa_sse2.cpp, isa_avx2.cpp, isa_avx512.cpp) includes this file once, compiled with that
// ISA's flags, and instantiates simd::tables<A>(). The kernels themselves are in simd/, one
// header per concern:
//
//   simd/registers.hpp      batch type, FMA policy, partial loads/stores, TwoSum, reductions
//   simd/sweeps.hpp         row/block sweeps over X and their prefetching (page kicks)
//   simd/vector_math.hpp    exp, the logistic pieces, log1p on [0, 1]
//   simd/vector_chunks.hpp  dot, sigmoid, log_loss
//   simd/glm_passes.hpp     margins, Xᵀr, fused GLM pass, Hessian-vector, Gram, finite scan
//   simd/softmax.hpp        the softmax pass and the multinomial Hessian-vector product
//
// Everything there lives in an unnamed namespace: the instantiations get internal linkage, so no
// AVX-512 copy of any function can leak into the rest of the program as a shared weak symbol.
// For the same reason the body calls no STL function and no inline helper of the library, and
// its headers refuse to compile outside the per-ISA objects (SIMDLR_PER_ISA_TRANSLATION_UNIT,
// defined by cmake/SimdlrIsaObjects.cmake).
#pragma once

#include "kernel_table.hpp"
#include "simd/glm_passes.hpp"
#include "simd/registers.hpp"
#include "simd/softmax.hpp"
#include "simd/sweeps.hpp"
#include "simd/vector_chunks.hpp"
#include "simd/vector_math.hpp"

namespace simdlr::detail {
namespace {
namespace simd {

template <class T, class A>
constexpr KernelTable<T> table_for() {
  return {&dot<T, A>,
          &sigmoid<T, A>,
          &log_loss<T, A>,
          &margins<T, A>,
          &transpose_product<T, A>,
          &logistic<T, A>,
          &softmax<T, A>,
          &softmax_hessian_vector<T, A>,
          &squared<T, A>,
          &hessian_vector<T, A>,
          &gram_upper<T, A>,
          &any_non_finite<T, A>};
}

template <class A>
constexpr IsaKernels tables() {
  return {table_for<float, A>(), table_for<double, A>()};
}

}  // namespace simd
}  // namespace
}  // namespace simdlr::detail
