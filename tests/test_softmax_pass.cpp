// softmax_loss_grad: the fused one-pass softmax cross-entropy loss, gradient and probabilities,
// against long-double references with the documented bounds and the scalar twin, on every ISA,
// shape and layout, for K = 1, 2, 3, 10, 17; intercepts, sample weights, optional outputs,
// probabilities summing to one, the K = 2 case against the logistic pass, extreme logits, zero
// rows and argument errors (labels out of range, no classes, null pointers, short strides).
#include "matrix_support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

const std::size_t kClassCounts[] = {1, 2, 3, 10, 17};

template <class T>
struct SoftmaxData {
  std::size_t rows = 0, cols = 0, K = 0;
  std::vector<T> X, s, W, b;  // s, b empty: none
  std::vector<std::int32_t> labels;

  long double weight(std::size_t i) const { return s.empty() ? 1.0L : (long double)s[i]; }
  long double intercept(std::size_t k) const { return b.empty() ? 0.0L : (long double)b[k]; }
};

template <class T>
SoftmaxData<T> make_softmax(std::size_t rows, std::size_t cols, std::size_t K, bool with_b,
                            bool weighted, double z_scale, std::uint32_t salt) {
  SoftmaxData<T> d;
  d.rows = rows;
  d.cols = cols;
  d.K = K;
  d.X = normal_vector<T>(rows * cols, shape_seed(rows, cols, salt));
  d.W = normal_vector<T>(K * cols, shape_seed(rows, cols, salt + 1),
                         z_scale / std::sqrt(double(cols)));
  if (with_b) d.b = normal_vector<T>(K, shape_seed(rows, cols, salt + 2), 0.5 * z_scale);
  if (weighted) {
    d.s = uniform_vector<T>(rows, shape_seed(rows, cols, salt + 3), 0.0, 3.0);
    for (std::size_t i = 0; i < rows; i += 7)
      d.s[i] = T(0);
  }
  std::mt19937_64 rng(shape_seed(rows, cols, salt + 4));
  d.labels.resize(rows);
  for (auto& l : d.labels)
    l = std::int32_t(rng() % K);
  return d;
}

// Exact logits, probabilities, loss terms and gradients at the exact logits.
struct SoftmaxExact {
  std::vector<long double> z, zabs;  // n x K: z_ik and Σ_j |W_kj x_ij|
  std::vector<long double> p;        // n x K
  std::vector<long double> zmax;     // n
  std::vector<long double> term;     // n: logsumexp(z_i) − z_{i,y_i}
  std::vector<long double> lse;      // n: logsumexp(z_i)
  std::vector<long double> r;        // n x K: s_i (p_ik − [y_i = k])
  long double loss = 0;
  std::vector<long double> grad, grad_abs;  // K x d
  std::vector<long double> grad_b, grad_b_abs;
};

template <class T>
SoftmaxExact softmax_exact(const SoftmaxData<T>& d) {
  const std::size_t n = d.rows, m = d.cols, K = d.K;
  SoftmaxExact x;
  x.z.assign(n * K, 0.0L);
  x.zabs.assign(n * K, 0.0L);
  x.p.assign(n * K, 0.0L);
  x.zmax.assign(n, 0.0L);
  x.term.assign(n, 0.0L);
  x.lse.assign(n, 0.0L);
  x.r.assign(n * K, 0.0L);
  x.grad.assign(K * m, 0.0L);
  x.grad_abs.assign(K * m, 0.0L);
  x.grad_b.assign(K, 0.0L);
  x.grad_b_abs.assign(K, 0.0L);
  for (std::size_t i = 0; i < n; ++i) {
    const T* xi = d.X.data() + i * m;
    long double zmax = -INFINITY;
    for (std::size_t k = 0; k < K; ++k) {
      long double s = 0, a = 0;
      for (std::size_t j = 0; j < m; ++j) {
        const long double t = (long double)d.W[k * m + j] * (long double)xi[j];
        s += t;
        a += std::fabs(t);
      }
      x.z[i * K + k] = s + d.intercept(k);
      x.zabs[i * K + k] = a;
      zmax = std::max(zmax, x.z[i * K + k]);
    }
    x.zmax[i] = zmax;
    long double total = 0;
    for (std::size_t k = 0; k < K; ++k)
      total += std::exp(x.z[i * K + k] - zmax);
    const long double lse = zmax + std::log(total);
    const std::size_t y = std::size_t(d.labels[i]);
    const long double s = d.weight(i);
    x.lse[i] = lse;
    x.term[i] = lse - x.z[i * K + y];
    x.loss += s * x.term[i];
    for (std::size_t k = 0; k < K; ++k) {
      const long double p = std::exp(x.z[i * K + k] - lse);
      x.p[i * K + k] = p;
      const long double r = s * (p - (k == y ? 1.0L : 0.0L));
      x.r[i * K + k] = r;
      x.grad_b[k] += r;
      x.grad_b_abs[k] += std::fabs(r);
      for (std::size_t j = 0; j < m; ++j) {
        const long double t = r * (long double)xi[j];
        x.grad[k * m + j] += t;
        x.grad_abs[k * m + j] += std::fabs(t);
      }
    }
  }
  return x;
}

