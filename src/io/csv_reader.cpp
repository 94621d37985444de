// CSV reader: one pass over a memory mapping of the file. Numeric cells are parsed in place with
// fast_float (no per-cell allocation); only header names and target cells become strings. Line
// and column numbers are computed only when an error is reported.
#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "io_support.hpp"
#include "simdlr/io.hpp"

namespace simdlr::io {
namespace {

using detail::quote_found;

constexpr std::size_t kMaxListedColumns = 30;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

void check_delimiter(char d) {
  const auto c = static_cast<unsigned char>(d);
  const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const bool ok =
      d == '\t' || (c > 0x20 && c < 0x7f && !alnum && std::strchr("\".+-", d) == nullptr);
  if (!ok) {
    throw InvalidArgument("read_csv: the delimiter " + quote_found(std::string_view(&d, 1)) +
                          " cannot be used; use ',', ';', '|', ':', '\\t' or another ASCII "
                          "punctuation character other than '\"', '.', '+' and '-'");
  }
}

// A field as found in the text. For an unquoted field the content is the trimmed text; for a
// quoted one it is the text between the quotes (with "" still doubled when has_escapes).
struct RawField {
  const char* begin = nullptr;  // first byte after leading spaces (the opening quote if quoted)
  const char* content_begin = nullptr;
  const char* content_end = nullptr;
  bool quoted = false;
  bool has_escapes = false;

  bool empty() const { return content_begin == content_end; }
  std::string_view content() const {
    return {content_begin, static_cast<std::size_t>(content_end - content_begin)};
  }
};

template <class T>
constexpr const char* type_name() {
  return sizeof(T) == 4 ? "float32" : "float64";
}

template <class T>
class CsvParser {
 public:
  CsvParser(std::string file, const char* begin, const char* end, const CsvOptions& options)
      : file_(std::move(file)), text_(begin), end_(end), delim_(options.delimiter) {
    if (end_ - text_ >= 3 && std::memcmp(text_, "\xEF\xBB\xBF", 3) == 0) text_ += 3;
    target_name_ = options.target;
    target_optional_ = options.target_optional;
  }

  Table<T> run() {
    check_binary();
    read_header();
    read_rows();
    return std::move(table_);
  }

 private:
  // ---- error reporting ---------------------------------------------------------------------

  // "file:line:column" of `at` (line and column 1-based; the column counts UTF-8 characters).
  std::string where(const char* at) const {
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(text_, at, '\n'));
    const char* line_start = at;
    while (line_start > text_ && line_start[-1] != '\n')
      --line_start;
    std::size_t column = 1;
    for (const char* c = line_start; c < at; ++c)
      column += (static_cast<unsigned char>(*c) & 0xC0) != 0x80;
    return file_ + ":" + std::to_string(line) + ":" + std::to_string(column);
  }

  [[noreturn]] void fail(const char* at, const std::string& what) const {
    throw ReadError(where(at) + ": " + what);
  }

  std::string column_label(std::size_t field) const {
    return "column " + quote_found(names_[field]) + " (field " + std::to_string(field + 1) + ")";
  }

  // The rest of the current line from `p` (for messages).
  std::string_view rest_of_line(const char* p) const {
    const char* e = p;
    while (e < end_ && *e != '\n' && *e != '\r')
      ++e;
    return {p, static_cast<std::size_t>(e - p)};
  }

  // ---- scanning ------------------------------------------------------------------------------

  bool is_space(char c) const { return c == ' ' || (c == '\t' && delim_ != '\t'); }
  bool is_terminator(char c) const { return c == delim_ || c == '\n' || c == '\r'; }

