// Model files across versions: a version-1 file (as the writer produced it before the l1 and
// elasticnet penalties) still loads, with the defaults for what it lacks (penalty l2, l1_ratio
// 0.5); version 2 keeps the logistic l1_ratio and the linear penalty and l1_ratio, bit for bit.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "simdlr/model_file.hpp"
#include "temp_dir.hpp"

using namespace simdlr;
using Catch::Matchers::Contains;

namespace {

// Written by `simdlr fit --data t.csv --target label --max-iter 50 --model log.json` at model file
// version 1 (t.csv: a,b,label / 1,2,0 / 3,4,1 / 5,7,0 / 8,1,1 / 2,2,1), whitespace compacted.
const char* const kLogisticVersion1 = R"({
 "classes": [0.0, 1.0],
 "coef": [[0.36946882379260254, -0.5249371333163274]],
 "feature_names": ["a", "b"],
 "fit_report": [
  {
   "certificate": "strong-convexity",
   "certificate_note": "",
   "converged": true,
   "function_evaluations": 5,
   "gradient_norm": 0.0002341237978450983,
   "hessian_vector_products": 0,
   "initial_gradient_norm": 3.5,
   "iterations": 4,
   "objective": [3.4657359027997265, 2.6364480097800196, 2.5677594448116143, 2.561789320683524,
                 2.561727655442556],
   "objective_gap_bound": 9.823179916535186e-08,
   "relative_gap_bound": 3.834591968566241e-08,
   "solver": "newton-cholesky",
   "stop_code": 0,
   "stop_reason": "objective within tol/100 relative of the optimum, certified"
  }
 ],
 "format": "simdlr-model",
 "intercept": [0.9791043249043632],
 "options": {
  "C": 1.0,
  "class_weight": "none",
  "fit_intercept": true,
  "max_iter": 50,
  "multi_class": "auto",
  "penalty": "l2",
  "solver": "auto",
  "standardize": false,
  "threads": 0,
  "tol": 0.0001
 },
 "precision": "float64",
 "target": "label",
 "task": "logistic",
 "version": 1
})";

// The same data, `--task linear --alpha 0.5 --model lin.json`, at version 1: no penalty key.
const char* const kLinearVersion1 = R"({
 "classes": [],
 "coef": [[0.051834076105587934, -0.11203291052451149]],
 "feature_names": ["a", "b"],
 "fit_report": [
  {
   "certificate": "strong-convexity",
   "certificate_note": "",
   "converged": true,
   "function_evaluations": 1,
   "gradient_norm": 1.1171619185290638e-15,
   "hessian_vector_products": 0,
   "initial_gradient_norm": 1.1171619185290638e-15,
   "iterations": 1,
   "objective": [0.41288995543366463],
   "objective_gap_bound": 6.930511582375569e-30,
   "relative_gap_bound": 1.678537220673326e-29,
   "solver": "cholesky",
   "stop_code": 0,
   "stop_reason": "objective within tol/100 relative of the optimum, certified"
  }
 ],
 "format": "simdlr-model",
 "intercept": [0.7615358244772026],
 "options": {
  "alpha": 0.5,
  "fit_intercept": true,
  "max_iter": 100,
  "solver": "cholesky",
  "threads": 0,
  "tol": 0.0001
 },
 "precision": "float64",
 "target": "label",
 "task": "linear",
 "version": 1
})";

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A report as the l1 and elasticnet fits give it: certified by the duality gap.
FitReport duality_gap_report(const char* solver) {
  FitReport r;
  r.solver = solver;
  r.iterations = 7;
  r.function_evaluations = 9;
  r.hessians = 7;
  r.certificate_checks = 2;
  r.objective_history = {2.5, 1.25, 1.125};
  r.initial_gradient_norm = 3;
  r.gradient_norm = 1e-9;
  r.converged = true;
  r.stop_reason = StopReason::certified;
  r.objective_gap_bound = 1e-9;
  r.relative_gap_bound = 1e-9 / (1.125 - 1e-9);
  r.certificate = Certificate::duality_gap;
  return r;
}

}  // namespace