// Tolerances for an ISA with `lanes` lanes, from the documented bounds: each logit as margins
// (dot over d elements plus one rounding for b); each loss term within 8 ε relative + ε |z|
// absolute, plus what the logits' error can move it (≤ max_k Δz_k + Δz_y); probabilities from
// exp(z_k − max z) / Σ, relative (3 + K/2) ε + ε |z_k − max z| + 2 max_k Δz_k in log space;
// gradients as transpose_product with r_ik = s_i (p_ik − [y_i = k]).
struct SoftmaxExpect {
  long double loss_tol = 0;
  std::vector<long double> p_tol;  // n x K
  std::vector<long double> grad_tol, grad_b_tol;
};

template <class T>
SoftmaxExpect softmax_expect(const SoftmaxData<T>& d, const SoftmaxExact& x, std::size_t lanes) {
  const std::size_t n = d.rows, m = d.cols, K = d.K;
  const long double eps = kEps<T>, tiny = std::numeric_limits<T>::min();
  const long double dot_factor = sum_factor(m, lanes);
  SoftmaxExpect e;
  e.p_tol.assign(n * K, 0.0L);
  std::vector<long double> dr(n * K);
  for (std::size_t i = 0; i < n; ++i) {
    long double max_dz = 0, max_abs_z = 0;
    for (std::size_t k = 0; k < K; ++k) {
      const long double z = x.z[i * K + k];
      const long double dz =
          dot_factor * eps * x.zabs[i * K + k] + eps * (std::fabs(z) + std::fabs(d.intercept(k)));
      max_dz = std::max(max_dz, dz);
      max_abs_z = std::max(max_abs_z, std::fabs(z));
    }
    const std::size_t y = std::size_t(d.labels[i]);
    const long double s = d.weight(i);
    const long double loss_i = x.term[i];
    e.loss_tol +=
        s * (9 * eps * loss_i + eps * (max_abs_z + std::fabs(x.z[i * K + y])) + 2 * max_dz);
    for (std::size_t k = 0; k < K; ++k) {
      const long double log_err =
          2 * max_dz + eps * std::fabs(x.z[i * K + k] - x.zmax[i]) + (3 + (long double)K / 2) * eps;
      // p within [exp(log p − err), min(1, exp(log p + err))].
      const long double log_p = x.z[i * K + k] - x.lse[i];
      const long double pt =
          (log_err < 1e-3L ? x.p[i * K + k] * log_err * (1 + log_err)  // ≥ p (e^err − 1)
                           : std::max(std::exp(std::min(0.0L, log_p + log_err)) - x.p[i * K + k],
                                      x.p[i * K + k] - std::exp(log_p - log_err))) +
          2 * tiny;
      e.p_tol[i * K + k] = pt;
      dr[i * K + k] = s * pt + 2 * eps * std::fabs(x.r[i * K + k]);
    }
  }
  const long double factor = sum_factor(n, 1);
  e.grad_tol.assign(K * m, 0.0L);
  e.grad_b_tol.assign(K, 0.0L);
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t j = 0; j < m; ++j)
      e.grad_tol[k * m + j] = factor * eps * x.grad_abs[k * m + j];
    e.grad_b_tol[k] = factor * eps * x.grad_b_abs[k];
  }
  // Σ_i |x_ij| dr_ik, a tolerance: double precision is plenty (and much faster).
  std::vector<double> dev(K * m, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const T* xi = d.X.data() + i * m;
    for (std::size_t k = 0; k < K; ++k) {
      const double r = double(dr[i * K + k]);
      e.grad_b_tol[k] += r;
      double* dk = dev.data() + k * m;
      for (std::size_t j = 0; j < m; ++j)
        dk[j] += std::fabs(double(xi[j])) * r;
    }
  }
  for (std::size_t q = 0; q < K * m; ++q)
    e.grad_tol[q] += (long double)dev[q] * (1 + 1e-12L);
  return e;
}

