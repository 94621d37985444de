// kernels::cholesky_upper and its scalar twin: the documented backward-error bound
// |UᵀU − A| ≤ γ_{m+1} |U|ᵀ|U| on every ISA, over sizes around the panels (4 rows) and the register
// tiles (2 registers of 2, 4, 8 or 16 values), on well and badly conditioned matrices; the strict
// lower triangle is scratch; SSE2 (no FMA) gives the plain loop's bits; the pivot test and the
// argument errors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "support.hpp"

using namespace simdlr;
using simdlr::test::for_each_isa;

namespace {

constexpr std::size_t kSizes[] = {1,  2,  3,  4,  5,  7,  8,  9,  12, 15, 16,  17,
                                  23, 24, 25, 31, 32, 33, 40, 63, 64, 65, 100, 101};

// A = GᵀG / rows + shift I (G: rows x m standard normal, rows = m + 3), then D A D with
// D = diag(10^(spread · (j mod 7) / 6)): positive definite, condition number growing with spread.
template <class T>
std::vector<T> spd_matrix(std::size_t m, double spread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const std::size_t rows = m + 3;
  std::vector<double> G(rows * m);
  for (double& g : G)
    g = normal(rng);
  std::vector<T> A(m * m);
  for (std::size_t i = 0; i < m; ++i) {
    const double di = std::pow(10.0, spread * double(i % 7) / 6.0);
    for (std::size_t j = 0; j < m; ++j) {
      const double dj = std::pow(10.0, spread * double(j % 7) / 6.0);
      long double s = 0;
      for (std::size_t r = 0; r < rows; ++r)
        s += (long double)G[r * m + i] * G[r * m + j];
      A[i * m + j] = T(di * dj * (double(s) / double(rows) + (i == j ? 0.05 : 0.0)));
    }
  }
  return A;
}

// Only the upper triangle of A, the strict lower one NaN (scratch the kernel must not depend on).
template <class T>
std::vector<T> upper_with_nan_below(const std::vector<T>& A, std::size_t m) {
  std::vector<T> U(A);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < i; ++j)
      U[i * m + j] = std::numeric_limits<T>::quiet_NaN();
  return U;
}

// The largest of |UᵀU − A|_ij / (γ_{m+1} (|U|ᵀ|U|)_ij) over the upper triangle, in long double
// (U: the upper triangle of the result).
template <class T>
double worst_of_bound(const std::vector<T>& A, const std::vector<T>& U, std::size_t m) {
  const long double eps = std::numeric_limits<T>::epsilon() / 2;
  const long double gamma = (m + 1) * eps / (1 - (m + 1) * eps);
  double worst = 0;
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i; j < m; ++j) {
      long double product = 0, magnitude = 0;
      for (std::size_t k = 0; k <= i; ++k) {
        product += (long double)U[k * m + i] * U[k * m + j];
        magnitude += std::fabs((long double)U[k * m + i] * U[k * m + j]);
      }
      const long double error = std::fabs(product - (long double)A[i * m + j]);
      if (!std::isfinite(double(error))) return std::numeric_limits<double>::infinity();
      if (error > 0) worst = std::max(worst, double(error / (gamma * magnitude)));
    }
  }
  return worst;
}

template <class T>
void check_bound(bool twin) {
  for (const double spread : {0.0, 3.0}) {
    for (const std::size_t m : kSizes) {
      INFO("m = " << m << ", spread = " << spread);
      const std::vector<T> A = spd_matrix<T>(m, spread, 1000 + m);
      std::vector<T> U = upper_with_nan_below(A, m);
      const bool ok = twin ? scalar::cholesky_upper(U.data(), m, T(0))
                           : kernels::cholesky_upper(U.data(), m, T(0));
      REQUIRE(ok);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = i; j < m; ++j)
          REQUIRE(std::isfinite(U[i * m + j]));
      CHECK(worst_of_bound(A, U, m) <= 1.0);
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE("cholesky_upper: |UᵀU − A| within γ_{m+1} |U|ᵀ|U| on every ISA and the twin",
                   "[cholesky]", float, double) {
  for_each_isa([](Isa) { check_bound<TestType>(false); });
  check_bound<TestType>(true);
}

TEMPLATE_TEST_CASE("cholesky_upper: the factor of a matrix known in closed form", "[cholesky]",
                   float, double) {
  // A = LLᵀ with L lower triangular of small integers (exact in T): the factor is Lᵀ up to
  // rounding, and exactly Lᵀ's diagonal where the arithmetic stays exact (here: everywhere).
  const std::size_t m = 37;
  std::vector<TestType> L(m * m, 0), A(m * m, 0);
  for (std::size_t i = 0; i < m; ++i) {
    L[i * m + i] = TestType(1 + i % 3);
    for (std::size_t j = 0; j < i; ++j)
      L[i * m + j] = TestType(int((i + 2 * j) % 5) - 2);
  }
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      TestType s = 0;
      for (std::size_t k = 0; k <= std::min(i, j); ++k)
        s += L[i * m + k] * L[j * m + k];
      A[i * m + j] = s;
    }
  for_each_isa([&](Isa) {
    std::vector<TestType> U = upper_with_nan_below(A, m);
    REQUIRE(kernels::cholesky_upper(U.data(), m, TestType(0)));
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = i; j < m; ++j)
        CHECK(U[i * m + j] == L[j * m + i]);
  });
}

