// kernels::log_loss and scalar::log_loss, float and double, under every ISA the machine supports.
//
// The documented contract (kernels.hpp): log_loss(z, y, n) = Σ [softplus(z_i) − y_i z_i] for
// y_i ∈ [0, 1], every term ≥ 0; never inf or NaN for finite z unless the sum exceeds the range
// of T; for y_i ∈ {0, 1} the relative error is ≤ 8 ε of the exact sum.
//
// The reference. A plain softplus(z) − y z cancels: for y = 1 and z = 50 it returns
// (50 + 2e-22) − 50 = 0 in long double, and for fractional y near 1 and large z it loses up to
// log2(z / term) bits. So the reference (support.hpp's ref_log_loss_term) uses the same
// cancellation-free form the kernels document, log1p(e^−|z|) + (z ≥ 0 ? (1 − y) z : −y z),
// evaluated in long double (1 − y is exact there for y ≥ 2^-11) and summed with compensation: its
// relative error is a few 2^-64, far below the ε of double.
//
// Measured maxima are reported in units of ε (run with -s to see them).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "guarded_buffer.hpp"
#include "support.hpp"

using namespace simdlr;
using Catch::Matchers::Contains;

namespace {

template <class T>
using Lim = std::numeric_limits<T>;

template <class T>
constexpr double kEps = std::numeric_limits<T>::epsilon();

using test::bits;

template <class T>
long double exact_sum(const T* z, const T* y, std::size_t n) {
  return test::compensated_sum(n,
                               [&](std::size_t i) { return test::ref_log_loss_term(z[i], y[i]); });
}

// Allowed error: `rel` ε of the exact sum, plus one smallest normal per term. The absolute part
// matters only when the exact sum is itself tiny: a term log1p(e^−|z|) whose true value is
// subnormal comes out as 0 on the SIMD ISAs (the vector exp returns 0 for subnormal results),
// e.g. float z = 89, y = 1 gives 0 for a true 2.2e-39, and 10000 such terms give 0 for a true
// 2.2e-35. That is outside the literal "relative error ≤ 8 ε" of kernels.hpp but harmless (a
// loss below n · smallest normal); this allowance is what the tests accept. It is invisible for
// every other input.
template <class T>
long double allowed(long double exact, std::size_t n, double rel) {
  return rel * kEps<T> * exact + (long double)n * (long double)Lim<T>::min();
}

// Worst relative error seen (in units of ε), plus anything non-finite or over the bound.
struct Worst {
  double rel_eps = 0;
  std::size_t over_bound = 0;
  std::size_t not_finite = 0;
  std::size_t n_at = 0;
  double got_at = 0, exact_at = 0;

