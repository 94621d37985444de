// Strided test matrices with a fixed pattern of finite values and a chosen value in the row
// padding, and the positions the non-finite tests poison (test_has_non_finite, test_fit_inputs).
#pragma once

#include <cstddef>
#include <vector>

namespace simdlr::test {

struct StridedShape {
  std::size_t rows, cols, stride;
};

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

}  // namespace simdlr::test
