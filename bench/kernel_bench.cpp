// kernel_bench: every simdlr kernel, float and double, from L1-resident sizes to data several
// times the size of the last-level cache, against
//   scalar       the simdlr::scalar twin (plain single-threaded loops),
//   isa_<isa>    simdlr::kernels under every ISA this machine supports (isa_scalar, sse2, avx2,
//                avx512: the dispatched, chunked, OpenMP-parallel kernels; "isa_scalar" is the
//                plain chunk loop run through the same driver),
//   openblas     OpenBLAS where it has the operation (dot: cblas_?dot; margins and
//                transpose_product: cblas_?gemv),
//   read         a plain streaming read of exactly the bytes the kernel reads, with the widest
//                loads the CPU supports (read_bandwidth.hpp).
// The read reference and OpenBLAS always get the thread count the simdlr kernel uses at that size
// (the kernels run small inputs on the calling thread; see kernel_threads below).
//
// Names: <kernel>/<f32|f64>/<variant>/<size>[/t<threads>], then Google Benchmark's own suffixes
// (/min_time:..., /iterations:..., /real_time, /manual_time). <size> is the element count of the
// vector kernels or <rows>x<cols> of the matrix kernels. Without /t<threads> the kernels run with
// OpenMP's default thread count (simdlr::Threads{}); the large, bandwidth-bound cases (input
// >= 4x L3) are registered twice instead, /t1 and /t2 (simdlr::Threads{1} and {2}), without the
// scalar variants (see Big below).
//
// Counters: bytes_per_second = bytes of input the kernel reads (outputs not counted);
// items_per_second = elements (vector kernels) or matrix elements rows*cols (matrix kernels);
// weighted_gram and cross_product also flops_per_second (see bench_weighted_gram);
// other_load / steal = how busy the rest of the machine was meanwhile (see report_machine_load);
// large cases also read_bytes_per_second and fraction_of_read (see time_loop).
//
// Timing: benchmarks that run on one thread report CPU time; multi-threaded ones wall-clock time
// (UseRealTime). The large cases use manual wall-clock time and pair every iteration with a
// streaming re-read of the same bytes, because memory bandwidth on a shared machine drifts too
// much between one benchmark and the next.
#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <cblas.h>

#include "kernels/chunking.hpp"
#include "read_bandwidth.hpp"
#include "simdlr/cpu.hpp"
#include "simdlr/kernels.hpp"

