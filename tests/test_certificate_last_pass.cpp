// A certificate check at the point of the objective's last pass reuses that pass's margins and
// gradient sums (double data with at least 64 columns, LogisticObjective::margins_; float data
// evaluated in double, whose widened pass is the check's own): the check must give the same bits
// as one that makes its own first pass, at every iterate of a fit; and the same for the
// multinomial objective, which keeps its last probabilities.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("certify after a pass at x equals certify without it, bit for bit", "[certificate]") {
  const std::size_t n = 3000, d = 80;  // d >= 64: the margins are kept
  std::mt19937_64 gen(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> X(n * d), y(n), w(n);
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0.3;
    for (std::size_t j = 0; j < d; ++j) {
      X[i * d + j] = normal(gen) * double(1 + j % 5);
      z += X[i * d + j] * (j % 3 == 0 ? 0.05 : -0.02);
    }
    y[i] = z + normal(gen) > 0 ? 1.0 : 0.0;
    w[i] = 0.5 + double(i % 4) / 3;
  }
  const MatrixView<const double> view(X.data(), n, d);
  const double kC = 0.7;  // not 1: the gradient sums are scaled by C
  for (bool weighted : {false, true}) {
    INFO((weighted ? "weighted" : "unweighted"));
    LogisticObjective<double> objective(
        view, y, weighted ? std::span<const double>(w) : std::span<const double>(), kC, Penalty::l2,
        true);
    LogisticObjective<double> fresh(
        view, y, weighted ? std::span<const double>(w) : std::span<const double>(), kC, Penalty::l2,
        true);
    // The iterates of a fit (after 1, 2, ... iterations; the solver is deterministic): certify
    // each one after a pass there (the kept margins) and on an objective whose last pass was
    // elsewhere (its own first pass).
    std::vector<std::vector<double>> iterates;
    for (int k = 1; k <= 12; ++k) {
      LogisticObjective<double> solve(
          view, y, weighted ? std::span<const double>(w) : std::span<const double>(), kC,
          Penalty::l2, true);
      std::vector<double> theta(d + 1, 0.0);
      minimize_lbfgs(solve, theta, SolverOptions{.tol = 1e-12, .max_iter = k});
      iterates.push_back(theta);
    }
    std::vector<double> g(d + 1), elsewhere(d + 1, 0.25);
    std::size_t checked = 0;
    for (const std::vector<double>& point : iterates) {
      std::vector<double> a = point, b = point;
      objective.value_and_gradient(a, g);
      const GapBound cached = objective.certify(a, CertifyRequest{});
      fresh.value_and_gradient(elsewhere, g);
      const GapBound own = fresh.certify(b, CertifyRequest{});
      CHECK(same_bits(cached.bound, own.bound));
      CHECK(same_bits(cached.objective, own.objective));
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      checked += std::isfinite(own.bound) ? 1 : 0;
    }
    CHECK(checked >= 2);  // some iterates are close enough for a finite bound
  }
}

