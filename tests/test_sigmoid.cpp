// kernels::sigmoid and scalar::sigmoid, float and double, under every ISA the machine supports.
//
// The documented bound (kernels.hpp): ≤ 3 ULP wherever the true value is at least the smallest
// normal number of T; below that the result is in [0, smallest normal]. σ(±0) = 0.5,
// σ(+inf) = 1, σ(−inf) = 0, σ(NaN) = NaN; out == z is allowed. The reference is the stable
// logistic in long double. The measured maximum ULP error is reported (run with -s to see it).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "guarded_buffer.hpp"
#include "support.hpp"

using namespace simdlr;
using Catch::Matchers::Contains;

namespace {

using test::same_bits;

using test::bits;

template <class T>
using Lim = std::numeric_limits<T>;

// All digits of v, for messages.
inline std::string full(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

// Worst behaviour seen over a set of inputs.
template <class T>
struct Stats {
  double max_ulp = 0;  // where the true value is ≥ the smallest normal
  T max_ulp_at = 0;
  T max_ulp_got = 0;
  std::size_t checked = 0;
  std::size_t tiny_out_of_range = 0;  // true value < smallest normal, result outside [0, min]
  T tiny_bad_z = 0;
  T tiny_bad_got = 0;
  // True value ≥ the smallest normal but the result below it (flushed to 0 too early): counted
  // apart so one such input does not hide the ULP error everywhere else.
  std::size_t flushed_early = 0;
  T flushed_z = 0;
  T flushed_got = 0;

  void add(T z, T got, long double ref) {
    ++checked;
    if (ref >= (long double)Lim<T>::min()) {
      if (got < Lim<T>::min()) {
        if (flushed_early++ == 0) {
          flushed_z = z;
          flushed_got = got;
        }
        return;
      }
      const double e = std::isnan(got) ? INFINITY : test::ulp_error(got, ref);
      if (e > max_ulp) {
        max_ulp = e;
        max_ulp_at = z;
        max_ulp_got = got;
      }
    } else if (!(got >= T(0) && got <= Lim<T>::min())) {  // also catches NaN
      if (tiny_out_of_range++ == 0) {
        tiny_bad_z = z;
        tiny_bad_got = got;
      }
    }
  }
};

template <class T>
void require_within_bound(const char* what, const Stats<T>& s) {
  INFO(what << ": max " << s.max_ulp << " ULP at z = " << s.max_ulp_at << " (got " << s.max_ulp_got
            << ", true " << double(test::ref_sigmoid(s.max_ulp_at)) << ") over " << s.checked
            << " values");
  INFO("results out of [0, smallest normal] where the true value is below it: "
       << s.tiny_out_of_range << " (first at z = " << s.tiny_bad_z << ", got " << s.tiny_bad_got
       << ")");
  INFO("results below the smallest normal where the true value is not: "
       << s.flushed_early << " (first at z = " << full(s.flushed_z) << ", got "
       << full(s.flushed_got) << ", true " << full(double(test::ref_sigmoid(s.flushed_z))) << ")");
  CHECK(s.max_ulp <= 3.0);
  CHECK(s.tiny_out_of_range == 0);
  CHECK(s.flushed_early == 0);
}

// Grid of z values, in [-120, 120] for float and [-750, 750] for double, covering the whole range
// where the result is neither 0 nor 1 and the underflow threshold; plus the neighbourhood of that
// threshold in finer steps, magnitudes from tiny to large, and random values.
template <class T>
std::vector<T> sweep_inputs() {
  std::vector<T> z;
  const bool is_float = sizeof(T) == 4;
  const double range = is_float ? 120.0 : 750.0;
  const double step = is_float ? 1.0 / 1024 : 1.0 / 256;
  for (double v = -range; v <= range; v += step)
    z.push_back(T(v));
  // Finer around the underflow threshold log(smallest normal), z ≈ -87.34 (float), -708.40
  // (double); every representable value right at it is the next test case's business.
  const long double threshold = std::log((long double)Lim<T>::min());
  for (int k = -100000; k < 100000; ++k)
    z.push_back(T(threshold + (k + 0.5L) * 1e-6L));
  // ±m 2^k from below the smallest normal up to the range, 64 mantissas per binade.
  for (int k = Lim<T>::min_exponent - Lim<T>::digits; k <= (is_float ? 7 : 10); ++k) {
    for (int j = 0; j < 64; ++j) {
      const T v = std::ldexp(T(1) + T(j) / 64, k);
      z.push_back(v);
      z.push_back(-v);
    }
  }
  // The worst inputs found by an exhaustive float search (2.59 ULP on the SIMD ISAs, 2.40 on
  // scalar) and a 50M-value random double search (2.45 ULP): regressions show up here first.
  for (double hard : {-5.88959408, -4.1572938, -6.2367994514019287})
    z.push_back(T(hard));
  const auto random = test::uniform_vector<T>(400000, 12345, -range, range);
  z.insert(z.end(), random.begin(), random.end());
  const auto central = test::normal_vector<T>(200000, 54321, 4.0);
  z.insert(z.end(), central.begin(), central.end());
  return z;
}

std::vector<std::size_t> lengths_0_to_130() {
  std::vector<std::size_t> v;
  for (std::size_t n = 0; n <= 130; ++n)
    v.push_back(n);
  return v;
}

}  // namespace

TEMPLATE_TEST_CASE("sigmoid: dense sweep within 3 ULP", "[sigmoid]", float, double) {
  using T = TestType;
  const std::vector<T> z = sweep_inputs<T>();
  std::vector<long double> ref(z.size());
  for (std::size_t i = 0; i < z.size(); ++i)
    ref[i] = test::ref_sigmoid(z[i]);

  std::vector<T> twin(z.size());
  scalar::sigmoid(z.data(), twin.data(), z.size());
  Stats<T> twin_stats;
  for (std::size_t i = 0; i < z.size(); ++i)
    twin_stats.add(z[i], twin[i], ref[i]);
  require_within_bound("scalar twin", twin_stats);

  test::for_each_isa([&](Isa) {
    std::vector<T> out(z.size());
    kernels::sigmoid(z.data(), out.data(), z.size());
    Stats<T> s;
    double max_vs_twin = 0;  // ULP distance to the scalar twin where both are normal
    for (std::size_t i = 0; i < z.size(); ++i) {
      s.add(z[i], out[i], ref[i]);
      if (out[i] >= Lim<T>::min() && twin[i] >= Lim<T>::min()) {
        max_vs_twin = std::max(max_vs_twin, test::ulp_error(out[i], (long double)twin[i]));
      }
    }
    require_within_bound("kernel", s);
    INFO("max distance to the scalar twin " << max_vs_twin << " ULP");
    CHECK(max_vs_twin <= 6.0);  // each is within 3 ULP of the true value
  });
}

TEMPLATE_TEST_CASE("sigmoid: every value around the underflow threshold", "[sigmoid]", float,
                   double) {
  using T = TestType;
  // The 2 x 50000 representable values on either side of log(smallest normal): where the true σ
  // crosses the smallest normal, the 3 ULP bound starts to apply.
  const T threshold = T(std::log((long double)Lim<T>::min()));
  std::vector<T> z;
  T v = threshold;
  for (int k = 0; k < 50000; ++k)
    v = std::nextafter(v, -Lim<T>::infinity());
  for (int k = 0; k < 100000; ++k, v = std::nextafter(v, Lim<T>::infinity()))
    z.push_back(v);
  std::vector<long double> ref(z.size());
  for (std::size_t i = 0; i < z.size(); ++i)
    ref[i] = test::ref_sigmoid(z[i]);
  {
    std::vector<T> twin(z.size());
    scalar::sigmoid(z.data(), twin.data(), z.size());
    Stats<T> s;
    for (std::size_t i = 0; i < z.size(); ++i)
      s.add(z[i], twin[i], ref[i]);
    require_within_bound("scalar twin", s);
  }
  test::for_each_isa([&](Isa) {
    std::vector<T> out(z.size());
    kernels::sigmoid(z.data(), out.data(), z.size());
    Stats<T> s;
    for (std::size_t i = 0; i < z.size(); ++i)
      s.add(z[i], out[i], ref[i]);
    require_within_bound("kernel", s);
  });
}

TEMPLATE_TEST_CASE("sigmoid: lengths 0 to 130 aligned and unaligned", "[sigmoid]", float, double) {
  using T = TestType;
  const T sentinel = T(-12345.0);
  constexpr std::size_t guard = 80;  // more than one AVX-512 vector of either type
  test::for_each_isa([&](Isa) {
    Stats<T> aligned, unaligned, twin;
    std::size_t guard_damaged = 0, differs = 0;
    for (std::size_t n : lengths_0_to_130()) {
      const auto z = test::normal_vector<T>(n, 300 + std::uint32_t(n), 20.0);
      // Output followed by guard elements that must stay untouched.
      std::vector<T> out(n + guard, sentinel);
      kernels::sigmoid(z.data(), out.data(), n);
      const test::Unaligned<T> uz(z);
      test::Unaligned<T> uout(std::vector<T>(n + guard, sentinel));
      kernels::sigmoid(uz.data, uout.data, n);
      std::vector<T> tw(n + guard, sentinel);
      scalar::sigmoid(z.data(), tw.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const long double r = test::ref_sigmoid(z[i]);
        aligned.add(z[i], out[i], r);
        unaligned.add(z[i], uout.data[i], r);
        twin.add(z[i], tw[i], r);
        if (bits(out[i]) != bits(uout.data[i])) ++differs;  // alignment changes nothing
      }
      for (std::size_t i = n; i < n + guard; ++i) {
        if (out[i] != sentinel || uout.data[i] != sentinel || tw[i] != sentinel) ++guard_damaged;
      }
      // In place, aligned and unaligned: the same bits as out of place.
      std::vector<T> inplace = z;
      kernels::sigmoid(inplace.data(), inplace.data(), n);
      const test::Unaligned<T> uin(z);
      kernels::sigmoid(uin.data, uin.data, n);
      for (std::size_t i = 0; i < n; ++i) {
        if (bits(inplace[i]) != bits(out[i]) || bits(uin.data[i]) != bits(out[i])) {
          ++differs;
        }
      }
    }
    require_within_bound("aligned", aligned);
    require_within_bound("unaligned", unaligned);
    require_within_bound("scalar twin", twin);
    CHECK(guard_damaged == 0);
    CHECK(differs == 0);  // aligned, unaligned and in place agree bitwise
  });
}

// A tail shorter than a register is loaded and stored with other instructions than whole
// registers are (plain 128-bit moves up to 16 bytes, masks above): each value's bits must not
// depend on where it falls.
TEMPLATE_TEST_CASE("sigmoid: a value's bits do not depend on the call's length", "[sigmoid]", float,
                   double) {
  using T = TestType;
  const auto z = test::normal_vector<T>(130, 77, 20.0);
  test::for_each_isa([&](Isa) {
    std::vector<T> full(z.size());
    kernels::sigmoid(z.data(), full.data(), z.size());
    std::size_t differs = 0;
    for (std::size_t n = 1; n <= 40; ++n) {
      for (std::size_t start : {std::size_t(0), std::size_t(1), std::size_t(90 - n % 7)}) {
        std::vector<T> out(n);
        kernels::sigmoid(z.data() + start, out.data(), n);
        for (std::size_t i = 0; i < n; ++i)
          if (bits(out[i]) != bits(full[start + i])) ++differs;
      }
    }
    CHECK(differs == 0);
  });
}

TEMPLATE_TEST_CASE("sigmoid: large lengths unaligned and in place", "[sigmoid]", float, double) {
  using T = TestType;
  for (std::size_t n : test::kLargeSizes) {
    const auto z = test::normal_vector<T>(n, 99 + std::uint32_t(n), 30.0);
    const test::Unaligned<T> uz(z);
    std::vector<long double> ref(n);
    for (std::size_t i = 0; i < n; ++i)
      ref[i] = test::ref_sigmoid(z[i]);
    test::for_each_isa([&](Isa) {
      INFO("n = " << n);
      std::vector<T> out(n);
      kernels::sigmoid(z.data(), out.data(), n);
      test::Unaligned<T> uout(std::vector<T>(n + 1, T(7)));
      kernels::sigmoid(uz.data, uout.data, n);
      std::vector<T> inplace = z;
      kernels::sigmoid(inplace.data(), inplace.data(), n);
      Stats<T> s;
      std::size_t differs = 0;
      for (std::size_t i = 0; i < n; ++i) {
        s.add(z[i], out[i], ref[i]);
        if (bits(out[i]) != bits(uout.data[i]) || bits(out[i]) != bits(inplace[i])) ++differs;
      }
      require_within_bound("kernel", s);
      CHECK(differs == 0);
      CHECK(uout.data[n] == T(7));
    });
  }
}

TEMPLATE_TEST_CASE("sigmoid: special values", "[sigmoid]", float, double) {
  using T = TestType;
  const T inf = Lim<T>::infinity();
  const T nan = Lim<T>::quiet_NaN();
  const T huge = sizeof(T) == 4 ? T(1e30) : T(1e300);
  struct Case {
    T z;
    T expected;  // NaN: expect NaN
  };
  const std::vector<Case> cases = {
      {T(0), T(0.5)},
      {-T(0), T(0.5)},
      {Lim<T>::denorm_min(), T(0.5)},
      {-Lim<T>::denorm_min(), T(0.5)},
      {Lim<T>::min(), T(0.5)},
      {-Lim<T>::min(), T(0.5)},
      {inf, T(1)},
      {-inf, T(0)},
      {nan, nan},
      {-nan, nan},
      {huge, T(1)},
      {-huge, T(0)},
      {T(1e20), T(1)},
      {T(-1e20), T(0)},
      {Lim<T>::max(), T(1)},
      {Lim<T>::lowest(), T(0)},
      {T(1000), T(1)},  // e^-1000 underflows in both types: exactly 1 and 0
      {T(-1000), T(0)},
  };
  test::for_each_isa([&](Isa) {
    // Each value alone (the partial-vector path), and at every position of vectors of several
    // lengths so it also goes through the full-vector path and every lane.
    for (std::size_t n :
         {std::size_t(1), std::size_t(3), std::size_t(16), std::size_t(37), std::size_t(67)}) {
      for (const Case& c : cases) {
        for (std::size_t at = 0; at < n; ++at) {
          std::vector<T> z(n, T(0.25));
          z[at] = c.z;
          std::vector<T> out(n);
          kernels::sigmoid(z.data(), out.data(), n);
          std::vector<T> twin(n);
          scalar::sigmoid(z.data(), twin.data(), n);
          INFO("n = " << n << ", at " << at << ", z = " << c.z);
          if (std::isnan(c.expected)) {
            REQUIRE(std::isnan(out[at]));
            REQUIRE(std::isnan(twin[at]));
          } else {
            REQUIRE(out[at] == c.expected);
            REQUIRE(twin[at] == c.expected);
          }
          // The neighbours are unaffected.
          const T quarter = out[at == 0 ? n - 1 : 0];
          if (n > 1) REQUIRE(test::ulp_error(quarter, test::ref_sigmoid(0.25L)) <= 3.0);
        }
      }
    }
    // In place with special values.
    std::vector<T> z;
    for (const Case& c : cases)
      z.push_back(c.z);
    kernels::sigmoid(z.data(), z.data(), z.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
      INFO("in place, z = " << cases[i].z);
      if (std::isnan(cases[i].expected))
        CHECK(std::isnan(z[i]));
      else
        CHECK(z[i] == cases[i].expected);
    }
  });
}

TEMPLATE_TEST_CASE("sigmoid: huge finite logits give exactly 0 or 1 and never NaN", "[sigmoid]",
                   float, double) {
  using T = TestType;
  // |z| from where σ rounds to 1 (about 17 for float, 37 for double) up to the largest finite.
  std::vector<T> z;
  const int top = Lim<T>::max_exponent;
  for (int k = 7; k < top; ++k) {
    for (int j = 0; j < 8; ++j) {
      const T v = std::ldexp(T(1) + T(j) / 8, k);
      if (!std::isfinite(v)) continue;
      z.push_back(v);
      z.push_back(-v);
    }
  }
  // Beyond this |z| the true σ(-|z|) is below half the smallest subnormal: it rounds to 0.
  const T zero_beyond = sizeof(T) == 4 ? T(104) : T(746);
  test::for_each_isa([&](Isa) {
    std::vector<T> out(z.size());
    kernels::sigmoid(z.data(), out.data(), z.size());
    std::vector<T> twin(z.size());
    scalar::sigmoid(z.data(), twin.data(), z.size());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      // e^-|z| < ε/2 here, so the positive side is exactly 1; the negative side is in
      // [0, smallest normal], and exactly 0 once the true value rounds to 0.
      // (Accuracy in between is the dense sweep's business.)
      const auto ok_value = [&](T got) {
        if (z[i] > 0) return got == T(1);
        if (std::fabs(z[i]) > zero_beyond) return got == T(0);
        return got >= T(0) && got < T(1e-50);
      };
      const bool ok = ok_value(out[i]) && ok_value(twin[i]);
      if (!ok) {
        INFO("z = " << z[i] << " gave " << out[i] << ", scalar twin " << twin[i]);
        CHECK(ok);
        ++wrong;
      }
    }
    CHECK(wrong == 0);
  });
}

