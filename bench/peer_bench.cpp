// peer_bench: the fits of the benchmark report (scripts/bench-report), on the problems listed in a
// manifest written by bench/peers/make_problems.py, side by side in one run:
//   simdlr-<isa>   LogisticRegression / LinearRegression under the best ISA and under the scalar
//                  twins (the same code with SIMDLR_ISA=scalar), float32 and float64, 1 and 2
//                  threads; solvers lbfgs and newton (logistic; and auto, the default, on the
//                  best ISA), cholesky (least squares);
//   liblinear      LIBLINEAR 2.3's primal trust-region Newton solver for L2 logistic regression
//                  (-s 0), linked in process, on the float64 data, with its bias term (bias = 1,
//                  a feature of constant value whose weight LIBLINEAR also penalises).
// and, per binary problem, one function+gradient evaluation of simdlr's objective next to a
// streaming read of X (eval/...), the number the 1.25x target is about.
// Problems of the "real" group (issue 15) get simdlr fits only: the library's default solver
// (whatever LogisticRegressionOptions{} chooses; the benchmark name carries its solver_name and
// the label the solver the FitReport names and why it stopped), best ISA, float32/float64, 1 and
// 2 threads, repeated as real_peers.py repeats its peers (up to --reps fits, none started after
// --real_rep_budget seconds; counter runs); their peers are bench/peers/real_peers.py's.
//
// Names: fit/<problem>/<system>/<solver>/<f32|f64>/t<threads> and
// eval/<problem>/<system>/<f32|f64>/t<threads>. Each fit is timed once per repetition
// (Iterations(1)); run with --benchmark_repetitions=R and use the median. Counters: objective (as
// the system itself reports it), iterations, passes (reads of X), converged, read_X_seconds (median
// streaming read of X with the same threads), and pass_over_read (seconds per pass /
// read_X_seconds). The fitted parameters (coef rows then intercepts) of the last repetition go to
// <coef_dir>/<problem>__<system>__<solver>__<dtype>__t<k>.npy, so the report evaluates every
// system's objective with one evaluator.
//
//   peer_bench --manifest=WORK/manifest.json --coef_dir=WORK/coef [--reps=3] [--liblinear_eps=1e-4]
//              [--simdlr_tol=1e-6] [--real_rep_budget=5] [Google Benchmark flags]
#include <linear.h>

#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fit_timing.hpp"
#include "read_bandwidth.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/io.hpp"
#include "simdlr/linear_regression.hpp"
#include "simdlr/logistic_regression.hpp"
#include "simdlr/objectives.hpp"

