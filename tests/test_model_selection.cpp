// Where the l1 path starts (against exact references), paths with warm starts against cold fits,
// folds identical to scikit-learn's, and cross-validation choosing what LogisticRegressionCV
// chooses on the same grid and folds (tests/reference/sparse, generate_sparse_fixtures.py).
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "reference_fixtures.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/model_selection.hpp"
#include "support.hpp"

using namespace simdlr;
using simdlr::test::Case;
using simdlr::test::for_each_isa;
using simdlr::test::load_case;
using simdlr::test::load_csv;
using simdlr::test::Table;

namespace {

struct Data {
  Table X;
  std::vector<double> y;
  MatrixView<const double> view() const { return {X.values.data(), X.rows, X.cols}; }
};

Data data_set(const std::string& x, const std::string& y) {
  return {load_csv(x + "_X.csv"), load_csv(y + "_y.csv").values};
}

LogisticRegressionOptions l1_options(bool standardize, bool intercept = true) {
  LogisticRegressionOptions o;
  o.penalty = Penalty::l1;
  o.standardize = standardize;
  o.fit_intercept = intercept;
  o.solver_options.tol = 1e-6;
  return o;
}

std::size_t nonzero(const std::vector<double>& v) {
  return std::size_t(std::count_if(v.begin(), v.end(), [](double x) { return x != 0; }));
}

}  // namespace

