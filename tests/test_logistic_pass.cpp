// logistic_loss_grad: the fused one-pass logistic loss, gradient, margins and Hessian diagonal,
// against long-double references with the documented bounds, the scalar twin, kernels::log_loss
// of the returned margins, on every ISA, shape and layout; weights, fractional labels, optional
// outputs, extreme logits, zero rows and argument errors; the margins' two orders.
#include "matrix_support.hpp"

namespace simdlr::detail {
extern bool g_interleave_rows;  // set by the ISA selection; flipped here to compare
}

using namespace simdlr;
using namespace simdlr::test;

namespace {

template <class T>
struct LogisticData {
  std::size_t rows = 0, cols = 0;
  std::vector<T> X, y, s, w;  // s empty: no sample weights
  T b = 0;
  bool fractional = false;

  long double weight(std::size_t i) const { return s.empty() ? 1.0L : (long double)s[i]; }
};

template <class T>
LogisticData<T> make_logistic(std::size_t rows, std::size_t cols, bool weighted, bool fractional,
                              double z_scale, std::uint32_t salt,
                              const std::vector<T>* shared_X = nullptr) {
  LogisticData<T> d;
  d.rows = rows;
  d.cols = cols;
  d.fractional = fractional;
  d.X = shared_X ? *shared_X : normal_vector<T>(rows * cols, shape_seed(rows, cols, salt));
  d.w = normal_vector<T>(cols, shape_seed(rows, cols, salt + 1), z_scale / std::sqrt(double(cols)));
  d.b = T(z_scale * (cols % 2 ? 0.25 : -0.5));
  d.y = fractional ? uniform_vector<T>(rows, shape_seed(rows, cols, salt + 2), 0.0, 1.0)
                   : binary_labels<T>(rows, shape_seed(rows, cols, salt + 2));
  if (weighted) {
    d.s = uniform_vector<T>(rows, shape_seed(rows, cols, salt + 3), 0.0, 3.0);
    for (std::size_t i = 0; i < rows; i += 7)
      d.s[i] = T(0);  // zero weights are allowed
  }
  return d;
}

// Exact loss, gradient and Hessian diagonal at margins z_i, each z_i known within ztol_i, with
// tolerances from the documented bounds: loss 8 ε relative (plus ε for the weights), gradient
// as transpose_product with r_i = s_i (σ(z_i) − y_i) within 4 ULP + |y_i| ε, Hessian diagonal
// 8 ε relative; and how far each may move when z_i moves by ztol_i.
struct LogisticExpect {
  long double loss = 0, loss_tol = 0;
  std::vector<long double> grad, grad_tol, grad_scale;
  long double grad_b = 0, grad_b_tol = 0, grad_b_scale = 0;
  std::vector<long double> h, h_tol;
};

// σ(z), σ(−z), σ(z)σ(−z) and softplus(z) − y z from one e = exp(−|z|).
struct LogisticAt {
  long double sig, sig_neg, h, term;
};

inline LogisticAt logistic_at(long double z, long double y) {
  const long double e = std::exp(-std::fabs(z));
  const long double big = 1 / (1 + e), small = e / (1 + e);
  LogisticAt a;
  a.sig = z >= 0 ? big : small;
  a.sig_neg = z >= 0 ? small : big;
  a.h = e / ((1 + e) * (1 + e));
  a.term = std::log1p(e) + (z > 0 ? z : 0.0L) - y * z;
  return a;
}

// The exact values at margins z: per-row pieces, r_i = s_i (σ(z_i) − y_i), Xᵀr and Σ|x_ij r_i|.
struct LogisticExact {
  std::vector<LogisticAt> at;
  std::vector<long double> r;
  ColumnSums g;
  long double loss = 0, grad_b = 0, rabs = 0;
};

template <class T>
LogisticExact logistic_exact(const LogisticData<T>& d, const std::vector<long double>& z) {
  const std::size_t n = d.rows;
  LogisticExact x;
  x.at.resize(n);
  x.r.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const long double s = d.weight(i), y = d.y[i];
    x.at[i] = logistic_at(z[i], y);
    x.loss += s * x.at[i].term;
    x.r[i] = s * (x.at[i].sig - y);
    x.grad_b += x.r[i];
    x.rabs += std::fabs(x.r[i]);
  }
  x.g = ref_transpose_product(d.X, n, d.cols, x.r);
  return x;
}

