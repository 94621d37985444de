// simdlr eval: quality of a saved model on labelled data. Logistic: accuracy, log-loss, ROC AUC
// (two classes), the confusion matrix and precision/recall/F1 per class. Linear: R² and MSE.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "model_access.hpp"
#include "simdlr/metrics.hpp"

namespace simdlr::cli {
namespace {

template <class T>
std::vector<std::int32_t> class_indices(const SavedModel& saved, const Dataset<T>& data) {
  const ClassLabels& classes = saved.classes;
  std::vector<std::int32_t> y(data.X.rows);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::int32_t k = data.target_is_numeric ? classes.index_of(data.y_numeric[i])
                                                  : classes.index_of(data.y_text[i]);
    if (k < 0) {
      const std::string label =
          data.target_is_numeric ? std::to_string(data.y_numeric[i]) : data.y_text[i];
      throw InvalidArgument(data.source + ": label '" + label + "' of row " +
                            std::to_string(i + 1) + " is not one of the model's classes");
    }
    y[i] = k;
  }
  return y;
}

template <class T>
nlohmann::json evaluate(const SavedModel& saved, const EvalSettings& s) {
  Dataset<T> data = load_dataset<T>(s.data);
  check_features(saved, data);
  if (!data.has_target)
    throw InvalidArgument("eval needs labels: --target COL with --data, or --y with --x");
  nlohmann::json j;
  j["rows"] = data.X.rows;
  if (saved.task == "linear") {
    if (!data.target_is_numeric)
      throw InvalidArgument(data.source + ": the target must be numeric for a linear model");
    const std::vector<T> p = linear_from<T>(saved).predict(data.X);
    const std::vector<double> predicted(p.begin(), p.end());
    j["r2"] = metrics::r2_score(data.y_numeric, predicted);
    j["mse"] = metrics::mean_squared_error(data.y_numeric, predicted);
    return j;
  }
  const LogisticRegression<T> model = logistic_from<T>(saved);
  const std::size_t K = saved.classes.size();
  const std::vector<std::int32_t> truth = class_indices(saved, data);
  std::vector<T> proba_t(data.X.rows * K);
  model.predict_proba(data.X, proba_t);
  const std::vector<double> proba(proba_t.begin(), proba_t.end());
  const std::vector<std::int32_t> predicted = model.predict_index(data.X);
  j["accuracy"] = metrics::accuracy(truth, predicted);
  j["log_loss"] = metrics::log_loss(truth, proba, K);
  if (K == 2) {
    std::vector<double> score(data.X.rows);
    for (std::size_t i = 0; i < score.size(); ++i)
      score[i] = proba[2 * i + 1];
    bool both = false;
    for (std::int32_t t : truth)
      both = both || t != truth[0];
    j["roc_auc"] = both ? nlohmann::json(metrics::roc_auc(truth, score)) : nlohmann::json(nullptr);
  }
  j["classes"] = saved.classes.text();
  const std::vector<std::size_t> cm = metrics::confusion_matrix(truth, predicted, K);
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t t = 0; t < K; ++t)
    rows.push_back(std::vector<std::size_t>(cm.begin() + t * K, cm.begin() + (t + 1) * K));
  j["confusion_matrix"] = rows;
  nlohmann::json per_class = nlohmann::json::array();
  for (const metrics::ClassScores& c : metrics::per_class_scores(truth, predicted, K)) {
    per_class.push_back(
        {{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}});
  }
  j["per_class"] = per_class;
  return j;
}

void print_text(const nlohmann::json& j) {
  std::printf("rows        %zu\n", j["rows"].get<std::size_t>());
  if (j.contains("r2")) {
    std::printf("R²          %.6f\nMSE         %.6g\n", j["r2"].get<double>(),
                j["mse"].get<double>());
    return;
  }
  std::printf("accuracy    %.4f\nlog-loss    %.6f\n", j["accuracy"].get<double>(),
              j["log_loss"].get<double>());
  if (j.contains("roc_auc") && !j["roc_auc"].is_null())
    std::printf("ROC AUC     %.6f\n", j["roc_auc"].get<double>());
  const auto classes = j["classes"].get<std::vector<std::string>>();
  std::printf("confusion matrix (rows: true class, columns: predicted)\n%14s", "");
  for (const auto& c : classes)
    std::printf(" %10.10s", c.c_str());
  std::printf("\n");
  for (std::size_t t = 0; t < classes.size(); ++t) {
    std::printf("  %12.12s", classes[t].c_str());
    for (std::size_t p = 0; p < classes.size(); ++p)
      std::printf(" %10zu", j["confusion_matrix"][t][p].get<std::size_t>());
    std::printf("\n");
  }
  std::printf("%14s %10s %10s %10s %10s\n", "class", "precision", "recall", "F1", "support");
  for (std::size_t k = 0; k < classes.size(); ++k) {
    const auto& c = j["per_class"][k];
    std::printf("  %12.12s %10.4f %10.4f %10.4f %10zu\n", classes[k].c_str(),
                c["precision"].get<double>(), c["recall"].get<double>(), c["f1"].get<double>(),
                c["support"].get<std::size_t>());
  }
}

}  // namespace

int run_eval(const EvalSettings& s) {
  const SavedModel saved = load_model(s.model);
  EvalSettings settings = s;
  if (settings.data.target.empty()) settings.data.target = saved.target;
  const nlohmann::json j = saved.precision == "float32" ? evaluate<float>(saved, settings)
                                                        : evaluate<double>(saved, settings);
  if (s.json) {
    std::cout << j.dump() << std::endl;
  } else {
    print_text(j);
  }
  return 0;
}

}  // namespace simdlr::cli
