// The ISA table and the public questions about ISAs (<simdlr/cpu.hpp>) answered from it.
#include "isa_table.hpp"

#include <string>

#include "simdlr/errors.hpp"

namespace simdlr {
namespace detail {
namespace {

// Best first. lanes = register bytes / element bytes.
constinit const IsaDescriptor kIsas[] = {
    {Isa::avx512, "avx512", "AVX-512 F, CD, DQ and BW with ZMM state enabled by the OS",
     kCpuAvx2Fma | kCpuAvx512, 16, 8, &avx512_kernels},
    {Isa::avx2, "avx2", "AVX2 and FMA3 with AVX state enabled by the OS", kCpuAvx2Fma, 8, 4,
     &avx2_kernels},
    {Isa::sse2, "sse2", "SSE2", kCpuSse2, 4, 2, &sse2_kernels},
    {Isa::scalar, "scalar", "nothing", 0, 1, 1, &scalar_kernels},
};

}  // namespace

std::span<const IsaDescriptor> isa_descriptors() noexcept {
  return kIsas;
}

const IsaDescriptor* find_isa(Isa isa) noexcept {
  for (const IsaDescriptor& d : kIsas) {
    if (d.isa == isa) return &d;
  }
  return nullptr;
}

const CpuFeatures& cpu_features() noexcept {
  static const CpuFeatures f = read_cpu_features();
  return f;
}

}  // namespace detail

std::string_view isa_name(Isa isa) noexcept {
  const detail::IsaDescriptor* d = detail::find_isa(isa);
  return d ? d->name : "unknown";
}

Isa parse_isa(std::string_view name) {
  std::string expected;  // narrowest first: "scalar, sse2, avx2, avx512"
  for (auto d = detail::isa_descriptors().rbegin(); d != detail::isa_descriptors().rend(); ++d) {
    if (name == d->name) return d->isa;
    expected += expected.empty() ? "" : ", ";
    expected += d->name;
  }
  throw UnsupportedIsa("unknown ISA '" + std::string(name) + "' (expected one of: " + expected +
                       ")");
}

bool isa_supported(Isa isa) noexcept {
  const detail::IsaDescriptor* d = detail::find_isa(isa);
  return d != nullptr && detail::runs_here(*d);
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;  // from scalar up to the best one
  for (auto d = detail::isa_descriptors().rbegin(); d != detail::isa_descriptors().rend(); ++d) {
    if (detail::runs_here(*d)) out.push_back(d->isa);
  }
  return out;
}

Isa best_isa() noexcept {
  for (const detail::IsaDescriptor& d : detail::isa_descriptors()) {
    if (detail::runs_here(d)) return d.isa;
  }
  return Isa::scalar;
}

std::size_t isa_lanes(Isa isa, std::size_t element_size) noexcept {
  const detail::IsaDescriptor* d = detail::find_isa(isa);
  if (d == nullptr) return 1;
  if (element_size == 4) return d->lanes_f32;
  if (element_size == 8) return d->lanes_f64;
  return 0;
}

}  // namespace simdlr
