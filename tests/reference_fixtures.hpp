// Loads the scikit-learn reference fixtures written by tests/reference/generate_fixtures.py:
// numeric CSV data (no header) and "key: values" case files.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "simdlr/matrix.hpp"

namespace simdlr::test {

struct Table {
  std::vector<double> values;
  std::size_t rows = 0, cols = 0;
  template <class T>
  std::vector<T> as() const {
    return std::vector<T>(values.begin(), values.end());
  }
};

inline std::string reference_path(const std::string& name) {
  return std::string(SIMDLR_REFERENCE_DIR) + "/" + name;
}

inline Table load_csv(const std::string& name) {
  std::ifstream in(reference_path("data/" + name));
  REQUIRE(in.good());
  Table t;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::size_t cols = 0;
    while (std::getline(ss, cell, ',')) {
      t.values.push_back(std::stod(cell));
      ++cols;
    }
    if (t.rows == 0) t.cols = cols;
    REQUIRE(cols == t.cols);
    ++t.rows;
  }
  return t;
}

// A fixture data set: features X and targets y (one column).
struct Data {
  Table X, y;
};

// The bundled data sets the logistic fixtures were made from, loaded once.
inline const Data& breast_cancer() {
  static const Data d{load_csv("breast_cancer_X.csv"), load_csv("breast_cancer_y.csv")};
  return d;
}

inline const Data& iris() {
  static const Data d{load_csv("iris_X.csv"), load_csv("iris_y.csv")};
  return d;
}

using Case = std::map<std::string, std::vector<double>>;

inline Case load_case(const std::string& name) {
  std::ifstream in(reference_path(name + ".txt"));
  REQUIRE(in.good());
  Case c;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    std::stringstream ss(line.substr(colon + 1));
    std::vector<double> v;
    for (double x; ss >> x;)
      v.push_back(x);
    c[line.substr(0, colon)] = v;
  }
  return c;
}

inline double relative_difference(double a, double b) {
  return std::fabs(a - b) / std::fmax(std::fabs(b), 1e-300);
}

// max_j |a_j − b_j| / max_j |b_j|: relative to the size of the vector, so coefficients near 0
// are judged against the vector's scale.
inline double vector_relative_difference(const std::vector<double>& a,
                                         const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::fmax(diff, std::fabs(a[i] - b[i]));
    scale = std::fmax(scale, std::fabs(b[i]));
  }
  return diff / scale;
}

}  // namespace simdlr::test
