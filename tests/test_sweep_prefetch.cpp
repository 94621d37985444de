// The row sweeps' software prefetching (on for Intel, off for AMD: kernel_table.hpp) changes
// speed only: every kernel that prefetches gives the same bits with it on and off, on every ISA,
// for shapes long enough to take the prefetching paths (more than four blocks of rows per chunk)
// and widths across the register tiles.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "strided_matrix.hpp"
#include "support.hpp"

namespace simdlr::detail {
extern bool g_sweep_prefetch;  // set by the ISA selection; flipped here to compare
}

using namespace simdlr;

namespace {

using Shape = simdlr::test::StridedShape;

constexpr std::size_t kClasses = 10;  // of the multinomial passes

constexpr Shape kShapes[] = {{300, 7, 7}, {500, 100, 101}, {257, 130, 130}, {2000, 16, 16}};

// Everything a prefetching sweep writes, for one setting of the flag.
template <class T>
struct Outputs {
  std::vector<T> z, xtr, grad, margins, diag, column_max, hv;
  std::vector<T> softmax_grad, softmax_grad_b, probabilities, softmax_hv, softmax_hv_b;
  std::vector<double> widened, widened_sum;
  T grad_b = 0, hv_b = 0;
  double loss = 0, softmax_loss = 0;
  bool finite_scan = false;
};

template <class T>
Outputs<T> run(const std::vector<T>& X_data, const Shape& s, bool prefetch) {
  detail::g_sweep_prefetch = prefetch;
  MatrixView<const T> X(X_data.data(), s.rows, s.cols, s.stride);
  std::vector<T> w(s.cols), r(s.rows), y(s.rows), v(s.cols);
  std::vector<double> wd(s.cols);
  for (std::size_t j = 0; j < s.cols; ++j) {
    w[j] = T(0.01) * T(int(j % 7) - 3);
    v[j] = T(0.5) - T(j % 3);
    wd[j] = double(w[j]);
  }
  for (std::size_t i = 0; i < s.rows; ++i) {
    r[i] = T(int(i % 5) - 2) / T(4);
    y[i] = T(i % 2);
  }
  Outputs<T> o;
  o.z.resize(s.rows);
  o.xtr.assign(s.cols, T(0));
  kernels::margins(X, w.data(), T(0.25), o.z.data(), Threads{1});
  kernels::transpose_product(X, r.data(), o.xtr.data(), Threads{1});
  o.grad.assign(s.cols, T(0));
  o.margins.resize(s.rows);
  o.diag.resize(s.rows);
  o.column_max.assign(s.cols, T(0));
  LogisticPass<T> pass;
  pass.X = X;
  pass.y = y.data();
  pass.w = w.data();
  pass.b = T(-0.5);
  pass.grad_w = o.grad.data();
  pass.grad_b = &o.grad_b;
  pass.margins = o.margins.data();
  pass.hessian_diag = o.diag.data();
  pass.column_max_abs = o.column_max.data();
  o.loss = kernels::logistic_loss_grad(pass, Threads{1});
  o.hv.assign(s.cols, T(0));
  kernels::hessian_vector(X, o.diag.data(), v.data(), T(0.5), o.hv.data(), &o.hv_b, Threads{1});
  o.widened.resize(s.rows);
  kernels::widened_margins(X, wd.data(), 0.25, o.widened.data());
  std::vector<double> rd(r.begin(), r.end());
  o.widened_sum.assign(s.cols, 0.0);
  kernels::widened_accumulate(X, rd.data(), o.widened_sum.data());
  o.finite_scan = kernels::has_non_finite(X, Threads{1});
  // The multinomial passes (their logits prefetch).
  constexpr std::size_t K = kClasses;
  std::vector<std::int32_t> labels(s.rows);
  for (std::size_t i = 0; i < s.rows; ++i)
    labels[i] = std::int32_t(i % K);
  std::vector<T> W(K * s.cols), b(K), V(K * s.cols), v_b(K, T(0.125));
  for (std::size_t q = 0; q < W.size(); ++q) {
    W[q] = T(0.01) * T(int(q % 11) - 5);
    V[q] = T(0.5) - T(q % 3);
  }
  for (std::size_t k = 0; k < K; ++k)
    b[k] = T(0.1) * T(k);
  o.softmax_grad.assign(K * s.cols, T(0));
  o.softmax_grad_b.assign(K, T(0));
  o.probabilities.resize(s.rows * K);
  o.softmax_loss =
      kernels::softmax_loss_grad(SoftmaxPass<T>{.X = X,
                                                .labels = labels.data(),
                                                .n_classes = K,
                                                .W = W.data(),
                                                .b = b.data(),
                                                .grad_W = o.softmax_grad.data(),
                                                .grad_b = o.softmax_grad_b.data(),
                                                .probabilities = o.probabilities.data()},
                                 Threads{1});
  o.softmax_hv.assign(K * s.cols, T(0));
  o.softmax_hv_b.assign(K, T(0));
  kernels::softmax_hessian_vector(SoftmaxHessianPass<T>{.X = X,
                                                        .n_classes = K,
                                                        .probabilities = o.probabilities.data(),
                                                        .V = V.data(),
                                                        .v_b = v_b.data(),
                                                        .out = o.softmax_hv.data(),
                                                        .out_b = o.softmax_hv_b.data()},
                                  Threads{1});
  return o;
}

template <class U>
bool same_bits(const std::vector<U>& a, const std::vector<U>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(U)) == 0;
}