// The multinomial objective keeps the probabilities and gradient sums of its last pass (double
// data): a check at that point starts from them instead of its own first pass, with the same bits.
TEST_CASE("multinomial: certify after a pass at x equals certify without it, bit for bit",
          "[certificate]") {
  const std::size_t n = 2500, d = 12, K = 4;
  std::mt19937_64 gen(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> X(n * d), w(n);
  std::vector<std::int32_t> labels(n);
  for (std::size_t i = 0; i < n; ++i) {
    double best = -1e300;
    for (std::size_t j = 0; j < d; ++j)
      X[i * d + j] = normal(gen) * double(1 + j % 3);
    for (std::size_t k = 0; k < K; ++k) {
      const double z = X[i * d + k] * 0.6 - X[i * d + k + 4] * 0.3 + normal(gen);
      if (z > best) best = z, labels[i] = std::int32_t(k);
    }
    w[i] = 0.5 + double(i % 3) / 2;
  }
  const MatrixView<const double> view(X.data(), n, d);
  const double kC = 0.8;
  for (bool weighted : {false, true}) {
    INFO((weighted ? "weighted" : "unweighted"));
    const std::span<const double> weights =
        weighted ? std::span<const double>(w) : std::span<const double>();
    MultinomialObjective<double> objective(view, labels, K, weights, kC, Penalty::l2, true);
    MultinomialObjective<double> fresh(view, labels, K, weights, kC, Penalty::l2, true);
    std::vector<double> g(K * (d + 1)), elsewhere(K * (d + 1), 0.1);
    std::size_t checked = 0;
    for (int k = 2; k <= 30; k += 4) {
      MultinomialObjective<double> solve(view, labels, K, weights, kC, Penalty::l2, true);
      std::vector<double> theta(K * (d + 1), 0.0);
      minimize_lbfgs(solve, theta, SolverOptions{.tol = 1e-12, .max_iter = k});
      std::vector<double> a = theta, b = theta;
      objective.value_and_gradient(a, g);
      const GapBound cached = objective.certify(a, CertifyRequest{});
      fresh.value_and_gradient(elsewhere, g);
      const GapBound own = fresh.certify(b, CertifyRequest{});
      INFO(k << " iterations");
      CHECK(same_bits(cached.bound, own.bound));
      CHECK(same_bits(cached.objective, own.objective));
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      checked += std::isfinite(own.bound) ? 1 : 0;
    }
    CHECK(checked >= 2);
  }
}

// Float data evaluated in double (Objective::evaluate_in_double): the evaluation's widened pass is
// the one the check makes over float data, so a check at its point starts from its margins and
// sums, with the same bits; an evaluation of the float kernels in between (at another point) does
// not disturb them, and a check elsewhere makes its own pass.
TEST_CASE("float data: certify after an evaluation in double at x equals certify without it",
          "[certificate][float32]") {
  const std::size_t n = 3000, d = 20;
  std::mt19937_64 gen(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<float> X(n * d), y(n), w(n);
  for (std::size_t i = 0; i < n; ++i) {
    double z = -0.2;
    for (std::size_t j = 0; j < d; ++j) {
      X[i * d + j] = float(normal(gen) * double(1 + j % 4));
      z += double(X[i * d + j]) * (j % 2 == 0 ? 0.07 : -0.04);
    }
    y[i] = z + normal(gen) > 0 ? 1.0f : 0.0f;
    w[i] = 0.5f + float(i % 3) / 2;
  }
  const MatrixView<const float> view(X.data(), n, d);
  const double kC = 0.6;
  for (bool weighted : {false, true}) {
    INFO((weighted ? "weighted" : "unweighted"));
    const std::span<const float> weights =
        weighted ? std::span<const float>(w) : std::span<const float>();
    LogisticObjective<float> objective(view, y, weights, kC, Penalty::l2, true);
    LogisticObjective<float> fresh(view, y, weights, kC, Penalty::l2, true);
    REQUIRE(objective.evaluate_in_double(true));
    std::vector<double> g(d + 1), elsewhere(d + 1, 0.05);
    std::size_t checked = 0;
    for (int k = 1; k <= 13; k += 3) {
      LogisticObjective<float> solve(view, y, weights, kC, Penalty::l2, true);
      std::vector<double> theta(d + 1, 0.0);
      minimize_lbfgs(solve, theta, SolverOptions{.tol = 1e-12, .max_iter = k});
      INFO(k << " iterations");
      std::vector<double> a = theta, b = theta;
      objective.value_and_gradient(a, g);  // in double, at x
      objective.evaluate_in_double(false);
      objective.value_and_gradient(elsewhere, g);  // the float kernels, elsewhere
      objective.evaluate_in_double(true);
      const GapBound cached = objective.certify(a, CertifyRequest{});
      fresh.value_and_gradient(elsewhere, g);
      const GapBound own = fresh.certify(b, CertifyRequest{});
      CHECK(same_bits(cached.bound, own.bound));
      CHECK(same_bits(cached.objective, own.objective));
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
      checked += std::isfinite(own.bound) ? 1 : 0;
      // At a point the last evaluation in double was not at: the check's own pass, as fresh's.
      std::vector<double> moved = theta;
      moved[0] += 1e-3;
      std::vector<double> c = moved, e = moved;
      const GapBound away = objective.certify(c, CertifyRequest{});
      const GapBound away_fresh = fresh.certify(e, CertifyRequest{});
      CHECK(same_bits(away.bound, away_fresh.bound));
      CHECK(same_bits(away.objective, away_fresh.objective));
    }
    CHECK(checked >= 2);
  }
}
