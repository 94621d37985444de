// ISA selection: best supported ISA by default, SIMDLR_ISA or set_active_isa() to override.
#include "dispatch.hpp"

#include <cstdlib>
#include <mutex>
#include <string>

#include "../cpu/cpu_features.hpp"
#include "isa_table.hpp"
#include "kernel_table.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"

namespace simdlr {
namespace detail {

constinit std::atomic<const IsaKernels*> g_active_kernels{nullptr};
constinit bool g_sweep_prefetch = true;
constinit bool g_interleave_rows = true;

namespace {

void require_supported(Isa isa, const std::string& source) {
  if (!isa_supported(isa)) {
    const IsaDescriptor* d = find_isa(isa);
    throw UnsupportedIsa(source + ": ISA '" + std::string(isa_name(isa)) + "' needs " +
                         (d ? d->requirement : "") + ", which this machine lacks (best: '" +
                         std::string(isa_name(best_isa())) + "')");
  }
}

// State of the selection: an ISA, or the error SIMDLR_ISA caused. The active tables are
// published in g_active_kernels.
struct Selection {
  std::mutex mutex;
  Isa isa = Isa::scalar;
  std::string env_error;  // non-empty: SIMDLR_ISA was invalid and no ISA was set since
  bool resolved = false;
};

Selection& selection() {
  static Selection s;
  return s;
}

void activate_locked(Selection& s, Isa isa) {
  // Before any kernel of the new table can run. The vendor never changes, so after the first
  // activation this writes nothing, and kernels running on other threads read a stable value.
  const bool prefetch = !read_cpu_features().amd;
  if (g_sweep_prefetch != prefetch) g_sweep_prefetch = prefetch;
  if (g_interleave_rows != prefetch) g_interleave_rows = prefetch;
  s.isa = isa;
  g_active_kernels.store(find_isa(isa)->kernels, std::memory_order_release);
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
  activate_locked(s, isa);
}

}  // namespace

const IsaKernels& resolve_active_kernels() {
  (void)active_isa();  // resolves, or throws the SIMDLR_ISA error
  return *g_active_kernels.load(std::memory_order_acquire);
}

}  // namespace detail

Isa active_isa() {
  detail::Selection& s = detail::selection();
  std::lock_guard lock(s.mutex);
  detail::resolve_locked(s);
  if (!s.env_error.empty()) throw UnsupportedIsa(s.env_error);
  return s.isa;
}

void set_active_isa(Isa isa) {
  detail::require_supported(isa, "set_active_isa");
  detail::Selection& s = detail::selection();
  std::lock_guard lock(s.mutex);
  s.resolved = true;
  s.env_error.clear();
  detail::activate_locked(s, isa);
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

}  // namespace simdlr