TEST_CASE("model file: version 1 files still load, with penalty l2 and l1_ratio 0.5",
          "[model_file]") {
  test::TempDir dir("simdlr-test-model-file-");
  CHECK(kModelFileVersion >= 2);

  const SavedModel logistic = load_model(dir.write("log.json", kLogisticVersion1));
  CHECK(logistic.task == "logistic");
  CHECK(logistic.logistic.penalty == Penalty::l2);
  CHECK(logistic.logistic.l1_ratio == 0.5);
  CHECK(logistic.logistic.C == 1.0);
  CHECK(logistic.logistic.solver == Solver::automatic);
  CHECK(logistic.logistic.solver_options.max_iter == 50);
  CHECK(logistic.coef == std::vector<double>{0.36946882379260254, -0.5249371333163274});
  CHECK(logistic.reports.at(0).certificate == Certificate::strong_convexity);
  CHECK(logistic.reports.at(0).hessians == 0);  // not written before version 2
  CHECK(logistic.reports.at(0).certificate_checks == 0);
  const LogisticRegression<double> classifier = logistic_from<double>(logistic);
  CHECK(classifier.options().penalty == Penalty::l2);
  CHECK(classifier.options().l1_ratio == 0.5);
  const std::vector<double> x = {8, 1};
  const std::vector<std::int32_t> predicted =
      classifier.predict_index(MatrixView<const double>(x.data(), 1, 2));
  CHECK(predicted == std::vector<std::int32_t>{1});  // 0.979 + 0.369·8 − 0.525·1 = 3.41

  const SavedModel linear = load_model(dir.write("lin.json", kLinearVersion1));
  CHECK(linear.task == "linear");
  CHECK(linear.linear.penalty == Penalty::l2);
  CHECK(linear.linear.alpha == 0.5);
  CHECK(linear.linear.l1_ratio == 0.5);
  CHECK(linear.linear.solver == LinearSolver::cholesky);
  const LinearRegression<double> regression = linear_from<double>(linear);
  CHECK(regression.options().penalty == Penalty::l2);
  CHECK(regression.intercept() == 0.7615358244772026);

  // Saved again, the file has the current version and spells the defaults out.
  save_model(dir / "lin2.json", linear);
  const std::string text = read_text(dir / "lin2.json");
  CHECK_THAT(text, Contains("\"version\": " + std::to_string(kModelFileVersion)));
  CHECK_THAT(text, Contains("\"penalty\": \"l2\""));
  CHECK_THAT(text, Contains("\"l1_ratio\": 0.5"));
}

