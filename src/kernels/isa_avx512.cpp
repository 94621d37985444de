// The AVX-512 F+CD+DQ+BW (512-bit) instantiation of the kernel body, compiled with this ISA's flags
// only (see cmake/SimdlrIsaObjects.cmake). Nothing here may run before the dispatcher has checked
// that the CPU supports the ISA.
#include "simd_body.hpp"

namespace simdlr::detail {
constinit const IsaKernels avx512_kernels = simd::tables<xsimd::avx512bw>();
}  // namespace simdlr::detail
