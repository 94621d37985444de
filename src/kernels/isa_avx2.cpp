// The AVX2 with FMA3 (256-bit) instantiation of the kernel body, compiled with this ISA's flags
// only (see cmake/SimdlrIsaObjects.cmake). Nothing here may run before the dispatcher has checked
// that the CPU supports the ISA.
#include "simd_body.hpp"

namespace simdlr::detail {
constinit const IsaKernels avx2_kernels = simd::tables<xsimd::fma3<xsimd::avx2>>();
}  // namespace simdlr::detail
