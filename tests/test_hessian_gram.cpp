// hessian_vector (Xᵀ D (X v + v_b)) and weighted_gram (Xᵀ D X): long-double references with the
// documented bounds, the scalar twins, every ISA, shape and layout; D = I for d == nullptr, the
// optional out_b, exact symmetry of the Gram matrix, zero rows and argument errors.
#include "matrix_support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

template <class T>
struct HvData {
  std::size_t rows = 0, cols = 0;
  std::vector<T> X, d, v;  // d empty: D = I
  T v_b = 0;
};

// Exact values and tolerances of hessian_vector for an ISA with `lanes` lanes: u_i as margins,
// t_i = d_i u_i (one more rounding), out and out_b as transpose_product of t.
struct HvExpect {
  std::vector<long double> out, out_tol, out_scale;
  long double out_b = 0, out_b_tol = 0, out_b_scale = 0;
};

template <class T>
HvExpect hv_expect(const HvData<T>& h, const RowDots<T>& u, std::size_t lanes) {
  const std::size_t n = h.rows, m = h.cols;
  const long double eps = kEps<T>;
  std::vector<long double> t(n), dt(n);
  HvExpect e;
  for (std::size_t i = 0; i < n; ++i) {
    const long double di = h.d.empty() ? 1.0L : (long double)h.d[i];
    t[i] = di * u.value[i];
    dt[i] = di * margin_tol(u.abs_sum[i], u.value[i], h.v_b, m, lanes) + eps * std::fabs(t[i]);
    e.out_b += t[i];
    e.out_b_scale += std::fabs(t[i]);
    e.out_b_tol += dt[i];
  }
  const long double factor = sum_factor(n, 1);
  e.out_b_tol += factor * eps * e.out_b_scale;
  const ColumnSums c = ref_transpose_product(h.X, n, m, t);
  const std::vector<long double> dev = ref_abs_transpose(h.X, n, m, dt);
  e.out = c.value;
  e.out_scale = c.abs_sum;
  e.out_tol.resize(m);
  for (std::size_t j = 0; j < m; ++j)
    e.out_tol[j] = factor * eps * c.abs_sum[j] + dev[j];
  return e;
}

template <class T>
void check_hessian_vector_shape(std::size_t rows, std::size_t cols, std::size_t shape_index) {
  const std::vector<T> X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 30));
  for (unsigned config = 0; config < 4; ++config) {
    const bool weighted = config & 1, with_vb = config & 2;
    if (rows >= 10000 && config != shape_index % 4) continue;  // large shapes: one each
    INFO(type_name<T>() << " hessian_vector, rows " << rows << ", cols " << cols
                        << (weighted ? ", weights d" : ", d = nullptr")
                        << (with_vb ? ", v_b != 0" : ", v_b = 0"));
    HvData<T> h;
    h.rows = rows;
    h.cols = cols;
    h.X = X;
    h.v =
        normal_vector<T>(cols, shape_seed(rows, cols, 31 + config), 1.0 / std::sqrt(double(cols)));
    if (weighted) h.d = uniform_vector<T>(rows, shape_seed(rows, cols, 35 + config), 0.0, 0.25);
    h.v_b = with_vb ? T(-0.625) : T(0);
    const RowDots<T> u = ref_row_dots(h.X, rows, cols, h.v.data(), h.v_b);
    std::map<std::size_t, HvExpect> by_lanes;
    auto expect_for = [&](std::size_t lanes) -> const HvExpect& {
      auto it = by_lanes.find(lanes);
      if (it == by_lanes.end()) it = by_lanes.emplace(lanes, hv_expect(h, u, lanes)).first;
      return it->second;
    };
    auto check = [&](const Buffer<T>& out, const Buffer<T>& out_b, bool has_b, const HvExpect& e,
                     const std::string& key) {
      CHECK(out.guards_intact());
      CHECK(out_b.guards_intact());
      Worst<T> w;
      for (std::size_t j = 0; j < cols; ++j)
        w.add(j, out[j], e.out[j], e.out_tol[j], e.out_scale[j]);
      expect_within(w, "out vs reference", key.empty() ? "" : "hessian_vector out" + key);
      if (has_b) {
        Worst<T> wb;
        wb.add(0, out_b[0], e.out_b, e.out_b_tol, e.out_b_scale);
        expect_within(wb, "out_b vs reference", key.empty() ? "" : "hessian_vector out_b" + key);
      } else {
        CHECK(std::isnan(out_b[0]));
      }
    };
    const std::string tk = std::string(" ").append(type_name<T>()).append(" ");

    Buffer<T> twin = output_buffer<T>(cols), twin_b = output_buffer<T>(1);
    {
      const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
      scalar::hessian_vector(M.view(), weighted ? h.d.data() : nullptr, h.v.data(), h.v_b,
                             twin.data(), twin_b.data());
      INFO("scalar:: twin");
      check(twin, twin_b, true, expect_for(1), tk + "scalar:: twin");
    }
    unsigned call = 0;
    for (const Layout& layout : kLayouts) {
      INFO("layout: " << layout.name);
      const TestMatrix<T> M(X, rows, cols, layout);
      const Buffer<T> d = input_buffer(h.d, layout.misalign);
      const Buffer<T> v = input_buffer(h.v, layout.misalign);
      Buffer<T> out = output_buffer<T>(cols, layout.misalign);
      Buffer<T> out_b = output_buffer<T>(1, layout.misalign);
      for_each_isa([&](Isa isa) {
        const bool has_b = (call++ + shape_index) % 2 == 0;
        INFO("out_b " << (has_b ? "requested" : "nullptr"));
        out.fill(nan_of<T>());
        out_b.fill(nan_of<T>());
        kernels::hessian_vector(M.view(), weighted ? d.data() : nullptr, v.data(), h.v_b,
                                out.data(), has_b ? out_b.data() : nullptr);
        const HvExpect& e = expect_for(isa_lanes<T>(isa));
        check(out, out_b, has_b, e, tk + std::string(isa_name(isa)));
        const HvExpect& et = expect_for(1);
        Worst<T> w;
        for (std::size_t j = 0; j < cols; ++j) {
          w.add(j, out[j], twin[j], e.out_tol[j] + et.out_tol[j], e.out_scale[j]);
        }
        expect_within(w, "out vs scalar twin", "");
      });
    }
  }
}

