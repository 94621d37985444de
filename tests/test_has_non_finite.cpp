// kernels::has_non_finite and scalar::has_non_finite: a NaN or ±inf anywhere in X is found, in
// float and double, contiguous and strided X, one chunk and many, on every ISA and thread count;
// values in a stride's padding are not part of X and are ignored. (test_fit_inputs checks the
// fit's error message built on this scan.)
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "strided_matrix.hpp"
#include "support.hpp"

using namespace simdlr;

namespace {

using Shape = simdlr::test::StridedShape;

template <class T>
void check_shape(const Shape& s) {
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, std::numeric_limits<T>::quiet_NaN());
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << "), "
                << (sizeof(T) == 4 ? "float" : "double"));
  for (int threads : {1, 2}) {
    CHECK_FALSE(kernels::has_non_finite(view, Threads{threads}));  // NaN padding ignored
  }
  CHECK_FALSE(scalar::has_non_finite(view));
  // The largest finite values are finite.
  T& first = X[0];
  T& last = X[(s.rows - 1) * s.stride + s.cols - 1];
  const T saved_first = first, saved_last = last;
  first = std::numeric_limits<T>::max();
  last = -std::numeric_limits<T>::max();
  CHECK_FALSE(kernels::has_non_finite(view));
  first = saved_first;
  last = saved_last;
  simdlr::test::for_each_non_finite(X, s, [&] {
    CHECK(kernels::has_non_finite(view, Threads{1}));
    CHECK(kernels::has_non_finite(view, Threads{2}));
    CHECK(scalar::has_non_finite(view));
  });
}

}  // namespace

TEST_CASE("has_non_finite finds NaN and infinities anywhere in X, on every ISA",
          "[has_non_finite]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : simdlr::test::kScanShapes) {
      check_shape<float>(s);
      check_shape<double>(s);
    }
  });
}

TEST_CASE("has_non_finite of an empty matrix is false", "[has_non_finite]") {
  test::for_each_isa([](Isa) {
    CHECK_FALSE(kernels::has_non_finite(MatrixView<const double>(nullptr, 0, 5)));
    CHECK_FALSE(kernels::has_non_finite(MatrixView<const float>(nullptr, 4, 0)));
    CHECK_FALSE(scalar::has_non_finite(MatrixView<const double>(nullptr, 0, 0)));
  });
}

TEST_CASE("has_non_finite checks its arguments", "[has_non_finite][errors]") {
  std::vector<double> X(12, 0.0);
  CHECK_THROWS_AS(kernels::has_non_finite(MatrixView<const double>(X.data(), 3, 4, 3)), ShapeError);
  CHECK_THROWS_AS(scalar::has_non_finite(MatrixView<const double>(X.data(), 3, 4, 3)), ShapeError);
  CHECK_THROWS_AS(kernels::has_non_finite(MatrixView<const double>(nullptr, 3, 4)),
                  InvalidArgument);
  CHECK_THROWS_AS(kernels::has_non_finite(MatrixView<const double>(X.data(), 3, 4), Threads{-2}),
                  InvalidArgument);
}
