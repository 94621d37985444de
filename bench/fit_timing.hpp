// What the fit benchmarks (peer_bench, sparse_bench) share to time a fit and to tell whether
// other processes disturbed it, and to read their own command-line flags.
#pragma once

#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace simdlr::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds the whole machine spent busy (/proc/stat), and this process's (all threads): the
// difference over a fit is what other processes took from the cores meanwhile, which on a
// shared 2-core machine is what makes a 2-thread time meaningless.
inline double machine_busy_seconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
  return (user + nice + system + irq + softirq) / double(sysconf(_SC_CLK_TCK));
}

inline double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// The value of `arg` if it is --flag=value, else nullptr (flags of ours, taken out of argv
// before Google Benchmark sees it).
inline const char* flag_value(const char* arg, const char* flag) {
  const std::string prefix = std::string("--") + flag + "=";
  return std::string_view(arg).starts_with(prefix) ? arg + prefix.size() : nullptr;
}

// Runs `once` up to `reps` times (none started after `budget` seconds of fitting) inside the
// benchmark's single iteration; sets the median as the iteration time and the counters runs and
// other_load (cores other processes kept busy, on average over the fits: clock ticks, 10 ms
// resolution). Returns the times, sorted.
inline std::vector<double> repeated(benchmark::State& state, const std::function<void()>& once,
                                    int reps, double budget) {
  std::vector<double> times;
  double fitting = 0;
  const double busy_start = machine_busy_seconds(), own_start = process_cpu_seconds();
  for (auto _ : state) {
    while (int(times.size()) < reps && (times.empty() || fitting < budget)) {
      const auto start = Clock::now();
      once();
      times.push_back(seconds_since(start));
      fitting += times.back();
    }
    std::sort(times.begin(), times.end());
    const std::size_t mid = times.size() / 2;
    state.SetIterationTime(times.size() % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2);
  }
  state.counters["runs"] = double(times.size());
  const double other = (machine_busy_seconds() - busy_start) - (process_cpu_seconds() - own_start);
  state.counters["other_load"] = fitting > 0 ? std::max(0.0, other) / fitting : NAN;
  return times;
}

template <class T>
constexpr const char* dtype_name() {
  return std::is_same_v<T, float> ? "f32" : "f64";
}

}  // namespace simdlr::bench