namespace {

using simdlr::bench::Clock;
using simdlr::bench::dtype_name;
using simdlr::bench::flag_value;
using simdlr::bench::seconds_since;

struct Settings {
  std::string manifest, coef_dir;
  int reps = 3;
  double liblinear_eps = 1e-4;
  double simdlr_tol = 1e-6;
  double real_rep_budget = 5;  // real group: no new fit once this many seconds went into fitting
};
Settings settings;

struct Problem {
  std::string name, task, group, X_f64, X_f32, y;
  std::size_t n = 0, d = 0, classes = 0;
  double C = 1, alpha = 0;
};

// --- data: the manifest's .npy files, memory-mapped once and kept while a problem is in use ---

template <class T>
struct Data {
  simdlr::io::NpyMatrix<T> X;
  std::vector<double> y;
  std::vector<T> y_t;  // y in T, for the objective benchmarks
};

// The loaded data of the problem in use; loading another problem releases the previous one.
template <class T>
const Data<T>& data_of(const Problem& p) {
  static std::string loaded;
  static std::unique_ptr<Data<T>> data;
  if (loaded != p.name) {
    data.reset();
    auto fresh = std::make_unique<Data<T>>();
    fresh->X = simdlr::io::NpyMatrix<T>::open(std::is_same_v<T, float> ? p.X_f32 : p.X_f64);
    fresh->y = simdlr::io::read_npy_vector(p.y);
    fresh->y_t.assign(fresh->y.begin(), fresh->y.end());
    // Touch every page now so no fit pays for the first page faults of the mapping.
    const auto X = fresh->X.view();
    const simdlr::bench::Region region{X.data, X.rows * X.cols * sizeof(T)};
    benchmark::DoNotOptimize(simdlr::bench::read_regions(&region, 1, 1));
    data = std::move(fresh);
    loaded = p.name;
  }
  return *data;
}

// Median of 11 streaming reads of X on `threads` threads.
template <class T>
double read_X_seconds(const Problem& p, int threads) {
  static std::map<std::string, double> cache;
  const std::string key = p.name + "/" + dtype_name<T>() + "/" + std::to_string(threads);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const auto X = data_of<T>(p).X.view();
  const simdlr::bench::Region region{X.data, X.rows * X.cols * sizeof(T)};
  std::vector<double> times;
  for (int rep = 0; rep < 11; ++rep) {
    const auto start = Clock::now();
    benchmark::DoNotOptimize(simdlr::bench::read_regions(&region, 1, threads));
    times.push_back(seconds_since(start));
  }
  std::nth_element(times.begin(), times.begin() + 5, times.end());
  return cache[key] = times[5];
}

// What every simdlr benchmark of a problem starts with, in this order: the problem's data, the
// time of one streaming read of X on `threads` threads, and `isa` made active for its lifetime.
template <class T>
struct SimdlrSetup {
  const Data<T>& data;
  double read;
  simdlr::ScopedIsa scoped;
  SimdlrSetup(const Problem& p, simdlr::Isa isa, int threads)
      : data(data_of<T>(p)), read(read_X_seconds<T>(p, threads)), scoped(isa) {}
};

std::string coef_path(const Problem& p, const std::string& system, const std::string& solver,
                      const char* dtype, int threads) {
  return settings.coef_dir + "/" + p.name + "__" + system + "__" + solver + "__" + dtype + "__t" +
         std::to_string(threads) + ".npy";
}

void write_params(const std::string& path, std::vector<double> params) {
  simdlr::io::write_npy<double>(path, params.data(), {params.size()});
}

void set_fit_counters(benchmark::State& state, const simdlr::FitReport& report, double read) {
  const int passes = report.function_evaluations + report.hessian_vector_products;
  state.counters["objective"] =
      report.objective_history.empty() ? NAN : report.objective_history.back();
  state.counters["iterations"] = report.iterations;
  state.counters["passes"] = passes;
  state.counters["converged"] = report.converged ? 1 : 0;
  state.counters["read_X_seconds"] = read;
}

// --- simdlr ------------------------------------------------------------------------------------

// Fits once per benchmark iteration; returns the seconds of the last fit.
template <class Model, class T>
double time_fits(benchmark::State& state, Model& model, const Data<T>& data) {
  double seconds = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    model.fit(data.X.view(), data.y);
    seconds = seconds_since(start);
    state.SetIterationTime(seconds);
  }
  return seconds;
}

// Coefficient rows, then intercepts, of a fitted simdlr model.
template <class T>
void write_simdlr_params(const Problem& p, simdlr::Isa isa, const std::string& solver, int threads,
                         std::vector<double> params, std::span<const double> intercept) {
  params.insert(params.end(), intercept.begin(), intercept.end());
  write_params(coef_path(p, "simdlr-" + std::string(simdlr::isa_name(isa)), solver, dtype_name<T>(),
                         threads),
               std::move(params));
}

template <class T>
void fit_simdlr_logistic(benchmark::State& state, Problem p, simdlr::Isa isa, simdlr::Solver solver,
                         int threads) {
  const SimdlrSetup<T> setup(p, isa, threads);
  simdlr::LogisticRegressionOptions o;
  o.C = p.C;
  o.solver = solver;
  o.solver_options.tol = settings.simdlr_tol;
  // As the scikit-learn peer: stop on the tolerance, not the limit.
  o.solver_options.max_iter = 10000;
  o.threads = simdlr::Threads{threads};
  simdlr::LogisticRegression<T> model(o);
  const double seconds = time_fits(state, model, setup.data);
  const simdlr::FitReport& report = model.fit_report();
  set_fit_counters(state, report, setup.read);
  const int passes = report.function_evaluations + report.hessian_vector_products;
  state.counters["pass_over_read"] = seconds / passes / setup.read;
  write_simdlr_params<T>(p, isa, std::string(simdlr::solver_name(solver)), threads, model.coef(),
                         model.intercept());
}

