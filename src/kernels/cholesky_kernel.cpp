// The driver of cholesky_upper: its argument checks, then the active ISA's kernel (the scalar
// twin: the `scalar` ISA's plain loop) on the calling thread.
#include <cmath>
#include <string>

#include "argument_checks.hpp"
#include "dispatch.hpp"
#include "simdlr/errors.hpp"

namespace simdlr {
namespace detail {
namespace {

template <class T>
bool cholesky_upper_impl(const KernelTable<T>& k, const char* kernel, T* U, std::size_t m,
                         T min_pivot) {
  check_pointer(kernel, "U", U, m * m);
  if (!(min_pivot >= 0) || !std::isfinite(min_pivot)) {
    throw InvalidArgument(std::string(kernel) + ": min_pivot must be a finite number >= 0, got " +
                          std::to_string(min_pivot));
  }
  return k.cholesky_upper(U, m, min_pivot);
}

// The scalar twin's table: the `scalar` ISA's.
template <class T>
const KernelTable<T>& plain_table() {
  if constexpr (sizeof(T) == 4)
    return scalar_kernels.f32;
  else
    return scalar_kernels.f64;
}

}  // namespace
}  // namespace detail

#define SIMDLR_DEFINE_CHOLESKY(T, TABLE, NAME)                                     \
  bool cholesky_upper(T* U, std::size_t m, T min_pivot) {                          \
    return detail::cholesky_upper_impl(detail::TABLE<T>(), NAME, U, m, min_pivot); \
  }

namespace kernels {
SIMDLR_DEFINE_CHOLESKY(float, active_table, "cholesky_upper")
SIMDLR_DEFINE_CHOLESKY(double, active_table, "cholesky_upper")
}  // namespace kernels

namespace scalar {
SIMDLR_DEFINE_CHOLESKY(float, plain_table, "scalar::cholesky_upper")
SIMDLR_DEFINE_CHOLESKY(double, plain_table, "scalar::cholesky_upper")
}  // namespace scalar

#undef SIMDLR_DEFINE_CHOLESKY
}  // namespace simdlr
