// The objectives: gradients against central finite differences of the value, Hessian-vector
// products against finite differences of the gradient, on every ISA; and the new fused kernels
// (squared loss, multinomial Hessian-vector product) against long-double references.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/objectives.hpp"
#include "support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

struct Problem {
  std::size_t n = 300, d = 7, K = 4;
  std::vector<double> X = normal_vector<double>(n * d, 11);
  std::vector<double> y01 = binary_labels<double>(n, 12);
  std::vector<double> target = normal_vector<double>(n, 13, 3.0);
  std::vector<double> weights = uniform_vector<double>(n, 14, 0.0, 2.0);
  std::vector<std::int32_t> labels;
  Problem() {
    for (std::size_t i = 0; i < n; ++i)
      labels.push_back(std::int32_t((i * 7 + i / 3) % K));
  }
};

// Checks ∇f against central differences and H v against differences of ∇f along v.
void check_derivatives(Objective& f, std::uint32_t seed) {
  const std::size_t m = f.dimension();
  const std::vector<double> x = normal_vector<double>(m, seed, 0.5);
  const std::vector<double> v = normal_vector<double>(m, seed + 1);
  std::vector<double> g(m), hv(m), gp(m), gm(m), xp(m), xm(m);
  f.value_and_gradient(x, g);
  simdlr::HessianVectorProduct* hessian = f.hessian_vector_product();
  REQUIRE(hessian != nullptr);
  hessian->hessian_vector(v, hv);
  const double h = 1e-5;
  for (std::size_t k = 0; k < m; ++k) {
    xp = x;
    xm = x;
    xp[k] += h;
    xm[k] -= h;
    const double numeric = (f.value_and_gradient(xp, gp) - f.value_and_gradient(xm, gm)) / (2 * h);
    CHECK(g[k] == Approx(numeric).epsilon(1e-6).margin(1e-6));
  }
  for (std::size_t k = 0; k < m; ++k) {
    xp[k] = x[k] + h * v[k];
    xm[k] = x[k] - h * v[k];
  }
  f.value_and_gradient(xp, gp);
  f.value_and_gradient(xm, gm);
  for (std::size_t k = 0; k < m; ++k) {
    CHECK(hv[k] == Approx((gp[k] - gm[k]) / (2 * h)).epsilon(1e-5).margin(1e-5));
  }
}

}  // namespace

TEST_CASE("objective gradients and Hessian products match finite differences", "[objectives]") {
  const Problem p;
  const MatrixView<const double> X(p.X.data(), p.n, p.d);
  for_each_isa([&](Isa) {
    for (bool intercept : {true, false}) {
      for (Penalty penalty : {Penalty::l2, Penalty::none}) {
        INFO("intercept " << intercept << " penalty " << penalty_name(penalty));
        LogisticObjective<double> logistic(X, p.y01, p.weights, 0.7, penalty, intercept);
        check_derivatives(logistic, 21);
        MultinomialObjective<double> multinomial(X, p.labels, p.K, p.weights, 0.7, penalty,
                                                 intercept);
        check_derivatives(multinomial, 22);
      }
      SquaredObjective<double> squared(X, p.target, p.weights, 0.3, intercept);
      check_derivatives(squared, 23);
    }
  });
}

