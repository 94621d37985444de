// sparse_bench: l1 logistic regression and its cross-validation (issue 18), simdlr's side of the
// report's "Sparse models" section, on the problems of bench/peers/sparse_problems.py's manifest
// (WORK/sparse_manifest.json; C, the data types and the cross-validation grid come from there):
//   fit/<problem>/simdlr-<isa>/auto/<f32|f64>/t<threads>
//       LogisticRegression<T> with penalty l1 at the manifest's C, the default solver (auto, which
//       runs prox-newton for l1), tol --tol (1e-6: converged means a certified relative gap of at
//       most 1e-8), max_iter 10,000, 1 and 2 threads.
//   cv/<problem>/simdlr-<isa>/auto/f64/t<threads>
//       cross_validate over the manifest's 20 values of C (l1_min_c to 1000 l1_min_c), 5
//       stratified folds without shuffling, scoring log loss, with the refit on all rows at the
//       best C: the same options as the fit rows.
// Each benchmark repeats its fit (or its whole cross-validation) as real_peers.py repeats its
// peers: up to --reps times, but no new repetition once --rep_budget seconds went into fitting;
// the time is the median (counter runs). Counters: objective (FitReport's, the l1 objective),
// iterations, converged, relative_gap_bound (the certified bound), nonzero (coefficients),
// hessians, checks (certificate evaluations), other_load (cores other processes kept busy, on
// average); the label names the solver that ran, why it stopped and the certificate. cv/ adds best
// (index of the best C), best_C, all_converged, fits, refit_nonzero, l1_min_c (simdlr::l1_min_c on
// all rows, for comparison with the manifest's value) and max_path_gap_bound.
//
// Written for the report's one float64 evaluator (bench/report/sparse_section.py):
//   <coef_dir>/<problem>__simdlr-<isa>__auto__<dtype>__t<k>.npy          fit: coef, then intercept
//   <coef_dir>/<problem>__simdlr-<isa>__cv-refit__<dtype>__t<k>.npy      the refit's parameters
//   <coef_dir>/<problem>__simdlr-<isa>__cv-path__<dtype>__t1.npy         the fold paths: row
//       f * |Cs| + c holds fold f's fit at Cs[c] (coef, then intercept); recomputed after the
//       timed runs, untimed, with logistic_path on each fold's training rows (the test rows'
//       weights 0, as cross_validate fits them) and the same options; 1 thread only (the fits do
//       not depend on the thread count)
//   <cv_dir>/<problem>__simdlr-<isa>__<dtype>__t<k>.json   CvResult: scores, folds, best
//
//   sparse_bench --manifest=WORK/sparse_manifest.json --coef_dir=WORK/coef
//                --cv_dir=WORK/results/sparse_cv [--reps=3] [--rep_budget=5] [--tol=1e-6]
//                [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fit_timing.hpp"
#include "read_bandwidth.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/io.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/model_selection.hpp"

