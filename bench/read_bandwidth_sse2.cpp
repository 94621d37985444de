// The SSE2 chunk reader of the bandwidth reference (SSE2 is baseline x86-64: no extra flags):
// the shared body (read_bandwidth_body.hpp) with 16-byte loads, one load per sub-stream and step,
// one accumulator per load.
#include <emmintrin.h>

#include "read_bandwidth_body.hpp"

namespace simdlr::bench {
namespace {

struct Sse2 {
  using V = __m128i;
  static constexpr std::size_t kBytes = 16;
  static constexpr std::size_t kSubStreamLoads = 1;
  static constexpr std::size_t kLoadsPerOr = 1;
  static V zero() { return _mm_setzero_si128(); }
  static V load(const unsigned char* p) { return _mm_loadu_si128((const __m128i*)(p)); }
  static V or2(V a, V b) { return _mm_or_si128(a, b); }
  static void store(std::uint64_t* lanes, V v) { _mm_store_si128((__m128i*)lanes, v); }
};

}  // namespace

std::uint64_t read_chunk_sse2(const unsigned char* p, std::size_t bytes) {
  return read_chunk<Sse2>(p, bytes);
}

}  // namespace simdlr::bench
