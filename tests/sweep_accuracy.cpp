// Accuracy sweep (ctest label `sweep`, not run by default; .ci/run runs it): kernels::sigmoid and
// kernels::log_loss on every float32 value in [-120, 120] (about 2.2e9 values) and on a dense
// sample of doubles, under every ISA the machine supports, against a long-double reference.
// Prints the maximum error found next to the bound documented in kernels.hpp and exits non-zero
// if a bound is exceeded.
//
// Bounds (kernels.hpp):
//  - sigmoid: <= 3 ULP where the true value is >= the smallest normal number of T; below that the
//    result is in [0, smallest normal].
//  - log_loss, y in {0, 1}: |got - exact| <= 8 eps |exact| + n * smallest normal.
//
// The reference is computed once per block and every ISA is compared against it. For |z| >= 2^-8
// it is expl/log1pl in long double. For |z| < 2^-8 (most float values) it is the Taylor series of
// sigmoid and softplus in long double, whose truncation error is below 2^-78 relative; the program
// checks the series against expl/log1pl at the switch point before it starts. log_loss is checked
// on groups of 64 consecutive inputs (whole SIMD vectors on every ISA), each with all labels 0 and
// all labels 1, against the long-double sum of the exact terms.
//
// Usage: sweep_accuracy [--quick | --stride N]   (every 4096th / Nth float value: smoke tests)
#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

constexpr std::size_t kGroup = 64;  // log_loss inputs per call

// sigmoid(z) and log1p(e^-|z|) in long double.
struct Ref {
  long double sigmoid;
  long double softplus_neg;  // log1p(e^-|z|)
};

Ref series_ref(long double z) {
  const long double a = std::fabs(z), a2 = a * a;
  const long double z2 = z * z;
  // sigma(x) = 1/2 + x/4 - x^3/48 + x^5/480 - 17 x^7/80640 + O(x^9)
  const long double s =
      0.5L + z * (0.25L + z2 * (-1.0L / 48 + z2 * (1.0L / 480 + z2 * (-17.0L / 80640))));
  // log(1 + e^-a) = log 2 - a/2 + a^2/8 - a^4/192 + a^6/2880 - 17 a^8/645120 + O(a^10)
  const long double ln2 = 0.693147180559945309417232121458176568L;
  const long double p =
      ln2 - a / 2 +
      a2 * (1.0L / 8 + a2 * (-1.0L / 192 + a2 * (1.0L / 2880 + a2 * (-17.0L / 645120))));
  return {s, p};
}

Ref libm_ref(long double z) {
  const long double e = std::exp(-std::fabs(z));
  return {z >= 0 ? 1 / (1 + e) : e / (1 + e), std::log1p(e)};
}

constexpr long double kSeriesLimit = 0x1p-8L;

Ref reference(long double z) {
  return std::fabs(z) < kSeriesLimit ? series_ref(z) : libm_ref(z);
}

long double exact_term(long double z, long double softplus_neg, int y) {
  // softplus(z) - y z = log1p(e^-|z|) + (z >= 0 ? (1 - y) z : -y z)
  const long double linear = z >= 0 ? (1 - y) * z : -(y * z);
  return softplus_neg + linear;
}

// Runs body(t) on `threads` std::threads.
template <class Body>
void parallel(unsigned threads, const Body& body) {
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(body, t);
  body(0u);
  for (auto& th : pool)
    th.join();
}

// Worst case seen for one (kernel, type, ISA).
struct Worst {
  double max_error = 0;  // ULP (sigmoid) or eps of the exact sum (log_loss)
  double at = 0;         // the input (sigmoid) or first input of the group (log_loss)
  std::uint64_t checked = 0;
  std::uint64_t violations = 0;  // results outside a bound that is not a max-error bound
  double violation_at = 0;

  void merge(const Worst& o) {
    if (o.max_error > max_error || std::isnan(o.max_error)) {
      max_error = o.max_error;
      at = o.at;
    }
    checked += o.checked;
    if (o.violations > 0 && violations == 0) violation_at = o.violation_at;
    violations += o.violations;
  }
};

// The reference of sigmoid as stored per input: long double for double inputs; for float inputs
// it is rounded to double (29 bits beyond float, so ULP errors come out exact to 1e-8 ULP).
template <class T>
using Stored = std::conditional_t<sizeof(T) == 4, double, long double>;

// 1 / (the spacing of T above |T(ref)|): the ULP error of `got` is |got - ref| times this.
template <class T>
Stored<T> inverse_ulp(long double ref) {
  const T r = std::fabs(T(ref));
  const T above = std::nextafter(r, std::numeric_limits<T>::infinity());
  return Stored<T>(1) / (Stored<T>(above) - Stored<T>(r));
}