namespace {

using simdlr::bench::dtype_name;
using simdlr::bench::flag_value;

struct Settings {
  std::string manifest, coef_dir, cv_dir;
  int reps = 3;
  double rep_budget = 5;  // no new repetition once this many seconds went into fitting
  double tol = 1e-6;
};
Settings settings;

constexpr int kMaxIter = 10000;

struct Problem {
  std::string name, X_f64, X_f32, y;
  std::size_t n = 0, d = 0;
  double C = 1, l1_min_c = 0;
  std::vector<std::string> dtypes;
  std::vector<double> Cs;  // the cross-validation grid; empty: no cv/ benchmark
  std::size_t folds = 5;
};

// --- data: the manifest's .npy files, memory-mapped once while a problem is in use -------------

template <class T>
struct Data {
  simdlr::io::NpyMatrix<T> X;
  std::vector<double> y;
};

template <class T>
const Data<T>& data_of(const Problem& p) {
  static std::string loaded;
  static std::unique_ptr<Data<T>> data;
  if (loaded != p.name) {
    data.reset();
    auto fresh = std::make_unique<Data<T>>();
    fresh->X = simdlr::io::NpyMatrix<T>::open(std::is_same_v<T, float> ? p.X_f32 : p.X_f64);
    fresh->y = simdlr::io::read_npy_vector(p.y);
    // Touch every page now so no fit pays for the first page faults of the mapping.
    const auto X = fresh->X.view();
    const simdlr::bench::Region region{X.data, X.rows * X.cols * sizeof(T)};
    benchmark::DoNotOptimize(simdlr::bench::read_regions(&region, 1, 1));
    data = std::move(fresh);
    loaded = p.name;
  }
  return *data;
}

std::string isa_system() {
  return "simdlr-" + std::string(simdlr::isa_name(simdlr::best_isa()));
}

std::string coef_path(const Problem& p, const std::string& what, const char* dtype, int threads) {
  return settings.coef_dir + "/" + p.name + "__" + isa_system() + "__" + what + "__" + dtype +
         "__t" + std::to_string(threads) + ".npy";
}

// Coefficients then intercepts, as every system's parameters are written.
void write_params(const std::string& path, std::vector<double> coef,
                  std::span<const double> intercept) {
  coef.insert(coef.end(), intercept.begin(), intercept.end());
  simdlr::io::write_npy<double>(path, coef.data(), {coef.size()});
}

std::size_t count_nonzero(const std::vector<double>& coef) {
  return std::size_t(std::count_if(coef.begin(), coef.end(), [](double v) { return v != 0; }));
}

simdlr::LogisticRegressionOptions l1_options(const Problem& p, int threads) {
  simdlr::LogisticRegressionOptions o;
  o.penalty = simdlr::Penalty::l1;
  o.C = p.C;
  o.solver_options.tol = settings.tol;
  o.solver_options.max_iter = kMaxIter;
  o.threads = simdlr::Threads{threads};
  return o;  // solver auto: prox-newton for l1
}

// fit_timing.hpp's repeated with --reps and --rep_budget.
void repeated(benchmark::State& state, const std::function<void()>& once) {
  simdlr::bench::repeated(state, once, settings.reps, settings.rep_budget);
}

void set_report_counters(benchmark::State& state, const simdlr::FitReport& report) {
  state.counters["objective"] =
      report.objective_history.empty() ? NAN : report.objective_history.back();
  state.counters["iterations"] = report.iterations;
  state.counters["converged"] = report.converged ? 1 : 0;
  state.counters["hessians"] = report.hessians;
  state.counters["checks"] = report.certificate_checks;
  if (std::isfinite(report.relative_gap_bound))
    state.counters["relative_gap_bound"] = report.relative_gap_bound;
}

std::string fit_label(const simdlr::FitReport& report) {
  return report.solver + ", " + std::string(simdlr::stop_reason_text(report.stop_reason)) +
         "; certificate: " + std::string(simdlr::certificate_name(report.certificate));
}

// --- the fit rows ------------------------------------------------------------------------------

template <class T>
void fit_l1(benchmark::State& state, Problem p, int threads) {
  const Data<T>& data = data_of<T>(p);
  simdlr::LogisticRegression<T> model(l1_options(p, threads));
  repeated(state, [&] { model.fit(data.X.view(), data.y); });
  const simdlr::FitReport& report = model.fit_report();
  set_report_counters(state, report);
  state.counters["nonzero"] = double(count_nonzero(model.coef()));
  state.SetLabel(fit_label(report));
  write_params(coef_path(p, "auto", dtype_name<T>(), threads), model.coef(), model.intercept());
}

// --- the cross-validation rows -----------------------------------------------------------------

nlohmann::json cv_json(const simdlr::CvResult& r) {
  nlohmann::json j;
  j["strengths"] = r.strengths;
  j["mean_score"] = r.mean_score;
  j["std_score"] = r.std_score;
  j["fold_scores"] = r.fold_scores;
  j["nonzero"] = r.nonzero;
  j["best"] = r.best;
  j["best_strength"] = r.best_strength;
  j["fold"] = r.fold;
  j["all_converged"] = r.all_converged;
  return j;
}

// The fold paths cross_validate fits, recomputed (untimed) with logistic_path: row f·|Cs| + c of
// the result is fold f's fit at Cs[c]. Sets max_path_gap_bound and path_converged.
template <class T>
std::vector<double> fold_paths(benchmark::State& state, const Problem& p, const Data<T>& data,
                               const simdlr::LogisticRegressionOptions& o,
                               const std::vector<std::int32_t>& fold) {
  const std::size_t width = p.d + 1;
  std::vector<double> rows;
  rows.reserve(p.folds * p.Cs.size() * width);
  double worst = 0;
  bool converged = true;
  for (std::size_t f = 0; f < p.folds; ++f) {
    std::vector<T> weight(data.y.size());
    for (std::size_t i = 0; i < weight.size(); ++i)
      weight[i] = fold[i] == std::int32_t(f) ? T(0) : T(1);
    const auto path = simdlr::logistic_path<T>(data.X.view(), data.y, weight, o, p.Cs);
    for (const simdlr::PathPoint& point : path) {
      rows.insert(rows.end(), point.coef.begin(), point.coef.end());
      rows.insert(rows.end(), point.intercept.begin(), point.intercept.end());
      converged = converged && point.converged();
      for (const simdlr::FitReport& r : point.reports)
        worst = std::max(worst, r.relative_gap_bound);
    }
  }
  state.counters["max_path_gap_bound"] = worst;
  state.counters["path_converged"] = converged ? 1 : 0;
  return rows;
}

template <class T>
void cv_l1(benchmark::State& state, Problem p, int threads) {
  const Data<T>& data = data_of<T>(p);
  const simdlr::LogisticRegressionOptions o = l1_options(p, threads);
  simdlr::CvOptions cv;
  cv.folds = p.folds;
  cv.scoring = simdlr::Scoring::log_loss;
  simdlr::LogisticRegression<T> model(o);
  simdlr::CvResult result;
  repeated(state, [&] {
    result = simdlr::cross_validate<T>(model, data.X.view(), data.y, {}, p.Cs, {}, cv);
  });
  const simdlr::FitReport& report = model.fit_report();  // the refit's
  set_report_counters(state, report);
  state.counters["best"] = double(result.best);
  state.counters["best_C"] = result.best_strength;
  state.counters["all_converged"] = result.all_converged ? 1 : 0;
  state.counters["fits"] = double(p.folds * p.Cs.size() + 1);
  state.counters["refit_nonzero"] = double(count_nonzero(model.coef()));
  state.counters["l1_min_c"] = simdlr::l1_min_c<T>(data.X.view(), data.y, {}, o);
  state.SetLabel(fit_label(report));
  write_params(coef_path(p, "cv-refit", dtype_name<T>(), threads), model.coef(), model.intercept());
  std::filesystem::create_directories(settings.cv_dir);
  const std::string json_path = settings.cv_dir + "/" + p.name + "__" + isa_system() + "__" +
                                dtype_name<T>() + "__t" + std::to_string(threads) + ".json";
  std::ofstream(json_path) << cv_json(result).dump(1);
  if (threads == 1) {
    const std::vector<double> rows = fold_paths<T>(state, p, data, o, result.fold);
    simdlr::io::write_npy<double>(coef_path(p, "cv-path", dtype_name<T>(), 1), rows.data(),
                                  {p.folds * p.Cs.size(), p.d + 1});
  }
}

// --- registration ------------------------------------------------------------------------------

std::vector<Problem> read_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("sparse_bench: cannot open the manifest " + path);
  const auto manifest = nlohmann::json::parse(in);
  std::vector<Problem> problems;
  for (const auto& e : manifest.at("problems")) {
    Problem p;
    p.name = e.at("name");
    p.X_f64 = e.at("X_f64");
    if (!e.at("X_f32").is_null()) p.X_f32 = e.at("X_f32");
    p.y = e.at("y");
    p.n = e.at("n");
    p.d = e.at("d");
    p.C = e.at("C");
    p.l1_min_c = e.at("l1_min_c");
    p.dtypes = e.at("dtypes").get<std::vector<std::string>>();
    if (e.contains("cv")) {
      p.Cs = e.at("cv").at("Cs").get<std::vector<double>>();
      p.folds = e.at("cv").at("folds");
    }
    problems.push_back(p);
  }
  return problems;
}

