// kernels::softmax and scalar::softmax (row-wise softmax of a rows x classes matrix), float and
// double, under every ISA the machine supports.
//
// The documented bound (kernels.hpp): with m = max_j z_j, wherever the true probability p_k is at
// least the smallest normal number of T, |out_k − p_k| ≤ (4 + ceil(classes / lanes) + log2(lanes)
// + |z_k − m| + Σ_j p_j |z_j − m|) · ε · p_k; below that, |out_k − p_k| ≤ the smallest normal
// number. The reference is the same formula in long double. The
// scalar twin is the loop LogisticRegression::predict_proba used for the multinomial model, and
// must reproduce it bit for bit. The measured maximum error is reported (run with -s to see it).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "support.hpp"

using namespace simdlr;

namespace {

using test::same_bits;

template <class T>
using Lim = std::numeric_limits<T>;

// The loop LogisticRegression<T>::predict_proba ran for the multinomial model before softmax was
// a kernel (in place, std::exp, classes in order).
template <class T>
void old_predict_proba_loop(std::vector<T>& z, std::size_t n, std::size_t K) {
  for (std::size_t i = 0; i < n; ++i) {
    T* row = z.data() + i * K;
    const T m = *std::max_element(row, row + K);
    T total = 0;
    for (std::size_t k = 0; k < K; ++k)
      total += (row[k] = std::exp(row[k] - m));
    for (std::size_t k = 0; k < K; ++k)
      row[k] /= total;
  }
}

template <class T>
std::vector<long double> reference(const std::vector<T>& z, std::size_t rows, std::size_t K) {
  std::vector<long double> p(z.size());
  for (std::size_t i = 0; i < rows; ++i) {
    const T* row = z.data() + i * K;
    long double m = row[0];
    for (std::size_t k = 1; k < K; ++k)
      m = std::max(m, (long double)row[k]);
    long double total = 0;
    for (std::size_t k = 0; k < K; ++k)
      total += (p[i * K + k] = std::exp((long double)row[k] - m));
    for (std::size_t k = 0; k < K; ++k)
      p[i * K + k] /= total;
  }
  return p;
}

// The documented factor of ε · p_k for class k of a row z with `lanes` lanes: the exponentials and
// the division, the sum over the classes, and the rounding of the arguments z_j − m (an absolute
// error ε |z_j − m| in an exponent is a relative error of that size in its exponential).
template <class T>
double bound_factor(const T* z, const long double* p, std::size_t K, std::size_t k,
                    std::size_t lanes) {
  long double m = z[0];
  for (std::size_t j = 1; j < K; ++j)
    m = std::max(m, (long double)z[j]);
  long double spread = 0;  // Σ_j p_j |z_j − m|
  for (std::size_t j = 0; j < K; ++j)
    spread += p[j] * (m - z[j]);
  return 4.0 + double((K + lanes - 1) / lanes) + std::log2(double(lanes)) +
         double(m - z[k] + spread);
}

// Largest error seen, in units of ε · p (where p is normal) and of the smallest normal (below).
struct Worst {
  double relative = 0;  // max |out − p| / (ε p) where p ≥ smallest normal
  double relative_over_bound = 0;
  double relative_large = 0;  // the same where p ≥ 1e-3 (|z − m| small)
  double tiny = 0;            // max |out − p| / smallest normal where p < smallest normal
};

template <class T>
void check_rows(const std::vector<T>& z, std::size_t rows, std::size_t K, std::size_t lanes,
                Worst& worst) {
  std::vector<T> out(z.size());
  kernels::softmax(z.data(), out.data(), rows, K);
  const std::vector<long double> p = reference(z, rows, K);
  const long double eps = Lim<T>::epsilon(), tiny = Lim<T>::min();
  for (std::size_t i = 0; i < z.size(); ++i) {
    const long double err = std::fabs((long double)out[i] - p[i]);
    if (p[i] >= tiny) {
      const std::size_t row = i / K * K;
      const double factor = bound_factor(z.data() + row, p.data() + row, K, i - row, lanes);
      const double rel = double(err / (eps * p[i]));
      worst.relative = std::max(worst.relative, rel);
      worst.relative_over_bound = std::max(worst.relative_over_bound, rel / factor);
      if (p[i] >= 1e-3L) worst.relative_large = std::max(worst.relative_large, rel);
      if (!(rel <= factor)) {
        INFO("K = " << K << ", row " << i / K << ", class " << i % K << ": got " << out[i]
                    << ", want " << double(p[i]) << ", " << rel << " ε relative, bound " << factor);
        CHECK(rel <= factor);
      }
    } else {
      const double abs_err = double(err / tiny);
      worst.tiny = std::max(worst.tiny, abs_err);
      if (!(abs_err <= 1.0)) {
        INFO("K = " << K << ", index " << i << ": got " << out[i] << ", want " << double(p[i]));
        CHECK(abs_err <= 1.0);
      }
    }
  }
  // In place: the same bits.
  std::vector<T> in_place = z;
  kernels::softmax(in_place.data(), in_place.data(), rows, K);
  CHECK(same_bits(in_place, out));
}

const std::size_t kClasses[] = {1,  2,  3,  4,  5,  7,  8,   9,   10,  15,  16,
                                17, 31, 32, 33, 50, 64, 100, 127, 257, 1000};

template <class T>
void accuracy_on_every_isa(const char* type) {
  test::for_each_isa([&](Isa isa) {
    const std::size_t lanes = isa_lanes(isa, sizeof(T));
    Worst worst;
    std::uint32_t seed = 1;
    for (std::size_t K : kClasses) {
      for (double sd : {0.5, 3.0, 20.0, 60.0}) {
        const std::size_t rows = K >= 257 ? 6 : 40;
        std::vector<T> z = test::normal_vector<T>(rows * K, seed++, sd);
        // Some rows far from 0 (stability) and some with equal logits.
        for (std::size_t k = 0; k < K; ++k) {
          z[k] += T(1e4);
          z[K + k] = T(-3.25);
        }
        check_rows(z, rows, K, lanes, worst);
      }
    }
    std::printf(
        "softmax %s %-6s: max %.3f ε·p where p ≥ 1e-3, %.3f where p is normal (%.3f of "
        "the bound), max %.3f smallest-normal below\n",
        type, std::string(isa_name(isa)).c_str(), worst.relative_large, worst.relative,
        worst.relative_over_bound, worst.tiny);
  });
}

}  // namespace