  template <class T>
  void add(T got, long double exact, std::size_t n, double rel) {
    if (!std::isfinite(got)) {
      ++not_finite;
      return;
    }
    const long double err = std::fabs((long double)got - exact);
    if (exact > 0) {
      // Relative error beyond the absolute allowance of `allowed` (zero for all but tiny sums).
      const long double beyond = std::max(0.0L, err - (long double)n * Lim<T>::min());
      const double r = double(beyond / exact / kEps<T>);
      if (r > rel_eps) {
        rel_eps = r;
        n_at = n;
        got_at = double(got);
        exact_at = double(exact);
      }
    }
    if (err > allowed<T>(exact, n, rel)) ++over_bound;
  }
};

void report(const char* what, const Worst& w, double rel) {
  INFO(what << ": max relative error " << w.rel_eps << " ε (bound " << rel << " ε), worst at n = "
            << w.n_at << " (got " << w.got_at << ", exact " << w.exact_at << ")");
  CHECK(w.not_finite == 0);
  CHECK(w.over_bound == 0);
  CHECK(w.rel_eps <= rel);
}

// Checks kernels::log_loss and scalar::log_loss on one input.
template <class T>
void measure(const T* z, const T* y, std::size_t n, double rel, Worst& kernel, Worst& twin) {
  const long double exact = exact_sum(z, y, n);
  kernel.add(kernels::log_loss(z, y, n), exact, n, rel);
  twin.add(scalar::log_loss(z, y, n), exact, n, rel);
}

// Documented bound for y ∈ {0, 1}.
constexpr double kBinaryRel = 8.0;

// Bound used for fractional y ∈ [0, 1]. The documented 8 ε is stated for binary labels only.
// With fractional y the kernels' form still adds two non-negative parts, log1p(e) ≥ 0 and
// (1 − y) z ≥ 0 (or −y z ≥ 0), so there is no cancellation: the linear part picks up two more
// roundings (1 − y, then the product: ≤ ε together) on top of the binary case's per-term error
// (exp ≤ 1.5 ULP, log1p ≤ 0.8 ULP, the add) and the ≤ 2 ε of the summation; every piece is
// relative to a non-negative quantity, so the sum's relative error stays below 8 ε + ε. We allow
// 16 ε, twice the binary bound, which leaves room for a different exp/log1p without admitting
// any cancellation (a form softplus(z) − y z would fail it by orders of magnitude).
constexpr double kFractionalRel = 16.0;

template <class T>
std::vector<T> fractional_labels(std::size_t n, std::uint32_t seed) {
  return test::uniform_vector<T>(n, seed, 0.0, 1.0);
}

// Logits with magnitudes spread log-uniformly over [10^lo, 10^hi], random signs.
template <class T>
std::vector<T> spread_logits(std::size_t n, std::uint32_t seed, double lo, double hi) {
  std::uniform_real_distribution<double> e(lo, hi);
  return test::random_vector<T>(n, seed, [&](std::mt19937_64& rng) {
    return (rng() & 1 ? 1.0 : -1.0) * std::pow(10.0, e(rng));
  });
}

// The largest decimal exponent used for extreme logits: 1e30 (float), 1e300 (double). Sums of
// up to 2^20 such terms stay below the largest finite value.
template <class T>
constexpr double kHugeExp10 = sizeof(T) == 4 ? 30.0 : 300.0;

// One input with its exact sum and its scalar-twin result, computed once for every ISA.
template <class T>
struct Input {
  std::string name;
  std::vector<T> z, y;
  long double exact;
  Input(std::string name_, std::vector<T> z_, std::vector<T> y_)
      : name(std::move(name_)),
        z(std::move(z_)),
        y(std::move(y_)),
        exact(exact_sum(z.data(), y.data(), z.size())) {}
};

// Checks the scalar twin once and the kernel under every ISA, aligned and (for every other
// input) unaligned, on every input; reports the worst per input name.
template <class T>
void check_inputs(const std::vector<Input<T>>& inputs, double rel) {
  std::vector<std::string> names;
  for (const auto& in : inputs) {
    if (std::find(names.begin(), names.end(), in.name) == names.end()) names.push_back(in.name);
  }
  for (const auto& name : names) {
    Worst twin;
    for (const auto& in : inputs) {
      if (in.name != name) continue;
      twin.add(scalar::log_loss(in.z.data(), in.y.data(), in.z.size()), in.exact, in.z.size(), rel);
    }
    report((name + ", scalar twin").c_str(), twin, rel);
  }
  test::for_each_isa([&](Isa) {
    for (const auto& name : names) {
      Worst kernel;
      std::size_t k = 0;
      for (const auto& in : inputs) {
        if (in.name != name) continue;
        const std::size_t n = in.z.size();
        kernel.add(kernels::log_loss(in.z.data(), in.y.data(), n), in.exact, n, rel);
        if (k++ % 2 == 0) {
          const test::Unaligned<T> uz(in.z), uy(in.y);
          kernel.add(kernels::log_loss(uz.data, uy.data, n), in.exact, n, rel);
        }
      }
      report((name + ", kernel").c_str(), kernel, rel);
    }
  });
}

constexpr double kScales[] = {1.0, 10.0, 100.0};
}  // namespace