// FitReport fields that not every version of the library has: recorded when present (a bound
// of +inf, nothing proved, is left out).
template <class Report>
void set_optional_counters(benchmark::State& state, const Report& report) {
  if constexpr (requires { report.objective_gap_bound; })
    if (std::isfinite(double(report.objective_gap_bound)))
      state.counters["objective_gap_bound"] = double(report.objective_gap_bound);
  if constexpr (requires { report.relative_gap_bound; })
    if (std::isfinite(double(report.relative_gap_bound)))
      state.counters["relative_gap_bound"] = double(report.relative_gap_bound);
}

// "<solver that ran>, <why it stopped>", and what its gap bound rests on where there is one.
template <class Report>
std::string fit_label(const Report& report) {
  std::string label =
      report.solver + ", " + std::string(simdlr::stop_reason_text(report.stop_reason));
  if constexpr (requires { simdlr::certificate_name(report.certificate); })
    label += "; certificate: " + std::string(simdlr::certificate_name(report.certificate));
  return label;
}

template <class T>
void fit_simdlr_default(benchmark::State& state, Problem p, simdlr::Isa isa, int threads) {
  const SimdlrSetup<T> setup(p, isa, threads);
  simdlr::LogisticRegressionOptions o;  // the default solver, whichever it is
  o.C = p.C;
  o.solver_options.tol = settings.simdlr_tol;
  // The raw breast cancer data needs thousands of L-BFGS iterations: stop on the tolerance.
  o.solver_options.max_iter = 100000;
  o.threads = simdlr::Threads{threads};
  simdlr::LogisticRegression<T> model(o);
  // As real_peers.py does for the peers: up to --reps fits in one benchmark repetition, but no
  // new one once --real_rep_budget seconds went into fitting (these fits take seconds each).
  const std::vector<double> times = simdlr::bench::repeated(
      state, [&] { model.fit(setup.data.X.view(), setup.data.y); }, settings.reps,
      settings.real_rep_budget);
  const double seconds = times.empty() ? NAN : times[times.size() / 2];
  const simdlr::FitReport& report = model.fit_report();
  set_fit_counters(state, report, setup.read);
  set_optional_counters(state, report);
  const int passes = report.function_evaluations + report.hessian_vector_products;
  state.counters["pass_over_read"] = passes > 0 ? seconds / passes / setup.read : NAN;
  state.SetLabel(fit_label(report));
  write_simdlr_params<T>(p, isa, std::string(simdlr::solver_name(o.solver)), threads, model.coef(),
                         model.intercept());
}

template <class T>
void fit_simdlr_linear(benchmark::State& state, Problem p, simdlr::Isa isa, int threads) {
  const SimdlrSetup<T> setup(p, isa, threads);
  simdlr::LinearRegressionOptions o;
  o.alpha = p.alpha;
  o.threads = simdlr::Threads{threads};
  simdlr::LinearRegression<T> model(o);
  const double seconds = time_fits(state, model, setup.data);
  set_fit_counters(state, model.fit_report(), setup.read);
  state.counters["pass_over_read"] = seconds / setup.read;  // one Gram pass
  const double intercept = model.intercept();
  write_simdlr_params<T>(p, isa, "cholesky", threads, model.coef(), {&intercept, 1});
}