// Exact Xᵀ D X with Σ_i |d_i x_ij x_ik| (full matrices, computed on the upper triangle).
struct GramExpect {
  std::vector<long double> value, abs_sum;
};

template <class T>
GramExpect gram_expect(const std::vector<T>& X, const std::vector<T>& d, std::size_t n,
                       std::size_t m) {
  GramExpect g;
  g.value.assign(m * m, 0.0L);
  std::vector<double> abs_sum(m * m, 0.0);  // a tolerance: double is plenty, and fast
  std::vector<long double> row(m);
  std::vector<double> abs_row(m);
  for (std::size_t i = 0; i < n; ++i) {
    const long double di = d.empty() ? 1.0L : (long double)d[i];
    for (std::size_t j = 0; j < m; ++j) {
      row[j] = X[i * m + j];
      abs_row[j] = std::fabs(double(X[i * m + j]));
    }
    for (std::size_t j = 0; j < m; ++j) {
      const long double a = di * row[j];
      long double* gv = g.value.data() + j * m;
      for (std::size_t k = j; k < m; ++k)
        gv[k] += a * row[k];
      const double aa = double(std::fabs(a));
      double* ga = abs_sum.data() + j * m;
      for (std::size_t k = j; k < m; ++k)
        ga[k] += aa * abs_row[k];
    }
  }
  g.abs_sum.resize(m * m);
  for (std::size_t q = 0; q < m * m; ++q)
    g.abs_sum[q] = (long double)abs_sum[q] * (1 + 1e-12L);
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t k = 0; k < j; ++k) {
      g.value[j * m + k] = g.value[k * m + j];
      g.abs_sum[j * m + k] = g.abs_sum[k * m + j];
    }
  }
  return g;
}

template <class T>
bool exactly_symmetric(const Buffer<T>& g, std::size_t m) {
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t k = j + 1; k < m; ++k) {
      if (!bitwise_equal(&g[j * m + k], &g[k * m + j], 1)) return false;
    }
  }
  return true;
}