template <class T>
LogisticExpect logistic_expect(const LogisticData<T>& d, const std::vector<long double>& z,
                               const LogisticExact& x, const std::vector<long double>& ztol) {
  const std::size_t n = d.rows;
  const long double eps = kEps<T>;
  const long double tiny = std::numeric_limits<T>::min();
  LogisticExpect e;
  e.h.resize(n);
  e.h_tol.resize(n);
  std::vector<long double> dr(n);
  long double loss_abs_tol = 0, drsum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double s = d.weight(i), y = d.y[i], zi = z[i], dz = ztol[i];
    const LogisticAt& a = x.at[i];
    // How far σ and σ(1 − σ) may move when z moves by up to dz. Small dz: since
    // |d/dz log(σ(z)σ(−z))| < 1, σ(1 − σ) changes by at most the factor e^dz, hence the bounds;
    // large dz: evaluate at the ends of the interval.
    long double spread = 0, dev = 0;
    if (dz > 0 && dz <= 1) {
      const long double grow = (long double)std::exp(double(dz));
      spread = 2 * dz * a.h * grow;
      dev = a.h * (long double)std::expm1(double(dz));
    } else if (dz > 1) {
      const LogisticAt lo = logistic_at(zi - dz, y), hi = logistic_at(zi + dz, y);
      spread = hi.sig - lo.sig;
      const long double hmax = (zi - dz <= 0 && zi + dz >= 0) ? 0.25L : std::max(lo.h, hi.h);
      dev = std::max(hmax - a.h, a.h - std::min(lo.h, hi.h));
    }
    loss_abs_tol += s * dz * (std::fabs(a.sig - y) + spread);
    dr[i] =
        s * (spread + 4 * eps * a.sig + eps * std::fabs(y) + tiny) + 2 * eps * std::fabs(x.r[i]);
    drsum += dr[i];
    e.h[i] = s * a.h;
    e.h_tol[i] = s * (8 * eps * a.h + dev + 2 * tiny);
  }
  e.loss = x.loss;
  e.loss_tol = 10 * eps * x.loss + loss_abs_tol;
  const std::vector<long double> g_dev = ref_abs_transpose(d.X, n, d.cols, dr);
  const long double factor = sum_factor(n, 1);
  e.grad = x.g.value;
  e.grad_scale = x.g.abs_sum;
  e.grad_tol.resize(d.cols);
  for (std::size_t j = 0; j < d.cols; ++j) {
    e.grad_tol[j] = factor * eps * x.g.abs_sum[j] + g_dev[j];
  }
  e.grad_b = x.grad_b;
  e.grad_b_scale = x.rabs;
  e.grad_b_tol = factor * eps * x.rabs + drsum;
  return e;
}

template <class T>
LogisticExpect logistic_expect(const LogisticData<T>& d, const std::vector<long double>& z,
                               const std::vector<long double>& ztol) {
  return logistic_expect(d, z, logistic_exact(d, z), ztol);
}

// Output flags of a call.
enum : unsigned { kGradB = 1, kMargins = 2, kHessian = 4, kAllOutputs = 7 };

template <class T>
struct LogisticOutputs {
  Buffer<T> grad_w, grad_b, margins, hessian;
  double loss = 0;
  unsigned mask;

  LogisticOutputs(std::size_t rows, std::size_t cols, unsigned mask_, std::size_t misalign)
      : grad_w(output_buffer<T>(cols, misalign)),
        grad_b(output_buffer<T>(1, misalign)),
        margins(output_buffer<T>(rows, misalign)),
        hessian(output_buffer<T>(rows, misalign)),
        mask(mask_) {}