  // Binary content (NUL or another control byte than \t \n \r) is refused up front.
  void check_binary() const {
    const auto* p = reinterpret_cast<const unsigned char*>(text_);
    const std::size_t n = static_cast<std::size_t>(end_ - text_);
    constexpr std::size_t kBlock = 1 << 16;
    for (std::size_t start = 0; start < n; start += kBlock) {
      const std::size_t stop = std::min(n, start + kBlock);
      unsigned char bad = 0;
      for (std::size_t i = start; i < stop; ++i) {
        const unsigned char c = p[i];
        bad |= static_cast<unsigned char>((c < 0x20) & (c != '\t') & (c != '\n') & (c != '\r'));
      }
      if (bad == 0) continue;
      for (std::size_t i = start; i < stop; ++i) {
        const unsigned char c = p[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          static const char* const hex = "0123456789abcdef";
          const std::string code = std::string("0x") + hex[c >> 4] + hex[c & 15];
          // Show a little of the line before the byte, so that the byte is within the excerpt.
          const char* at = text_ + i;
          const char* from = at;
          while (from > text_ && from[-1] != '\n' && at - from < 20)
            --from;
          fail(at, "binary data: found byte " + code + (c == 0 ? " (NUL)" : "") + " in " +
                       quote_found(rest_of_line(from)) + "; a CSV file must be text");
        }
      }
    }
  }

  // Scans one field starting at `p` (which may point at leading spaces); leaves `p` at the
  // field's terminator: the delimiter, '\r', '\n' or the end of the text.
  RawField scan_field(const char*& p) const {
    while (p < end_ && is_space(*p))
      ++p;
    RawField f;
    f.begin = p;
    if (p < end_ && *p == '"') {
      const char* open = p;
      f.quoted = true;
      f.content_begin = ++p;
      for (;;) {
        const auto* q = static_cast<const char*>(
            p < end_ ? std::memchr(p, '"', static_cast<std::size_t>(end_ - p)) : nullptr);
        if (q == nullptr) {
          fail(open,
               "unterminated quoted field: no closing quote before the end of the file, "
               "found " +
                   quote_found(rest_of_line(open)));
        }
        if (q + 1 < end_ && q[1] == '"') {
          f.has_escapes = true;
          p = q + 2;
          continue;
        }
        f.content_end = q;
        p = q + 1;
        break;
      }
      while (p < end_ && is_space(*p))
        ++p;
      if (p < end_ && !is_terminator(*p)) {
        const char* e = p;
        while (e < end_ && !is_terminator(*e))
          ++e;
        fail(p, "unexpected text after the closing quote of a field: found " +
                    quote_found(std::string_view(f.begin, static_cast<std::size_t>(e - f.begin))));
      }
    } else {
      while (p < end_ && !is_terminator(*p))
        ++p;
      const char* e = p;
      while (e > f.begin && is_space(e[-1]))
        --e;
      f.content_begin = f.begin;
      f.content_end = e;
    }
    return f;
  }

  static std::string text_of(const RawField& f) {
    if (!f.has_escapes) return std::string(f.content());
    std::string out;
    out.reserve(f.content().size());
    for (const char* c = f.content_begin; c < f.content_end; ++c) {
      out += *c;
      if (*c == '"') ++c;  // "" -> "
    }
    return out;
  }

  // Moves `p` past the end of the line at `p` (at '\r', '\n' or the end of the text).
  void end_line(const char*& p) const {
    if (p == end_) return;
    if (*p == '\n') {
      ++p;
    } else if (*p == '\r' && p + 1 < end_ && p[1] == '\n') {
      p += 2;
    } else if (*p == '\r') {
      fail(p,
           "carriage return (\\r) not followed by a line feed (\\n); lines must end with \\n "
           "or \\r\\n");
    }
  }

  bool only_line_breaks_from(const char* p) const {
    for (; p < end_; ++p)
      if (*p != '\n' && *p != '\r') return false;
    return true;
  }

  // Parses the whole of [b, e) (spaces around it allowed) as a number of type U; true when it is
  // one and finite.
  template <class U>
  bool parse_finite(const char* b, const char* e, U& value) const {
    while (b < e && is_space(*b))
      ++b;
    while (e > b && is_space(e[-1]))
      --e;
    if (e - b >= 2 && *b == '+' && (is_digit(b[1]) || b[1] == '.')) ++b;
    const auto r = fast_float::from_chars(b, e, value);
    return r.ec == std::errc() && r.ptr == e && b != e && std::isfinite(value);
  }

  // ---- header --------------------------------------------------------------------------------

