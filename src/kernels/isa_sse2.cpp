// The SSE2 (128-bit, baseline x86-64) instantiation of the kernel body, compiled with this ISA's
// flags only (see cmake/SimdlrIsaObjects.cmake). Nothing here may run before the dispatcher has
// checked that the CPU supports the ISA.
#include "simd_body.hpp"

namespace simdlr::detail {
constinit const IsaKernels sse2_kernels = simd::tables<xsimd::sse2>();
}  // namespace simdlr::detail