  void reset() {
    grad_w.fill(nan_of<T>());
    grad_b.fill(nan_of<T>());
    margins.fill(nan_of<T>());
    hessian.fill(nan_of<T>());
  }
  LogisticPass<T> pass(MatrixView<const T> X, const T* y, const T* s, const T* w, T b) {
    LogisticPass<T> p;
    p.X = X;
    p.y = y;
    p.sample_weight = s;
    p.w = w;
    p.b = b;
    p.grad_w = grad_w.data();
    p.grad_b = (mask & kGradB) ? grad_b.data() : nullptr;
    p.margins = (mask & kMargins) ? margins.data() : nullptr;
    p.hessian_diag = (mask & kHessian) ? hessian.data() : nullptr;
    return p;
  }
  bool guards_intact() const {
    return grad_w.guards_intact() && grad_b.guards_intact() && margins.guards_intact() &&
           hessian.guards_intact();
  }
};

// Checks one result against the references; `key` names the error-report entry.
template <class T>
void check_logistic_result(const LogisticData<T>& d, const RowDots<T>& zref, std::size_t lanes,
                           const LogisticExpect& at_ref, const LogisticOutputs<T>& out,
                           const std::string& key) {
  const std::size_t n = d.rows, m = d.cols;
  CHECK(out.guards_intact());
  INFO("outputs: grad_b " << bool(out.mask & kGradB) << ", margins " << bool(out.mask & kMargins)
                          << ", hessian_diag " << bool(out.mask & kHessian));
  // Untouched optional outputs.
  if (!(out.mask & kGradB)) CHECK(std::isnan(out.grad_b[0]));
  if (!(out.mask & kMargins) && n > 0) CHECK(std::isnan(out.margins[0]));
  if (!(out.mask & kHessian) && n > 0) CHECK(std::isnan(out.hessian[0]));

  // Against the exact values at the exact margins, allowing for the margins' own error.
  {
    Worst<T> loss_d;
    loss_d.add(0, out.loss, at_ref.loss, at_ref.loss_tol, at_ref.loss);
    expect_within(loss_d, "loss vs reference at exact margins", "");
    Worst<T> grad;
    for (std::size_t j = 0; j < m; ++j) {
      grad.add(j, out.grad_w[j], at_ref.grad[j], at_ref.grad_tol[j], at_ref.grad_scale[j]);
    }
    expect_within(grad, "grad_w vs reference at exact margins", "");
    if (out.mask & kGradB) {
      Worst<T> gb;
      gb.add(0, out.grad_b[0], at_ref.grad_b, at_ref.grad_b_tol, at_ref.grad_b_scale);
      expect_within(gb, "grad_b vs reference at exact margins", "");
    }
    if (out.mask & kMargins) {
      Worst<T> z;
      for (std::size_t i = 0; i < n; ++i) {
        z.add(i, out.margins[i], zref.value[i],
              margin_tol(zref.abs_sum[i], zref.value[i], d.b, m, lanes),
              zref.abs_sum[i] + std::fabs(d.b));
      }
      expect_within(z, "margins vs reference", key.empty() ? "" : "logistic margins" + key);
    }
    if (out.mask & kHessian) {
      Worst<T> h;
      for (std::size_t i = 0; i < n; ++i)
        h.add(i, out.hessian[i], at_ref.h[i], at_ref.h_tol[i], at_ref.h[i]);
      expect_within(h, "hessian_diag vs reference at exact margins", "");
    }
  }

  // With the margins returned, against the exact values at those margins: the tight check of
  // the documented bounds, and the loss equals kernels::log_loss of the margins (times weights).
  if (out.mask & kMargins) {
    const std::vector<long double> zk = widen(out.margins.data(), n);
    const LogisticExpect at_z = logistic_expect(d, zk, std::vector<long double>(n, 0.0L));
    Worst<T> loss;
    loss.add(0, out.loss, at_z.loss, at_z.loss_tol, at_z.loss);
    expect_within(loss, "loss vs reference at the returned margins",
                  key.empty() ? "" : "logistic loss" + key);
    Worst<T> grad;
    for (std::size_t j = 0; j < m; ++j) {
      grad.add(j, out.grad_w[j], at_z.grad[j], at_z.grad_tol[j], at_z.grad_scale[j]);
    }
    expect_within(grad, "grad_w vs reference at the returned margins",
                  key.empty() ? "" : "logistic grad_w" + key);
    if (out.mask & kGradB) {
      Worst<T> gb;
      gb.add(0, out.grad_b[0], at_z.grad_b, at_z.grad_b_tol, at_z.grad_b_scale);
      expect_within(gb, "grad_b vs reference at the returned margins",
                    key.empty() ? "" : "logistic grad_b" + key);
    }
    if (out.mask & kHessian) {
      Worst<T> h;
      for (std::size_t i = 0; i < n; ++i) {
        h.add(i, out.hessian[i], at_z.h[i], at_z.h_tol[i], at_z.h[i]);
      }
      expect_within(h, "hessian_diag vs s σ(1 − σ) at the returned margins",
                    key.empty() ? "" : "logistic hessian_diag" + key);
    }
    long double via_log_loss = 0;
    if (d.s.empty()) {
      via_log_loss = kernels::log_loss(out.margins.data(), d.y.data(), n);
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        via_log_loss += (long double)d.s[i] *
                        (long double)kernels::log_loss(out.margins.data() + i, d.y.data() + i, 1);
      }
    }
    Worst<T> same;
    same.add(0, out.loss, via_log_loss, 20 * kEps<T> * at_z.loss, at_z.loss);
    expect_within(same, "loss vs kernels::log_loss of the returned margins (times weights)", "");
  }
}

