// Helpers of the matrix-kernel tests (margins, Xᵀr, the fused logistic and softmax passes,
// Hessian-vector products, the weighted Gram matrix): guarded and misaligned buffers, matrices
// whose row padding is NaN, the shapes every kernel is tested on, the documented error bounds
// and a collector of the worst errors seen (printed at exit when SIMDLR_ERROR_REPORT is set).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "support.hpp"

namespace simdlr::test {

template <class T>
inline constexpr long double kEps = std::numeric_limits<T>::epsilon();

template <class T>
constexpr T nan_of() {
  return std::numeric_limits<T>::quiet_NaN();
}

template <class T>
const char* type_name() {
  return sizeof(T) == 4 ? "float" : "double";
}

// The documented summation factor (n / lanes + 2 log2(n) + 8): |sum − exact| ≤ factor · ε ·
// Σ|terms|.
inline long double sum_factor(std::size_t n, std::size_t lanes) {
  const long double lg = n > 1 ? std::log2((long double)n) : 0.0L;
  return (long double)n / (long double)lanes + 2 * lg + 8;
}

// The shapes every matrix kernel is tested on.
inline const std::vector<std::size_t>& test_row_counts() {
  static const std::vector<std::size_t> rows = {0, 1, 2, 3, 5, 17, 130, 20000};
  return rows;
}
inline const std::vector<std::size_t>& test_col_counts() {
  static const std::vector<std::size_t> cols = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 100};
  return cols;
}

// Memory layouts of a test matrix: extra row padding (filled with NaN) and the offset of the
// data pointer from a 64-byte boundary, in elements.
struct Layout {
  std::size_t pad;
  std::size_t misalign;
  const char* name;
};
inline constexpr Layout kLayouts[] = {
    {0, 0, "contiguous rows, 64-byte aligned"},
    {5, 1, "row stride cols+5 with NaN padding, data one element past a 64-byte boundary"},
};

// Calls check(rows, cols, index) (or check(rows, cols)) for every test shape, index counting the
// shapes from 0.
template <class Check>
void for_each_test_shape(const Check& check) {
  std::size_t index = 0;
  for (std::size_t rows : test_row_counts()) {
    for (std::size_t cols : test_col_counts()) {
      if constexpr (std::is_invocable_v<const Check&, std::size_t, std::size_t, std::size_t>)
        check(rows, cols, index);
      else
        check(rows, cols);
      ++index;
    }
  }
}

inline std::uint32_t shape_seed(std::size_t rows, std::size_t cols, std::uint32_t salt) {
  return std::uint32_t(rows * 1000003u + cols * 7919u + salt * 104729u + 17u);
}

// n elements starting `misalign` elements past a 64-byte boundary, preceded and followed by
// kGuard guard elements. Inputs use NaN guards (a read past either end shows up as NaN in the
// results); outputs use a sentinel and guards_intact() checks nothing was written outside.
template <class T>
class Buffer {
 public:
  static constexpr std::size_t kGuard = 32;

  Buffer(std::size_t n, T fill, T guard, std::size_t misalign = 1)
      : n_(n), guard_(guard), storage_(n + 2 * kGuard + 64 / sizeof(T) + misalign, guard) {
    const auto addr = reinterpret_cast<std::uintptr_t>(storage_.data());
    const std::size_t to_aligned = ((64 - addr % 64) % 64) / sizeof(T);
    offset_ = to_aligned + kGuard + misalign;
    std::fill(data(), data() + n_, fill);
  }
  Buffer(const std::vector<T>& values, T guard, std::size_t misalign = 1)
      : Buffer(values.size(), T(0), guard, misalign) {
    std::copy(values.begin(), values.end(), data());
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;

  T* data() { return storage_.data() + offset_; }
  const T* data() const { return storage_.data() + offset_; }
  std::size_t size() const { return n_; }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  std::vector<T> values() const { return std::vector<T>(data(), data() + n_); }
  void fill(T value) { std::fill(data(), data() + n_, value); }

  // Every element outside [data, data + n) still holds the guard value (bitwise).
  bool guards_intact() const {
    for (std::size_t i = 0; i < storage_.size(); ++i) {
      if (i >= offset_ && i < offset_ + n_) continue;
      if (std::memcmp(&storage_[i], &guard_, sizeof(T)) != 0) return false;
    }
    return true;
  }

 private:
  std::size_t n_;
  T guard_;
  std::vector<T> storage_;
  std::size_t offset_ = 0;
};

// The sentinel that output guards hold.
template <class T>
constexpr T kSentinel = T(-12345.0625);

template <class T>
Buffer<T> input_buffer(const std::vector<T>& values, std::size_t misalign = 1) {
  return Buffer<T>(values, nan_of<T>(), misalign);
}

// An output buffer: NaN inside (so a kernel that adds into its output instead of overwriting it
// gives NaN), sentinel guards outside.
template <class T>
Buffer<T> output_buffer(std::size_t n, std::size_t misalign = 1) {
  return Buffer<T>(n, nan_of<T>(), kSentinel<T>, misalign);
}

// A rows x cols matrix (values given row-major, contiguous) stored with `layout`: row stride
// cols + layout.pad, the padding and everything around the matrix NaN.
template <class T>
class TestMatrix {
 public:
  TestMatrix(const std::vector<T>& values, std::size_t rows, std::size_t cols, Layout layout)
      : rows_(rows),
        cols_(cols),
        stride_(cols + layout.pad),
        buffer_(rows * stride_, nan_of<T>(), nan_of<T>(), layout.misalign) {
    for (std::size_t i = 0; i < rows; ++i) {
      std::copy(values.begin() + std::ptrdiff_t(i * cols),
                values.begin() + std::ptrdiff_t((i + 1) * cols), buffer_.data() + i * stride_);
    }
  }
  MatrixView<const T> view() const { return {buffer_.data(), rows_, cols_, stride_}; }