TEMPLATE_TEST_CASE("log_loss: lengths 0 to 130 with binary labels within 8 eps", "[log_loss]",
                   float, double) {
  using T = TestType;
  test::for_each_isa([](Isa) {
    for (double sd : kScales) {
      Worst kernel, twin, kernel_u, twin_u;
      for (std::size_t n = 0; n <= 130; ++n) {
        const auto z = test::normal_vector<T>(n, 10 + std::uint32_t(n), sd);
        const auto y = test::binary_labels<T>(n, 20 + std::uint32_t(n));
        measure(z.data(), y.data(), n, kBinaryRel, kernel, twin);
        const test::Unaligned<T> uz(z), uy(y);
        measure(uz.data, uy.data, n, kBinaryRel, kernel_u, twin_u);
        measure(z.data(), uy.data, n, kBinaryRel, kernel_u, twin_u);
      }
      INFO("logits with sd " << sd);
      report("aligned kernel", kernel, kBinaryRel);
      report("aligned scalar twin", twin, kBinaryRel);
      report("unaligned kernel", kernel_u, kBinaryRel);
      report("unaligned scalar twin", twin_u, kBinaryRel);
    }
  });
}

TEMPLATE_TEST_CASE("log_loss: large lengths with binary labels within 8 eps", "[log_loss]", float,
                   double) {
  using T = TestType;
  for (std::size_t n : test::kLargeSizes) {
    for (double sd : kScales) {
      if (n > 100003 && sd != 10.0) continue;  // one scale at 2^20 + 3 (run time)
      const auto z = test::normal_vector<T>(n, 30 + std::uint32_t(n), sd);
      const auto y = test::binary_labels<T>(n, 40 + std::uint32_t(n));
      const test::Unaligned<T> uz(z), uy(y);
      const long double exact = exact_sum(z.data(), y.data(), n);
      INFO("n = " << n << ", logits with sd " << sd);
      Worst twin;
      twin.add(scalar::log_loss(z.data(), y.data(), n), exact, n, kBinaryRel);
      report("scalar twin", twin, kBinaryRel);
      test::for_each_isa([&](Isa) {
        Worst kernel, kernel_u;
        kernel.add(kernels::log_loss(z.data(), y.data(), n), exact, n, kBinaryRel);
        kernel_u.add(kernels::log_loss(uz.data, uy.data, n), exact, n, kBinaryRel);
        report("kernel", kernel, kBinaryRel);
        report("unaligned kernel", kernel_u, kBinaryRel);
      });
    }
  }
}

TEMPLATE_TEST_CASE("log_loss: extreme logits with binary labels", "[log_loss]", float, double) {
  using T = TestType;
  const double top = kHugeExp10<T>;
  std::vector<Input<T>> inputs;
  for (std::size_t n : {std::size_t(1), std::size_t(17), std::size_t(130), std::size_t(10007),
                        std::size_t(100003)}) {
    const auto seed = std::uint32_t(n);
    // Magnitudes from 1e-top to 1e+top; the sum is dominated by the wrong-label terms ≈ |z|.
    const auto z = spread_logits<T>(n, 50 + seed, -top, top);
    // Only labels that agree with the sign: every term is log1p(e^-|z|), from log 2 down to 0;
    // only labels that disagree: every term is about |z|.
    std::vector<T> right(n), wrong(n);
    for (std::size_t i = 0; i < n; ++i) {
      right[i] = z[i] > 0 ? T(1) : T(0);
      wrong[i] = T(1) - right[i];
    }
    inputs.emplace_back("random labels", z, test::binary_labels<T>(n, 60 + seed));
    inputs.emplace_back("right labels", z, right);
    inputs.emplace_back("wrong labels", z, wrong);
    // Moderate logits whose exp under- and overflows (|z| in [50, 1000]).
    inputs.emplace_back("|z| in [50, 1000]", spread_logits<T>(n, 70 + seed, std::log10(50.0), 3.0),
                        test::binary_labels<T>(n, 60 + seed));
  }
  check_inputs(inputs, kBinaryRel);
}