TEST_CASE("squared_loss_grad matches a long-double reference on every ISA", "[kernels][squared]") {
  for (std::size_t n : {0u, 1u, 5u, 17u, 130u, 5000u}) {
    for (std::size_t d : {1u, 3u, 16u, 33u}) {
      const auto X = normal_vector<double>(n * d, 31), w = normal_vector<double>(d, 32);
      const auto y = normal_vector<double>(n, 33, 2.0), s = uniform_vector<double>(n, 34, 0, 2);
      // Reference in long double.
      long double loss = 0, gb = 0;
      std::vector<long double> g(d, 0.0L), gabs(d, 0.0L);
      for (std::size_t i = 0; i < n; ++i) {
        long double z = 0.25L;
        for (std::size_t j = 0; j < d; ++j)
          z += (long double)X[i * d + j] * w[j];
        const long double r = (long double)s[i] * (z - y[i]);
        loss += 0.5L * s[i] * (z - y[i]) * (z - y[i]);
        gb += r;
        for (std::size_t j = 0; j < d; ++j) {
          g[j] += r * X[i * d + j];
          gabs[j] += std::fabs(r * X[i * d + j]);
        }
      }
      for_each_isa([&](Isa) {
        INFO("n " << n << " d " << d);
        std::vector<double> grad(d), z(n);
        double grad_b = 0;
        const double got = kernels::squared_loss_grad(
            SquaredPass<double>{.X = MatrixView<const double>(X.data(), n, d),
                                .y = y.data(),
                                .sample_weight = s.data(),
                                .w = w.data(),
                                .b = 0.25,
                                .grad_w = grad.data(),
                                .grad_b = &grad_b,
                                .margins = z.data()});
        const double eps = std::numeric_limits<double>::epsilon();
        CHECK(std::fabs(got - double(loss)) <= 64 * eps * double(loss) + 1e-300);
        for (std::size_t j = 0; j < d; ++j) {
          CHECK(std::fabs(grad[j] - double(g[j])) <= (n + 64) * eps * double(gabs[j]) * 4 + 1e-300);
        }
        CHECK(grad_b == Approx(double(gb)).epsilon(1e-12).margin(1e-12));
      });
    }
  }
}

TEST_CASE("softmax_hessian_vector matches a long-double reference on every ISA",
          "[kernels][softmax]") {
  const std::size_t n = 257, d = 19;
  for (std::size_t K : {1u, 2u, 3u, 5u, 17u}) {
    const auto X = normal_vector<double>(n * d, 41), V = normal_vector<double>(K * d, 42);
    const auto vb = normal_vector<double>(K, 43), s = uniform_vector<double>(n, 44, 0, 2);
    auto P = uniform_vector<double>(n * K, 45, 0.01, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      double t = 0;
      for (std::size_t k = 0; k < K; ++k)
        t += P[i * K + k];
      for (std::size_t k = 0; k < K; ++k)
        P[i * K + k] /= t;
    }
    std::vector<long double> out(K * d, 0.0L), outb(K, 0.0L), mag(K * d, 0.0L);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<long double> u(K);
      long double mean = 0;
      for (std::size_t k = 0; k < K; ++k) {
        u[k] = vb[k];
        for (std::size_t j = 0; j < d; ++j)
          u[k] += (long double)V[k * d + j] * X[i * d + j];
        mean += P[i * K + k] * u[k];
      }
      for (std::size_t k = 0; k < K; ++k) {
        const long double t = s[i] * P[i * K + k] * (u[k] - mean);
        outb[k] += t;
        for (std::size_t j = 0; j < d; ++j) {
          out[k * d + j] += t * X[i * d + j];
          mag[k * d + j] +=
              std::fabs(t * X[i * d + j]) + std::fabs(s[i] * P[i * K + k] * mean * X[i * d + j]);
        }
      }
    }
    for_each_isa([&](Isa) {
      INFO("K " << K);
      std::vector<double> got(K * d), gotb(K);
      kernels::softmax_hessian_vector(
          SoftmaxHessianPass<double>{.X = MatrixView<const double>(X.data(), n, d),
                                     .n_classes = K,
                                     .probabilities = P.data(),
                                     .sample_weight = s.data(),
                                     .V = V.data(),
                                     .v_b = vb.data(),
                                     .out = got.data(),
                                     .out_b = gotb.data()});
      for (std::size_t k = 0; k < K * d; ++k) {
        CHECK(std::fabs(got[k] - double(out[k])) <= 1e-12 * double(mag[k]) + 1e-300);
      }
    });
  }
}