namespace simdlr::bench {
namespace {

// --- the machine ---------------------------------------------------------------------------

std::size_t l3_bytes() {
  static const std::size_t bytes = [] {
    long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (v > 0) return std::size_t(v);
    std::ifstream f("/sys/devices/system/cpu/cpu0/cache/index3/size");
    std::string s;
    if (f >> s && !s.empty()) {
      std::size_t n = std::strtoull(s.c_str(), nullptr, 10);
      if (s.back() == 'K') n <<= 10;
      if (s.back() == 'M') n <<= 20;
      if (n > 0) return n;
    }
    return std::size_t(32) << 20;  // unknown: assume 32 MiB
  }();
  return bytes;
}

// Bytes of input the large cases read: at least four times the last-level cache (and 256 MiB).
std::size_t big_bytes() {
  return std::max(4 * l3_bytes(), std::size_t(256) << 20);
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

int default_threads() {
  return std::max(omp_get_max_threads(), 1);
}

// --- data ------------------------------------------------------------------------------------
//
// Large arrays are allocated once, lazily, 2 MiB-aligned with transparent huge pages requested,
// and first-touched by a parallel fill (static schedule, like the kernels) before any timing.
// They only grow; a benchmark takes the prefix it needs. Kernels and the read reference use the
// very same arrays. Benchmarks are registered float-first, and growing a large double array
// releases the float ones, so a full run peaks at about 1.5x big_bytes() + the output buffer.

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double unit(std::uint64_t i, std::uint64_t seed) {  // uniform in [0, 1)
  return double(mix(i * 0x100000001B3ull + seed) >> 11) * 0x1.0p-53;
}

class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { release(); }

  std::size_t bytes() const { return bytes_; }
  void* data() const { return data_; }
  void release() {
    std::free(data_);
    data_ = nullptr;
    bytes_ = 0;
  }
  // At least `n` elements of type E, element i = value(i); filled in parallel on (re)allocation.
  template <class E, class F>
  E* ensure(std::size_t n, const F& value) {
    if (bytes_ >= n * sizeof(E) && data_ != nullptr) return static_cast<E*>(data_);
    release();
    constexpr std::size_t kAlign = std::size_t(2) << 20;
    const std::size_t rounded =
        (std::max<std::size_t>(n * sizeof(E), 1) + kAlign - 1) / kAlign * kAlign;
    data_ = std::aligned_alloc(kAlign, rounded);
    if (data_ == nullptr) throw std::bad_alloc();
    madvise(data_, rounded, MADV_HUGEPAGE);
    E* p = static_cast<E*>(data_);
    const long blocks = long((n + 65535) / 65536);
#pragma omp parallel for schedule(static) num_threads(default_threads())
    for (long b = 0; b < blocks; ++b) {
      const std::size_t begin = std::size_t(b) * 65536, end = std::min(n, begin + 65536);
      for (std::size_t i = begin; i < end; ++i)
        p[i] = value(i);
    }
    bytes_ = n * sizeof(E);
    return p;
  }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

constexpr std::size_t kLargeBuffer = std::size_t(256) << 20;

template <class T>
struct Pools {
  Buffer a;       // uniform in [-4, 4): x, z, X
  Buffer b;       // uniform in [0, 1): y, r, weights d
  Buffer labels;  // 0 or 1, as T
  Buffer params;  // uniform in [-0.05, 0.05): w, v, W (small)
  static Pools& get() {
    static Pools pools;
    return pools;
  }
};

template <class T>
void release_other_type_if_large(std::size_t bytes) {
  using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
  if (bytes < kLargeBuffer) return;
  Pools<Other>::get().a.release();
  Pools<Other>::get().b.release();
}

template <class T>
const T* data_a(std::size_t n) {
  release_other_type_if_large<T>(n * sizeof(T));
  return Pools<T>::get().a.template ensure<T>(n,
                                              [](std::size_t i) { return T(8 * unit(i, 1) - 4); });
}
template <class T>
const T* data_b(std::size_t n) {
  release_other_type_if_large<T>(n * sizeof(T));
  return Pools<T>::get().b.template ensure<T>(n, [](std::size_t i) { return T(unit(i, 2)); });
}
template <class T>
const T* labels01(std::size_t n) {
  return Pools<T>::get().labels.template ensure<T>(
      n, [](std::size_t i) { return T(unit(i, 3) < 0.5 ? 0 : 1); });
}
template <class T>
const T* params(std::size_t n) {
  return Pools<T>::get().params.template ensure<T>(
      n, [](std::size_t i) { return T(0.1 * unit(i, 4) - 0.05); });
}
const std::int32_t* class_labels(std::size_t n, int classes) {
  static Buffer buffer;
  return buffer.ensure<std::int32_t>(
      n, [classes](std::size_t i) { return std::int32_t(mix(i + 5) % std::uint64_t(classes)); });
}
// Write-only output (sigmoid out, margins z): zero-filled on allocation, shared by both types.
void* output_bytes(std::size_t bytes) {
  static Buffer buffer;
  return buffer.ensure<unsigned char>(bytes, [](std::size_t) { return 0; });
}
template <class T>
T* output(std::size_t n) {
  return static_cast<T*>(output_bytes(n * sizeof(T)));
}

// --- the kernels' thread rule ------------------------------------------------------------------
//
// How many threads a simdlr kernel uses, so the read reference uses the same number: the library's
// own chunk plan and thread rule (src/kernels/chunking.hpp: plan_vector, plan_rows, threads_for).

int kernel_threads(const detail::ChunkPlan& plan, std::size_t work, int requested) {
  return detail::threads_for(plan, work, Threads{requested});
}

// --- running one variant -------------------------------------------------------------------------

enum class Kind { twin, kernel, openblas, read };

struct Variant {
  Kind kind;
  Isa isa = Isa::scalar;  // for Kind::kernel
  std::string name() const {
    switch (kind) {
      case Kind::twin:
        return "scalar";
      case Kind::kernel:
        return isa == Isa::scalar ? "isa_scalar" : std::string(isa_name(isa));
      case Kind::openblas:
        return "openblas";
      case Kind::read:
        return "read";
    }
    return "?";
  }
};

struct Shape {
  std::size_t n = 0;     // vector kernels: elements
  std::size_t rows = 0;  // matrix kernels
  std::size_t cols = 0;
};

// One registered benchmark.
struct Case {
  Variant variant;
  Shape shape;
  int threads = 0;       // what the kernel is asked for (0: OpenMP's default)
  int used_threads = 1;  // what it uses at this size (twin: 1; read: as the kernel)
  bool paired = false;   // large case: every iteration also re-reads the bytes (see time_loop)
};

// What a kernel reads (the read reference reads exactly this) and how many elements it handles.
struct Work {
  std::vector<Region> regions;
  std::size_t items = 0;
  std::size_t bytes() const {
    std::size_t b = 0;
    for (const Region& r : regions)
      b += r.bytes;
    return b;
  }
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// OpenBLAS (pthreads build) keeps its worker threads spinning for ~2^28 cycles after a call; on a
// 2-core machine a spinning worker would steal a core from the next benchmark. After a
// multi-threaded OpenBLAS benchmark, wait (untimed) until the workers have gone to sleep.
void let_openblas_workers_sleep() {
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
}

void let_openmp_workers_sleep() {
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

// Times op() per iteration. In a paired (large) case the benchmark uses manual time: only op()
// is timed, and each iteration also times a streaming read of the same bytes with the same
// thread count, alternately just before and just after op(). Memory bandwidth on a shared machine
// drifts by 2x over seconds; a pair sees the same conditions, so its ratio stays meaningful.
// Counters:
//   read_bytes_per_second   the paired reads' bandwidth (all iterations)
//   fraction_of_read        median over iterations of (read time / op time) of each pair
template <class Op>
void time_loop(benchmark::State& st, const Case& c, const Work& work, const Op& op) {
  if (!c.paired) {
    for (auto _ : st)
      op();
    return;
  }
  const bool pair = c.variant.kind != Kind::read;
  double read_seconds = 0;
  std::vector<double> ratios;
  bool read_first = false;
  // A multi-threaded OpenBLAS call leaves a worker spinning, which would slow the re-read
  // paired with it (and flatter OpenBLAS's fraction): wait, untimed, until it sleeps.
  const bool settle = c.variant.kind == Kind::openblas && c.used_threads > 1;
  const auto reread = [&] {
    if (settle) let_openblas_workers_sleep();
    const Clock::time_point t0 = Clock::now();
    benchmark::DoNotOptimize(
        read_regions(work.regions.data(), work.regions.size(), c.used_threads));
    return seconds_since(t0);
  };
  for (auto _ : st) {
    double r = 0;
    if (pair && read_first) r = reread();
    const Clock::time_point t0 = Clock::now();
    op();
    const double dt = seconds_since(t0);
    st.SetIterationTime(dt);
    if (pair && !read_first) r = reread();
    read_first = !read_first;
    if (pair) {
      read_seconds += r;
      ratios.push_back(r / dt);
    }
  }
  if (pair && !ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    const std::size_t m = ratios.size();
    const double median = m % 2 ? ratios[m / 2] : 0.5 * (ratios[m / 2 - 1] + ratios[m / 2]);
    st.counters["read_bytes_per_second"] =
        benchmark::Counter(double(work.bytes()) * double(st.iterations()) / read_seconds);
    st.counters["fraction_of_read"] = benchmark::Counter(median);
  }
}

// How busy the rest of the machine was while a benchmark ran: CPU time of all other processes
// (from /proc/stat minus this process's own /proc/self/stat) and hypervisor steal time, each as a
// fraction of all CPUs over the benchmark's wall time. Reported as counters other_load and steal so
// that runs disturbed by other work can be recognised (a 2-thread kernel on a 2-CPU machine
// cannot run at full speed while anything else is running).
struct MachineSample {
  double busy = 0, steal = 0, self = 0;  // clock ticks
  Clock::time_point when;
};

MachineSample sample_machine() {
  MachineSample s;
  s.when = Clock::now();
  std::ifstream stat("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) {
    s.busy = user + nice + system + irq + softirq;
    s.steal = steal;
  }
  std::ifstream self("/proc/self/stat");
  std::string line;
  if (std::getline(self, line)) {
    // Fields after the ")" that ends the command name: state is field 3; utime, stime are 14, 15.
    std::size_t pos = line.rfind(')');
    if (pos != std::string::npos) {
      std::string rest = line.substr(pos + 2);
      std::vector<std::string> fields;
      std::size_t b = 0;
      while (b < rest.size()) {
        const std::size_t e = rest.find(' ', b);
        fields.push_back(rest.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (e == std::string::npos) break;
        b = e + 1;
      }
      if (fields.size() > 12)
        s.self =
            std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr);
    }
  }
  return s;
}

void report_machine_load(benchmark::State& st, const MachineSample& before) {
  const MachineSample after = sample_machine();
  const double ticks = std::chrono::duration<double>(after.when - before.when).count() *
                       double(sysconf(_SC_CLK_TCK)) *
                       double(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (ticks <= 0) return;
  const double other = (after.busy - before.busy) - (after.self - before.self);
  st.counters["other_load"] = benchmark::Counter(std::clamp(other / ticks, 0.0, 1.0));
  st.counters["steal"] =
      benchmark::Counter(std::clamp((after.steal - before.steal) / ticks, 0.0, 1.0));
}

template <class Twin, class Kernel, class Blas>
void run(benchmark::State& st, const Case& c, const Work& work, const Twin& twin,
         const Kernel& kernel, const Blas& blas) {
  const MachineSample before = sample_machine();
  try {
    switch (c.variant.kind) {
      case Kind::twin:
        time_loop(st, c, work, twin);
        break;
      case Kind::kernel: {
        ScopedIsa scoped(c.variant.isa);
        time_loop(st, c, work, [&] { kernel(Threads{c.threads}); });
        // libgomp's idle workers spin too (GOMP_SPINCOUNT, ~20 ms here) and would slow an
        // OpenBLAS benchmark that follows: the same courtesy in the other direction.
        if (c.used_threads > 1) let_openmp_workers_sleep();
        break;
      }
      case Kind::openblas:
        if constexpr (!std::is_same_v<Blas, std::nullptr_t>) {
          openblas_set_num_threads(c.used_threads);
          time_loop(st, c, work, blas);
          if (c.used_threads > 1) let_openblas_workers_sleep();
        }
        break;
      case Kind::read:
        time_loop(st, c, work, [&] {
          benchmark::DoNotOptimize(
              read_regions(work.regions.data(), work.regions.size(), c.used_threads));
        });
        break;
    }
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  st.SetBytesProcessed(std::int64_t(st.iterations()) * std::int64_t(work.bytes()));
  st.SetItemsProcessed(std::int64_t(st.iterations()) * std::int64_t(work.items));
  st.SetLabel("threads=" + std::to_string(c.used_threads));
  report_machine_load(st, before);
}

template <class R>
void keep(R&& r) {
  benchmark::DoNotOptimize(r);
}

// --- one function per kernel ---------------------------------------------------------------------
//
// Each bench_<kernel> sets up its inputs (outside the timing loop) and hands run() the scalar
// twin, the simdlr kernel and (where it exists) the OpenBLAS call; threads_<kernel> is the number
// of threads the simdlr kernel uses for a shape, per the rule above.

template <class T>
Region region(const T* p, std::size_t n) {
  return {p, n * sizeof(T)};
}

int threads_dot(Shape s, int t) {
  return kernel_threads(detail::plan_vector(s.n), s.n, t);
}

template <class T>
void bench_dot(benchmark::State& st, const Case& c) {
  const std::size_t n = c.shape.n;
  const T* x = data_a<T>(n);
  const T* y = data_b<T>(n);
  run(
      st, c, {{region(x, n), region(y, n)}, n}, [&] { keep(scalar::dot(x, y, n)); },
      [&](Threads th) { keep(kernels::dot(x, y, n, th)); },
      [&] {
        if constexpr (std::is_same_v<T, float>)
          keep(cblas_sdot(int(n), x, 1, y, 1));
        else
          keep(cblas_ddot(int(n), x, 1, y, 1));
      });
}

// Transcendental kernels go parallel at a quarter of the size (4n units of work).
int threads_sigmoid(Shape s, int t) {
  return kernel_threads(detail::plan_vector(s.n), 4 * s.n, t);
}

template <class T>
void bench_sigmoid(benchmark::State& st, const Case& c) {
  const std::size_t n = c.shape.n;
  const T* z = data_a<T>(n);
  T* out = output<T>(n);
  run(
      st, c, {{region(z, n)}, n},
      [&] {
        scalar::sigmoid(z, out, n);
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        kernels::sigmoid(z, out, n, th);
        benchmark::ClobberMemory();
      },
      nullptr);
}

int threads_log_loss(Shape s, int t) {
  return kernel_threads(detail::plan_vector(s.n), 4 * s.n, t);
}

template <class T>
void bench_log_loss(benchmark::State& st, const Case& c) {
  const std::size_t n = c.shape.n;
  const T* z = data_a<T>(n);
  const T* y = data_b<T>(n);
  run(
      st, c, {{region(z, n), region(y, n)}, n}, [&] { keep(scalar::log_loss(z, y, n)); },
      [&](Threads th) { keep(kernels::log_loss(z, y, n, th)); }, nullptr);
}

int threads_margins(Shape s, int t) {
  return kernel_threads(detail::plan_rows(s.rows, s.cols, 0), s.rows * s.cols, t);
}

template <class T>
void bench_margins(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols;
  const MatrixView<const T> X(data_a<T>(rows * cols), rows, cols);
  const T* w = params<T>(cols);
  const T b = T(0.25);
  T* z = output<T>(rows);
  run(
      st, c, {{region(X.data, rows * cols), region(w, cols)}, rows * cols},
      [&] {
        scalar::margins(X, w, b, z);
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        kernels::margins(X, w, b, z, th);
        benchmark::ClobberMemory();
      },
      [&] {  // z = b, then z = X w + z
        std::fill(z, z + rows, b);
        if constexpr (std::is_same_v<T, float>) {
          cblas_sgemv(CblasRowMajor, CblasNoTrans, int(rows), int(cols), 1.0f, X.data, int(cols), w,
                      1, 1.0f, z, 1);
        } else {
          cblas_dgemv(CblasRowMajor, CblasNoTrans, int(rows), int(cols), 1.0, X.data, int(cols), w,
                      1, 1.0, z, 1);
        }
        benchmark::ClobberMemory();
      });
}

int threads_transpose_product(Shape s, int t) {
  return kernel_threads(detail::plan_rows(s.rows, s.cols, s.cols), s.rows * s.cols, t);
}

template <class T>
void bench_transpose_product(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols;
  const MatrixView<const T> X(data_a<T>(rows * cols), rows, cols);
  const T* r = data_b<T>(rows);
  std::vector<T> out(cols);
  run(
      st, c, {{region(X.data, rows * cols), region(r, rows)}, rows * cols},
      [&] {
        scalar::transpose_product(X, r, out.data());
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        kernels::transpose_product(X, r, out.data(), th);
        benchmark::ClobberMemory();
      },
      [&] {
        if constexpr (std::is_same_v<T, float>) {
          cblas_sgemv(CblasRowMajor, CblasTrans, int(rows), int(cols), 1.0f, X.data, int(cols), r,
                      1, 0.0f, out.data(), 1);
        } else {
          cblas_dgemv(CblasRowMajor, CblasTrans, int(rows), int(cols), 1.0, X.data, int(cols), r, 1,
                      0.0, out.data(), 1);
        }
        benchmark::ClobberMemory();
      });
}

int threads_logistic_loss_grad(Shape s, int t) {
  return kernel_threads(detail::plan_rows(s.rows, s.cols, s.cols + 1), s.rows * s.cols, t);
}

// The pass an objective makes per gradient evaluation: loss, grad_w and grad_b, no sample
// weights, no margins / Hessian diagonal written.
template <class T>
void bench_logistic_loss_grad(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols;
  std::vector<T> grad(cols);
  T grad_b = 0;
  LogisticPass<T> pass;
  pass.X = MatrixView<const T>(data_a<T>(rows * cols), rows, cols);
  pass.y = labels01<T>(rows);
  pass.w = params<T>(cols);
  pass.b = T(0.1);
  pass.grad_w = grad.data();
  pass.grad_b = &grad_b;
  run(
      st, c,
      {{region(pass.X.data, rows * cols), region(pass.y, rows), region(pass.w, cols)}, rows * cols},
      [&] {
        keep(scalar::logistic_loss_grad(pass));
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        keep(kernels::logistic_loss_grad(pass, th));
        benchmark::ClobberMemory();
      },
      nullptr);
}

constexpr std::size_t kSoftmaxClasses = 10;

int threads_softmax_loss_grad(Shape s, int t) {
  const std::size_t K = kSoftmaxClasses;
  return kernel_threads(detail::plan_rows(s.rows, s.cols, K * s.cols + K), s.rows * s.cols * K, t);
}

template <class T>
void bench_softmax_loss_grad(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols, K = kSoftmaxClasses;
  std::vector<T> grad_W(K * cols), grad_b(K), bias(K, T(0.01));
  SoftmaxPass<T> pass;
  pass.X = MatrixView<const T>(data_a<T>(rows * cols), rows, cols);
  pass.labels = class_labels(rows, int(K));
  pass.n_classes = K;
  pass.W = params<T>(K * cols);
  pass.b = bias.data();
  pass.grad_W = grad_W.data();
  pass.grad_b = grad_b.data();
  run(
      st, c,
      {{region(pass.X.data, rows * cols), region(pass.labels, rows), region(pass.W, K * cols)},
       rows * cols},
      [&] {
        keep(scalar::softmax_loss_grad(pass));
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        keep(kernels::softmax_loss_grad(pass, th));
        benchmark::ClobberMemory();
      },
      nullptr);
}

int threads_hessian_vector(Shape s, int t) {
  return kernel_threads(detail::plan_rows(s.rows, s.cols, s.cols + 1), s.rows * s.cols, t);
}

template <class T>
void bench_hessian_vector(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols;
  const MatrixView<const T> X(data_a<T>(rows * cols), rows, cols);
  const T* d = data_b<T>(rows);
  const T* v = params<T>(cols);
  std::vector<T> out(cols);
  T out_b = 0;
  run(
      st, c, {{region(X.data, rows * cols), region(d, rows), region(v, cols)}, rows * cols},
      [&] {
        scalar::hessian_vector(X, d, v, T(0.1), out.data(), &out_b);
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        kernels::hessian_vector(X, d, v, T(0.1), out.data(), &out_b, th);
        benchmark::ClobberMemory();
      },
      nullptr);
}

int threads_weighted_gram(Shape s, int t) {
  return kernel_threads(detail::plan_gram(s.rows, s.cols), s.rows * s.cols * s.cols / 2, t);
}

// Counter flops_per_second: rows * cols * (cols + 1) floating-point operations per call, one
// multiply and one add for every element of the upper triangle (diagonal included), the part of
// Xᵀ D X a symmetric kernel computes. The openblas variant is cblas_?syrk of X (upper triangle,
// no weights: BLAS has no weighted rank-k update), the same operation count without the scaling
// by d; it shows how close a tuned BLAS gets on this machine.
template <class T>
void bench_weighted_gram(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols;
  const MatrixView<const T> X(data_a<T>(rows * cols), rows, cols);
  const T* d = data_b<T>(rows);
  std::vector<T> out(cols * cols);
  run(
      st, c, {{region(X.data, rows * cols), region(d, rows)}, rows * cols},
      [&] {
        scalar::weighted_gram(X, d, out.data());
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        kernels::weighted_gram(X, d, out.data(), th);
        benchmark::ClobberMemory();
      },
      [&] {
        if constexpr (std::is_same_v<T, float>) {
          cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, int(cols), int(rows), 1.0f, X.data,
                      int(cols), 0.0f, out.data(), int(cols));
        } else {
          cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, int(cols), int(rows), 1.0, X.data,
                      int(cols), 0.0, out.data(), int(cols));
        }
        benchmark::ClobberMemory();
      });
  if (c.variant.kind != Kind::read && !st.error_occurred()) {
    st.counters["flops_per_second"] =
        benchmark::Counter(double(rows) * double(cols) * double(cols + 1) * double(st.iterations()),
                           benchmark::Counter::kIsRate);
  }
}

int threads_cross_product(Shape s, int t) {
  return kernel_threads(detail::plan_rows(s.rows, 2 * s.cols, s.cols * s.cols),
                        s.rows * s.cols * s.cols, t);
}

// AᵀB of two rows x cols matrices (a cols x cols result). Counter flops_per_second: rows * cols²
// multiply-adds, two operations each (twice weighted_gram's, which computes one triangle). The
// openblas variant is cblas_?gemm with A transposed.
template <class T>
void bench_cross_product(benchmark::State& st, const Case& c) {
  const std::size_t rows = c.shape.rows, cols = c.shape.cols;
  const MatrixView<const T> A(data_a<T>(rows * cols), rows, cols);
  const MatrixView<const T> B(data_b<T>(rows * cols), rows, cols);
  std::vector<T> out(cols * cols);
  run(
      st, c, {{region(A.data, rows * cols), region(B.data, rows * cols)}, rows * cols},
      [&] {
        scalar::cross_product(A, B, out.data());
        benchmark::ClobberMemory();
      },
      [&](Threads th) {
        kernels::cross_product(A, B, out.data(), th);
        benchmark::ClobberMemory();
      },
      [&] {
        const int n = int(cols), k = int(rows);
        if constexpr (std::is_same_v<T, float>) {
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, k, 1.0f, A.data, n, B.data, n,
                      0.0f, out.data(), n);
        } else {
          cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, k, 1.0, A.data, n, B.data, n,
                      0.0, out.data(), n);
        }
        benchmark::ClobberMemory();
      });
  if (c.variant.kind != Kind::read && !st.error_occurred()) {
    st.counters["flops_per_second"] =
        benchmark::Counter(2 * double(rows) * double(cols) * double(cols) * double(st.iterations()),
                           benchmark::Counter::kIsRate);
  }
}

// The widened row kernels (double arithmetic over the rows, on the calling thread): the passes
// the certificates make over float data. Their vectors are double whatever T is.
int threads_widened_margins(Shape, int) {
  return 1;
}
int threads_widened_accumulate(Shape, int) {
  return 1;
}
int threads_widened_gram_rows(Shape, int) {
  return 1;
}

// Times twin() and kernel() (each over all rows of X, on the calling thread).
template <class T, class Twin, class Kernel>
void run_widened(benchmark::State& st, const Case& c, MatrixView<const T> X, const Twin& twin,
                 const Kernel& kernel) {
  run(
      st, c, {{region(X.data, X.rows * X.cols)}, X.rows * X.cols},
      [&] {
        twin();
        benchmark::ClobberMemory();
      },
      [&](Threads) {
        kernel();
        benchmark::ClobberMemory();
      },
      nullptr);
}

template <class T>
void bench_widened_margins(benchmark::State& st, const Case& c) {
  const MatrixView<const T> X(data_a<T>(c.shape.rows * c.shape.cols), c.shape.rows, c.shape.cols);
  const std::vector<double> w(X.cols, 0.01);
  std::vector<double> z(X.rows);
  run_widened(
      st, c, X, [&] { scalar::widened_margins(X, w.data(), 0.25, z.data()); },
      [&] { kernels::widened_margins(X, w.data(), 0.25, z.data()); });
}

template <class T>
void bench_widened_accumulate(benchmark::State& st, const Case& c) {
  const MatrixView<const T> X(data_a<T>(c.shape.rows * c.shape.cols), c.shape.rows, c.shape.cols);
  const std::vector<double> r(X.rows, 0.5);
  std::vector<double> sum(X.cols);
  run_widened(
      st, c, X, [&] { scalar::widened_accumulate(X, r.data(), sum.data()); },
      [&] { kernels::widened_accumulate(X, r.data(), sum.data()); });
}

template <class T>
void bench_widened_gram_rows(benchmark::State& st, const Case& c) {
  const MatrixView<const T> X(data_a<T>(c.shape.rows * c.shape.cols), c.shape.rows, c.shape.cols);
  const std::size_t m = X.cols + 1;
  const std::vector<double> d(X.rows, 0.2);
  std::vector<double> out(m * m), xtd(X.cols);
  run_widened(
      st, c, X, [&] { scalar::widened_gram_rows(X, d.data(), out.data(), m, xtd.data()); },
      [&] { kernels::widened_gram_rows(X, d.data(), out.data(), m, xtd.data()); });
}

// --- registration --------------------------------------------------------------------------------

using BenchFn = void (*)(benchmark::State&, const Case&);
using ThreadsFn = int (*)(Shape, int);

// Which variants run on the large (>= 4x L3) inputs. Those cases are about memory bandwidth, so
// the scalar variants (compute-bound at 1-30 ns per element: seconds per pass) are left out.
enum class Big {
  none,        // up to 2^24 elements / 163840 rows only
  active_isa,  // read, the active ISA and OpenBLAS
  all_isas,    // read, every vectorized ISA and OpenBLAS (the kernels of the bandwidth target)
};

struct KernelInfo {
  const char* name;
  bool matrix;
  bool has_openblas;
  Big big;  // also registered at >= 4x L3, with 1 and 2 threads
  ThreadsFn threads;
  BenchFn f32, f64;
};

#define SIMDLR_KERNEL(name, matrix, blas, big)                                                 \
  KernelInfo {                                                                                 \
#name, matrix, blas, big, &threads_##name, &bench_##name < float>, &bench_##name < double> \
  }

const KernelInfo kKernels[] = {
    SIMDLR_KERNEL(dot, false, true, Big::all_isas),
    SIMDLR_KERNEL(sigmoid, false, false, Big::active_isa),
    SIMDLR_KERNEL(log_loss, false, false, Big::active_isa),
    SIMDLR_KERNEL(margins, true, true, Big::active_isa),
    SIMDLR_KERNEL(transpose_product, true, true, Big::active_isa),
    SIMDLR_KERNEL(logistic_loss_grad, true, false, Big::all_isas),
    SIMDLR_KERNEL(hessian_vector, true, false, Big::active_isa),
    // Compute-bound (K dot products per row / cols^2/2 multiply-adds per row): up to L3 sizes.
    SIMDLR_KERNEL(softmax_loss_grad, true, false, Big::none),
    SIMDLR_KERNEL(weighted_gram, true, true, Big::none),  // and the large shapes of kGramLarge
    SIMDLR_KERNEL(cross_product, true, true, Big::none),
    // On the calling thread, in double over the rows (the certificates' passes over float data).
    SIMDLR_KERNEL(widened_margins, true, false, Big::none),
    SIMDLR_KERNEL(widened_accumulate, true, false, Big::none),
    SIMDLR_KERNEL(widened_gram_rows, true, false, Big::none),
};
#undef SIMDLR_KERNEL

constexpr std::size_t kCols = 100;
const std::size_t kVectorSizes[] = {4096, 65536, std::size_t(1) << 20, std::size_t(1) << 24};
// 40x100 (16 KB as float: L1), 640x100 (256 KB: L2), 10240x100 (4 MB), 163840x100 (64 MB: L3).
const std::size_t kMatrixRows[] = {40, 640, 10240, 163840};

// weighted_gram at large n for d = 10, 100 and 1000 (inputs of 66-84 MB as float, 131-168 MB as
// double: beyond the L3 cache), /t1 and /t2 like the other large cases. The work grows with d²,
// so the rows are not scaled to big_bytes(): one pass stays within a few hundred ms.
const Shape kGramLarge[] = {{0, std::size_t(1) << 21, 10}, {0, 163840, 100}, {0, 16384, 1000}};

// Element count / rows of the large case: input bytes >= big_bytes().
Shape big_shape(const KernelInfo& k, std::size_t elem) {
  const std::size_t bytes = big_bytes();
  if (k.matrix) return {0, (bytes + kCols * elem - 1) / (kCols * elem), kCols};
  // Kernels reading two vectors (dot, log_loss) read n elements of each.
  const std::size_t arrays = std::strcmp(k.name, "sigmoid") == 0 ? 1 : 2;
  return {(bytes + arrays * elem - 1) / (arrays * elem), 0, 0};
}

std::string size_name(const Shape& s) {
  if (s.rows > 0) return std::to_string(s.rows) + "x" + std::to_string(s.cols);
  return std::to_string(s.n);
}

Isa active_or_best_isa() {
  try {
    return active_isa();
  } catch (const std::exception&) {
    return best_isa();
  }
}

// Registers the variants of one kernel, type and size. big: the >= 4x L3 case with `threads`
// threads (named /t<threads>); otherwise threads = 0 (OpenMP's default).
void register_case(const KernelInfo& k, const char* type, BenchFn fn, Shape shape, bool big,
                   int threads) {
  std::vector<Variant> variants;
  // Order: the single-threaded twin, the read reference, the ISAs, OpenBLAS last.
  if (!big) variants.push_back({Kind::twin});
  variants.push_back({Kind::read});
  for (Isa isa : supported_isas()) {
    if (big && (isa == Isa::scalar || (k.big == Big::active_isa && isa != active_or_best_isa())))
      continue;
    variants.push_back({Kind::kernel, isa});
  }
  if (k.has_openblas) variants.push_back({Kind::openblas});
  for (const Variant& v : variants) {
    Case c{v, shape, threads, 1, big};
    // The read reference and OpenBLAS get the thread count the simdlr kernel uses at this size.
    if (v.kind != Kind::twin) c.used_threads = k.threads(shape, threads);
    std::string name = std::string(k.name) + "/" + type + "/" + v.name() + "/" + size_name(shape);
    if (big) name += "/t" + std::to_string(threads);
    benchmark::internal::Benchmark* b =
        benchmark::RegisterBenchmark(name.c_str(), [fn, c](benchmark::State& st) { fn(st, c); });
    if (big) {
      // Manual (wall-clock) time, each pass paired with a re-read; 0.1-0.3 s per pass.
      b->UseManualTime()->Iterations(3)->Unit(benchmark::kMillisecond);
    } else {
      // Single-threaded runs are timed in CPU time (robust to other processes on the machine),
      // multi-threaded ones in wall-clock time.
      if (c.used_threads > 1) b->UseRealTime();
      b->MinTime(0.05)->Unit(benchmark::kMicrosecond);
    }
  }
}

void register_all() {
  for (const char* type : {"f32", "f64"}) {
    const bool f32 = std::strcmp(type, "f32") == 0;
    const std::size_t elem = f32 ? sizeof(float) : sizeof(double);
    for (const KernelInfo& k : kKernels) {
      const BenchFn fn = f32 ? k.f32 : k.f64;
      if (k.matrix) {
        for (std::size_t rows : kMatrixRows)
          register_case(k, type, fn, {0, rows, kCols}, false, 0);
      } else {
        for (std::size_t n : kVectorSizes)
          register_case(k, type, fn, {n, 0, 0}, false, 0);
      }
      if (k.big != Big::none) {
        for (int threads : {1, 2})
          register_case(k, type, fn, big_shape(k, elem), true, threads);
      }
      if (std::strcmp(k.name, "weighted_gram") == 0) {
        for (const Shape& shape : kGramLarge) {
          for (int threads : {1, 2})
            register_case(k, type, fn, shape, true, threads);
        }
      }
    }
  }
}

std::string supported_isa_list() {
  std::string s;
  for (Isa isa : supported_isas()) {
    if (!s.empty()) s += ',';
    s += isa_name(isa);
  }
  return s;
}

// OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not recognise every recent CPU model: on this machine's
// family 6 model 207 Xeon it falls back to its generic "Prescott" (SSE3) kernels, a baseline no
// user of an AVX-512 machine should be measured against. Unless OPENBLAS_CORETYPE is already set
// (OPENBLAS_CORETYPE=Prescott reproduces the stock fallback), re-run this program with OpenBLAS
// told to use its kernels for the ISA the CPU has (SkylakeX for AVX-512, Haswell for AVX2). The
// variable must be set before OpenBLAS loads, hence the exec. The benchmark context records the
// detected core (openblas_detected_core) and the one used (openblas_core).
void use_matching_openblas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const std::string core = openblas_get_corename();
  if (core != "Prescott" && core != "Core2" && core != "Katmai" && core != "Coppermine" &&
      core != "Northwood") {
    return;
  }
  const char* wanted = isa_supported(Isa::avx512) ? "SkylakeX"
                       : isa_supported(Isa::avx2) ? "Haswell"
                                                  : nullptr;
  if (wanted == nullptr) return;
  setenv("OPENBLAS_CORETYPE", wanted, 1);
  setenv("SIMDLR_BENCH_OPENBLAS_DETECTED", core.c_str(), 1);
  execv("/proc/self/exe", argv);
  // exec failed: carry on with OpenBLAS's own choice.
  unsetenv("OPENBLAS_CORETYPE");
  unsetenv("SIMDLR_BENCH_OPENBLAS_DETECTED");
}

}  // namespace
}  // namespace simdlr::bench