TEMPLATE_TEST_CASE("log_loss: fractional labels", "[log_loss]", float, double) {
  using T = TestType;
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 130; ++n)
    sizes.push_back(n);
  sizes.insert(sizes.end(), {10007, 100003});
  for (double sd : {1.0, 10.0, 100.0, 0.0}) {  // 0: extreme logits up to 1e30 / 1e300
    std::vector<Input<T>> inputs;
    for (std::size_t n : sizes) {
      const auto seed = std::uint32_t(n);
      auto z = sd > 0 ? test::normal_vector<T>(n, 80 + seed, sd)
                      : spread_logits<T>(n, 80 + seed, -kHugeExp10<T>, kHugeExp10<T>);
      auto y = fractional_labels<T>(n, 90 + seed);
      // Labels right next to 0 and 1 too, where 1 − y is small or rounds.
      for (std::size_t i = 0; i < n; i += 7) {
        y[i] = i % 2 ? T(1) - Lim<T>::epsilon() / 2 : Lim<T>::epsilon() / 4;
      }
      inputs.emplace_back(sd > 0 ? "normal logits" : "logits spread up to 1e30 / 1e300", z, y);
    }
    INFO("logits with sd " << sd << " (0: spread)");
    check_inputs(inputs, kFractionalRel);
  }
}

TEMPLATE_TEST_CASE("log_loss: never inf or NaN for finite logits", "[log_loss]", float, double) {
  using T = TestType;
  const T extremes[] = {Lim<T>::max(),
                        Lim<T>::lowest(),
                        T(sizeof(T) == 4 ? 1e30 : 1e300),
                        T(sizeof(T) == 4 ? -1e30 : -1e300),
                        Lim<T>::max() / 2,
                        std::nextafter(Lim<T>::max(), T(0)),
                        T(1e20),
                        T(-1e20),
                        T(1000),
                        T(-1000),
                        T(89),
                        T(-89),
                        T(710),
                        T(-710),
                        Lim<T>::min(),
                        -Lim<T>::min(),
                        Lim<T>::denorm_min(),
                        -Lim<T>::denorm_min(),
                        T(0),
                        -T(0)};
  const T labels[] = {
      T(0), T(1), T(0.5), T(0.25), T(0.75), Lim<T>::epsilon(), T(1) - Lim<T>::epsilon() / 2};
  test::for_each_isa([&](Isa) {
    std::size_t not_finite = 0, negative = 0, over_bound = 0;
    double worst_rel = 0;
    std::string worst_case;
    // One extreme value among benign ones (logits in [-2, 2]), at every position of vectors of
    // several lengths: through the partial-vector path, every lane of the full-vector path,
    // and chunk boundaries. Only one extreme per call, so the sum stays finite.
    for (std::size_t n : {std::size_t(1), std::size_t(5), std::size_t(16), std::size_t(37)}) {
      for (T extreme : extremes) {
        for (T label : labels) {
          for (std::size_t at = 0; at < n; ++at) {
            auto z = test::uniform_vector<T>(n, 3, -2.0, 2.0);
            auto y = test::uniform_vector<T>(n, 4, 0.0, 1.0);
            z[at] = extreme;
            y[at] = label;
            const long double exact = exact_sum(z.data(), y.data(), n);
            for (const T got : {kernels::log_loss(z.data(), y.data(), n),
                                scalar::log_loss(z.data(), y.data(), n)}) {
              if (!std::isfinite(got)) {
                INFO("n = " << n << ", z = " << extreme << " at " << at << ", y = " << label
                            << ": got " << got);
                CHECK(std::isfinite(got));
                ++not_finite;
                continue;
              }
              if (got < 0) ++negative;
              const long double err = std::fabs((long double)got - exact);
              if (exact > 0) {  // relative error beyond the absolute allowance, as in Worst
                const long double beyond = std::max(0.0L, err - (long double)n * Lim<T>::min());
                const double rel = double(beyond / exact) / kEps<T>;
                if (rel > worst_rel) {
                  worst_rel = rel;
                  std::ostringstream where;
                  where << "z = " << extreme << " at " << at << " of " << n << ", y = " << label;
                  worst_case = where.str();
                }
              }
              if (err > allowed<T>(exact, n, kFractionalRel)) {
                INFO("n = " << n << ", z = " << extreme << " at " << at << ", y = " << label
                            << ": got " << got << ", exact " << double(exact));
                CHECK(err <= allowed<T>(exact, n, kFractionalRel));
                ++over_bound;
              }
            }
          }
        }
      }
    }
    INFO("max relative error " << worst_rel << " ε (" << worst_case << ")");
    CHECK(worst_rel <= kFractionalRel);
    CHECK(not_finite == 0);
    CHECK(negative == 0);
    CHECK(over_bound == 0);
    // Large vectors made only of extreme values (alternating signs, all labels): finite as
    // long as the sum fits; n times 1e30 / 1e300 does.
    const std::size_t n = (std::size_t(1) << 16) + 3;
    const auto z = spread_logits<T>(n, 5, kHugeExp10<T> - 2, kHugeExp10<T>);
    for (const auto& y : {test::binary_labels<T>(n, 6), fractional_labels<T>(n, 7)}) {
      const T got = kernels::log_loss(z.data(), y.data(), n);
      CHECK(std::isfinite(got));
      CHECK(got > 0);
    }
  });
}

