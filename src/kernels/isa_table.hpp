// The ISAs simdlr can run its kernels on, as one table of descriptors in priority order (best
// first), the way simdjson lists its implementations. Everything that depends on the ISA (its
// name, what it needs from the CPU, its SIMD width, its kernels) is read from this table, so
// adding an ISA is one entry in isa_table.cpp plus its translation unit (isa_<name>.cpp, and a
// simdlr_add_isa_object line in CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "../cpu/cpu_features.hpp"
#include "kernel_table.hpp"
#include "simdlr/cpu.hpp"

namespace simdlr::detail {

struct IsaDescriptor {
  Isa isa;
  const char* name;                 // as isa_name() returns it and SIMDLR_ISA spells it
  const char* requirement;          // what the machine must offer, for error messages
  std::uint32_t required_features;  // CpuFeature bits; 0 = runs anywhere
  std::size_t lanes_f32;            // SIMD lanes of float (1 for scalar)
  std::size_t lanes_f64;            // SIMD lanes of double (1 for scalar)
  const IsaKernels* kernels;        // the chunk kernels
};

// Every ISA, best first; the last entry (scalar) runs on any machine.
std::span<const IsaDescriptor> isa_descriptors() noexcept;

// The entry of `isa`, or nullptr for a value outside the enum.
const IsaDescriptor* find_isa(Isa isa) noexcept;

// What this machine offers (read once).
const CpuFeatures& cpu_features() noexcept;

inline bool runs_here(const IsaDescriptor& d) noexcept {
  return cpu_features().has(d.required_features);
}

}  // namespace simdlr::detail