TEST_CASE("model file: l1 and elasticnet models keep their penalty and l1_ratio", "[model_file]") {
  test::TempDir dir("simdlr-test-model-file-");

  SECTION("logistic, l1 and elasticnet") {
    for (const Penalty penalty : {Penalty::l1, Penalty::elasticnet}) {
      INFO("penalty " << std::string(penalty_name(penalty)));
      LogisticRegressionOptions options;
      options.penalty = penalty;
      options.C = 0.25;
      options.l1_ratio = 0.1 + 0.2;  // 0.30000000000000004: must read back bit for bit
      options.solver = Solver::prox_newton;
      LogisticRegression<float> model(options);
      model.set_fitted(ClassLabels::from_text(std::vector<std::string>{"no", "yes"}), 3,
                       {0.0, -1.5, 0.0}, {0.25}, {duality_gap_report("prox-newton")});
      save_model(dir / "l1.json", saved_model(model, {"a", "b", "c"}));
      CHECK_THAT(read_text(dir / "l1.json"),
                 Contains("\"version\": " + std::to_string(kModelFileVersion)));

      const SavedModel loaded = load_model(dir / "l1.json");
      CHECK(loaded.logistic.penalty == penalty);
      CHECK(loaded.logistic.l1_ratio == 0.1 + 0.2);
      CHECK(loaded.logistic.C == 0.25);
      CHECK(loaded.logistic.solver == Solver::prox_newton);
      CHECK(loaded.coef == std::vector<double>{0.0, -1.5, 0.0});
      CHECK(loaded.reports.at(0).certificate == Certificate::duality_gap);
      CHECK(loaded.reports.at(0).objective_gap_bound == 1e-9);
      CHECK(loaded.reports.at(0).hessians == 7);
      CHECK(loaded.reports.at(0).certificate_checks == 2);
      const LogisticRegression<float> back = logistic_from<float>(loaded);
      CHECK(back.options().penalty == penalty);
      CHECK(back.options().l1_ratio == 0.1 + 0.2);
    }
  }

  SECTION("linear, l1 (Lasso) and elasticnet") {
    for (const Penalty penalty : {Penalty::l1, Penalty::elasticnet}) {
      INFO("penalty " << std::string(penalty_name(penalty)));
      LinearRegressionOptions options;
      options.penalty = penalty;
      options.alpha = 0.1;
      options.l1_ratio = 0.7;
      options.solver = LinearSolver::cd;
      LinearRegression<double> model(options);
      model.set_fitted({0.0, 2.5, 0.0, -0.125}, 3.0, duality_gap_report("cd"));
      save_model(dir / "lasso.json", saved_model(model, {}));

      const SavedModel loaded = load_model(dir / "lasso.json");
      CHECK(loaded.linear.penalty == penalty);
      CHECK(loaded.linear.alpha == 0.1);
      CHECK(loaded.linear.l1_ratio == 0.7);
      CHECK(loaded.linear.solver == LinearSolver::cd);
      CHECK(loaded.feature_names == std::vector<std::string>{"x0", "x1", "x2", "x3"});
      CHECK(loaded.reports.at(0).certificate == Certificate::duality_gap);
      const LinearRegression<double> back = linear_from<double>(loaded);
      CHECK(back.options().penalty == penalty);
      CHECK(back.options().l1_ratio == 0.7);
      CHECK(back.coef() == std::vector<double>{0.0, 2.5, 0.0, -0.125});
    }
  }

  SECTION("linear, penalty none") {
    LinearRegressionOptions options;
    options.penalty = Penalty::none;
    LinearRegression<double> model(options);
    model.set_fitted({1.0}, 0.0);
    save_model(dir / "ols.json", saved_model(model, {"x"}));
    CHECK(load_model(dir / "ols.json").linear.penalty == Penalty::none);
  }
}

TEST_CASE("model file: a bad penalty or l1_ratio is a ModelFileError naming it", "[model_file]") {
  test::TempDir dir("simdlr-test-model-file-");
  const auto edited = [&](const std::string& from, const std::string& to) {
    std::string text = kLinearVersion1;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return dir.write("edited.json", text);
  };
  const auto ratio = edited("\"alpha\": 0.5,", "\"alpha\": 0.5, \"l1_ratio\": 1.5,");
  CHECK_THROWS_AS(load_model(ratio), ModelFileError);
  CHECK_THROWS_WITH(load_model(ratio), Contains("options.l1_ratio must be in [0, 1], found 1.5"));
  const auto text_ratio = edited("\"alpha\": 0.5,", "\"alpha\": 0.5, \"l1_ratio\": \"half\",");
  CHECK_THROWS_AS(load_model(text_ratio), ModelFileError);
  const auto penalty = edited("\"alpha\": 0.5,", "\"alpha\": 0.5, \"penalty\": \"l3\",");
  CHECK_THROWS_AS(load_model(penalty), ModelFileError);
  CHECK_THROWS_WITH(load_model(penalty), Contains("l3"));
}
