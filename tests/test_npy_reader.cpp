// .npy reading (zero copy, conversions, refusals), write_npy round trips and
// write_file_atomically. The hand-crafted files follow NumPy's format description; they were
// checked against numpy.load while writing this test (numpy is not needed to run it).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include "temp_dir.hpp"

#include "simdlr/io.hpp"

namespace fs = std::filesystem;
using simdlr::io::NpyMatrix;
using simdlr::io::read_npy_vector;
using simdlr::io::ReadError;
using simdlr::io::write_file_atomically;
using simdlr::io::write_npy;
using simdlr::io::WriteError;

namespace {

// Each test's temporary folder (tests/temp_dir.hpp), named for this file.
struct TempDir : simdlr::test::TempDir {
  TempDir() : simdlr::test::TempDir("simdlr-test-npy-") {}
};

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A .npy file: magic, version major.0, header length (2 bytes for 1.0, else 4), the header dict
// padded with spaces to `align` bytes (0: no padding) and ended by '\n', then `data`.
std::string npy(int major, const std::string& dict, const std::string& data,
                std::size_t align = 64) {
  const std::size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  if (align > 0) {
    const std::size_t total = (prefix + header.size() + 1 + align - 1) / align * align;
    header.append(total - prefix - header.size() - 1, ' ');
  }
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < prefix - 8; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

// The bytes of `values` stored as S, little-endian, or big-endian when `big`.
template <class S>
std::string raw(const std::vector<S>& values, bool big = false) {
  std::string out;
  for (const S& v : values) {
    char bytes[sizeof(S)];
    std::memcpy(bytes, &v, sizeof(S));
    if (big) std::reverse(bytes, bytes + sizeof(S));
    out.append(bytes, sizeof(S));
  }
  return out;
}

// A hand-crafted file: either valid with the expected row-major values, or refused with a
// ReadError whose message contains every string of `error_parts`.
struct Crafted {
  std::string name;
  std::string bytes;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;
  std::vector<std::string> error_parts;
};

std::vector<Crafted> crafted_files() {
  const std::vector<double> v6 = {1.5, -2.25, 3e10, -0.0, 1e-300, 7};
  const std::vector<double> by_column = {1.5, -0.0, -2.25, 1e-300, 3e10, 7};  // v6 as 2x3, F order
  const std::int64_t big = (std::int64_t(1) << 53) + 1;
  std::vector<Crafted> c;
  // ---- valid ----
  c.push_back({"v1_f8", npy(1, dict("<f8", "(2, 3)"), raw(v6)), 2, 3, v6, {}});
  c.push_back({"v2_f8", npy(2, dict("<f8", "(2, 3)"), raw(v6)), 2, 3, v6, {}});
  c.push_back({"v3_f8", npy(3, dict("<f8", "(2, 3)"), raw(v6)), 2, 3, v6, {}});
  c.push_back({"align16_f8", npy(1, dict("<f8", "(2, 3)"), raw(v6), 16), 2, 3, v6, {}});
  c.push_back({"unaligned_f8", npy(1, dict("<f8", "(2, 3)"), raw(v6), 0), 2, 3, v6, {}});
  c.push_back({"native_f8", npy(1, dict("=f8", "(2, 3)"), raw(v6)), 2, 3, v6, {}});
  c.push_back({"key_order",
               npy(1, "{\"shape\": (2,3), \"fortran_order\": False, \"descr\": \"<f8\"}", raw(v6)),
               2,
               3,
               v6,
               {}});
  c.push_back({"f4",
               npy(1, dict("<f4", "(1, 3)"), raw<float>({0.1f, -3.5f, 1e30f})),
               1,
               3,
               {double(0.1f), -3.5, double(1e30f)},
               {}});
  c.push_back(
      {"f2",
       npy(1, dict("<f2", "(1, 5)"), raw<std::uint16_t>({0x3c00, 0xc100, 0x7bff, 0x0001, 0x8000})),
       1,
       5,
       {1.0, -2.5, 65504.0, 5.9604644775390625e-08, -0.0},
       {}});
  c.push_back({"i1",
               npy(1, dict("|i1", "(2, 2)"), raw<std::int8_t>({-128, 127, 0, -1})),
               2,
               2,
               {-128, 127, 0, -1},
               {}});
  c.push_back({"i2",
               npy(1, dict("<i2", "(1, 2)"), raw<std::int16_t>({-32768, 300})),
               1,
               2,
               {-32768, 300},
               {}});
  c.push_back({"i4",
               npy(1, dict("<i4", "(2, 2)"),
                   raw<std::int32_t>({std::numeric_limits<std::int32_t>::min(), -5, 0, 42})),
               2,
               2,
               {-2147483648.0, -5, 0, 42},
               {}});
  c.push_back({"i8",
               npy(1, dict("<i8", "(1, 3)"), raw<std::int64_t>({big, -big, 3})),
               1,
               3,
               {9007199254740992.0, -9007199254740992.0, 3},
               {}});
  c.push_back({"u1",
               npy(1, dict("|u1", "(1, 3)"), raw<std::uint8_t>({0, 200, 255})),
               1,
               3,
               {0, 200, 255},
               {}});
  c.push_back(
      {"u2", npy(1, dict("<u2", "(1, 2)"), raw<std::uint16_t>({65535, 1})), 1, 2, {65535, 1}, {}});
  c.push_back({"u4",
               npy(1, dict("<u4", "(1, 2)"), raw<std::uint32_t>({4294967295u, 1})),
               1,
               2,
               {4294967295.0, 1},
               {}});
  c.push_back({"u8",
               npy(1, dict("<u8", "(1, 2)"), raw<std::uint64_t>({~std::uint64_t(0), 1})),
               1,
               2,
               {18446744073709551616.0, 1},
               {}});
  c.push_back({"b1",
               npy(1, dict("|b1", "(2, 2)"), raw<std::uint8_t>({0, 1, 1, 0})),
               2,
               2,
               {0, 1, 1, 0},
               {}});
  c.push_back({"fortran_f8", npy(1, dict("<f8", "(2, 3)", true), raw(by_column)), 2, 3, v6, {}});
  c.push_back({"fortran_i4",
               npy(1, dict("<i4", "(3, 2)", true), raw<std::int32_t>({1, 2, 3, 4, 5, 6})),
               3,
               2,
               {1, 4, 2, 5, 3, 6},
               {}});
  c.push_back({"big_f8", npy(1, dict(">f8", "(2, 3)"), raw(v6, true)), 2, 3, v6, {}});
  c.push_back({"big_i4",
               npy(1, dict(">i4", "(1, 3)"), raw<std::int32_t>({-7, 65536, 1}, true)),
               1,
               3,
               {-7, 65536, 1},
               {}});
  c.push_back({"big_fortran_u2",
               npy(1, dict(">u2", "(2, 2)", true), raw<std::uint16_t>({1, 2, 3, 258}, true)),
               2,
               2,
               {1, 3, 2, 258},
               {}});
  c.push_back({"empty_rows", npy(1, dict("<f8", "(0, 4)"), ""), 0, 4, {}, {}});
  // ---- refused ----
  const std::string ok_data = raw(v6);
  c.push_back({"bad_magic",
               "\x93NUMPZ\x01\x00" + npy(1, dict("<f8", "(2, 3)"), ok_data).substr(8),
               0,
               0,
               {},
               {"byte 0:", "not a .npy file", "NUMPZ"}});
  c.push_back({"too_short", std::string("\x93NUM", 4), 0, 0, {}, {"byte 0:", "not a .npy file"}});
  c.push_back({"zero_bytes", "", 0, 0, {}, {"byte 0:", "empty file"}});
  c.push_back({"no_length",
               std::string("\x93NUMPY\x01\x00\x10", 9),
               0,
               0,
               {},
               {"byte 9:", "truncated header"}});
  c.push_back({"version4",
               "\x93NUMPY\x04" + npy(1, dict("<f8", "(2, 3)"), ok_data).substr(7),
               0,
               0,
               {},
               {"byte 6:", "version 4.0"}});
  c.push_back({"header_past_end",
               npy(1, dict("<f8", "(2, 3)"), "").substr(0, 40),
               0,
               0,
               {},
               {"byte 8:", "header length", "past the end of the file (40 bytes)"}});
  c.push_back({"truncated_data",
               npy(1, dict("<f8", "(2, 3)"), ok_data.substr(0, 45)),
               0,
               0,
               {},
               {"truncated file", "needs 48 bytes", "only 45"}});
  c.push_back({"claims_more",
               npy(1, dict("<f8", "(1000, 1000)"), ok_data),
               0,
               0,
               {},
               {"truncated file", "(1000, 1000)", "needs 8000000 bytes", "only 48"}});
  c.push_back({"trailing_bytes",
               npy(1, dict("<f8", "(2, 3)"), ok_data + "xyz"),
               0,
               0,
               {},
               {"byte 176:", "3 unexpected bytes after the data"}});
  c.push_back({"object",
               npy(1, dict("|O", "(2, 3)"), ok_data),
               0,
               0,
               {},
               {"'descr'", "object arrays", "|O"}});
  c.push_back({"complex",
               npy(1, dict("<c16", "(1, 3)"), ok_data),
               0,
               0,
               {},
               {"'descr'", "complex", "<c16"}});
  c.push_back({"bytes_string",
               npy(1, dict("|S3", "(2, 1)"), "abcdef"),
               0,
               0,
               {},
               {"'descr'", "string dtype", "|S3"}});
  c.push_back({"unicode",
               npy(1, dict("<U1", "(1, 2)"), raw<std::uint32_t>({65, 66})),
               0,
               0,
               {},
               {"'descr'", "string dtype", "<U1"}});
  c.push_back(
      {"structured",
       npy(1, "{'descr': [('x', '<f8'), ('y', '<f8')], 'fortran_order': False, 'shape': (3,), }",
           ok_data),
       0,
       0,
       {},
       {"'descr'", "structured dtype"}});
  c.push_back({"long_double",
               npy(1, dict("<f16", "(1, 3)"), std::string(48, '\0')),
               0,
               0,
               {},
               {"'descr'", "<f16", "not supported"}});
  c.push_back({"three_d",
               npy(1, dict("<f8", "(1, 2, 3)"), ok_data),
               0,
               0,
               {},
               {"'shape'", "2-d", "(1, 2, 3)", "3-d"}});
  c.push_back(
      {"one_d", npy(1, dict("<f8", "(6,)"), ok_data), 0, 0, {}, {"'shape'", "(6,)", "1-d"}});
  c.push_back({"missing_key",
               npy(1, "{'descr': '<f8', 'shape': (2, 3)}", ok_data),
               0,
               0,
               {},
               {"missing key 'fortran_order'"}});
  c.push_back({"extra_key",
               npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", ok_data),
               0,
               0,
               {},
               {"byte 68 (header):", "unexpected key \"x\""}});
  c.push_back({"not_a_dict",
               npy(1, "[1, 2]", ok_data),
               0,
               0,
               {},
               {"byte 10 (header):", "must be a Python dict"}});
  c.push_back({"unterminated_dict",
               npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)", ok_data),
               0,
               0,
               {},
               {"(header):", "expected ',' or '}'"}});
  c.push_back({"negative_dim",
               npy(1, dict("<f8", "(-2, 3)"), ok_data),
               0,
               0,
               {},
               {"'shape'", "non-negative", "-2"}});
  c.push_back({"fortran_not_bool",
               npy(1, "{'descr': '<f8', 'fortran_order': 'no', 'shape': (2, 3), }", ok_data),
               0,
               0,
               {},
               {"'fortran_order'", "True or False"}});
  c.push_back({"huge_shape",
               npy(1, dict("<f8", "(4611686018427387904, 8)"), ok_data),
               0,
               0,
               {},
               {"'shape'", "more elements than fit in memory"}});
  c.push_back({"bad_dtype",
               npy(1, dict("<q8", "(2, 3)"), ok_data),
               0,
               0,
               {},
               {"'descr'", "unknown dtype", "<q8"}});
  return c;
}

template <class T>
void check_crafted(const TempDir& dir, const Crafted& c) {
  INFO("file " << c.name << " read as " << (sizeof(T) == 4 ? "float" : "double"));
  const fs::path file = dir.write(c.name + ".npy", c.bytes);
  if (!c.error_parts.empty()) {
    try {
      (void)NpyMatrix<T>::open(file);
      FAIL("no ReadError");
    } catch (const ReadError& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(contains(message, file.string()));
      CHECK_FALSE(contains(message, "\n"));
      for (const std::string& part : c.error_parts)
        CHECK(contains(message, part));
    }
    return;
  }
  const auto m = NpyMatrix<T>::open(file);
  const auto v = m.view();
  REQUIRE(v.rows == c.rows);
  REQUIRE(v.cols == c.cols);
  CHECK(v.stride == c.cols);
  for (std::size_t i = 0; i < c.rows; ++i) {
    for (std::size_t j = 0; j < c.cols; ++j) {
      const T expected = static_cast<T>(c.values[i * c.cols + j]);
      INFO("element [" << i << ", " << j << "]");
      CHECK(v(i, j) == expected);
      CHECK(std::signbit(v(i, j)) == std::signbit(expected));
    }
  }
}

}  // namespace

