// .npy reader (memory-mapped, zero-copy when the data already has the wanted layout) and writer.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
//   "\x93NUMPY" major minor | header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0) |
//   header: a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded
//   with spaces and ending in '\n' | raw data.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io_support.hpp"
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

namespace {

using detail::quote_found;

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
constexpr int kMaxNesting = 16;

// ---- the header's Python literal ---------------------------------------------------------------

struct PyValue {
  enum class Kind { String, Integer, Bool, None, Tuple, List, Dict } kind = Kind::None;
  std::string text;  // String: the value; Integer: the digits
  std::uint64_t integer = 0;
  bool negative = false;
  bool boolean = false;
  std::vector<PyValue> items;            // Tuple, List, Dict values
  std::vector<std::string> keys;         // Dict keys
  std::vector<std::size_t> key_offsets;  // Dict: file offset of each key
  std::size_t offset = 0;                // file offset where the value starts
};

const char* kind_name(PyValue::Kind kind) {
  // In the order of PyValue::Kind's enumerators.
  static constexpr const char* kNames[] = {"a string", "an integer", "a boolean", "None",
                                           "a tuple",  "a list",     "a dict"};
  const auto index = std::size_t(kind);
  return index < std::size(kNames) ? kNames[index] : "a value";
}

// Parses the subset of Python literals NumPy writes in .npy headers: dicts, tuples, lists,
// strings, integers (with Python 2's 'L' suffix), True, False, None.
class LiteralParser {
 public:
  LiteralParser(const std::string& file, const char* file_begin, const char* begin, const char* end)
      : file_(file), base_(file_begin), p_(begin), end_(end) {}

  PyValue parse_header() {
    skip_space();
    if (p_ == end_ || *p_ != '{') fail(p_, "the header must be a Python dict, found " + found());
    PyValue value = parse_value(0);
    skip_space();
    if (p_ != end_) fail(p_, "unexpected text after the header dict: found " + found());
    return value;
  }

  [[noreturn]] void fail(const char* at, const std::string& what) const {
    throw ReadError(file_ + ": byte " + std::to_string(at - base_) + " (header): " + what);
  }

 private:
  std::string found() const {
    if (p_ == end_) return "the end of the header";
    return quote_found(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), 20);
  }

  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
      ++p_;
  }

  bool starts_with(std::string_view word) const {
    return static_cast<std::size_t>(end_ - p_) >= word.size() &&
           std::memcmp(p_, word.data(), word.size()) == 0;
  }

  void expect(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) fail(p_, std::string("expected '") + c + "', found " + found());
    ++p_;
  }

  PyValue parse_value(int depth) {
    if (depth > kMaxNesting) fail(p_, "the header nests too deeply");
    skip_space();
    PyValue v;
    v.offset = static_cast<std::size_t>(p_ - base_);
    if (p_ == end_) fail(p_, "expected a value, found the end of the header");
    const char c = *p_;
    if (c == '{') {
      v.kind = PyValue::Kind::Dict;
      ++p_;
      for (;;) {
        skip_space();
        if (p_ < end_ && *p_ == '}') break;
        const std::size_t key_offset = static_cast<std::size_t>(p_ - base_);
        PyValue key = parse_value(depth + 1);
        if (key.kind != PyValue::Kind::String)
          fail(base_ + key_offset,
               std::string("dict keys must be strings, found ") + kind_name(key.kind));
        expect(':');
        v.keys.push_back(std::move(key.text));
        v.key_offsets.push_back(key_offset);
        v.items.push_back(parse_value(depth + 1));
        skip_space();
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          continue;
        }
        skip_space();
        if (p_ == end_ || *p_ != '}') fail(p_, "expected ',' or '}' in the dict, found " + found());
      }
      ++p_;
    } else if (c == '(' || c == '[') {
      const char close = c == '(' ? ')' : ']';
      v.kind = c == '(' ? PyValue::Kind::Tuple : PyValue::Kind::List;
      ++p_;
      for (;;) {
        skip_space();
        if (p_ < end_ && *p_ == close) break;
        v.items.push_back(parse_value(depth + 1));
        skip_space();
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          continue;
        }
        if (p_ == end_ || *p_ != close)
          fail(p_, std::string("expected ',' or '") + close + "', found " + found());
      }
      ++p_;
    } else if (c == '\'' || c == '"') {
      v.kind = PyValue::Kind::String;
      const char* open = p_++;
      for (;;) {
        if (p_ == end_) fail(open, "unterminated string");
        if (*p_ == c) break;
        if (*p_ == '\\' && p_ + 1 < end_) ++p_;
        v.text += *p_++;
      }
      ++p_;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = PyValue::Kind::Integer;
      const char* start = p_;
      if (c == '-') {
        v.negative = true;
        ++p_;
      }
      if (p_ == end_ || *p_ < '0' || *p_ > '9')
        fail(start, "expected an integer, found " + found());
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
        const auto digit = static_cast<std::uint64_t>(*p_ - '0');
        if (v.integer > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
          fail(start, "integer too large");
        v.integer = v.integer * 10 + digit;
        v.text += *p_++;
      }
      if (p_ < end_ && (*p_ == 'L' || *p_ == 'l')) ++p_;  // Python 2 long
    } else if (starts_with("True")) {
      v.kind = PyValue::Kind::Bool;
      v.boolean = true;
      p_ += 4;
    } else if (starts_with("False")) {
      v.kind = PyValue::Kind::Bool;
      p_ += 5;
    } else if (starts_with("None")) {
      p_ += 4;
    } else {
      fail(p_, "expected a Python literal, found " + found());
    }
    return v;
  }

  const std::string& file_;
  const char* base_;
  const char* p_;
  const char* end_;
};

