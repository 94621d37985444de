// libFuzzer target: load_model on arbitrary bytes, and, when the file loads, the model built from
// it (logistic_from / linear_from, float and double) predicting one row of zeros. A simdlr::Error
// is a correct answer; anything else (crash, sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_input_file.hpp"
#include "simdlr/model_file.hpp"

namespace {

template <class T>
void predict_one_row(const simdlr::SavedModel& saved) {
  const std::size_t d = saved.feature_names.size();
  const std::vector<T> row(d, T(0));
  const simdlr::MatrixView<const T> X{row.data(), 1, d};
  try {
    if (saved.task == "logistic") {
      const auto model = simdlr::logistic_from<T>(saved);
      std::vector<T> proba(model.classes().size());
      model.predict_proba(X, proba);
      const std::vector<std::int32_t> index = model.predict_index(X);
      if (index.size() != 1 || index[0] < 0 || std::size_t(index[0]) >= proba.size()) std::abort();
    } else {
      const auto model = simdlr::linear_from<T>(saved);
      T out = 0;
      model.predict(X, std::span<T>(&out, 1));
    }
  } catch (const simdlr::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdlr::fuzz::InputFile file(".json");
  const auto& path = file.write(data, size);
  try {
    const simdlr::SavedModel saved = simdlr::load_model(path);
    predict_one_row<float>(saved);
    predict_one_row<double>(saved);
  } catch (const simdlr::Error&) {
  }
  return 0;
}