TEST_CASE("write_npy then NpyMatrix: zero copy for the matching dtype", "[io][npy]") {
  TempDir dir;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  const std::size_t rows = 37;
  const std::size_t cols = 5;
  std::vector<double> d(rows * cols);
  for (double& x : d)
    x = normal(rng);
  std::vector<float> f(d.begin(), d.end());
  write_npy(dir.path / "d.npy", d.data(), {rows, cols});
  write_npy(dir.path / "f.npy", f.data(), {rows, cols});

  // The header is NumPy's: version 1.0, data aligned to 64 bytes.
  const std::string bytes = read_all(dir.path / "d.npy");
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(contains(bytes, "{'descr': '<f8', 'fortran_order': False, 'shape': (37, 5), }"));
  CHECK(bytes.size() == 128 + d.size() * sizeof(double));
  CHECK(bytes[127] == '\n');

  const auto md = NpyMatrix<double>::open(dir.path / "d.npy");
  CHECK(md.zero_copy());
  CHECK(md.dtype() == "<f8");
  CHECK(md.rows() == rows);
  CHECK(md.cols() == cols);
  CHECK(std::memcmp(md.view().data, d.data(), d.size() * sizeof(double)) == 0);

  const auto mf = NpyMatrix<float>::open(dir.path / "f.npy");
  CHECK(mf.zero_copy());
  CHECK(mf.dtype() == "<f4");
  CHECK(std::memcmp(mf.view().data, f.data(), f.size() * sizeof(float)) == 0);

  // Other width: converted (exactly float -> double; rounded double -> float).
  const auto fd = NpyMatrix<double>::open(dir.path / "f.npy");
  CHECK_FALSE(fd.zero_copy());
  const auto df = NpyMatrix<float>::open(dir.path / "d.npy");
  CHECK_FALSE(df.zero_copy());
  for (std::size_t k = 0; k < d.size(); ++k) {
    REQUIRE(fd.view().data[k] == double(f[k]));
    REQUIRE(df.view().data[k] == float(d[k]));
  }

  // Move-only: the view moves with the object; the moved-from object is empty.
  NpyMatrix<double> moved = NpyMatrix<double>::open(dir.path / "d.npy");
  const double* data = moved.view().data;
  NpyMatrix<double> target(std::move(moved));
  CHECK(target.view().data == data);
  CHECK(moved.view().rows == 0);  // NOLINT(bugprone-use-after-move)
  CHECK(moved.view().data == nullptr);
  CHECK_FALSE(moved.zero_copy());
  NpyMatrix<double> assigned;
  assigned = std::move(target);
  CHECK(assigned.view().data == data);
  CHECK(assigned.view()(3, 2) == d[3 * cols + 2]);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<NpyMatrix<double>>);
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<NpyMatrix<float>>);
}