template <class T>
void check_gram_shape(std::size_t rows, std::size_t cols, std::size_t shape_index) {
  const std::vector<T> X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 40));
  for (unsigned config = 0; config < 2; ++config) {
    const bool weighted = config == 1;
    if (rows >= 10000 && config != shape_index % 2) continue;  // large shapes: one each
    INFO(type_name<T>() << " weighted_gram, rows " << rows << ", cols " << cols
                        << (weighted ? ", weights d" : ", d = nullptr"));
    const std::vector<T> dw =
        weighted ? uniform_vector<T>(rows, shape_seed(rows, cols, 41), 0.0, 2.0) : std::vector<T>{};
    const GramExpect g = gram_expect(X, dw, rows, cols);
    const long double factor = sum_factor(rows, 1);
    const std::size_t mm = cols * cols;
    auto check = [&](const Buffer<T>& out, const std::string& key) {
      CHECK(out.guards_intact());
      CHECK(exactly_symmetric(out, cols));
      Worst<T> w;
      for (std::size_t q = 0; q < mm; ++q) {
        w.add(q, out[q], g.value[q], factor * kEps<T> * g.abs_sum[q], g.abs_sum[q]);
      }
      expect_within(w, "Gram matrix vs reference (index j * cols + k)", key);
    };
    Buffer<T> twin = output_buffer<T>(mm);
    {
      const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
      scalar::weighted_gram(M.view(), weighted ? dw.data() : nullptr, twin.data());
      INFO("scalar:: twin");
      check(twin, twin_key<T>("weighted_gram"));
    }
    for (const Layout& layout : kLayouts) {
      INFO("layout: " << layout.name);
      const TestMatrix<T> M(X, rows, cols, layout);
      const Buffer<T> d = input_buffer(dw, layout.misalign);
      Buffer<T> out = output_buffer<T>(mm, layout.misalign);
      for_each_isa([&](Isa isa) {
        out.fill(nan_of<T>());
        kernels::weighted_gram(M.view(), weighted ? d.data() : nullptr, out.data());
        check(out, report_key<T>("weighted_gram", isa));
        Worst<T> w;
        for (std::size_t q = 0; q < mm; ++q) {
          w.add(q, out[q], twin[q], 2 * factor * kEps<T> * g.abs_sum[q], g.abs_sum[q]);
        }
        expect_within(w, "Gram matrix vs scalar twin", "");
      });
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE(
    "hessian_vector matches a long-double reference under every ISA for all "
    "shapes and layouts",
    "[hessian_vector][reference]", float, double) {
  for_each_test_shape(check_hessian_vector_shape<TestType>);
}

TEMPLATE_TEST_CASE(
    "weighted_gram matches a long-double reference and is exactly symmetric "
    "under every ISA for all shapes and layouts",
    "[weighted_gram][reference]", float, double) {
  for_each_test_shape(check_gram_shape<TestType>);
}

TEMPLATE_TEST_CASE("hessian_vector and weighted_gram: d == nullptr is the identity bit for bit",
                   "[hessian_vector][weighted_gram]", float, double) {
  using T = TestType;
  for (std::size_t rows : {std::size_t(5), std::size_t(130), std::size_t(20000)}) {
    for (std::size_t cols : {std::size_t(3), std::size_t(16), std::size_t(33)}) {
      INFO("rows " << rows << ", cols " << cols);
      const std::vector<T> X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 50));
      const std::vector<T> v = normal_vector<T>(cols, shape_seed(rows, cols, 51));
      const std::vector<T> ones(rows, T(1));
      const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
      std::vector<T> a(cols * cols), b(cols * cols);
      T ab = 0, bb = 0;
      auto run = [&](auto hv, auto gram) {
        hv(M.view(), nullptr, v.data(), T(0.5), a.data(), &ab);
        hv(M.view(), ones.data(), v.data(), T(0.5), b.data(), &bb);
        CHECK(bitwise_equal(a.data(), b.data(), cols));
        CHECK(bitwise_equal(&ab, &bb, 1));
        gram(M.view(), nullptr, a.data());
        gram(M.view(), ones.data(), b.data());
        CHECK(bitwise_equal(a.data(), b.data(), cols * cols));
      };
      for_each_isa([&](Isa) {
        run([](auto... x) { kernels::hessian_vector(x...); },
            [](auto... x) { kernels::weighted_gram(x...); });
      });
      run([](auto... x) { scalar::hessian_vector(x...); },
          [](auto... x) { scalar::weighted_gram(x...); });
    }
  }
}

TEMPLATE_TEST_CASE("hessian_vector and weighted_gram of exactly representable data are exact",
                   "[hessian_vector][weighted_gram]", float, double) {
  // Small integers: every product and partial sum is exact in T, whatever the order.
  using T = TestType;
  const std::size_t rows = 301, cols = 19;
  std::vector<T> X = integer_matrix<T>(rows, cols, 5, 11, 13);  // in [-6, 6]
  std::vector<T> d = integer_cycle<T>(rows, 4, 0);              // in [0, 3]
  std::vector<T> v = integer_cycle<T>(cols, 3, 1);              // in [-1, 1]
  const T v_b = T(2);
  HvData<T> h{rows, cols, X, d, v, v_b};
  const RowDots<T> u = ref_row_dots(X, rows, cols, v.data(), v_b);
  const HvExpect e = hv_expect(h, u, 1);
  const GramExpect g = gram_expect(X, d, rows, cols);
  const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
  std::vector<T> out(cols), gram(cols * cols);
  T out_b = 0;
  auto check_exact = [&]() {
    for (std::size_t j = 0; j < cols; ++j)
      REQUIRE((long double)out[j] == e.out[j]);
    REQUIRE((long double)out_b == e.out_b);
    for (std::size_t q = 0; q < cols * cols; ++q)
      REQUIRE((long double)gram[q] == g.value[q]);
  };
  for_each_isa([&](Isa) {
    kernels::hessian_vector(M.view(), d.data(), v.data(), v_b, out.data(), &out_b);
    kernels::weighted_gram(M.view(), d.data(), gram.data());
    check_exact();
  });
  scalar::hessian_vector(M.view(), d.data(), v.data(), v_b, out.data(), &out_b);
  scalar::weighted_gram(M.view(), d.data(), gram.data());
  check_exact();
}

