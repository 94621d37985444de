// Shared helpers of the kernel tests: running a check under every ISA the machine supports,
// SIMD lanes per ISA, bit patterns, long-double references, ULP distances and reproducible random
// data.
#pragma once

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "simdlr/simdlr.hpp"

namespace simdlr::test {

// Runs check() once per supported ISA (scalar, sse2, avx2, avx512 as available), with that ISA
// active; failures name the ISA.
template <class Check>
void for_each_isa(const Check& check) {
  for (Isa isa : supported_isas()) {
    ScopedIsa scoped(isa);
    INFO("ISA " << std::string(isa_name(isa)));
    check(isa);
  }
}

// The ISAs the CI machine is expected to test; a test asserts the machine offers at least
// scalar and sse2 (every x86-64 CPU does).
inline bool machine_has(Isa isa) {
  return isa_supported(isa);
}

// SIMD lanes of T under `isa` (1 for scalar): the "lanes" of the kernels' documented bounds,
// from the library's ISA table (test_dispatch checks the table's widths).
template <class T>
std::size_t isa_lanes(Isa isa) {
  return simdlr::isa_lanes(isa, sizeof(T));
}

// The bit pattern of v, for bitwise comparisons (NaN payloads and the sign of zero included).
template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4)
    return std::bit_cast<std::uint32_t>(v);
  else
    return std::bit_cast<std::uint64_t>(v);
}

// Whether a and b hold the same values bit for bit (NaN payloads and the sign of zero included).
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (bits(a[i]) != bits(b[i])) return false;
  }
  return true;
}

// The long inputs of the vector-kernel tests: many chunks, and lengths that are no multiple of
// any vector width or chunk size.
inline constexpr std::size_t kLargeSizes[] = {10007, 100003, (std::size_t(1) << 20) + 3};

// Model options (LinearRegressionOptions, LogisticRegressionOptions) with the given solver,
// tolerance and iteration limit, everything else at its default.
template <class Options, class Solver>
Options model_options(Solver solver, double tol, int max_iter) {
  Options o;
  o.solver = solver;
  o.solver_options.tol = tol;
  o.solver_options.max_iter = max_iter;
  return o;
}

// Distance from `got` to the exact value `ref`, in units of the spacing of T at ref (ULP).
template <class T>
double ulp_error(T got, long double ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0.0 : INFINITY;
  if (std::isinf(ref)) return got == ref ? 0.0 : INFINITY;
  const T r = T(ref);
  const T above = std::nextafter(std::fabs(r), std::numeric_limits<T>::infinity());
  const long double ulp = (long double)above - (long double)std::fabs(r);
  return double(std::fabs((long double)got - ref) / ulp);
}

// Reproducible random vectors: n values T(draw(rng)), rng a std::mt19937_64 seeded with `seed`.
template <class T, class Draw>
std::vector<T> random_vector(std::size_t n, std::uint32_t seed, Draw draw) {
  std::mt19937_64 rng(seed);
  std::vector<T> v(n);
  for (auto& x : v)
    x = T(draw(rng));
  return v;
}

template <class T>
std::vector<T> normal_vector(std::size_t n, std::uint32_t seed, double sd = 1.0,
                             double mean = 0.0) {
  return random_vector<T>(n, seed, std::normal_distribution<double>(mean, sd));
}

template <class T>
std::vector<T> uniform_vector(std::size_t n, std::uint32_t seed, double lo, double hi) {
  return random_vector<T>(n, seed, std::uniform_real_distribution<double>(lo, hi));
}

// Labels in {0, 1}.
template <class T>
std::vector<T> binary_labels(std::size_t n, std::uint32_t seed) {
  return random_vector<T>(n, seed, [](std::mt19937_64& rng) { return rng() & 1u; });
}

// Integers in [-3, 3]: |x y| ≤ 9, so for the lengths the tests use every product and partial sum
// of a dot product is an exactly representable integer, whatever the summation order.
template <class T>
std::vector<T> small_integers(std::size_t n, std::uint32_t seed) {
  return random_vector<T>(n, seed, [](std::mt19937_64& rng) { return int(rng() % 7) - 3; });
}

// A copy of v starting one element past a 64-byte boundary, so SIMD loads are unaligned.
template <class T>
struct Unaligned {
  std::vector<T> storage;
  T* data;
  explicit Unaligned(const std::vector<T>& v) : storage(v.size() + 64 / sizeof(T) + 1) {
    auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
    std::size_t skip = ((64 - addr % 64) % 64) / sizeof(T) + 1;
    data = storage.data() + skip;
    std::copy(v.begin(), v.end(), data);
  }
};

// Σ term(i) over i < n in long double with Neumaier compensation: for the lengths used here (up
// to 2^20) its error is far below the ε of double, where a plain long-double loop could reach
// n·2^-64.
template <class Term>
long double compensated_sum(std::size_t n, Term term) {
  long double s = 0, c = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double t = term(i);
    const long double u = s + t;
    c += std::fabs(s) >= std::fabs(t) ? (s - u) + t : (t - u) + s;
    s = u;
  }
  return s + c;
}

// Long-double references.
template <class T>
long double ref_dot(const T* x, const T* y, std::size_t n) {
  long double s = 0;
  for (std::size_t i = 0; i < n; ++i)
    s += (long double)x[i] * (long double)y[i];
  return s;
}

template <class T>
long double ref_abs_dot(const T* x, const T* y, std::size_t n) {
  long double s = 0;
  for (std::size_t i = 0; i < n; ++i)
    s += std::fabs((long double)x[i] * (long double)y[i]);
  return s;
}

inline long double ref_sigmoid(long double z) {
  if (z >= 0) return 1.0L / (1.0L + std::exp(-z));
  const long double e = std::exp(z);
  return e / (1.0L + e);
}

// softplus(z) − y z in long double, in the cancellation-free form
// log1p(e^(−|z|)) + (z ≥ 0 ? (1 − y) z : −y z) (the naive softplus(z) − y z loses the small term,
// e.g. it gives 0 for z = 50, y = 1 where the true value is 2e-22).
inline long double ref_log_loss_term(long double z, long double y) {
  const long double linear = z >= 0 ? (1.0L - y) * z : -(y * z);
  return std::log1p(std::exp(-std::fabs(z))) + linear;
}

// A class drawn from the softmax of the margins z (overwritten with their exponentials), u a
// uniform draw in [0, 1).
inline std::int32_t softmax_draw(std::vector<double>& z, double u) {
  double total = 0;
  for (double& v : z)
    total += v = std::exp(v);
  u *= total;
  std::size_t k = 0;
  while (k + 1 < z.size() && (u -= z[k]) > 0)
    ++k;
  return std::int32_t(k);
}

}  // namespace simdlr::test
