// read_csv: values read back exactly, the format rules (quotes, BOM, line endings, delimiters),
// and every malformed input giving a ReadError that names file:line:column and what was found.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>
#include "temp_dir.hpp"

#include "simdlr/io.hpp"

namespace fs = std::filesystem;
using simdlr::io::CsvOptions;
using simdlr::io::read_csv;
using simdlr::io::ReadError;

namespace {

// Each test's temporary folder (tests/temp_dir.hpp), named for this file.
struct TempDir : simdlr::test::TempDir {
  TempDir() : simdlr::test::TempDir("simdlr-test-csv-") {}
};

std::string g17(double x) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

// Reads `content` (as file "bad.csv") and returns the ReadError message; fails if none is thrown.
template <class T = double>
std::string read_error(const std::string& content, const CsvOptions& options = {}) {
  TempDir dir;
  const fs::path file = dir.write("bad.csv", content);
  try {
    (void)read_csv<T>(file, options);
  } catch (const ReadError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find(file.string()) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);  // one line
    return message;
  }
  FAIL("no ReadError for " << content.substr(0, 200));
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Reads `content` (as file "bad.csv"), checks that the ReadError message contains every one of
// `parts`, and returns the message.
template <class T = double>
std::string expect_error(const std::string& content, const std::vector<std::string>& parts,
                         const CsvOptions& options = {}) {
  const std::string message = read_error<T>(content, options);
  INFO("message: " << message);
  for (const std::string& part : parts) {
    INFO("expected in it: " << part);
    CHECK(contains(message, part));
  }
  return message;
}

}  // namespace

TEST_CASE("read_csv reads random doubles back exactly", "[io][csv]") {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> exponent(-300, 300);
  const std::size_t rows = 300;
  const std::size_t cols = 6;
  std::vector<double> values(rows * cols);
  for (std::size_t k = 0; k < values.size(); ++k)
    values[k] = normal(rng) * std::pow(10.0, exponent(rng) % (k % 3 == 0 ? 300 : 5));
  values[0] = 4.9406564584124654e-324;  // smallest subnormal
  values[1] = -1.7976931348623157e308;  // lowest double
  values[2] = 0.0;
  values[3] = -0.0;
  values[4] = 0.1;

  std::string text = "x0,x1,x2,label,x3,x4,x5\n";
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      if (j == 3) {
        labels.push_back(i % 3 == 0 ? "cat" : "dog");
        text += labels.back() + ",";
      }
      text += g17(values[i * cols + j]) + (j + 1 < cols ? "," : "\n");
    }
  }
  TempDir dir;
  const fs::path file = dir.write("numbers.csv", text);

  const auto table = read_csv<double>(file, {.target = "label"});
  REQUIRE(table.rows == rows);
  REQUIRE(table.cols == cols);
  CHECK(table.feature_names == std::vector<std::string>{"x0", "x1", "x2", "x3", "x4", "x5"});
  CHECK(table.target_name == "label");
  CHECK(table.target_text == labels);
  CHECK_FALSE(table.target_is_numeric);
  CHECK(table.target_numeric.empty());
  CHECK(contains(table.target_first_non_numeric, "numbers.csv:2:"));
  CHECK(contains(table.target_first_non_numeric, "\"cat\""));
  for (std::size_t k = 0; k < values.size(); ++k) {
    INFO("element " << k << " written as " << g17(values[k]));
    REQUIRE(table.X[k] == values[k]);
    REQUIRE(std::signbit(table.X[k]) == std::signbit(values[k]));
  }
  const auto view = table.view();
  CHECK(view.rows == rows);
  CHECK(view.cols == cols);
  CHECK(view(7, 4) == values[7 * cols + 4]);

  // float: every value is the correctly rounded float of its text (same as strtof).
  std::string small = "a,b\n";
  std::vector<std::string> cells;
  for (std::size_t i = 0; i < 200; ++i) {
    cells.push_back(g17(normal(rng) * std::pow(10.0, exponent(rng) % 30)));
    cells.push_back(g17(normal(rng)));
    small += cells[2 * i] + "," + cells[2 * i + 1] + "\n";
  }
  const auto floats = read_csv<float>(dir.write("floats.csv", small));
  REQUIRE(floats.X.size() == cells.size());
  for (std::size_t k = 0; k < cells.size(); ++k)
    REQUIRE(floats.X[k] == std::strtof(cells[k].c_str(), nullptr));
}

