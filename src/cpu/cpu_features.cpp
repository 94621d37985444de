#include "cpu_features.hpp"

#include <cpuid.h>

#include <cstdint>

namespace simdlr::detail {
namespace {

bool bit(unsigned value, int index) {
  return (value >> index) & 1u;
}

// XCR0: which register state the OS saves on context switches. Reading it needs OSXSAVE.
std::uint64_t read_xcr0() noexcept {
  std::uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (std::uint64_t(edx) << 32) | eax;
}

}  // namespace

CpuFeatures read_cpu_features() noexcept {
  CpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return f;
  f.amd = ebx == 0x68747541u && edx == 0x69746e65u && ecx == 0x444d4163u;  // "Auth" "enti" "cAMD"
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  if (bit(edx, 26)) f.bits |= kCpuSse2;
  const bool osxsave = bit(ecx, 27), avx = bit(ecx, 28), fma = bit(ecx, 12);
  if (!osxsave || !avx) return f;

  const std::uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
  const bool os_zmm = (xcr0 & 0xE6) == 0xE6;  // + opmask, ZMM_Hi256, Hi16_ZMM

  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = bit(ebx, 5);
  const bool avx512f = bit(ebx, 16), avx512dq = bit(ebx, 17), avx512cd = bit(ebx, 28),
             avx512bw = bit(ebx, 30);

  const bool avx2_fma = os_ymm && avx2 && fma;
  if (avx2_fma) f.bits |= kCpuAvx2Fma;
  if (avx2_fma && os_zmm && avx512f && avx512dq && avx512cd && avx512bw) f.bits |= kCpuAvx512;
  return f;
}

}  // namespace simdlr::detail
