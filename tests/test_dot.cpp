// kernels::dot and scalar::dot, float and double, under every ISA the machine supports.
//
// The documented bound (kernels.hpp):
//   |dot − exact| ≤ (n / lanes + 2 log2(n) + 8) · ε · Σ |x_i y_i|
// with lanes the SIMD width of the active ISA (scalar 1, sse2 16/sizeof(T), avx2 32/sizeof(T),
// avx512 64/sizeof(T)). The scalar twin is held to the lanes = 1 form. Errors are measured
// against a compensated long-double reference and reported (run with -s to see them) in units
// of ε · Σ |x_i y_i|.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "guarded_buffer.hpp"
#include "support.hpp"

using namespace simdlr;
using Catch::Matchers::Contains;

namespace {

using test::bits;

template <class T>
constexpr double kEps = std::numeric_limits<T>::epsilon();

// n / lanes + 2 log2(n) + 8, the documented bound in units of ε Σ|x y|.
double bound_factor(std::size_t n, std::size_t lanes) {
  const double lg = n > 1 ? std::log2(double(n)) : 0.0;
  return double(n) / double(lanes) + 2.0 * lg + 8.0;
}

// Σ x_i y_i in long double with Neumaier compensation.
template <class T>
long double exact_dot(const T* x, const T* y, std::size_t n) {
  return test::compensated_sum(
      n, [&](std::size_t i) { return (long double)x[i] * (long double)y[i]; });
}

// Inputs of several kinds: normal, magnitudes spread over 2^±12 with random signs (so products
// span 48 binades and the sum cancels), all positive (no cancellation, largest partial sums).
enum class Kind { normal, spread, positive };

template <class T>
std::vector<T> make_input(Kind kind, std::size_t n, std::uint32_t seed) {
  switch (kind) {
    case Kind::normal:
      return test::normal_vector<T>(n, seed);
    case Kind::spread: {
      std::uniform_real_distribution<double> e(-12, 12);
      return test::random_vector<T>(n, seed, [&](std::mt19937_64& rng) {
        return (rng() & 1 ? 1.0 : -1.0) * std::exp2(e(rng));
      });
    }
    case Kind::positive:
      return test::uniform_vector<T>(n, seed, 0.5, 2.0);
  }
  return {};
}

constexpr Kind kKinds[] = {Kind::normal, Kind::spread, Kind::positive};

// The worst error seen, in units of ε Σ|x y| and as a fraction of the bound.
struct Worst {
  double units = 0;  // max |got − exact| / (ε Σ|x y|)
  double ratio = 0;  // max |got − exact| / bound  (must stay ≤ 1)
  std::size_t n_at = 0;
  std::size_t nonzero_when_empty = 0;  // Σ|x y| = 0 but got ≠ 0

  template <class T>
  void add(T got, long double exact, long double abs_sum, double factor, std::size_t n) {
    const long double err = std::isnan(got) ? INFINITY : std::fabs((long double)got - exact);
    if (abs_sum == 0) {
      if (got != 0) ++nonzero_when_empty;
      return;
    }
    const double u = double(err / (kEps<T> * abs_sum));
    if (u > units) units = u;
    if (u / factor > ratio) {
      ratio = u / factor;
      n_at = n;
    }
  }
};

// Checks kernels::dot and scalar::dot on (x, y, n) against the reference.
template <class T>
void measure(Isa isa, const T* x, const T* y, std::size_t n, Worst& kernel, Worst& twin) {
  const long double exact = exact_dot(x, y, n);
  const long double abs_sum = test::ref_abs_dot(x, y, n);
  kernel.add(kernels::dot(x, y, n), exact, abs_sum, bound_factor(n, test::isa_lanes<T>(isa)), n);
  twin.add(scalar::dot(x, y, n), exact, abs_sum, bound_factor(n, 1), n);
}

template <class T>
void report(const char* what, const Worst& kernel, const Worst& twin) {
  INFO(what << ": kernel max error " << kernel.units << " ε·Σ|xy| (" << kernel.ratio
            << " of the bound, worst at n = " << kernel.n_at << "); scalar twin " << twin.units
            << " ε·Σ|xy| (" << twin.ratio << " of its bound)");
  CHECK(kernel.ratio <= 1.0);
  CHECK(twin.ratio <= 1.0);
  CHECK(kernel.nonzero_when_empty == 0);
  CHECK(twin.nonzero_when_empty == 0);
}

}  // namespace

