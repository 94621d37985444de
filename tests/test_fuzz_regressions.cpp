// Inputs found by fuzzing the readers (scripts/fuzz) and the bugs they showed, kept as
// regression cases. Every file under tests/fuzz/regressions/<reader>/ goes through the same calls
// as the fuzz target of that reader and must end in a result or a simdlr::Error, nothing else
// (the sanitize preset runs this under ASan + UBSan, as the fuzzers did). The named cases below
// pin the fixed behaviour and its message.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "simdlr/io.hpp"
#include "simdlr/model_file.hpp"
#include "support.hpp"
#include "temp_dir.hpp"

using namespace simdlr;
using Catch::Matchers::Contains;

namespace {

const std::filesystem::path kRegressions =
    std::filesystem::path(SIMDLR_SOURCE_DIR) / "tests" / "fuzz" / "regressions";

// The saved inputs of one reader; none when its folder does not exist (git keeps no empty
// folders, and the fuzzers have found nothing in the CSV and NPY readers so far).
std::vector<std::filesystem::path> files_of(const std::string& reader) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(kRegressions / reader)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(kRegressions / reader))
    if (entry.is_regular_file()) out.push_back(entry.path());
  return out;
}

// As fuzz_csv.cpp: the first byte picks the options, the rest is the file.
void read_csv_like_the_fuzzer(const std::filesystem::path& input) {
  std::ifstream in(input, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return;
  const auto mode = static_cast<unsigned char>(bytes[0]);
  io::CsvOptions options;
  static const char delimiters[] = {',', ';', '\t', '|'};
  options.delimiter = delimiters[(mode >> 3) & 3];
  if (mode & 2) options.target = "y";
  options.target_optional = (mode & 4) != 0;
  test::TempDir dir;
  const auto file = dir.write("input.csv", bytes.substr(1));
  try {
    if (mode & 1) {
      (void)io::read_csv<double>(file, options);
    } else {
      (void)io::read_csv<float>(file, options);
    }
  } catch (const Error&) {
  }
}

void read_npy_like_the_fuzzer(const std::filesystem::path& file) {
  try {
    (void)io::read_npy_header(file);
  } catch (const Error&) {
  }
  try {
    (void)io::NpyMatrix<float>::open(file);
  } catch (const Error&) {
  }
  try {
    (void)io::NpyMatrix<double>::open(file);
  } catch (const Error&) {
  }
  try {
    (void)io::read_npy_vector(file);
  } catch (const Error&) {
  }
}

template <class T>
void predict_one_row(const SavedModel& saved) {
  const std::vector<T> row(saved.feature_names.size(), T(0));
  const MatrixView<const T> X{row.data(), 1, row.size()};
  try {
    if (saved.task == "logistic") {
      const auto model = logistic_from<T>(saved);
      std::vector<T> proba(model.classes().size());
      model.predict_proba(X, proba);
    } else {
      const auto model = linear_from<T>(saved);
      T out = 0;
      model.predict(X, std::span<T>(&out, 1));
    }
  } catch (const Error&) {
  }
}

void load_model_like_the_fuzzer(const std::filesystem::path& file) {
  try {
    const SavedModel saved = load_model(file);
    predict_one_row<float>(saved);
    predict_one_row<double>(saved);
  } catch (const Error&) {
  }
}

// A copy of the committed binary logistic seed with one JSON edit applied.
std::string seed_model_with(const std::string& from, const std::string& to) {
  std::ifstream in(std::filesystem::path(SIMDLR_SOURCE_DIR) / "tests" / "fuzz" / "corpus" /
                   "model_file" / "logistic_binary.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

// Writes the seed with its field `"key": seed_value` set to `value` (as `key`.json in `dir`),
// checks that loading it throws with `message` in the error, and returns the file.
std::filesystem::path check_value_refused(const test::TempDir& dir, const std::string& key,
                                          const std::string& seed_value, const std::string& value,
                                          const std::string& message) {
  const std::string field = "\"" + key + "\": ";
  const auto file = dir.write(key + ".json", seed_model_with(field + seed_value, field + value));
  CHECK_THROWS_WITH(load_model(file), Contains(message));
  return file;
}

}  // namespace

TEST_CASE("every saved fuzzer input reads to a result or a typed error", "[fuzz][io]") {
  REQUIRE_FALSE(files_of("model_file").empty());  // the folder is found at all
  for (const auto& file : files_of("csv")) {
    INFO(file.string());
    CHECK_NOTHROW(read_csv_like_the_fuzzer(file));
  }
  for (const auto& file : files_of("npy")) {
    INFO(file.string());
    CHECK_NOTHROW(read_npy_like_the_fuzzer(file));
  }
  for (const auto& file : files_of("model_file")) {
    INFO(file.string());
    CHECK_NOTHROW(load_model_like_the_fuzzer(file));
  }
}

TEST_CASE("model file: the committed seed loads", "[fuzz][model_file]") {
  test::TempDir dir;
  const auto file = dir.write("m.json", seed_model_with("\"max_iter\": 100", "\"max_iter\": 100"));
  const SavedModel s = load_model(file);
  CHECK(s.logistic.solver_options.max_iter == 100);
  CHECK(s.reports.at(0).iterations == 3);
}

TEST_CASE("model file: integers out of the range of int are typed errors, not UB",
          "[fuzz][model_file]") {
  // Found by fuzz_model_file: nlohmann's get<int>() on 1e300 or -1e20 is a float-to-int
  // conversion outside int's range (undefined behaviour, reported by UBSan).
  test::TempDir dir;
  const auto huge =
      check_value_refused(dir, "max_iter", "100", "1e300", "field 'max_iter': expected an integer");
  CHECK_THROWS_AS(load_model(huge), ModelFileError);
  check_value_refused(dir, "iterations", "3", "-1e20", "field 'iterations': expected an integer");
  check_value_refused(dir, "threads", "0", "4294967296", "field 'threads': 4294967296 is outside");
  check_value_refused(dir, "threads", "0", "-2", "field 'threads': -2 is outside");
  check_value_refused(dir, "stop_code", "0", "7", "field 'stop_code': 7 is outside [0, 4]");
}

TEST_CASE("model file: a version beyond int does not wrap around to 1", "[fuzz][model_file]") {
  // 4294967297 = 2^32 + 1 used to be read through get<int>() as 1 and accepted.
  test::TempDir dir;
  check_value_refused(dir, "version", "1", "4294967297", "model file version 4294967297 is newer");
  check_value_refused(dir, "version", "1", "18446744073709551615", "is newer");
  check_value_refused(dir, "version", "1", "-4294967295", "invalid model file version -4294967295");
}

TEST_CASE("model file: a number too large for a double is a typed error", "[fuzz][model_file]") {
  // Found by fuzz_model_file (crash-3176a13c...): json::parse throws out_of_range (406, number
  // overflow), not parse_error, and it escaped load_model as an untyped nlohmann exception.
  test::TempDir dir;
  const auto file = dir.write("overflow.json", "{\"format\": 0.09999999999999999999999e999 [+}");
  CHECK_THROWS_AS(load_model(file), ModelFileError);
  CHECK_THROWS_WITH(
      load_model(file),
      Contains("not valid JSON: number overflow parsing '0.09999999999999999999999e999'"));
  const auto in_coef = dir.write("coef.json", seed_model_with("[\n   0.5,", "[\n   1e400,"));
  CHECK_THROWS_WITH(load_model(in_coef),
                    Contains("not valid JSON: number overflow parsing '1e400'"));
}
