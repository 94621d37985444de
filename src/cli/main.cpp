// The simdlr command line (CLI11): demo, fit, cv, predict, eval, info. Every error becomes one line
// on stderr and exit status 2.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "cv_options.hpp"
#include "fit_options.hpp"
#include "simdlr/errors.hpp"

#ifndef SIMDLR_DATA_DIR
#define SIMDLR_DATA_DIR "data"
#endif

namespace {

using simdlr::cli::DataPaths;

// --data/--target or --x/--y.
void add_data_options(CLI::App& cmd, DataPaths& data, bool target_required) {
  auto* csv = cmd.add_option("--data", data.csv, "CSV file with a header row");
  auto* target = cmd.add_option("--target", data.target, "name of the target column of --data");
  auto* x = cmd.add_option("--x", data.x_npy, "features as a 2-d .npy file");
  auto* y = cmd.add_option("--y", data.y_npy, "targets as a 1-d .npy file");
  csv->excludes(x);
  y->needs(x);
  target->needs(csv);
  (void)target_required;
}

// A command on a saved model: --model FILE (required) and the data options.
CLI::App* add_model_command(CLI::App& app, const char* name, const char* description,
                            std::filesystem::path& model, DataPaths& data, bool target_required) {
  auto* cmd = app.add_subcommand(name, description);
  cmd->add_option("--model", model, "model JSON file")->required();
  add_data_options(*cmd, data, target_required);
  return cmd;
}

void require_data(const DataPaths& data, const char* command, bool needs_target) {
  if (data.csv.empty() && data.x_npy.empty()) {
    throw simdlr::InvalidArgument(std::string(command) + " needs --data FILE.csv or --x FILE.npy");
  }
  if (needs_target && !data.csv.empty() && data.target.empty()) {
    throw simdlr::InvalidArgument(std::string(command) + " needs --target COL with --data");
  }
  if (needs_target && !data.x_npy.empty() && data.y_npy.empty()) {
    throw simdlr::InvalidArgument(std::string(command) + " needs --y FILE.npy with --x");
  }
}

// The first line of a possibly multi-line message.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"simdlr: fast, trustworthy linear and logistic regression"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");

  std::filesystem::path demo_data = std::filesystem::path(SIMDLR_DATA_DIR) / "breast_cancer.csv";
  std::string demo_target = "diagnosis";
  auto* demo = app.add_subcommand("demo", "the main job on the bundled breast cancer data");
  demo->add_option("--data", demo_data, "CSV file (default: the bundled breast cancer data)");
  demo->add_option("--target", demo_target, "target column (default: diagnosis)");

  simdlr::cli::FitSettings fit;
  auto* fit_cmd = app.add_subcommand("fit", "fit a model");
  add_data_options(*fit_cmd, fit.data, true);
  simdlr::cli::add_fit_options(*fit_cmd, fit);

  simdlr::cli::CvSettings cv;
  auto* cv_cmd = app.add_subcommand(
      "cv", "choose C (alpha) and l1_ratio by k-fold cross-validation, then refit on all rows");
  add_data_options(*cv_cmd, cv.fit.data, true);
  simdlr::cli::add_cv_options(*cv_cmd, cv);

  simdlr::cli::PredictSettings predict;
  auto* predict_cmd = add_model_command(app, "predict", "predict with a saved model", predict.model,
                                        predict.data, false);
  predict_cmd->add_flag("--proba", predict.proba, "class probabilities instead of labels");
  predict_cmd->add_option("--output", predict.output, "CSV file to write (default: stdout)");

  simdlr::cli::EvalSettings eval;
  auto* eval_cmd = add_model_command(app, "eval", "evaluate a saved model on labelled data",
                                     eval.model, eval.data, true);
  eval_cmd->add_flag("--json", eval.json, "print one JSON object");

  bool kernel_timing = false;
  auto* info = app.add_subcommand("info", "version, detected ISA, ISAs available, threads");
  info->add_flag("--kernels", kernel_timing, "also time the core kernels, scalar twin vs each ISA");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "simdlr: error: " << one_line(e.what()) << " (see simdlr --help)\n";
    return 2;
  }

  try {
    if (*demo) return simdlr::cli::run_demo(demo_data, demo_target);
    if (*fit_cmd) {
      require_data(fit.data, "fit", true);
      return simdlr::cli::run_fit(fit);
    }
    if (*cv_cmd) {
      require_data(cv.fit.data, "cv", true);
      simdlr::cli::note_cv_options_given(*cv_cmd, cv);
      return simdlr::cli::run_cv(cv);
    }
    if (*predict_cmd) {
      require_data(predict.data, "predict", false);
      return simdlr::cli::run_predict(predict);
    }
    if (*eval_cmd) {
      require_data(eval.data, "eval", false);
      return simdlr::cli::run_eval(eval);
    }
    if (*info) return simdlr::cli::run_info(kernel_timing);
  } catch (const std::exception& e) {
    std::cerr << "simdlr: error: " << one_line(e.what()) << "\n";
    return 2;
  }
  return 2;
}