TEMPLATE_TEST_CASE("dot: lengths 0 to 130 within the documented bound", "[dot]", float, double) {
  using T = TestType;
  test::for_each_isa([](Isa isa) {
    for (Kind kind : kKinds) {
      Worst kernel, twin, kernel_u, twin_u;
      for (std::size_t n = 0; n <= 130; ++n) {
        const auto x = make_input<T>(kind, n, 1000 + std::uint32_t(n));
        const auto y = make_input<T>(kind, n, 5000 + std::uint32_t(n));
        measure(isa, x.data(), y.data(), n, kernel, twin);
        const test::Unaligned<T> ux(x), uy(y);
        measure(isa, ux.data, uy.data, n, kernel_u, twin_u);
        // Misaligned relative to each other as well (one aligned, one not).
        measure(isa, x.data(), uy.data, n, kernel_u, twin_u);
      }
      INFO("input kind " << int(kind));
      report<T>("aligned", kernel, twin);
      report<T>("unaligned", kernel_u, twin_u);
    }
  });
}

TEMPLATE_TEST_CASE("dot: large lengths within the documented bound", "[dot]", float, double) {
  using T = TestType;
  for (std::size_t n : test::kLargeSizes) {
    for (Kind kind : {Kind::normal, Kind::spread}) {
      const auto x = make_input<T>(kind, n, 17 + std::uint32_t(n));
      const auto y = make_input<T>(kind, n, 29 + std::uint32_t(n));
      const test::Unaligned<T> ux(x), uy(y);
      const long double exact = exact_dot(x.data(), y.data(), n);
      const long double abs_sum = test::ref_abs_dot(x.data(), y.data(), n);
      INFO("n = " << n << ", input kind " << int(kind));
      Worst twin;
      twin.add(scalar::dot(x.data(), y.data(), n), exact, abs_sum, bound_factor(n, 1), n);
      test::for_each_isa([&](Isa isa) {
        const double factor = bound_factor(n, test::isa_lanes<T>(isa));
        Worst kernel, kernel_u;
        kernel.add(kernels::dot(x.data(), y.data(), n), exact, abs_sum, factor, n);
        kernel_u.add(kernels::dot(ux.data, uy.data, n), exact, abs_sum, factor, n);
        report<T>("aligned", kernel, twin);
        report<T>("unaligned", kernel_u, twin);
      });
    }
  }
}

TEMPLATE_TEST_CASE("dot: small integers give the exact result", "[dot]", float, double) {
  // Integers in [-3, 3]: with |x y| ≤ 9 every partial sum stays below 2^24 for n ≤ 2^20 + 3, so
  // every summation order is exact in float and double.
  using T = TestType;
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 130; ++n)
    sizes.push_back(n);
  sizes.insert(sizes.end(), {8191, 8192, 8193, 16384 + 5});
  sizes.insert(sizes.end(), std::begin(test::kLargeSizes), std::end(test::kLargeSizes));
  for (std::size_t n : sizes) {
    const auto x = test::small_integers<T>(n, 7 + std::uint32_t(n));
    const auto y = test::small_integers<T>(n, 9 + std::uint32_t(n));
    const test::Unaligned<T> ux(x), uy(y);
    long long exact = 0;
    for (std::size_t i = 0; i < n; ++i)
      exact += (long long)x[i] * (long long)y[i];
    // All positive as well: the largest partial sums (9 n < 2^24).
    const std::vector<T> three(n, T(3));
    test::for_each_isa([&](Isa) {
      INFO("n = " << n);
      CHECK(kernels::dot(x.data(), y.data(), n) == T(exact));
      CHECK(kernels::dot(ux.data, uy.data, n) == T(exact));
      CHECK(scalar::dot(x.data(), y.data(), n) == T(exact));
      CHECK(kernels::dot(three.data(), three.data(), n) == T(9 * (long long)n));
    });
  }
}

TEMPLATE_TEST_CASE("dot: kernel and scalar twin agree within both bounds", "[dot]", float, double) {
  using T = TestType;
  for (std::size_t n : {std::size_t(1), std::size_t(77), std::size_t(4099), std::size_t(100003)}) {
    const auto x = test::normal_vector<T>(n, 101);
    const auto y = test::normal_vector<T>(n, 202);
    const long double abs_sum = test::ref_abs_dot(x.data(), y.data(), n);
    const T twin = scalar::dot(x.data(), y.data(), n);
    test::for_each_isa([&](Isa isa) {
      INFO("n = " << n);
      const T got = kernels::dot(x.data(), y.data(), n);
      const double allowed = (bound_factor(n, test::isa_lanes<T>(isa)) + bound_factor(n, 1)) *
                             kEps<T> * double(abs_sum);
      CHECK(std::fabs(double(got) - double(twin)) <= allowed);
    });
  }
}