template <class T>
void check_logistic_shape(std::size_t rows, std::size_t cols, std::size_t shape_index) {
  // Every combination of weights and label kinds; on the large shapes two of them, alternating
  // with the shape, to keep the run time down.
  const bool large = rows >= 10000;
  const std::vector<T> X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 9));
  for (unsigned k = 0; k < (large ? 2u : 4u); ++k) {
    const unsigned combo =
        large ? (k == 0 ? unsigned(shape_index % 4) : 3u - unsigned(shape_index % 4)) : k;
    const bool weighted = combo & 1, fractional = combo & 2;
    INFO(type_name<T>() << " logistic_loss_grad, rows " << rows << ", cols " << cols
                        << (weighted ? ", sample weights" : ", no sample weights")
                        << (fractional ? ", fractional labels" : ", labels in {0, 1}"));
    const LogisticData<T> d =
        make_logistic<T>(rows, cols, weighted, fractional, 2.0, 10 + combo, &X);
    const RowDots<T> zref = ref_row_dots(d.X, rows, cols, d.w.data(), d.b);
    const LogisticExact exact = logistic_exact(d, zref.value);
    std::map<std::size_t, LogisticExpect> expect_by_lanes;
    auto expect_for = [&](std::size_t lanes) -> const LogisticExpect& {
      auto it = expect_by_lanes.find(lanes);
      if (it == expect_by_lanes.end()) {
        std::vector<long double> ztol(rows);
        for (std::size_t i = 0; i < rows; ++i) {
          ztol[i] = margin_tol(zref.abs_sum[i], zref.value[i], d.b, cols, lanes);
        }
        it = expect_by_lanes.emplace(lanes, logistic_expect(d, zref.value, exact, ztol)).first;
      }
      return it->second;
    };
    const unsigned mask = unsigned(shape_index + 3 * combo) % 8;

    // The twin, with every output.
    const Buffer<T> y1 = input_buffer(d.y), s1 = input_buffer(d.s), w1 = input_buffer(d.w);
    LogisticOutputs<T> twin(rows, cols, kAllOutputs, 1);
    {
      const TestMatrix<T> M(d.X, rows, cols, kLayouts[1]);
      twin.loss = scalar::logistic_loss_grad(
          twin.pass(M.view(), y1.data(), weighted ? s1.data() : nullptr, w1.data(), d.b));
      INFO("scalar:: twin");
      check_logistic_result(d, zref, 1, expect_for(1), twin, twin_key<T>(""));
    }

    for (const Layout& layout : kLayouts) {
      INFO("layout: " << layout.name);
      const TestMatrix<T> M(d.X, rows, cols, layout);
      const Buffer<T> y = input_buffer(d.y, layout.misalign);
      const Buffer<T> s = input_buffer(d.s, layout.misalign);
      const Buffer<T> w = input_buffer(d.w, layout.misalign);
      LogisticOutputs<T> out(rows, cols, mask, layout.misalign);
      for_each_isa([&](Isa isa) {
        out.reset();
        out.loss = kernels::logistic_loss_grad(
            out.pass(M.view(), y.data(), weighted ? s.data() : nullptr, w.data(), d.b));
        const std::size_t lanes = isa_lanes<T>(isa);
        check_logistic_result(
            d, zref, lanes, expect_for(lanes), out,
            std::string(" ").append(type_name<T>()).append(" ").append(isa_name(isa)));
        // Against the twin: both within their bounds of the exact values.
        const LogisticExpect& ek = expect_for(lanes);
        const LogisticExpect& et = expect_for(1);
        Worst<T> loss;
        loss.add(0, out.loss, twin.loss, ek.loss_tol + et.loss_tol, ek.loss);
        expect_within(loss, "loss vs scalar twin", "");
        Worst<T> grad;
        for (std::size_t j = 0; j < cols; ++j) {
          grad.add(j, out.grad_w[j], twin.grad_w[j], ek.grad_tol[j] + et.grad_tol[j],
                   ek.grad_scale[j]);
        }
        expect_within(grad, "grad_w vs scalar twin", "");
        if (mask & kHessian) {
          Worst<T> h;
          for (std::size_t i = 0; i < rows; ++i) {
            h.add(i, out.hessian[i], twin.hessian[i], ek.h_tol[i] + et.h_tol[i], ek.h[i]);
          }
          expect_within(h, "hessian_diag vs scalar twin", "");
        }
      });
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE(
    "logistic_loss_grad matches long-double references under every ISA for all shapes and "
    "layouts",
    "[logistic][reference]", float, double) {
  for_each_test_shape(check_logistic_shape<TestType>);
}

TEMPLATE_TEST_CASE("logistic_loss_grad: no sample weights means all ones bit for bit", "[logistic]",
                   float, double) {
  using T = TestType;
  for (std::size_t rows : {std::size_t(1), std::size_t(5), std::size_t(130), std::size_t(20000)}) {
    for (std::size_t cols : {std::size_t(3), std::size_t(17), std::size_t(33)}) {
      INFO("rows " << rows << ", cols " << cols);
      const LogisticData<T> d = make_logistic<T>(rows, cols, false, true, 2.0, 40);
      const TestMatrix<T> M(d.X, rows, cols, kLayouts[1]);
      const std::vector<T> ones(rows, T(1));
      auto run = [&](auto fn, const T* s, LogisticOutputs<T>& out) {
        out.reset();
        out.loss = fn(out.pass(M.view(), d.y.data(), s, d.w.data(), d.b));
      };
      LogisticOutputs<T> a(rows, cols, kAllOutputs, 0), b(rows, cols, kAllOutputs, 0);
      auto same = [&]() {
        CHECK(a.loss == b.loss);
        CHECK(bitwise_equal(a.grad_w.data(), b.grad_w.data(), cols));
        CHECK(bitwise_equal(a.grad_b.data(), b.grad_b.data(), 1));
        CHECK(bitwise_equal(a.margins.data(), b.margins.data(), rows));
        CHECK(bitwise_equal(a.hessian.data(), b.hessian.data(), rows));
      };
      for_each_isa([&](Isa) {
        auto k = [](const LogisticPass<T>& p) { return kernels::logistic_loss_grad(p); };
        run(k, nullptr, a);
        run(k, ones.data(), b);
        same();
      });
      auto t = [](const LogisticPass<T>& p) { return scalar::logistic_loss_grad(p); };
      run(t, nullptr, a);
      run(t, ones.data(), b);
      same();
    }
  }
}

TEMPLATE_TEST_CASE("logistic_loss_grad stays finite and accurate for extreme logits",
                   "[logistic][extreme]", float, double) {
  using T = TestType;
  for (double scale : {1e3, 1e15, 1e30}) {
    for (std::size_t rows : {std::size_t(130), std::size_t(3000)}) {
      for (std::size_t cols : {std::size_t(7), std::size_t(33)}) {
        for (unsigned combo = 0; combo < 4; ++combo) {
          const bool weighted = combo & 1, fractional = combo & 2;
          INFO(type_name<T>() << ", |z| ~ " << scale << ", rows " << rows << ", cols " << cols
                              << ", weighted " << weighted << ", fractional " << fractional);
          const LogisticData<T> d = make_logistic<T>(rows, cols, weighted, fractional, scale, 50);
          const RowDots<T> zref = ref_row_dots(d.X, rows, cols, d.w.data(), d.b);
          const TestMatrix<T> M(d.X, rows, cols, kLayouts[1]);
          LogisticOutputs<T> out(rows, cols, kAllOutputs, 1);
          auto check = [&](std::size_t lanes) {
            CHECK(std::isfinite(out.loss));
            bool finite = std::isfinite(out.grad_b[0]);
            for (std::size_t j = 0; j < cols; ++j)
              finite = finite && std::isfinite(out.grad_w[j]);
            bool hessian_ok = true;
            for (std::size_t i = 0; i < rows; ++i) {
              hessian_ok = hessian_ok && std::isfinite(out.hessian[i]) && out.hessian[i] >= 0 &&
                           out.hessian[i] <= T(0.25) * T(3);
            }
            CHECK(finite);
            CHECK(hessian_ok);
            std::vector<long double> ztol(rows);
            for (std::size_t i = 0; i < rows; ++i) {
              ztol[i] = margin_tol(zref.abs_sum[i], zref.value[i], d.b, cols, lanes);
            }
            check_logistic_result(d, zref, lanes, logistic_expect(d, zref.value, ztol), out, "");
          };
          for_each_isa([&](Isa isa) {
            out.reset();
            out.loss = kernels::logistic_loss_grad(
                out.pass(M.view(), d.y.data(), weighted ? d.s.data() : nullptr, d.w.data(), d.b));
            check(isa_lanes<T>(isa));
          });
          out.reset();
          out.loss = scalar::logistic_loss_grad(
              out.pass(M.view(), d.y.data(), weighted ? d.s.data() : nullptr, d.w.data(), d.b));
          INFO("scalar:: twin");
          check(1);
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("logistic_loss_grad with zero rows gives zero loss and zero gradients",
                   "[logistic]", float, double) {
  using T = TestType;
  const std::vector<T> w = {T(0.5), T(-1), T(2), T(3)};
  auto check = [&](auto fn) {
    LogisticOutputs<T> out(0, 4, kAllOutputs, 1);
    out.reset();
    const MatrixView<const T> empty(nullptr, 0, 4, 4);
    LogisticPass<T> p = out.pass(empty, nullptr, nullptr, w.data(), T(1.5));
    out.loss = fn(p);
    CHECK(out.loss == 0.0);
    for (std::size_t j = 0; j < 4; ++j)
      CHECK(out.grad_w[j] == T(0));
    CHECK(out.grad_b[0] == T(0));
    CHECK(out.guards_intact());
  };
  for_each_isa(
      [&](Isa) { check([](const LogisticPass<T>& p) { return kernels::logistic_loss_grad(p); }); });
  check([](const LogisticPass<T>& p) { return scalar::logistic_loss_grad(p); });
}

TEMPLATE_TEST_CASE("logistic_loss_grad rejects bad arguments before any work", "[logistic][errors]",
                   float, double) {
  using T = TestType;
  const std::size_t rows = 6, cols = 5;
  const std::vector<T> X(rows * cols, T(1)), y(rows, T(1)), w(cols, T(1));
  auto check = [&](auto fn) {
    std::vector<T> grad(cols, T(7)), margins(rows, T(7)), hess(rows, T(7));
    T grad_b = T(7);
    auto pass = [&]() {
      LogisticPass<T> p;
      p.X = MatrixView<const T>(X.data(), rows, cols, cols);
      p.y = y.data();
      p.w = w.data();
      p.grad_w = grad.data();
      p.grad_b = &grad_b;
      p.margins = margins.data();
      p.hessian_diag = hess.data();
      return p;
    };
    LogisticPass<T> p = pass();
    p.X.stride = cols - 1;
    CHECK_THROWS_AS(fn(p), ShapeError);
    p = pass();
    p.X.data = nullptr;
    CHECK_THROWS_AS(fn(p), InvalidArgument);
    p = pass();
    p.y = nullptr;
    CHECK_THROWS_AS(fn(p), InvalidArgument);
    p = pass();
    p.w = nullptr;
    CHECK_THROWS_AS(fn(p), InvalidArgument);
    p = pass();
    p.grad_w = nullptr;
    CHECK_THROWS_AS(fn(p), InvalidArgument);
    for (T v : grad)
      CHECK(v == T(7));
    for (T v : margins)
      CHECK(v == T(7));
    for (T v : hess)
      CHECK(v == T(7));
    CHECK(grad_b == T(7));
    // And the good call works.
    CHECK_NOTHROW(fn(pass()));
    CHECK(grad_b != T(7));
  };
  for_each_isa(
      [&](Isa) { check([](const LogisticPass<T>& p) { return kernels::logistic_loss_grad(p); }); });
  check([](const LogisticPass<T>& p) { return scalar::logistic_loss_grad(p); });
}

// The fused pass takes a block's margins a column step across its rows where all of X is small
// enough to sit in cache, where its rows are narrow, and for long rows wherever X is on Intel
// CPUs; row by row otherwise (kernel_table.hpp, kResidentBytes, g_interleave_rows): the same sums
// in the same order, so every row's margin has kernels::margins' bits in either order, over all of
// a large X (with the per-CPU switch off and on) as over a few of its rows.
TEMPLATE_TEST_CASE(
    "logistic_loss_grad's margins have the same bits over a large X, in either order, as over a "
    "few of its rows",
    "[logistic]", float, double) {
  using T = TestType;
  constexpr std::size_t cols = 601, few = 1000;  // rows of over 2 KiB: long, not narrow
  const std::size_t rows = (std::size_t(17) << 20) / (cols * sizeof(T)) + 1;  // X over 16 MiB
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal;
  std::vector<T> X(rows * cols), y(rows), w(cols), grad(cols);
  for (T& v : X)
    v = T(normal(gen));
  for (std::size_t i = 0; i < rows; ++i)
    y[i] = T(i % 3 == 0);
  for (T& v : w)
    v = T(0.05 * normal(gen));
  const T b = T(0.25);
  const bool interleave = detail::g_interleave_rows;
  for_each_isa([&](Isa) {
    std::vector<T> z_ref(few);
    kernels::margins(MatrixView<const T>(X.data(), few, cols), w.data(), b, z_ref.data());
    const auto pass_margins = [&](std::size_t n) {
      std::vector<T> z(n);
      T grad_b = 0;
      const LogisticPass<T> p{.X = MatrixView<const T>(X.data(), n, cols),
                              .y = y.data(),
                              .w = w.data(),
                              .b = b,
                              .grad_w = grad.data(),
                              .grad_b = &grad_b,
                              .margins = z.data()};
      kernels::logistic_loss_grad(p);
      return z;
    };
    for (const bool on : {false, true}) {
      INFO("g_interleave_rows " << on);
      detail::g_interleave_rows = on;
      CHECK(bitwise_equal(pass_margins(rows).data(), z_ref.data(), few));
    }
    detail::g_interleave_rows = interleave;
    CHECK(bitwise_equal(pass_margins(few).data(), z_ref.data(), few));
  });
}