  void read_header() {
    const char* p = text_;
    if (only_whitespace(p)) {
      fail(p, p == end_ ? "empty file: expected a header row with the column names"
                        : "empty file (only blank lines): expected a header row with the column "
                          "names");
    }
    std::vector<const char*> starts;
    for (;;) {
      const RawField f = scan_field(p);
      std::string name = text_of(f);
      if (name.empty()) {
        fail(f.begin,
             "empty column name in the header (field " + std::to_string(names_.size() + 1) +
                 "); every column needs a name, found " + quote_found(rest_of_line(text_)));
      }
      names_.push_back(std::move(name));
      starts.push_back(f.begin);
      if (p < end_ && *p == delim_) {
        ++p;
        continue;
      }
      break;
    }
    end_line(p);
    data_ = p;

    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(names_.size());
    for (std::size_t j = 0; j < names_.size(); ++j) {
      const auto [it, inserted] = seen.emplace(names_[j], j);
      if (!inserted) {
        fail(starts[j], "duplicate column name " + quote_found(names_[j]) + " (fields " +
                            std::to_string(it->second + 1) + " and " + std::to_string(j + 1) +
                            "); column names must be unique");
      }
    }

    target_ = names_.size();  // none
    if (!target_name_.empty()) {
      const auto it = seen.find(target_name_);
      if (it == seen.end() && !target_optional_) {
        std::string list;
        for (std::size_t j = 0; j < names_.size() && j < kMaxListedColumns; ++j)
          list += (j ? ", " : "") + quote_found(names_[j]);
        if (names_.size() > kMaxListedColumns)
          list += ", ... (" + std::to_string(names_.size() - kMaxListedColumns) + " more)";
        fail(text_, "target column " + quote_found(target_name_) +
                        " not found in the header; the columns are: " + list);
      }
      if (it != seen.end()) target_ = it->second;
    }
    const std::size_t features = names_.size() - (target_ < names_.size() ? 1 : 0);
    if (features == 0) {
      fail(text_, "no feature columns: the only column is the target " + quote_found(target_name_));
    }

    table_.cols = features;
    table_.feature_names.reserve(features);
    for (std::size_t j = 0; j < names_.size(); ++j)
      if (j != target_) table_.feature_names.push_back(names_[j]);
    if (target_ < names_.size()) table_.target_name = names_[target_];
  }

  bool only_whitespace(const char* p) const {
    for (; p < end_; ++p)
      if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t') return false;
    return true;
  }

  // ---- data rows -----------------------------------------------------------------------------

  [[noreturn]] void bad_number(const char* start, std::size_t field) const {
    const char* p = start;
    const RawField f = scan_field(p);
    const std::string label = column_label(field);
    if (f.empty()) {
      fail(f.begin, label + ": empty cell; feature values must be numbers" +
                        (f.quoted ? std::string(", found \"\"") : std::string()));
    }
    const std::string found = quote_found(f.content());
    if (!f.has_escapes) {
      // Classify: a number too large for T, a NaN/infinity, or no number at all.
      const char* b = f.content_begin;
      const char* e = f.content_end;
      if (e - b >= 2 && *b == '+' && (is_digit(b[1]) || b[1] == '.')) ++b;
      T value{};
      const auto r = fast_float::from_chars(b, e, value);
      if (r.ec == std::errc() && r.ptr == e && !std::isfinite(value)) {
        const char* digits = (*b == '-') ? b + 1 : b;
        if (digits < e && (is_digit(*digits) || *digits == '.')) {
          fail(f.begin, label + ": number out of range for " + type_name<T>() + ", found " + found);
        }
        fail(f.begin, label + ": expected a finite number, found " + found +
                          "; NaN and infinity are not allowed in features");
      }
    }
    fail(f.begin, label + ": expected a number, found " + found);
  }

  // Parses the feature cell at `p` and leaves `p` at its terminator.
  T parse_number(const char*& p, std::size_t field) const {
    const char* start = p;
    while (p < end_ && is_space(*p))
      ++p;
    T value{};
    if (p < end_ && *p == '"') {  // quoted number: rare, slow path
      const RawField f = scan_field(p);
      if (f.has_escapes || !parse_finite(f.content_begin, f.content_end, value))
        bad_number(start, field);
      return value;
    }
    const char* q = p;
    if (q + 1 < end_ && *q == '+' && (is_digit(q[1]) || q[1] == '.')) ++q;
    const auto r = fast_float::from_chars(q, end_, value);
    if (r.ec != std::errc()) bad_number(start, field);
    q = r.ptr;
    while (q < end_ && is_space(*q))
      ++q;
    if ((q < end_ && !is_terminator(*q)) || !std::isfinite(value)) bad_number(start, field);
    p = q;
    return value;
  }

