// margins (z = Xw + b), transpose_product (Xᵀr) and cross_product (AᵀB): long-double references
// with the documented bounds, the scalar twins, every ISA, every shape, padded and misaligned
// layouts, errors.
#include "matrix_support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

template <class T>
void check_margins_shape(std::size_t rows, std::size_t cols) {
  INFO(type_name<T>() << " margins, rows " << rows << ", cols " << cols);
  const std::vector<T> X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 1));
  const std::vector<T> w =
      normal_vector<T>(cols, shape_seed(rows, cols, 2), 1.5 / std::sqrt(double(cols)));
  const T b = (rows + cols) % 3 == 0 ? T(0) : T(0.375) * T(cols % 2 ? 1 : -3);
  const RowDots<T> ref = ref_row_dots(X, rows, cols, w.data(), b);
  const Buffer<T> wbuf = input_buffer(w);

  auto compare = [&](const Buffer<T>& z, std::size_t lanes, Worst<T>& worst) {
    for (std::size_t i = 0; i < rows; ++i) {
      worst.add(i, z[i], ref.value[i], margin_tol(ref.abs_sum[i], ref.value[i], b, cols, lanes),
                ref.abs_sum[i] + std::fabs(b));
    }
  };

  // The twin, on the padded layout.
  Buffer<T> twin = output_buffer<T>(rows);
  {
    const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
    scalar::margins(M.view(), wbuf.data(), b, twin.data());
    CHECK(twin.guards_intact());
    Worst<T> worst;
    compare(twin, 1, worst);
    expect_within(worst, "scalar::margins vs reference", twin_key<T>("margins"));
  }

  for (const Layout& layout : kLayouts) {
    INFO("layout: " << layout.name);
    const TestMatrix<T> M(X, rows, cols, layout);
    Buffer<T> z = output_buffer<T>(rows, layout.misalign);
    for_each_isa([&](Isa isa) {
      z.fill(nan_of<T>());
      kernels::margins(M.view(), wbuf.data(), b, z.data());
      CHECK(z.guards_intact());
      const std::size_t lanes = isa_lanes<T>(isa);
      Worst<T> worst;
      compare(z, lanes, worst);
      expect_within(worst, "kernels::margins vs reference", report_key<T>("margins", isa));
      Worst<T> vs_twin;
      for (std::size_t i = 0; i < rows; ++i) {
        const long double tol = margin_tol(ref.abs_sum[i], ref.value[i], b, cols, lanes) +
                                margin_tol(ref.abs_sum[i], ref.value[i], b, cols, 1);
        vs_twin.add(i, z[i], (long double)twin[i], tol, ref.abs_sum[i] + std::fabs(b));
      }
      expect_within(vs_twin, "kernels::margins vs scalar::margins", "");
    });
  }
}

template <class T>
void check_transpose_shape(std::size_t rows, std::size_t cols) {
  INFO(type_name<T>() << " transpose_product, rows " << rows << ", cols " << cols);
  const std::vector<T> X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 3));
  // Residual-like weights: mixed signs and magnitudes.
  const std::vector<T> r = uniform_vector<T>(rows, shape_seed(rows, cols, 4), -1.0, 1.0);
  const ColumnSums ref = ref_transpose_product(X, rows, cols, widen(r));
  const Buffer<T> rbuf = input_buffer(r);
  const long double factor =
      sum_factor(rows, 1);  // documented: n (rows added in order within a chunk)

  auto compare = [&](const Buffer<T>& out, Worst<T>& worst) {
    for (std::size_t j = 0; j < cols; ++j) {
      worst.add(j, out[j], ref.value[j], factor * kEps<T> * ref.abs_sum[j], ref.abs_sum[j]);
    }
  };

  Buffer<T> twin = output_buffer<T>(cols);
  {
    const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
    scalar::transpose_product(M.view(), rbuf.data(), twin.data());
    CHECK(twin.guards_intact());
    Worst<T> worst;
    compare(twin, worst);
    expect_within(worst, "scalar::transpose_product vs reference",
                  twin_key<T>("transpose_product"));
  }

  for (const Layout& layout : kLayouts) {
    INFO("layout: " << layout.name);
    const TestMatrix<T> M(X, rows, cols, layout);
    Buffer<T> out = output_buffer<T>(cols, layout.misalign);
    for_each_isa([&](Isa isa) {
      out.fill(nan_of<T>());
      kernels::transpose_product(M.view(), rbuf.data(), out.data());
      CHECK(out.guards_intact());
      Worst<T> worst;
      compare(out, worst);
      expect_within(worst, "kernels::transpose_product vs reference",
                    report_key<T>("transpose_product", isa));
      Worst<T> vs_twin;
      for (std::size_t j = 0; j < cols; ++j) {
        vs_twin.add(j, out[j], (long double)twin[j], 2 * factor * kEps<T> * ref.abs_sum[j],
                    ref.abs_sum[j]);
      }
      expect_within(vs_twin, "kernels::transpose_product vs scalar::transpose_product", "");
    });
  }
}