TEST_CASE("write_npy vectors, read_npy_vector", "[io][npy]") {
  TempDir dir;
  const std::vector<double> y = {0, 1, 1, 0, 2.5};
  write_npy(dir.path / "y.npy", y.data(), {y.size()});
  CHECK(contains(read_all(dir.path / "y.npy"), "'shape': (5,), }"));
  CHECK(read_npy_vector(dir.path / "y.npy") == y);
  write_npy(dir.path / "col.npy", y.data(), {y.size(), 1});
  CHECK(read_npy_vector(dir.path / "col.npy") == y);
  const std::vector<float> yf = {1.5f, -2.0f};
  write_npy(dir.path / "yf.npy", yf.data(), {2});
  CHECK(read_npy_vector(dir.path / "yf.npy") == std::vector<double>{1.5, -2.0});
  write_npy<double>(dir.path / "empty.npy", nullptr, {0});
  CHECK(read_npy_vector(dir.path / "empty.npy").empty());

  // Integer and bool labels, big-endian too.
  const fs::path ints =
      dir.write("ints.npy", npy(1, dict("<i8", "(4,)"), raw<std::int64_t>({0, 1, -1, 7})));
  CHECK(read_npy_vector(ints) == std::vector<double>{0, 1, -1, 7});
  const fs::path bools =
      dir.write("bools.npy", npy(1, dict("|b1", "(3,)"), raw<std::uint8_t>({1, 0, 1})));
  CHECK(read_npy_vector(bools) == std::vector<double>{1, 0, 1});
  const fs::path big =
      dir.write("big.npy", npy(2, dict(">i2", "(2, 1)"), raw<std::int16_t>({-3, 513}, true)));
  CHECK(read_npy_vector(big) == std::vector<double>{-3, 513});

  // A matrix is not a vector; a vector is not a matrix.
  write_npy(dir.path / "m.npy", y.data(), {1, 5});
  try {
    (void)read_npy_vector(dir.path / "m.npy");
    FAIL("no error");
  } catch (const ReadError& e) {
    CHECK(contains(e.what(), "m.npy"));
    CHECK(contains(e.what(), "(1, 5)"));
  }
  CHECK_THROWS_AS(NpyMatrix<double>::open(dir.path / "y.npy"), ReadError);

  // Bad arguments.
  CHECK_THROWS_AS(write_npy(dir.path / "x.npy", y.data(), {1, 1, 5}), simdlr::InvalidArgument);
  CHECK_THROWS_AS(write_npy(dir.path / "x.npy", y.data(), {}), simdlr::InvalidArgument);
  CHECK_THROWS_AS(write_npy<double>(dir.path / "x.npy", nullptr, {2, 2}), simdlr::InvalidArgument);
  CHECK_FALSE(fs::exists(dir.path / "x.npy"));
}