enum : unsigned { kGradB = 1, kProbabilities = 2, kAllOutputs = 3 };

template <class T>
struct SoftmaxOutputs {
  Buffer<T> grad_W, grad_b, probabilities;
  double loss = 0;
  unsigned mask;

  SoftmaxOutputs(std::size_t rows, std::size_t cols, std::size_t K, unsigned mask_,
                 std::size_t misalign)
      : grad_W(output_buffer<T>(K * cols, misalign)),
        grad_b(output_buffer<T>(K, misalign)),
        probabilities(output_buffer<T>(rows * K, misalign)),
        mask(mask_) {}
  void reset() {
    grad_W.fill(nan_of<T>());
    grad_b.fill(nan_of<T>());
    probabilities.fill(nan_of<T>());
  }
  SoftmaxPass<T> pass(MatrixView<const T> X, const std::int32_t* labels, std::size_t K, const T* s,
                      const T* W, const T* b) {
    SoftmaxPass<T> p;
    p.X = X;
    p.labels = labels;
    p.n_classes = K;
    p.sample_weight = s;
    p.W = W;
    p.b = b;
    p.grad_W = grad_W.data();
    p.grad_b = (mask & kGradB) ? grad_b.data() : nullptr;
    p.probabilities = (mask & kProbabilities) ? probabilities.data() : nullptr;
    return p;
  }
  bool guards_intact() const {
    return grad_W.guards_intact() && grad_b.guards_intact() && probabilities.guards_intact();
  }
};

template <class T>
void check_softmax_result(const SoftmaxData<T>& d, const SoftmaxExact& x, const SoftmaxExpect& e,
                          const SoftmaxOutputs<T>& out, const std::string& key) {
  const std::size_t n = d.rows, m = d.cols, K = d.K;
  INFO("outputs: grad_b " << bool(out.mask & kGradB) << ", probabilities "
                          << bool(out.mask & kProbabilities));
  CHECK(out.guards_intact());
  if (!(out.mask & kGradB)) CHECK(std::isnan(out.grad_b[0]));
  if (!(out.mask & kProbabilities) && n > 0) CHECK(std::isnan(out.probabilities[0]));
  auto k_ = [&](const char* what) { return key.empty() ? std::string() : what + key; };

  Worst<T> loss;
  loss.add(0, out.loss, x.loss, e.loss_tol, x.loss);
  expect_within(loss, "loss vs reference", k_("softmax loss"));
  Worst<T> grad;
  for (std::size_t q = 0; q < K * m; ++q) {
    grad.add(q, out.grad_W[q], x.grad[q], e.grad_tol[q], x.grad_abs[q]);
  }
  expect_within(grad, "grad_W vs reference (index k * d + j)", k_("softmax grad_W"));
  if (out.mask & kGradB) {
    Worst<T> gb;
    for (std::size_t k = 0; k < K; ++k)
      gb.add(k, out.grad_b[k], x.grad_b[k], e.grad_b_tol[k], x.grad_b_abs[k]);
    expect_within(gb, "grad_b vs reference", k_("softmax grad_b"));
  }
  if (out.mask & kProbabilities) {
    Worst<T> p, total;
    for (std::size_t i = 0; i < n; ++i) {
      long double sum = 0;
      for (std::size_t k = 0; k < K; ++k) {
        p.add(i * K + k, out.probabilities[i * K + k], x.p[i * K + k], e.p_tol[i * K + k],
              x.p[i * K + k]);
        sum += out.probabilities[i * K + k];
      }
      total.add(i, sum, 1.0L, (2 + (long double)K / 2) * kEps<T>, 1.0L);
    }
    expect_within(p, "probabilities vs reference (index i * K + k)", k_("softmax probabilities"));
    expect_within(total, "Σ_k probabilities of row i vs 1", k_("softmax Σp−1"));
  }
}