TEST_CASE("softmax is within its bound on every ISA", "[softmax]") {
  accuracy_on_every_isa<float>("float ");
  accuracy_on_every_isa<double>("double");
}

TEST_CASE("scalar::softmax reproduces the multinomial predict_proba loop bit for bit",
          "[softmax]") {
  for (std::size_t K : {1, 2, 3, 10, 33}) {
    const std::size_t rows = 17;
    auto zf = test::normal_vector<float>(rows * K, 5 + std::uint32_t(K), 4.0);
    auto zd = test::normal_vector<double>(rows * K, 5 + std::uint32_t(K), 4.0);
    std::vector<float> of(zf.size()), ef = zf;
    std::vector<double> od(zd.size()), ed = zd;
    scalar::softmax(zf.data(), of.data(), rows, K);
    scalar::softmax(zd.data(), od.data(), rows, K);
    old_predict_proba_loop(ef, rows, K);
    old_predict_proba_loop(ed, rows, K);
    INFO("K = " << K);
    CHECK(same_bits(of, ef));
    CHECK(same_bits(od, ed));
    // Under the scalar ISA, kernels::softmax is the twin.
    ScopedIsa scalar_isa(Isa::scalar);
    std::vector<double> kd(zd.size());
    kernels::softmax(zd.data(), kd.data(), rows, K);
    CHECK(same_bits(kd, od));
  }
}

TEST_CASE("softmax of special values", "[softmax]") {
  const double inf = Lim<double>::infinity(), nan = Lim<double>::quiet_NaN();
  test::for_each_isa([&](Isa) {
    for (std::size_t K : {1, 3, 8, 19}) {
      INFO("K = " << K);
      std::vector<double> z(4 * K, 0.0), out(4 * K);
      for (std::size_t k = 0; k < K; ++k) {
        z[K + k] = k == K / 2 ? nan : 1.0;      // row 1: a NaN
        z[2 * K + k] = k == K - 1 ? inf : 2.0;  // row 2: +inf
        z[3 * K + k] = k == 0 ? 5.0 : -inf;     // row 3: -inf except one
      }
      kernels::softmax(z.data(), out.data(), 4, K);
      std::vector<float> zf(z.begin(), z.end()), outf(zf.size());
      kernels::softmax(zf.data(), outf.data(), 4, K);
      for (std::size_t k = 0; k < K; ++k) {
        CHECK(std::fabs(out[k] - 1.0 / double(K)) <= 4 * Lim<double>::epsilon());
        CHECK(std::isnan(out[K + k]));
        CHECK(std::isnan(outf[K + k]));
        CHECK(std::isnan(out[2 * K + k]));
        CHECK(std::isnan(outf[2 * K + k]));
        CHECK(out[3 * K + k] == (k == 0 ? 1.0 : 0.0));
        CHECK(outf[3 * K + k] == (k == 0 ? 1.0f : 0.0f));
      }
    }
  });
}

TEST_CASE("softmax gives the same bits for any thread count and any batch", "[softmax]") {
  const std::size_t rows = 20000, K = 7;
  const auto z = test::normal_vector<double>(rows * K, 77, 5.0);
  test::for_each_isa([&](Isa) {
    std::vector<double> one(z.size()), two(z.size()), three(z.size());
    kernels::softmax(z.data(), one.data(), rows, K, Threads{1});
    kernels::softmax(z.data(), two.data(), rows, K, Threads{2});
    kernels::softmax(z.data(), three.data(), rows, K, Threads{3});
    CHECK(same_bits(one, two));
    CHECK(same_bits(one, three));
    // A row alone gives the bits it gets in the batch.
    for (std::size_t i : {std::size_t(0), std::size_t(4097), rows - 1}) {
      std::vector<double> alone(K);
      kernels::softmax(z.data() + i * K, alone.data(), 1, K);
      CHECK(same_bits(
          alone, std::vector<double>(one.begin() + long(i * K), one.begin() + long((i + 1) * K))));
    }
  });
}

TEST_CASE("softmax checks its arguments", "[softmax][errors]") {
  std::vector<double> z(6, 0.0), out(6);
  CHECK_THROWS_AS(kernels::softmax(z.data(), out.data(), 2, 3, Threads{-1}), InvalidArgument);
  CHECK_THROWS_AS(kernels::softmax(nullptr, out.data(), 2, 3), InvalidArgument);
  CHECK_THROWS_AS(kernels::softmax(z.data(), nullptr, 2, 3), InvalidArgument);
  CHECK_THROWS_AS(scalar::softmax(z.data(), nullptr, 2, 3), InvalidArgument);
  CHECK_THROWS_WITH(kernels::softmax(nullptr, out.data(), 2, 3),
                    Catch::Contains("softmax") && Catch::Contains("z"));
  CHECK_NOTHROW(kernels::softmax(static_cast<const double*>(nullptr), nullptr, 0, 3));
  CHECK_NOTHROW(kernels::softmax(z.data(), out.data(), 2, 0));  // no classes: nothing to do
  CHECK_NOTHROW(scalar::softmax(z.data(), out.data(), 2, 0));
}
