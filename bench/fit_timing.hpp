// What the fit benchmarks (peer_bench, sparse_bench) share to time a fit and to tell whether
// other processes disturbed it, and to read their own command-line flags.
#pragma once

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <string_view>
#include <type_traits>

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

template <class T>
constexpr const char* dtype_name() {
  return std::is_same_v<T, float> ? "f32" : "f64";
}

}  // namespace simdlr::bench
