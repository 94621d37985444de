// The AVX-512 chunk reader of the bandwidth reference. Only this file is compiled with
// -mavx512f, and it is only called after simdlr::isa_supported(Isa::avx512) returned true (see
// read_bandwidth.cpp). It uses no STL and its helpers have internal linkage, so no AVX-512 code
// can leak out of it as a shared weak symbol.
#include <immintrin.h>

#include "read_bandwidth.hpp"

namespace simdlr::bench {

namespace {  // internal linkage: no AVX-512 copy of these can be picked by another file

// a | b | c in one instruction (vpternlog): one vector-ALU operation per two loads, so the loop
// is bound by the load ports (2 x 64 bytes per cycle), not by the two 512-bit ALU ports.
inline __m512i or3(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, 0xFE);
}
inline __m512i load(const unsigned char* p) {
  return _mm512_loadu_si512(static_cast<const void*>(p));
}

}  // namespace

std::uint64_t read_chunk_avx512(const unsigned char* p, std::size_t bytes) {
  constexpr std::size_t W = 64;  // bytes per load
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0;
  std::size_t i = 0;
  if (bytes >= kSubStreamMinBytes) {
    // Eight sub-streams read in lockstep: more memory-level parallelism than one stream (10-20%
    // more DRAM bandwidth per core measured here), two loads per sub-stream and step, one
    // accumulator per sub-stream.
    const std::size_t part = bytes / (8 * 2 * W) * (2 * W);  // bytes per sub-stream
    const unsigned char* q = p;
    for (; i < part; i += 2 * W, q += 2 * W) {
      a0 = or3(a0, load(q), load(q + W));
      a1 = or3(a1, load(q + part), load(q + part + W));
      a2 = or3(a2, load(q + 2 * part), load(q + 2 * part + W));
      a3 = or3(a3, load(q + 3 * part), load(q + 3 * part + W));
      a4 = or3(a4, load(q + 4 * part), load(q + 4 * part + W));
      a5 = or3(a5, load(q + 5 * part), load(q + 5 * part + W));
      a6 = or3(a6, load(q + 6 * part), load(q + 6 * part + W));
      a7 = or3(a7, load(q + 7 * part), load(q + 7 * part + W));
    }
    i = 8 * part;
  }
  // One stream (small chunks, which come from cache, and the rest).
  for (; i + 8 * W <= bytes; i += 8 * W) {
    a0 = or3(a0, load(p + i), load(p + i + W));
    a1 = or3(a1, load(p + i + 2 * W), load(p + i + 3 * W));
    a2 = or3(a2, load(p + i + 4 * W), load(p + i + 5 * W));
    a3 = or3(a3, load(p + i + 6 * W), load(p + i + 7 * W));
  }
  for (; i + W <= bytes; i += W)
    a0 = _mm512_or_si512(a0, load(p + i));
  std::uint64_t result = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    result |= w;
  }
  for (; i < bytes; ++i)
    result |= p[i];
  const __m512i all = or3(or3(a0, a1, a2), or3(a3, a4, a5), _mm512_or_si512(a6, a7));
  alignas(64) std::uint64_t lanes[W / 8];
  _mm512_store_si512(static_cast<void*>(lanes), all);
  for (std::size_t k = 0; k < W / 8; ++k)
    result |= lanes[k];
  return result;
}

}  // namespace simdlr::bench
