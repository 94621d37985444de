// kernels::widened_margins / widened_accumulate / widened_gram_rows and their scalar twins: double
// arithmetic over float (and double) rows, within their documented bounds of a long-double
// reference on every ISA, contiguous and strided X; a margin does not depend on where its row falls
// in a call, and an accumulation over consecutive pieces of X has the bits of one over the whole
// (what the certificates' partitioned passes rely on).
#include <cmath>
#include <limits>
#include <vector>

#include "strided_matrix.hpp"
#include "support.hpp"

using namespace simdlr;

namespace {

using Shape = simdlr::test::StridedShape;

constexpr double kEps = 0x1p-53;

// Shapes around the register widths (2, 4 and 8 doubles), the accumulation's row blocks and the
// Gram kernel's all-in-registers widths (up to 7 columns on AVX2, 16 on AVX-512).
constexpr Shape kShapes[] = {{1, 1, 1},      {3, 5, 5},     {8, 8, 8},        {9, 7, 9},
                             {17, 33, 33},   {40, 16, 19},  {70, 100, 101},   {130, 3, 3},
                             {65, 257, 257}, {300, 31, 32}, {12, 1000, 1000}, {200, 10, 10},
                             {75, 12, 13},   {33, 15, 15}};

// x_ij with a wide spread of magnitudes and signs, exact in float.
template <class T>
std::vector<T> matrix(const Shape& s) {
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, std::numeric_limits<T>::quiet_NaN());
  for (std::size_t i = 0; i < s.rows; ++i)
    for (std::size_t j = 0; j < s.cols; ++j)
      X[i * s.stride + j] *= T(std::ldexp(1.0, int((i + 3 * j) % 9) - 4));
  return X;
}

std::vector<double> coefficients(std::size_t n, double scale) {
  std::vector<double> w(n);
  for (std::size_t j = 0; j < n; ++j)
    w[j] = scale * (double((j * 7919 + 13) % 977) / 488.5 - 1.0) + 1e-3 / double(j + 1);
  return w;
}

template <class T>
void check_margins(const Shape& s, std::size_t lanes) {
  const std::vector<T> X = matrix<T>(s);
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  const std::vector<double> w = coefficients(s.cols, 0.37);
  const double b = -0.8125;
  std::vector<double> z(s.rows), z_scalar(s.rows);
  kernels::widened_margins(view, w.data(), b, z.data());
  scalar::widened_margins(view, w.data(), b, z_scalar.data());
  const double terms =
      double(s.cols) / double(lanes) + 2 * std::log2(double(s.cols) + 1) + 8;  // dot's bound
  for (std::size_t i = 0; i < s.rows; ++i) {
    long double exact = b, magnitude = 0;
    for (std::size_t j = 0; j < s.cols; ++j) {
      const long double p = (long double)X[i * s.stride + j] * (long double)w[j];
      exact += p;
      magnitude += std::fabs(p);
    }
    const double bound = double(terms * kEps * magnitude + kEps * std::fabs(exact));
    INFO("row " << i);
    CHECK(std::fabs(double((long double)z[i] - exact)) <= bound);
    CHECK(std::fabs(double((long double)z_scalar[i] - exact)) <=
          double((double(s.cols) / 4 + 8) * kEps * magnitude + kEps * std::fabs(exact)));
  }
  // Each row's margin is the same bits whichever rows come before it in the call.
  for (std::size_t first : {std::size_t(1), s.rows / 2, s.rows - 1}) {
    if (first >= s.rows) continue;
    const MatrixView<const T> tail(X.data() + first * s.stride, s.rows - first, s.cols, s.stride);
    std::vector<double> part(s.rows - first);
    kernels::widened_margins(tail, w.data(), b, part.data());
    CHECK(simdlr::test::same_bits(part,
                                  std::vector<double>(z.begin() + std::ptrdiff_t(first), z.end())));
  }
}

template <class T>
void check_accumulate(const Shape& s) {
  const std::vector<T> X = matrix<T>(s);
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  const std::vector<double> r = coefficients(s.rows, 2.5);
  const std::vector<double> start = coefficients(s.cols, 0.01);
  std::vector<double> sum = start, sum_scalar = start;
  kernels::widened_accumulate(view, r.data(), sum.data());
  scalar::widened_accumulate(view, r.data(), sum_scalar.data());
  for (std::size_t j = 0; j < s.cols; ++j) {
    long double exact = start[j], magnitude = std::fabs(start[j]);
    for (std::size_t i = 0; i < s.rows; ++i) {
      const long double p = (long double)X[i * s.stride + j] * (long double)r[i];
      exact += p;
      magnitude += std::fabs(p);
    }
    const double bound = double((double(s.rows) + 1) * kEps * magnitude);
    INFO("column " << j);
    CHECK(std::fabs(double((long double)sum[j] - exact)) <= bound);
    CHECK(std::fabs(double((long double)sum_scalar[j] - exact)) <= bound);
  }
  // Consecutive pieces, in order, give the bits of the whole.
  for (std::size_t cut : {std::size_t(1), s.rows / 3, s.rows - 1}) {
    if (cut == 0 || cut >= s.rows) continue;
    std::vector<double> pieces = start;
    const MatrixView<const T> head(X.data(), cut, s.cols, s.stride);
    const MatrixView<const T> tail(X.data() + cut * s.stride, s.rows - cut, s.cols, s.stride);
    kernels::widened_accumulate(head, r.data(), pieces.data());
    kernels::widened_accumulate(tail, r.data() + cut, pieces.data());
    INFO("cut at row " << cut);
    CHECK(simdlr::test::same_bits(pieces, sum));
  }
}

