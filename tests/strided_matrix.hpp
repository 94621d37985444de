// Strided test matrices with a fixed pattern of finite values and a chosen value in the row
// padding, the shapes the whole-matrix scans are tested on, and the positions the non-finite
// tests poison (test_has_non_finite, test_column_max_abs, test_fit_inputs).
#pragma once

#include <catch2/catch.hpp>
#include <cstddef>
#include <limits>
#include <vector>

namespace simdlr::test {

struct StridedShape {
  std::size_t rows, cols, stride;
};

// 1 x 1 to several chunks (the kernels cut X into chunks of at least 16384 values), contiguous
// and with padded rows, with column counts around the SIMD widths.
inline constexpr StridedShape kScanShapes[] = {
    {1, 1, 1},     {1, 30, 30},    {3, 5, 5},      {17, 33, 33},  {40, 7, 9},     {9, 16, 17},
    {600, 30, 30}, {2000, 16, 19}, {1200, 31, 31}, {70000, 1, 1}, {5000, 64, 64}, {3000, 15, 16}};

// Finite values in [-1, 1) in X, `padding` in the padding of each row.
template <class T>
std::vector<T> patterned_matrix(const StridedShape& s, T padding) {
  std::vector<T> X(s.rows * s.stride, padding);
  for (std::size_t i = 0; i < s.rows; ++i)
    for (std::size_t j = 0; j < s.cols; ++j)
      X[i * s.stride + j] = T(double((i * 2654435761u + j * 40503u) % 1000) / 500.0 - 1.0);
  return X;
}

// Positions to poison among `count` values: the first and last value, the middle, and a spread
// of others.
inline std::vector<std::size_t> poison_positions(std::size_t count) {
  std::vector<std::size_t> p{0, count - 1, count / 2};
  for (std::size_t k = 1; k < 8; ++k)
    p.push_back(count * k / 8 + k % 3);
  for (std::size_t& q : p)
    q = q < count ? q : count - 1;
  return p;
}

// Calls check() with NaN, +inf and −inf in turn at each of the poison positions of the s.rows x
// s.cols values of X (row-major with s.stride), restoring each value afterwards.
template <class T, class Check>
void for_each_non_finite(std::vector<T>& X, const StridedShape& s, const Check& check) {
  const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  for (std::size_t position : poison_positions(s.rows * s.cols)) {
    const std::size_t row = position / s.cols, col = position % s.cols;
    for (T bad : {nan, inf, -inf}) {
      INFO("row " << row << ", column " << col << ", value " << bad);
      T& x = X[row * s.stride + col];
      const T saved = x;
      x = bad;
      check();
      x = saved;
    }
  }
}

}  // namespace simdlr::test
