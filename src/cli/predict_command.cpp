// simdlr predict: labels (column `prediction`) or, with --proba, one probability column per
// class named by the class; CSV with a header, to --output (written atomically) or stdout.
#include <charconv>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "model_access.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_file.hpp"

namespace simdlr::cli {
namespace {

// Shortest text that reads back as the same value.
template <class T>
void put_number(std::ostream& out, T v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.write(buf, end - buf);
}

template <class T>
void write_predictions(const SavedModel& saved, const PredictSettings& s, std::ostream& out) {
  Dataset<T> data = load_dataset<T>(s.data);
  check_features(saved, data);
  const std::size_t n = data.X.rows;
  if (saved.task == "linear") {
    if (s.proba) throw InvalidArgument("--proba needs a logistic model; this model is linear");
    const std::vector<T> p = linear_from<T>(saved).predict(data.X);
    out << "prediction\n";
    for (T v : p) {
      put_number(out, v);
      out << '\n';
    }
    return;
  }
  const LogisticRegression<T> model = logistic_from<T>(saved);
  const std::vector<std::string>& names = saved.classes.text();
  if (s.proba) {
    std::vector<T> proba(n * names.size());
    model.predict_proba(data.X, proba);
    for (std::size_t k = 0; k < names.size(); ++k)
      out << (k ? "," : "") << csv_field(names[k]);
    out << '\n';
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < names.size(); ++k) {
        if (k) out << ',';
        put_number(out, proba[i * names.size() + k]);
      }
      out << '\n';
    }
    return;
  }
  const std::vector<std::int32_t> index = model.predict_index(data.X);
  out << "prediction\n";
  for (std::int32_t k : index)
    out << csv_field(names[std::size_t(k)]) << '\n';
}

}  // namespace

int run_predict(const PredictSettings& s) {
  const SavedModel saved = load_model(s.model);
  PredictSettings settings = s;
  settings.data.target = saved.target;
  settings.data.target_optional = true;
  auto write = [&](std::ostream& out) {
    if (saved.precision == "float32") {
      write_predictions<float>(saved, settings, out);
    } else {
      write_predictions<double>(saved, settings, out);
    }
  };
  if (s.output.empty()) {
    std::ostringstream buffer;  // print nothing unless everything succeeded
    write(buffer);
    std::cout << buffer.str() << std::flush;
  } else {
    io::write_file_atomically(s.output, write);
  }
  return 0;
}

}  // namespace simdlr::cli
