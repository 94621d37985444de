// Non-finite feature values at prediction time: every prediction entry point of both models,
// one row and many, float and double, throws InvalidArgument naming the row and column of the
// first bad value (the check scans the margins, then X only when a margin is not finite), while
// finite data whose margins overflow is predicted, not rejected.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "simdlr/errors.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"

using simdlr::ClassLabels;
using simdlr::LinearRegression;
using simdlr::LogisticRegression;
using simdlr::MatrixView;

namespace {

constexpr std::size_t kCols = 7;

template <class T>
LogisticRegression<T> classifier(std::size_t classes) {
  std::vector<double> labels;
  for (std::size_t k = 0; k < classes; ++k)
    labels.push_back(double(k));
  const std::size_t rows = classes == 2 ? 1 : classes;
  std::vector<double> coef(rows * kCols);
  for (std::size_t i = 0; i < coef.size(); ++i)
    coef[i] = 0.25 * std::cos(double(i));
  coef[3] = 0;  // column 3 has weight 0 in the first row: inf * 0 must still be caught
  LogisticRegression<T> model;
  model.set_fitted(ClassLabels::from_numbers(labels), kCols, coef, std::vector<double>(rows, 0.5),
                   {});
  return model;
}

template <class T>
std::vector<T> finite_rows(std::size_t rows) {
  std::vector<T> X(rows * kCols);
  for (std::size_t i = 0; i < X.size(); ++i)
    X[i] = T(std::sin(0.7 * double(i)));
  return X;
}

// Runs `predict` on X with one bad value at (row, col) and checks the error names it.
template <class T, class Predict>
void expect_rejected(std::size_t rows, std::size_t row, std::size_t col, T bad,
                     const Predict& predict) {
  std::vector<T> X = finite_rows<T>(rows);
  X[row * kCols + col] = bad;
  const std::string where = "row " + std::to_string(row) + ", column " + std::to_string(col);
  CHECK_THROWS_AS(predict(MatrixView<const T>(X.data(), rows, kCols)), simdlr::InvalidArgument);
  CHECK_THROWS_WITH(predict(MatrixView<const T>(X.data(), rows, kCols)), Catch::Contains(where));
}

}  // namespace

TEMPLATE_TEST_CASE("prediction rejects NaN and infinity in X", "[predict][errors]", float, double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  for (std::size_t classes : {std::size_t(2), std::size_t(4)}) {
    const auto model = classifier<T>(classes);
    const std::size_t margins = classes == 2 ? 1 : classes;
    for (std::size_t rows : {std::size_t(1), std::size_t(5), std::size_t(3000)}) {
      CAPTURE(classes, rows);
      std::vector<T> out(rows * classes);
      std::vector<std::int32_t> labels(rows);
      const std::size_t row = rows - 1;
      for (const T bad : {nan, inf, -inf}) {
        for (std::size_t col : {std::size_t(0), std::size_t(3), kCols - 1}) {
          CAPTURE(bad, col);
          expect_rejected<T>(rows, row, col, bad, [&](MatrixView<const T> X) {
            model.decision_function(X, std::span<T>(out.data(), rows * margins));
          });
          expect_rejected<T>(rows, row, col, bad,
                             [&](MatrixView<const T> X) { model.predict_proba(X, out); });
          expect_rejected<T>(rows, row, col, bad,
                             [&](MatrixView<const T> X) { model.predict_index(X, labels); });
        }
      }
    }
  }

  LinearRegression<T> linear;
  linear.set_fitted(std::vector<double>(kCols, 0.5), 1.0);
  std::vector<T> out(40);
  expect_rejected<T>(40, 17, 2, nan, [&](MatrixView<const T> X) { linear.predict(X, out); });
  expect_rejected<T>(1, 0, 6, -inf, [&](MatrixView<const T> X) {
    linear.predict(X, std::span<T>(out.data(), 1));
  });
}

TEMPLATE_TEST_CASE("finite X whose margins overflow is predicted, not rejected", "[predict]", float,
                   double) {
  using T = TestType;
  const T huge = std::numeric_limits<T>::max() / 2;
  std::vector<T> X(2 * kCols, huge);  // finite, but x · w overflows to +inf
  LogisticRegression<T> model;
  model.set_fitted(ClassLabels::from_numbers(std::vector<double>{0, 1}), kCols,
                   std::vector<double>(kCols, 1.0), {0.0}, {});
  std::vector<T> z(2), p(4);
  REQUIRE_NOTHROW(model.decision_function(MatrixView<const T>(X.data(), 2, kCols), z));
  CHECK(std::isinf(z[0]));
  REQUIRE_NOTHROW(model.predict_proba(MatrixView<const T>(X.data(), 2, kCols), p));
  CHECK(p[1] == T(1));
  CHECK(p[0] == T(0));

  LinearRegression<T> linear;
  linear.set_fitted(std::vector<double>(kCols, 1.0), 0.0);
  std::vector<T> out(2);
  REQUIRE_NOTHROW(linear.predict(MatrixView<const T>(X.data(), 2, kCols), out));
  CHECK(out[0] == std::numeric_limits<T>::infinity());
}