template <class T>
void check_softmax_config(const SoftmaxData<T>& d, unsigned first_mask) {
  const std::size_t n = d.rows, m = d.cols, K = d.K;
  const SoftmaxExact x = softmax_exact(d);
  std::map<std::size_t, SoftmaxExpect> by_lanes;
  auto expect_for = [&](std::size_t lanes) -> const SoftmaxExpect& {
    auto it = by_lanes.find(lanes);
    if (it == by_lanes.end()) it = by_lanes.emplace(lanes, softmax_expect(d, x, lanes)).first;
    return it->second;
  };
  const std::string tk = std::string(" ").append(type_name<T>()).append(" ");

  SoftmaxOutputs<T> twin(n, m, K, kAllOutputs, 1);
  {
    const TestMatrix<T> M(d.X, n, m, kLayouts[1]);
    twin.loss = scalar::softmax_loss_grad(twin.pass(M.view(), d.labels.data(), K,
                                                    d.s.empty() ? nullptr : d.s.data(), d.W.data(),
                                                    d.b.empty() ? nullptr : d.b.data()));
    INFO("scalar:: twin");
    check_softmax_result(d, x, expect_for(1), twin, tk + "scalar:: twin");
  }
  unsigned mask = first_mask;
  for (const Layout& layout : kLayouts) {
    INFO("layout: " << layout.name);
    const TestMatrix<T> M(d.X, n, m, layout);
    const Buffer<T> s = input_buffer(d.s, layout.misalign);
    const Buffer<T> W = input_buffer(d.W, layout.misalign);
    const Buffer<T> b = input_buffer(d.b, layout.misalign);
    for_each_isa([&](Isa isa) {
      SoftmaxOutputs<T> out(n, m, K, mask, layout.misalign);
      mask = (mask + 1) % 4;
      out.reset();
      out.loss = kernels::softmax_loss_grad(out.pass(M.view(), d.labels.data(), K,
                                                     d.s.empty() ? nullptr : s.data(), W.data(),
                                                     d.b.empty() ? nullptr : b.data()));
      const SoftmaxExpect& e = expect_for(isa_lanes<T>(isa));
      check_softmax_result(d, x, e, out, tk + std::string(isa_name(isa)));
      const SoftmaxExpect& et = expect_for(1);
      Worst<T> loss;
      loss.add(0, out.loss, twin.loss, e.loss_tol + et.loss_tol, x.loss);
      expect_within(loss, "loss vs scalar twin", "");
      Worst<T> grad;
      for (std::size_t q = 0; q < K * m; ++q) {
        grad.add(q, out.grad_W[q], twin.grad_W[q], e.grad_tol[q] + et.grad_tol[q], x.grad_abs[q]);
      }
      expect_within(grad, "grad_W vs scalar twin", "");
      if (out.mask & kProbabilities) {
        Worst<T> p;
        for (std::size_t q = 0; q < n * K; ++q) {
          p.add(q, out.probabilities[q], twin.probabilities[q], e.p_tol[q] + et.p_tol[q], x.p[q]);
        }
        expect_within(p, "probabilities vs scalar twin", "");
      }
    });
  }
}

}  // namespace

