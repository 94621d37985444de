// mpi_bench: what distributing a fit over MPI ranks costs (run under mpirun; rank 0 reports,
// the other ranks run the same benchmarks silently, so the collectives match).
//
//   BM_Pass/<n>/<d>  one logistic_loss_grad pass over a global n x d float64 matrix split by
//                    distributed::row_range, the partition active: seconds per pass, and
//                    counters wait_s (seconds per pass waiting at a barrier for the slowest
//                    rank), comm_s (seconds per pass in share_chunks after it: the all-gather
//                    of the chunk partials), shared_bytes (the partials every rank ends with
//                    per pass), ranks, threads.
//   BM_Fit/<n>/<d>   distributed::fit of LogisticRegression<double> (default options, tol 1e-6)
//                    on the same data: seconds per fit, counters passes and iterations.
//
// The data are a function of the global row index alone (correlated, unevenly scaled columns and
// labels drawn from a logistic model), so every split sees the same matrix. Compare, on one
// machine, 1 rank x 2 threads with 2 ranks x 1 thread (bench/README.md, "Many machines"):
//   mpirun -np 1 --bind-to none -x OMP_NUM_THREADS=2 build/bench/bench/mpi_bench
//   mpirun -np 2 --bind-to none -x OMP_NUM_THREADS=1 build/bench/bench/mpi_bench
#include <benchmark/benchmark.h>
#include <mpi.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "simdlr/distributed.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/logistic_regression.hpp"

namespace {

using simdlr::RowPartition;

// Forwards to the MPI partition and times its collectives.
class TimedPartition final : public RowPartition {
 public:
  explicit TimedPartition(const simdlr::distributed::MpiRowPartition& inner) : inner_(inner) {}
  std::size_t parts() const override { return inner_.parts(); }
  std::size_t part() const override { return inner_.part(); }
  std::size_t row_offset(std::size_t p) const override { return inner_.row_offset(p); }
  void share_chunks(void* buffer, std::size_t chunk_bytes,
                    std::span<const std::size_t> first_chunk) const override {
    // A barrier first, so that waiting for the slowest rank and the all-gather itself are
    // timed apart.
    const double start = MPI_Wtime();
    MPI_Barrier(inner_.comm());
    const double ready = MPI_Wtime();
    inner_.share_chunks(buffer, chunk_bytes, first_chunk);
    wait_seconds += ready - start;
    share_seconds += MPI_Wtime() - ready;
    shared_bytes += first_chunk.back() * chunk_bytes;
  }
  std::vector<std::byte> gather(std::span<const std::byte> local) const override {
    return inner_.gather(local);
  }
  void in_order(std::span<std::byte> state,
                const std::function<void(std::span<std::byte>)>& step) const override {
    inner_.in_order(state, step);
  }
  void exchange(std::span<const std::byte> send, std::span<const std::size_t> send_counts,
                std::span<std::byte> receive,
                std::span<const std::size_t> receive_counts) const override {
    inner_.exchange(send, send_counts, receive, receive_counts);
  }

  mutable double wait_seconds = 0, share_seconds = 0;
  mutable std::size_t shared_bytes = 0;

