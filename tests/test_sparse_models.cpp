// The l1 and elastic-net models against reference optima (tests/reference/sparse, written by
// tests/reference/generate_sparse_fixtures.py: scikit-learn's fit polished to the exact optimum,
// its duality gap ≤ 1e-12 relative): the objective within 1e-8 relative, exactly the same
// non-zero coefficients, converged with a bound that holds, float32 against the optimum of the
// float32-rounded data, and 1 and 2 threads bitwise equal.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "reference_fixtures.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"

using namespace simdlr;
using simdlr::test::Case;
using simdlr::test::load_case;
using simdlr::test::load_csv;
using simdlr::test::Table;

namespace {

struct SparseCase {
  const char* file;
  const char* data;            // the data set's file name part (tests/reference/data/<data>_X.csv)
  bool binary_digits = false;  // y ← (digit ≥ 5)
  bool multinomial = false;    // one softmax problem (else binary or one-vs-rest)
};

// Data sets as the fixtures used them.
struct Problem {
  Table X;
  std::vector<double> y;
};

Problem problem(const SparseCase& c) {
  const std::string data = c.data;
  Problem p{load_csv(data + "_X.csv"), {}};
  const std::string labels = data == "breast_cancer_standardized" ? "breast_cancer" : data;
  p.y = load_csv(labels + "_y.csv").values;
  if (c.binary_digits) {
    for (double& v : p.y)
      v = v >= 5 ? 1.0 : 0.0;
  }
  return p;
}

Penalty penalty_of(const Case& f) {
  return f.at("penalty")[0] == 2 ? Penalty::l1 : Penalty::elasticnet;
}

// The fitted coefficients, objective(s) and reports of one fit.
struct Result {
  std::vector<double> coef, intercept, objective;
  std::vector<FitReport> reports;
};

template <class T>
Result fit_logistic(const Case& f, const Problem& p, int threads, bool multinomial) {
  LogisticRegressionOptions o;
  o.penalty = penalty_of(f);
  o.C = f.at("C")[0];
  o.l1_ratio = f.at("l1_ratio")[0];
  o.standardize = f.at("standardize")[0] == 1;
  o.fit_intercept = f.at("fit_intercept")[0] == 1;
  o.multi_class = multinomial ? MultiClass::multinomial : MultiClass::ovr;
  o.solver_options.tol = 1e-6;  // converged: within 1e-8 relative, certified
  o.solver_options.max_iter = 200;
  o.threads = Threads{threads};
  const std::vector<T> X = p.X.as<T>();
  std::vector<T> weight;
  if (f.count("sample_weight"))
    weight = std::vector<T>(f.at("sample_weight").begin(), f.at("sample_weight").end());
  LogisticRegression<T> model(o);
  model.fit(MatrixView<const T>(X.data(), p.X.rows, p.X.cols), p.y, weight);
  Result r{model.coef(), model.intercept(), {}, model.fit_reports()};
  for (const FitReport& report : r.reports)
    r.objective.push_back(report.objective_history.back());
  return r;
}

template <class T>
Result fit_linear(const Case& f, const Problem& p, int threads) {
  LinearRegressionOptions o;
  o.penalty = penalty_of(f);
  o.alpha = f.at("alpha")[0];
  o.l1_ratio = f.at("l1_ratio")[0];
  o.fit_intercept = f.at("fit_intercept")[0] == 1;
  o.solver_options.tol = 1e-6;  // converged: within 1e-8 relative, certified
  o.threads = Threads{threads};
  const std::vector<T> X = p.X.as<T>();
  std::vector<T> weight;
  if (f.count("sample_weight"))
    weight = std::vector<T>(f.at("sample_weight").begin(), f.at("sample_weight").end());
  LinearRegression<T> model(o);
  model.fit(MatrixView<const T>(X.data(), p.X.rows, p.X.cols), p.y, weight);
  return {model.coef(),
          {model.intercept()},
          {model.fit_report().objective_history.back()},
          {model.fit_report()}};
}

template <class T>
void check_against_fixture(const SparseCase& c, bool logistic) {
  const Case f = load_case(std::string("sparse/") + c.file);
  const Problem p = problem(c);
  const std::string suffix = std::is_same_v<T, float> ? "_f32" : "";
  const Result one = logistic ? fit_logistic<T>(f, p, 1, c.multinomial) : fit_linear<T>(f, p, 1);
  const std::vector<double>& objective = f.at("objective" + suffix);
  REQUIRE(one.objective.size() == objective.size());
  for (std::size_t k = 0; k < objective.size(); ++k) {
    const FitReport& r = one.reports[k];
    CAPTURE(k, r.iterations, r.objective_gap_bound, r.certificate_note);
    CHECK(r.converged);
    CHECK(r.certificate == Certificate::duality_gap);
    // Within 1e-8 relative of the optimum, and the bound holds against it.
    CHECK(std::fabs(one.objective[k] - objective[k]) <= 1e-8 * objective[k]);
    CHECK(one.objective[k] - objective[k] <= r.objective_gap_bound + 1e-13 * objective[k]);
  }
  // Exactly the reference's non-zero coefficients.
  std::vector<double> support;
  for (std::size_t j = 0; j < one.coef.size(); ++j)
    if (one.coef[j] != 0) support.push_back(double(j));
  CHECK(support == f.at("support" + suffix));
  CHECK(simdlr::test::vector_relative_difference(one.coef, f.at("coef" + suffix)) <
        2e-3);          // 1e-8 relative in F allows about this much
  if (c.multinomial) {  // the intercepts, both centred (sum 0)
    CHECK(simdlr::test::vector_relative_difference(one.intercept, f.at("intercept" + suffix)) <
          2e-3);
  }
  // Two threads: the same bits.
  const Result two = logistic ? fit_logistic<T>(f, p, 2, c.multinomial) : fit_linear<T>(f, p, 2);
  CHECK(two.coef == one.coef);
  CHECK(two.intercept == one.intercept);
  CHECK(two.objective == one.objective);
}

const SparseCase kLogistic[] = {
    {"logistic_breast_cancer_std_l1_C0.05", "breast_cancer"},
    {"logistic_breast_cancer_std_l1_C1", "breast_cancer"},
    {"logistic_breast_cancer_std_enet0.3_C0.5", "breast_cancer"},
    {"logistic_breast_cancer_std_enet0.8_C0.5", "breast_cancer"},
    {"logistic_breast_cancer_raw_l1_C1", "breast_cancer"},
    {"logistic_breast_cancer_std_l1_C0.5_weighted", "breast_cancer"},
    {"logistic_digits_binary_raw_l1_C0.01", "digits", true},
    {"logistic_breast_cancer_std_l1_C0.1_nointercept", "breast_cancer"},
    {"logistic_breast_cancer_centered_l1_C0.1_nointercept", "breast_cancer_standardized"},
    {"ovr_iris_std_l1_C1", "iris"},
    {"ovr_wine_std_l1_C0.1", "wine"},
    {"ovr_wine_std_enet0.5_C0.1", "wine"},
    {"multinomial_iris_std_l1_C1", "iris", false, true},
    {"multinomial_wine_std_l1_C0.1", "wine", false, true},
    {"multinomial_wine_std_enet0.5_C0.1", "wine", false, true},
    {"multinomial_digits_raw_l1_C0.01", "digits", false, true},
};

const SparseCase kLinear[] = {
    {"lasso_diabetes_alpha0.1", "diabetes"},          {"lasso_diabetes_alpha1", "diabetes"},
    {"enet_diabetes_alpha0.1_l1r0.5", "diabetes"},    {"enet_diabetes_alpha2_l1r0.5", "diabetes"},
    {"lasso_diabetes_alpha0.1_weighted", "diabetes"},
};

}  // namespace

TEMPLATE_TEST_CASE("l1 and elastic-net logistic regression reach the reference optimum",
                   "[sparse][logistic]", float, double) {
  for (const SparseCase& c : kLogistic) {
    SECTION(c.file) {
      check_against_fixture<TestType>(c, true);
    }
  }
}

TEMPLATE_TEST_CASE("lasso and elastic net reach the reference optimum", "[sparse][linear]", float,
                   double) {
  for (const SparseCase& c : kLinear) {
    SECTION(c.file) {
      check_against_fixture<TestType>(c, false);
    }
  }
}