TEMPLATE_TEST_CASE("sigmoid: the thread count does not change the bits", "[sigmoid][threads]",
                   float, double) {
  using T = TestType;
  const std::size_t n = (std::size_t(1) << 20) + 3;
  const auto z = test::normal_vector<T>(n, 4242, 25.0);
  test::for_each_isa([&](Isa) {
    std::vector<T> reference(n);
    kernels::sigmoid(z.data(), reference.data(), n, Threads{1});
    std::vector<T> out(n);
    kernels::sigmoid(z.data(), out.data(), n);
    CHECK(same_bits(out, reference));
    for (int t : {0, 2, 3, 4}) {
      INFO("threads " << t);
      std::vector<T> o(n);
      kernels::sigmoid(z.data(), o.data(), n, Threads{t});
      CHECK(same_bits(o, reference));
      std::vector<T> inplace = z;
      kernels::sigmoid(inplace.data(), inplace.data(), n, Threads{t});
      CHECK(same_bits(inplace, reference));
    }
  });
}

TEMPLATE_TEST_CASE("sigmoid: span overload uses the shorter length", "[sigmoid]", float, double) {
  using T = TestType;
  const auto z = test::normal_vector<T>(40, 8);
  std::vector<T> out(25, T(-1)), expected(40, T(-1));
  test::for_each_isa([&](Isa) {
    kernels::sigmoid(std::span<const T>(z), std::span<T>(out));
    kernels::sigmoid(z.data(), expected.data(), 25);
    CHECK(same_bits(out, std::vector<T>(expected.begin(), expected.begin() + 25)));
    CHECK(expected[25] == T(-1));
  });
}

