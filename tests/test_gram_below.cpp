// linalg::gram_below_in_float: the matrix it returns is below the exact weighted Gram matrix
// (G − M positive semidefinite, in long double) on every ISA, for float and double data, with and
// without the column of ones, across several of its 512-row blocks, with zero weights, and at
// extreme scales (products below float's normal range, values beyond it); the allowance is small
// enough to be of use on well-conditioned data; and without it the float sums would not be below
// G (the test of the allowance can fail).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "simdlr/linalg.hpp"
#include "support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

struct Data {
  std::size_t n, d;
  std::vector<double> X, w;
};

Data gaussian(std::size_t n, std::size_t d, unsigned seed, double scale = 1.0) {
  Data data{n, d, normal_vector<double>(n * d, seed), uniform_vector<double>(n, seed + 1, 0, 2)};
  for (double& x : data.X)
    x *= scale;
  for (std::size_t i = 0; i < n; i += 7)
    data.w[i] = 0;  // rows of no weight
  return data;
}

// G = Σ w_i a_i a_iᵀ in long double, from the values as the function sees them (X in T).
template <class T>
std::vector<long double> exact_gram(const Data& data, bool ones) {
  const std::size_t m = data.d + (ones ? 1 : 0);
  std::vector<long double> G(m * m, 0.0L);
  for (std::size_t i = 0; i < data.n; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      const long double aj = j < data.d ? (long double)T(data.X[i * data.d + j]) : 1.0L;
      for (std::size_t k = 0; k < m; ++k) {
        const long double ak = k < data.d ? (long double)T(data.X[i * data.d + k]) : 1.0L;
        G[j * m + k] += (long double)data.w[i] * aj * ak;
      }
    }
  }
  return G;
}

// Whether the symmetric A (m x m, long double) is positive semidefinite: a Cholesky of
// S A S + tiny·I, S the Jacobi scaling by `diagonal` (G's, so A's own scale does not matter),
// tiny far below any allowance (1e-14 relative) and far above long double's rounding.
bool semidefinite(std::vector<long double> A, const std::vector<long double>& diagonal,
                  std::size_t m) {
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t k = 0; k < m; ++k)
      A[j * m + k] /= std::sqrt(diagonal[j] * diagonal[k]);
  for (std::size_t j = 0; j < m; ++j)
    A[j * m + j] += 1e-14L;
  for (std::size_t k = 0; k < m; ++k) {
    const long double pivot = A[k * m + k];
    if (!(pivot > 0)) return false;
    for (std::size_t i = k + 1; i < m; ++i) {
      const long double factor = A[i * m + k] / pivot;
      for (std::size_t j = k; j < m; ++j)
        A[i * m + j] -= factor * A[k * m + j];
    }
  }
  return true;
}

template <class T>
std::vector<double> column_max(const Data& data) {
  std::vector<double> top(data.d, 0.0);
  for (std::size_t i = 0; i < data.n; ++i)
    for (std::size_t j = 0; j < data.d; ++j)
      top[j] = std::max(top[j], std::fabs(double(T(data.X[i * data.d + j]))));
  return top;
}

// M below G; returns the largest allowance relative to its G_jj (0 when M is empty).
template <class T>
double check_below(const Data& data, bool ones, bool expect_matrix = true) {
  const std::vector<T> X(data.X.begin(), data.X.end());
  const std::size_t m = data.d + (ones ? 1 : 0);
  const linalg::GramBelow below = linalg::gram_below_in_float<T>(
      MatrixView<const T>(X.data(), data.n, data.d), data.w, ones, column_max<T>(data));
  REQUIRE(below.matrix.empty() == !expect_matrix);
  if (below.matrix.empty()) return 0;
  REQUIRE(below.matrix.size() == m * m);
  REQUIRE(below.allowance.size() == m);
  const std::vector<long double> G = exact_gram<T>(data, ones);
  std::vector<long double> gap(m * m), diagonal(m);
  for (std::size_t k = 0; k < m * m; ++k)
    gap[k] = G[k] - (long double)below.matrix[k];
  double largest = 0;
  for (std::size_t j = 0; j < m; ++j) {
    diagonal[j] = G[j * m + j] > 0 ? G[j * m + j] : 1.0L;
    largest = std::max(largest, double(below.allowance[j] / diagonal[j]));
  }
  CHECK(semidefinite(gap, diagonal, m));
  return largest;
}

}  // namespace

