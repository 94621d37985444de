// simdlr-mpi: `mpirun -np K simdlr-mpi fit --x X.npy --y y.npy [options of simdlr fit]`.
// Each rank memory-maps the same .npy file and reads only its own rows (a split on chunk
// boundaries, simdlr::distributed::row_range), or, when the paths contain {rank}, reads its own
// shard files (part-{rank}.npy: the shards in rank order are the rows, each shard on chunk
// boundaries). Rank 0 writes the model and prints the report, with the keys of `simdlr fit`.
// An error on any rank stops every rank: the message of the lowest failing rank is printed once,
// on one line, by rank 0, and every rank exits with status 2.
#include <mpi.h>
#include <omp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <climits>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "commands.hpp"
#include "fit_options.hpp"
#include "fit_output.hpp"
#include "progress.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/distributed.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/io.hpp"
#include "simdlr/model_file.hpp"

namespace {

using namespace simdlr;

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

// Every rank calls it with its own outcome; returns the message of the lowest failing rank (the
// same on every rank), or nothing when all succeeded.
std::optional<std::string> first_error(const std::optional<std::string>& mine) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int me = mine ? rank : INT_MAX, first = INT_MAX;
  MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == INT_MAX) return std::nullopt;
  std::string message = mine.value_or("");
  int length = int(message.size());
  MPI_Bcast(&length, 1, MPI_INT, first, MPI_COMM_WORLD);
  message.resize(std::size_t(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, first, MPI_COMM_WORLD);
  return message;
}

