// LogisticObjective's exact Hessian, C Σ s_i σ′(z_i) a_i a_iᵀ + diag(1, …, 1, 0), against a
// long-double reference: at a start point (w = 0, where the curvature σ′(b) is the same for every
// row and is taken without a pass over X) and away from it (the curvature from a pass), on every
// ISA, float and double, with and without sample weights.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "simdlr/objectives.hpp"
#include "support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

// H at x = (w, b) in long double, row-major (d + 1) x (d + 1).
std::vector<long double> reference_hessian(const std::vector<double>& X, std::size_t n,
                                           std::size_t d, const std::vector<double>& weights,
                                           double C, const std::vector<double>& x) {
  const std::size_t m = d + 1;
  std::vector<long double> H(m * m, 0.0L);
  for (std::size_t i = 0; i < n; ++i) {
    long double z = x[d];
    for (std::size_t j = 0; j < d; ++j)
      z += (long double)X[i * d + j] * x[j];
    const long double p = 1.0L / (1.0L + std::exp(-z));
    const long double c = (long double)C * (weights.empty() ? 1.0L : weights[i]) * p * (1.0L - p);
    for (std::size_t j = 0; j < m; ++j) {
      const long double aj = j < d ? (long double)X[i * d + j] : 1.0L;
      for (std::size_t k = 0; k < m; ++k)
        H[j * m + k] += c * aj * (k < d ? (long double)X[i * d + k] : 1.0L);
    }
  }
  for (std::size_t j = 0; j < d; ++j)
    H[j * m + j] += 1.0L;
  return H;
}

template <class T>
void check_hessian(const std::vector<double>& Xd, std::size_t n, std::size_t d,
                   const std::vector<double>& y, const std::vector<double>& weights,
                   const std::vector<double>& x) {
  const double C = 0.7;
  const std::vector<T> X(Xd.begin(), Xd.end()), labels(y.begin(), y.end()),
      sample_weight(weights.begin(), weights.end());
  // The reference takes the data as the objective sees them (rounded to T).
  const std::vector<double> seen(X.begin(), X.end()),
      seen_weights(sample_weight.begin(), sample_weight.end());
  LogisticObjective<T> f(MatrixView<const T>(X.data(), n, d), labels, sample_weight, C, Penalty::l2,
                         true);
  const std::size_t m = d + 1;
  std::vector<double> g(m), H(m * m);
  f.value_and_gradient(x, g);
  f.hessian(H);
  const std::vector<long double> ref = reference_hessian(seen, n, d, seen_weights, C, x);
  // Every entry is a sum of n terms of one sign per column pair's magnitude; the kernels'
  // rounding stays within a few units of T's epsilon times the sum of magnitudes.
  long double scale = 0;
  for (std::size_t k = 0; k < m; ++k)
    scale = std::max(scale, std::fabs(ref[k * m + k]));
  const double tolerance = 64 * double(std::numeric_limits<T>::epsilon()) * double(scale);
  for (std::size_t k = 0; k < m * m; ++k) {
    INFO("entry " << k / m << ", " << k % m);
    CHECK(std::fabs(H[k] - double(ref[k])) <= tolerance);
  }
}

}  // namespace

TEMPLATE_TEST_CASE("LogisticObjective::hessian matches a long-double reference at w = 0 and away",
                   "[objectives][hessian]", float, double) {
  const std::size_t n = 257, d = 9;
  const std::vector<double> X = normal_vector<double>(n * d, 31);
  const std::vector<double> y = binary_labels<double>(n, 32);
  const std::vector<double> weights = uniform_vector<double>(n, 33, 0.0, 2.0);
  std::vector<double> start(d + 1, 0.0), away = normal_vector<double>(d + 1, 34, 0.4);
  start[d] = -0.8;  // the intercept a solver starts from need not be 0
  for_each_isa([&](Isa) {
    for (const std::vector<double>* w :
         {&weights, static_cast<const std::vector<double>*>(nullptr)}) {
      const std::vector<double> none;
      const std::vector<double>& s = w ? *w : none;
      INFO("sample weights " << (w != nullptr));
      {
        INFO("at w = 0, b = -0.8");
        check_hessian<TestType>(X, n, d, y, s, start);
      }
      {
        INFO("away from w = 0");
        check_hessian<TestType>(X, n, d, y, s, away);
      }
    }
  });
}