template <class T>
void check_gram(const Shape& s) {
  const std::vector<T> X = matrix<T>(s);
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  std::vector<double> d = coefficients(s.rows, 1.5);
  for (std::size_t i = 0; i < s.rows; i += 3)
    d[i] = 0;                        // skipped rows
  const std::size_t m = s.cols + 1;  // a spare column, as the certificate's intercept
  std::vector<double> out(s.cols * m, 0.25), xtd(s.cols, -0.5);
  std::vector<double> out_scalar = out, xtd_scalar = xtd;
  kernels::widened_gram_rows(view, d.data(), out.data(), m, xtd.data());
  scalar::widened_gram_rows(view, d.data(), out_scalar.data(), m, xtd_scalar.data());
  for (std::size_t j = 0; j < s.cols; ++j) {
    long double x_exact = -0.5, x_magnitude = 0.5;
    for (std::size_t i = 0; i < s.rows; ++i) {
      const long double a = (long double)d[i] * (long double)X[i * s.stride + j];
      x_exact += a;
      x_magnitude += std::fabs(a);
    }
    const double x_bound = double((double(s.rows) + 2) * kEps * x_magnitude);
    INFO("column " << j);
    CHECK(std::fabs(double((long double)xtd[j] - x_exact)) <= x_bound);
    CHECK(std::fabs(double((long double)xtd_scalar[j] - x_exact)) <= x_bound);
    for (std::size_t k = 0; k < m; ++k) {
      if (k > j) {  // above the diagonal: scratch, but the spare column stays untouched
        if (k == s.cols) CHECK(out[j * m + k] == 0.25);
        continue;
      }
      long double exact = 0.25, magnitude = 0.25;
      for (std::size_t i = 0; i < s.rows; ++i) {
        const long double t =
            (long double)d[i] * (long double)X[i * s.stride + j] * (long double)X[i * s.stride + k];
        exact += t;
        magnitude += std::fabs(t);
      }
      const double bound = double((double(s.rows) + 2) * kEps * magnitude);
      INFO("element " << j << ", " << k);
      CHECK(std::fabs(double((long double)out[j * m + k] - exact)) <= bound);
      CHECK(std::fabs(double((long double)out_scalar[j * m + k] - exact)) <= bound);
    }
  }
  // Consecutive pieces give the bits of the whole.
  const std::size_t cut = s.rows / 2;
  if (cut > 0) {
    std::vector<double> pieces(s.cols * m, 0.25), pieces_xtd(s.cols, -0.5);
    kernels::widened_gram_rows(MatrixView<const T>(X.data(), cut, s.cols, s.stride), d.data(),
                               pieces.data(), m, pieces_xtd.data());
    kernels::widened_gram_rows(
        MatrixView<const T>(X.data() + cut * s.stride, s.rows - cut, s.cols, s.stride),
        d.data() + cut, pieces.data(), m, pieces_xtd.data());
    for (std::size_t j = 0; j < s.cols; ++j)
      for (std::size_t k = 0; k <= j; ++k)
        CHECK(simdlr::test::bits(pieces[j * m + k]) == simdlr::test::bits(out[j * m + k]));
    CHECK(simdlr::test::same_bits(pieces_xtd, xtd));
  }
}

}  // namespace

TEST_CASE(
    "widened_gram_rows: the lower triangle of XᵀDX and Xᵀd in double, rows in order, on "
    "every ISA",
    "[widened]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : kShapes) {
      if (s.cols > 300) continue;  // the reference is n·d² long-double terms
      INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << ")");
      check_gram<float>(s);
      check_gram<double>(s);
    }
  });
}

TEST_CASE("widened_margins: x·w + b in double within the dot bound, on every ISA", "[widened]") {
  test::for_each_isa([](Isa isa) {
    for (const Shape& s : kShapes) {
      INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << ")");
      check_margins<float>(s, test::isa_lanes<double>(isa));
      check_margins<double>(s, test::isa_lanes<double>(isa));
    }
  });
}

TEST_CASE(
    "widened_accumulate: Σ r_i x_i in double within the recursive-summation bound, the same "
    "bits in pieces, on every ISA",
    "[widened]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : kShapes) {
      INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << ")");
      check_accumulate<float>(s);
      check_accumulate<double>(s);
    }
  });
}

TEST_CASE("widened kernels refuse null pointers and accept X without rows", "[widened]") {
  std::vector<float> X(6, 1.0f);
  const MatrixView<const float> view(X.data(), 2, 3);
  std::vector<double> w(3, 1.0), z(2), r(2, 1.0), sum(3, 0.0);
  CHECK_THROWS_AS(kernels::widened_margins(view, nullptr, 0.0, z.data()), InvalidArgument);
  CHECK_THROWS_AS(kernels::widened_accumulate(view, r.data(), nullptr), InvalidArgument);
  std::vector<double> out(9), xtd(3);
  CHECK_THROWS_AS(kernels::widened_gram_rows(view, r.data(), out.data(), 2, xtd.data()),
                  ShapeError);
  CHECK_THROWS_AS(kernels::widened_gram_rows(view, nullptr, out.data(), 3, xtd.data()),
                  InvalidArgument);
  kernels::widened_margins(MatrixView<const float>(X.data(), 0, 3), w.data(), 0.0, nullptr);
  kernels::widened_accumulate(MatrixView<const float>(X.data(), 0, 3), nullptr, sum.data());
  CHECK(sum == std::vector<double>(3, 0.0));
  kernels::widened_margins(view, w.data(), 0.5, z.data());
  CHECK(z == std::vector<double>{3.5, 3.5});
}