// One value_and_gradient of the objective the binary fit minimises, at a fixed nonzero point.
template <class T>
void eval_simdlr(benchmark::State& state, Problem p, simdlr::Isa isa, int threads) {
  const SimdlrSetup<T> setup(p, isa, threads);
  simdlr::LogisticObjective<T> objective(setup.data.X.view(), setup.data.y_t, {}, p.C,
                                         simdlr::Penalty::l2, true, simdlr::Threads{threads});
  std::vector<double> x(objective.dimension()), gradient(x.size());
  for (std::size_t j = 0; j < x.size(); ++j)
    x[j] = 0.01 * std::sin(double(j));
  std::vector<double> times;
  for (auto _ : state) {
    const auto start = Clock::now();
    benchmark::DoNotOptimize(objective.value_and_gradient(x, gradient));
    const double seconds = seconds_since(start);
    times.push_back(seconds);
    state.SetIterationTime(seconds);
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  state.counters["read_X_seconds"] = setup.read;
  state.counters["pass_over_read"] = times[times.size() / 2] / setup.read;
}

// --- LIBLINEAR ---------------------------------------------------------------------------------

// The problem in LIBLINEAR's sparse layout: every row lists all d features, the bias feature
// (index d + 1, value 1) and the terminator. Built once per problem, not timed.
struct LiblinearData {
  std::string name;
  std::vector<feature_node> nodes;
  std::vector<feature_node*> rows;
  std::vector<double> y;
  problem prob{};
};

const LiblinearData& liblinear_data(const Problem& p) {
  static LiblinearData data;
  if (data.name == p.name) return data;
  const Data<double>& source = data_of<double>(p);
  const auto X = source.X.view();
  data = LiblinearData{};
  data.name = p.name;
  data.nodes.resize(X.rows * (X.cols + 2));
  data.rows.resize(X.rows);
  for (std::size_t i = 0; i < X.rows; ++i) {
    feature_node* row = data.nodes.data() + i * (X.cols + 2);
    data.rows[i] = row;
    for (std::size_t j = 0; j < X.cols; ++j)
      row[j] = feature_node{int(j + 1), double(X(i, j))};
    row[X.cols] = feature_node{int(X.cols + 1), 1.0};
    row[X.cols + 1] = feature_node{-1, 0.0};
  }
  // LIBLINEAR labels are any numbers; give it -1/+1 as its own tools do.
  data.y.resize(X.rows);
  for (std::size_t i = 0; i < X.rows; ++i)
    data.y[i] = source.y[i] > 0.5 ? 1.0 : -1.0;
  data.prob.l = int(X.rows);
  data.prob.n = int(X.cols + 1);
  data.prob.y = data.y.data();
  data.prob.x = data.rows.data();
  data.prob.bias = 1.0;
  return data;
}

void quiet(const char*) {}

void fit_liblinear(benchmark::State& state, Problem p) {
  const LiblinearData& data = liblinear_data(p);
  const double read = read_X_seconds<double>(p, 1);
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = settings.liblinear_eps;
  param.C = p.C;
  set_print_string_function(quiet);
  if (const char* error = check_parameter(&data.prob, &param)) {
    state.SkipWithError(error);
    return;
  }
  model* fitted = nullptr;
  for (auto _ : state) {
    if (fitted != nullptr) free_and_destroy_model(&fitted);
    const auto start = Clock::now();
    fitted = train(&data.prob, &param);
    state.SetIterationTime(seconds_since(start));
  }
  if (fitted == nullptr) return;
  // w belongs to the first label LIBLINEAR saw; report it for class 1 (scikit-learn's sign).
  const double sign = fitted->label[0] == 1 ? 1.0 : -1.0;
  std::vector<double> params(p.d + 1);
  for (std::size_t j = 0; j <= p.d; ++j)
    params[j] = sign * fitted->w[j];
  free_and_destroy_model(&fitted);
  state.counters["read_X_seconds"] = read;
  write_params(coef_path(p, "liblinear", "trust-region", "f64", 1), std::move(params));
}

// --- registration ------------------------------------------------------------------------------

std::vector<Problem> read_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("peer_bench: cannot open the manifest " + path);
  const auto manifest = nlohmann::json::parse(in);
  std::vector<Problem> problems;
  for (const auto& e : manifest.at("problems")) {
    Problem p;
    p.name = e.at("name");
    p.task = e.at("task");
    p.group = e.at("group");
    p.X_f64 = e.at("X_f64");
    p.X_f32 = e.at("X_f32");
    p.y = e.at("y");
    p.n = e.at("n");
    p.d = e.at("d");
    p.classes = e.at("classes");
    p.C = e.value("C", 1.0);
    p.alpha = e.value("alpha", 0.0);
    problems.push_back(p);
  }
  return problems;
}

