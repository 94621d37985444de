// The multinomial certificate's objective value at the point it returns (intercepts polished),
// against a long-double evaluation, on data with a row so badly misfit that its label's
// probability is below 1e-200 (the value then comes from the row's own margins, not from the
// probabilities): float64 (probabilities from the fused pass, rescaled by the polish) and
// float32 (margins widened to double).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

// C Σ s_i [lse(z_i) − z_{i,y_i}] + ½ ‖W‖², z_i = W x_i + b, in long double.
template <class T>
long double reference_value(const std::vector<T>& X, std::size_t n, std::size_t d, std::size_t K,
                            const std::vector<std::int32_t>& y, const std::vector<double>& x,
                            double C) {
  long double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<long double> z(K);
    long double top = -INFINITY;
    for (std::size_t k = 0; k < K; ++k) {
      z[k] = x[K * d + k];
      for (std::size_t j = 0; j < d; ++j)
        z[k] += (long double)X[i * d + j] * x[k * d + j];
      top = std::max(top, z[k]);
    }
    long double sum = 0;
    for (std::size_t k = 0; k < K; ++k)
      sum += std::exp(z[k] - top);
    total += top + std::log(sum) - z[std::size_t(y[i])];
  }
  long double penalty = 0;
  for (std::size_t k = 0; k < K * d; ++k)
    penalty += 0.5L * x[k] * x[k];
  return C * total + penalty;
}

template <class T>
void check_value() {
  const std::size_t n = 600, d = 4, K = 3;
  std::mt19937_64 gen(9);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<T> X(n * d);
  std::vector<std::int32_t> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = std::int32_t(i % K);
    for (std::size_t j = 0; j < d; ++j)
      X[i * d + j] = T(normal(gen) + (j == std::size_t(y[i]) ? 2.0 : 0.0));
  }
  // Row 0: class 0, but far out along the direction that favours class 1.
  X[0] = T(0), X[1] = T(600), X[2] = T(0), X[3] = T(0);
  std::vector<double> x(K * d + K, 0.0);
  for (std::size_t k = 0; k < K; ++k)
    x[k * d + k] = 1.5;  // W: class k favours feature k; row 0's z_1 − z_0 = 900
  x[K * d] = 0.1, x[K * d + 1] = -0.2, x[K * d + 2] = 0.05;
  MultinomialObjective<T> objective(MatrixView<const T>(X.data(), n, d), y, K, {}, 0.8, Penalty::l2,
                                    true);
  std::vector<double> g(x.size());
  objective.value_and_gradient(x, g);
  const GapBound bound = objective.certify(x, CertifyRequest{});
  const long double expected = reference_value(X, n, d, K, y, x, 0.8);
  INFO("certified objective " << bound.objective << ", long double " << double(expected));
  CHECK(expected > 0.8L * 890);  // row 0 alone costs about 900 · C (p_y = e^-900 underflows)
  CHECK(std::fabs(bound.objective - double(expected)) <= 1e-12 * double(expected));
}

}  // namespace

TEST_CASE("multinomial certificate: the value at the polished point, a row with p_y < 1e-200",
          "[certificate][multinomial]") {
  check_value<double>();
  check_value<float>();
}
