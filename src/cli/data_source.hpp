// Where the CLI's data come from: a CSV file (header, a target column by name) or .npy files
// (X memory-mapped, y as numbers). Holds whatever owns the memory behind the view.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "simdlr/io.hpp"
#include "simdlr/matrix.hpp"

namespace simdlr::cli {

struct DataPaths {
  std::filesystem::path csv;     // --data
  std::string target;            // --target
  bool target_optional = false;  // predict: use the target column only if the file has it
  std::filesystem::path x_npy;   // --x
  std::filesystem::path y_npy;   // --y
};

template <class T>
struct Dataset {
  std::optional<io::Table<T>> table;
  std::optional<io::NpyMatrix<T>> npy;
  MatrixView<const T> X;
  std::vector<std::string> feature_names;
  bool has_target = false;
  bool target_is_numeric = true;
  std::vector<double> y_numeric;
  std::vector<std::string> y_text;
  std::string source;  // for messages
};

template <class T>
Dataset<T> load_dataset(const DataPaths& paths);

// "float32" if --x names a float32 .npy file, else "float64".
std::string npy_precision(const std::filesystem::path& x_npy);

}  // namespace simdlr::cli
