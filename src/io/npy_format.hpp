// Internal interface of the .npy files: the parsed header (npy_header.cpp) and the conversion of
// the data to float or double (npy_convert.cpp), used by the reader and writer (npy_reader.cpp).
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//   "\x93NUMPY" major minor | header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0) |
//   header: a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded
//   with spaces and ending in '\n' | raw data.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace simdlr::io::detail {

inline constexpr char kMagic[] = "\x93NUMPY";
inline constexpr std::size_t kMagicSize = 6;

struct DType {
  std::string text;  // as written, e.g. "<f8"
  char kind = 'f';   // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  std::size_t size = 8;
  bool swap = false;  // stored with the other byte order than this machine's
};

struct NpyHeader {
  DType dtype;
  bool fortran = false;
  std::vector<std::size_t> shape;
  std::size_t count = 0;        // elements
  std::size_t data_offset = 0;  // bytes from the start of the file
};

// "(2, 3)", "(5,)", "()": a shape as NumPy writes it.
std::string shape_text(const std::vector<std::size_t>& shape);

// Parses and checks the header of the .npy file `data` of `size` bytes (named `file` in errors),
// including that the data after it has exactly the size the shape and dtype call for.
NpyHeader parse_header(const std::string& file, const char* data, std::size_t size);

// Converts the data of the file `data` with header `h` (rows x cols, in C or Fortran order) into
// row-major `out`; throws ReadError for a float64 too large for float32.
template <class Out>
void convert(const std::string& file, const NpyHeader& h, const char* data, std::size_t rows,
             std::size_t cols, Out* out);

}  // namespace simdlr::io::detail
