// The binary Hessian certificate on a problem large enough for a row sample (n·m² above 5e7), where
// the sample's Gram matrix is computed in float below the exact one (linalg::gram_below_in_float)
// when the data are well conditioned, and in double when its allowance would cost too much
// (correlated columns): at points along an L-BFGS path, on every ISA, float and double data, the
// bound is at least the true gap F(x) − F* and, on the well-conditioned data, within a few times
// it.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "simdlr/simdlr.hpp"
#include "support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

struct Problem {
  std::size_t n, d;
  std::vector<double> X, y;
};

// Gaussian columns; with `mixed`, each column the running sum of the Gaussian ones (a random walk:
// the Jacobi-scaled Gram matrix's smallest eigenvalue about 1e-4) and scaled by 1 to 10.
Problem make(std::size_t n, std::size_t d, bool mixed, unsigned seed) {
  Problem p{n, d, std::vector<double>(n * d), std::vector<double>(n)};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0.2, previous = 0;
    for (std::size_t j = 0; j < d; ++j) {
      double x = normal(rng);
      if (mixed) {
        x += previous;
        previous = x;
        x *= 1.0 + 9.0 * double(j) / double(d);
      }
      p.X[i * d + j] = x;
      z += x * (j % 3 == 0 ? 0.15 : -0.1) / (mixed ? 5.0 : 1.0);
    }
    p.y[i] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
  }
  return p;
}

template <class T>
void check_path(const Problem& p, bool well_conditioned) {
  const std::vector<T> X(p.X.begin(), p.X.end()), y(p.y.begin(), p.y.end());
  const MatrixView<const T> view(X.data(), p.n, p.d);
  // F* in double arithmetic over the same values (float data widened exactly), from a Newton fit
  // far below the gaps checked (1e-9 relative and up), minus its own certified bound.
  const std::vector<double> wide(X.begin(), X.end()), wide_y(y.begin(), y.end());
  LogisticObjective<double> reference(MatrixView<const double>(wide.data(), p.n, p.d), wide_y, {},
                                      1.0, Penalty::l2, true);
  double optimum;
  {
    std::vector<double> x(p.d + 1, 0.0), g(p.d + 1);
    const FitReport r = minimize_newton_cholesky(reference, x, SolverOptions{.tol = 1e-13});
    REQUIRE(r.converged);
    optimum = reference.value_and_gradient(x, g) - r.objective_gap_bound;
  }
  int hessian_bounds = 0;
  for (int iterations : {3, 5, 7, 9, 15, 25}) {
    INFO(iterations << " L-BFGS iterations");
    LogisticObjective<T> f(view, y, {}, 1.0, Penalty::l2, true);
    std::vector<double> x(p.d + 1, 0.0), g(p.d + 1);
    minimize_lbfgs(f, x, SolverOptions{.tol = 1e-14, .max_iter = iterations});
    CertifyRequest request;
    request.hessian_allowed = true;  // enough = 0: tier 1 never suffices, the sample decides
    const GapBound b = f.certify(x, request);
    // F at the point certify returns (its intercept moved), in double arithmetic.
    const double gap = reference.value_and_gradient(x, g) - optimum;
    INFO("bound " << b.bound << ", gap " << gap << ", F* " << optimum);
    if (!std::isfinite(b.bound)) continue;  // far from the optimum: no bound yet
    hessian_bounds += b.certificate == Certificate::hessian ? 1 : 0;
    // The evaluations' own rounding (about 1e-13 relative) is below the gaps that matter here.
    CHECK(b.bound >= gap - 1e-12 * optimum);
    if (well_conditioned && gap > 1e-9 * optimum) CHECK(b.bound <= 8 * gap);
  }
  CHECK(hessian_bounds >= 2);  // (far from the optimum, tier 1 may be the smaller bound)
}

}  // namespace

TEMPLATE_TEST_CASE("the sampled Hessian certificate bounds the true gap (float or double sample)",
                   "[certificate][hessian]", float, double) {
  const Problem gaussian = make(24000, 50, false, 71);
  const Problem correlated = make(24000, 50, true, 72);
  for_each_isa([&](Isa) {
    {
      INFO("Gaussian columns (the sample's Gram matrix in float)");
      check_path<TestType>(gaussian, true);
    }
    {
      INFO("correlated, unevenly scaled columns (the sample's Gram matrix in double)");
      check_path<TestType>(correlated, false);
    }
  });
}
