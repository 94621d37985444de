// The SSE2 chunk reader of the bandwidth reference (SSE2 is baseline x86-64: no extra flags).
#include <emmintrin.h>

#include "read_bandwidth.hpp"

namespace simdlr::bench {

std::uint64_t read_chunk_sse2(const unsigned char* p, std::size_t bytes) {
  constexpr std::size_t W = 16;  // bytes per load
  __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  std::size_t i = 0;
  if (bytes >= kSubStreamMinBytes) {
    // Eight sub-streams read in lockstep: more memory-level parallelism than one stream (10-20%
    // more DRAM bandwidth per core measured here), one accumulator per load, so the loop is bound
    // by the memory system or the load ports, never by latency.
    const std::size_t part = bytes / (8 * 1 * W) * (1 * W);  // bytes per sub-stream
    const unsigned char* q = p;
    for (; i < part; i += 1 * W, q += 1 * W) {
      a0 = _mm_or_si128(a0, _mm_loadu_si128((const __m128i*)(q)));
      a1 = _mm_or_si128(a1, _mm_loadu_si128((const __m128i*)(q + part)));
      a2 = _mm_or_si128(a2, _mm_loadu_si128((const __m128i*)(q + 2 * part)));
      a3 = _mm_or_si128(a3, _mm_loadu_si128((const __m128i*)(q + 3 * part)));
      a4 = _mm_or_si128(a4, _mm_loadu_si128((const __m128i*)(q + 4 * part)));
      a5 = _mm_or_si128(a5, _mm_loadu_si128((const __m128i*)(q + 5 * part)));
      a6 = _mm_or_si128(a6, _mm_loadu_si128((const __m128i*)(q + 6 * part)));
      a7 = _mm_or_si128(a7, _mm_loadu_si128((const __m128i*)(q + 7 * part)));
    }
    i = 8 * part;
  }
  // One stream, eight accumulators (small chunks, which come from cache, and the rest).
  for (; i + 8 * W <= bytes; i += 8 * W) {
    a0 = _mm_or_si128(a0, _mm_loadu_si128((const __m128i*)(p + i)));
    a1 = _mm_or_si128(a1, _mm_loadu_si128((const __m128i*)(p + i + W)));
    a2 = _mm_or_si128(a2, _mm_loadu_si128((const __m128i*)(p + i + 2 * W)));
    a3 = _mm_or_si128(a3, _mm_loadu_si128((const __m128i*)(p + i + 3 * W)));
    a4 = _mm_or_si128(a4, _mm_loadu_si128((const __m128i*)(p + i + 4 * W)));
    a5 = _mm_or_si128(a5, _mm_loadu_si128((const __m128i*)(p + i + 5 * W)));
    a6 = _mm_or_si128(a6, _mm_loadu_si128((const __m128i*)(p + i + 6 * W)));
    a7 = _mm_or_si128(a7, _mm_loadu_si128((const __m128i*)(p + i + 7 * W)));
  }
  for (; i + W <= bytes; i += W)
    a0 = _mm_or_si128(a0, _mm_loadu_si128((const __m128i*)(p + i)));
  std::uint64_t result = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    result |= w;
  }
  for (; i < bytes; ++i)
    result |= p[i];
  const __m128i all = _mm_or_si128(_mm_or_si128(_mm_or_si128(a0, a1), _mm_or_si128(a2, a3)),
                                   _mm_or_si128(_mm_or_si128(a4, a5), _mm_or_si128(a6, a7)));
  alignas(64) std::uint64_t lanes[W / 8];
  _mm_store_si128((__m128i*)lanes, all);
  for (std::size_t k = 0; k < W / 8; ++k)
    result |= lanes[k];
  return result;
}

}  // namespace simdlr::bench
