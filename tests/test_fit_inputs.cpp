// Non-finite feature values at fit time: the vectorized scan over X (every ISA, on the kernels'
// row chunks, in parallel) finds a NaN or ±inf wherever it is, in float and double, contiguous
// and strided X, one chunk and many, and the fit throws InvalidArgument naming its row and
// column; values in a stride's padding are not data and are ignored.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "simdlr/errors.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "strided_matrix.hpp"
#include "support.hpp"

using simdlr::MatrixView;

namespace {

using Shape = simdlr::test::StridedShape;

// 1 x 1 to several chunks (the kernels cut X into chunks of at least 16384 values), contiguous
// and with padded rows, with column counts around the SIMD widths.
const Shape kShapes[] = {{1, 1, 1},   {3, 5, 5},     {17, 33, 33},   {40, 7, 9},
                         {9, 16, 17}, {600, 30, 30}, {2000, 16, 19}, {1200, 31, 31}};

std::vector<double> labels(std::size_t rows) {
  std::vector<double> y(rows);
  for (std::size_t i = 0; i < rows; ++i)
    y[i] = double(i % 2);
  if (rows == 1) y[0] = 0;
  return y;
}

template <class T>
void check_rejected(const Shape& s) {
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, T(0));
  const std::vector<double> y = labels(s.rows);
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  simdlr::LogisticRegressionOptions options;
  options.threads = simdlr::Threads{2};
  simdlr::LogisticRegression<T> model(options);
  const T bad_values[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                          -std::numeric_limits<T>::infinity()};
  for (std::size_t position : simdlr::test::poison_positions(s.rows * s.cols)) {
    const std::size_t row = position / s.cols, col = position % s.cols;
    for (T bad : bad_values) {
      INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << "), row " << row
                    << ", column " << col << ", value " << bad);
      const T saved = X[row * s.stride + col];
      X[row * s.stride + col] = bad;
      const std::string where = "row " + std::to_string(row) + ", column " + std::to_string(col);
      CHECK_THROWS_WITH(
          model.fit(view, y),
          Catch::Contains(where) && Catch::Contains(std::isnan(bad) ? "NaN" : "infinite"));
      CHECK_THROWS_AS(model.fit(view, y), simdlr::InvalidArgument);
      X[row * s.stride + col] = saved;
    }
  }
}

}  // namespace

TEST_CASE("a fit finds NaN and infinities anywhere in X, on every ISA", "[inputs][fit]") {
  simdlr::test::for_each_isa([](simdlr::Isa) {
    for (const Shape& s : kShapes) {
      check_rejected<double>(s);
      check_rejected<float>(s);
    }
  });
}

// A binary fit on raw X checks X's values in its first pass (the loss is not finite exactly when
// X holds a NaN or ±inf); that pass comes first for every solver, from a warm start too, and
// the poisoned row may have weight 0. The fitted model stays the one fitted before.
TEST_CASE("a binary fit finds NaN and infinities in its first pass, for every solver",
          "[inputs][fit]") {
  const Shape s{600, 30, 31};
  std::vector<double> X = simdlr::test::patterned_matrix<double>(s, 0.0);
  const std::vector<double> y = labels(s.rows);
  std::vector<double> weights(s.rows, 1.0);
  const MatrixView<const double> view(X.data(), s.rows, s.cols, s.stride);
  using simdlr::Solver;
  for (Solver solver :
       {Solver::automatic, Solver::lbfgs, Solver::newton, Solver::newton_cholesky, Solver::gd}) {
    for (bool warm : {false, true}) {
      INFO("solver " << simdlr::solver_name(solver) << (warm ? ", warm start" : ""));
      simdlr::LogisticRegressionOptions options;
      options.solver = solver;
      options.warm_start = warm;
      options.solver_options.max_iter = 50;
      simdlr::LogisticRegression<double> model(options);
      model.fit(view, y);
      const std::vector<double> fitted = model.coef();
      for (double bad :
           {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
        for (std::size_t row : {std::size_t(0), std::size_t(377), s.rows - 1}) {
          const std::size_t col = (row * 7) % s.cols;
          INFO("row " << row << ", column " << col << ", value " << bad);
          double& x = X[row * s.stride + col];
          const double saved = x;
          x = bad;
          weights[row] = 0.0;
          const std::string where =
              "row " + std::to_string(row) + ", column " + std::to_string(col);
          CHECK_THROWS_WITH(
              model.fit(view, y),
              Catch::Contains(where) && Catch::Contains(std::isnan(bad) ? "NaN" : "infinite"));
          CHECK_THROWS_WITH(model.fit(view, y, weights), Catch::Contains(where));
          CHECK(model.coef() == fitted);
          weights[row] = 1.0;
          x = saved;
        }
      }
    }
  }
}

TEST_CASE("a fit ignores NaN in the padding of strided rows", "[inputs][fit]") {
  simdlr::test::for_each_isa([](simdlr::Isa) {
    for (const Shape& s : kShapes) {
      if (s.stride == s.cols || s.rows < 2) continue;
      INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << ")");
      const std::vector<double> X =
          simdlr::test::patterned_matrix<double>(s, std::numeric_limits<double>::quiet_NaN());
      simdlr::LogisticRegressionOptions options;
      options.solver_options.max_iter = 3;
      simdlr::LogisticRegression<double> model(options);
      CHECK_NOTHROW(
          model.fit(MatrixView<const double>(X.data(), s.rows, s.cols, s.stride), labels(s.rows)));
      simdlr::LinearRegressionOptions linear_options;
      linear_options.alpha = 1.0;  // fewer rows than parameters in some shapes
      simdlr::LinearRegression<double> linear(linear_options);
      CHECK_NOTHROW(
          linear.fit(MatrixView<const double>(X.data(), s.rows, s.cols, s.stride), labels(s.rows)));
    }
  });
}

TEST_CASE("linear regression rejects a non-finite feature value with its row and column",
          "[inputs][fit]") {
  const Shape s{600, 30, 30};
  std::vector<float> X = simdlr::test::patterned_matrix<float>(s, 0.0f);
  X[413 * 30 + 29] = -std::numeric_limits<float>::infinity();
  simdlr::LinearRegression<float> model;
  CHECK_THROWS_WITH(model.fit(MatrixView<const float>(X.data(), s.rows, s.cols), labels(s.rows)),
                    Catch::Contains("row 413, column 29") && Catch::Contains("infinite"));
}
