// csv_read_bench: simdlr::io::read_csv on a generated ~100 MB CSV (100,000 rows x 50 columns of
// 17-digit doubles plus a text label), float64 and float32. Reports bytes_per_second.
//
//   build/bench/bench/csv_read_bench --benchmark_out=csv.json --benchmark_out_format=json
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "simdlr/io.hpp"

namespace {

const std::filesystem::path& csv_file() {
  static const std::filesystem::path path = [] {
    const auto p = std::filesystem::temp_directory_path() / "simdlr-csv-read-bench.csv";
    std::ofstream out(p);
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0.0, 100.0);
    for (int j = 0; j < 50; ++j)
      out << "f" << j << ',';
    out << "label\n";
    char buf[64];
    for (int i = 0; i < 100000; ++i) {
      for (int j = 0; j < 50; ++j) {
        std::snprintf(buf, sizeof buf, "%.17g,", normal(rng));
        out << buf;
      }
      out << (i % 3 == 0 ? "yes" : "no") << '\n';
    }
    return p;
  }();
  return path;
}

template <class T>
void read(benchmark::State& state) {
  const auto& file = csv_file();
  simdlr::io::CsvOptions options;
  options.target = "label";
  for (auto _ : state) {
    auto table = simdlr::io::read_csv<T>(file, options);
    benchmark::DoNotOptimize(table.X.data());
  }
  state.SetBytesProcessed(std::int64_t(state.iterations()) *
                          std::int64_t(std::filesystem::file_size(file)));
  state.counters["file_MB"] = double(std::filesystem::file_size(file)) / 1e6;
}

BENCHMARK(read<double>)->Name("read_csv/f64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(read<float>)->Name("read_csv/f32")->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
