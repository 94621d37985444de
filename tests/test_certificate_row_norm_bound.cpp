// Tier 1's intercept terms use Σ c_i ‖x_i‖_{P⁻¹}, first bounded from the column maxima without a
// pass (one_row_certificate.cpp), computed only where that bound misses. Above 511 features only
// tier 1 certifies: the bound must hold at every iterate, whichever of the two the check used (a
// loose tol certifies with the bound of the sum, a tight one falls back to the sum itself), for
// float64 and float32 data, with weights (some zero) and column maxima the caller gave loosely.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

constexpr std::size_t kRows = 2500, kCols = 600;  // above the Hessian certificate's 512

struct Data {
  std::vector<double> X, y, weights;
};

Data make_data() {
  Data data{std::vector<double>(kRows * kCols), std::vector<double>(kRows),
            std::vector<double>(kRows)};
  std::mt19937_64 rng(41);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t i = 0; i < kRows; ++i) {
    double z = 0.8;  // an intercept far from 0: the check's polish moves it
    for (std::size_t j = 0; j < kCols; ++j) {
      data.X[i * kCols + j] = normal(rng) * (1 + double(j % 7) / 3);
      z += data.X[i * kCols + j] * (j % 3 == 0 ? 0.03 : -0.01);
    }
    data.y[i] = uniform(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
    data.weights[i] = i % 11 == 0 ? 0.0 : 0.5 + double(i % 4) / 2;
  }
  return data;
}

template <class T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// The report of L-BFGS from 0 after at most max_iter iterations at tol, and its objective.
template <class T>
FitReport run(const Data& data, bool weighted, bool loose_maxima, double tol, int max_iter) {
  const std::vector<T> X = as<T>(data.X), y = as<T>(data.y), s = as<T>(data.weights);
  LogisticObjective<T> objective(MatrixView<const T>(X.data(), kRows, kCols), y,
                                 weighted ? std::span<const T>(s) : std::span<const T>(), 1.0,
                                 Penalty::l2, true);
  if (loose_maxima) {
    // Upper bounds of the column maxima, as a caller may give them: 3 times each.
    std::vector<double> maxima(kCols, 0.0);
    for (std::size_t i = 0; i < kRows; ++i)
      for (std::size_t j = 0; j < kCols; ++j)
        maxima[j] = std::max(maxima[j], 3 * std::fabs(double(X[i * kCols + j])));
    objective.use_column_max_abs(maxima);
  }
  std::vector<double> theta(kCols + 1, 0.0);
  SolverOptions options;
  options.tol = tol;
  options.max_iter = max_iter;
  return minimize_lbfgs(objective, theta, options);
}

template <class T>
void check_type() {
  const Data data = make_data();
  for (bool weighted : {false, true}) {
    for (bool loose_maxima : {false, true}) {
      INFO((weighted ? "weighted" : "unweighted")
           << (loose_maxima ? ", maxima given loosely" : ", maxima from the data"));
      // F_ref: the best objective reached (F* ≤ F_ref), a long run at a tol tier 1 cannot meet.
      const FitReport best = run<T>(data, weighted, loose_maxima, 1e-14, 800);
      const double f_ref = best.objective_history.back();
      for (double tol : {1e-3, 1e-10}) {
        for (int k : {2, 4, 8, 16, 32}) {
          const FitReport r = run<T>(data, weighted, loose_maxima, tol, k);
          const double f = r.objective_history.back();
          INFO("tol " << tol << ", max_iter " << k << ", F " << f << ", F_ref " << f_ref
                      << ", bound " << r.objective_gap_bound << ", "
                      << certificate_name(r.certificate));
          CHECK(f - f_ref <= r.objective_gap_bound * (1 + 1e-9) + 1e-12 * f_ref);
          if (r.converged) {
            CHECK(r.certificate == Certificate::strong_convexity);
            CHECK(r.relative_gap_bound <= tol / 100);
          }
        }
        // Run to the end, each tol that tier 1 can meet certifies.
        if (tol >= 1e-3) {
          const FitReport r = run<T>(data, weighted, loose_maxima, tol, 1000);
          INFO("tol " << tol << " to the end: " << r.iterations << " iterations");
          CHECK(r.converged);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("tier 1 with the rows' norms bounded from the column maxima holds at every iterate",
          "[certificate][tier1]") {
  SECTION("float64") {
    check_type<double>();
  }
  SECTION("float32") {
    check_type<float>();
  }
}