TEMPLATE_TEST_CASE("log_loss: empty input gives 0", "[log_loss]", float, double) {
  using T = TestType;
  const T* null = nullptr;
  const std::vector<T> z(5, T(1));
  test::for_each_isa([&](Isa) {
    CHECK(kernels::log_loss(null, null, 0) == T(0));
    CHECK(kernels::log_loss(z.data(), z.data(), 0) == T(0));
    CHECK(scalar::log_loss(null, null, 0) == T(0));
    CHECK(bits(kernels::log_loss(z.data(), z.data(), 0)) == bits(T(0)));  // +0, not -0
  });
}

TEMPLATE_TEST_CASE("log_loss: exact small cases", "[log_loss]", float, double) {
  using T = TestType;
  test::for_each_isa([&](Isa) {
    // z = 0: log 2 per term whatever the label.
    for (std::size_t n :
         {std::size_t(1), std::size_t(2), std::size_t(9), std::size_t(64), std::size_t(65)}) {
      const std::vector<T> z(n, T(0));
      const auto y = fractional_labels<T>(n, 1);
      const long double exact = (long double)n * std::log(2.0L);
      INFO("n = " << n);
      CHECK(std::fabs(kernels::log_loss(z.data(), y.data(), n) - exact) <=
            kBinaryRel * kEps<T> * exact);
    }
    // A wrong label costs |z| (plus log1p(e^-|z|), below half an ULP of |z| here).
    const T z1[] = {T(100)}, y0[] = {T(0)};
    const T z2[] = {T(-100)}, y1[] = {T(1)};
    CHECK(std::fabs(kernels::log_loss(z1, y0, 1) - T(100)) <= kBinaryRel * kEps<T> * 100);
    CHECK(std::fabs(kernels::log_loss(z2, y1, 1) - T(100)) <= kBinaryRel * kEps<T> * 100);
    // Half a label: softplus(z) − z/2 = log(2 cosh(z/2)), even in z.
    const T zs[] = {T(3), T(-3)}, yh[] = {T(0.5), T(0.5)};
    const long double cosh_term = std::log(2 * std::cosh(1.5L));
    CHECK(std::fabs(kernels::log_loss(zs, yh, 2) - 2 * cosh_term) <=
          kFractionalRel * kEps<T> * 2 * cosh_term);
  });
}

TEMPLATE_TEST_CASE("log_loss: infinite or NaN logits are not hidden", "[log_loss]", float, double) {
  using T = TestType;
  const T inf = Lim<T>::infinity();
  const T nan = Lim<T>::quiet_NaN();
  test::for_each_isa([&](Isa) {
    for (std::size_t n : {std::size_t(1), std::size_t(16), std::size_t(37)}) {
      for (std::size_t at : {std::size_t(0), n - 1}) {
        auto z = test::normal_vector<T>(n, 1);
        auto y = test::binary_labels<T>(n, 2);
        INFO("n = " << n << ", at " << at);
        z[at] = nan;
        CHECK(std::isnan(kernels::log_loss(z.data(), y.data(), n)));
        CHECK(std::isnan(scalar::log_loss(z.data(), y.data(), n)));
        // A wrong label on an infinite logit: an infinite loss, or NaN; never a finite number.
        z[at] = inf;
        y[at] = T(0);
        CHECK_FALSE(std::isfinite(kernels::log_loss(z.data(), y.data(), n)));
        z[at] = -inf;
        y[at] = T(1);
        CHECK_FALSE(std::isfinite(kernels::log_loss(z.data(), y.data(), n)));
      }
    }
  });
}

