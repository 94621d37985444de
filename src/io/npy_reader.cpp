// .npy reader (memory-mapped, zero-copy when the data already has the wanted layout) and writer;
// the header is parsed in npy_header.cpp, the data converted in npy_convert.cpp.
#include <bit>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "io_support.hpp"
#include "npy_format.hpp"
#include "simdlr/io.hpp"

namespace simdlr::io {

namespace detail {

template <class T>
struct NpyStorage {
  MappedFile file;  // kept only when the view points into it (zero copy)
  std::vector<T> owned;
  MatrixView<const T> view;
  bool zero_copy = false;
  std::string dtype;
};

}  // namespace detail

using detail::convert;
using detail::kMagic;
using detail::kMagicSize;
using detail::NpyHeader;
using detail::parse_header;
using detail::shape_text;

// ---- NpyMatrix -----------------------------------------------------------------------------

template <class T>
NpyMatrix<T>::NpyMatrix() noexcept = default;
template <class T>
NpyMatrix<T>::NpyMatrix(NpyMatrix&&) noexcept = default;
template <class T>
NpyMatrix<T>& NpyMatrix<T>::operator=(NpyMatrix&&) noexcept = default;
template <class T>
NpyMatrix<T>::~NpyMatrix() = default;
template <class T>
NpyMatrix<T>::NpyMatrix(std::unique_ptr<detail::NpyStorage<T>> storage) noexcept
    : storage_(std::move(storage)) {}

template <class T>
MatrixView<const T> NpyMatrix<T>::view() const noexcept {
  return storage_ ? storage_->view : MatrixView<const T>{};
}

template <class T>
bool NpyMatrix<T>::zero_copy() const noexcept {
  return storage_ && storage_->zero_copy;
}

template <class T>
const std::string& NpyMatrix<T>::dtype() const noexcept {
  static const std::string empty;
  return storage_ ? storage_->dtype : empty;
}

template <class T>
NpyMatrix<T> NpyMatrix<T>::open(const std::filesystem::path& path) {
  const std::string file = path.string();
  detail::MappedFile mapped = detail::MappedFile::open(path, /*populate=*/false);
  const NpyHeader h = parse_header(file, mapped.data(), mapped.size());
  if (h.shape.size() != 2) {
    throw ReadError(file + ": header field 'shape': expected a 2-d array (rows, columns), found " +
                    shape_text(h.shape) + " (" + std::to_string(h.shape.size()) + "-d)");
  }
  const std::size_t rows = h.shape[0];
  const std::size_t cols = h.shape[1];
  auto storage = std::make_unique<detail::NpyStorage<T>>();
  storage->dtype = h.dtype.text;
  const char* data = mapped.data() + h.data_offset;
  const bool aligned = reinterpret_cast<std::uintptr_t>(data) % alignof(T) == 0;
  if (h.dtype.kind == 'f' && h.dtype.size == sizeof(T) && !h.dtype.swap &&
      (!h.fortran || rows <= 1 || cols <= 1) && aligned) {
    storage->zero_copy = true;
    storage->view = MatrixView<const T>(reinterpret_cast<const T*>(data), rows, cols);
    storage->file = std::move(mapped);
  } else {
    storage->owned.resize(h.count);
    convert<T>(file, h, mapped.data(), rows, cols, storage->owned.data());
    storage->view = MatrixView<const T>(storage->owned.data(), rows, cols);
  }
  return NpyMatrix(std::move(storage));
}

template class NpyMatrix<float>;
template class NpyMatrix<double>;

NpyHeaderInfo read_npy_header(const std::filesystem::path& path) {
  const detail::MappedFile mapped = detail::MappedFile::open(path, /*populate=*/false);
  const NpyHeader h = parse_header(path.string(), mapped.data(), mapped.size());
  NpyHeaderInfo info;
  info.dtype = h.dtype.text;
  info.fortran_order = h.fortran;
  info.shape = h.shape;
  info.is_float32 = h.dtype.kind == 'f' && h.dtype.size == 4;
  info.is_float64 = h.dtype.kind == 'f' && h.dtype.size == 8;
  return info;
}

std::vector<double> read_npy_vector(const std::filesystem::path& path) {
  const std::string file = path.string();
  const detail::MappedFile mapped = detail::MappedFile::open(path, /*populate=*/false);
  const NpyHeader h = parse_header(file, mapped.data(), mapped.size());
  if (!(h.shape.size() == 1 || (h.shape.size() == 2 && h.shape[1] == 1))) {
    throw ReadError(file +
                    ": header field 'shape': expected a 1-d array (n,) or a column (n, 1), "
                    "found " +
                    shape_text(h.shape));
  }
  std::vector<double> out(h.count);
  convert<double>(file, h, mapped.data(), h.count, 1, out.data());
  return out;
}

// ---- writer --------------------------------------------------------------------------------

template <class T>
void write_npy(const std::filesystem::path& file, const T* data, std::vector<std::size_t> shape) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  if (shape.size() != 1 && shape.size() != 2) {
    throw InvalidArgument("write_npy: shape must have 1 or 2 dimensions, got " +
                          std::to_string(shape.size()));
  }
  std::size_t count = 1;
  for (std::size_t extent : shape) {
    if (__builtin_mul_overflow(count, extent, &count))
      throw InvalidArgument("write_npy: shape " + shape_text(shape) + " is too large");
  }
  if (data == nullptr && count > 0)
    throw InvalidArgument("write_npy: data is null for shape " + shape_text(shape));

  const char order = std::endian::native == std::endian::little ? '<' : '>';
  std::string header = std::string("{'descr': '") + order + (sizeof(T) == 4 ? "f4" : "f8") +
                       "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Pad with spaces and a final '\n' so the data starts at a multiple of 64 bytes.
  const std::size_t prefix = kMagicSize + 2 + 2;
  const std::size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  const std::size_t length = header.size();
  if (length > 0xffff)
    throw InvalidArgument("write_npy: shape " + shape_text(shape) + " is too long");

  write_file_atomically(file, [&](std::ostream& out) {
    out.write(kMagic, kMagicSize);
    const char version[2] = {1, 0};
    out.write(version, 2);
    const char size_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
    out.write(size_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    if (count > 0)
      out.write(reinterpret_cast<const char*>(data),
                static_cast<std::streamsize>(count * sizeof(T)));
  });
}

template void write_npy<float>(const std::filesystem::path&, const float*,
                               std::vector<std::size_t>);
template void write_npy<double>(const std::filesystem::path&, const double*,
                                std::vector<std::size_t>);

}  // namespace simdlr::io
