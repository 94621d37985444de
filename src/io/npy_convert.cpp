// Conversion of .npy data to float or double: every supported dtype (float16/32/64, signed and
// unsigned integers, bool), either byte order, C or Fortran order.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

#include "npy_format.hpp"
#include "simdlr/io.hpp"

namespace simdlr::io::detail {

namespace {

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

static_assert(sizeof(Half) == 2 && sizeof(Bool8) == 1);

}  // namespace

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

template void convert<float>(const std::string&, const NpyHeader&, const char*, std::size_t,
                             std::size_t, float*);
template void convert<double>(const std::string&, const NpyHeader&, const char*, std::size_t,
                              std::size_t, double*);

}  // namespace simdlr::io::detail
