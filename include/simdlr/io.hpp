// Data readers and writers (layer io/): CSV tables, .npy matrices and vectors, atomic file
// writes. Nothing below io/ (kernels, objectives, solvers, models) includes this header.
//
// Every failure is a typed exception with a one-line message:
//  - simdlr::InvalidArgument  bad options (e.g. an unusable CSV delimiter, a null data pointer);
//  - simdlr::io::ReadError    a file that cannot be opened or is malformed. CSV messages start
//                             with "file:line:column:" (line and column 1-based; the column counts
//                             UTF-8 characters from the start of the line), .npy messages with
//                             "file: byte N:" or name the header field; both say what was found
//                             (quoted, control bytes escaped, cut to about 40 characters);
//  - simdlr::io::WriteError   a file that cannot be written (missing folder, full disk, ...).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "simdlr/errors.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::io {

// A file could not be opened, or its content is malformed. See the header comment for the
// message format.
class ReadError : public simdlr::Error {
 public:
  using Error::Error;
};

// A file could not be written. The message names the file (or the missing folder) and the
// operating system's reason.
class WriteError : public simdlr::Error {
 public:
  using Error::Error;
};

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

// A table read from a CSV file: the feature columns as a dense row-major matrix plus, if asked
// for, the target column. T is float or double.
template <class T>
struct Table {
  std::vector<T> X;  // rows x cols, row-major, every value finite
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::string> feature_names;  // header names of the feature columns, file order
  std::string target_name;                 // empty when no target was requested
  std::vector<std::string> target_text;    // one trimmed, unquoted, non-empty cell per row
  std::vector<double> target_numeric;      // one value per row when target_is_numeric, else empty
  bool target_is_numeric = false;          // every target cell is a finite number
  // When a target was requested but is not numeric: where the first target cell that is not a
  // finite number is and what it holds, as "file:line:column: \"text\"" (for messages such as
  // "a linear model needs a numeric target"); empty otherwise.
  std::string target_first_non_numeric;

  // The feature matrix (rows x cols, stride cols); valid while the table lives and X is not
  // resized.
  MatrixView<const T> view() const noexcept { return {X.data(), rows, cols}; }
};

struct CsvOptions {
  // Name of the target column (matched exactly against the trimmed header name); empty: every
  // column is a feature.
  std::string target;
  // Field separator: ',' (default), ';', '|', '\t', ':' or another ASCII punctuation character.
  // Refused with InvalidArgument: '"', '.', '+', '-', letters, digits, space and control
  // characters other than '\t' (they would be ambiguous with quoting, numbers or trimming).
  char delimiter = ',';
  // When true, a target column missing from the header is not an error: the table then has no
  // target (target_name empty) and every column is a feature (e.g. predicting on a file that may
  // or may not hold the labels).
  bool target_optional = false;
};

// Reads a CSV file in one pass over a memory mapping of the whole file.
//
// Format:
//  - The first row is the header: one non-empty, unique name per column. Every later row has
//    exactly as many fields as the header.
//  - Fields may be quoted with "..." (a "" inside stands for one "; quoted fields may contain
//    the delimiter and line breaks). Spaces (and tabs, unless the delimiter is a tab) around a
//    field are trimmed; inside quotes text is kept as is.
//  - Lines end with \n or \r\n; the last line may lack it, and blank lines at the very end are
//    ignored. A UTF-8 byte-order mark at the start is skipped.
//  - Feature cells are decimal numbers (fast_float::from_chars; an optional leading '+', an
//    optional exponent, an optional pair of quotes) converted to T with correct rounding, so a
//    value printed with %.17g (double) or %.9g (float) reads back exactly. The number must be
//    finite in T: "nan", "inf", "1e400" (and "1e39" for float) are refused.
//  - Target cells are kept as text (target_text); if each one is a finite number, also as
//    doubles (target_numeric, target_is_numeric = true).
//
// Throws ReadError (with file:line:column and the offending text) for: a file that cannot be
// opened, an empty file, a header without data rows, an empty or duplicate column name, a
// target column that does not exist unless target_optional (the message lists the columns), a
// table with no feature
// column, a row with too few or too many fields, a blank line between rows, an empty cell, a
// feature cell that is not a finite number, an unterminated quote or text after a closing
// quote, a lone \r, and binary content (a NUL byte or another control character than \t, \n,
// \r). Throws InvalidArgument for an unusable delimiter.
template <class T>
Table<T> read_csv(const std::filesystem::path& file, const CsvOptions& options = {});

extern template Table<float> read_csv<float>(const std::filesystem::path&, const CsvOptions&);
extern template Table<double> read_csv<double>(const std::filesystem::path&, const CsvOptions&);

// ---------------------------------------------------------------------------------------------
// NPY (NumPy's binary format, https://numpy.org/doc/stable/reference/generated/numpy.lib.format)
// ---------------------------------------------------------------------------------------------

namespace detail {
template <class T>
struct NpyStorage;  // defined in src/io/npy_reader.cpp
}

