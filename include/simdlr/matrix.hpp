// Non-owning views of row-major matrices. A view never copies or frees the data it points to.
#pragma once

#include <cstddef>
#include <type_traits>

namespace simdlr {

// rows x cols, row-major; row i starts at data + i * stride (stride >= cols, in elements).
template <class T>
struct MatrixView {
  T* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t stride = 0;

  constexpr MatrixView() = default;
  constexpr MatrixView(T* data_, std::size_t rows_, std::size_t cols_) noexcept
      : data(data_), rows(rows_), cols(cols_), stride(cols_) {}
  constexpr MatrixView(T* data_, std::size_t rows_, std::size_t cols_, std::size_t stride_) noexcept
      : data(data_), rows(rows_), cols(cols_), stride(stride_) {}

  // A view of mutable data converts to a view of const data.
  template <class U>
  requires(!std::is_same_v<U, T> && std::is_same_v<const U, T>) constexpr MatrixView(
      const MatrixView<U>& other) noexcept  // NOLINT(google-explicit-constructor)
      : data(other.data), rows(other.rows), cols(other.cols), stride(other.stride) {}

  constexpr T* row(std::size_t i) const noexcept { return data + i * stride; }
  constexpr T& operator()(std::size_t i, std::size_t j) const noexcept {
    return data[i * stride + j];
  }
};

}  // namespace simdlr
