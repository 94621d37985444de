// linalg::Cholesky (simdlr/linalg.hpp): solves, the inverse quadratic form and the bound κ with
// vᵀA⁻¹v ≤ κ‖Sv‖², on matrices whose eigenvalues are known in closed form.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "simdlr/linalg.hpp"

namespace {

using simdlr::linalg::Cholesky;

// (1 − ρ) I + ρ 11ᵀ: unit diagonal (S = I), eigenvalues 1 − ρ (m − 1 times) and 1 + (m − 1) ρ.
std::vector<double> equicorrelation(std::size_t m, double rho) {
  std::vector<double> A(m * m, rho);
  for (std::size_t i = 0; i < m; ++i)
    A[i * m + i] = 1.0;
  return A;
}

// The second-difference matrix tridiag(−1, 2, −1): after Jacobi scaling I − ½ tridiag(1, 0, 1),
// whose smallest eigenvalue is 1 − cos(π / (m + 1)).
std::vector<double> second_difference(std::size_t m) {
  std::vector<double> A(m * m, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    A[i * m + i] = 2.0;
    if (i + 1 < m) A[i * m + i + 1] = A[(i + 1) * m + i] = -1.0;
  }
  return A;
}

// D A D with D = diag(10^(j mod 5)): the Jacobi scaling undoes D, so κ must not change.
std::vector<double> rescaled(const std::vector<double>& A, std::size_t m) {
  std::vector<double> B(A);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j)
      B[i * m + j] *= std::pow(10.0, double(i % 5)) * std::pow(10.0, double(j % 5));
  return B;
}

// ‖L⁻¹‖_F² = trace((SAS)⁻¹), the bound inverse_bound() had before it proved λ_min.
double trace_of_inverse(const Cholesky& c, std::size_t m) {
  std::vector<double> e(m, 0.0), scratch(m);
  double trace = 0;
  for (std::size_t k = 0; k < m; ++k) {
    std::fill(e.begin(), e.end(), 0.0);
    e[k] = 1.0;
    // e_kᵀ (SAS)⁻¹ e_k = inverse_quadratic(S⁻¹ e_k); S⁻¹ e_k = e_k / s_k and ‖S e_k‖² = s_k².
    const double s2 = c.scaled_norm_squared(e);
    e[k] = 1.0 / std::sqrt(s2);
    trace += c.inverse_quadratic(e, scratch);
  }
  return trace;
}

}  // namespace

TEST_CASE("Cholesky solves a scaled system to rounding level", "[linalg]") {
  const std::size_t m = 40;
  const std::vector<double> A = rescaled(equicorrelation(m, 0.6), m);
  Cholesky c;
  REQUIRE(c.factor(A, m));
  std::vector<double> x(m), b(m);
  for (std::size_t i = 0; i < m; ++i)
    x[i] = std::sin(double(i)) / std::pow(10.0, double(i % 5));
  for (std::size_t i = 0; i < m; ++i) {
    b[i] = 0;
    for (std::size_t j = 0; j < m; ++j)
      b[i] += A[i * m + j] * x[j];
  }
  std::vector<double> solved(b), scratch(m);
  c.solve(solved);
  for (std::size_t i = 0; i < m; ++i)
    CHECK(solved[i] == Approx(x[i]).epsilon(1e-12).margin(1e-15));
  // bᵀA⁻¹b = bᵀx.
  double btx = 0;
  for (std::size_t i = 0; i < m; ++i)
    btx += b[i] * x[i];
  CHECK(c.inverse_quadratic(b, scratch) == Approx(btx).epsilon(1e-12));
}

TEST_CASE("Cholesky rejects matrices that are not positive definite", "[linalg]") {
  Cholesky c;
  CHECK_FALSE(c.factor(std::vector<double>{1, 2, 2, 1}, 2));     // eigenvalue −1
  CHECK_FALSE(c.factor(std::vector<double>{1, 1, 1, 1}, 2));     // singular
  CHECK_FALSE(c.factor(std::vector<double>{0, 0, 0, 1}, 2));     // zero diagonal
  CHECK_FALSE(c.factor(std::vector<double>{NAN, 0, 0, 1}, 2));   // not finite
  CHECK(c.factor(std::vector<double>{1e-300, 0, 0, 1e300}, 2));  // scaling handles this
}

TEST_CASE("inverse_bound is an upper bound on ‖(SAS)⁻¹‖₂, within a small factor of it",
          "[linalg]") {
  struct Case {
    const char* name;
    std::vector<double> A;
    std::size_t m;
    double lambda_min;  // of SAS
  };
  const std::size_t m = 60;
  const Case cases[] = {
      {"equicorrelation 0.9", equicorrelation(m, 0.9), m, 0.1},
      {"equicorrelation 0.9, rescaled", rescaled(equicorrelation(m, 0.9), m), m, 0.1},
      {"equicorrelation 0.2", equicorrelation(m, 0.2), m, 0.8},
      {"second difference", second_difference(m), m,
       1 - std::cos(std::numbers::pi / double(m + 1))},
      {"second difference, rescaled", rescaled(second_difference(m), m), m,
       1 - std::cos(std::numbers::pi / double(m + 1))},
      {"identity", equicorrelation(m, 0.0), m, 1.0},
  };
  for (const Case& k : cases) {
    INFO(k.name);
    Cholesky c;
    REQUIRE(c.factor(k.A, k.m));
    const double kappa = c.inverse_bound(), exact = 1 / k.lambda_min;
    CHECK(kappa >= exact * (1 - 1e-12));
    CHECK(kappa <= 8 * exact);  // the first shift tried is half the estimate
    CHECK(kappa <= trace_of_inverse(c, k.m) * (1 + 1e-12));
    // vᵀA⁻¹v ≤ κ‖Sv‖² for some v, the worst included (the eigenvector of λ_min, 1 for the
    // equicorrelation's smallest eigenvalue's space: e_0 − e_1 scaled back).
    std::vector<double> v(k.m), scratch(k.m);
    for (std::size_t t = 0; t < 5; ++t) {
      for (std::size_t i = 0; i < k.m; ++i)
        v[i] = std::cos(double(i * (t + 1))) + (t == 0 && i < 2 ? (i == 0 ? 1.0 : -1.0) : 0.0);
      CHECK(c.inverse_quadratic(v, scratch) <= kappa * c.scaled_norm_squared(v) * (1 + 1e-12));
    }
  }
  // The old bound, trace((SAS)⁻¹), is about m times too large on the equicorrelation matrix.
  Cholesky c;
  REQUIRE(c.factor(equicorrelation(m, 0.9), m));
  CHECK(c.inverse_bound() < trace_of_inverse(c, m) / 5);
}
