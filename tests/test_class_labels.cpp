// ClassLabels::from_numbers: the distinct labels in ascending order (−0 and +0 one class), from a
// few classes (kept in a sorted vector) to many distinct values (past 256 they move to a set):
// the same classes as a std::set of the labels, each label found by index_of; a non-finite label
// is an InvalidArgument naming its position, also past the first blocks of rows (which are
// passed over a block at a time once every label in them is a class seen); indices_of as
// index_of label by label, -1 for a label that is no class.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "simdlr/simdlr.hpp"

using namespace simdlr;

namespace {

// The classes a std::set finds, and every label at its index there.
void check_against_set(const std::vector<double>& labels) {
  const ClassLabels classes = ClassLabels::from_numbers(labels);
  std::set<double> distinct;
  for (double v : labels)
    distinct.insert(v == 0 ? 0.0 : v);
  const std::vector<double> expected(distinct.begin(), distinct.end());
  REQUIRE(classes.numeric());
  CHECK(classes.values() == expected);
  REQUIRE(classes.size() == expected.size());
  for (double v : labels) {
    const std::int32_t at = classes.index_of(v);
    REQUIRE(at >= 0);
    CHECK(classes.values()[std::size_t(at)] == (v == 0 ? 0.0 : v));
  }
  std::vector<std::int32_t> one_by_one;
  for (double v : labels)
    one_by_one.push_back(classes.index_of(v));
  CHECK(classes.indices_of(labels) == one_by_one);
}

}  // namespace

TEST_CASE("from_numbers: a few classes, sorted, with -0 and +0 as one", "[labels]") {
  const std::vector<double> labels{2, 0, 2, -0.0, 1.5, 0, 2, 1.5, -3};
  const ClassLabels classes = ClassLabels::from_numbers(labels);
  CHECK(classes.values() == std::vector<double>{-3, 0, 1.5, 2});
  CHECK(classes.text() == std::vector<std::string>{"-3", "0", "1.5", "2"});
  CHECK(std::signbit(classes.values()[1]) == false);
  check_against_set(labels);
}

TEST_CASE("from_numbers: many distinct values, repeated and shuffled", "[labels]") {
  std::mt19937_64 gen(17);
  for (std::size_t distinct : {2, 255, 256, 257, 3000}) {
    INFO(distinct << " distinct values");
    std::vector<double> labels;
    for (std::size_t k = 0; k < distinct; ++k)
      for (int copy = 0; copy < 3; ++copy)
        labels.push_back(double(k) * 0.25 - 7);
    std::shuffle(labels.begin(), labels.end(), gen);
    check_against_set(labels);
    CHECK(ClassLabels::from_numbers(labels).size() == distinct);
  }
}

TEST_CASE("from_numbers: a non-finite label is an error naming it", "[labels][errors]") {
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    std::vector<double> labels(400, 1.0);
    for (std::size_t i = 0; i < 300; ++i)
      labels[i] = double(i);  // past the few-classes vector
    labels[350] = bad;
    CHECK_THROWS_WITH(ClassLabels::from_numbers(labels),
                      Catch::Matchers::Contains("y[350]") && Catch::Matchers::Contains("finite"));
  }
}

TEST_CASE("from_numbers: a class or a non-finite label first seen late, after whole blocks",
          "[labels][errors]") {
  // 5,000 rows of two classes, then at row 4,321 (inside the ninth block of 512) a third class
  // or a non-finite value.
  std::vector<double> labels(5000);
  for (std::size_t i = 0; i < labels.size(); ++i)
    labels[i] = (i * 7) % 3 == 0 ? 1.0 : -1.0;
  labels[4321] = 2.5;
  check_against_set(labels);
  CHECK(ClassLabels::from_numbers(labels).values() == std::vector<double>{-1, 1, 2.5});
  labels[4999] = -0.0;  // the last row, a fourth class (0) in the last, partial block
  CHECK(ClassLabels::from_numbers(labels).values() == std::vector<double>{-1, 0, 1, 2.5});
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
    labels[4321] = bad;
    CHECK_THROWS_WITH(ClassLabels::from_numbers(labels),
                      Catch::Matchers::Contains("y[4321]") && Catch::Matchers::Contains("finite"));
  }
}

TEST_CASE("indices_of: -1 for a label that is no class, -0 as 0", "[labels]") {
  const ClassLabels classes = ClassLabels::from_numbers(std::vector<double>{0, 1, 3});
  const std::vector<double> labels{3, -0.0, 2, 1, std::numeric_limits<double>::quiet_NaN(), 0};
  CHECK(classes.indices_of(labels) == std::vector<std::int32_t>{2, 0, -1, 1, -1, 0});
  const ClassLabels text = ClassLabels::from_text(std::vector<std::string>{"a", "b"});
  CHECK(text.indices_of(labels) == std::vector<std::int32_t>(labels.size(), -1));
}
