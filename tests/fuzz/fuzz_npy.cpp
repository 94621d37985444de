// libFuzzer target: the .npy readers (read_npy_header, NpyMatrix<float/double>::open,
// read_npy_vector) on arbitrary bytes. Every value of an opened matrix is read, so ASan checks
// the view stays inside its buffer. A simdlr::Error is a correct answer; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_input_file.hpp"
#include "simdlr/io.hpp"

namespace {

template <class T>
void open_matrix(const std::filesystem::path& path) {
  try {
    const auto m = simdlr::io::NpyMatrix<T>::open(path);
    const auto v = m.view();
    volatile T sum = 0;
    // rows x cols <= the file's element count, but a (huge, 0) shape has no elements and would
    // spin here for nothing.
    if (v.cols == 0) return;
    for (std::size_t r = 0; r < v.rows; ++r)
      for (std::size_t c = 0; c < v.cols; ++c)
        sum = sum + v(r, c);
  } catch (const simdlr::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdlr::fuzz::InputFile file(".npy");
  const auto& path = file.write(data, size);
  try {
    const simdlr::io::NpyHeaderInfo info = simdlr::io::read_npy_header(path);
    if (info.dtype.empty()) std::abort();
  } catch (const simdlr::Error&) {
  }
  open_matrix<float>(path);
  open_matrix<double>(path);
  try {
    const std::vector<double> v = simdlr::io::read_npy_vector(path);
    volatile double sum = 0;
    for (double x : v)
      sum = sum + x;
  } catch (const simdlr::Error&) {
  }
  return 0;
}
