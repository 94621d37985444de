// What the CPU and the operating system support, read with cpuid and xgetbv.
#pragma once

namespace simdlr::detail {

struct CpuFeatures {
  bool sse2 = false;
  bool avx2_fma = false;  // AVX2 + FMA3 + OS-enabled YMM state
  bool avx512 = false;    // AVX-512 F+CD+DQ+BW + OS-enabled opmask/ZMM state (and avx2_fma)
};

// Read once per call; cheap, but callers cache it.
CpuFeatures read_cpu_features() noexcept;

}  // namespace simdlr::detail
