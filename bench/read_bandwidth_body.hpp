// The one chunk reader of the bandwidth reference, templated on the ISA's vector operations. Each
// per-ISA translation unit (read_bandwidth_sse2.cpp, read_bandwidth_avx2.cpp,
// read_bandwidth_avx512.cpp) includes this file once, compiled with that ISA's flags, and
// instantiates read_chunk<Ops> with its own Ops.
//
// Everything here lives in an unnamed namespace and the Ops types do too, so every instantiation
// has internal linkage: no AVX2 or AVX-512 copy of a function can leak out of its file as a
// shared weak symbol. For the same reason this file calls no STL function (std::index_sequence is
// a type only).
//
// Ops provides
//   V                    the vector type;
//   kBytes               bytes per load;
//   kSubStreamLoads      loads per sub-stream and step of the eight-sub-stream loop (1 or 2);
//   kLoadsPerOr          loads ORed into one accumulator by one operation: 1 (or2) or 2 (or3);
//   zero(), load(p) (unaligned), or2(a, b), or3(a, b, c) (when kLoadsPerOr is 2), store(lanes, v)
//   (to 64-byte aligned memory).
// The loops are unrolled in the source (fold expressions over the accumulators), so each ISA gets
// straight-line loads into independent accumulators that the compiler keeps in registers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "read_bandwidth.hpp"

namespace simdlr::bench {
namespace {
namespace read_body {

// a | the loads at p (and p + kBytes when kLoadsPerOr is 2).
template <class Ops>
[[gnu::always_inline]] inline typename Ops::V accumulate(typename Ops::V a,
                                                         const unsigned char* p) {
  if constexpr (Ops::kLoadsPerOr == 2) {
    return Ops::or3(a, Ops::load(p), Ops::load(p + Ops::kBytes));
  } else {
    static_assert(Ops::kLoadsPerOr == 1);
    return Ops::or2(a, Ops::load(p));
  }
}

template <class Ops, std::size_t... j>
[[gnu::always_inline]] inline void zero_all(typename Ops::V* acc, std::index_sequence<j...>) {
  ((acc[j] = Ops::zero()), ...);
}

// One step of the eight sub-streams `part` bytes apart: accumulator j reads sub-stream
// j / (kSubStreamLoads / kLoadsPerOr), at its (j mod that)-th group of loads.
template <class Ops, std::size_t... j>
[[gnu::always_inline]] inline void sub_stream_step(typename Ops::V* acc, const unsigned char* q,
                                                   std::size_t part, std::index_sequence<j...>) {
  constexpr std::size_t per = Ops::kSubStreamLoads / Ops::kLoadsPerOr;
  ((acc[j] =
        accumulate<Ops>(acc[j], q + (j / per) * part + (j % per) * Ops::kLoadsPerOr * Ops::kBytes)),
   ...);
}

// One step of a single stream: eight consecutive loads, kLoadsPerOr per accumulator.
template <class Ops, std::size_t... k>
[[gnu::always_inline]] inline void one_stream_step(typename Ops::V* acc, const unsigned char* p,
                                                   std::index_sequence<k...>) {
  ((acc[k] = accumulate<Ops>(acc[k], p + k * Ops::kLoadsPerOr * Ops::kBytes)), ...);
}

// acc[B] | ... | acc[E - 1] as a balanced tree.
template <class Ops, std::size_t B, std::size_t E>
[[gnu::always_inline]] inline typename Ops::V or_tree(const typename Ops::V* acc) {
  if constexpr (E - B == 1) {
    return acc[B];
  } else {
    constexpr std::size_t M = B + (E - B) / 2;
    return Ops::or2(or_tree<Ops, B, M>(acc), or_tree<Ops, M, E>(acc));
  }
}

}  // namespace read_body

template <class Ops>
std::uint64_t read_chunk(const unsigned char* p, std::size_t bytes) {
  using V = typename Ops::V;
  constexpr std::size_t W = Ops::kBytes;               // bytes per load
  constexpr std::size_t U = Ops::kSubStreamLoads;      // loads per sub-stream and step
  constexpr std::size_t N = 8 * U / Ops::kLoadsPerOr;  // accumulators
  V acc[N];  // indexed by constants only, so the compiler keeps every accumulator in a register
  read_body::zero_all<Ops>(acc, std::make_index_sequence<N>());
  std::size_t i = 0;
  if (bytes >= kSubStreamMinBytes) {
    // Eight sub-streams read in lockstep: more memory-level parallelism than one stream (10-20%
    // more DRAM bandwidth per core measured here), independent accumulators, so the loop is bound
    // by the memory system or the load ports, never by latency.
    const std::size_t part = bytes / (8 * U * W) * (U * W);  // bytes per sub-stream
    const unsigned char* q = p;
    for (; i < part; i += U * W, q += U * W)
      read_body::sub_stream_step<Ops>(acc, q, part, std::make_index_sequence<N>());
    i = 8 * part;
  }
  // One stream, eight loads per step (small chunks, which come from cache, and the rest).
  for (; i + 8 * W <= bytes; i += 8 * W)
    read_body::one_stream_step<Ops>(acc, p + i, std::make_index_sequence<8 / Ops::kLoadsPerOr>());
  for (; i + W <= bytes; i += W)
    acc[0] = Ops::or2(acc[0], Ops::load(p + i));
  std::uint64_t result = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, p + i, 8);
    result |= w;
  }
  for (; i < bytes; ++i)
    result |= p[i];
  alignas(64) std::uint64_t lanes[W / 8];
  Ops::store(lanes, read_body::or_tree<Ops, 0, N>(acc));
  for (std::size_t k = 0; k < W / 8; ++k)
    result |= lanes[k];
  return result;
}

}  // namespace
}  // namespace simdlr::bench