// ---- dtype and header ----------------------------------------------------------------------

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

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

DType parse_dtype(const std::string& file, const std::string& descr) {
  const auto refuse = [&](const std::string& why) -> DType {
    throw ReadError(file + ": header field 'descr': " + why);
  };
  DType dt;
  dt.text = descr;
  std::size_t i = 0;
  char order = '=';
  if (i < descr.size() && std::strchr("<>|=", descr[i]) != nullptr && descr[i] != '\0')
    order = descr[i++];
  if (i >= descr.size()) return refuse("empty dtype " + quote_found(descr));
  const char kind = descr[i++];
  const std::string rest = descr.substr(i);
  switch (kind) {
    case 'O':
      return refuse("object arrays (dtype " + quote_found(descr) +
                    ") hold Python objects and cannot be read; save a numeric array");
    case 'S':
    case 'a':
    case 'U':
      return refuse("string dtype " + quote_found(descr) + " is not numeric; save a numeric array");
    case 'V':
      return refuse("void/structured dtype " + quote_found(descr) + " is not supported");
    case 'c':
      return refuse("complex dtype " + quote_found(descr) + " is not supported");
    case 'M':
    case 'm':
      return refuse("datetime/timedelta dtype " + quote_found(descr) + " is not supported");
    case 'f':
    case 'i':
    case 'u':
    case 'b':
    case '?':
      break;
    default:
      return refuse("unknown dtype " + quote_found(descr));
  }
  std::size_t size = 0;
  if (kind == '?' && rest.empty()) {
    size = 1;
  } else {
    if (rest.empty() || rest.size() > 3 ||
        !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return refuse("malformed dtype " + quote_found(descr));
    size = std::stoul(rest);
  }
  dt.kind = kind == '?' ? 'b' : kind;
  dt.size = size;
  const bool ok_size =
      (dt.kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
      ((dt.kind == 'i' || dt.kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
      (dt.kind == 'b' && size == 1);
  if (!ok_size) {
    if (dt.kind == 'f' && size > 8)
      return refuse("extended-precision float dtype " + quote_found(descr) + " is not supported");
    return refuse("unsupported item size in dtype " + quote_found(descr));
  }
  if (order == '|' && size != 1)
    return refuse("byte order '|' is meaningless for the " + std::to_string(size) + "-byte dtype " +
                  quote_found(descr));
  const bool little_native = std::endian::native == std::endian::little;
  dt.swap = size > 1 && ((order == '<' && !little_native) || (order == '>' && little_native));
  return dt;
}

NpyHeader parse_header(const std::string& file, const char* data, std::size_t size) {
  const auto fail_at = [&](std::size_t offset, const std::string& what) -> NpyHeader {
    throw ReadError(file + ": byte " + std::to_string(offset) + ": " + what);
  };
  if (size < kMagicSize || std::memcmp(data, kMagic, kMagicSize) != 0) {
    return fail_at(0, "not a .npy file: expected the magic string \"\\x93NUMPY\", found " +
                          (size == 0 ? std::string("an empty file")
                                     : quote_found(std::string_view(
                                           data, std::min<std::size_t>(size, kMagicSize)))));
  }
  if (size < 8) return fail_at(size, "file ends inside the format version (truncated header)");
  const auto major = static_cast<unsigned char>(data[6]);
  const auto minor = static_cast<unsigned char>(data[7]);
  if (major < 1 || major > 3 || minor != 0) {
    return fail_at(6, "unsupported .npy format version " + std::to_string(major) + "." +
                          std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (size < 8 + length_bytes)
    return fail_at(size, "file ends inside the header length (truncated header)");
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i)
    header_length |= std::size_t(static_cast<unsigned char>(data[8 + i])) << (8 * i);
  const std::size_t header_begin = 8 + length_bytes;
  if (header_length > size - header_begin) {
    return fail_at(8, "header length " + std::to_string(header_length) +
                          " runs past the end of the file (" + std::to_string(size) +
                          " bytes): truncated file");
  }

  LiteralParser parser(file, data, data + header_begin, data + header_begin + header_length);
  const PyValue dict = parser.parse_header();
  const char* const base = data;
  const PyValue* descr = nullptr;
  const PyValue* fortran = nullptr;
  const PyValue* shape = nullptr;
  for (std::size_t k = 0; k < dict.keys.size(); ++k) {
    const PyValue** slot = dict.keys[k] == "descr"           ? &descr
                           : dict.keys[k] == "fortran_order" ? &fortran
                           : dict.keys[k] == "shape"         ? &shape
                                                             : nullptr;
    if (slot == nullptr) {
      parser.fail(base + dict.key_offsets[k],
                  "unexpected key " + quote_found(dict.keys[k]) +
                      "; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
    }
    if (*slot != nullptr)
      parser.fail(base + dict.key_offsets[k], "duplicate key " + quote_found(dict.keys[k]));
    *slot = &dict.items[k];
  }
  const auto missing = [&](const char* key) -> NpyHeader {
    throw ReadError(file + ": header: missing key '" + key +
                    "'; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
  };
  if (descr == nullptr) return missing("descr");
  if (fortran == nullptr) return missing("fortran_order");
  if (shape == nullptr) return missing("shape");

  NpyHeader h;
  if (descr->kind == PyValue::Kind::List) {
    throw ReadError(file +
                    ": header field 'descr': structured dtype (a list of fields) is not "
                    "supported; save a plain numeric array");
  }
  if (descr->kind != PyValue::Kind::String) {
    throw ReadError(file + ": header field 'descr': expected a dtype string, found " +
                    kind_name(descr->kind));
  }
  h.dtype = parse_dtype(file, descr->text);
  if (fortran->kind != PyValue::Kind::Bool) {
    throw ReadError(file + ": header field 'fortran_order': expected True or False, found " +
                    kind_name(fortran->kind));
  }
  h.fortran = fortran->boolean;
  if (shape->kind != PyValue::Kind::Tuple) {
    throw ReadError(file + ": header field 'shape': expected a tuple of integers, found " +
                    kind_name(shape->kind));
  }
  h.count = 1;
  for (const PyValue& dim : shape->items) {
    if (dim.kind != PyValue::Kind::Integer || dim.negative) {
      throw ReadError(
          file + ": header field 'shape': expected non-negative integers, found " +
          (dim.kind == PyValue::Kind::Integer ? "-" + dim.text : std::string(kind_name(dim.kind))));
    }
    const auto extent = static_cast<std::size_t>(dim.integer);
    h.shape.push_back(extent);
    if (__builtin_mul_overflow(h.count, extent, &h.count)) {
      throw ReadError(file + ": header field 'shape': " + shape_text(h.shape) +
                      "... has more elements than fit in memory");
    }
  }
  h.data_offset = header_begin + header_length;

  std::size_t bytes = 0;
  if (__builtin_mul_overflow(h.count, h.dtype.size, &bytes)) {
    throw ReadError(file + ": header field 'shape': " + shape_text(h.shape) +
                    " has more bytes than fit in memory");
  }
  const std::size_t available = size - h.data_offset;
  const std::string needs = "shape " + shape_text(h.shape) + " of dtype " +
                            quote_found(h.dtype.text) + " needs " + std::to_string(bytes) +
                            " bytes of data";
  if (available < bytes) {
    fail_at(size, "truncated file: " + needs + " after the header (byte " +
                      std::to_string(h.data_offset) + ") but the file has only " +
                      std::to_string(available));
  }
  if (available > bytes) {
    fail_at(h.data_offset + bytes,
            std::to_string(available - bytes) + " unexpected bytes after the data: " + needs);
  }
  return h;
}

// ---- conversion ----------------------------------------------------------------------------

struct Half {
  std::uint16_t bits;
};
struct Bool8 {
  std::uint8_t byte;
};

std::string format_double(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// IEEE binary16 -> binary32, exact.
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1f;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits = 0;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;  // +-0
  } else {        // subnormal half: normalise
    int e = -1;
    do {
      ++e;
      mantissa <<= 1;
    } while ((mantissa & 0x400u) == 0);
    bits = sign | (std::uint32_t(112 - e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

template <class S>
S load(const unsigned char* p, bool swap) {
  unsigned char bytes[sizeof(S)];
  std::memcpy(bytes, p, sizeof(S));
  if (swap) std::reverse(bytes, bytes + sizeof(S));
  S s;
  std::memcpy(&s, bytes, sizeof(S));
  return s;
}

template <class Out, class S>
Out to_out(S s) {
  if constexpr (std::is_same_v<S, Half>) {
    return static_cast<Out>(half_to_float(s.bits));
  } else if constexpr (std::is_same_v<S, Bool8>) {
    return s.byte != 0 ? Out(1) : Out(0);
  } else {
    return static_cast<Out>(s);
  }
}

// Converts `count` source elements (rows x cols, in C or Fortran order) into row-major `out`.
template <class Out, class S>
void convert_typed(const std::string& file, const unsigned char* src, std::size_t rows,
                   std::size_t cols, bool fortran, bool swap, Out* out) {
  const auto check = [&](S s, Out value, std::size_t i, std::size_t j) {
    if constexpr (std::is_floating_point_v<S> && sizeof(S) > sizeof(Out)) {
      if (std::isfinite(s) && !std::isfinite(value)) {
        throw ReadError(file + ": element [" + std::to_string(i) + ", " + std::to_string(j) +
                        "] = " + format_double(static_cast<double>(s)) +
                        " is too large for float32");
      }
    } else {
      (void)s, (void)value, (void)i, (void)j;
    }
  };
  if (!fortran || rows <= 1 || cols <= 1) {
    const std::size_t n = rows * cols;
    for (std::size_t k = 0; k < n; ++k) {
      const S s = load<S>(src + k * sizeof(S), swap);
      out[k] = to_out<Out>(s);
      check(s, out[k], cols ? k / cols : 0, cols ? k % cols : 0);
    }
    return;
  }
  for (std::size_t j = 0; j < cols; ++j) {  // read the source in order, write strided
    for (std::size_t i = 0; i < rows; ++i) {
      const S s = load<S>(src + (j * rows + i) * sizeof(S), swap);
      out[i * cols + j] = to_out<Out>(s);
      check(s, out[i * cols + j], i, j);
    }
  }
}

// An integer dtype of `size` bytes, signed or unsigned as the four types given.
template <class Out, class I8, class I16, class I32, class I64>
void convert_integer(std::size_t size, const std::string& file, const unsigned char* src,
                     std::size_t rows, std::size_t cols, bool fortran, bool swap, Out* out) {
  if (size == 1) return convert_typed<Out, I8>(file, src, rows, cols, fortran, swap, out);
  if (size == 2) return convert_typed<Out, I16>(file, src, rows, cols, fortran, swap, out);
  if (size == 4) return convert_typed<Out, I32>(file, src, rows, cols, fortran, swap, out);
  return convert_typed<Out, I64>(file, src, rows, cols, fortran, swap, out);
}

template <class Out>
void convert(const std::string& file, const NpyHeader& h, const char* data, std::size_t rows,
             std::size_t cols, Out* out) {
  const auto* src = reinterpret_cast<const unsigned char*>(data + h.data_offset);
  const bool f = h.fortran;
  const bool swap = h.dtype.swap;
  switch (h.dtype.kind) {
    case 'f':
      if (h.dtype.size == 2) return convert_typed<Out, Half>(file, src, rows, cols, f, swap, out);
      if (h.dtype.size == 4) return convert_typed<Out, float>(file, src, rows, cols, f, swap, out);
      return convert_typed<Out, double>(file, src, rows, cols, f, swap, out);
    case 'i':
      return convert_integer<Out, std::int8_t, std::int16_t, std::int32_t, std::int64_t>(
          h.dtype.size, file, src, rows, cols, f, swap, out);
    case 'u':
      return convert_integer<Out, std::uint8_t, std::uint16_t, std::uint32_t, std::uint64_t>(
          h.dtype.size, file, src, rows, cols, f, swap, out);
    default:  // 'b'
      return convert_typed<Out, Bool8>(file, src, rows, cols, f, swap, out);
  }
}

static_assert(sizeof(Half) == 2 && sizeof(Bool8) == 1);

}  // namespace

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
