// The streaming-read driver: fixed chunks over OpenMP, the widest supported chunk reader per
// chunk. Compiled for baseline x86-64; the AVX2/AVX-512 readers live in their own files and are
// chosen only after simdlr::isa_supported() has confirmed the CPU and OS can run them.
#include "read_bandwidth.hpp"

#include <omp.h>

#include "simdlr/cpu.hpp"

namespace simdlr::bench {
namespace {

using ChunkReader = std::uint64_t (*)(const unsigned char*, std::size_t);

struct Reader {
  ChunkReader read;
  std::string_view name;
};

Reader choose_reader() {
  if (isa_supported(Isa::avx512)) return {&read_chunk_avx512, "avx512"};
  if (isa_supported(Isa::avx2)) return {&read_chunk_avx2, "avx2"};
  return {&read_chunk_sse2, "sse2"};
}

const Reader& reader() {
  static const Reader r = choose_reader();
  return r;
}

std::size_t chunks_of(const Region& r) {
  return (r.bytes + kReadChunkBytes - 1) / kReadChunkBytes;
}

}  // namespace

std::string_view read_isa() {
  return reader().name;
}

std::uint64_t read_regions(const Region* regions, std::size_t count, int threads) {
  const ChunkReader read = reader().read;
  std::uint64_t result = 0;
  if (threads <= 1) {
    for (std::size_t r = 0; r < count; ++r) {
      result |= read(static_cast<const unsigned char*>(regions[r].data), regions[r].bytes);
    }
    return result;
  }
  // The chunks of all regions, numbered one region after the other, split statically over the
  // threads: each thread streams one contiguous share, like the kernels' static chunk schedule.
  std::size_t total_chunks = 0;
  for (std::size_t r = 0; r < count; ++r)
    total_chunks += chunks_of(regions[r]);
  const long n = long(total_chunks);
#pragma omp parallel for schedule(static) num_threads(threads) reduction(| : result)
  for (long c = 0; c < n; ++c) {
    std::size_t r = 0, local = std::size_t(c);
    while (local >= chunks_of(regions[r]))
      local -= chunks_of(regions[r++]);
    const std::size_t begin = local * kReadChunkBytes;
    const std::size_t left = regions[r].bytes - begin;
    result |= read(static_cast<const unsigned char*>(regions[r].data) + begin,
                   left < kReadChunkBytes ? left : kReadChunkBytes);
  }
  return result;
}

}  // namespace simdlr::bench