TEMPLATE_TEST_CASE(
    "softmax_loss_grad matches long-double references under every ISA for all "
    "shapes and layouts",
    "[softmax][reference]", float, double) {
  using T = TestType;
  std::size_t index = 0;
  for (std::size_t rows : test_row_counts()) {
    for (std::size_t ci = 0; ci < test_col_counts().size(); ++ci) {
      const std::size_t cols = test_col_counts()[ci];
      for (std::size_t ki = 0; ki < std::size(kClassCounts); ++ki) {
        const std::size_t K = kClassCounts[ki];
        // Large shapes: one K per column count (cycling) and one data configuration.
        const bool large = rows >= 10000;
        if (large && ki != ci % std::size(kClassCounts)) continue;
        for (unsigned config = 0; config < 4; ++config) {
          if (large && config != (ci + ki) % 4) continue;
          const bool with_b = config & 1, weighted = config & 2;
          INFO(type_name<T>() << " softmax_loss_grad, rows " << rows << ", cols " << cols << ", K "
                              << K << (with_b ? ", with b" : ", b = nullptr")
                              << (weighted ? ", sample weights" : ", no sample weights"));
          const SoftmaxData<T> d =
              make_softmax<T>(rows, cols, K, with_b, weighted, 1.5, 20 + config);
          check_softmax_config(d, unsigned(index++ % 4));
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("softmax_loss_grad stays finite and accurate for extreme logits",
                   "[softmax][extreme]", float, double) {
  using T = TestType;
  for (double scale : {1e3, 1e10, 1e30}) {
    for (std::size_t K : {std::size_t(2), std::size_t(3), std::size_t(10)}) {
      for (unsigned config = 0; config < 4; ++config) {
        const bool with_b = config & 1, weighted = config & 2;
        INFO(type_name<T>() << ", |z| ~ " << scale << ", K " << K << ", b " << with_b
                            << ", weighted " << weighted);
        const SoftmaxData<T> d = make_softmax<T>(130, 17, K, with_b, weighted, scale, 60 + config);
        const TestMatrix<T> M(d.X, d.rows, d.cols, kLayouts[1]);
        const SoftmaxExact x = softmax_exact(d);
        auto check = [&](SoftmaxOutputs<T>& out, std::size_t lanes) {
          CHECK(std::isfinite(out.loss));
          bool finite = true;
          for (std::size_t q = 0; q < K * d.cols; ++q)
            finite = finite && std::isfinite(out.grad_W[q]);
          for (std::size_t k = 0; k < K; ++k)
            finite = finite && std::isfinite(out.grad_b[k]);
          bool in_range = true;
          for (std::size_t q = 0; q < d.rows * K; ++q) {
            in_range = in_range && out.probabilities[q] >= 0 && out.probabilities[q] <= 1;
          }
          CHECK(finite);
          CHECK(in_range);
          check_softmax_result(d, x, softmax_expect(d, x, lanes), out, "");
        };
        auto args = [&](SoftmaxOutputs<T>& out) {
          out.reset();
          return out.pass(M.view(), d.labels.data(), K, d.s.empty() ? nullptr : d.s.data(),
                          d.W.data(), d.b.empty() ? nullptr : d.b.data());
        };
        SoftmaxOutputs<T> out(d.rows, d.cols, K, kAllOutputs, 1);
        for_each_isa([&](Isa isa) {
          out.loss = kernels::softmax_loss_grad(args(out));
          check(out, isa_lanes<T>(isa));
        });
        out.loss = scalar::softmax_loss_grad(args(out));
        INFO("scalar:: twin");
        check(out, 1);
      }
    }
  }
}

TEMPLATE_TEST_CASE(
    "softmax_loss_grad with two classes is the logistic pass on the margin "
    "difference",
    "[softmax][logistic]", float, double) {
  using T = TestType;
  for (std::size_t rows : {std::size_t(1), std::size_t(17), std::size_t(130), std::size_t(20000)}) {
    for (std::size_t cols : {std::size_t(1), std::size_t(8), std::size_t(33)}) {
      for (bool weighted : {false, true}) {
        INFO(type_name<T>() << ", rows " << rows << ", cols " << cols << ", weighted " << weighted);
        SoftmaxData<T> d = make_softmax<T>(rows, cols, 2, true, weighted, 2.0, 70);
        // Class 0 has zero coefficients and intercept, so z_i0 = 0 exactly and the margin
        // difference z_i1 − z_i0 is the logistic margin x_i · w + b with w = W_1, b = b_1.
        std::fill(d.W.begin(), d.W.begin() + std::ptrdiff_t(cols), T(0));
        d.b[0] = T(0);
        std::vector<T> y(rows);
        for (std::size_t i = 0; i < rows; ++i)
          y[i] = T(d.labels[i]);
        const SoftmaxExact x = softmax_exact(d);
        const TestMatrix<T> M(d.X, rows, cols, kLayouts[1]);
        const T* s = weighted ? d.s.data() : nullptr;
        auto compare = [&](auto softmax_fn, auto logistic_fn, std::size_t lanes) {
          const SoftmaxExpect e = softmax_expect(d, x, lanes);
          std::vector<T> gW(2 * cols), gb(2), g(cols), p(2 * rows);
          T g_b = 0;
          SoftmaxPass<T> sp;
          sp.X = M.view();
          sp.labels = d.labels.data();
          sp.n_classes = 2;
          sp.sample_weight = s;
          sp.W = d.W.data();
          sp.b = d.b.data();
          sp.grad_W = gW.data();
          sp.grad_b = gb.data();
          sp.probabilities = p.data();
          LogisticPass<T> lp;
          lp.X = M.view();
          lp.y = y.data();
          lp.sample_weight = s;
          lp.w = d.W.data() + cols;
          lp.b = d.b[1];
          lp.grad_w = g.data();
          lp.grad_b = &g_b;
          const double ls = softmax_fn(sp);
          const double ll = logistic_fn(lp);
          // Both are within their bounds of the same exact value; the softmax bounds are the
          // looser of the two.
          Worst<T> loss;
          loss.add(0, ls, ll, 2 * e.loss_tol, x.loss);
          expect_within(loss, "softmax loss vs logistic loss", "");
          Worst<T> g1, g0;
          for (std::size_t j = 0; j < cols; ++j) {
            g1.add(j, gW[cols + j], g[j], 2 * e.grad_tol[cols + j], x.grad_abs[cols + j]);
            g0.add(j, gW[j], -(long double)g[j], 2 * e.grad_tol[j], x.grad_abs[j]);
          }
          expect_within(g1, "softmax grad_W row 1 vs logistic grad_w", "");
          expect_within(g0, "softmax grad_W row 0 vs −(logistic grad_w)", "");
          Worst<T> b1, b0;
          b1.add(1, gb[1], g_b, 2 * e.grad_b_tol[1], x.grad_b_abs[1]);
          b0.add(0, gb[0], -(long double)g_b, 2 * e.grad_b_tol[0], x.grad_b_abs[0]);
          expect_within(b1, "softmax grad_b[1] vs logistic grad_b", "");
          expect_within(b0, "softmax grad_b[0] vs −(logistic grad_b)", "");
        };
        for_each_isa([&](Isa isa) {
          compare([](const SoftmaxPass<T>& p) { return kernels::softmax_loss_grad(p); },
                  [](const LogisticPass<T>& p) { return kernels::logistic_loss_grad(p); },
                  isa_lanes<T>(isa));
        });
        compare([](const SoftmaxPass<T>& p) { return scalar::softmax_loss_grad(p); },
                [](const LogisticPass<T>& p) { return scalar::logistic_loss_grad(p); }, 1);
      }
    }
  }
}

TEMPLATE_TEST_CASE(
    "softmax_loss_grad: no weights and no intercepts mean ones and zeros bit for "
    "bit",
    "[softmax]", float, double) {
  using T = TestType;
  for (std::size_t rows : {std::size_t(3), std::size_t(130), std::size_t(20000)}) {
    for (std::size_t K : {std::size_t(1), std::size_t(3), std::size_t(17)}) {
      INFO("rows " << rows << ", K " << K);
      const std::size_t cols = 15;
      const SoftmaxData<T> d = make_softmax<T>(rows, cols, K, false, false, 1.5, 80);
      const TestMatrix<T> M(d.X, rows, cols, kLayouts[0]);
      const std::vector<T> ones(rows, T(1)), zeros(K, T(0));
      SoftmaxOutputs<T> a(rows, cols, K, kAllOutputs, 0), b(rows, cols, K, kAllOutputs, 0);
      auto run = [&](auto fn) {
        a.reset();
        b.reset();
        a.loss = fn(a.pass(M.view(), d.labels.data(), K, nullptr, d.W.data(), nullptr));
        b.loss = fn(b.pass(M.view(), d.labels.data(), K, ones.data(), d.W.data(), zeros.data()));
        CHECK(a.loss == b.loss);
        CHECK(bitwise_equal(a.grad_W.data(), b.grad_W.data(), K * cols));
        CHECK(bitwise_equal(a.grad_b.data(), b.grad_b.data(), K));
        CHECK(bitwise_equal(a.probabilities.data(), b.probabilities.data(), rows * K));
      };
      for_each_isa(
          [&](Isa) { run([](const SoftmaxPass<T>& p) { return kernels::softmax_loss_grad(p); }); });
      run([](const SoftmaxPass<T>& p) { return scalar::softmax_loss_grad(p); });
    }
  }
}

TEMPLATE_TEST_CASE("softmax_loss_grad with zero rows gives zero loss and zero gradients",
                   "[softmax]", float, double) {
  using T = TestType;
  const std::size_t K = 3, cols = 4;
  const std::vector<T> W(K * cols, T(0.5)), b = {T(1), T(2), T(3)};
  auto check = [&](auto fn) {
    SoftmaxOutputs<T> out(0, cols, K, kAllOutputs, 1);
    out.reset();
    out.loss = fn(out.pass(MatrixView<const T>(nullptr, 0, cols, cols), nullptr, K, nullptr,
                           W.data(), b.data()));
    CHECK(out.loss == 0.0);
    for (std::size_t q = 0; q < K * cols; ++q)
      CHECK(out.grad_W[q] == T(0));
    for (std::size_t k = 0; k < K; ++k)
      CHECK(out.grad_b[k] == T(0));
    CHECK(out.guards_intact());
  };
  for_each_isa(
      [&](Isa) { check([](const SoftmaxPass<T>& p) { return kernels::softmax_loss_grad(p); }); });
  check([](const SoftmaxPass<T>& p) { return scalar::softmax_loss_grad(p); });
}

TEMPLATE_TEST_CASE("softmax_loss_grad rejects bad labels and arguments before any work",
                   "[softmax][errors]", float, double) {
  using T = TestType;
  const std::size_t rows = 2000, cols = 5, K = 4;
  const SoftmaxData<T> d = make_softmax<T>(rows, cols, K, true, true, 1.0, 90);
  auto check = [&](auto fn) {
    std::vector<T> gW(K * cols, T(7)), gb(K, T(7)), p(rows * K, T(7));
    auto pass = [&]() {
      SoftmaxPass<T> sp;
      sp.X = MatrixView<const T>(d.X.data(), rows, cols, cols);
      sp.labels = d.labels.data();
      sp.n_classes = K;
      sp.sample_weight = d.s.data();
      sp.W = d.W.data();
      sp.b = d.b.data();
      sp.grad_W = gW.data();
      sp.grad_b = gb.data();
      sp.probabilities = p.data();
      return sp;
    };
    auto untouched = [&]() {
      bool same = true;
      for (T v : gW)
        same = same && v == T(7);
      for (T v : gb)
        same = same && v == T(7);
      for (T v : p)
        same = same && v == T(7);
      return same;
    };
    // Labels out of range: the message names the row.
    for (std::int32_t bad : {std::int32_t(-1), std::int32_t(K), std::int32_t(1000)}) {
      for (std::size_t row : {std::size_t(0), std::size_t(1234), rows - 1}) {
        INFO("label " << bad << " at row " << row);
        std::vector<std::int32_t> labels = d.labels;
        labels[row] = bad;
        SoftmaxPass<T> sp = pass();
        sp.labels = labels.data();
        CHECK_THROWS_AS(fn(sp), InvalidArgument);
        CHECK_THROWS_WITH(fn(sp), Catch::Contains(std::to_string(row)));
        CHECK(untouched());
      }
    }
    SoftmaxPass<T> sp = pass();
    sp.n_classes = 0;
    CHECK_THROWS_AS(fn(sp), InvalidArgument);
    sp = pass();
    sp.X.stride = cols - 1;
    CHECK_THROWS_AS(fn(sp), ShapeError);
    sp = pass();
    sp.X.data = nullptr;
    CHECK_THROWS_AS(fn(sp), InvalidArgument);
    sp = pass();
    sp.labels = nullptr;
    CHECK_THROWS_AS(fn(sp), InvalidArgument);
    sp = pass();
    sp.W = nullptr;
    CHECK_THROWS_AS(fn(sp), InvalidArgument);
    sp = pass();
    sp.grad_W = nullptr;
    CHECK_THROWS_AS(fn(sp), InvalidArgument);
    CHECK(untouched());
    CHECK_NOTHROW(fn(pass()));
    CHECK(!untouched());
  };
  for_each_isa(
      [&](Isa) { check([](const SoftmaxPass<T>& p) { return kernels::softmax_loss_grad(p); }); });
  check([](const SoftmaxPass<T>& p) { return scalar::softmax_loss_grad(p); });
}
