// The AVX2 chunk reader of the bandwidth reference. Only this file is compiled with -mavx2, and
// it is only called after simdlr::isa_supported(Isa::avx2) returned true (see read_bandwidth.cpp).
// It uses no STL and no inline function shared with other files, so no AVX2 code can leak out.
#include <immintrin.h>

#include "read_bandwidth.hpp"

namespace simdlr::bench {

std::uint64_t read_chunk_avx2(const unsigned char* p, std::size_t bytes) {
  constexpr std::size_t W = 32;  // bytes per load
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
  std::size_t i = 0;
  if (bytes >= kSubStreamMinBytes) {
    // Eight sub-streams read in lockstep: more memory-level parallelism than one stream (10-20%
    // more DRAM bandwidth per core measured here), one accumulator per load, so the loop is bound
    // by the memory system or the load ports, never by latency.
    const std::size_t part = bytes / (8 * 2 * W) * (2 * W);  // bytes per sub-stream
    const unsigned char* q = p;
    for (; i < part; i += 2 * W, q += 2 * W) {
      a0 = _mm256_or_si256(a0, _mm256_loadu_si256((const __m256i*)(q)));
      a1 = _mm256_or_si256(a1, _mm256_loadu_si256((const __m256i*)(q + W)));
      a2 = _mm256_or_si256(a2, _mm256_loadu_si256((const __m256i*)(q + part)));
      a3 = _mm256_or_si256(a3, _mm256_loadu_si256((const __m256i*)(q + part + W)));
      a4 = _mm256_or_si256(a4, _mm256_loadu_si256((const __m256i*)(q + 2 * part)));
      a5 = _mm256_or_si256(a5, _mm256_loadu_si256((const __m256i*)(q + 2 * part + W)));
      a6 = _mm256_or_si256(a6, _mm256_loadu_si256((const __m256i*)(q + 3 * part)));
      a7 = _mm256_or_si256(a7, _mm256_loadu_si256((const __m256i*)(q + 3 * part + W)));
      a8 = _mm256_or_si256(a8, _mm256_loadu_si256((const __m256i*)(q + 4 * part)));
      a9 = _mm256_or_si256(a9, _mm256_loadu_si256((const __m256i*)(q + 4 * part + W)));
      a10 = _mm256_or_si256(a10, _mm256_loadu_si256((const __m256i*)(q + 5 * part)));
      a11 = _mm256_or_si256(a11, _mm256_loadu_si256((const __m256i*)(q + 5 * part + W)));
      a12 = _mm256_or_si256(a12, _mm256_loadu_si256((const __m256i*)(q + 6 * part)));
      a13 = _mm256_or_si256(a13, _mm256_loadu_si256((const __m256i*)(q + 6 * part + W)));
      a14 = _mm256_or_si256(a14, _mm256_loadu_si256((const __m256i*)(q + 7 * part)));
      a15 = _mm256_or_si256(a15, _mm256_loadu_si256((const __m256i*)(q + 7 * part + W)));
    }
    i = 8 * part;
  }
  // One stream, eight accumulators (small chunks, which come from cache, and the rest).
  for (; i + 8 * W <= bytes; i += 8 * W) {
    a0 = _mm256_or_si256(a0, _mm256_loadu_si256((const __m256i*)(p + i)));
    a1 = _mm256_or_si256(a1, _mm256_loadu_si256((const __m256i*)(p + i + W)));
    a2 = _mm256_or_si256(a2, _mm256_loadu_si256((const __m256i*)(p + i + 2 * W)));
    a3 = _mm256_or_si256(a3, _mm256_loadu_si256((const __m256i*)(p + i + 3 * W)));
    a4 = _mm256_or_si256(a4, _mm256_loadu_si256((const __m256i*)(p + i + 4 * W)));
    a5 = _mm256_or_si256(a5, _mm256_loadu_si256((const __m256i*)(p + i + 5 * W)));
    a6 = _mm256_or_si256(a6, _mm256_loadu_si256((const __m256i*)(p + i + 6 * W)));
    a7 = _mm256_or_si256(a7, _mm256_loadu_si256((const __m256i*)(p + i + 7 * W)));
  }
  for (; i + W <= bytes; i += W)
    a0 = _mm256_or_si256(a0, _mm256_loadu_si256((const __m256i*)(p + i)));
  std::uint64_t result = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    result |= w;
  }
  for (; i < bytes; ++i)
    result |= p[i];
  const __m256i all = _mm256_or_si256(
      _mm256_or_si256(_mm256_or_si256(_mm256_or_si256(a0, a1), _mm256_or_si256(a2, a3)),
                      _mm256_or_si256(_mm256_or_si256(a4, a5), _mm256_or_si256(a6, a7))),
      _mm256_or_si256(_mm256_or_si256(_mm256_or_si256(a8, a9), _mm256_or_si256(a10, a11)),
                      _mm256_or_si256(_mm256_or_si256(a12, a13), _mm256_or_si256(a14, a15))));
  alignas(64) std::uint64_t lanes[W / 8];
  _mm256_store_si256((__m256i*)lanes, all);
  for (std::size_t k = 0; k < W / 8; ++k)
    result |= lanes[k];
  return result;
}

}  // namespace simdlr::bench