// AᵀB for A (rows x P) and B (rows x Q) against long-double sums: every element within the
// documented bound (n + 2 log2(n) + 8) ε Σ_i |a_ip b_iq|, on the kernels of every ISA (both
// layouts, and with B's columns offset within its rows) and on the twin.
template <class T>
void check_cross_product_shape(std::size_t rows, std::size_t P, std::size_t Q) {
  INFO(type_name<T>() << " cross_product, rows " << rows << ", P " << P << ", Q " << Q);
  const std::vector<T> A = normal_vector<T>(rows * P, shape_seed(rows, P * 131 + Q, 5));
  const std::vector<T> B = uniform_vector<T>(rows * Q, shape_seed(rows, P * 131 + Q, 6), -1, 1);
  std::vector<long double> value(P * Q, 0.0L), abs_sum(P * Q, 0.0L);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t p = 0; p < P; ++p) {
      for (std::size_t q = 0; q < Q; ++q) {
        const long double t = (long double)A[i * P + p] * (long double)B[i * Q + q];
        value[p * Q + q] += t;
        abs_sum[p * Q + q] += std::fabs(t);
      }
    }
  }
  const long double factor = sum_factor(rows, 1);
  auto compare = [&](const Buffer<T>& out, const char* what) {
    Worst<T> worst;
    for (std::size_t k = 0; k < P * Q; ++k)
      worst.add(k, out[k], value[k], factor * kEps<T> * abs_sum[k], abs_sum[k]);
    expect_within(worst, what, "");
  };
  {
    const TestMatrix<T> a(A, rows, P, kLayouts[1]), b(B, rows, Q, kLayouts[1]);
    Buffer<T> twin = output_buffer<T>(P * Q);
    scalar::cross_product(a.view(), b.view(), twin.data());
    CHECK(twin.guards_intact());
    compare(twin, "scalar::cross_product vs reference");
  }
  for (const Layout& layout : kLayouts) {
    INFO("layout: " << layout.name);
    const TestMatrix<T> a(A, rows, P, layout), b(B, rows, Q, layout);
    Buffer<T> out = output_buffer<T>(P * Q, layout.misalign);
    for_each_isa([&](Isa) {
      out.fill(nan_of<T>());
      kernels::cross_product(a.view(), b.view(), out.data());
      CHECK(out.guards_intact());
      compare(out, "kernels::cross_product vs reference");
    });
  }
  // B's columns from the third on of wider rows: loads that start off any register boundary.
  std::vector<T> wide(rows * (Q + 3), nan_of<T>());
  for (std::size_t i = 0; i < rows; ++i)
    std::copy_n(B.data() + i * Q, Q, wide.data() + i * (Q + 3) + 2);
  const MatrixView<const T> shifted(rows == 0 ? nullptr : wide.data() + 2, rows, Q, Q + 3);
  const TestMatrix<T> a(A, rows, P, kLayouts[0]);
  Buffer<T> out = output_buffer<T>(P * Q);
  for_each_isa([&](Isa) {
    out.fill(nan_of<T>());
    kernels::cross_product(a.view(), shifted, out.data());
    compare(out, "kernels::cross_product (B offset in its rows) vs reference");
  });
}

}  // namespace

