// The bandwidth reference of the kernel benchmarks: a plain streaming read of the same bytes a
// kernel reads, as fast as this machine can read them.
//
// Each region is cut into fixed chunks of kReadChunkBytes and the chunks are spread over the
// threads with `#pragma omp parallel for schedule(static)`, the way the kernels spread their
// fixed chunks, so each thread streams one contiguous share. Per chunk, the widest read loop the
// CPU supports reads eight sub-streams in lockstep and ORs full-width loads into independent
// accumulators, so it is bound by memory (or load ports), not by latency: AVX-512 (64-byte loads,
// only called after simdlr::isa_supported(Isa::avx512) said yes), AVX2 (32-byte) or SSE2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace simdlr::bench {

struct Region {
  const void* data = nullptr;
  std::size_t bytes = 0;
};

inline constexpr std::size_t kReadChunkBytes = std::size_t(64) << 10;
// Chunks at least this long are read as eight interleaved sub-streams, shorter ones as one.
inline constexpr std::size_t kSubStreamMinBytes = std::size_t(32) << 10;

// ORs every 64-bit word (and tail byte) of the regions together, on `threads` threads (1: the
// calling thread, no OpenMP). The result only exists so the reads cannot be optimised away.
std::uint64_t read_regions(const Region* regions, std::size_t count, int threads);

// "avx512", "avx2" or "sse2": the read loop read_regions uses on this machine.
std::string_view read_isa();

// The per-ISA chunk readers (read_bandwidth_<isa>.cpp, each compiled with that ISA's flags).
std::uint64_t read_chunk_sse2(const unsigned char* p, std::size_t bytes);
std::uint64_t read_chunk_avx2(const unsigned char* p, std::size_t bytes);
std::uint64_t read_chunk_avx512(const unsigned char* p, std::size_t bytes);

}  // namespace simdlr::bench