TEST_CASE("NpyMatrix reads hand-crafted .npy files", "[io][npy]") {
  TempDir dir;
  for (const Crafted& c : crafted_files()) {
    check_crafted<double>(dir, c);
    check_crafted<float>(dir, c);
  }
}

TEST_CASE("NpyMatrix zero copy only when the layout matches", "[io][npy]") {
  TempDir dir;
  for (const Crafted& c : crafted_files()) {
    if (!c.error_parts.empty()) continue;
    const auto m = NpyMatrix<double>::open(dir.write(c.name + ".npy", c.bytes));
    const bool expected = c.name == "v1_f8" || c.name == "v2_f8" || c.name == "v3_f8" ||
                          c.name == "align16_f8" || c.name == "native_f8" ||
                          c.name == "key_order" || c.name == "empty_rows";
    INFO(c.name);
    CHECK(m.zero_copy() == expected);
  }
}

TEST_CASE("read_npy_header reads only the header", "[io][npy]") {
  TempDir dir;
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  write_npy(dir.path / "f.npy", values.data(), {3, 2});
  const auto info = simdlr::io::read_npy_header(dir.path / "f.npy");
  CHECK(info.dtype == "<f4");
  CHECK(info.is_float32);
  CHECK_FALSE(info.is_float64);
  CHECK_FALSE(info.fortran_order);
  CHECK(info.shape == std::vector<std::size_t>{3, 2});
  const auto big = simdlr::io::read_npy_header(
      dir.write("b.npy", npy(3, dict(">f8", "(2, 1, 2)", true), std::string(32, '\0'))));
  CHECK(big.dtype == ">f8");
  CHECK(big.is_float64);
  CHECK(big.fortran_order);
  CHECK(big.shape == std::vector<std::size_t>{2, 1, 2});
  CHECK_THROWS_AS(simdlr::io::read_npy_header(dir.write("t.npy", npy(1, dict("<f8", "(2,)"), "x"))),
                  ReadError);
  CHECK_THROWS_AS(simdlr::io::read_npy_header(dir.write("o.npy", npy(1, dict("|O", "(1,)"), "x"))),
                  ReadError);
}

