// Instruction-set detection and run-time dispatch.
//
// Every kernel exists once per ISA; the best one the CPU *and* the operating system support is
// chosen once, on first use. The environment variable SIMDLR_ISA=scalar|sse2|avx2|avx512
// overrides that choice, and set_active_isa() overrides it from code. Asking for an ISA this
// machine cannot run throws UnsupportedIsa; simdlr never executes an instruction the CPU lacks.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace simdlr {

enum class Isa {
  scalar,  // plain C++ loops, the reference twins
  sse2,    // 128-bit, baseline x86-64
  avx2,    // 256-bit AVX2 with FMA3
  avx512,  // 512-bit AVX-512 F+CD+DQ+BW
};

// "scalar", "sse2", "avx2" or "avx512".
std::string_view isa_name(Isa isa) noexcept;

// Parses one of the names above; anything else throws UnsupportedIsa naming the text.
Isa parse_isa(std::string_view name);

// Whether this CPU and operating system can run the ISA (cpuid feature bits and, for AVX and
// AVX-512, the register state the OS enabled through XCR0).
bool isa_supported(Isa isa) noexcept;

// Every supported ISA, from scalar up to the best one.
std::vector<Isa> supported_isas();

// The best supported ISA, ignoring SIMDLR_ISA.
Isa best_isa() noexcept;

// SIMD lanes of `isa` for elements of `element_size` bytes (4: float, 8: double): the "lanes" of
// the kernels' error bounds in <simdlr/kernels.hpp>. 1 for scalar; 0 for another element size.
std::size_t isa_lanes(Isa isa, std::size_t element_size) noexcept;

// The ISA the kernels use now. On first use this reads SIMDLR_ISA; if it names an unknown or
// unsupported ISA this throws UnsupportedIsa (and keeps throwing until set_active_isa is called).
Isa active_isa();

// Switches every kernel to `isa` for the whole process. Throws UnsupportedIsa if the machine
// cannot run it. Not meant to race with kernels running on other threads.
void set_active_isa(Isa isa);

// Sets an ISA for the lifetime of the object and restores the previous one after (for tests
// and benchmarks that compare ISAs).
class ScopedIsa {
 public:
  explicit ScopedIsa(Isa isa);
  ~ScopedIsa();
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

 private:
  Isa previous_;
};

}  // namespace simdlr
