// The .npy header parser: magic string, format version, header length, the header's Python dict
// literal, and its fields (dtype, fortran_order, shape), checked against the file's size.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io_support.hpp"
#include "npy_format.hpp"
#include "simdlr/io.hpp"

namespace simdlr::io::detail {

namespace {

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

}  // namespace

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
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

}  // namespace simdlr::io::detail
