// When L-BFGS builds its start Hessian (SolverOptions::precondition): at once where it costs
// less than two passes; on a wide problem only when the first iterations show slow progress.
// Checked through FitReport::hessians, with the certified optimum as the check that deferring
// costs no accuracy.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "simdlr/objectives.hpp"
#include "simdlr/solvers.hpp"

using namespace simdlr;

namespace {

// n x d features, standard normal (correlated = false), or mixed through a shared factor and
// spread over the scales 1 to 30 (correlated = true); labels from a logistic model.
struct Problem {
  std::vector<double> X, y;
};

Problem make(std::size_t n, std::size_t d, bool correlated, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Problem p{std::vector<double>(n * d), std::vector<double>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    const double common = normal(rng);
    double z = 0.2;
    for (std::size_t j = 0; j < d; ++j) {
      const double scale = correlated ? 1.0 + 29.0 * double(j % 7) / 6.0 : 1.0;
      const double x = (normal(rng) + (correlated ? 2.0 * common : 0.0)) * scale;
      p.X[i * d + j] = x;
      z += x / scale * (j % 2 == 0 ? 0.03 : -0.02);
    }
    p.y[i] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
  }
  return p;
}

FitReport fit(const Problem& p, std::size_t n, std::size_t d, bool precondition) {
  LogisticObjective<double> objective(MatrixView<const double>(p.X.data(), n, d), p.y, {}, 1.0,
                                      Penalty::l2, true);
  std::vector<double> x(d + 1, 0.0);
  SolverOptions options{.tol = 1e-6, .max_iter = 2000};
  options.precondition = precondition;
  return minimize_lbfgs(objective, x, options);
}

}  // namespace

TEST_CASE("L-BFGS defers a costly start Hessian and builds it when progress is slow",
          "[solvers][precondition]") {
  // 4,000 x 300: the Gram matrix of all rows and a 301 x 301 Cholesky cost about 11 passes.
  const std::size_t n = 4000, d = 300;
  SECTION("independent columns: converges without it") {
    const Problem p = make(n, d, false, 3);
    const FitReport r = fit(p, n, d, true);
    CHECK(r.converged);
    CHECK(r.hessians == 0);
    CHECK(r.iterations < 11);
  }
  SECTION("correlated, unevenly scaled columns: built after the progress check") {
    const Problem p = make(n, d, true, 4);
    const FitReport with = fit(p, n, d, true);
    const FitReport without = fit(p, n, d, false);
    INFO("iterations with " << with.iterations << ", without " << without.iterations);
    CHECK(with.converged);
    CHECK(with.hessians == 1);
    CHECK(without.hessians == 0);
    CHECK(with.iterations * 3 < without.iterations);
    // The same optimum, within the certified bounds.
    const double f_with = with.objective_history.back(),
                 f_without = without.objective_history.back();
    CHECK(std::fabs(f_with - f_without) <= with.objective_gap_bound + without.objective_gap_bound);
  }
}

TEST_CASE("L-BFGS builds a cheap start Hessian at once", "[solvers][precondition]") {
  // 20,000 x 20: a sample's Gram matrix costs a fraction of a pass.
  const std::size_t n = 20000, d = 20;
  const Problem p = make(n, d, true, 5);
  const FitReport r = fit(p, n, d, true);
  CHECK(r.converged);
  CHECK(r.hessians == 1);
  CHECK(r.iterations < 30);
}