TEMPLATE_TEST_CASE("sigmoid: touches nothing past the end", "[sigmoid]", float, double) {
  using T = TestType;
  test::for_each_isa([](Isa) {
    for (std::size_t n = 0; n <= 130; ++n) {
      const auto zs = test::normal_vector<T>(n, 3 + std::uint32_t(n), 5.0);
      std::vector<T> expected(n);
      kernels::sigmoid(zs.data(), expected.data(), n);
      test::GuardedBuffer<T> z(n), out(n);
      std::copy(zs.begin(), zs.end(), z.data());
      INFO("n = " << n);
      // Faults (and fails the run) if a tail load or store touches the guard page.
      kernels::sigmoid(z.data(), out.data(), n);
      CHECK(std::equal(expected.begin(), expected.end(), out.data()));
      kernels::sigmoid(z.data(), z.data(), n);  // in place
      CHECK(std::equal(expected.begin(), expected.end(), z.data()));
      scalar::sigmoid(out.data(), out.data(), n);
    }
  });
}

TEMPLATE_TEST_CASE("sigmoid: argument errors", "[sigmoid][errors]", float, double) {
  using T = TestType;
  const std::vector<T> z(10, T(1));
  std::vector<T> out(10);
  const T* null_in = nullptr;
  T* null_out = nullptr;
  test::for_each_isa([&](Isa) {
    CHECK_THROWS_AS(kernels::sigmoid(null_in, out.data(), 10), InvalidArgument);
    CHECK_THROWS_AS(kernels::sigmoid(z.data(), null_out, 10), InvalidArgument);
    CHECK_THROWS_AS(kernels::sigmoid(z.data(), out.data(), 10, Threads{-1}), InvalidArgument);
    CHECK_THROWS_WITH(kernels::sigmoid(null_in, out.data(), 10), Contains("sigmoid"));
    CHECK_THROWS_AS(scalar::sigmoid(null_in, out.data(), 10), InvalidArgument);
    CHECK_THROWS_AS(scalar::sigmoid(z.data(), null_out, 1), InvalidArgument);
    CHECK_THROWS_AS(scalar::sigmoid(z.data(), out.data(), 10, Threads{-1}), InvalidArgument);
    // Nothing was written by the failed calls; empty input needs no data.
    CHECK(out == std::vector<T>(10, T(0)));
    CHECK_NOTHROW(kernels::sigmoid(null_in, null_out, 0));
    CHECK_NOTHROW(scalar::sigmoid(null_in, null_out, 0));
  });
}
