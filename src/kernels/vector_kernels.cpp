// Drivers of dot, sigmoid and log_loss: chunking, OpenMP and the fixed-order combine around the
// per-ISA chunk kernels; the scalar twins run the plain loop over the whole range.
#include <array>

#include "../cpu/dispatch.hpp"
#include "argument_checks.hpp"
#include "chunking.hpp"
#include "scalar_body.hpp"

namespace simdlr {
namespace detail {
namespace {

// Chunk partials of a reduction: a stack array for moderate sizes, a per-thread buffer beyond.
// Cache-line aligned, so the threads' contiguous runs of partials do not share a line with
// each other's (with a static schedule each thread writes one run).
long double reduce_chunks(const ChunkPlan& plan, int threads, const auto& chunk_value) {
  alignas(64) std::array<long double, 64> local;
  long double* partials =
      plan.count <= local.size() ? local.data() : scratch_buffer<long double>(plan.count);
  for_each_chunk(plan, threads, [&](std::size_t c) { partials[c] = chunk_value(c); });
  return pairwise_sum(partials, plan.count);
}

template <class T>
T dot_impl(const T* x, const T* y, std::size_t n, Threads threads) {
  check_threads("dot", threads);
  check_pointer("dot", "x", x, n);
  check_pointer("dot", "y", y, n);
  const KernelTable<T>& k = active_table<T>();
  const ChunkPlan plan = plan_vector(n);
  if (plan.count <= 1) return n == 0 ? T(0) : k.dot(x, y, n);
  const int nt = threads_for(plan, n, threads);
  return T(reduce_chunks(plan, nt, [&](std::size_t c) {
    return (long double)k.dot(x + plan.begin(c), y + plan.begin(c), plan.length(c));
  }));
}

template <class T>
void sigmoid_impl(const T* z, T* out, std::size_t n, Threads threads) {
  check_threads("sigmoid", threads);
  check_pointer("sigmoid", "z", z, n);
  check_pointer("sigmoid", "out", out, n);
  const KernelTable<T>& k = active_table<T>();
  const ChunkPlan plan = plan_vector(n);
  // Transcendental work: worth a thread team at a quarter of the usual size.
  const int nt = threads_for(plan, 4 * n, threads);
  for_each_chunk(plan, nt, [&](std::size_t c) {
    k.sigmoid(z + plan.begin(c), out + plan.begin(c), plan.length(c));
  });
}

template <class T>
T log_loss_impl(const T* z, const T* y, std::size_t n, Threads threads) {
  check_threads("log_loss", threads);
  check_pointer("log_loss", "z", z, n);
  check_pointer("log_loss", "y", y, n);
  const KernelTable<T>& k = active_table<T>();
  const ChunkPlan plan = plan_vector(n);
  if (plan.count == 0) return T(0);
  const int nt = threads_for(plan, 4 * n, threads);
  return T(reduce_chunks(plan, nt, [&](std::size_t c) {
    return (long double)k.log_loss(z + plan.begin(c), y + plan.begin(c), plan.length(c));
  }));
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
}  // namespace kernels

namespace scalar {
namespace {
template <class T>
T dot_twin(const T* x, const T* y, std::size_t n, Threads t) {
  detail::check_threads("scalar::dot", t);
  detail::check_pointer("scalar::dot", "x", x, n);
  detail::check_pointer("scalar::dot", "y", y, n);
  return detail::plain::dot(x, y, n);
}
template <class T>
void sigmoid_twin(const T* z, T* out, std::size_t n, Threads t) {
  detail::check_threads("scalar::sigmoid", t);
  detail::check_pointer("scalar::sigmoid", "z", z, n);
  detail::check_pointer("scalar::sigmoid", "out", out, n);
  detail::plain::sigmoid(z, out, n);
}
template <class T>
T log_loss_twin(const T* z, const T* y, std::size_t n, Threads t) {
  detail::check_threads("scalar::log_loss", t);
  detail::check_pointer("scalar::log_loss", "z", z, n);
  detail::check_pointer("scalar::log_loss", "y", y, n);
  return T(detail::plain::log_loss(z, y, n));
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
}  // namespace scalar
}  // namespace simdlr