// Compares the active ISA's kernels against the references for inputs [begin, end) of a block.
template <class T>
void check_range(const T* z, const Stored<T>* ref_sigmoid, const Stored<T>* inv_ulp,
                 const long double* group_sum0, const long double* group_sum1, std::size_t begin,
                 std::size_t end, std::vector<T>& out, Worst& sig, Worst& loss) {
  constexpr T kMin = std::numeric_limits<T>::min();
  constexpr double kEps = std::numeric_limits<T>::epsilon();
  static const std::vector<T> zeros(kGroup, T(0)), ones(kGroup, T(1));
  out.resize(end - begin);
  kernels::sigmoid(z + begin, out.data(), end - begin, Threads{1});
  sig.checked += end - begin;
  for (std::size_t i = begin; i < end; ++i) {
    const T got = out[i - begin];
    const Stored<T> ref = ref_sigmoid[i];
    if (ref >= Stored<T>(kMin)) {
      const double e =
          got >= kMin ? double(std::fabs(Stored<T>(got) - ref) * inv_ulp[i]) : INFINITY;
      if (!(e <= sig.max_error)) {  // also NaN
        sig.max_error = std::isnan(e) ? INFINITY : e;
        sig.at = double(z[i]);
      }
    } else if (!(got >= T(0) && got <= kMin)) {
      if (sig.violations++ == 0) sig.violation_at = double(z[i]);
    }
  }
  for (std::size_t g = begin / kGroup; g < end / kGroup; ++g) {
    for (int y = 0; y < 2; ++y) {
      const T got =
          kernels::log_loss(z + g * kGroup, y ? ones.data() : zeros.data(), kGroup, Threads{1});
      const long double ref = y ? group_sum1[g] : group_sum0[g];
      ++loss.checked;
      const long double excess =
          std::max(0.0L, std::fabs((long double)got - ref) - kGroup * (long double)kMin);
      const double e = std::isfinite(got) ? double(excess / (kEps * ref)) : INFINITY;
      if (e > loss.max_error || std::isnan(e)) {
        loss.max_error = e;
        loss.at = double(z[g * kGroup]);
      }
    }
  }
}

struct Row {
  std::string kernel, type, isa;
  Worst worst;
  double bound;
  const char* unit;
};

// Sweeps `count` inputs produced by input(i) (i in [0, count)) for type T over every ISA.
template <class T, class Input>
void sweep(const char* type, std::uint64_t count, const Input& input, unsigned threads,
           std::vector<Row>& rows) {
  const std::vector<Isa> isas = supported_isas();
  std::vector<Worst> sig(isas.size()), loss(isas.size());
  constexpr std::size_t kBlock = std::size_t(1) << 22;  // a multiple of kGroup
  std::vector<T> z(kBlock);
  std::vector<Stored<T>> ref(kBlock), inv_ulp(kBlock);
  std::vector<long double> sum0(kBlock / kGroup), sum1(kBlock / kGroup);
  std::vector<std::vector<T>> scratch(threads);
  for (std::uint64_t first = 0; first < count; first += kBlock) {
    const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlock, count - first));
    const std::size_t groups = n / kGroup;  // a partial group at the very end is not summed
    const std::size_t all_groups = (n + kGroup - 1) / kGroup;
    const std::size_t per = (all_groups + threads - 1) / threads;  // groups per thread
    // Reference, once per block, split by groups across the threads.
    parallel(threads, [&](unsigned t) {
      const std::size_t g0 = std::min(all_groups, per * t);
      const std::size_t g1 = std::min(all_groups, per * (t + 1));
      for (std::size_t g = g0; g < g1; ++g) {
        long double s0 = 0, s1 = 0;
        for (std::size_t i = g * kGroup; i < std::min(n, (g + 1) * kGroup); ++i) {
          z[i] = input(first + i);
          const Ref r = reference((long double)z[i]);
          ref[i] = Stored<T>(r.sigmoid);
          inv_ulp[i] = inverse_ulp<T>(r.sigmoid);
          s0 += exact_term(z[i], r.softplus_neg, 0);
          s1 += exact_term(z[i], r.softplus_neg, 1);
        }
        if (g < groups) {
          sum0[g] = s0;
          sum1[g] = s1;
        }
      }
    });
    for (std::size_t k = 0; k < isas.size(); ++k) {
      ScopedIsa scoped(isas[k]);  // switched between parallel phases, never during one
      std::vector<Worst> s(threads), l(threads);
      parallel(threads, [&](unsigned t) {
        const std::size_t b = std::min(n, per * kGroup * t);
        const std::size_t e = std::min(n, per * kGroup * (t + 1));
        if (b < e)
          check_range<T>(z.data(), ref.data(), inv_ulp.data(), sum0.data(), sum1.data(), b, e,
                         scratch[t], s[t], l[t]);
      });
      for (unsigned t = 0; t < threads; ++t) {
        sig[k].merge(s[t]);
        loss[k].merge(l[t]);
      }
    }
  }
  for (std::size_t k = 0; k < isas.size(); ++k) {
    const std::string isa(isa_name(isas[k]));
    rows.push_back({"sigmoid", type, isa, sig[k], 3.0, "ULP"});
    rows.push_back({"log_loss", type, isa, loss[k], 8.0, "eps"});
  }
}

