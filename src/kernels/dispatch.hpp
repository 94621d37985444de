// The kernel table of the active ISA (internal). The selection itself (best supported ISA,
// SIMDLR_ISA, set_active_isa, ScopedIsa) is in dispatch.cpp; the ISAs are in isa_table.hpp.
#pragma once

#include <atomic>

#include "kernel_table.hpp"

namespace simdlr::detail {

// The active ISA's tables once resolved, null before the first use.
extern std::atomic<const IsaKernels*> g_active_kernels;

// Resolves the selection (reads SIMDLR_ISA); throws UnsupportedIsa if it names an ISA this
// machine cannot run.
const IsaKernels& resolve_active_kernels();

// The tables of the active ISA: one atomic load once resolved.
inline const IsaKernels& active_kernels() {
  const IsaKernels* k = g_active_kernels.load(std::memory_order_acquire);
  return k != nullptr ? *k : resolve_active_kernels();
}

template <class T>
const KernelTable<T>& active_table() {
  if constexpr (sizeof(T) == 4) {
    return active_kernels().f32;
  } else {
    return active_kernels().f64;
  }
}

}  // namespace simdlr::detail
