// The AVX2 chunk reader of the bandwidth reference: the shared body (read_bandwidth_body.hpp)
// with 32-byte loads, two loads per sub-stream and step, one accumulator per load. Only this file
// is compiled with -mavx2, and it is only called after simdlr::isa_supported(Isa::avx2) returned
// true (see read_bandwidth.cpp). Its code has internal linkage, so no AVX2 code can leak out.
#include <immintrin.h>

#include "read_bandwidth_body.hpp"

namespace simdlr::bench {
namespace {

struct Avx2 {
  using V = __m256i;
  static constexpr std::size_t kBytes = 32;
  static constexpr std::size_t kSubStreamLoads = 2;
  static constexpr std::size_t kLoadsPerOr = 1;
  static V zero() { return _mm256_setzero_si256(); }
  static V load(const unsigned char* p) { return _mm256_loadu_si256((const __m256i*)(p)); }
  static V or2(V a, V b) { return _mm256_or_si256(a, b); }
  static void store(std::uint64_t* lanes, V v) { _mm256_store_si256((__m256i*)lanes, v); }
};

}  // namespace

std::uint64_t read_chunk_avx2(const unsigned char* p, std::size_t bytes) {
  return read_chunk<Avx2>(p, bytes);
}

}  // namespace simdlr::bench
