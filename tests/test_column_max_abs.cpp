// kernels::column_max_abs and scalar::column_max_abs: the exact column maxima of |x|, in float and
// double, contiguous and strided X (padding ignored), one chunk and many, on every ISA and thread
// count, against a plain loop; and its answer to "is every value finite", which the fit's input
// check relies on (a NaN or ±inf anywhere in X, never one in the padding).
#include <cmath>
#include <limits>
#include <vector>

#include "strided_matrix.hpp"
#include "support.hpp"

using namespace simdlr;

namespace {

using Shape = simdlr::test::StridedShape;

template <class T>
void check_shape(const Shape& s) {
  // NaN in the padding: it must never reach a maximum.
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, std::numeric_limits<T>::quiet_NaN());
  // One large value per column, of alternating sign, at a row that moves with the column, so the
  // maximum sits in different chunks and lanes.
  for (std::size_t j = 0; j < s.cols; ++j) {
    const std::size_t row = (j * 7919 + 3) % s.rows;
    X[row * s.stride + j] = T(j % 2 ? -1 : 1) * T(1000 + j);
  }
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  std::vector<T> expected(s.cols, T(0));
  for (std::size_t i = 0; i < s.rows; ++i)
    for (std::size_t j = 0; j < s.cols; ++j)
      expected[j] = std::max(expected[j], std::fabs(X[i * s.stride + j]));
  INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << "), "
                << (sizeof(T) == 4 ? "float" : "double"));
  for (int threads : {1, 2, 3}) {
    std::vector<T> out(s.cols, T(-1));
    CHECK(kernels::column_max_abs(view, out.data(), Threads{threads}));
    CHECK(out == expected);
  }
  std::vector<T> out(s.cols, T(-1));
  CHECK(scalar::column_max_abs(view, out.data()));
  CHECK(out == expected);
}

template <class T>
void check_non_finite(const Shape& s) {
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, std::numeric_limits<T>::quiet_NaN());
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  std::vector<T> out(s.cols);
  INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << "), "
                << (sizeof(T) == 4 ? "float" : "double"));
  // The largest finite values are finite.
  X[0] = std::numeric_limits<T>::max();
  X[(s.rows - 1) * s.stride + s.cols - 1] = -std::numeric_limits<T>::max();
  CHECK(kernels::column_max_abs(view, out.data(), Threads{2}));
  simdlr::test::for_each_non_finite(X, s, [&] {
    CHECK_FALSE(kernels::column_max_abs(view, out.data(), Threads{1}));
    CHECK_FALSE(kernels::column_max_abs(view, out.data(), Threads{2}));
    CHECK_FALSE(scalar::column_max_abs(view, out.data()));
  });
}

}  // namespace

TEST_CASE("column_max_abs is the exact column maximum of |x|, on every ISA", "[column_max_abs]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : simdlr::test::kScanShapes) {
      check_shape<float>(s);
      check_shape<double>(s);
    }
  });
}

TEST_CASE("column_max_abs says whether X holds a NaN or an infinity, on every ISA",
          "[column_max_abs]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : simdlr::test::kScanShapes) {
      check_non_finite<float>(s);
      check_non_finite<double>(s);
    }
  });
}

TEST_CASE("column_max_abs of a matrix without rows is 0", "[column_max_abs]") {
  test::for_each_isa([](Isa) {
    std::vector<double> out(5, -1.0);
    CHECK(kernels::column_max_abs(MatrixView<const double>(nullptr, 0, 5), out.data()));
    CHECK(out == std::vector<double>(5, 0.0));
  });
}

TEST_CASE("column_max_abs checks its arguments", "[column_max_abs][errors]") {
  std::vector<double> X(6, 1.0);
  CHECK_THROWS_AS(kernels::column_max_abs(MatrixView<const double>(X.data(), 2, 3), nullptr),
                  InvalidArgument);
}