 private:
  std::size_t rows_, cols_, stride_;
  Buffer<T> buffer_;
};

// Data on which every summation order is exact: small integers, so every product and partial
// sum is exactly representable in T. A rows x cols row-major matrix with
// x_ij = (i·row_step + j·col_step) mod m − m/2, and a vector with v_k = (k mod m) − offset.
template <class T>
std::vector<T> integer_matrix(std::size_t rows, std::size_t cols, std::size_t row_step,
                              std::size_t col_step, std::size_t m) {
  std::vector<T> X(rows * cols);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j)
      X[i * cols + j] = T(int((i * row_step + j * col_step) % m) - int(m / 2));
  }
  return X;
}
template <class T>
std::vector<T> integer_cycle(std::size_t n, std::size_t m, int offset) {
  std::vector<T> v(n);
  for (std::size_t k = 0; k < n; ++k)
    v[k] = T(int(k % m) - offset);
  return v;
}

// Dense long-double copy helpers.
template <class T>
std::vector<long double> widen(const std::vector<T>& v) {
  return std::vector<long double>(v.begin(), v.end());
}
template <class T>
std::vector<long double> widen(const T* p, std::size_t n) {
  return std::vector<long double>(p, p + n);
}

// Bitwise equality of two arrays (NaN payloads included).
template <class T>
bool bitwise_equal(const T* a, const T* b, std::size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0;
}

inline std::string fmt(long double v) {
  std::ostringstream os;
  os << std::setprecision(21) << v;
  return os.str();
}

// Worst errors seen across all tests, by key ("kernel type isa"), printed at exit when the
// environment variable SIMDLR_ERROR_REPORT is set.
class ErrorReport {
 public:
  static ErrorReport& get() {
    static ErrorReport report;
    return report;
  }
  void record(const std::string& key, long double rel_eps, long double ratio) {
    Entry& e = entries_[key];
    e.rel_eps = std::max(e.rel_eps, rel_eps);
    e.ratio = std::max(e.ratio, ratio);
  }
  ~ErrorReport() {
    if (std::getenv("SIMDLR_ERROR_REPORT") == nullptr) return;
    std::printf("%-44s %22s %18s\n", "kernel / type / ISA", "worst err/(eps*scale)",
                "worst err/bound");
    for (const auto& [key, e] : entries_) {
      std::printf("%-44s %22.3Lf %18.5Lf\n", key.c_str(), e.rel_eps, e.ratio);
    }
  }

 private:
  struct Entry {
    long double rel_eps = 0;
    long double ratio = 0;
  };
  std::map<std::string, Entry> entries_;
};

// The worst of many element comparisons: |got − ref| relative to the tolerance (ratio, must be
// ≤ 1) and relative to ε · scale, scale being the natural magnitude of the element (Σ|terms|).
template <class T>
struct Worst {
  long double ratio = 0;
  long double rel_eps = 0;
  std::size_t index = std::size_t(-1);
  long double got = 0, ref = 0, tol = 0;

