#include "data_source.hpp"

#include <cmath>

#include "simdlr/errors.hpp"

namespace simdlr::cli {

template <class T>
Dataset<T> load_dataset(const DataPaths& paths) {
  Dataset<T> d;
  if (!paths.csv.empty()) {
    io::CsvOptions options;
    options.target = paths.target;
    options.target_optional = paths.target_optional;
    d.table = io::read_csv<T>(paths.csv, options);
    d.X = d.table->view();
    d.feature_names = d.table->feature_names;
    d.has_target = !d.table->target_name.empty();
    d.target_is_numeric = d.table->target_is_numeric;
    d.y_numeric = d.table->target_numeric;
    d.y_text = d.table->target_text;
    d.source = paths.csv.string();
    return d;
  }
  d.npy = io::NpyMatrix<T>::open(paths.x_npy);
  d.X = d.npy->view();
  for (std::size_t j = 0; j < d.X.cols; ++j)
    d.feature_names.push_back("x" + std::to_string(j));
  d.source = paths.x_npy.string();
  if (!paths.y_npy.empty()) {
    d.y_numeric = io::read_npy_vector(paths.y_npy);
    if (d.y_numeric.size() != d.X.rows) {
      std::string message = paths.y_npy.string();
      message += ": y has " + std::to_string(d.y_numeric.size()) + " values but ";
      message += paths.x_npy.string();
      message += " has " + std::to_string(d.X.rows) + " rows";
      throw ShapeError(message);
    }
    d.has_target = true;
    d.target_is_numeric = true;
  }
  return d;
}

std::string npy_precision(const std::filesystem::path& x_npy) {
  return io::read_npy_header(x_npy).is_float32 ? "float32" : "float64";
}

template Dataset<float> load_dataset<float>(const DataPaths&);
template Dataset<double> load_dataset<double>(const DataPaths&);

}  // namespace simdlr::cli