TEMPLATE_TEST_CASE("log_loss: the thread count does not change the bits", "[log_loss][threads]",
                   float, double) {
  using T = TestType;
  // Binary labels over 129 chunks, fractional labels over 13.
  for (std::size_t n : {(std::size_t(1) << 20) + 3, std::size_t(100003)}) {
    const auto z = test::normal_vector<T>(n, 11, 10.0);
    const auto y = n > 100003 ? test::binary_labels<T>(n, 12) : fractional_labels<T>(n, 13);
    INFO("n = " << n);
    CHECK(bits(scalar::log_loss(z.data(), y.data(), n, Threads{4})) ==
          bits(scalar::log_loss(z.data(), y.data(), n)));
    test::for_each_isa([&](Isa) {
      const T reference = kernels::log_loss(z.data(), y.data(), n, Threads{1});
      CHECK(bits(kernels::log_loss(z.data(), y.data(), n)) == bits(reference));
      for (int t : {0, 2, 3, 4}) {
        INFO("threads " << t);
        CHECK(bits(kernels::log_loss(z.data(), y.data(), n, Threads{t})) == bits(reference));
      }
    });
  }
}

TEMPLATE_TEST_CASE("log_loss: span overload uses the shorter length", "[log_loss]", float, double) {
  using T = TestType;
  const auto z = test::normal_vector<T>(30, 1);
  const auto y = test::binary_labels<T>(45, 2);
  test::for_each_isa([&](Isa) {
    CHECK(bits(kernels::log_loss(std::span<const T>(z), std::span<const T>(y))) ==
          bits(kernels::log_loss(z.data(), y.data(), 30)));
  });
}

TEMPLATE_TEST_CASE("log_loss: reads nothing past the end", "[log_loss]", float, double) {
  using T = TestType;
  test::for_each_isa([](Isa) {
    for (std::size_t n = 0; n <= 130; ++n) {
      const auto zs = test::normal_vector<T>(n, 3 + std::uint32_t(n), 5.0);
      const auto ys = fractional_labels<T>(n, 4 + std::uint32_t(n));
      test::GuardedBuffer<T> z(n), y(n);
      std::copy(zs.begin(), zs.end(), z.data());
      std::copy(ys.begin(), ys.end(), y.data());
      INFO("n = " << n);
      // Faults (and fails the run) if a tail load touches the guard page.
      CHECK(bits(kernels::log_loss(z.data(), y.data(), n)) ==
            bits(kernels::log_loss(zs.data(), ys.data(), n)));
      CHECK(bits(scalar::log_loss(z.data(), y.data(), n)) ==
            bits(scalar::log_loss(zs.data(), ys.data(), n)));
    }
  });
}

TEMPLATE_TEST_CASE("log_loss: argument errors", "[log_loss][errors]", float, double) {
  using T = TestType;
  const std::vector<T> v(10, T(1));
  const T* null = nullptr;
  test::for_each_isa([&](Isa) {
    CHECK_THROWS_AS(kernels::log_loss(null, v.data(), 10), InvalidArgument);
    CHECK_THROWS_AS(kernels::log_loss(v.data(), null, 10), InvalidArgument);
    CHECK_THROWS_AS(kernels::log_loss(v.data(), v.data(), 10, Threads{-1}), InvalidArgument);
    CHECK_THROWS_WITH(kernels::log_loss(v.data(), null, 10), Contains("log_loss"));
    CHECK_THROWS_AS(scalar::log_loss(null, v.data(), 10), InvalidArgument);
    CHECK_THROWS_AS(scalar::log_loss(v.data(), null, 1), InvalidArgument);
    CHECK_THROWS_AS(scalar::log_loss(v.data(), v.data(), 10, Threads{-1}), InvalidArgument);
  });
}
