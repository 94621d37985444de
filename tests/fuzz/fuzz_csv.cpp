// libFuzzer target: read_csv<float/double> on arbitrary bytes. The first byte chooses the options
// (precision, target column, target_optional, delimiter); the rest is the file. A simdlr::Error is
// a correct answer; anything else (crash, sanitizer report, another exception) is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_input_file.hpp"
#include "simdlr/io.hpp"

namespace {

template <class T>
void check(const simdlr::io::Table<T>& t) {
  if (t.X.size() != t.rows * t.cols) std::abort();
  if (t.feature_names.size() != t.cols) std::abort();
  for (T v : t.X)
    if (!std::isfinite(v)) std::abort();
  if (!t.target_name.empty()) {
    if (t.target_text.size() != t.rows) std::abort();
    if (t.target_is_numeric && t.target_numeric.size() != t.rows) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdlr::fuzz::InputFile file(".csv");
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  simdlr::io::CsvOptions options;
  static const char delimiters[] = {',', ';', '\t', '|'};
  options.delimiter = delimiters[(mode >> 3) & 3];
  if (mode & 2) options.target = "y";
  options.target_optional = (mode & 4) != 0;
  const auto& path = file.write(data + 1, size - 1);
  try {
    if (mode & 1) {
      check(simdlr::io::read_csv<double>(path, options));
    } else {
      check(simdlr::io::read_csv<float>(path, options));
    }
  } catch (const simdlr::Error&) {
  }
  return 0;
}