// A 2-d numeric .npy file (format version 1.0, 2.0 or 3.0) as a read-only row-major matrix.
//
// The file is memory-mapped. When its data is exactly what the view needs — C order,
// little-endian, float32 for T = float or float64 for T = double — view() points straight into
// the mapping (zero_copy() is true) and nothing is copied. Otherwise the data is converted once,
// element by element, into an owned row-major buffer (zero_copy() is false) and the mapping is
// released:
//  - dtypes: float16/32/64, signed and unsigned 8/16/32/64-bit integers, bool (false -> 0,
//    true -> 1); the value is converted to T with rounding to nearest (64-bit integers beyond
//    2^53, or 2^24 for float, are rounded). A finite value too large for T (float64 -> float32)
//    is a ReadError naming the element;
//  - Fortran order is transposed into row-major order;
//  - big-endian ('>') data is byte-swapped ('=' and '|' are taken as native little-endian).
//
// Values are not checked for NaN or infinity here (the models check their input).
//
// Refused with ReadError (message: file, byte offset or header field, what was found): bad
// magic, unsupported format version, a header that is truncated, not a Python dict literal, or
// lacks/adds keys ('descr', 'fortran_order', 'shape'); object ('O'), string ('S', 'U'), void
// or structured, complex, datetime and float128 dtypes; ndim != 2; a data length that differs
// from what the shape and dtype require (truncated file or trailing bytes).
//
// Move-only; the destructor unmaps the file. A moved-from object has an empty view.
template <class T>
class NpyMatrix {
 public:
  // Opens and validates `file`; throws ReadError as described above.
  static NpyMatrix open(const std::filesystem::path& file);

  NpyMatrix() noexcept;  // empty: 0 x 0
  NpyMatrix(NpyMatrix&&) noexcept;
  NpyMatrix& operator=(NpyMatrix&&) noexcept;
  NpyMatrix(const NpyMatrix&) = delete;
  NpyMatrix& operator=(const NpyMatrix&) = delete;
  ~NpyMatrix();

  // The matrix (rows x cols, stride cols); valid while this object lives.
  MatrixView<const T> view() const noexcept;
  std::size_t rows() const noexcept { return view().rows; }
  std::size_t cols() const noexcept { return view().cols; }
  // True when view() points into the file mapping (no conversion, no copy).
  bool zero_copy() const noexcept;
  // The file's dtype as written in its header, e.g. "<f8", "|u1", ">i4"; empty when empty.
  const std::string& dtype() const noexcept;

 private:
  explicit NpyMatrix(std::unique_ptr<detail::NpyStorage<T>> storage) noexcept;
  std::unique_ptr<detail::NpyStorage<T>> storage_;
};

extern template class NpyMatrix<float>;
extern template class NpyMatrix<double>;

// What a .npy header says, read without touching the data (e.g. to choose float or double
// before opening a matrix).
struct NpyHeaderInfo {
  std::string dtype;               // as written, e.g. "<f4", "<f8", "|b1", ">i8"
  bool fortran_order = false;      // true: column-major data
  std::vector<std::size_t> shape;  // any number of dimensions
  bool is_float32 = false;         // dtype is a 4-byte float (either byte order)
  bool is_float64 = false;         // dtype is an 8-byte float (either byte order)
};

// Reads and validates the header of `file` exactly as NpyMatrix::open does (magic, version,
// dict, a supported numeric dtype, data length matching the shape), but not the data and
// whatever the number of dimensions. Throws ReadError like NpyMatrix::open.
NpyHeaderInfo read_npy_header(const std::filesystem::path& file);

// Reads a 1-d .npy array, or a 2-d one of shape (n, 1), as doubles (labels, targets, weights).
// Any dtype NpyMatrix accepts is converted to double (exactly, except 64-bit integers beyond
// 2^53, which are rounded); the same ReadErrors apply, and any other shape is refused.
std::vector<double> read_npy_vector(const std::filesystem::path& file);

// Writes a little-endian, C-order .npy file (format version 1.0, header padded to 64 bytes) of
// float32 (T = float) or float64 (T = double): shape {n} for a vector or {rows, cols} for a
// row-major matrix, `data` holding the product of the shape's elements. Written atomically
// (write_file_atomically). Throws InvalidArgument for a shape of other than 1 or 2 dimensions
// or a null `data` with a non-empty shape; WriteError if the file cannot be written.
template <class T>
void write_npy(const std::filesystem::path& file, const T* data, std::vector<std::size_t> shape);

extern template void write_npy<float>(const std::filesystem::path&, const float*,
                                      std::vector<std::size_t>);
extern template void write_npy<double>(const std::filesystem::path&, const double*,
                                       std::vector<std::size_t>);

// ---------------------------------------------------------------------------------------------
// Atomic writes
// ---------------------------------------------------------------------------------------------

// Writes `file` atomically: `write` fills a binary stream whose bytes go to a new temporary file
// in the same folder (".<name>.tmp-<unique>"); it is flushed to disk and then renamed over
// `file`, so readers see either the old file or the complete new one. An existing file keeps
// its permission bits; a new one gets 0666 minus the umask.
//
// On any failure the temporary is removed and `file` is left untouched:
//  - the folder does not exist (or is not a folder): WriteError naming the folder;
//  - the temporary cannot be created, written, synced or renamed: WriteError with the reason;
//  - `write` throws: the temporary is removed and the exception propagates unchanged;
//  - `write` leaves the stream in a failed state: WriteError.
void write_file_atomically(const std::filesystem::path& file,
                           const std::function<void(std::ostream&)>& write);

}  // namespace simdlr::io