TEST_CASE("NpyMatrix<float> refuses float64 values beyond float32", "[io][npy]") {
  TempDir dir;
  const std::vector<double> values = {1.0, 2.0, 3.0, 1e300};
  write_npy(dir.path / "big.npy", values.data(), {2, 2});
  CHECK(NpyMatrix<double>::open(dir.path / "big.npy").view()(1, 1) == 1e300);
  try {
    (void)NpyMatrix<float>::open(dir.path / "big.npy");
    FAIL("no error");
  } catch (const ReadError& e) {
    CHECK(contains(e.what(), "big.npy"));
    CHECK(contains(e.what(), "element [1, 1]"));
    CHECK(contains(e.what(), "1.0000000000000001e+300"));
    CHECK(contains(e.what(), "float32"));
  }
}

TEST_CASE("NpyMatrix: a file that cannot be opened", "[io][npy]") {
  TempDir dir;
  try {
    (void)NpyMatrix<double>::open(dir.path / "missing.npy");
    FAIL("no error");
  } catch (const ReadError& e) {
    CHECK(contains(e.what(), "missing.npy"));
    CHECK(contains(e.what(), "cannot open"));
  }
  CHECK_THROWS_AS(read_npy_vector(dir.path / "missing.npy"), ReadError);
}

TEST_CASE("write_file_atomically", "[io][atomic]") {
  TempDir dir;
  const fs::path file = dir.path / "out.txt";

  SECTION("writes the content") {
    write_file_atomically(file, [](std::ostream& out) { out << "hello\n" << 42; });
    CHECK(read_all(file) == "hello\n42");
    CHECK(dir.entries() == 1);
    // Large content through the stream buffer, replacing the old file.
    const std::string big(1 << 20, 'q');
    write_file_atomically(file, [&](std::ostream& out) {
      out << "x";
      out.write(big.data(), static_cast<std::streamsize>(big.size()));
      out.put('y');
    });
    CHECK(read_all(file) == "x" + big + "y");
    CHECK(dir.entries() == 1);
  }
  SECTION("a throwing writer leaves no file and no temporary") {
    CHECK_THROWS_WITH(write_file_atomically(file,
                                            [](std::ostream& out) {
                                              out << std::string(200000, 'a');
                                              throw std::runtime_error("writer failed");
                                            }),
                      "writer failed");
    CHECK_FALSE(fs::exists(file));
    CHECK(dir.entries() == 0);
  }
  SECTION("a throwing writer leaves an existing file untouched") {
    write_file_atomically(file, [](std::ostream& out) { out << "old"; });
    CHECK_THROWS_AS(write_file_atomically(file,
                                          [](std::ostream& out) {
                                            out << "new";
                                            throw std::logic_error("stop");
                                          }),
                    std::logic_error);
    CHECK(read_all(file) == "old");
    CHECK(dir.entries() == 1);
  }
  SECTION("a writer that fails the stream is an error") {
    CHECK_THROWS_AS(write_file_atomically(file,
                                          [](std::ostream& out) {
                                            out << "partial";
                                            out.setstate(std::ios::failbit);
                                          }),
                    WriteError);
    CHECK(dir.entries() == 0);
  }
  SECTION("a missing folder is an error naming it") {
    const fs::path missing = dir.path / "no-such-folder";
    try {
      write_file_atomically(missing / "out.txt", [](std::ostream& out) { out << "x"; });
      FAIL("no error");
    } catch (const WriteError& e) {
      CHECK(contains(e.what(), missing.string()));
      CHECK(contains(e.what(), "does not exist"));
    }
    CHECK(dir.entries() == 0);
  }
  SECTION("a file as folder, and no file name") {
    write_file_atomically(file, [](std::ostream& out) { out << "x"; });
    CHECK_THROWS_AS(write_file_atomically(file / "inner.txt", [](std::ostream&) {}), WriteError);
    CHECK_THROWS_AS(write_file_atomically(dir.path / "", [](std::ostream&) {}),
                    simdlr::InvalidArgument);
  }
  SECTION("write_npy goes through it: a failed write keeps the old file") {
    const std::vector<double> values = {1, 2};
    write_npy(dir.path / "a.npy", values.data(), {2});
    CHECK_THROWS_AS(write_npy(dir.path / "missing" / "a.npy", values.data(), {2}), WriteError);
    CHECK(read_npy_vector(dir.path / "a.npy") == values);
    CHECK(dir.entries() == 1);  // a.npy and no temporary
  }
}