TEMPLATE_TEST_CASE("dot: NaN and infinity propagate", "[dot]", float, double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T inf = std::numeric_limits<T>::infinity();
  test::for_each_isa([&](Isa) {
    for (std::size_t n : {std::size_t(1), std::size_t(7), std::size_t(16), std::size_t(33),
                          std::size_t(130), std::size_t(20000)}) {
      for (std::size_t at : {std::size_t(0), n / 2, n - 1}) {
        INFO("n = " << n << ", non-finite value at " << at);
        auto x = test::uniform_vector<T>(n, 5, 0.5, 1.5);
        const auto y = test::uniform_vector<T>(n, 6, 0.5, 1.5);
        x[at] = nan;
        CHECK(std::isnan(kernels::dot(x.data(), y.data(), n)));
        CHECK(std::isnan(scalar::dot(x.data(), y.data(), n)));
        x[at] = inf;  // every other product is positive: the sum is +inf
        CHECK(kernels::dot(x.data(), y.data(), n) == inf);
        CHECK(scalar::dot(x.data(), y.data(), n) == inf);
      }
    }
  });
}

TEMPLATE_TEST_CASE("dot: the thread count does not change the bits", "[dot][threads]", float,
                   double) {
  using T = TestType;
  for (std::size_t n : {std::size_t(100003), (std::size_t(1) << 20) + 3}) {
    const auto x = make_input<T>(Kind::spread, n, 77);
    const auto y = make_input<T>(Kind::spread, n, 78);
    test::for_each_isa([&](Isa) {
      INFO("n = " << n);
      const T reference = kernels::dot(x.data(), y.data(), n, Threads{1});
      CHECK(bits(kernels::dot(x.data(), y.data(), n)) == bits(reference));
      for (int t : {0, 1, 2, 3, 4, 7}) {
        INFO("threads " << t);
        CHECK(bits(kernels::dot(x.data(), y.data(), n, Threads{t})) == bits(reference));
      }
      // The scalar twin ignores the thread count.
      CHECK(bits(scalar::dot(x.data(), y.data(), n, Threads{3})) ==
            bits(scalar::dot(x.data(), y.data(), n)));
    });
  }
}

TEMPLATE_TEST_CASE("dot: span overload uses the shorter length", "[dot]", float, double) {
  using T = TestType;
  const auto x = test::normal_vector<T>(50, 1);
  const auto y = test::normal_vector<T>(41, 2);
  test::for_each_isa([&](Isa) {
    CHECK(bits(kernels::dot(std::span<const T>(x), std::span<const T>(y))) ==
          bits(kernels::dot(x.data(), y.data(), 41)));
    CHECK(bits(scalar::dot(std::span<const T>(x), std::span<const T>(y))) ==
          bits(scalar::dot(x.data(), y.data(), 41)));
  });
}

TEMPLATE_TEST_CASE("dot: reads nothing past the end", "[dot]", float, double) {
  using T = TestType;
  test::for_each_isa([](Isa) {
    for (std::size_t n = 0; n <= 130; ++n) {
      const auto xs = test::normal_vector<T>(n, 3 + std::uint32_t(n));
      const auto ys = test::normal_vector<T>(n, 4 + std::uint32_t(n));
      test::GuardedBuffer<T> x(n), y(n);
      std::copy(xs.begin(), xs.end(), x.data());
      std::copy(ys.begin(), ys.end(), y.data());
      INFO("n = " << n);
      // Faults (and fails the run) if a tail load touches the guard page.
      CHECK(bits(kernels::dot(x.data(), y.data(), n)) ==
            bits(kernels::dot(xs.data(), ys.data(), n)));
      CHECK(bits(scalar::dot(x.data(), y.data(), n)) == bits(scalar::dot(xs.data(), ys.data(), n)));
    }
  });
}

TEMPLATE_TEST_CASE("dot: argument errors", "[dot][errors]", float, double) {
  using T = TestType;
  const std::vector<T> x(10, T(1));
  const T* null = nullptr;
  test::for_each_isa([&](Isa) {
    CHECK_THROWS_AS(kernels::dot(null, x.data(), 10), InvalidArgument);
    CHECK_THROWS_AS(kernels::dot(x.data(), null, 10), InvalidArgument);
    CHECK_THROWS_AS(kernels::dot(x.data(), x.data(), 10, Threads{-1}), InvalidArgument);
    CHECK_THROWS_WITH(kernels::dot(null, x.data(), 10), Contains("dot"));
    CHECK_THROWS_AS(scalar::dot(null, x.data(), 10), InvalidArgument);
    CHECK_THROWS_AS(scalar::dot(x.data(), null, 1), InvalidArgument);
    CHECK_THROWS_AS(scalar::dot(x.data(), x.data(), 10, Threads{-1}), InvalidArgument);
    // Empty input needs no data: the sum is 0.
    CHECK(kernels::dot(null, null, 0) == T(0));
    CHECK(scalar::dot(null, null, 0) == T(0));
    CHECK(kernels::dot(x.data(), x.data(), 0) == T(0));
  });
}
