// Softmax is unchanged when one vector is added to every class's row, so the multinomial data
// term's gradient and Hessian-vector products sum to exactly 0 over the classes, column by
// column. The objective restores that structure after the float kernels' sums (parameters.hpp,
// remove_class_mean); without it, Newton-CG on float data stepped along the intercepts' common
// direction, where F is flat, by the size of the rounding (100,000 x 10, 10 classes: 18
// iterations and 77 evaluations instead of 7 and 8).
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "simdlr/objectives.hpp"
#include "simdlr/solvers.hpp"
#include "support.hpp"

using namespace simdlr;

namespace {

// n x d standard normal features (float), labels drawn from a 10-class softmax model whose
// margins have standard deviation about 2 (as the benchmark grid's: informative, not separable).
struct Problem {
  std::size_t n, d, K;
  std::vector<float> X;
  std::vector<std::int32_t> labels;
};

Problem make(std::size_t n, std::size_t d, std::size_t K, unsigned seed) {
  Problem p{n, d, K, std::vector<float>(n * d), {}};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> W(K * d);
  for (double& w : W)
    w = 2 * normal(rng) / std::sqrt(double(d));
  std::vector<double> z(K);
  for (std::size_t i = 0; i < n; ++i) {
    std::fill(z.begin(), z.end(), 0.0);
    for (std::size_t j = 0; j < d; ++j) {
      p.X[i * d + j] = float(normal(rng));
      for (std::size_t k = 0; k < K; ++k)
        z[k] += W[k * d + j] * double(p.X[i * d + j]);
    }
    p.labels.push_back(test::softmax_draw(z, uniform(rng)));
  }
  return p;
}

// Σ_k a[k d + j] for column j, and Σ_k |a[k d + j]|.
std::pair<double, double> class_sum(const std::vector<double>& a, std::size_t offset, std::size_t K,
                                    std::size_t stride) {
  double sum = 0, size = 0;
  for (std::size_t k = 0; k < K; ++k) {
    sum += a[offset + k * stride];
    size += std::fabs(a[offset + k * stride]);
  }
  return {sum, size};
}

}  // namespace

TEST_CASE("multinomial gradient and Hessian-vector product sum to 0 over the classes",
          "[objectives][multinomial]") {
  const Problem p = make(100000, 10, 10, 5);
  const std::size_t K = p.K, d = p.d, m = K * (d + 1);
  for (bool l2 : {true, false}) {
    MultinomialObjective<float> objective(MatrixView<const float>(p.X.data(), p.n, d), p.labels, K,
                                          {}, 1.0, l2 ? Penalty::l2 : Penalty::none, true);
    std::vector<double> x(m), g(m), v(m), hv(m);
    for (std::size_t i = 0; i < m; ++i) {
      x[i] = 0.4 * std::sin(double(3 * i + 1));
      v[i] = std::cos(double(5 * i + 2));
    }
    objective.value_and_gradient(x, g);
    objective.hessian_vector(v, hv);
    INFO("l2 " << l2);
    // The intercepts (never penalized): 0 to double rounding (the kernels' float sums leave
    // float rounding there).
    const auto [gb, gb_size] = class_sum(g, K * d, K, 1);
    CHECK(std::fabs(gb) <= 1e-13 * gb_size);
    const auto [hb, hb_size] = class_sum(hv, K * d, K, 1);
    CHECK(std::fabs(hb) <= 1e-13 * hb_size);
    // The coefficients: the data term sums to 0; the penalty adds Σ_k W_kj (Σ_k V_kj).
    for (std::size_t j = 0; j < d; ++j) {
      double penalty_x = 0, penalty_v = 0;
      for (std::size_t k = 0; k < K; ++k) {
        penalty_x += l2 ? x[k * d + j] : 0.0;
        penalty_v += l2 ? v[k * d + j] : 0.0;
      }
      const auto [gw, gw_size] = class_sum(g, j, K, d);
      CHECK(std::fabs(gw - penalty_x) <= 1e-13 * gw_size);
      const auto [hw, hw_size] = class_sum(hv, j, K, d);
      CHECK(std::fabs(hw - penalty_v) <= 1e-13 * hw_size);
    }
  }
}

TEST_CASE("Newton-CG on float multinomial data with intercepts needs a Newton method's iterations",
          "[solvers][multinomial]") {
  const Problem p = make(100000, 10, 10, 7);
  const std::size_t m = p.K * (p.d + 1);
  auto fit = [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> X(p.X.begin(), p.X.end());
    MultinomialObjective<T> objective(MatrixView<const T>(X.data(), p.n, p.d), p.labels, p.K, {},
                                      1.0, Penalty::l2, true);
    std::vector<double> x(m, 0.0);
    return minimize_newton_cg(objective, x, SolverOptions{.tol = 1e-6, .max_iter = 100});
  };
  const FitReport single = fit(0.0f), twice = fit(0.0);
  REQUIRE(twice.converged);
  CHECK(single.converged);
  // Both are Newton's method from the same start on the same (float-valued) data: the same number
  // of iterations, each with a full step (one evaluation), give or take one.
  CHECK(single.iterations <= twice.iterations + 1);
  CHECK(single.function_evaluations <= twice.function_evaluations + 2);
  // The same optimum, within the certified gaps.
  const double f = single.objective_history.back(), f_star = twice.objective_history.back();
  CHECK(std::fabs(f - f_star) <=
        single.objective_gap_bound + twice.objective_gap_bound + 1e-12 * f_star);
}