TEMPLATE_TEST_CASE("cholesky_upper: SSE2 gives the scalar twin's bits (neither fuses)",
                   "[cholesky]", float, double) {
  REQUIRE(test::machine_has(Isa::sse2));
  ScopedIsa sse2(Isa::sse2);
  for (const std::size_t m : kSizes) {
    INFO("m = " << m);
    const std::vector<TestType> A = spd_matrix<TestType>(m, 2.0, 7 + m);
    std::vector<TestType> simd(A), plain(A);
    REQUIRE(kernels::cholesky_upper(simd.data(), m, TestType(0)));
    REQUIRE(scalar::cholesky_upper(plain.data(), m, TestType(0)));
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = i; j < m; ++j)
        REQUIRE(test::bits(simd[i * m + j]) == test::bits(plain[i * m + j]));
  }
}

TEMPLATE_TEST_CASE("cholesky_upper: false at a pivot not above min_pivot, NaN or ±inf",
                   "[cholesky]", float, double) {
  using T = TestType;
  const auto factor = [](std::vector<T> U, std::size_t m, T min_pivot) {
    return kernels::cholesky_upper(U.data(), m, min_pivot);
  };
  for_each_isa([&](Isa) {
    for (const std::size_t m : {std::size_t(2), std::size_t(9), std::size_t(33)}) {
      INFO("m = " << m);
      // The identity: every pivot is exactly 1.
      std::vector<T> I(m * m, T(0));
      for (std::size_t i = 0; i < m; ++i)
        I[i * m + i] = T(1);
      CHECK(factor(I, m, T(0.5)));
      CHECK_FALSE(factor(I, m, T(1)));
      // Indefinite: (1 − ρ) I + ρ 11ᵀ with ρ = −1.8 / (m − 1), whose eigenvalue 1 + (m − 1) ρ is
      // −0.8.
      const T rho = T(-1.8 / double(m - 1));
      std::vector<T> B(m * m, rho);
      for (std::size_t i = 0; i < m; ++i)
        B[i * m + i] = T(1);
      CHECK_FALSE(factor(B, m, T(0)));
      // A NaN or ±inf anywhere in the upper triangle.
      const T bad[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                       -std::numeric_limits<T>::infinity()};
      for (const T v : bad) {
        std::vector<T> C = spd_matrix<T>(m, 0.0, 3);
        C[0 * m + (m - 1)] = v;
        CHECK_FALSE(factor(C, m, T(0)));
        C = spd_matrix<T>(m, 0.0, 3);
        C[(m / 2) * m + (m / 2)] = v;
        CHECK_FALSE(factor(C, m, T(0)));
      }
    }
  });
}

TEST_CASE("cholesky_upper: argument errors name the kernel and the argument", "[cholesky]") {
  double one = 1;
  CHECK(kernels::cholesky_upper(static_cast<double*>(nullptr), 0, 0.0));
  CHECK_THROWS_WITH(kernels::cholesky_upper(static_cast<double*>(nullptr), 2, 0.0),
                    Catch::Contains("cholesky_upper: U is null"));
  CHECK_THROWS_AS(kernels::cholesky_upper(&one, 1, -1.0), InvalidArgument);
  CHECK_THROWS_WITH(scalar::cholesky_upper(&one, 1, std::nan("")),
                    Catch::Contains("scalar::cholesky_upper: min_pivot"));
  CHECK(one == 1.0);
}