TEMPLATE_TEST_CASE("cross_product matches a long-double reference under every ISA",
                   "[cross_product]", float, double) {
  // Column counts around the tiles' edges (MP = 2..4 rows of A's columns, 1..4 registers of 2..16
  // lanes of B's), and row counts from none to many chunks.
  for (std::size_t rows : {std::size_t(0), std::size_t(1), std::size_t(37), std::size_t(3001)})
    for (std::size_t P : {std::size_t(1), std::size_t(3), std::size_t(5), std::size_t(55)})
      for (std::size_t Q :
           {std::size_t(1), std::size_t(7), std::size_t(17), std::size_t(66), std::size_t(91)})
        check_cross_product_shape<TestType>(rows, P, Q);
  check_cross_product_shape<TestType>(40000, 6, 21);
}

TEMPLATE_TEST_CASE("cross_product of exactly representable data is exact, and checks its arguments",
                   "[cross_product][errors]", float, double) {
  using T = TestType;
  const std::size_t rows = 203, P = 13, Q = 37;
  const std::vector<T> A = integer_matrix<T>(rows, P, 7, 13, 17);  // in [-8, 8]
  const std::vector<T> B = integer_matrix<T>(rows, Q, 5, 11, 3);
  std::vector<long double> exact(P * Q, 0.0L);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t p = 0; p < P; ++p)
      for (std::size_t q = 0; q < Q; ++q)
        exact[p * Q + q] += (long double)A[i * P + p] * (long double)B[i * Q + q];
  const MatrixView<const T> a(A.data(), rows, P), b(B.data(), rows, Q);
  std::vector<T> out(P * Q);
  auto run = [&](auto cross_product, const char* what) {
    INFO(what);
    std::fill(out.begin(), out.end(), nan_of<T>());
    cross_product(a, b, out.data(), Threads{});
    for (std::size_t k = 0; k < P * Q; ++k)
      REQUIRE((long double)out[k] == exact[k]);
    // Errors, before anything is written.
    std::fill(out.begin(), out.end(), T(7));
    const MatrixView<const T> fewer(B.data(), rows - 1, Q);
    CHECK_THROWS_AS(cross_product(a, fewer, out.data(), Threads{}), ShapeError);
    CHECK_THROWS_WITH(cross_product(a, fewer, out.data(), Threads{}),
                      Catch::Contains("A has 203 rows, B 202"));
    const MatrixView<const T> narrow(B.data(), rows, Q, Q - 1);
    CHECK_THROWS_WITH(cross_product(a, narrow, out.data(), Threads{}),
                      Catch::Contains("B row stride"));
    CHECK_THROWS_WITH(cross_product(narrow, a, out.data(), Threads{}),
                      Catch::Contains("A row stride"));
    CHECK_THROWS_AS(cross_product(MatrixView<const T>(nullptr, rows, P), b, out.data(), Threads{}),
                    InvalidArgument);
    CHECK_THROWS_WITH(
        cross_product(a, MatrixView<const T>(nullptr, rows, Q), out.data(), Threads{}),
        Catch::Contains("B.data is null"));
    CHECK_THROWS_AS(cross_product(a, b, nullptr, Threads{}), InvalidArgument);
    CHECK_THROWS_AS(cross_product(a, b, out.data(), Threads{-1}), InvalidArgument);
    for (T v : out)
      CHECK(v == T(7));
  };
  for_each_isa([&](Isa) { run([](auto... x) { kernels::cross_product(x...); }, "kernels"); });
  run([](auto... x) { scalar::cross_product(x...); }, "scalar twin");
}

TEMPLATE_TEST_CASE(
    "margins match a long-double reference under every ISA for all shapes and layouts", "[margins]",
    float, double) {
  for_each_test_shape(check_margins_shape<TestType>);
}