template <class Fn>
void add(const std::string& name, Fn fn, const Problem& p, int threads) {
  benchmark::RegisterBenchmark(name.c_str(), fn, p, threads)
      ->Iterations(1)
      ->Repetitions(1)  // repeated() repeats the fit itself
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

template <class T>
void register_problem(const Problem& p) {
  const std::string dtype = dtype_name<T>();
  if (std::find(p.dtypes.begin(), p.dtypes.end(), dtype) == p.dtypes.end()) return;
  const std::string system = "/" + isa_system() + "/auto/" + dtype + "/t";
  for (int threads : {1, 2})
    add("fit/" + p.name + system + std::to_string(threads), fit_l1<T>, p, threads);
  if (!p.Cs.empty() && std::is_same_v<T, double>)  // float64 only, as the peers' rows
    for (int threads : {1, 2})
      add("cv/" + p.name + system + std::to_string(threads), cv_l1<T>, p, threads);
}

void register_all(const std::vector<Problem>& problems) {
  for (const Problem& p : problems) {  // grouped by problem and type: each file mapped once
    register_problem<double>(p);
    register_problem<float>(p);
  }
}

// Takes --name=value flags of ours out of argv before Google Benchmark sees them.
void parse_flags(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const auto value = [&](const char* flag) { return flag_value(argv[i], flag); };
    if (const char* v = value("manifest"))
      settings.manifest = v;
    else if (const char* v = value("coef_dir"))
      settings.coef_dir = v;
    else if (const char* v = value("cv_dir"))
      settings.cv_dir = v;
    else if (const char* v = value("reps"))
      settings.reps = std::stoi(v);
    else if (const char* v = value("rep_budget"))
      settings.rep_budget = std::stod(v);
    else if (const char* v = value("tol"))
      settings.tol = std::stod(v);
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  if (settings.manifest.empty() || settings.coef_dir.empty() || settings.cv_dir.empty())
    throw std::runtime_error(
        "sparse_bench: --manifest=FILE, --coef_dir=DIR and --cv_dir=DIR are required");
  std::filesystem::create_directories(settings.coef_dir);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    parse_flags(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::AddCustomContext("simdlr_isa", std::string(simdlr::isa_name(simdlr::best_isa())));
    benchmark::AddCustomContext("simdlr_tol", std::to_string(settings.tol));
    benchmark::AddCustomContext("simdlr_max_iter", std::to_string(kMaxIter));
    register_all(read_manifest(settings.manifest));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