TEST_CASE("read_csv numeric and text targets", "[io][csv]") {
  TempDir dir;
  const auto numeric =
      read_csv<double>(dir.write("t.csv", "y,a\n1,2\n0,3\n2.5,4\n"), {.target = "y"});
  CHECK(numeric.target_is_numeric);
  CHECK(numeric.target_numeric == std::vector<double>{1.0, 0.0, 2.5});
  CHECK(numeric.target_text == std::vector<std::string>{"1", "0", "2.5"});
  CHECK(numeric.target_first_non_numeric.empty());
  CHECK(numeric.X == std::vector<double>{2, 3, 4});

  // A target cell "nan" makes the target text, not a NaN number.
  const auto nan_target =
      read_csv<double>(dir.write("n.csv", "a,y\n1,1\n2,nan\n"), {.target = "y"});
  CHECK_FALSE(nan_target.target_is_numeric);
  CHECK(nan_target.target_text == std::vector<std::string>{"1", "nan"});
  CHECK(contains(nan_target.target_first_non_numeric, "n.csv:3:3: \"nan\""));

  // An optional target: used when present, otherwise every column is a feature.
  CsvOptions optional;
  optional.target = "y";
  optional.target_optional = true;
  const auto present = read_csv<double>(dir.write("p.csv", "a,y\n1,0\n2,1\n"), optional);
  CHECK(present.target_name == "y");
  CHECK(present.target_numeric == std::vector<double>{0, 1});
  CHECK(present.X == std::vector<double>{1, 2});
  const auto absent = read_csv<double>(dir.write("q.csv", "a,b\n1,0\n2,1\n"), optional);
  CHECK(absent.target_name.empty());
  CHECK(absent.target_text.empty());
  CHECK_FALSE(absent.target_is_numeric);
  CHECK(absent.feature_names == std::vector<std::string>{"a", "b"});
  CHECK(absent.X == std::vector<double>{1, 0, 2, 1});

  // No target: every column is a feature.
  const auto all = read_csv<float>(dir.write("all.csv", "a,b\n1,2\n3,4\n"));
  CHECK(all.cols == 2);
  CHECK(all.target_name.empty());
  CHECK(all.target_text.empty());
  CHECK_FALSE(all.target_is_numeric);
  CHECK(all.X == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("read_csv quoting, trimming, BOM and line endings", "[io][csv]") {
  TempDir dir;
  const std::string text =
      "\xEF\xBB\xBF \"first, name\" ;  b  ;\"say \"\"hi\"\"\"\r\n"
      "  1.5 ; \"2\" ;\" a \"\"quoted\"\" label \"\r\n"
      "+3;-4e-2;\"multi\r\nline\"\r\n"
      ".5;7.;plain\r\n"
      "\r\n\r\n";
  const auto table =
      read_csv<double>(dir.write("q.csv", text), {.target = "say \"hi\"", .delimiter = ';'});
  CHECK(table.feature_names == std::vector<std::string>{"first, name", "b"});
  CHECK(table.target_name == "say \"hi\"");
  CHECK(table.rows == 3);
  CHECK(table.X == std::vector<double>{1.5, 2.0, 3.0, -0.04, 0.5, 7.0});
  CHECK(table.target_text ==
        std::vector<std::string>{" a \"quoted\" label ", "multi\r\nline", "plain"});

  // No trailing newline; tab delimiter (tabs are then not trimmed, spaces are).
  const auto tabs =
      read_csv<double>(dir.write("t.tsv", "a\tb\n 1\t2 \n3\t4"), {.target = "", .delimiter = '\t'});
  CHECK(tabs.rows == 2);
  CHECK(tabs.X == std::vector<double>{1, 2, 3, 4});

  // A single column, and a single row without a newline.
  const auto one = read_csv<double>(dir.write("one.csv", "only\n42"));
  CHECK(one.rows == 1);
  CHECK(one.cols == 1);
  CHECK(one.X == std::vector<double>{42});
}

TEST_CASE("read_csv refuses unusable delimiters", "[io][csv]") {
  TempDir dir;
  CsvOptions options;
  for (char d : {'"', '.', '-', '+', 'e', '1', ' ', '\n', '\0'}) {
    options.delimiter = d;
    CHECK_THROWS_AS(read_csv<double>(dir.write("d.csv", "a,b\n1,2\n"), options),
                    simdlr::InvalidArgument);
  }
  for (char d : {',', ';', '|', ':', '\t', '#'}) {
    options.delimiter = d;
    const auto table =
        read_csv<double>(dir.write("d.csv", std::string("a") + d + "b\n1" + d + "2\n"), options);
    CHECK(table.X == std::vector<double>{1, 2});
  }
}

TEST_CASE("read_csv errors name file:line:column and what was found", "[io][csv]") {
  SECTION("missing target column lists the columns") {
    expect_error("a,b,c\n1,2,3\n", {"bad.csv:1:1:", "\"label\" not found", "\"a\", \"b\", \"c\""},
                 {.target = "label"});
  }
  SECTION("empty cell") {
    expect_error("a,b,c\n1,2,3\n4,,6\n", {"bad.csv:3:3:", "empty cell", "column \"b\""});
  }
  SECTION("empty last cell") {
    expect_error("a,b\n1,\n", {"bad.csv:2:3:", "empty cell"});
  }
  SECTION("non-numeric cell") {
    expect_error("a,b,c\n1,2,3\n4,abc,6\n", {"bad.csv:3:3:", "expected a number, found \"abc\""});
  }
  SECTION("number followed by text") {
    expect_error("a,b\n1,2.5x\n", {"bad.csv:2:3:", "found \"2.5x\""});
  }
  SECTION("nan and inf are refused") {
    for (const char* bad : {"nan", "NaN", "inf", "-inf", "Infinity", "-nan"}) {
      expect_error(std::string("a,b\n1,2\n3,") + bad + "\n",
                   {"bad.csv:3:3:", std::string("found \"") + bad + "\"", "finite"});
    }
  }
  SECTION("numbers out of range") {
    expect_error("a\n1e400\n", {"bad.csv:2:1:", "out of range for float64, found \"1e400\""});
    expect_error<float>("a\n1e39\n", {"out of range for float32, found \"1e39\""});
  }
  SECTION("ragged rows") {
    expect_error("a,b,c\n1,2,3\n4,5\n",
                 {"bad.csv:3:4:", "row has 2 fields but the header has 3", "\"c\""});
    expect_error("a,b,c\n1,2,3,4,5\n",
                 {"bad.csv:2:6:", "row has 5 fields but the header has 3", "\",4,5\""});
  }
  SECTION("empty file, only a BOM, only blank lines") {
    expect_error("", {"bad.csv:1:1: empty file"});
    expect_error("\xEF\xBB\xBF", {"bad.csv:1:1: empty file"});
    expect_error("\n\r\n  \n", {"empty file"});
  }
  SECTION("header only") {
    expect_error("a,b\n", {"bad.csv:2:1: no data rows"});
    expect_error("a,b", {"bad.csv:1:4: no data rows"});
    expect_error("a,b\r\n\r\n", {"bad.csv:2:1: no data rows"});
  }
  SECTION("duplicate and empty column names") {
    expect_error("a,b,a\n1,2,3\n",
                 {"bad.csv:1:5:", "duplicate column name \"a\" (fields 1 and 3)"});
    expect_error("a,,c\n1,2,3\n", {"bad.csv:1:3:", "empty column name"});
  }
  SECTION("binary bytes") {
    expect_error(std::string("a,b\n1,2\n3,4\0\n", 13),
                 {"bad.csv:3:4:", "0x00 (NUL)", "\"3,4\\x00\""});
    expect_error("a,b\n1,\x01\n", {"bad.csv:2:3:", "0x01"});
  }
  SECTION("quotes") {
    expect_error("a,b\n1,\"2\n3,4\n", {"bad.csv:2:3:", "unterminated quoted field"});
    expect_error("a,b\n1,\"2\"x\n", {"bad.csv:2:6:", "after the closing quote", "\"\\\"2\\\"x\""});
    expect_error("a,b\n1,\"2\"\"\"\n", {"bad.csv:2:3:", "expected a number"});
  }
  SECTION("blank line between rows and a lone carriage return") {
    expect_error("a,b\n1,2\n\n3,4\n", {"bad.csv:3:1: blank line"});
    expect_error("a,b\r1,2\r", {"bad.csv:1:4:", "carriage return"});
  }
  SECTION("empty target cell, only a target column") {
    expect_error("a,y\n1,\n", {"bad.csv:2:3:", "empty target cell"}, {.target = "y"});
    expect_error("y\n1\n", {"no feature columns"}, {.target = "y"});
  }
  SECTION("columns count UTF-8 characters") {
    expect_error("\xC3\xA9t\xC3\xA9,b\n\"\xC3\xA9\",x\n", {"bad.csv:2:5:", "found \"x\""},
                 {.target = "\xC3\xA9t\xC3\xA9"});
  }
  SECTION("long offending text is cut") {
    const auto m = expect_error("a,b\n1," + std::string(5000, 'z') + "\n",
                                {"bad.csv:2:3:", "... (5000 bytes)"});
    CHECK(m.size() < 400);
  }
}

TEST_CASE("read_csv: a file that cannot be opened", "[io][csv]") {
  TempDir dir;
  try {
    (void)read_csv<double>(dir.path / "missing.csv");
    FAIL("no error");
  } catch (const ReadError& e) {
    CHECK(contains(e.what(), "missing.csv"));
    CHECK(contains(e.what(), "cannot open"));
  }
  CHECK_THROWS_AS(read_csv<double>(dir.path), ReadError);  // a folder
}

TEST_CASE("read_csv handles gigantic lines", "[io][csv]") {
  TempDir dir;
  // A 10 MB cell: refused with a short message.
  const std::string huge(10 * 1024 * 1024, '7');
  const auto m = expect_error("a,b\n1," + huge + "x\n", {"bad.csv:2:3:"});
  CHECK(m.size() < 400);

  // A 10 MB number of digits is still a (finite) number.
  const auto digits = read_csv<double>(dir.write("digits.csv", "a\n0." + huge + "\n"));
  CHECK(digits.X[0] == Approx(0.7777777777777778).epsilon(1e-15));

  // A wide row: 300,000 columns.
  const std::size_t wide = 300000;
  std::string header;
  std::string row;
  for (std::size_t j = 0; j < wide; ++j) {
    header += j ? ",c" : "c";
    header += std::to_string(j);
    row += j ? "," : "";
    row += std::to_string(j % 97);
    row += ".25";
  }
  const auto table = read_csv<float>(dir.write("wide.csv", header + "\n" + row + "\n" + row));
  CHECK(table.rows == 2);
  REQUIRE(table.cols == wide);
  CHECK(table.X[wide + 12345] == float(12345 % 97) + 0.25f);
}