TEMPLATE_TEST_CASE("hessian_vector and weighted_gram with zero rows give zeros",
                   "[hessian_vector][weighted_gram]", float, double) {
  using T = TestType;
  const std::size_t cols = 7;
  const std::vector<T> v(cols, T(1));
  auto check = [&](auto hv, auto gram) {
    Buffer<T> out = output_buffer<T>(cols), out_b = output_buffer<T>(1);
    Buffer<T> g = output_buffer<T>(cols * cols);
    const MatrixView<const T> empty(nullptr, 0, cols, cols + 3);
    hv(empty, nullptr, v.data(), T(3), out.data(), out_b.data());
    gram(empty, nullptr, g.data());
    for (std::size_t j = 0; j < cols; ++j)
      CHECK(out[j] == T(0));
    CHECK(out_b[0] == T(0));
    for (std::size_t q = 0; q < cols * cols; ++q)
      CHECK(g[q] == T(0));
    CHECK(out.guards_intact());
    CHECK(out_b.guards_intact());
    CHECK(g.guards_intact());
  };
  for_each_isa([&](Isa) {
    check([](auto... x) { kernels::hessian_vector(x...); },
          [](auto... x) { kernels::weighted_gram(x...); });
  });
  check([](auto... x) { scalar::hessian_vector(x...); },
        [](auto... x) { scalar::weighted_gram(x...); });
}

TEMPLATE_TEST_CASE("hessian_vector and weighted_gram reject bad arguments before any work",
                   "[hessian_vector][weighted_gram][errors]", float, double) {
  using T = TestType;
  const std::size_t rows = 6, cols = 5;
  const std::vector<T> X(rows * cols, T(1)), d(rows, T(1)), v(cols, T(1));
  auto check = [&](auto hv, auto gram) {
    std::vector<T> out(cols, T(7)), g(cols * cols, T(7));
    T out_b = T(7);
    const MatrixView<const T> good(X.data(), rows, cols, cols);
    const MatrixView<const T> narrow(X.data(), rows, cols, cols - 1);
    const MatrixView<const T> null_data(nullptr, rows, cols, cols);
    CHECK_THROWS_AS(hv(narrow, d.data(), v.data(), T(0), out.data(), &out_b), ShapeError);
    CHECK_THROWS_AS(gram(narrow, d.data(), g.data()), ShapeError);
    CHECK_THROWS_AS(hv(null_data, d.data(), v.data(), T(0), out.data(), &out_b), InvalidArgument);
    CHECK_THROWS_AS(hv(good, d.data(), nullptr, T(0), out.data(), &out_b), InvalidArgument);
    CHECK_THROWS_AS(hv(good, d.data(), v.data(), T(0), nullptr, &out_b), InvalidArgument);
    CHECK_THROWS_AS(gram(null_data, d.data(), g.data()), InvalidArgument);
    CHECK_THROWS_AS(gram(good, d.data(), nullptr), InvalidArgument);
    for (T x : out)
      CHECK(x == T(7));
    for (T x : g)
      CHECK(x == T(7));
    CHECK(out_b == T(7));
    CHECK_NOTHROW(hv(good, d.data(), v.data(), T(0), out.data(), &out_b));
    CHECK_NOTHROW(gram(good, d.data(), g.data()));
    CHECK(out_b == T(rows * cols));
    CHECK(g[0] == T(rows));
  };
  for_each_isa([&](Isa) {
    check([](auto... x) { kernels::hessian_vector(x...); },
          [](auto... x) { kernels::weighted_gram(x...); });
  });
  check([](auto... x) { scalar::hessian_vector(x...); },
        [](auto... x) { scalar::weighted_gram(x...); });
}

// Widths past the common test shapes: several packed panels, transposed last columns wider
// than a tile row, several chunks.
TEMPLATE_TEST_CASE("weighted_gram matches a long-double reference at wider shapes",
                   "[weighted_gram][reference]", float, double) {
  // 700 rows: blocks of 64 rows with a partial last one, and two chunks. The widths give, on
  // AVX-512, 1 to 11 panels of 24 (double) or 48 (float) columns and 0 to 15 columns computed
  // transposed (47 float: 15, more than the 8 rows of a tile), and the same shapes' analogues on
  // AVX2 and SSE2.
  for (std::size_t cols :
       {std::size_t(47), std::size_t(48), std::size_t(49), std::size_t(130), std::size_t(257)})
    check_gram_shape<TestType>(700, cols, 0);
}