  void add(std::size_t i, long double got_value, long double ref_value, long double tol_value,
           long double scale) {
    const long double g = got_value;
    long double err;
    if (std::isnan(ref_value)) {
      err = std::isnan(g) ? 0.0L : INFINITY;
    } else if (!std::isfinite(g)) {
      err = g == ref_value ? 0.0L : INFINITY;
    } else {
      err = std::fabs(g - ref_value);
    }
    const long double r = err == 0 ? 0.0L : (tol_value > 0 ? err / tol_value : INFINITY);
    const long double rel = err == 0 ? 0.0L : (scale > 0 ? err / (kEps<T> * scale) : INFINITY);
    rel_eps = std::max(rel_eps, rel);
    if (index == std::size_t(-1) || r > ratio) {
      ratio = r;
      index = i;
      got = g;
      ref = ref_value;
      tol = tol_value;
    }
  }
};

// Checks the worst comparison is within its tolerance, naming the element, and records it.
template <class T>
void expect_within(const Worst<T>& w, const std::string& what, const std::string& report_key) {
  if (!report_key.empty() && w.index != std::size_t(-1)) {
    ErrorReport::get().record(report_key, w.rel_eps, w.ratio);
  }
  if (w.ratio <= 1.0L) {  // the message is built only for a failure: it is costly
    CHECK(w.ratio <= 1.0L);
    return;
  }
  INFO(what << ": worst element [" << w.index << "] = " << fmt(w.got) << ", reference "
            << fmt(w.ref) << ", tolerance " << fmt(w.tol) << " (" << fmt(w.ratio) << " of it; "
            << fmt(w.rel_eps) << " eps relative to the sum of |terms|)");
  CHECK(w.ratio <= 1.0L);
}

template <class T>
std::string report_key(const char* kernel, Isa isa) {
  return std::string(kernel) + " " + type_name<T>() + " " + std::string(isa_name(isa));
}
template <class T>
std::string twin_key(const char* kernel) {
  return std::string(kernel) + " " + type_name<T>() + " scalar:: twin";
}

// Exact margins z_i = x_i · w + b of a row-major rows x cols matrix, with Σ_j |x_ij w_j|.
template <class T>
struct RowDots {
  std::vector<long double> value, abs_sum;
};

template <class T>
RowDots<T> ref_row_dots(const std::vector<T>& X, std::size_t rows, std::size_t cols, const T* w,
                        T b) {
  RowDots<T> r;
  r.value.resize(rows);
  r.abs_sum.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    long double s = 0, a = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      const long double t = (long double)X[i * cols + j] * (long double)w[j];
      s += t;
      a += std::fabs(t);
    }
    r.value[i] = s + (long double)b;
    r.abs_sum[i] = a;
  }
  return r;
}

// Documented bound of a margin: the dot bound over `cols` elements plus one rounding for b
// (and the rounding of the dot itself to T).
template <class T>
long double margin_tol(long double abs_sum, long double z, T b, std::size_t cols,
                       std::size_t lanes) {
  return sum_factor(cols, lanes) * kEps<T> * abs_sum + kEps<T> * (std::fabs(z) + std::fabs(b));
}

// Exact Xᵀ r with Σ_i |x_ij r_i| per column, r given in long double.
struct ColumnSums {
  std::vector<long double> value, abs_sum;
};

template <class T>
ColumnSums ref_transpose_product(const std::vector<T>& X, std::size_t rows, std::size_t cols,
                                 const std::vector<long double>& r) {
  ColumnSums out;
  out.value.assign(cols, 0.0L);
  out.abs_sum.assign(cols, 0.0L);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      const long double t = (long double)X[i * cols + j] * r[i];
      out.value[j] += t;
      out.abs_sum[j] += std::fabs(t);
    }
  }
  return out;
}

// Σ_i |x_ij| dr_i per column: how far Xᵀr may move when each r_i is off by up to dr_i.
template <class T>
std::vector<long double> ref_abs_transpose(const std::vector<T>& X, std::size_t rows,
                                           std::size_t cols, const std::vector<long double>& dr) {
  // A tolerance: double precision is plenty (and much faster than long double).
  std::vector<double> acc(cols, 0.0);
  for (std::size_t i = 0; i < rows; ++i) {
    const double r = double(dr[i]);
    if (r == 0) continue;
    for (std::size_t j = 0; j < cols; ++j)
      acc[j] += std::fabs(double(X[i * cols + j])) * r;
  }
  std::vector<long double> out(cols);
  for (std::size_t j = 0; j < cols; ++j)
    out[j] = (long double)acc[j] * (1 + 1e-12L);
  return out;
}

}  // namespace simdlr::test
