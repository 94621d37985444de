#include "kernel_timing.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "simdlr/simdlr.hpp"

namespace simdlr::cli {
namespace {

// Median over several rounds of the time per element of `run`.
double ns_per_element(const std::function<void()>& run, std::size_t n) {
  using clock = std::chrono::steady_clock;
  std::vector<double> samples;
  for (int round = 0; round < 15; ++round) {
    int reps = 0;
    const auto start = clock::now();
    auto now = start;
    do {
      run();
      ++reps;
      now = clock::now();
    } while (now - start < std::chrono::milliseconds(4));
    samples.push_back(std::chrono::duration<double, std::nano>(now - start).count() / reps /
                      double(n));
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

volatile float sink = 0;

}  // namespace

void print_kernel_timing_table(std::ostream& out) {
  constexpr std::size_t n = 4096;  // in L1 cache
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> x(n), y(n), z(n), labels(n), result(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = normal(rng);
    y[i] = normal(rng);
    z[i] = normal(rng);
    labels[i] = float(i % 2);
  }
  struct Row {
    const char* name;
    std::function<void()> scalar, simd;
  };
  const Row rows[] = {
      {"dot", [&] { sink = scalar::dot(x.data(), y.data(), n); },
       [&] { sink = kernels::dot(x.data(), y.data(), n); }},
      {"sigmoid", [&] { scalar::sigmoid(z.data(), result.data(), n); },
       [&] { kernels::sigmoid(z.data(), result.data(), n); }},
      {"log_loss", [&] { sink = scalar::log_loss(z.data(), labels.data(), n); },
       [&] { sink = kernels::log_loss(z.data(), labels.data(), n); }},
  };
  const std::vector<Isa> isas = supported_isas();
  out << "float32, " << n << " elements (in cache), ns per element, median of 15 rounds:\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-9s %9s", "kernel", "twin");
  out << line;
  for (Isa isa : isas) {
    std::snprintf(line, sizeof line, " %9s", std::string(isa_name(isa)).c_str());
    out << line;
  }
  out << "   best speedup\n";
  for (const Row& row : rows) {
    const double twin = ns_per_element(row.scalar, n);
    std::snprintf(line, sizeof line, "  %-9s %9.3f", row.name, twin);
    out << line;
    double best = twin;
    for (Isa isa : isas) {
      ScopedIsa scoped(isa);
      const double t = ns_per_element(row.simd, n);
      best = std::min(best, t);
      std::snprintf(line, sizeof line, " %9.3f", t);
      out << line;
    }
    std::snprintf(line, sizeof line, "   %6.1fx\n", twin / best);
    out << line;
  }
}

}  // namespace simdlr::cli
