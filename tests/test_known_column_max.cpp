// Column maxima handed to an objective (use_column_max_abs; the models pass those of their input
// scan): the sampled Hessian certificate uses them instead of reading X again. The exact maxima
// give the same bits as the objective's own; larger ones (upper bounds) a bound that is still
// valid but looser, which shows they were used; a wrong count is a ShapeError.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// n · (d + 1)² above the certificate's exact-work limit (5·10⁷) and n above twice its sample
// size (max(10⁴, 50 (d + 1))): the Hessian of a row sample, whose leverage bound uses the maxima.
constexpr std::size_t kRows = 24000, kCols = 60;

template <class T>
void check_type() {
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<T> X(kRows * kCols), y(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    double z = -0.2;
    for (std::size_t j = 0; j < kCols; ++j) {
      X[i * kCols + j] = T(normal(gen) * double(1 + j % 4));
      z += double(X[i * kCols + j]) * (j % 2 == 0 ? 0.04 : -0.03);
    }
    y[i] = z + normal(gen) > 0 ? T(1) : T(0);
  }
  const MatrixView<const T> view(X.data(), kRows, kCols);
  std::vector<T> maxima(kCols);
  REQUIRE(kernels::column_max_abs(view, maxima.data()));
  const std::vector<double> exact(maxima.begin(), maxima.end());
  std::vector<double> doubled(exact);
  for (double& m : doubled)
    m *= 2;

  std::size_t finite = 0, looser = 0;
  for (int iterations : {4, 6, 8, 12}) {
    LogisticObjective<T> solve(view, y, {}, 1.0, Penalty::l2, true);
    std::vector<double> theta(kCols + 1, 0.0);
    minimize_lbfgs(solve, theta, SolverOptions{.tol = 1e-14, .max_iter = iterations});
    INFO(iterations << " iterations");

    LogisticObjective<T> own(view, y, {}, 1.0, Penalty::l2, true);
    LogisticObjective<T> given(view, y, {}, 1.0, Penalty::l2, true);
    LogisticObjective<T> bounded(view, y, {}, 1.0, Penalty::l2, true);
    given.use_column_max_abs(exact);
    bounded.use_column_max_abs(doubled);
    // enough = 0: more than any check reaches, so the sampled Hessian tier always runs.
    const CertifyRequest request{.hessian_allowed = true, .enough = 0.0};
    std::vector<double> a = theta, b = theta, c = theta;
    const GapBound mine = own.certify(a, request);
    const GapBound theirs = given.certify(b, request);
    const GapBound loose = bounded.certify(c, request);
    CHECK(same_bits(mine.bound, theirs.bound));
    CHECK(same_bits(mine.objective, theirs.objective));
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
    CHECK(loose.bound >= mine.bound);
    finite += std::isfinite(mine.bound) ? 1 : 0;
    looser += loose.bound > mine.bound ? 1 : 0;
  }
  CHECK(finite >= 2);
  CHECK(looser >= 2);  // the doubled maxima were used
}

}  // namespace

TEST_CASE("given column maxima give the certificate its own bits; larger ones a looser bound",
          "[certificate]") {
  SECTION("double") {
    check_type<double>();
  }
  SECTION("float") {
    check_type<float>();
  }
}

TEST_CASE("use_column_max_abs wants one value per column", "[certificate][errors]") {
  std::vector<double> X(12, 1.0), y{0, 1, 0, 1};
  LogisticObjective<double> objective(MatrixView<const double>(X.data(), 4, 3), y, {}, 1.0,
                                      Penalty::l2, true);
  CHECK_THROWS_AS(objective.use_column_max_abs(std::vector<double>(2, 1.0)), ShapeError);
  CHECK_NOTHROW(objective.use_column_max_abs(std::vector<double>(3, 1.0)));
}
