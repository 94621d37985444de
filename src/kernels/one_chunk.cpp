#include "one_chunk.hpp"

#include "dispatch.hpp"

namespace simdlr::detail {

template <class T>
void margins_one_chunk(MatrixView<const T> X, const T* w, T b, T* z) {
  if (X.rows == 0) return;
  active_table<T>().margins(RowsChunk<T>{X.data, X.rows, X.cols, X.stride}, w, b, z);
}

template <class T>
void sigmoid_one_chunk(const T* z, T* out, std::size_t n) {
  if (n == 0) return;
  active_table<T>().sigmoid(z, out, n);
}

template void margins_one_chunk<float>(MatrixView<const float>, const float*, float, float*);
template void margins_one_chunk<double>(MatrixView<const double>, const double*, double, double*);
template void sigmoid_one_chunk<float>(const float*, float*, std::size_t);
template void sigmoid_one_chunk<double>(const double*, double*, std::size_t);

}  // namespace simdlr::detail