// Runs `step` on every rank; on an error anywhere, every rank gets the first message. The
// library's errors (simdlr::Error) are thrown on every rank alike, or, while reading the files,
// before any collective step; anything else (out of memory, say) may strike one rank in the
// middle of a collective step, where the others would wait for it forever: that rank prints its
// message and aborts the job (status 2).
template <class Step>
std::optional<std::string> collectively(const Step& step) {
  std::optional<std::string> mine;
  try {
    step();
  } catch (const Error& e) {
    mine = e.what();
  } catch (const std::exception& e) {
    std::cerr << "simdlr-mpi: error: " << one_line(e.what()) << std::endl;
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  return first_error(mine);
}

// `pattern` with every "{rank}" replaced by the rank.
std::string for_rank(std::string pattern, int rank) {
  const std::string key = "{rank}";
  for (std::size_t at = pattern.find(key); at != std::string::npos; at = pattern.find(key, at))
    pattern.replace(at, key.size(), std::to_string(rank));
  return pattern;
}

bool has_rank(const std::filesystem::path& p) {
  return p.string().find("{rank}") != std::string::npos;
}

// This rank's rows: X (memory-mapped) and y.
template <class T>
struct Block {
  io::NpyMatrix<T> file;
  MatrixView<const T> X;
  std::vector<double> y;
  std::size_t cols = 0;
};

template <class T>
void load_block(const cli::FitSettings& s, int rank, int ranks, Block<T>& b) {
  const std::filesystem::path x = for_rank(s.data.x_npy.string(), rank);
  const std::filesystem::path y = for_rank(s.data.y_npy.string(), rank);
  b.file = io::NpyMatrix<T>::open(x);
  std::vector<double> labels = io::read_npy_vector(y);
  const MatrixView<const T> all = b.file.view();
  if (labels.size() != all.rows) {
    throw ShapeError(y.string() + ": y has " + std::to_string(labels.size()) + " values but " +
                     x.string() + " has " + std::to_string(all.rows) + " rows");
  }
  b.cols = all.cols;
  if (has_rank(s.data.x_npy)) {
    b.X = all;
    b.y = std::move(labels);
    return;
  }
  // One shared file: this rank's rows on chunk boundaries.
  std::size_t classes = 2;
  if (s.task == "logistic" && s.multi_class != "ovr") {
    classes = std::set<double>(labels.begin(), labels.end()).size();
  }
  const distributed::RowRange r =
      distributed::row_range(all.rows, all.cols, std::size_t(ranks), std::size_t(rank), classes);
  b.X = MatrixView<const T>(all.data + r.begin * all.stride, r.end - r.begin, all.cols, all.stride);
  b.y.assign(labels.begin() + std::ptrdiff_t(r.begin), labels.begin() + std::ptrdiff_t(r.end));
}

template <class T>
std::optional<std::string> run(const cli::FitSettings& s, int rank, int ranks,
                               cli::FitOutcome& out) {
  Block<T> block;
  if (auto e = collectively([&] { load_block(s, rank, ranks, block); })) return e;
  std::vector<std::string> names;
  for (std::size_t j = 0; j < block.cols; ++j)
    names.push_back("x" + std::to_string(j));
  using clock = std::chrono::steady_clock;
  // Rank 0 alone logs the iterations (--verbose, or a progress line on a terminal); the solver
  // state, and so the log, is the same on every rank.
  cli::IterationPrinter printer(s.verbose);
  const auto iteration_log = rank == 0 ? printer.callback() : nullptr;
  // The fit's own errors are thrown on every rank alike (distributed.hpp).
  auto result = collectively([&] {
    if (s.task == "logistic") {
      LogisticRegressionOptions o = cli::logistic_options(s);
      o.solver_options.on_iteration = iteration_log;
      LogisticRegression<T> model(o);
      const auto start = clock::now();
      distributed::fit(model, MPI_COMM_WORLD, block.X, block.y);
      out.seconds = std::chrono::duration<double>(clock::now() - start).count();
      out.saved = saved_model(model, names);
    } else if (s.task == "linear") {
      LinearRegressionOptions o = cli::linear_options(s);
      o.solver_options.on_iteration = iteration_log;
      LinearRegression<T> model(o);
      const auto start = clock::now();
      distributed::fit(model, MPI_COMM_WORLD, block.X, block.y);
      out.seconds = std::chrono::duration<double>(clock::now() - start).count();
      out.saved = saved_model(model, names);
    } else {
      throw InvalidArgument("--task must be logistic or linear, got '" + s.task + "'");
    }
    out.saved.target = "";
  });
  printer.finish();
  return result;
}

int finish(int status) {
  MPI_Finalize();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const auto fail = [&](const std::string& message) {
    if (rank == 0) std::cerr << "simdlr-mpi: error: " << one_line(message) << std::endl;
    return finish(2);
  };

  CLI::App app{"simdlr-mpi: data-parallel fits over MPI (mpirun -np K simdlr-mpi fit ...)"};
  app.require_subcommand(1);
  cli::FitSettings fit;
  auto* fit_cmd = app.add_subcommand("fit", "fit a model on the rows of every rank");
  fit_cmd
      ->add_option("--x", fit.data.x_npy,
                   "features as a 2-d .npy file, shared (each rank maps its rows) or per rank "
                   "('part-{rank}.npy')")
      ->required();
  fit_cmd->add_option("--y", fit.data.y_npy, "targets as a 1-d .npy file (or per rank)")
      ->required();
  cli::add_fit_options(*fit_cmd, fit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    const int status = rank == 0 ? app.exit(e) : 0;
    return finish(status);
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()) + " (see simdlr-mpi --help)");
  }

  std::string precision = fit.precision;
  if (auto e = collectively([&] {
        if (has_rank(fit.data.x_npy) != has_rank(fit.data.y_npy))
          throw InvalidArgument("--x and --y must both name per-rank files ({rank}) or neither");
        if (precision.empty()) {
          // The precision of rank 0's file (every rank checks its own below, as it opens it).
          precision = cli::npy_precision(for_rank(fit.data.x_npy.string(), 0));
        }
        (void)active_isa();
      })) {
    return fail(*e);
  }
  cli::FitOutcome out;
  const std::optional<std::string> error = precision == "float32"
                                               ? run<float>(fit, rank, ranks, out)
                                               : run<double>(fit, rank, ranks, out);
  if (error) return fail(*error);
  if (rank == 0) {
    try {
      if (!fit.model_out.empty()) save_model(fit.model_out, out.saved);
      if (fit.json) {
        cli::print_json(out, fit);
      } else {
        cli::print_text(out, fit);
      }
    } catch (const std::exception& e) {
      std::cerr << "simdlr-mpi: error: " << one_line(e.what()) << std::endl;
      return finish(2);
    }
  }
  return finish(0);
}