TEMPLATE_TEST_CASE("gram_below_in_float is below the exact Gram matrix, with a small allowance",
                   "[linalg][gram]", float, double) {
  const Data data = gaussian(1300, 23, 41);  // three blocks, the last one short
  for_each_isa([&](Isa) {
    for (bool ones : {true, false}) {
      INFO("column of ones " << ones);
      const double m = double(data.d + (ones ? 1 : 0));
      const double share = check_below<TestType>(data, ones);
      // γ m with γ ≈ 542 ε_float: the allowance is of use wherever the Jacobi-scaled smallest
      // eigenvalue is well above it.
      CHECK(share > 0);
      CHECK(share <= 545 * 1.1920929e-7 * m * 1.01);
    }
  });
}

TEST_CASE("gram_below_in_float: without its allowance the float sums are not below G",
          "[linalg][gram]") {
  // Float data: the float products are exact in double, so any difference is the kernel's
  // rounding, which goes both ways.
  const Data data = gaussian(1300, 23, 43);
  const std::vector<float> X(data.X.begin(), data.X.end());
  const std::size_t m = data.d + 1;
  for_each_isa([&](Isa) {
    const linalg::GramBelow below = linalg::gram_below_in_float<float>(
        MatrixView<const float>(X.data(), data.n, data.d), data.w, true, column_max<float>(data));
    REQUIRE(!below.matrix.empty());
    const std::vector<long double> G = exact_gram<float>(data, true);
    std::vector<long double> gap(m * m), diagonal(m);
    for (std::size_t k = 0; k < m * m; ++k)
      gap[k] = G[k] - (long double)below.matrix[k];
    for (std::size_t j = 0; j < m; ++j) {
      diagonal[j] = G[j * m + j];
      gap[j * m + j] -= below.allowance[j];  // the float sums themselves
    }
    // Undo the test's own 1e-14 margin: the rounding of float sums is far above it.
    for (std::size_t j = 0; j < m; ++j)
      gap[j * m + j] -= 2e-14L * diagonal[j];
    CHECK_FALSE(semidefinite(gap, diagonal, m));
  });
}

TEMPLATE_TEST_CASE("gram_below_in_float at extreme scales", "[linalg][gram]", float, double) {
  for_each_isa([&](Isa) {
    SECTION("products below float's normal range") {
      check_below<TestType>(gaussian(600, 7, 51, 1e-20), true);
    }
    SECTION("weights below float's normal range") {
      Data data = gaussian(600, 7, 52);
      for (double& w : data.w)
        w *= 1e-41;
      check_below<TestType>(data, true);
    }
    SECTION("one tiny column among ordinary ones") {
      Data data = gaussian(600, 7, 53);
      for (std::size_t i = 0; i < data.n; ++i)
        data.X[i * data.d + 2] *= 1e-30;
      check_below<TestType>(data, false);
    }
    SECTION("huge weights: float sums overflow, nothing returned") {
      Data data = gaussian(600, 7, 54);
      for (double& w : data.w)
        w *= 1e37;
      check_below<TestType>(data, true, false);
    }
  });
}

TEST_CASE("gram_below_in_float: double values beyond float's range give nothing",
          "[linalg][gram]") {
  Data data = gaussian(300, 5, 61);
  data.X[17 * 5 + 3] = 1e300;
  for_each_isa([&](Isa) { check_below<double>(data, true, false); });
}