TEST_CASE("l1_min_c and lasso_alpha_max are exact", "[model_selection]") {
  const Data cancer = data_set("breast_cancer", "breast_cancer");
  for (const bool standardize : {true, false}) {
    const Case f = load_case(standardize ? "sparse/l1_min_c_breast_cancer_std"
                                         : "sparse/l1_min_c_breast_cancer_raw");
    CAPTURE(standardize);
    CHECK(l1_min_c<double>(cancer.view(), cancer.y, {}, l1_options(standardize)) ==
          Approx(f.at("C_min")[0]).epsilon(1e-12));
    const double without =
        l1_min_c<double>(cancer.view(), cancer.y, {}, l1_options(standardize, false));
    CHECK(without == Approx(f.at("C_min_no_intercept")[0]).epsilon(1e-12));
    if (!standardize) CHECK(without == Approx(f.at("sklearn_l1_min_c")[0]).epsilon(1e-12));
  }
  Data digits = data_set("digits", "digits");
  for (double& v : digits.y)
    v = v >= 5 ? 1.0 : 0.0;
  CHECK(l1_min_c<double>(digits.view(), digits.y, {}, l1_options(false)) ==
        Approx(load_case("sparse/l1_min_c_digits_binary_raw").at("C_min")[0]).epsilon(1e-12));
  // Elastic net: the l1 share scales it.
  LogisticRegressionOptions enet = l1_options(true);
  enet.penalty = Penalty::elasticnet;
  enet.l1_ratio = 0.25;
  CHECK(
      l1_min_c<double>(cancer.view(), cancer.y, {}, enet) ==
      Approx(0.25 * load_case("sparse/l1_min_c_breast_cancer_std").at("C_min")[0]).epsilon(1e-12));

  const Data diabetes = data_set("diabetes", "diabetes");
  LinearRegressionOptions lasso;
  lasso.penalty = Penalty::l1;
  CHECK(lasso_alpha_max<double>(diabetes.view(), diabetes.y, {}, lasso) ==
        Approx(load_case("sparse/lasso_alpha_max_diabetes").at("alpha_max")[0]).epsilon(1e-12));
  const Case weighted = load_case("sparse/lasso_alpha_max_diabetes_weighted");
  std::vector<double> s(diabetes.y.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = 1.0 + double(i % 4);
  CHECK(lasso_alpha_max<double>(diabetes.view(), diabetes.y, s, lasso) ==
        Approx(weighted.at("alpha_max")[0]).epsilon(1e-12));

  LogisticRegressionOptions l2;
  CHECK_THROWS_AS(l1_min_c<double>(cancer.view(), cancer.y, {}, l2), InvalidArgument);
}

TEST_CASE("the path starts at l1_min_c and warm starts change nothing", "[model_selection]") {
  const Data cancer = data_set("breast_cancer", "breast_cancer");
  const LogisticRegressionOptions o = l1_options(true);
  const double c_min = l1_min_c<double>(cancer.view(), cancer.y, {}, o);
  std::vector<double> Cs = {c_min * (1 - 1e-9), c_min * (1 + 1e-3)};
  const std::vector<double> more = log_grid(c_min * 2, 500.0, 6);
  Cs.insert(Cs.end(), more.begin(), more.end());
  const std::vector<PathPoint> path = logistic_path<double>(cancer.view(), cancer.y, {}, o, Cs);
  REQUIRE(path.size() == Cs.size());
  CHECK(path[0].nonzero == 0);
  CHECK(path[1].nonzero > 0);
  for (std::size_t k = 0; k < Cs.size(); ++k) {
    CAPTURE(k, Cs[k]);
    CHECK(path[k].converged());
    CHECK(path[k].strength == Cs[k]);
    LogisticRegressionOptions cold = o;
    cold.C = Cs[k];
    LogisticRegression<double> model(cold);
    model.fit(cancer.view(), cancer.y);
    const double warm_f = path[k].reports[0].objective_history.back();
    const double cold_f = model.fit_report().objective_history.back();
    CHECK(std::fabs(warm_f - cold_f) <= 1e-8 * cold_f);
    CHECK(nonzero(model.coef()) == path[k].nonzero);
    for (std::size_t j = 0; j < model.coef().size(); ++j)
      CHECK((model.coef()[j] == 0) == (path[k].coef[j] == 0));
  }
  // Lasso: from alpha_max down.
  const Data diabetes = data_set("diabetes", "diabetes");
  LinearRegressionOptions lasso;
  lasso.penalty = Penalty::l1;
  lasso.solver_options.tol = 1e-6;
  const double a_max = lasso_alpha_max<double>(diabetes.view(), diabetes.y, {}, lasso);
  const std::vector<double> alphas = {a_max * (1 + 1e-9), a_max * (1 - 1e-3), a_max / 10,
                                      a_max / 100};
  const std::vector<PathPoint> lasso_path =
      linear_path<double>(diabetes.view(), diabetes.y, {}, lasso, alphas);
  CHECK(lasso_path[0].nonzero == 0);
  CHECK(lasso_path[1].nonzero > 0);
  for (const PathPoint& p : lasso_path)
    CHECK(p.converged());
}

TEST_CASE("the multinomial l1 path starts at l1_min_c", "[model_selection]") {
  const Data wine = data_set("wine", "wine");
  LogisticRegressionOptions o = l1_options(true);
  o.multi_class = MultiClass::multinomial;
  const double c_min = l1_min_c<double>(wine.view(), wine.y, {}, o);
  REQUIRE(std::isfinite(c_min));
  // (1e-6 below: closer, the intercepts' last rounding-level error can leave a coefficient of
  // 1e-10 that the certificate accepts)
  const std::vector<double> Cs = {c_min * (1 - 1e-6), c_min * (1 + 1e-3)};
  const std::vector<PathPoint> path = logistic_path<double>(wine.view(), wine.y, {}, o, Cs);
  CHECK(path[0].nonzero == 0);
  CHECK(path[1].nonzero > 0);
  CHECK(path[0].converged());
  CHECK(path[1].converged());
}

TEST_CASE("folds are scikit-learn's KFold and StratifiedKFold", "[model_selection]") {
  const auto as_ints = [](const std::vector<double>& v) {
    return std::vector<std::int32_t>(v.begin(), v.end());
  };
  for (const std::string name : {"breast_cancer", "iris"}) {
    CAPTURE(name);
    const std::vector<double> y = load_csv(name + "_y.csv").values;
    const std::vector<std::int32_t> classes = as_ints(y);
    CHECK(stratified_kfold_assignment(classes, 5, false, 0) ==
          as_ints(load_case("sparse/folds_" + name + "_stratified").at("fold")));
  }
  const std::size_t n = load_csv("diabetes_y.csv").values.size();
  CHECK(kfold_assignment(n, 5, false, 0) ==
        as_ints(load_case("sparse/folds_diabetes_kfold").at("fold")));
  // Shuffled: a permutation of the same fold sizes, fixed by the seed.
  const std::vector<std::int32_t> plain = kfold_assignment(n, 5, false, 0);
  const std::vector<std::int32_t> a = kfold_assignment(n, 5, true, 7);
  CHECK(a == kfold_assignment(n, 5, true, 7));
  CHECK(a != kfold_assignment(n, 5, true, 8));
  for (std::int32_t f = 0; f < 5; ++f)
    CHECK(std::count(a.begin(), a.end(), f) == std::count(plain.begin(), plain.end(), f));
  CHECK_THROWS_WITH(kfold_assignment(n, 1, false, 0), Catch::Contains("folds must be in [2,"));
  const std::vector<std::int32_t> few = {0, 0, 0, 1, 1, 0, 0};
  CHECK_THROWS_WITH(stratified_kfold_assignment(few, 3, false, 0),
                    Catch::Contains("at least that many rows of every class"));
}

TEST_CASE("cross-validation chooses LogisticRegressionCV's C on its grid and folds",
          "[model_selection][cv]") {
  const Case f = load_case("sparse/cv_breast_cancer_l1");
  const Data cancer = data_set("breast_cancer_standardized", "breast_cancer");
  const std::vector<double>& Cs = f.at("Cs");
  for (const auto& [scoring, key] :
       {std::pair{Scoring::log_loss, std::string("exact_neg_log_loss")},
        std::pair{Scoring::accuracy, std::string("exact_accuracy")}}) {
    CAPTURE(key);
    CvOptions cv;
    cv.scoring = scoring;
    LogisticRegression<double> model(l1_options(false));
    const CvResult r = cross_validate<double>(model, cancer.view(), cancer.y, {}, Cs, {}, cv);
    CHECK(r.all_converged);
    REQUIRE(r.mean_score.size() == Cs.size());
    CHECK(r.best_strength == f.at(key + "_C")[0]);
    const std::vector<double>& expected = f.at(key + "_mean_score");
    for (std::size_t p = 0; p < Cs.size(); ++p) {
      const double sign = scoring == Scoring::log_loss ? -1.0 : 1.0;
      CHECK(sign * r.mean_score[p] == Approx(expected[p]).epsilon(1e-6));
    }
    CHECK(model.fitted());
    CHECK(model.options().C == r.best_strength);
    if (scoring == Scoring::log_loss) {
      CHECK(model.fit_report().objective_history.back() ==
            Approx(f.at("refit_objective")[0]).epsilon(1e-8));
    }
    // Two threads: the same bits.
    LogisticRegressionOptions two = l1_options(false);
    two.threads = Threads{2};
    LogisticRegression<double> model2(two);
    const CvResult r2 = cross_validate<double>(model2, cancer.view(), cancer.y, {}, Cs, {}, cv);
    CHECK(r2.fold_scores == r.fold_scores);
    CHECK(model2.coef() == model.coef());
  }
}

TEST_CASE("cross-validation takes text labels: the same folds and scores, text classes refitted",
          "[model_selection][cv]") {
  // iris's classes as words, in an order their text order changes: "setosa" < "versicolor" <
  // "virginica" is 0 < 1 < 2, so a numeric run on 0, 1, 2 must give the same bits.
  const Data iris = data_set("iris", "iris");
  const std::vector<std::string> names = {"setosa", "versicolor", "virginica"};
  std::vector<std::string> text;
  for (double v : iris.y)
    text.push_back(names.at(std::size_t(v)));
  LogisticRegressionOptions options;
  options.standardize = true;
  options.solver_options.max_iter = 1000;
  const std::vector<double> Cs = log_grid(0.01, 1e4, 5);
  CvOptions cv;
  cv.scoring = Scoring::accuracy;
  LogisticRegression<double> by_number(options), by_text(options);
  const CvResult numbers = cross_validate<double>(by_number, iris.view(), iris.y, {}, Cs, {}, cv);
  const CvResult words = cross_validate<double>(by_text, iris.view(), text, {}, Cs, {}, cv);
  CHECK(words.fold == numbers.fold);
  CHECK(words.fold_scores == numbers.fold_scores);
  CHECK(words.best == numbers.best);
  CHECK(numbers.all_converged);
  CHECK(words.all_converged);
  REQUIRE(by_text.fitted());
  CHECK(by_text.classes().text() == names);
  CHECK(by_text.coef() == by_number.coef());
  CHECK(by_text.options().C == words.best_strength);
  // A label count that is not the row count is refused.
  text.pop_back();
  CHECK_THROWS_AS(cross_validate<double>(by_text, iris.view(), text, {}, Cs, {}, cv), ShapeError);
}

TEST_CASE("cross-validation certifies every fold fit up to near-separable C on raw data",
          "[model_selection][cv]") {
  // Raw breast cancer, C up to 10^8 l1_min_c (870): the fold fits end where F's rounding hides
  // the last Newton steps, and where the intercept's rounding-level residual sum, times column
  // maxima in the thousands, once kept the duality gap above tol / 100. Every fit must still end
  // certified, and at the weakest penalty its bound must hold against the cold fit's objective.
  // The double sums of the duality gap round at about that level too: which fold fit fell short
  // (relative bounds 1.2e-8 to 1.6e-8) depended on the ISA's last bits, so every ISA is run.
  const Data cancer = data_set("breast_cancer", "breast_cancer");
  LogisticRegressionOptions options = l1_options(false);
  const double first = l1_min_c<double>(cancer.view(), cancer.y, {}, options);
  const std::vector<double> Cs = log_grid(first, 1e8, 20);
  CvOptions cv;
  cv.refit = false;
  for_each_isa([&](Isa) {
    for (const int threads : {1, 2}) {
      CAPTURE(threads);
      LogisticRegressionOptions o = options;
      o.threads = Threads{threads};
      LogisticRegression<double> model(o);
      const CvResult r = cross_validate<double>(model, cancer.view(), cancer.y, {}, Cs, {}, cv);
      CHECK(r.unconverged == 0);
      CHECK(r.all_converged);
    }
  });
  const CvResult r = [&] {
    LogisticRegression<double> model(options);
    return cross_validate<double>(model, cancer.view(), cancer.y, {}, Cs, {}, cv);
  }();

  // The last fold's path at the largest C, warm-started as cross_validate fits it, against a
  // cold fit of the same fold: the certified objectives agree within their bounds.
  std::vector<double> weight(cancer.y.size());
  for (std::size_t i = 0; i < weight.size(); ++i)
    weight[i] = r.fold[i] == 4 ? 0.0 : 1.0;
  const std::vector<PathPoint> path =
      logistic_path<double>(cancer.view(), cancer.y, weight, options, Cs);
  const FitReport& warm = path.back().reports.at(0);
  options.C = Cs.back();
  LogisticRegression<double> cold(options);
  const FitReport& fit = cold.fit(cancer.view(), cancer.y, weight);
  REQUIRE(warm.converged);
  REQUIRE(fit.converged);
  const double F_warm = warm.objective_history.back(), F_cold = fit.objective_history.back();
  CAPTURE(F_warm, F_cold, warm.objective_gap_bound, fit.objective_gap_bound);
  CHECK(F_warm - F_cold <= warm.objective_gap_bound);
  CHECK(F_cold - F_warm <= fit.objective_gap_bound);
  CHECK(warm.relative_gap_bound <= 1e-8);
}

TEST_CASE("cross-validation refuses what it cannot do", "[model_selection][cv][errors]") {
  const Data cancer = data_set("breast_cancer", "breast_cancer");
  LogisticRegression<double> model(l1_options(true));
  const std::vector<double> Cs = {0.1, 1.0};
  CvOptions cv;
  CHECK_THROWS_WITH(cross_validate<double>(model, cancer.view(), cancer.y, {}, {}, {}, cv),
                    Catch::Contains("grid of Cs is empty"));
  cv.scoring = Scoring::r2;
  CHECK_THROWS_WITH(cross_validate<double>(model, cancer.view(), cancer.y, {}, Cs, {}, cv),
                    Catch::Contains("is for regression"));
  cv.scoring = Scoring::log_loss;
  const std::vector<double> bad_ratio = {1.5};
  CHECK_THROWS_WITH(cross_validate<double>(model, cancer.view(), cancer.y, {}, Cs, bad_ratio, cv),
                    Catch::Contains("l1_ratios[0] must be in [0, 1]"));
  cv.folds = 400;  // more than the 212 malignant rows
  CHECK_THROWS_WITH(cross_validate<double>(model, cancer.view(), cancer.y, {}, Cs, {}, cv),
                    Catch::Contains("at least that many rows of every class"));
  const Data diabetes = data_set("diabetes", "diabetes");
  LinearRegressionOptions lasso;
  lasso.penalty = Penalty::l1;
  LinearRegression<double> linear(lasso);
  CvOptions r2;
  r2.scoring = Scoring::accuracy;
  CHECK_THROWS_WITH(cross_validate<double>(linear, diabetes.view(), diabetes.y, {}, Cs, {}, r2),
                    Catch::Contains("is for classification"));
  r2.scoring = Scoring::r2;
  const CvResult r = cross_validate<double>(linear, diabetes.view(), diabetes.y, {}, Cs, {}, r2);
  CHECK(r.all_converged);
  CHECK(r.unconverged == 0);
  CHECK(linear.fitted());
  // Without the refit the model is left as it was.
  r2.refit = false;
  LinearRegression<double> untouched(lasso);
  const CvResult same =
      cross_validate<double>(untouched, diabetes.view(), diabetes.y, {}, Cs, {}, r2);
  CHECK_FALSE(untouched.fitted());
  CHECK(same.fold_scores == r.fold_scores);
}