template <class Fn, class... Args>
void add_repeated(int repetitions, const std::string& name, Fn fn, Args... args) {
  benchmark::RegisterBenchmark(name.c_str(), fn, args...)
      ->Iterations(1)
      ->Repetitions(repetitions)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

template <class Fn, class... Args>
void add(const std::string& name, Fn fn, Args... args) {
  add_repeated(settings.reps, name, fn, args...);
}

template <class T>
void register_real(const Problem& p, const char* dtype) {
  const simdlr::Isa best = simdlr::best_isa();
  const std::string solver(simdlr::solver_name(simdlr::LogisticRegressionOptions{}.solver));
  for (int threads : {1, 2})  // one repetition: fit_simdlr_default repeats the fit itself
    add_repeated(1,
                 "fit/" + p.name + "/simdlr-" + std::string(simdlr::isa_name(best)) + "/" + solver +
                     "/" + dtype + "/t" + std::to_string(threads),
                 fit_simdlr_default<T>, p, best, threads);
}

template <class T>
void register_problem(const Problem& p, const char* dtype) {
  if (p.group == "real") return register_real<T>(p, dtype);
  const simdlr::Isa best = simdlr::best_isa();
  const bool large = p.group == "large";  // the best ISA's default solver only
  std::vector<simdlr::Isa> isas{best};
  if (best != simdlr::Isa::scalar && !large) isas.push_back(simdlr::Isa::scalar);
  for (simdlr::Isa isa : isas) {
    const std::string system = "simdlr-" + std::string(simdlr::isa_name(isa));
    // The scalar twins: one thread (they are the single-core baseline).
    for (int threads : isa == simdlr::Isa::scalar ? std::vector{1} : std::vector{1, 2}) {
      const std::string suffix = std::string("/") + dtype + "/t" + std::to_string(threads);
      if (p.task == "linear") {
        add("fit/" + p.name + "/" + system + "/cholesky" + suffix, fit_simdlr_linear<T>, p, isa,
            threads);
        continue;
      }
      // lbfgs and newton by name; the default solver (auto) on the best ISA, the one a user who
      // sets nothing gets (on the large problem auto is lbfgs: n·m² is far above its limit).
      for (simdlr::Solver solver :
           {simdlr::Solver::lbfgs, simdlr::Solver::newton, simdlr::Solver::automatic}) {
        if (large && solver != simdlr::Solver::lbfgs) continue;
        if (solver == simdlr::Solver::automatic && isa != best) continue;
        add("fit/" + p.name + "/" + system + "/" + std::string(simdlr::solver_name(solver)) +
                suffix,
            fit_simdlr_logistic<T>, p, isa, solver, threads);
      }
      if (p.task == "binary" && p.n >= 10000)
        add("eval/" + p.name + "/" + system + suffix, eval_simdlr<T>, p, isa, threads);
    }
  }
}

void register_all(const std::vector<Problem>& problems) {
  for (const Problem& p : problems) {
    // Grouped by problem (and within it by type) so each data set is mapped once.
    register_problem<double>(p, "f64");
    if (p.task == "binary" && p.group != "large" && p.group != "real")
      add("fit/" + p.name + "/liblinear/trust-region/f64/t1", fit_liblinear, p);
    register_problem<float>(p, "f32");
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
    else if (const char* v = value("reps"))
      settings.reps = std::stoi(v);
    else if (const char* v = value("liblinear_eps"))
      settings.liblinear_eps = std::stod(v);
    else if (const char* v = value("simdlr_tol"))
      settings.simdlr_tol = std::stod(v);
    else if (const char* v = value("real_rep_budget"))
      settings.real_rep_budget = std::stod(v);
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  if (settings.manifest.empty() || settings.coef_dir.empty())
    throw std::runtime_error("peer_bench: --manifest=FILE and --coef_dir=DIR are required");
  std::filesystem::create_directories(settings.coef_dir);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    parse_flags(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::AddCustomContext("simdlr_isa", std::string(simdlr::isa_name(simdlr::best_isa())));
    benchmark::AddCustomContext("simdlr_tol", std::to_string(settings.simdlr_tol));
    benchmark::AddCustomContext("liblinear_eps", std::to_string(settings.liblinear_eps));
    benchmark::AddCustomContext("liblinear_version", std::to_string(liblinear_version));
    register_all(read_manifest(settings.manifest));
    // LIBLINEAR links the system BLAS (OpenBLAS here), whose workers start when the library
    // loads and spin before they first sleep; the first 2-thread fits must not share a core
    // with one (as in kernel_bench's main).
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
