// Metrics against scikit-learn's values (fixtures from tests/reference/generate_fixtures.py).
#include <catch2/catch.hpp>
#include <vector>

#include "reference_fixtures.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/metrics.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {
std::vector<std::int32_t> as_labels(const std::vector<double>& v) {
  return std::vector<std::int32_t>(v.begin(), v.end());
}
}  // namespace

TEST_CASE("classification metrics match scikit-learn", "[metrics][reference]") {
  const Case c = load_case("metrics_multiclass");
  const auto truth = as_labels(c.at("truth")), predicted = as_labels(c.at("predicted"));
  CHECK(metrics::accuracy(truth, predicted) == Approx(c.at("accuracy")[0]).epsilon(1e-15));
  CHECK(metrics::log_loss(truth, c.at("probabilities"), 3) ==
        Approx(c.at("log_loss")[0]).epsilon(1e-13));
  const auto cm = metrics::confusion_matrix(truth, predicted, 3);
  for (std::size_t k = 0; k < 9; ++k)
    CHECK(double(cm[k]) == c.at("confusion")[k]);
  const auto scores = metrics::per_class_scores(truth, predicted, 3);
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(scores[k].precision == Approx(c.at("precision")[k]).epsilon(1e-15));
    CHECK(scores[k].recall == Approx(c.at("recall")[k]).epsilon(1e-15));
    CHECK(scores[k].f1 == Approx(c.at("f1")[k]).epsilon(1e-14));
    CHECK(double(scores[k].support) == c.at("support")[k]);
  }
}

TEST_CASE("ROC AUC matches scikit-learn, ties included", "[metrics][reference]") {
  const Case c = load_case("metrics_binary");
  CHECK(metrics::roc_auc(as_labels(c.at("truth")), c.at("scores")) ==
        Approx(c.at("roc_auc")[0]).epsilon(1e-14));
  // Exact small cases: perfect ranking, reversed, all tied.
  const std::vector<std::int32_t> y{0, 0, 1, 1};
  CHECK(metrics::roc_auc(y, std::vector<double>{1, 2, 3, 4}) == 1.0);
  CHECK(metrics::roc_auc(y, std::vector<double>{4, 3, 2, 1}) == 0.0);
  CHECK(metrics::roc_auc(y, std::vector<double>{5, 5, 5, 5}) == 0.5);
  CHECK_THROWS_AS(metrics::roc_auc(std::vector<std::int32_t>{1, 1}, std::vector<double>{1, 2}),
                  InvalidArgument);
}

TEST_CASE("regression metrics match scikit-learn", "[metrics][reference]") {
  const Case c = load_case("metrics_regression");
  CHECK(metrics::r2_score(c.at("truth"), c.at("predicted")) ==
        Approx(c.at("r2")[0]).epsilon(1e-14));
  CHECK(metrics::mean_squared_error(c.at("truth"), c.at("predicted")) ==
        Approx(c.at("mse")[0]).epsilon(1e-14));
  CHECK_THROWS_AS(metrics::r2_score(std::vector<double>{1, 2}, std::vector<double>{1}), ShapeError);
}
