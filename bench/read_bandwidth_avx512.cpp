// The AVX-512 chunk reader of the bandwidth reference: the shared body (read_bandwidth_body.hpp)
// with 64-byte loads, two loads per sub-stream and step, ORed into one accumulator by one
// instruction. Only this file is compiled with -mavx512f, and it is only called after
// simdlr::isa_supported(Isa::avx512) returned true (see read_bandwidth.cpp). Its code has internal
// linkage, so no AVX-512 code can leak out of it as a shared weak symbol.
#include <immintrin.h>

#include "read_bandwidth_body.hpp"

namespace simdlr::bench {
namespace {

struct Avx512 {
  using V = __m512i;
  static constexpr std::size_t kBytes = 64;
  static constexpr std::size_t kSubStreamLoads = 2;
  // a | b | c in one instruction (vpternlog): one vector-ALU operation per two loads, so the loop
  // is bound by the load ports (2 x 64 bytes per cycle), not by the two 512-bit ALU ports.
  static constexpr std::size_t kLoadsPerOr = 2;
  static V zero() { return _mm512_setzero_si512(); }
  static V load(const unsigned char* p) { return _mm512_loadu_si512(static_cast<const void*>(p)); }
  static V or2(V a, V b) { return _mm512_or_si512(a, b); }
  static V or3(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, 0xFE); }
  static void store(std::uint64_t* lanes, V v) { _mm512_store_si512(static_cast<void*>(lanes), v); }
};

}  // namespace

std::uint64_t read_chunk_avx512(const unsigned char* p, std::size_t bytes) {
  return read_chunk<Avx512>(p, bytes);
}

}  // namespace simdlr::bench
