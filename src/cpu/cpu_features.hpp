// What the CPU and the operating system support, read with cpuid and xgetbv. Detection only:
// which ISA runs the kernels is decided in src/kernels/ (isa_table.cpp, dispatch.cpp).
#pragma once

#include <cstdint>

namespace simdlr::detail {

// Feature sets, as bits of CpuFeatures::bits. A bit is set only when the CPU has the
// instructions *and* the OS saves the register state they need.
enum CpuFeature : std::uint32_t {
  kCpuSse2 = 1u << 0,
  kCpuAvx2Fma = 1u << 1,  // AVX2 + FMA3 + OS-enabled YMM state
  kCpuAvx512 = 1u << 2,   // AVX-512 F+CD+DQ+BW + OS-enabled opmask/ZMM state (implies kCpuAvx2Fma)
};

struct CpuFeatures {
  std::uint32_t bits = 0;
  // cpuid vendor "AuthenticAMD": a tuning choice, not a feature (see dispatch.cpp).
  bool amd = false;

  // Whether every feature of `required` (CpuFeature bits) is present.
  constexpr bool has(std::uint32_t required) const noexcept {
    return (bits & required) == required;
  }
};

// Read once per call; cheap, but callers cache it.
CpuFeatures read_cpu_features() noexcept;

}  // namespace simdlr::detail
