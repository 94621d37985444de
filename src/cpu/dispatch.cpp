// ISA selection: best supported ISA by default, SIMDLR_ISA or set_active_isa() to override.
#include "dispatch.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "cpu_features.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"

namespace simdlr {
namespace {

const detail::CpuFeatures& features() {
  static const detail::CpuFeatures f = detail::read_cpu_features();
  return f;
}

const detail::IsaKernels& kernels_of(Isa isa) {
  switch (isa) {
    case Isa::scalar:
      return detail::scalar_kernels;
    case Isa::sse2:
      return detail::sse2_kernels;
    case Isa::avx2:
      return detail::avx2_kernels;
    case Isa::avx512:
      return detail::avx512_kernels;
  }
  return detail::scalar_kernels;
}

std::string requirement(Isa isa) {
  switch (isa) {
    case Isa::scalar:
      return "nothing";
    case Isa::sse2:
      return "SSE2";
    case Isa::avx2:
      return "AVX2 and FMA3 with AVX state enabled by the OS";
    case Isa::avx512:
      return "AVX-512 F, CD, DQ and BW with ZMM state enabled by the OS";
  }
  return "";
}

void require_supported(Isa isa, const std::string& source) {
  if (!isa_supported(isa)) {
    throw UnsupportedIsa(source + ": ISA '" + std::string(isa_name(isa)) + "' needs " +
                         requirement(isa) + ", which this machine lacks (best: '" +
                         std::string(isa_name(best_isa())) + "')");
  }
}

// State of the selection: an ISA, or the error SIMDLR_ISA caused.
struct Selection {
  std::mutex mutex;
  std::atomic<const detail::IsaKernels*> kernels{nullptr};
  Isa isa = Isa::scalar;
  std::string env_error;  // non-empty: SIMDLR_ISA was invalid and no ISA was set since
  bool resolved = false;
};

Selection& selection() {
  static Selection s;
  return s;
}

void resolve_locked(Selection& s) {
  if (s.resolved) return;
  s.resolved = true;
  const char* env = std::getenv("SIMDLR_ISA");
  Isa isa = best_isa();
  if (env != nullptr && *env != '\0') {
    try {
      isa = parse_isa(env);
      require_supported(isa, "SIMDLR_ISA=" + std::string(env));
    } catch (const UnsupportedIsa& e) {
      s.env_error = e.what();
      return;
    }
  }
  s.isa = isa;
  s.kernels.store(&kernels_of(isa), std::memory_order_release);
}

}  // namespace

std::string_view isa_name(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar:
      return "scalar";
    case Isa::sse2:
      return "sse2";
    case Isa::avx2:
      return "avx2";
    case Isa::avx512:
      return "avx512";
  }
  return "unknown";
}

Isa parse_isa(std::string_view name) {
  for (Isa isa : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (name == isa_name(isa)) return isa;
  }
  throw UnsupportedIsa("unknown ISA '" + std::string(name) +
                       "' (expected one of: scalar, sse2, avx2, avx512)");
}

bool isa_supported(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar:
      return true;
    case Isa::sse2:
      return features().sse2;
    case Isa::avx2:
      return features().avx2_fma;
    case Isa::avx512:
      return features().avx512;
  }
  return false;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::scalar, Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (isa_supported(isa)) out.push_back(isa);
  }
  return out;
}

Isa best_isa() noexcept {
  if (isa_supported(Isa::avx512)) return Isa::avx512;
  if (isa_supported(Isa::avx2)) return Isa::avx2;
  if (isa_supported(Isa::sse2)) return Isa::sse2;
  return Isa::scalar;
}

Isa active_isa() {
  Selection& s = selection();
  std::lock_guard lock(s.mutex);
  resolve_locked(s);
  if (!s.env_error.empty()) throw UnsupportedIsa(s.env_error);
  return s.isa;
}

void set_active_isa(Isa isa) {
  require_supported(isa, "set_active_isa");
  Selection& s = selection();
  std::lock_guard lock(s.mutex);
  s.resolved = true;
  s.env_error.clear();
  s.isa = isa;
  s.kernels.store(&kernels_of(isa), std::memory_order_release);
}

ScopedIsa::ScopedIsa(Isa isa) : previous_(active_isa()) {
  set_active_isa(isa);
}

ScopedIsa::~ScopedIsa() {
  try {
    set_active_isa(previous_);
  } catch (...) {  // previous_ was active, so it is supported: cannot happen
  }
}

namespace detail {

const IsaKernels& active_kernels() {
  const IsaKernels* k = selection().kernels.load(std::memory_order_acquire);
  if (k != nullptr) return *k;
  (void)active_isa();  // resolves, or throws the SIMDLR_ISA error
  return *selection().kernels.load(std::memory_order_acquire);
}

}  // namespace detail
}  // namespace simdlr