int main(int argc, char** argv) {
  using namespace simdlr::bench;
  use_matching_openblas_kernels(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string active;
  try {
    active = std::string(simdlr::isa_name(simdlr::active_isa()));
  } catch (const std::exception& e) {
    active = std::string("error: ") + e.what();
  }
  benchmark::AddCustomContext("simdlr_isa", active);
  benchmark::AddCustomContext("simdlr_supported_isas", supported_isa_list());
  benchmark::AddCustomContext("simdlr_cpu", cpu_model());
  benchmark::AddCustomContext("simdlr_l3_bytes", std::to_string(l3_bytes()));
  benchmark::AddCustomContext("simdlr_big_bytes", std::to_string(big_bytes()));
  benchmark::AddCustomContext("simdlr_omp_max_threads", std::to_string(default_threads()));
  benchmark::AddCustomContext("simdlr_read_reference_isa", std::string(read_isa()));
  benchmark::AddCustomContext("simdlr_softmax_classes", std::to_string(kSoftmaxClasses));
  benchmark::AddCustomContext("openblas_config", openblas_get_config());
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  const char* detected = std::getenv("SIMDLR_BENCH_OPENBLAS_DETECTED");
  benchmark::AddCustomContext("openblas_detected_core",
                              detected ? detected : openblas_get_corename());
  register_all();
  // OpenBLAS starts its workers when the library loads, and they spin before they first sleep:
  // without this wait the first 2-thread benchmark of a run shares a core with a spinning worker
  // (measured: 8 ms instead of 7 us per 65,536-element dot).
  let_openblas_workers_sleep();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
