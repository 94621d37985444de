// The kernel table of the active ISA (internal).
#pragma once

#include "../kernels/kernel_table.hpp"

namespace simdlr::detail {

// The tables of the active ISA; throws UnsupportedIsa if SIMDLR_ISA asked for one this machine
// cannot run.
const IsaKernels& active_kernels();

template <class T>
const KernelTable<T>& active_table() {
  if constexpr (sizeof(T) == 4) {
    return active_kernels().f32;
  } else {
    return active_kernels().f64;
  }
}

}  // namespace simdlr::detail