// The series and libm references must agree where the reference switches from one to the other.
bool series_agrees() {
  bool ok = true;
  for (long double z : {kSeriesLimit, -kSeriesLimit, kSeriesLimit / 2, -kSeriesLimit * 0.999L}) {
    const Ref a = series_ref(z), b = libm_ref(z);
    const long double ds = std::fabs(a.sigmoid - b.sigmoid) / b.sigmoid;
    const long double dp = std::fabs(a.softplus_neg - b.softplus_neg) / b.softplus_neg;
    if (ds > 0x1p-60L || dp > 0x1p-60L) {
      std::printf("series reference disagrees with expl/log1pl at z = %Lg: %Lg, %Lg relative\n", z,
                  ds, dp);
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  // --quick: every 4096th float (a smoke test); --stride N: every Nth float.
  std::uint64_t stride = 1;
  if (argc > 1 && std::strcmp(argv[1], "--quick") == 0) stride = 4096;
  if (argc > 2 && std::strcmp(argv[1], "--stride") == 0) stride = std::stoull(argv[2]);
  const bool quick = stride > 1;
  const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  if (!series_agrees()) return 1;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Row> rows;

  // Every float in [-120, 120]: bit patterns 0 ..= bits(120) for each sign (±0 both included).
  const std::uint32_t top = std::bit_cast<std::uint32_t>(120.0f);
  const std::uint64_t per_sign = std::uint64_t(top) + 1;
  const std::uint64_t float_count = 2 * ((per_sign + stride - 1) / stride);
  const std::uint64_t half = float_count / 2;
  sweep<float>(
      "float", float_count,
      [&](std::uint64_t i) {
        const bool negative = i >= half;
        const std::uint32_t magnitude = std::uint32_t((negative ? i - half : i) * stride);
        return std::bit_cast<float>(magnitude | (negative ? 0x80000000u : 0u));
      },
      threads, rows);

  // Doubles: 2^25 values spread over [-750, 750] (the whole range where sigmoid is neither 0
  // nor 1 and the underflow threshold), through [-40, 40], and with magnitudes 2^-60 .. 2^6, by
  // a fixed-seed hash of the index.
  const std::uint64_t double_count = quick ? (std::uint64_t(1) << 18) : (std::uint64_t(1) << 25);
  sweep<double>(
      "double", double_count,
      [](std::uint64_t i) {
        std::uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull;  // splitmix64
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        x ^= x >> 31;
        const double u = double(x >> 11) * 0x1p-53;  // [0, 1)
        switch (i % 3) {
          case 0:
            return -750 + 1500 * u;
          case 1:
            return -40 + 80 * u;
          default:
            return ((x & 1) ? -1.0 : 1.0) * std::exp2(-60 + 66 * u);
        }
      },
      threads, rows);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bool ok = true;
  std::printf("%-9s %-7s %-7s %13s %12s %8s  %-14s %s\n", "kernel", "type", "ISA", "checked",
              "max error", "bound", "worst at z", "status");
  for (const Row& r : rows) {
    const bool pass = r.worst.max_error <= r.bound && r.worst.violations == 0;
    ok = ok && pass;
    std::printf("%-9s %-7s %-7s %13llu %8.3f %-3s %4.0f %-3s  %-14.9g %s\n", r.kernel.c_str(),
                r.type.c_str(), r.isa.c_str(), (unsigned long long)r.worst.checked,
                r.worst.max_error, r.unit, r.bound, r.unit, r.worst.at, pass ? "ok" : "EXCEEDED");
    if (r.worst.violations > 0) {
      std::printf(
          "          %llu results outside [0, smallest normal] where the true value is "
          "below it (first at z = %.9g)\n",
          (unsigned long long)r.worst.violations, r.worst.violation_at);
    }
  }
  std::printf(
      "sigmoid checked per value; log_loss per group of %zu inputs (labels all 0, all 1)."
      "\nevery %lluth float value in [-120, 120], %llu doubles, %u threads, %.1f s\n",
      kGroup, (unsigned long long)stride, (unsigned long long)double_count, threads, seconds);
  return ok ? 0 : 1;
}