 private:
  const simdlr::distributed::MpiRowPartition& inner_;
};

// A uniform number in (0, 1) from a 64-bit key (splitmix64).
double uniform(std::uint64_t key) {
  key += 0x9e3779b97f4a7c15ULL;
  key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
  key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
  key ^= key >> 31;
  return (double(key >> 11) + 0.5) / 9007199254740992.0;
}

double gaussian(std::uint64_t key) {
  return std::sqrt(-2 * std::log(uniform(2 * key))) *
         std::cos(6.283185307179586 * uniform(2 * key + 1));
}

// This rank's block of the global problem: rows [begin, end) of n x d.
struct Block {
  std::vector<double> X, y;
  std::size_t rows = 0;
};

Block make_block(std::size_t n, std::size_t d, std::size_t begin, std::size_t end) {
  Block b;
  b.rows = end - begin;
  b.X.resize(b.rows * d);
  b.y.resize(b.rows);
  for (std::size_t i = begin; i < end; ++i) {
    const double shared = gaussian(std::uint64_t(i) * (d + 2) + d);  // a common factor
    double margin = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double scale = 1 + 9 * double(j) / double(d);  // column scales 1 to 10
      const double x = scale * (gaussian(std::uint64_t(i) * (d + 2) + j) + 0.7 * shared);
      b.X[(i - begin) * d + j] = x;
      margin += x * (j % 2 ? 0.3 : -0.2) / scale;
    }
    b.y[i - begin] = uniform(std::uint64_t(i) * (d + 2) + d + 1) < 1 / (1 + std::exp(-margin));
  }
  (void)n;
  return b;
}

int rank_of_world() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int size_of_world() {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

void BM_Pass(benchmark::State& state) {
  const std::size_t n = std::size_t(state.range(0)), d = std::size_t(state.range(1));
  const auto range = simdlr::distributed::row_range(n, d, std::size_t(size_of_world()),
                                                    std::size_t(rank_of_world()));
  Block block = make_block(n, d, range.begin, range.end);
  const simdlr::distributed::MpiRowPartition partition(MPI_COMM_WORLD, block.rows);
  TimedPartition timed(partition);
  std::vector<double> w(d, 0.01), grad(d);
  double grad_b = 0;
  simdlr::LogisticPass<double> pass{
      .X = simdlr::MatrixView<const double>(block.X.data(), block.rows, d),
      .y = block.y.data(),
      .w = w.data(),
      .b = 0.1,
      .grad_w = grad.data(),
      .grad_b = &grad_b};
  const simdlr::ScopedRowPartition scope(&timed);
  for (auto _ : state) {
    benchmark::DoNotOptimize(simdlr::kernels::logistic_loss_grad(pass, simdlr::Threads{0}));
  }
  const double passes = double(state.iterations());
  state.counters["wait_s"] = timed.wait_seconds / passes;
  state.counters["comm_s"] = timed.share_seconds / passes;
  state.counters["shared_bytes"] = double(timed.shared_bytes) / passes;
  state.counters["ranks"] = size_of_world();
  state.counters["threads"] = omp_get_max_threads();
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(n * d * 8));
}

void BM_Fit(benchmark::State& state) {
  const std::size_t n = std::size_t(state.range(0)), d = std::size_t(state.range(1));
  const auto range = simdlr::distributed::row_range(n, d, std::size_t(size_of_world()),
                                                    std::size_t(rank_of_world()));
  Block block = make_block(n, d, range.begin, range.end);
  const simdlr::MatrixView<const double> X(block.X.data(), block.rows, d);
  simdlr::LogisticRegressionOptions options;
  options.solver_options.tol = 1e-6;
  simdlr::FitReport report;
  for (auto _ : state) {
    simdlr::LogisticRegression<double> model(options);
    report = simdlr::distributed::fit(model, MPI_COMM_WORLD, X, std::span<const double>(block.y));
  }
  state.counters["passes"] =
      report.function_evaluations + report.hessian_vector_products + report.hessians;
  state.counters["iterations"] = report.iterations;
  state.counters["converged"] = report.converged;
  state.counters["ranks"] = size_of_world();
  state.counters["threads"] = omp_get_max_threads();
}

// Fixed iteration counts: every rank must run every collective the same number of times.
BENCHMARK(BM_Pass)
    ->Args({200000, 100})
    ->Args({1000000, 100})
    ->Iterations(20)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fit)
    ->Args({200000, 100})
    ->Args({1000000, 100})
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

class SilentReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  benchmark::Initialize(&argc, argv);
  if (rank_of_world() == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SilentReporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent, &silent);
  }
  benchmark::Shutdown();
  MPI_Finalize();
  return 0;
}