template <class T>
void check_type() {
  for (const Shape& s : kShapes) {
    INFO(s.rows << " x " << s.cols << " (stride " << s.stride << ")");
    const std::vector<T> X = simdlr::test::patterned_matrix<T>(s, T(0));
    test::for_each_isa([&](Isa) {
      const Outputs<T> on = run(X, s, true);
      const Outputs<T> off = run(X, s, false);
      set_active_isa(active_isa());  // the flag as the selection sets it for this CPU
      CHECK(same_bits(on.z, off.z));
      CHECK(same_bits(on.xtr, off.xtr));
      CHECK(same_bits(on.grad, off.grad));
      CHECK(same_bits(on.margins, off.margins));
      CHECK(same_bits(on.diag, off.diag));
      CHECK(same_bits(on.column_max, off.column_max));
      CHECK(same_bits(on.hv, off.hv));
      CHECK(same_bits(on.widened, off.widened));
      CHECK(same_bits(on.widened_sum, off.widened_sum));
      CHECK(same_bits(on.softmax_grad, off.softmax_grad));
      CHECK(same_bits(on.softmax_grad_b, off.softmax_grad_b));
      CHECK(same_bits(on.probabilities, off.probabilities));
      CHECK(same_bits(on.softmax_hv, off.softmax_hv));
      CHECK(same_bits(on.softmax_hv_b, off.softmax_hv_b));
      CHECK(std::memcmp(&on.softmax_loss, &off.softmax_loss, sizeof(double)) == 0);
      CHECK(std::memcmp(&on.loss, &off.loss, sizeof(double)) == 0);
      CHECK(std::memcmp(&on.grad_b, &off.grad_b, sizeof(T)) == 0);
      CHECK(std::memcmp(&on.hv_b, &off.hv_b, sizeof(T)) == 0);
      CHECK(on.finite_scan == off.finite_scan);
      CHECK_FALSE(on.finite_scan);
      // Not vacuous: the margins are those of the rows (one checked against a plain sum).
      double z0 = 0.25;
      for (std::size_t j = 0; j < s.cols; ++j)
        z0 += double(X[j]) * double(T(0.01) * T(int(j % 7) - 3));
      CHECK(std::abs(double(on.z[0]) - z0) <= 1e-4 * (1 + std::abs(z0)));
      // And the widened column sums those of the rows: Σ r_i x_i0 in double.
      double s0 = 0;
      for (std::size_t i = 0; i < s.rows; ++i)
        s0 += double(T(int(i % 5) - 2) / T(4)) * double(X[i * s.stride]);
      CHECK(std::abs(on.widened_sum[0] - s0) <= 1e-12 * (1 + std::abs(s0)));
      // And the probabilities of row 0 its softmax (class 0's, from a plain sum of its logits).
      constexpr std::size_t K = kClasses;
      double logits[K], top = -1e300, total = 0;
      for (std::size_t k = 0; k < K; ++k) {
        logits[k] = double(T(0.1) * T(k));  // b_k
        for (std::size_t j = 0; j < s.cols; ++j)
          logits[k] += double(X[j]) * double(T(0.01) * T(int((k * s.cols + j) % 11) - 5));
        top = std::max(top, logits[k]);
      }
      for (double z : logits)
        total += std::exp(z - top);
      const double p0 = std::exp(logits[0] - top) / total;
      CHECK(std::abs(double(on.probabilities[0]) - p0) <= 1e-4 * p0);
    });
  }
}

}  // namespace

TEST_CASE("software prefetching in the row sweeps changes no bit", "[kernels][prefetch]") {
  check_type<float>();
  check_type<double>();
}
