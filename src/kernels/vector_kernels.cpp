// Drivers of dot, sigmoid, log_loss and the row-wise softmax: chunking, OpenMP and the fixed-order
// combine around the per-ISA chunk kernels; the scalar twins run the plain loop over the whole
// range.
#include <array>

#include "argument_checks.hpp"
#include "chunking.hpp"
#include "dispatch.hpp"
#include "scalar_body.hpp"

namespace simdlr {
namespace detail {
namespace {

// The chunk loops below hand OpenMP scalars only (firstprivate): a worker thread then reads its
// whole job from the one block libgomp passes it. A closure captured by reference instead sends it
// along a chain of pointers into the calling thread's stack frames, and each hop is a miss in the
// other core's cache (~100 ns on the bench machine): three of them cost 0.3 µs of a 7 µs
// 2-thread dot (bench/README.md).

// fn on chunk c of `plan` of both arrays.
template <class A, class B, class R>
inline R run_chunk(R (*fn)(A*, B*, std::size_t), A* a, B* b, const ChunkPlan& plan, long c) {
  const std::size_t begin = plan.begin(std::size_t(c));
  return fn(a + begin, b + begin, plan.length(std::size_t(c)));
}

// Σ over chunks of fn(x, y) on each chunk, combined in the fixed pairwise order. Partials live in
// a stack array for moderate sizes, a per-thread buffer beyond; cache-line aligned, so the
// threads' contiguous runs of partials (static schedule) do not share a line with each other's.
template <class T, class R>
long double reduce_chunks(R (*fn)(const T*, const T*, std::size_t), const T* x, const T* y,
                          const ChunkPlan& plan, int threads) {
  alignas(64) std::array<long double, 64> local;
  long double* partials =
      plan.count <= local.size() ? local.data() : scratch_buffer<long double>(plan.count);
  const long count = long(plan.count);
  if (threads <= 1) {
    for (long c = 0; c < count; ++c)
      partials[c] = run_chunk(fn, x, y, plan, c);
  } else {
    // The plan's fields as scalars: a worker rebuilds the plan from its own copies.
    const std::size_t total = plan.total, size = plan.size;
#pragma omp parallel for schedule(static) num_threads(threads) \
    firstprivate(fn, x, y, partials, total, size, count)
    for (long c = 0; c < count; ++c)
      partials[c] = run_chunk(fn, x, y, ChunkPlan{total, size, std::size_t(count)}, c);
  }
  return pairwise_sum(partials, plan.count);
}

// fn(in, out) on every chunk.
template <class T>
void map_chunks(void (*fn)(const T*, T*, std::size_t), const T* in, T* out, const ChunkPlan& plan,
                int threads) {
  const long count = long(plan.count);
  if (threads <= 1) {
    for (long c = 0; c < count; ++c)
      run_chunk(fn, in, out, plan, c);
  } else {
    const std::size_t total = plan.total, size = plan.size;  // as in reduce_chunks
#pragma omp parallel for schedule(static) num_threads(threads) \
    firstprivate(fn, in, out, total, size, count)
    for (long c = 0; c < count; ++c)
      run_chunk(fn, in, out, ChunkPlan{total, size, std::size_t(count)}, c);
  }
}

template <class T>
T dot_impl(const T* x, const T* y, std::size_t n, Threads threads) {
  check_vectors("dot", threads, "x", x, "y", y, n);
  const KernelTable<T>& k = active_table<T>();
  if (n <= kVectorChunk) return n == 0 ? T(0) : k.dot(x, y, n);  // one chunk, as the plan has it
  const ChunkPlan plan = plan_vector(n);
  return T(reduce_chunks(k.dot, x, y, plan, threads_for(plan, n, threads)));
}

template <class T>
void sigmoid_impl(const T* z, T* out, std::size_t n, Threads threads) {
  check_vectors("sigmoid", threads, "z", z, "out", out, n);
  const KernelTable<T>& k = active_table<T>();
  if (n <= kVectorChunk) {  // one chunk (a row or two to predict, say): no plan, no thread choice
    if (n > 0) k.sigmoid(z, out, n);
    return;
  }
  const ChunkPlan plan = plan_vector(n);
  // Transcendental work: worth a thread team at a quarter of the usual size.
  const int nt = threads_for(plan, 4 * n, threads);
  map_chunks(k.sigmoid, z, out, plan, nt);
}

template <class T>
T log_loss_impl(const T* z, const T* y, std::size_t n, Threads threads) {
  check_vectors("log_loss", threads, "z", z, "y", y, n);
  const KernelTable<T>& k = active_table<T>();
  const ChunkPlan plan = plan_vector(n);
  if (plan.count == 0) return T(0);
  const int nt = threads_for(plan, 4 * n, threads);
  return T(reduce_chunks(k.log_loss, z, y, plan, nt));
}

// Row-wise softmax of rows x classes values, in chunks of whole rows (each row is independent,
// so the chunking only decides which thread runs it).
template <class T>
void softmax_impl(const T* z, T* out, std::size_t rows, std::size_t classes, Threads threads) {
  check_vectors("softmax", threads, "z", z, "out", out, rows * classes);
  if (classes == 0) return;
  const KernelTable<T>& k = active_table<T>();
  if (rows_fit_one_chunk(rows, classes)) {  // a row to predict, say
    if (rows > 0) k.softmax_rows(z, out, rows, classes);
    return;
  }
  const ChunkPlan plan = plan_rows(rows, classes, 0);
  const int nt = threads_for(plan, 4 * rows * classes, threads);
  for_each_chunk(plan, nt, [&](std::size_t c) {
    const std::size_t begin = plan.begin(c) * classes;
    k.softmax_rows(z + begin, out + begin, plan.length(c), classes);
  });
}

}  // namespace
}  // namespace detail

namespace kernels {
float dot(const float* x, const float* y, std::size_t n, Threads t) {
  return detail::dot_impl(x, y, n, t);
}
double dot(const double* x, const double* y, std::size_t n, Threads t) {
  return detail::dot_impl(x, y, n, t);
}
void sigmoid(const float* z, float* out, std::size_t n, Threads t) {
  detail::sigmoid_impl(z, out, n, t);
}
void sigmoid(const double* z, double* out, std::size_t n, Threads t) {
  detail::sigmoid_impl(z, out, n, t);
}
float log_loss(const float* z, const float* y, std::size_t n, Threads t) {
  return detail::log_loss_impl(z, y, n, t);
}
double log_loss(const double* z, const double* y, std::size_t n, Threads t) {
  return detail::log_loss_impl(z, y, n, t);
}
void softmax(const float* z, float* out, std::size_t rows, std::size_t classes, Threads t) {
  detail::softmax_impl(z, out, rows, classes, t);
}
void softmax(const double* z, double* out, std::size_t rows, std::size_t classes, Threads t) {
  detail::softmax_impl(z, out, rows, classes, t);
}
}  // namespace kernels

namespace scalar {
namespace {
template <class T>
T dot_twin(const T* x, const T* y, std::size_t n, Threads t) {
  detail::check_vectors("scalar::dot", t, "x", x, "y", y, n);
  return detail::plain::dot(x, y, n);
}
template <class T>
void sigmoid_twin(const T* z, T* out, std::size_t n, Threads t) {
  detail::check_vectors("scalar::sigmoid", t, "z", z, "out", out, n);
  detail::plain::sigmoid(z, out, n);
}
template <class T>
T log_loss_twin(const T* z, const T* y, std::size_t n, Threads t) {
  detail::check_vectors("scalar::log_loss", t, "z", z, "y", y, n);
  return T(detail::plain::log_loss(z, y, n));
}
template <class T>
void softmax_twin(const T* z, T* out, std::size_t rows, std::size_t classes, Threads t) {
  detail::check_vectors("scalar::softmax", t, "z", z, "out", out, rows * classes);
  detail::plain::softmax_rows(z, out, rows, classes);
}
}  // namespace

float dot(const float* x, const float* y, std::size_t n, Threads t) {
  return dot_twin(x, y, n, t);
}
double dot(const double* x, const double* y, std::size_t n, Threads t) {
  return dot_twin(x, y, n, t);
}
void sigmoid(const float* z, float* out, std::size_t n, Threads t) {
  sigmoid_twin(z, out, n, t);
}
void sigmoid(const double* z, double* out, std::size_t n, Threads t) {
  sigmoid_twin(z, out, n, t);
}
float log_loss(const float* z, const float* y, std::size_t n, Threads t) {
  return log_loss_twin(z, y, n, t);
}
double log_loss(const double* z, const double* y, std::size_t n, Threads t) {
  return log_loss_twin(z, y, n, t);
}
void softmax(const float* z, float* out, std::size_t rows, std::size_t classes, Threads t) {
  softmax_twin(z, out, rows, classes, t);
}
void softmax(const double* z, double* out, std::size_t rows, std::size_t classes, Threads t) {
  softmax_twin(z, out, rows, classes, t);
}
}  // namespace scalar
}  // namespace simdlr