  void parse_target(const char*& p) {
    const RawField f = scan_field(p);
    if (f.empty()) {
      fail(f.begin, column_label(target_) + ": empty target cell; every row needs a target value");
    }
    std::string text = text_of(f);
    if (target_numeric_) {
      double value = 0;
      if (parse_finite(text.data(), text.data() + text.size(), value)) {
        table_.target_numeric.push_back(value);
      } else {
        target_numeric_ = false;
        table_.target_first_non_numeric = where(f.begin) + ": " + quote_found(text);
        table_.target_numeric.clear();
        table_.target_numeric.shrink_to_fit();
      }
    }
    table_.target_text.push_back(std::move(text));
  }

  void reserve_from(const char* first_row, const char* now, std::size_t rows) {
    const auto bytes = static_cast<double>(now - first_row);
    const double per_row = std::max(1.0, bytes / static_cast<double>(rows));
    const auto estimate =
        static_cast<std::size_t>(1.05 * static_cast<double>(end_ - first_row) / per_row) + 1;
    table_.X.reserve(estimate * table_.cols);
    if (target_ < names_.size()) {
      table_.target_text.reserve(estimate);
      if (target_numeric_) table_.target_numeric.reserve(estimate);
    }
  }

  void read_rows() {
    const std::size_t fields = names_.size();
    const std::size_t cols = table_.cols;
    const bool has_target = target_ < fields;
    const char* p = data_;
    if (only_line_breaks_from(p)) fail(p, "no data rows after the header");

    constexpr std::size_t kSampleRows = 256;
    std::size_t rows = 0;
    while (p < end_) {
      if (*p == '\n' || *p == '\r') {
        if (only_line_breaks_from(p)) break;
        fail(p,
             "blank line between data rows; every row needs " + std::to_string(fields) + " fields");
      }
      const std::size_t base = table_.X.size();
      table_.X.resize(base + cols);
      T* out = table_.X.data() + base;
      for (std::size_t j = 0; j < fields; ++j) {
        if (j == target_) {
          parse_target(p);
        } else {
          *out++ = parse_number(p, j);
        }
        if (j + 1 < fields) {
          if (p < end_ && *p == delim_) {
            ++p;
            continue;
          }
          fail(p, "row has " + std::to_string(j + 1) + " field" + (j ? "s" : "") +
                      " but the header has " + std::to_string(fields) + "; " + column_label(j + 1) +
                      " is missing");
        }
      }
      if (p < end_ && *p == delim_) {
        const char* extra = p;
        std::size_t count = fields;
        while (p < end_ && *p == delim_) {
          ++p;
          ++count;
          scan_field(p);
        }
        fail(extra, "row has " + std::to_string(count) + " fields but the header has " +
                        std::to_string(fields) + "; found extra fields " +
                        quote_found(rest_of_line(extra)));
      }
      end_line(p);
      ++rows;
      if (rows == kSampleRows) reserve_from(data_, p, rows);
    }
    table_.rows = rows;
    table_.target_is_numeric = has_target && target_numeric_;
    if (table_.X.capacity() > table_.X.size() + table_.X.size() / 4) table_.X.shrink_to_fit();
  }

  std::string file_;
  const char* text_;  // after a byte-order mark
  const char* end_;
  char delim_;
  std::string target_name_;
  bool target_optional_ = false;

  std::vector<std::string> names_;  // every header name, in file order
  std::size_t target_ = 0;          // index of the target field; names_.size() if none
  const char* data_ = nullptr;      // first byte after the header line
  bool target_numeric_ = true;
  Table<T> table_;
};

}  // namespace

template <class T>
Table<T> read_csv(const std::filesystem::path& file, const CsvOptions& options) {
  check_delimiter(options.delimiter);
  const detail::MappedFile mapped = detail::MappedFile::open(file, /*populate=*/true);
  CsvParser<T> parser(file.string(), mapped.data(), mapped.data() + mapped.size(), options);
  return parser.run();
}

template Table<float> read_csv<float>(const std::filesystem::path&, const CsvOptions&);
template Table<double> read_csv<double>(const std::filesystem::path&, const CsvOptions&);

}  // namespace simdlr::io
