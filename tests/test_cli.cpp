// The simdlr command line end to end (fit -> model file -> predict -> eval) on CSV and NPY,
// float32 and float64, checking the numbers; and a catalogue of bad inputs, each of which must
// exit with status 2, print exactly one line on stderr naming the problem, and leave no file.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>
#include "temp_dir.hpp"

#include "reference_fixtures.hpp"
#include "simdlr/io.hpp"
#include "simdlr/model_file.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Each test's temporary folder (tests/temp_dir.hpp), named for this file.
struct TempDir : simdlr::test::TempDir {
  TempDir() : simdlr::test::TempDir("simdlr-test-cli-") {}
};

struct Run {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

Run simdlr_cli(const std::string& args, const TempDir& dir, const std::string& env = "") {
  const fs::path out = dir.path.parent_path() / (dir.path.filename().string() + ".out");
  const fs::path err = dir.path.parent_path() / (dir.path.filename().string() + ".err");
  const std::string command = "cd " + quote(dir.path.string()) + " && " + env + " " +
                              quote(SIMDLR_CLI) + " " + args + " > " + quote(out.string()) +
                              " 2> " + quote(err.string()) + " < /dev/null";
  const int raw = std::system(command.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

std::string data_file(const std::string& name) {
  return quote(std::string(SIMDLR_DATA_DIR) + "/" + name);
}

std::vector<std::vector<std::string>> read_csv_cells(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');)
      cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

// Probability of the second class from a binary model file, in long double.
long double model_probability(const json& model, const std::vector<double>& x) {
  long double z = model["intercept"][0].get<double>();
  const auto w = model["coef"][0].get<std::vector<double>>();
  for (std::size_t j = 0; j < w.size(); ++j)
    z += (long double)w[j] * x[j];
  return 1.0L / (1.0L + std::exp(-z));
}

}  // namespace

TEST_CASE("CSV, float64: fit, predict and eval agree with each other and the reference",
          "[cli][e2e]") {
  TempDir dir;
  const Run fit = simdlr_cli(
      "fit --data " + data_file("breast_cancer.csv") +
          " --target diagnosis --standardize --tol 1e-8 --max-iter 1000 --json --model m.json",
      dir);
  INFO(fit.err);
  REQUIRE(fit.status == 0);
  const json report = json::parse(fit.out);
  for (const char* key : {"fit_seconds", "objective", "iterations", "converged", "isa", "threads",
                          "coef", "intercept", "classes"}) {
    CHECK(report.contains(key));
  }
  CHECK(report["converged"].get<bool>());
  // The certified bound: tol 1e-8 means a relative gap of at most 1e-10, and the model file
  // keeps the bound.
  CHECK(report["relative_gap_bound"].get<double>() <= 1e-10);
  CHECK(report["objective_gap_bound"].get<double>() >= 0);
  CHECK(report["certificate"] != "none");
  CHECK(report["classes"] == json({"B", "M"}));
  // Labels M/B: the single row belongs to "M" (malignant), the reverse of scikit-learn's 0/1
  // target where 1 = benign: the optimum objective is the same.
  const auto ref = simdlr::test::load_case("breast_cancer_standardized");
  CHECK(simdlr::test::relative_difference(report["objective"].get<double>(),
                                          ref.at("objective")[0]) <= 1e-8);
  const json model = json::parse(slurp(dir / "m.json"));
  CHECK(model["format"] == "simdlr-model");
  CHECK(model["coef"] == report["coef"]);  // bit-exact round trip of the doubles
  CHECK(model["feature_names"][0] == "radius_mean");
  CHECK(model["fit_report"][0]["objective_gap_bound"] == report["objective_gap_bound"]);

  const Run predict = simdlr_cli(
      "predict --model m.json --data " + data_file("breast_cancer.csv") + " --proba --output p.csv",
      dir);
  REQUIRE(predict.status == 0);
  CHECK(predict.out.empty());
  const auto proba = read_csv_cells(dir / "p.csv");
  REQUIRE(proba.size() == 570);
  CHECK(proba[0] == std::vector<std::string>{"B", "M"});
  const auto X = simdlr::test::load_csv("breast_cancer_X.csv");
  for (std::size_t i = 0; i < X.rows; ++i) {
    const std::vector<double> x(X.values.begin() + i * X.cols, X.values.begin() + (i + 1) * X.cols);
    const double p_m = std::stod(proba[i + 1][1]);
    CHECK(p_m == Approx(double(model_probability(model, x))).epsilon(1e-10).margin(1e-15));
    CHECK(std::stod(proba[i + 1][0]) + p_m == Approx(1.0).epsilon(1e-15));
  }

  const Run labels =
      simdlr_cli("predict --model m.json --data " + data_file("breast_cancer.csv"), dir);
  REQUIRE(labels.status == 0);
  std::stringstream ss(labels.out);
  std::string line;
  std::getline(ss, line);
  CHECK(line == "prediction");
  std::size_t correct = 0, n = 0;
  const auto y = simdlr::test::load_csv("breast_cancer_y.csv");
  while (std::getline(ss, line)) {
    correct += (line == "M") == (y.values[n] == 0);
    ++n;
  }
  REQUIRE(n == 569);

  const Run eval = simdlr_cli(
      "eval --model m.json --data " + data_file("breast_cancer.csv") + " --target diagnosis --json",
      dir);
  REQUIRE(eval.status == 0);
  const json metrics = json::parse(eval.out);
  CHECK(metrics["accuracy"].get<double>() == Approx(double(correct) / 569).epsilon(1e-15));
  CHECK(metrics["roc_auc"].get<double>() > 0.99);
  const auto cm = metrics["confusion_matrix"];
  CHECK(cm[0][0].get<int>() + cm[0][1].get<int>() == 357);  // benign
  CHECK(cm[1][0].get<int>() + cm[1][1].get<int>() == 212);  // malignant
  CHECK(cm[0][0].get<int>() + cm[1][1].get<int>() == int(correct));
}

TEST_CASE("a fit that cannot be certified says so in --json: bound null, and a note",
          "[cli][certificate]") {
  TempDir dir;
  // Iris without a penalty: setosa is separable, and the multinomial objective has no
  // certificate without a penalty.
  const Run fit = simdlr_cli(
      "fit --data " + data_file("iris.csv") + " --target species --penalty none --json", dir);
  INFO(fit.err);
  REQUIRE(fit.status == 0);
  const json report = json::parse(fit.out);
  CHECK_FALSE(report["converged"].get<bool>());
  CHECK(report["objective_gap_bound"].is_null());
  CHECK(report["relative_gap_bound"].is_null());
  CHECK(report["certificate"] == "none");
  CHECK_FALSE(report["certificate_note"].get<std::string>().empty());
}

TEST_CASE("NPY float32 and CSV float32 fits reach the optimum within float accuracy",
          "[cli][e2e][float32]") {
  TempDir dir;
  const auto X = simdlr::test::load_csv("breast_cancer_X.csv"),
             y = simdlr::test::load_csv("breast_cancer_y.csv");
  const std::vector<float> Xf(X.values.begin(), X.values.end());
  simdlr::io::write_npy<float>(dir / "X.npy", Xf.data(), {X.rows, X.cols});
  simdlr::io::write_npy<double>(dir / "y.npy", y.values.data(), {y.rows});
  const auto ref = simdlr::test::load_case("breast_cancer_standardized");
  const Run npy = simdlr_cli(
      "fit --x X.npy --y y.npy --standardize --tol 1e-6 --max-iter 1000 --json --model m.json",
      dir);
  INFO(npy.err);
  REQUIRE(npy.status == 0);
  const json r = json::parse(npy.out);
  CHECK(r["precision"] == "float32");
  CHECK(r["classes"] == json({"0", "1"}));
  CHECK(simdlr::test::relative_difference(r["objective"].get<double>(), ref.at("objective")[0]) <=
        1e-5);
  const Run eval = simdlr_cli("eval --model m.json --x X.npy --y y.npy --json", dir);
  REQUIRE(eval.status == 0);
  CHECK(json::parse(eval.out)["accuracy"].get<double>() > 0.98);
  const Run predict = simdlr_cli("predict --model m.json --x X.npy --output labels.csv", dir);
  REQUIRE(predict.status == 0);
  CHECK(read_csv_cells(dir / "labels.csv").size() == 570);

  const Run csv = simdlr_cli(
      "fit --data " + data_file("breast_cancer.csv") +
          " --target diagnosis --standardize --precision float32 --tol 1e-6 --max-iter 1000 --json",
      dir);
  REQUIRE(csv.status == 0);
  CHECK(json::parse(csv.out)["precision"] == "float32");
  CHECK(simdlr::test::relative_difference(json::parse(csv.out)["objective"].get<double>(),
                                          ref.at("objective")[0]) <= 1e-5);
}

TEST_CASE("linear regression through the command line", "[cli][e2e][linear]") {
  TempDir dir;
  const Run fit = simdlr_cli("fit --data " + data_file("diabetes.csv") +
                                 " --target progression --task linear --model m.json",
                             dir);
  INFO(fit.err);
  REQUIRE(fit.status == 0);
  const Run eval =
      simdlr_cli("eval --model m.json --data " + data_file("diabetes.csv") + " --json", dir);
  REQUIRE(eval.status == 0);
  // Ordinary least squares on all 442 rows of data/diabetes.csv (raw values): scikit-learn's
  // LinearRegression gives R² = 0.5177484222203498 on the same file.
  CHECK(json::parse(eval.out)["r2"].get<double>() == Approx(0.5177484222203498).epsilon(1e-12));
  const Run iris = simdlr_cli(
      "fit --data " + data_file("iris.csv") + " --target species --max-iter 1000 --json", dir);
  REQUIRE(iris.status == 0);
  CHECK(json::parse(iris.out)["coef"].size() == 3);
  const Run verbose =
      simdlr_cli("fit --data " + data_file("iris.csv") + " --target species --verbose", dir);
  REQUIRE(verbose.status == 0);
  CHECK(verbose.err.find("iter     1  objective") != std::string::npos);
}

namespace {

// The non-zero entries of a --json report's coef rows.
std::size_t nonzero_in(const json& coef) {
  std::size_t count = 0;
  for (const json& row : coef) {
    for (const json& v : row)
      count += v.get<double>() != 0;
  }
  return count;
}

// F is certified within tol/100 relative of the optimum F*, given as a reference value polished
// well below that (within 1e-12 relative).
void check_objective_near(double F, double reference, double tol) {
  INFO("objective " << F << ", reference " << reference);
  CHECK(F >= reference * (1 - 1e-12));
  CHECK(F <= reference * (1 + tol / 100 + 1e-12));
}

// A fit that must fail: status 2, one line on stderr containing every one of `expected`.
void check_fails(const Run& r, const std::vector<std::string>& expected) {
  INFO("stderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  REQUIRE_FALSE(r.err.empty());
  CHECK(r.err.find('\n') == r.err.size() - 1);
  for (const std::string& e : expected)
    CHECK(r.err.find(e) != std::string::npos);
}

}  // namespace

TEST_CASE("l1 logistic regression through the command line: sparse, certified by the duality gap",
          "[cli][e2e][l1]") {
  TempDir dir;
  const std::string data = "--data " + data_file("breast_cancer.csv") + " --target diagnosis";
  const Run fit =
      simdlr_cli("fit " + data + " --penalty l1 --standardize --json --model m.json", dir);
  INFO(fit.err);
  REQUIRE(fit.status == 0);
  const json report = json::parse(fit.out);
  for (const char* key : {"fit_seconds", "objective", "iterations", "converged", "isa", "threads",
                          "coef", "intercept", "classes", "certificate", "relative_gap_bound"}) {
    CHECK(report.contains(key));
  }
  CHECK(report["converged"].get<bool>());
  CHECK(report["certificate"] == "duality-gap");
  CHECK(report["penalty"] == "l1");
  CHECK_FALSE(report.contains("l1_ratio"));  // elasticnet only
  REQUIRE(report.contains("nonzero_coef"));
  const auto nonzero = report["nonzero_coef"].get<std::size_t>();
  CHECK(nonzero > 0);
  CHECK(nonzero < 30);
  CHECK(nonzero == nonzero_in(report["coef"]));
  // scikit-learn: LogisticRegression(penalty="l1", C=1, solver="saga", tol=1e-14) on the columns
  // standardized with their population standard deviation (as --standardize does), labels M = 1:
  // C·Σ log-loss + ‖w‖₁ = 46.081685660078755 with 16 non-zero coefficients, KKT residual 1e-10.
  check_objective_near(report["objective"].get<double>(), 46.081685660078755, 1e-4);

  const json model = json::parse(slurp(dir / "m.json"));
  CHECK(model["version"] == simdlr::kModelFileVersion);
  CHECK(model["options"]["penalty"] == "l1");
  CHECK(model["options"]["l1_ratio"] == 0.5);
  CHECK(model["fit_report"][0]["certificate"] == "duality-gap");
  CHECK(model["coef"] == report["coef"]);
  const Run eval = simdlr_cli("eval --model m.json " + data + " --json", dir);
  REQUIRE(eval.status == 0);
  CHECK(json::parse(eval.out)["accuracy"].get<double>() > 0.95);

  // The text summary names the penalty and counts the non-zero coefficients.
  const Run text = simdlr_cli("fit " + data + " --penalty l1 --standardize", dir);
  REQUIRE(text.status == 0);
  CHECK(text.out.find("penalty     l1, C 1: nonzero " + std::to_string(nonzero) +
                      " of 30 coefficients") != std::string::npos);

  // Elastic net: l1_ratio in the report and the model file.
  const Run net = simdlr_cli(
      "fit " + data + " --penalty elasticnet --l1-ratio 0.75 --standardize --json --model e.json",
      dir);
  INFO(net.err);
  REQUIRE(net.status == 0);
  const json net_report = json::parse(net.out);
  CHECK(net_report["converged"].get<bool>());
  CHECK(net_report["certificate"] == "duality-gap");
  CHECK(net_report["penalty"] == "elasticnet");
  CHECK(net_report["l1_ratio"] == 0.75);
  CHECK(net_report["nonzero_coef"].get<std::size_t>() == nonzero_in(net_report["coef"]));
  const json net_model = json::parse(slurp(dir / "e.json"));
  CHECK(net_model["options"]["penalty"] == "elasticnet");
  CHECK(net_model["options"]["l1_ratio"] == 0.75);

  // One-vs-rest (one binary problem per class) and multinomial both run l1.
  for (const char* mode : {"ovr", "multinomial"}) {
    const Run multi =
        simdlr_cli("fit --data " + data_file("iris.csv") +
                       " --target species --penalty l1 --multi-class " + mode + " --json",
                   dir);
    INFO(mode << ": " << multi.err);
    REQUIRE(multi.status == 0);
    const json multi_report = json::parse(multi.out);
    CHECK(multi_report["converged"].get<bool>());
    CHECK(multi_report["certificate"] == "duality-gap");
    CHECK(multi_report["coef"].size() == 3);
    CHECK(multi_report["nonzero_coef"].get<std::size_t>() == nonzero_in(multi_report["coef"]));
  }
}

TEST_CASE("lasso and elastic net through the command line", "[cli][e2e][l1][linear]") {
  TempDir dir;
  const std::string data =
      "--data " + data_file("diabetes.csv") + " --target progression --task linear";
  const Run fit =
      simdlr_cli("fit " + data + " --penalty l1 --alpha 0.1 --json --model m.json", dir);
  INFO(fit.err);
  REQUIRE(fit.status == 0);
  const json report = json::parse(fit.out);
  CHECK(report["converged"].get<bool>());
  CHECK(report["certificate"] == "duality-gap");
  CHECK(report["penalty"] == "l1");
  const auto nonzero = report["nonzero_coef"].get<std::size_t>();
  CHECK(nonzero >= 1);
  CHECK(nonzero <= 10);
  CHECK(nonzero == nonzero_in(report["coef"]));
  // scikit-learn's Lasso(alpha=0.1, tol=1e-14) on the raw columns of data/diabetes.csv:
  // 1/(2n)‖y − Xw − b‖² + 0.1‖w‖₁ = 1440.2636856170084 (dual gap 6e-11), R² = 0.5176483802596719.
  check_objective_near(report["objective"].get<double>(), 1440.2636856170084, 1e-4);
  const json model = json::parse(slurp(dir / "m.json"));
  CHECK(model["options"]["penalty"] == "l1");
  CHECK(model["options"]["alpha"] == 0.1);
  const Run eval =
      simdlr_cli("eval --model m.json --data " + data_file("diabetes.csv") + " --json", dir);
  REQUIRE(eval.status == 0);
  CHECK(json::parse(eval.out)["r2"].get<double>() == Approx(0.5176483802596719).epsilon(1e-4));

  const Run net =
      simdlr_cli("fit " + data + " --penalty elasticnet --alpha 0.1 --l1-ratio 0.7 --json", dir);
  INFO(net.err);
  REQUIRE(net.status == 0);
  const json net_report = json::parse(net.out);
  CHECK(net_report["converged"].get<bool>());
  CHECK(net_report["l1_ratio"] == 0.7);
  // ElasticNet(alpha=0.1, l1_ratio=0.7, tol=1e-15): 1475.4404335826866 (dual gap 4e-12).
  check_objective_near(net_report["objective"].get<double>(), 1475.4404335826866, 1e-4);

  // penalty none is least squares: the ordinary fit's R² (see the linear test above).
  const Run none = simdlr_cli("fit " + data + " --penalty none --model ols.json", dir);
  INFO(none.err);
  REQUIRE(none.status == 0);
  CHECK(none.out.find("penalty     none\n") != std::string::npos);
  const Run ols =
      simdlr_cli("eval --model ols.json --data " + data_file("diabetes.csv") + " --json", dir);
  REQUIRE(ols.status == 0);
  CHECK(json::parse(ols.out)["r2"].get<double>() == Approx(0.5177484222203498).epsilon(1e-12));
}

TEST_CASE("l1 and elasticnet with a solver that cannot run them fail with a clear message",
          "[cli][errors][l1]") {
  TempDir dir;
  const std::string breast_cancer =
      "fit --data " + data_file("breast_cancer.csv") + " --target diagnosis --model out.json";
  check_fails(simdlr_cli(breast_cancer + " --penalty l1 --solver lbfgs", dir), {"lbfgs", "l1"});
  check_fails(simdlr_cli(breast_cancer + " --penalty elasticnet --solver newton-cholesky", dir),
              {"newton-cholesky", "elasticnet"});
  check_fails(simdlr_cli("fit --data " + data_file("diabetes.csv") +
                             " --target progression --task linear --penalty l1 --alpha 0.1 "
                             "--solver lbfgs --model out.json",
                         dir),
              {"lbfgs", "l1"});
  check_fails(simdlr_cli(breast_cancer + " --penalty elasticnet --l1-ratio 1.5", dir),
              {"l1_ratio"});
  CHECK(dir.entries() == 0);  // no model file written
}

namespace {

struct BadCase {
  std::string name;
  std::string args;
  std::string expected;  // part of the one-line message
  std::string env = "";
};

// The command lines of the bad cases: fit on a CSV file (with extra options), fit on .npy files,
// predict with a model on a CSV file.
std::string fit_csv(const std::string& data, const std::string& extra = "") {
  return "fit --data " + data + " --target label" + extra + " --model out.json";
}
std::string fit_npy(const std::string& x, const std::string& y) {
  return "fit --x " + x + " --y " + y + " --model out.json";
}
std::string predict_csv(const std::string& model, const std::string& data = "good.csv") {
  return "predict --model " + model + " --data " + data + " --output out.csv";
}

void write(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

}  // namespace

TEST_CASE("every bad input gets exit status 2, one line on stderr, and no file left behind",
          "[cli][errors]") {
  TempDir dir;
  const std::string header = "a,b,label\n";
  write(dir / "non_numeric.csv", header + "1,2,x\n3,oops,y\n");
  write(dir / "ragged.csv", header + "1,2,x\n3,4\n");
  write(dir / "nan.csv", header + "1,2,x\nnan,4,y\n");
  write(dir / "inf.csv", header + "1,2,x\n3,inf,y\n");
  write(dir / "empty.csv", "");
  write(dir / "header_only.csv", header);
  write(dir / "one_class.csv", header + "1,2,x\n3,4,x\n");
  write(dir / "gigantic.csv", header + std::string(10 << 20, '7') + ",2,x\n");
  write(dir / "binary.csv", header + std::string("1,\0\x01\x02,x\n", 9));
  write(dir / "good.csv", header + "1,2,x\n3,4,y\n5,7,x\n8,1,y\n");
  write(dir / "bad_magic.npy", "NOTNUMPY-at-all");
  std::vector<double> values(12, 1.5);
  simdlr::io::write_npy<double>(dir / "X.npy", values.data(), {4, 3});
  std::string truncated = slurp(dir / "X.npy");
  write(dir / "truncated.npy", truncated.substr(0, truncated.size() - 10));
  std::string object = truncated;
  object.replace(object.find("<f8"), 3, "|O8");
  write(dir / "object.npy", object);
  std::string three_d = truncated;
  three_d.replace(three_d.find("(4, 3)"), 6, "(2,2,3)");
  write(dir / "three_d.npy", three_d);
  simdlr::io::write_npy<double>(dir / "y5.npy", values.data(), {5});
  simdlr::io::write_npy<double>(dir / "X2.npy", values.data(), {4, 2});
  write(dir / "not_json.json", "{ this is not json");
  write(dir / "foreign.json", R"({"hello": "world"})");

  // A valid model, then variants of it.
  REQUIRE(simdlr_cli("fit --data good.csv --target label --model model.json", dir).status == 0);
  std::string model = slurp(dir / "model.json");
  std::string future = model;
  const std::string version = "\"version\": " + std::to_string(simdlr::kModelFileVersion);
  REQUIRE(future.find(version) != std::string::npos);
  future.replace(future.find(version), version.size(), "\"version\": 99");
  write(dir / "future.json", future);
  std::string wrong_shape = model;
  const auto coef = wrong_shape.find("\"coef\"");
  wrong_shape.insert(wrong_shape.find('[', wrong_shape.find('[', coef) + 1) + 1, "0.5,");
  write(dir / "wrong_shape.json", wrong_shape);
  write(dir / "three_cols.csv", "a,b,c,label\n1,2,3,x\n");
  write(dir / "numeric.csv", header + "1,2,0.5\n3,4,1.5\n5,7,2\n8,1,4\n");
  const std::size_t files_before = dir.entries();

  const std::vector<BadCase> cases = {
      {"non-numeric cell", fit_csv("non_numeric.csv"), "non_numeric.csv:3:3"},
      {"ragged row", fit_csv("ragged.csv"), "ragged.csv:3"},
      {"NaN cell", fit_csv("nan.csv"), "nan.csv:3:1"},
      {"Inf cell", fit_csv("inf.csv"), "inf.csv:3:3"},
      {"empty file", fit_csv("empty.csv"), "empty.csv"},
      {"header only", fit_csv("header_only.csv"), "header_only.csv"},
      {"missing target column", "fit --data good.csv --target nope --model out.json", "nope"},
      {"one class", fit_csv("one_class.csv"), "single class"},
      {"gigantic line", fit_csv("gigantic.csv"), "gigantic.csv:2"},
      {"binary bytes", fit_csv("binary.csv"), "binary.csv:2"},
      {"missing file", fit_csv("absent.csv"), "absent.csv"},
      {"bad npy magic", fit_npy("bad_magic.npy", "y5.npy"), "bad_magic.npy"},
      {"truncated npy", fit_npy("truncated.npy", "y5.npy"), "truncated.npy"},
      {"object npy", fit_npy("object.npy", "y5.npy"), "object.npy"},
      {"3-d npy", fit_npy("three_d.npy", "y5.npy"), "three_d.npy"},
      {"y length mismatch", fit_npy("X.npy", "y5.npy"), "y5.npy"},
      {"negative C", fit_csv("good.csv", " --C -1"), "C must be"},
      {"zero tol", fit_csv("good.csv", " --tol 0"), "tol"},
      {"zero max-iter", fit_csv("good.csv", " --max-iter 0"), "max_iter"},
      {"unknown solver", fit_csv("good.csv", " --solver magic"), "magic"},
      {"unknown task", fit_csv("good.csv", " --task cluster"), "cluster"},
      {"negative threads", fit_csv("good.csv", " --threads -1"), "threads"},
      {"missing model", predict_csv("absent.json"), "absent.json"},
      {"corrupted model", predict_csv("not_json.json"), "not valid JSON"},
      {"foreign model", predict_csv("foreign.json"), "not a simdlr model"},
      {"future model", predict_csv("future.json"), "version 99"},
      {"inconsistent model", predict_csv("wrong_shape.json"), "coef row 0"},
      {"feature count", predict_csv("model.json", "three_cols.csv"), "3 feature columns"},
      {"output folder missing",
       "predict --model model.json --data good.csv --output no/such/dir/out.csv", "no/such/dir"},
      {"model folder missing", "fit --data good.csv --target label --model no/such/dir/m.json",
       "no/such/dir"},
      {"unknown ISA", fit_csv("good.csv"), "avx9", "SIMDLR_ISA=avx9"},
      {"eval without labels", "eval --model model.json --x X2.npy", "labels"},
      {"unknown option", "fit --data good.csv --target label --bogus", "bogus"},
      {"unknown penalty", fit_csv("good.csv", " --penalty l3"), "l3"},
      {"l1_ratio above 1", fit_csv("good.csv", " --penalty elasticnet --l1-ratio 1.5"),
       "--l1-ratio: l1_ratio must be in [0, 1], got 1.5"},
      {"negative l1_ratio", fit_csv("good.csv", " --penalty elasticnet --l1-ratio -0.25"),
       "l1_ratio must be in [0, 1], got -0.25"},
      {"l1_ratio without elasticnet", fit_csv("good.csv", " --penalty l1 --l1-ratio 0.5"),
       "l1_ratio is only used with --penalty elasticnet, not l1"},
      {"linear l1_ratio without elasticnet",
       fit_csv("numeric.csv", " --task linear --alpha 1 --l1-ratio 0.5"),
       "l1_ratio is only used with --penalty elasticnet, not l2"},
      {"linear alpha with penalty none",
       fit_csv("numeric.csv", " --task linear --penalty none --alpha 2"),
       "--alpha 2 has no effect with --penalty none"},
      {"linear lasso without alpha", fit_csv("numeric.csv", " --task linear --penalty l1"),
       "--alpha must be > 0 with --task linear --penalty l1"},
  };
  REQUIRE(cases.size() >= 25);
  for (const BadCase& c : cases) {
    INFO(c.name << ": simdlr " << c.args);
    const Run r = simdlr_cli(c.args, dir, c.env);
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    REQUIRE_FALSE(r.err.empty());
    CHECK(r.err.find('\n') == r.err.size() - 1);  // exactly one line
    CHECK(r.err.find(c.expected) != std::string::npos);
    CHECK(dir.entries() == files_before);  // nothing written, no temporary left
  }
}

namespace {

// The values of a JSON array of numbers.
std::vector<double> numbers(const json& array) {
  return array.get<std::vector<double>>();
}

}  // namespace

TEST_CASE("cv: l1 logistic regression over the grid from l1_min_c, refit, model file",
          "[cli][cv][l1]") {
  TempDir dir;
  const std::string data = "--data " + data_file("breast_cancer.csv") + " --target diagnosis";
  const Run cv = simdlr_cli(
      "cv " + data + " --penalty l1 --standardize --n-grid 8 --json --model m.json", dir);
  INFO(cv.err);
  REQUIRE(cv.status == 0);
  const json r = json::parse(cv.out);
  CHECK(r["task"] == "logistic");
  CHECK(r["penalty"] == "l1");
  CHECK(r["scoring"] == "log_loss");
  CHECK_FALSE(r["greater_is_better"].get<bool>());
  CHECK(r["folds"] == 5);
  CHECK(r["stratified"].get<bool>());
  CHECK(r["seed"] == 0);
  CHECK(r["rows"] == 569);
  const auto fold_sizes = r["fold_sizes"].get<std::vector<std::size_t>>();
  REQUIRE(fold_sizes.size() == 5);
  CHECK(std::accumulate(fold_sizes.begin(), fold_sizes.end(), std::size_t(0)) == 569);

  // The grid: 8 values of C, increasing from l1_min_c, 1e4 apart at the ends.
  CHECK(r["grid_source"] == "l1_min_c");
  const std::vector<double> Cs = numbers(r["Cs"]);
  REQUIRE(Cs.size() == 8);
  CHECK(Cs.front() == r["l1_min_c"].get<double>());
  CHECK(Cs.back() == Approx(Cs.front() * 1e4).epsilon(1e-12));
  CHECK(std::is_sorted(Cs.begin(), Cs.end()));
  CHECK(r["grid"].size() == 8);
  CHECK_FALSE(r.contains("l1_ratios"));  // elasticnet only
  const std::vector<double> mean = numbers(r["mean_score"]), std_score = numbers(r["std_score"]);
  REQUIRE(mean.size() == Cs.size());
  REQUIRE(std_score.size() == Cs.size());
  REQUIRE(r["nonzero_coef"].size() == Cs.size());
  REQUIRE(r["fold_scores"].size() == Cs.size());
  for (std::size_t p = 0; p < Cs.size(); ++p) {
    CHECK(r["grid"][p]["C"].get<double>() == Cs[p]);
    const std::vector<double> folds = numbers(r["fold_scores"][p]);
    REQUIRE(folds.size() == 5);
    CHECK(std::accumulate(folds.begin(), folds.end(), 0.0) / 5 == Approx(mean[p]).epsilon(1e-12));
    CHECK(std_score[p] >= 0);
    CHECK(r["nonzero_coef"][p].get<std::size_t>() <= 30);
  }
  // At l1_min_c every coefficient is 0: each fold predicts the class shares of its training rows,
  // a log loss near their entropy, 0.660 (357 B, 212 M).
  CHECK(r["nonzero_coef"][0] == 0);
  CHECK(mean[0] == Approx(0.66).epsilon(0.01));

  // The best point: one of the grid's values, with the smallest mean log loss.
  const json& best = r["best"];
  const auto index = best["index"].get<std::size_t>();
  REQUIRE(index < Cs.size());
  const double best_C = best["C"].get<double>();
  CHECK(std::find(Cs.begin(), Cs.end(), best_C) != Cs.end());
  CHECK(best_C == Cs[index]);
  CHECK(best["mean_score"].get<double>() == *std::min_element(mean.begin(), mean.end()));
  CHECK(best["mean_score"].get<double>() == mean[index]);
  CHECK(best["mean_score"].get<double>() < 0.15);
  CHECK(r["all_converged"].get<bool>());

  // The refit: the report of `fit --json`, at the best C, converged and certified.
  const json& refit = r["refit"];
  for (const char* key :
       {"fit_seconds", "objective", "iterations", "converged", "isa", "threads", "coef",
        "intercept", "classes", "certificate", "relative_gap_bound", "penalty", "nonzero_coef"}) {
    CHECK(refit.contains(key));
  }
  CHECK(refit["converged"].get<bool>());
  CHECK(refit["certificate"] == "duality-gap");
  CHECK(refit["penalty"] == "l1");
  CHECK(refit["classes"] == json({"B", "M"}));
  CHECK(refit["nonzero_coef"].get<std::size_t>() == nonzero_in(refit["coef"]));

  // --model: the refit's model file, the same as `fit --model` at the best C writes, and one
  // that predict and eval use.
  const json model = json::parse(slurp(dir / "m.json"));
  CHECK(model["format"] == "simdlr-model");
  CHECK(model["options"]["penalty"] == "l1");
  CHECK(model["options"]["C"].get<double>() == best_C);
  CHECK(model["coef"] == refit["coef"]);
  const Run fit = simdlr_cli("fit " + data + " --penalty l1 --standardize --C " +
                                 json(best_C).dump() + " --json --model f.json",
                             dir);
  REQUIRE(fit.status == 0);
  CHECK(json::parse(fit.out)["coef"] == refit["coef"]);
  CHECK(json::parse(slurp(dir / "f.json"))["coef"] == model["coef"]);
  const Run predict = simdlr_cli(
      "predict --model m.json --data " + data_file("breast_cancer.csv") + " --output p.csv", dir);
  INFO(predict.err);
  REQUIRE(predict.status == 0);
  const auto labels = read_csv_cells(dir / "p.csv");
  REQUIRE(labels.size() == 570);
  CHECK(labels[0] == std::vector<std::string>{"prediction"});
  CHECK((labels[1][0] == "B" || labels[1][0] == "M"));
  const Run eval = simdlr_cli("eval --model m.json " + data + " --json", dir);
  REQUIRE(eval.status == 0);
  CHECK(json::parse(eval.out)["accuracy"].get<double>() > 0.95);

  // The text report: the table marks the chosen row (and only it), then the refit's summary.
  const Run text = simdlr_cli("cv " + data + " --penalty l1 --standardize --n-grid 8", dir);
  REQUIRE(text.status == 0);
  std::stringstream lines(text.out);
  std::size_t marked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("* ", 0) == 0) {
      ++marked;
      char c_text[32];
      std::snprintf(c_text, sizeof c_text, "%.6g", best_C);
      CHECK(line.find(c_text) != std::string::npos);
    }
  }
  CHECK(marked == 1);
  CHECK(text.out.find("refit on all rows") != std::string::npos);
  CHECK(text.out.find("converged   yes") != std::string::npos);
  CHECK(text.out.find("penalty     l1, C ") != std::string::npos);

  // Another scoring: accuracy, where higher is better; shuffled folds with a seed.
  const Run accuracy = simdlr_cli("cv " + data +
                                      " --standardize --Cs 0.01,1,100 --scoring accuracy "
                                      "--shuffle --seed 7 --folds 4 --json",
                                  dir);
  INFO(accuracy.err);
  REQUIRE(accuracy.status == 0);
  const json a = json::parse(accuracy.out);
  CHECK(a["grid_source"] == "given");
  CHECK(numbers(a["Cs"]) == std::vector<double>{0.01, 1, 100});
  CHECK(a["greater_is_better"].get<bool>());
  CHECK(a["folds"] == 4);
  CHECK(a["seed"] == 7);
  const std::vector<double> accuracies = numbers(a["mean_score"]);
  CHECK(a["best"]["mean_score"].get<double>() ==
        *std::max_element(accuracies.begin(), accuracies.end()));
  CHECK(a["best"]["mean_score"].get<double>() > 0.95);
  CHECK(a["refit"]["penalty"] == "l2");
}

TEST_CASE("cv: the lasso on diabetes, the grid and the scores of scikit-learn's LassoCV",
          "[cli][cv][linear]") {
  TempDir dir;
  const std::string data =
      "--data " + data_file("diabetes.csv") + " --target progression --task linear";
  const Run cv = simdlr_cli("cv " + data + " --penalty l1 --json --model m.json", dir);
  INFO(cv.err);
  REQUIRE(cv.status == 0);
  const json r = json::parse(cv.out);
  CHECK(r["scoring"] == "r2");
  CHECK(r["greater_is_better"].get<bool>());
  CHECK_FALSE(r["stratified"].get<bool>());
  CHECK(r["fold_sizes"] == json({89, 89, 88, 88, 88}));
  CHECK(r["grid_source"] == "lasso_alpha_max");
  const std::vector<double> alphas = numbers(r["alphas"]);
  REQUIRE(alphas.size() == 20);
  CHECK(std::is_sorted(alphas.rbegin(), alphas.rend()));  // decreasing
  // scikit-learn: LassoCV(alphas=20, eps=1e-4, cv=KFold(5)).alphas_ from 564.4043529002264
  // down to 0.05644043529002264.
  CHECK(alphas.front() == Approx(564.4043529002264).epsilon(1e-13));
  CHECK(alphas.back() == Approx(0.05644043529002264).epsilon(1e-13));
  CHECK(r["alpha_max"].get<double>() == alphas.front());
  const std::vector<double> r2 = numbers(r["mean_score"]);
  REQUIRE(r2.size() == 20);
  CHECK(r["best"]["mean_score"].get<double>() == *std::max_element(r2.begin(), r2.end()));
  CHECK(r["nonzero_coef"][0] <= 1);
  CHECK(r["nonzero_coef"][19] == 10);
  // cross_val_score(Lasso(alpha, tol=1e-12), X, y, cv=KFold(5)) at the two ends of the grid.
  CHECK(r2.front() == Approx(-0.024678803638187707).epsilon(1e-6));
  CHECK(r2.back() == Approx(0.4822042377262033).epsilon(1e-6));
  const json& refit = r["refit"];
  CHECK(refit["converged"].get<bool>());
  CHECK(refit["penalty"] == "l1");
  CHECK(refit["task"] == "linear");
  CHECK(refit["certificate"] == "duality-gap");
  CHECK(json::parse(slurp(dir / "m.json"))["options"]["alpha"] == r["best"]["alpha"]);
  const Run predict = simdlr_cli(
      "predict --model m.json --data " + data_file("diabetes.csv") + " --output p.csv", dir);
  REQUIRE(predict.status == 0);
  CHECK(read_csv_cells(dir / "p.csv").size() == 443);

  // Scored by mean squared error: LassoCV's own criterion, and its mean MSE path
  // (mse_path_.mean(axis=1), tol=1e-14) and choice, the last alpha.
  const Run mse = simdlr_cli("cv " + data + " --penalty l1 --scoring mse --json", dir);
  REQUIRE(mse.status == 0);
  const json m = json::parse(mse.out);
  CHECK_FALSE(m["greater_is_better"].get<bool>());
  const std::vector<double> errors = numbers(m["mean_score"]);
  REQUIRE(errors.size() == 20);
  CHECK(errors[0] == Approx(5966.407591653269).epsilon(1e-9));
  CHECK(errors[10] == Approx(3210.8753143919553).epsilon(1e-6));
  CHECK(errors[19] == Approx(2993.4859697870324).epsilon(1e-6));
  CHECK(m["best"]["index"] == 19);
  CHECK(m["best"]["mean_score"].get<double>() == *std::min_element(errors.begin(), errors.end()));

  // Elastic net over two l1_ratios: a grid of 2 x 4 points, l1_ratio-major.
  const Run net =
      simdlr_cli("cv " + data + " --penalty elasticnet --l1-ratios 0.5,0.9 --n-grid 4 --json", dir);
  INFO(net.err);
  REQUIRE(net.status == 0);
  const json e = json::parse(net.out);
  CHECK(numbers(e["l1_ratios"]) == std::vector<double>{0.5, 0.9});
  REQUIRE(e["grid"].size() == 8);
  CHECK(e["grid"][3]["l1_ratio"] == 0.5);
  CHECK(e["grid"][4]["l1_ratio"] == 0.9);
  CHECK(e["grid"][4]["alpha"] == e["alphas"][0]);
  CHECK(e["refit"]["l1_ratio"] == e["best"]["l1_ratio"]);
  CHECK(e["refit"]["converged"].get<bool>());
}

TEST_CASE("cv: bad grids, folds and scorings fail with one clear line and leave no file",
          "[cli][cv][errors]") {
  TempDir dir;
  const std::string logistic =
      "cv --data " + data_file("breast_cancer.csv") + " --target diagnosis --model out.json";
  const std::string linear = "cv --data " + data_file("diabetes.csv") +
                             " --target progression --task linear --model out.json";
  check_fails(simdlr_cli(logistic + " --folds 1", dir), {"--folds must be at least 2, got 1"});
  check_fails(simdlr_cli(logistic + " --folds 1000", dir),
              {"--folds 1000: more folds than the 569 rows of", "breast_cancer.csv"});
  check_fails(simdlr_cli(linear + " --folds 443", dir), {"more folds than the 442 rows"});
  check_fails(simdlr_cli(logistic + " --folds 300", dir),
              {"--folds 300: class 'M' has only 212 rows", "stratified"});
  check_fails(simdlr_cli(logistic + " --scoring r2", dir), {"--scoring r2 is for --task linear"});
  check_fails(simdlr_cli(linear + " --scoring log_loss", dir),
              {"--scoring log_loss is for --task logistic"});
  check_fails(simdlr_cli("cv --data " + data_file("iris.csv") +
                             " --target species --scoring roc_auc --model out.json",
                         dir),
              {"roc_auc needs two classes", "3"});
  check_fails(simdlr_cli(logistic + " --Cs ''", dir), {"--Cs: the grid is empty"});
  check_fails(simdlr_cli(linear + " --alphas ''", dir), {"--alphas: the grid is empty"});
  check_fails(simdlr_cli(logistic + " --n-grid 0", dir), {"--n-grid", "empty"});
  check_fails(simdlr_cli(logistic + " --Cs 1,-2", dir), {"--Cs", "> 0", "-2"});
  check_fails(simdlr_cli(logistic + " --Cs 1,x", dir), {"--Cs: 'x' is not a number"});
  check_fails(simdlr_cli(logistic + " --alphas 1", dir), {"--alphas is for --task linear"});
  check_fails(simdlr_cli(logistic + " --C 2", dir), {"cv chooses C", "--Cs"});
  check_fails(simdlr_cli(linear + " --alpha 2", dir), {"cv chooses alpha", "--alphas"});
  check_fails(simdlr_cli(logistic + " --seed 3", dir), {"--seed has no effect without --shuffle"});
  check_fails(simdlr_cli(logistic + " --penalty l1 --l1-ratios 0.5", dir),
              {"--l1-ratios is only used with --penalty elasticnet"});
  check_fails(simdlr_cli(logistic + " --penalty elasticnet --l1-ratios 0.5,2", dir),
              {"l1_ratio must be in [0, 1], got 2"});
  check_fails(simdlr_cli(logistic + " --grid-ratio 100", dir), {"--grid-ratio", "penalty l2"});
  check_fails(simdlr_cli(logistic + " --penalty none --n-grid 3", dir), {"--penalty none"});
  check_fails(simdlr_cli(logistic + " --scoring f1", dir), {"f1"});
  CHECK(dir.entries() == 0);  // no model file, no temporary
}