TEMPLATE_TEST_CASE(
    "transpose_product matches a long-double reference under every ISA for all shapes and "
    "layouts",
    "[transpose_product]", float, double) {
  for_each_test_shape(check_transpose_shape<TestType>);
}

TEMPLATE_TEST_CASE("margins and transpose_product of exactly representable data are exact",
                   "[margins][transpose_product]", float, double) {
  // Small integers: every product and partial sum is exact in T, so every ISA and the twins
  // must give the exact result, whatever their summation order.
  using T = TestType;
  const std::size_t rows = 203, cols = 37;
  std::vector<T> X = integer_matrix<T>(rows, cols, 7, 13, 17);  // in [-8, 8]
  std::vector<T> w = integer_cycle<T>(cols, 5, 2);              // in [-2, 2]
  std::vector<T> r = integer_cycle<T>(rows, 9, 4);              // in [-4, 4]
  const T b = T(3);
  const RowDots<T> z_ref = ref_row_dots(X, rows, cols, w.data(), b);
  const ColumnSums xr_ref = ref_transpose_product(X, rows, cols, widen(r));
  const TestMatrix<T> M(X, rows, cols, kLayouts[1]);
  std::vector<T> z(rows), out(cols);
  auto check_exact = [&](const char* what) {
    INFO(what);
    for (std::size_t i = 0; i < rows; ++i)
      REQUIRE((long double)z[i] == z_ref.value[i]);
    for (std::size_t j = 0; j < cols; ++j)
      REQUIRE((long double)out[j] == xr_ref.value[j]);
  };
  scalar::margins(M.view(), w.data(), b, z.data());
  scalar::transpose_product(M.view(), r.data(), out.data());
  check_exact("scalar twins");
  for_each_isa([&](Isa) {
    kernels::margins(M.view(), w.data(), b, z.data());
    kernels::transpose_product(M.view(), r.data(), out.data());
    check_exact("kernels");
  });
}

TEMPLATE_TEST_CASE("margins and transpose_product with zero rows or zero columns",
                   "[margins][transpose_product]", float, double) {
  using T = TestType;
  for_each_isa([&](Isa) {
    // rows = 0: nothing is read (null data is fine), Xᵀr is a zero vector, z is not touched.
    const std::vector<T> w = {T(1), T(2), T(3)};
    Buffer<T> z = output_buffer<T>(0);
    Buffer<T> out = output_buffer<T>(3);
    const MatrixView<const T> empty(nullptr, 0, 3, 3);
    REQUIRE_NOTHROW(kernels::margins(empty, w.data(), T(1), z.data()));
    REQUIRE_NOTHROW(kernels::transpose_product(empty, nullptr, out.data()));
    CHECK(z.guards_intact());
    CHECK(out.guards_intact());
    for (std::size_t j = 0; j < 3; ++j)
      CHECK(out[j] == T(0));
    out.fill(nan_of<T>());
    REQUIRE_NOTHROW(scalar::transpose_product(empty, nullptr, out.data()));
    for (std::size_t j = 0; j < 3; ++j)
      CHECK(out[j] == T(0));

    // cols = 0: every margin is b.
    const std::vector<T> dummy(4, nan_of<T>());
    const MatrixView<const T> no_cols(dummy.data(), 4, 0, 0);
    Buffer<T> z4 = output_buffer<T>(4);
    REQUIRE_NOTHROW(kernels::margins(no_cols, nullptr, T(-2.5), z4.data()));
    for (std::size_t i = 0; i < 4; ++i)
      CHECK(z4[i] == T(-2.5));
    CHECK(z4.guards_intact());
  });
}

