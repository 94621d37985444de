// simdlr demo: the main job on the bundled breast cancer data (or --data/--target): a
// fixed-seed stratified 75/25 train/test split, a standardized logistic fit, then the test
// metrics, the five largest coefficients, the ISA and fit time, and the fused logistic pass
// timed against its scalar twin on this machine.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "commands.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/metrics.hpp"

namespace simdlr::cli {
namespace {

struct Split {
  std::vector<std::size_t> train, test;
};

// Per class, a fixed-seed Fisher-Yates shuffle (our own, so it is the same on every platform),
// the first quarter (rounded) to the test set.
Split stratified_split(const std::vector<std::string>& labels, double test_fraction,
                       std::uint64_t seed) {
  std::map<std::string, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < labels.size(); ++i)
    by_class[labels[i]].push_back(i);
  std::mt19937_64 rng(seed);
  Split split;
  for (auto& [label, rows] : by_class) {
    for (std::size_t i = rows.size(); i > 1; --i)
      std::swap(rows[i - 1], rows[rng() % i]);
    const auto n_test = std::size_t(std::llround(test_fraction * double(rows.size())));
    split.test.insert(split.test.end(), rows.begin(), rows.begin() + std::ptrdiff_t(n_test));
    split.train.insert(split.train.end(), rows.begin() + std::ptrdiff_t(n_test), rows.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

std::vector<double> take_rows(const io::Table<double>& t, const std::vector<std::size_t>& rows) {
  std::vector<double> out;
  out.reserve(rows.size() * t.cols);
  for (std::size_t i : rows)
    out.insert(out.end(), t.X.begin() + std::ptrdiff_t(i * t.cols),
               t.X.begin() + std::ptrdiff_t((i + 1) * t.cols));
  return out;
}

// Median seconds of `run` over repeated rounds.
template <class F>
double median_seconds(const F& run) {
  std::vector<double> t;
  for (int round = 0; round < 21; ++round) {
    const auto start = std::chrono::steady_clock::now();
    run();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + 10, t.end());
  return t[10];
}

}  // namespace

int run_demo(const std::filesystem::path& file, const std::string& target) {
  io::CsvOptions csv;
  csv.target = target;
  const io::Table<double> table = io::read_csv<double>(file, csv);
  std::vector<std::string> labels = table.target_text;
  const Split split = stratified_split(labels, 0.25, 42);
  const std::vector<double> X_train = take_rows(table, split.train),
                            X_test = take_rows(table, split.test);
  std::vector<std::string> y_train, y_test;
  for (std::size_t i : split.train)
    y_train.push_back(labels[i]);
  for (std::size_t i : split.test)
    y_test.push_back(labels[i]);
  const std::size_t d = table.cols;
  const MatrixView<const double> train(X_train.data(), split.train.size(), d),
      test(X_test.data(), split.test.size(), d);

  LogisticRegressionOptions options;
  options.standardize = true;
  options.solver_options.max_iter = 1000;
  LogisticRegression<double> model(options);
  const auto start = std::chrono::steady_clock::now();
  model.fit(train, y_train);
  const double fit_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const FitReport& report = model.fit_report();

  const std::size_t K = model.classes().size();
  std::vector<std::int32_t> truth(y_test.size());
  for (std::size_t i = 0; i < truth.size(); ++i)
    truth[i] = model.classes().index_of(y_test[i]);
  const std::vector<std::int32_t> predicted = model.predict_index(test);
  std::vector<double> proba(test.rows * K);
  model.predict_proba(test, proba);

  std::printf("simdlr demo: logistic regression on %s (%zu rows, %zu features, target '%s')\n",
              file.string().c_str(), table.rows, d, target.c_str());
  std::printf("split       stratified 75/25, seed 42: %zu train, %zu test\n", train.rows,
              test.rows);
  std::printf("fit         standardized, C = 1, %s: %d iterations, objective %.10g, %s\n",
              report.solver.c_str(), report.iterations, report.objective_history.back(),
              report.converged ? "converged" : "NOT converged");
  std::printf("            %s; fit time %.3f ms on ISA %s\n",
              std::string(stop_reason_text(report.stop_reason)).c_str(), fit_seconds * 1e3,
              std::string(isa_name(active_isa())).c_str());
  std::printf("\ntest set    accuracy %.4f   log-loss %.4f", metrics::accuracy(truth, predicted),
              metrics::log_loss(truth, proba, K));
  if (K == 2) {
    std::vector<double> score(test.rows);
    for (std::size_t i = 0; i < score.size(); ++i)
      score[i] = proba[2 * i + 1];
    std::printf("   ROC AUC %.4f", metrics::roc_auc(truth, score));
  }
  std::printf("\nconfusion matrix (rows: true, columns: predicted)\n%10s", "");
  const auto& names = model.classes().text();
  for (const auto& c : names)
    std::printf(" %8.8s", c.c_str());
  std::printf("\n");
  const auto cm = metrics::confusion_matrix(truth, predicted, K);
  for (std::size_t t = 0; t < K; ++t) {
    std::printf("  %8.8s", names[t].c_str());
    for (std::size_t p = 0; p < K; ++p)
      std::printf(" %8zu", cm[t * K + p]);
    std::printf("\n");
  }

  if (model.rows() == 1) {
    // Rank on the standardized scale (coefficient × feature standard deviation), where sizes
    // are comparable; positive favours the second class.
    std::vector<double> sd(d, 0.0), mean(d, 0.0);
    for (std::size_t i = 0; i < train.rows; ++i)
      for (std::size_t j = 0; j < d; ++j)
        mean[j] += train(i, j) / double(train.rows);
    for (std::size_t i = 0; i < train.rows; ++i)
      for (std::size_t j = 0; j < d; ++j)
        sd[j] += (train(i, j) - mean[j]) * (train(i, j) - mean[j]) / double(train.rows);
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t j = 0; j < d; ++j)
      ranked.push_back({model.coef()[j] * std::sqrt(sd[j]), j});
    std::sort(ranked.begin(), ranked.end(),
              [](auto a, auto b) { return std::fabs(a.first) > std::fabs(b.first); });
    std::printf("\nlargest coefficients (standardized scale; positive favours '%s')\n",
                names[1].c_str());
    for (std::size_t k = 0; k < std::min<std::size_t>(5, d); ++k) {
      std::printf("  %-26s %+8.4f\n", table.feature_names[ranked[k].second].c_str(),
                  ranked[k].first);
    }
  }

  // One fused loss+gradient pass over the training data, SIMD against the scalar twin.
  std::vector<double> y01(train.rows), w(d, 0.01), grad(d);
  for (std::size_t i = 0; i < train.rows; ++i)
    y01[i] = model.classes().index_of(y_train[i]) == 1 ? 1.0 : 0.0;
  const LogisticPass<double> pass{
      .X = train, .y = y01.data(), .w = w.data(), .b = 0.1, .grad_w = grad.data()};
  const double simd = median_seconds([&] { kernels::logistic_loss_grad(pass, Threads{1}); });
  const double twin = median_seconds([&] { scalar::logistic_loss_grad(pass, Threads{1}); });
  std::printf(
      "\nkernels     one fused logistic loss+gradient pass over the %zu x %zu training data:\n",
      train.rows, d);
  std::printf("            %.1f us with %s vs %.1f us for the scalar twin: %.1fx faster\n",
              simd * 1e6, std::string(isa_name(active_isa())).c_str(), twin * 1e6, twin / simd);
  return 0;
}

}  // namespace simdlr::cli