TEMPLATE_TEST_CASE("margins and transpose_product reject bad arguments before any work",
                   "[margins][transpose_product][errors]", float, double) {
  using T = TestType;
  const std::vector<T> X(6 * 5, T(1));
  const std::vector<T> w(5, T(1)), r(6, T(1));
  auto run = [&](auto ns_margins, auto ns_transpose) {
    std::vector<T> z(6, T(7)), out(5, T(7));
    // stride < cols
    const MatrixView<const T> narrow(X.data(), 6, 5, 4);
    CHECK_THROWS_AS(ns_margins(narrow, w.data(), T(0), z.data()), ShapeError);
    CHECK_THROWS_AS(ns_transpose(narrow, r.data(), out.data()), ShapeError);
    // null pointers for non-empty data
    const MatrixView<const T> good(X.data(), 6, 5, 5);
    const MatrixView<const T> null_data(nullptr, 6, 5, 5);
    CHECK_THROWS_AS(ns_margins(null_data, w.data(), T(0), z.data()), InvalidArgument);
    CHECK_THROWS_AS(ns_margins(good, nullptr, T(0), z.data()), InvalidArgument);
    CHECK_THROWS_AS(ns_margins(good, w.data(), T(0), nullptr), InvalidArgument);
    CHECK_THROWS_AS(ns_transpose(null_data, r.data(), out.data()), InvalidArgument);
    CHECK_THROWS_AS(ns_transpose(good, nullptr, out.data()), InvalidArgument);
    CHECK_THROWS_AS(ns_transpose(good, r.data(), nullptr), InvalidArgument);
    // nothing was written
    for (T v : z)
      CHECK(v == T(7));
    for (T v : out)
      CHECK(v == T(7));
  };
  for_each_isa([&](Isa) {
    run([](auto... a) { kernels::margins(a...); },
        [](auto... a) { kernels::transpose_product(a...); });
  });
  run([](auto... a) { scalar::margins(a...); }, [](auto... a) { scalar::transpose_product(a...); });
}

// Adversarial sums: a large first term followed by many terms just under half an ULP of it, so
// every addition rounds the small term away. Rows are added in order within a chunk (up to 16384
// rows when X has one column), so the error is ~0.49 (n − 1) ε: within the documented
// recursive-summation bound (n + 2 log2(n) + 8) ε Σ|x_ij r_i|, which an n/4 bound would not be.
TEMPLATE_TEST_CASE(
    "transpose_product, hessian_vector and weighted_gram meet the documented bound on "
    "adversarial sums",
    "[margins][adversarial]", float, double) {
  using T = TestType;
  for (std::size_t n : {std::size_t(5000), std::size_t(20000)}) {
    INFO(type_name<T>() << ", X = ones(" << n << " x 1), r = d = (1, 0.49 eps, 0.49 eps, ...)");
    const std::vector<T> X(n, T(1));
    std::vector<T> r(n, T(0.49) * std::numeric_limits<T>::epsilon());
    r[0] = T(1);
    long double exact = 0;
    for (T t : r)
      exact += t;
    const long double tol = sum_factor(n, 1) * kEps<T> * exact;
    const MatrixView<const T> M(X.data(), n, 1);
    const T one = T(1);
    auto check = [&](auto transpose, auto hv, auto gram) {
      T out = 0, out_b = 0, g = 0;
      transpose(M, r.data(), &out);
      Worst<T> w1;
      w1.add(0, out, exact, tol, exact);
      expect_within(w1, "transpose_product", "");
      hv(M, r.data(), &one, T(0), &out, &out_b);
      Worst<T> w2;
      w2.add(0, out, exact, tol, exact);
      expect_within(w2, "hessian_vector", "");
      gram(M, r.data(), &g);
      Worst<T> w3;
      w3.add(0, g, exact, tol, exact);
      expect_within(w3, "weighted_gram", "");
    };
    for_each_isa([&](Isa) {
      check([](auto... a) { kernels::transpose_product(a...); },
            [](auto... a) { kernels::hessian_vector(a...); },
            [](auto... a) { kernels::weighted_gram(a...); });
    });
    INFO("scalar:: twins");
    check([](auto... a) { scalar::transpose_product(a...); },
          [](auto... a) { scalar::hessian_vector(a...); },
          [](auto... a) { scalar::weighted_gram(a...); });
  }
}
