// Drivers of the kernels over a data matrix: margins, Xᵀr, the fused logistic and softmax
// passes, Hessian-vector products and the weighted Gram matrix. They cut X into row chunks, run
// the chunk kernels of the active ISA under OpenMP, each into its own partial-result slot, and
// combine the slots pairwise. The scalar twins run the plain loop over all rows in one chunk.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "argument_checks.hpp"
#include "chunking.hpp"
#include "dispatch.hpp"
#include "scalar_body.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/row_partition.hpp"

namespace simdlr {
namespace detail {
namespace {

// The chunks of a pass that this process computes: all of them, or, with a row partition active
// (<simdlr/row_partition.hpp>), those of its own block, and where every part's chunks begin.
struct Share {
  const RowPartition* partition = nullptr;
  std::size_t first = 0, last = 0;
  std::vector<std::size_t> first_chunk;  // parts() + 1 entries (partition only)
};

[[noreturn]] void throw_unaligned(const char* kernel, std::size_t part, std::size_t row,
                                  const ChunkPlan& plan) {
  throw InvalidArgument(std::string(kernel) + ": the row block of part " + std::to_string(part) +
                        " starts at global row " + std::to_string(row) +
                        ", inside a chunk of this pass (chunks of " + std::to_string(plan.size) +
                        " of " + std::to_string(plan.total) +
                        " rows): distributed row blocks must start on chunk boundaries (see "
                        "simdlr::distributed::row_range)");
}

// The share of `plan` (made for the partition's global row count when one is active). Every part
// checks every part's block, so all of them throw alike.
inline Share share_of(const char* kernel, const ChunkPlan& plan, const RowPartition* partition) {
  Share s;
  if (partition == nullptr) {
    s.last = plan.count;
    return s;
  }
  s.partition = partition;
  const std::size_t parts = partition->parts();
  s.first_chunk.resize(parts + 1);
  for (std::size_t p = 0; p <= parts; ++p) {
    const std::size_t row = partition->row_offset(p);
    if (row >= plan.total) {
      s.first_chunk[p] = plan.count;
    } else if (row % plan.size != 0) {
      throw_unaligned(kernel, p, row, plan);
    } else {
      s.first_chunk[p] = row / plan.size;
    }
  }
  s.first = s.first_chunk[partition->part()];
  s.last = s.first_chunk[partition->part() + 1];
  return s;
}

// Runs body(c) for the chunks c in [first, last), on `threads` threads.
template <class Body>
void for_each_chunk_of(const Share& share, const ChunkPlan& plan, int threads, const Body& body) {
  const ChunkPlan owned{plan.total, plan.size, share.last - share.first};
  for_each_chunk(owned, threads, [&](std::size_t c) { body(share.first + c); });
}

// Which chunk kernels run and how: the active ISA cut into chunks, or the plain twin in one.
template <class T>
struct Engine {
  const KernelTable<T>& k;
  bool chunked;
  Threads threads;
  const RowPartition* partition = nullptr;  // the active row partition (chunked kernels only)

  // The plan of a pass over `rows` local rows: the plan of the global rows when a partition is
  // active, its origin the block's first global row.
  ChunkPlan plan(const char* kernel, std::size_t rows, std::size_t cols,
                 std::size_t partial_size) const {
    if (partition) {
      ChunkPlan p = plan_rows(global_rows(kernel, rows), cols, partial_size);
      p.origin = partition->row_offset(partition->part());
      return p;
    }
    if (chunked) return plan_rows(rows, cols, partial_size);
    return {rows, std::max<std::size_t>(rows, 1), rows == 0 ? 0u : 1u};
  }
  std::size_t global_rows(const char* kernel, std::size_t rows) const {
    if (rows != partition->local_rows()) {
      throw ShapeError(std::string(kernel) + ": X has " + std::to_string(rows) +
                       " rows, the row block of this part " +
                       std::to_string(partition->local_rows()));
    }
    return partition->global_rows();
  }
  int threads_for_plan(const ChunkPlan& p, std::size_t work) const {
    return chunked ? threads_for(p, work, threads) : 1;
  }
};

template <class T>
Engine<T> simd_engine(const char* kernel, Threads threads) {
  check_threads(kernel, threads);
  return {active_table<T>(), true, threads, active_row_partition()};
}

template <class T>
Engine<T> twin_engine(const char* kernel, Threads threads) {
  static constexpr KernelTable<T> plain_table = plain::table<T>();
  check_threads(kernel, threads);
  return {plain_table, false, Threads{1}, nullptr};
}

// Runs chunk(c, slot) for every chunk, each adding into its own zeroed slot of `partial_size`
// elements and returning a scalar; writes the pairwise-combined slot to result and returns the
// pairwise sum of the scalars.
// With a row partition active, this process computes its own chunks' slots, the partition shares
// every chunk's slot and scalar with every part, and every part combines all of them in the same
// tree.
template <class T, class Chunk>
long double run_with_partials(const Engine<T>& e, const char* kernel, const ChunkPlan& plan,
                              std::size_t work, std::size_t partial_size, T* result,
                              const Chunk& chunk) {
  const Share share = share_of(kernel, plan, e.partition);
  if (plan.count == 0) {
    std::fill(result, result + partial_size, T(0));
    return 0;
  }
  // Slots start on cache lines: the chunk kernels' whole-register loads and stores of a slot
  // then never straddle two lines, and no two threads' slots share one.
  const std::size_t stride = whole_lines<T>(partial_size);
  T* slots = scratch_buffer<T>(plan.count * stride, 0);
  long double* scalars = scratch_buffer<long double>(plan.count, 0);
  const ChunkPlan owned{plan.total, plan.size, share.last - share.first};
  for_each_chunk_of(share, plan, e.threads_for_plan(owned, work), [&](std::size_t c) {
    T* slot = slots + c * stride;
    std::fill(slot, slot + partial_size, T(0));
    scalars[c] = chunk(c, slot);
  });
  if (share.partition) {
    share.partition->share_chunks(slots, stride * sizeof(T), share.first_chunk);
    share.partition->share_chunks(scalars, sizeof(long double), share.first_chunk);
  }
  pairwise_combine(slots, plan.count, partial_size, stride);
  std::copy(slots, slots + partial_size, result);
  return pairwise_sum(scalars, plan.count);
}

// Margins of rows in chunks, on the threads the plan allows.
template <class T>
[[gnu::noinline]] void margins_chunked(const Engine<T>& e, MatrixView<const T> X, const T* w, T b,
                                       T* z) {
  const ChunkPlan plan = Engine<T>{e.k, e.chunked, e.threads}.plan("margins", X.rows, X.cols, 0);
  for_each_chunk(plan, e.threads_for_plan(plan, X.rows * X.cols), [&](std::size_t c) {
    const RowsChunk<T> rows = rows_of(X, plan, c);
    e.k.margins(rows.X, rows.rows, rows.cols, rows.stride, w, b, z + plan.begin(c));
  });
}

template <class T>
void margins_impl(const Engine<T>& e, MatrixView<const T> X, const T* w, T b, T* z) {
  check_matrix("margins", X);
  check_pointer("margins", "w", w, X.cols);
  check_pointer("margins", "z", z, X.rows);
  if (rows_fit_one_chunk(X.rows, X.cols)) {
    // A row to predict, say: the chunk kernel on the calling thread, exactly as the one-chunk
    // plan of margins_chunked would run it, without computing the plan or choosing threads.
    if (X.rows > 0) e.k.margins(X.data, X.rows, X.cols, X.stride, w, b, z);
    return;
  }
  margins_chunked(e, X, w, b, z);
}

template <class T>
void transpose_product_impl(const Engine<T>& e, MatrixView<const T> X, const T* r, T* out) {
  check_matrix("transpose_product", X);
  check_pointer("transpose_product", "r", r, X.rows);
  check_pointer("transpose_product", "out", out, X.cols);
  const ChunkPlan plan = e.plan("transpose_product", X.rows, X.cols, X.cols);
  run_with_partials(e, "transpose_product", plan, X.rows * X.cols, X.cols, out,
                    [&](std::size_t c, T* slot) {
                      e.k.transpose_product(rows_of(X, plan, c), r + plan.begin(c), slot);
                      return 0.0L;
                    });
}

template <class T>
void cross_product_impl(const Engine<T>& e, MatrixView<const T> A, MatrixView<const T> B, T* out) {
  const char* name = "cross_product";
  check_matrix(name, A, "A", "A.data");
  check_matrix(name, B, "B", "B.data");
  if (A.rows != B.rows) {
    throw ShapeError(std::string(name) + ": A has " + std::to_string(A.rows) + " rows, B " +
                     std::to_string(B.rows));
  }
  const std::size_t partial = A.cols * B.cols;
  check_pointer(name, "out", out, partial);
  const ChunkPlan plan = e.plan(name, A.rows, A.cols + B.cols, partial);
  run_with_partials(e, name, plan, A.rows * partial, partial, out, [&](std::size_t c, T* slot) {
    e.k.cross_product(rows_of(A, plan, c), rows_of(B, plan, c), slot);
    return 0.0L;
  });
}

// The one-pass GLM drivers (logistic and squared loss) share everything but the chunk kernel
// and the optional Hessian diagonal and column maxima. Each chunk adds into a slot of d + 1
// partials (grad_w, then grad_b) and takes its column maxima in a slot of its own, combined
// after (exactly, so in any order).
template <class T, class Pass>
double glm_impl(const Engine<T>& e, const char* name, const Pass& a, T* hessian_diag, T* column_max,
                double (*const KernelTable<T>::*kernel)(const GlmChunk<T>&)) {
  check_matrix(name, a.X);
  check_pointer(name, "y", a.y, a.X.rows);
  check_pointer(name, "w", a.w, a.X.cols);
  check_pointer(name, "grad_w", a.grad_w, a.X.cols);
  const std::size_t d = a.X.cols;
  const ChunkPlan plan = e.plan(name, a.X.rows, d, d + 1);
  T* grad = scratch_buffer<T>(d + 1, 1);
  const std::size_t row_bytes = a.X.stride * sizeof(T);
  const bool interleaved = a.X.rows * row_bytes <= kResidentBytes || row_bytes <= kNarrowRowBytes ||
                           (g_interleave_rows && row_bytes >= kLongRowBytes);
  std::vector<T> maxima(column_max ? std::max<std::size_t>(plan.count, 1) * d : 0, T(0));
  const long double loss =
      run_with_partials(e, name, plan, a.X.rows * d, d + 1, grad, [&](std::size_t c, T* slot) {
        const std::size_t i0 = plan.begin(c);
        const GlmChunk<T> chunk{rows_of(a.X, plan, c),
                                a.y + i0,
                                a.sample_weight ? a.sample_weight + i0 : nullptr,
                                a.w,
                                a.b,
                                slot,
                                slot + d,
                                a.margins ? a.margins + i0 : nullptr,
                                hessian_diag ? hessian_diag + i0 : nullptr,
                                column_max ? maxima.data() + c * d : nullptr,
                                interleaved};
        return (long double)(e.k.*kernel)(chunk);
      });
  std::copy(grad, grad + d, a.grad_w);
  if (a.grad_b) *a.grad_b = grad[d];
  if (column_max) {
    std::fill(column_max, column_max + d, T(0));
    for (std::size_t at = 0; at < maxima.size(); ++at)
      column_max[at % d] = std::max(column_max[at % d], maxima[at]);
  }
  return double(loss);
}

template <class T>
double logistic_impl(const Engine<T>& e, const LogisticPass<T>& a) {
  return glm_impl(e, "logistic_loss_grad", a, a.hessian_diag, a.column_max_abs,
                  &KernelTable<T>::logistic);
}

template <class T>
double squared_impl(const Engine<T>& e, const SquaredPass<T>& a) {
  return glm_impl(e, "squared_loss_grad", a, static_cast<T*>(nullptr), static_cast<T*>(nullptr),
                  &KernelTable<T>::squared);
}

// The K x d matrix M transposed to d rows of softmax_padded_classes(K) values, zero-padded: the
// layout the vectorized softmax kernels read (lanes = classes). One buffer per calling thread,
// valid until its next call; the chunk kernels only read it.
template <class T>
const T* classes_transposed(const T* M, std::size_t K, std::size_t d) {
  thread_local std::vector<T> buffer;
  const std::size_t padded = softmax_padded_classes(K);
  buffer.assign(d * padded, T(0));
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t j = 0; j < d; ++j)
      buffer[j * padded + k] = M[k * d + j];
  }
  return buffer.data();
}

// What the two softmax drivers share. Each chunk adds into a slot of K x d + K partials (the
// matrix, then the intercepts) and uses its own scratch; M_t is the K x d matrix the logits are
// taken with, transposed.
template <class T>
struct SoftmaxRun {
  std::size_t K, d, partial;
  ChunkPlan plan;
  std::size_t scratch_each;
  T* scratch;
  T* result;  // the combined slot
  const T* M_t;

  T* scratch_of(std::size_t c) const { return scratch + c * scratch_each; }
  // Copies the combined slot to the caller's matrix and (optional) intercepts.
  void finish(T* out, T* out_b) const {
    std::copy(result, result + K * d, out);
    if (out_b) std::copy(result + K * d, result + partial, out_b);
  }
};

template <class T>
void check_softmax_shape(const char* name, MatrixView<const T> X, std::size_t n_classes) {
  check_matrix(name, X);
  if (n_classes == 0) throw InvalidArgument(std::string(name) + ": n_classes must be >= 1");
}

// Call once the arguments are checked (M is read here).
template <class T>
SoftmaxRun<T> softmax_run(const Engine<T>& e, const char* kernel, MatrixView<const T> X,
                          std::size_t K, const T* M) {
  const std::size_t d = X.cols, partial = K * d + K;
  const ChunkPlan plan = e.plan(kernel, X.rows, d, partial);
  const std::size_t scratch_each = softmax_scratch_size(K);
  T* scratch = scratch_buffer<T>(std::max<std::size_t>(plan.count, 1) * scratch_each, 1);
  return {K,
          d,
          partial,
          plan,
          scratch_each,
          scratch,
          scratch_buffer<T>(partial, 2),
          classes_transposed(M, K, d)};
}

template <class T>
double softmax_impl(const Engine<T>& e, const SoftmaxPass<T>& a) {
  const char* name = "softmax_loss_grad";
  check_softmax_shape(name, a.X, a.n_classes);
  const std::size_t n = a.X.rows, d = a.X.cols, K = a.n_classes;
  check_pointer(name, "labels", a.labels, n);
  check_pointer(name, "W", a.W, K * d);
  check_pointer(name, "grad_W", a.grad_W, K * d);
  for (std::size_t i = 0; i < n; ++i) {
    if (a.labels[i] < 0 || std::size_t(a.labels[i]) >= K) {
      throw InvalidArgument(std::string(name) + ": labels[" + std::to_string(i) +
                            "] = " + std::to_string(a.labels[i]) + " is outside [0, " +
                            std::to_string(K) + ")");
    }
  }
  const SoftmaxRun<T> run = softmax_run(e, name, a.X, K, a.W);
  const long double loss = run_with_partials(
      e, name, run.plan, n * d * K, run.partial, run.result, [&](std::size_t c, T* slot) {
        const std::size_t i0 = run.plan.begin(c);
        const SoftmaxChunk<T> chunk{rows_of(a.X, run.plan, c),
                                    a.labels + i0,
                                    K,
                                    a.sample_weight ? a.sample_weight + i0 : nullptr,
                                    a.W,
                                    a.b,
                                    slot,
                                    slot + K * d,
                                    a.probabilities ? a.probabilities + i0 * K : nullptr,
                                    run.scratch_of(c),
                                    run.M_t};
        return (long double)e.k.softmax(chunk);
      });
  run.finish(a.grad_W, a.grad_b);
  return double(loss);
}

template <class T>
void softmax_hessian_impl(const Engine<T>& e, const SoftmaxHessianPass<T>& a) {
  const char* name = "softmax_hessian_vector";
  check_softmax_shape(name, a.X, a.n_classes);
  const std::size_t n = a.X.rows, d = a.X.cols, K = a.n_classes;
  check_pointer(name, "probabilities", a.probabilities, n * K);
  check_pointer(name, "V", a.V, K * d);
  check_pointer(name, "out", a.out, K * d);
  const SoftmaxRun<T> run = softmax_run(e, name, a.X, K, a.V);
  run_with_partials(
      e, name, run.plan, n * d * K, run.partial, run.result, [&](std::size_t c, T* slot) {
        const std::size_t i0 = run.plan.begin(c);
        const SoftmaxHessianChunk<T> chunk{rows_of(a.X, run.plan, c),
                                           K,
                                           a.probabilities + i0 * K,
                                           a.sample_weight ? a.sample_weight + i0 : nullptr,
                                           a.V,
                                           a.v_b,
                                           slot,
                                           slot + K * d,
                                           run.scratch_of(c),
                                           run.M_t};
        e.k.softmax_hessian_vector(chunk);
        return 0.0L;
      });
  run.finish(a.out, a.out_b);
}

template <class T>
void hessian_vector_impl(const Engine<T>& e, MatrixView<const T> X, const T* dw, const T* v, T v_b,
                         T* out, T* out_b) {
  const char* name = "hessian_vector";
  check_matrix(name, X);
  check_pointer(name, "v", v, X.cols);
  check_pointer(name, "out", out, X.cols);
  const std::size_t d = X.cols;
  const ChunkPlan plan = e.plan(name, X.rows, d, d + 1);
  T* result = scratch_buffer<T>(d + 1, 1);
  run_with_partials(e, name, plan, X.rows * d, d + 1, result, [&](std::size_t c, T* slot) {
    e.k.hessian_vector(rows_of(X, plan, c), dw ? dw + plan.begin(c) : nullptr, v, v_b, slot,
                       slot + d);
    return 0.0L;
  });
  std::copy(result, result + d, out);
  if (out_b) *out_b = result[d];
}

// into += from over the upper triangle (diagonal included) of m x m row-major matrices, the rows
// shared among `threads` threads when that pays.
template <class T>
void add_upper(T* into, const T* from, std::size_t m, int threads) {
  const auto row = [&](std::size_t j) {
    for (std::size_t k = j; k < m; ++k)
      into[j * m + k] += from[j * m + k];
  };
  if (threads <= 1 || m * m / 2 < kParallelMinWork) {
    for (std::size_t j = 0; j < m; ++j)
      row(j);
    return;
  }
  const long rows = long(m);
#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (long j = 0; j < rows; ++j)
    row(std::size_t(j));
}

// The fixed pairwise tree of pairwise_combine over `count` chunk partials: at level s = 1, 2, 4,
// ... the partial of chunk g + s is added into that of g for every g that is a multiple of 2s
// with g + s < count. Group [g, group_end(g, s)) is what that node sums.
inline std::size_t group_end(std::size_t g, std::size_t s, std::size_t count) {
  return std::min(g + 2 * s, count);
}

// out = the symmetric matrix whose upper triangle (diagonal included) is that of `upper` (both
// m x m), in 32 x 32 tiles so the mirrored writes stay within a few cache lines; tile rows shared
// among `threads` threads when that pays.
template <class T>
void write_symmetric(const T* upper, std::size_t m, T* out, int threads) {
  constexpr std::size_t kTile = 32;
  const auto tile_row = [&](std::size_t j0) {
    const std::size_t j1 = std::min(j0 + kTile, m);
    for (std::size_t k0 = j0; k0 < m; k0 += kTile) {
      const std::size_t k1 = std::min(k0 + kTile, m);
      for (std::size_t j = j0; j < j1; ++j) {
        for (std::size_t k = std::max(k0, j); k < k1; ++k) {
          const T v = upper[j * m + k];
          out[j * m + k] = v;
          out[k * m + j] = v;
        }
      }
    }
  };
  const long tile_rows = long((m + kTile - 1) / kTile);
  if (threads <= 1 || m * m < kParallelMinWork) {
    for (long t = 0; t < tile_rows; ++t)
      tile_row(std::size_t(t) * kTile);
    return;
  }
#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (long t = 0; t < tile_rows; ++t)
    tile_row(std::size_t(t) * kTile);
}

// weighted_gram on one block of a partitioned matrix (<simdlr/row_partition.hpp>). Chunk c belongs
// to the part holding its first row; a part whose block starts inside a chunk sends those first
// rows (and their weights) to that chunk's part, which computes the chunk from its own rows and
// the ones it received, in row order. Every chunk's slot is then shared and all of them are added
// in the tree's order: the same bits as the single-process kernel, for any split of the rows.
template <class T>
void gram_over_partition(const Engine<T>& e, MatrixView<const T> X, const T* dw, T* out,
                         const ChunkPlan& plan) {
  const RowPartition& partition = *e.partition;
  const std::size_t parts = partition.parts(), me = partition.part(), m = X.cols;
  const std::size_t size = plan.size, count = plan.count, total = plan.total;
  if (count == 0) {  // no rows anywhere (the same on every part)
    std::fill(out, out + m * m, T(0));
    return;
  }
  const auto offset = [&](std::size_t p) { return partition.row_offset(p); };
  // Part p computes the chunks [first[p], first[p + 1]): those whose first row it holds.
  std::vector<std::size_t> first(parts + 1);
  for (std::size_t p = 0; p <= parts; ++p)
    first[p] = std::min(count, (offset(p) + size - 1) / size);
  const auto owner = [&](std::size_t c) {
    return std::size_t(std::upper_bound(first.begin(), first.end(), c) - first.begin()) - 1;
  };
  // Part p's rows before its first chunk boundary, [offset(p), head_end(p)): they belong to a
  // chunk of an earlier part.
  const auto head_end = [&](std::size_t p) {
    return std::min(offset(p + 1), std::max(offset(p), first[p] * size));
  };
  const std::size_t values = m + 1;  // a row and its weight
  std::vector<std::size_t> send_counts(parts, 0), receive_counts(parts, 0);
  std::vector<T> send;
  if (offset(me) < head_end(me)) {
    const std::size_t rows = head_end(me) - offset(me);
    send.resize(rows * values);
    for (std::size_t i = 0; i < rows; ++i) {
      std::copy(X.row(i), X.row(i) + m, send.data() + i * values);
      send[i * values + m] = dw ? dw[i] : T(1);
    }
    send_counts[owner(offset(me) / size)] = send.size() * sizeof(T);
  }
  std::size_t received_rows = 0;
  for (std::size_t q = 0; q < parts; ++q) {
    if (q != me && offset(q) < head_end(q) && owner(offset(q) / size) == me) {
      receive_counts[q] = (head_end(q) - offset(q)) * values * sizeof(T);
      received_rows += head_end(q) - offset(q);
    }
  }
  std::vector<T> received(received_rows * values);
  partition.exchange(std::as_bytes(std::span<const T>(send)), send_counts,
                     std::as_writable_bytes(std::span<T>(received)), receive_counts);

  const std::size_t stride = whole_lines<T>(m * m);
  const std::size_t scratch_each = whole_lines<T>(e.k.gram_scratch(m));
  const std::size_t mine_first = first[me], mine_last = first[me + 1];
  // The last chunk of this part continues into the next blocks when rows were received.
  const std::size_t whole_last = received_rows > 0 ? mine_last - 1 : mine_last;
  const ChunkPlan owned{total, size, whole_last > mine_first ? whole_last - mine_first : 0};
  const int threads = e.threads_for_plan(owned, owned.count * size * m * m / 2);
  T* slots = scratch_buffer<T>(count * stride, 0);
  T* scratch = scratch_buffer<T>(std::size_t(std::max(threads, 1)) * scratch_each, 1);
  const auto slot = [&](std::size_t c) { return slots + c * stride; };
  for_each_chunk(owned, threads, [&](std::size_t k) {
    const std::size_t c = mine_first + k;
    const RowsChunk<T> rows = rows_of(X, plan, c);
    e.k.gram_upper(rows, dw ? dw + plan.begin(c) : nullptr, slot(c),
                   scratch + std::size_t(thread_index()) * scratch_each,
                   X.rows - plan.begin(c) - rows.rows);
  });
  if (received_rows > 0) {
    const std::size_t c = mine_last - 1, local = plan.begin(c), own = X.rows - local;
    const std::size_t rows = own + received_rows;
    if (rows != plan.length(c)) throw InvalidArgument("weighted_gram: inconsistent row partition");
    std::vector<T> chunk(rows * m), weight(rows);
    for (std::size_t i = 0; i < own; ++i) {
      std::copy(X.row(local + i), X.row(local + i) + m, chunk.data() + i * m);
      weight[i] = dw ? dw[local + i] : T(1);
    }
    for (std::size_t i = 0; i < received_rows; ++i) {
      std::copy(received.data() + i * values, received.data() + i * values + m,
                chunk.data() + (own + i) * m);
      weight[own + i] = received[i * values + m];
    }
    e.k.gram_upper(RowsChunk<T>{chunk.data(), rows, m, m}, dw ? weight.data() : nullptr, slot(c),
                   scratch, 0);
  }
  partition.share_chunks(slots, stride * sizeof(T), first);
  for (std::size_t s = 1; s < count; s *= 2) {
    for (std::size_t g = 0; g + s < count; g += 2 * s)
      add_upper(slot(g), slot(g + s), m, threads);
  }
  write_symmetric(slot(0), m, out, threads);
}

// Each chunk writes the upper triangle of its own slot, using its thread's packing buffer. The
// slots are summed in the fixed pairwise tree of pairwise_combine (so the bits do not depend on
// the thread count), but each thread adds the nodes whose chunks it computed itself as soon as
// they are complete, while they are in its caches; the few nodes spanning two threads' ranges
// are added afterwards. The sum is mirrored into out.
template <class T>
void gram_impl(const Engine<T>& e, MatrixView<const T> X, const T* dw, T* out) {
  check_matrix("weighted_gram", X);
  check_pointer("weighted_gram", "out", out, X.cols * X.cols);
  const std::size_t m = X.cols;
  if (m == 0) return;
  const char* name = "weighted_gram";
  if (e.partition) {
    ChunkPlan plan = plan_gram(e.global_rows(name, X.rows), m);
    plan.origin = e.partition->row_offset(e.partition->part());
    gram_over_partition(e, X, dw, out, plan);
    return;
  }
  const ChunkPlan plan = e.chunked ? plan_gram(X.rows, m) : e.plan(name, X.rows, m, m * m);
  const Share share = share_of(name, plan, e.partition);
  const std::size_t count = plan.count;
  if (count == 0) {
    std::fill(out, out + m * m, T(0));
    return;
  }
  const ChunkPlan owned{plan.total, plan.size, share.last - share.first};
  const int threads = e.threads_for_plan(owned, X.rows * m * m / 2);
  const std::size_t stride = whole_lines<T>(m * m);
  const std::size_t scratch_each = whole_lines<T>(e.k.gram_scratch(m));
  T* slots = scratch_buffer<T>(count * stride, 0);
  T* scratch = scratch_buffer<T>(std::size_t(std::max(threads, 1)) * scratch_each, 1);
  const auto slot = [&](std::size_t c) { return slots + c * stride; };
  const int team =
      for_each_chunk_range(count, threads, [&](std::size_t first, std::size_t last, int t) {
        for (std::size_t c = first; c < last; ++c) {
          const RowsChunk<T> rows = rows_of(X, plan, c);
          e.k.gram_upper(rows, dw ? dw + plan.begin(c) : nullptr, slot(c),
                         scratch + std::size_t(t) * scratch_each,
                         X.rows - plan.begin(c) - rows.rows);
          // The nodes chunk c completes: c is the last chunk of their group, all in this range.
          for (std::size_t s = 1; s < count; s *= 2) {
            const std::size_t g = c - c % (2 * s), end = group_end(g, s, count);
            if (c + 1 != end || g < first) break;
            if (g + s < end) add_upper(slot(g), slot(g + s), m, 1);
          }
        }
      });
  // The nodes whose group spans two threads' ranges, in the tree's order.
  const auto range_of = [&](std::size_t c) {
    int t = 0;
    while (t + 1 < team && chunk_range_begin(count, team, t + 1) <= c)
      ++t;
    return t;
  };
  for (std::size_t s = 1; s < count; s *= 2) {
    for (std::size_t g = 0; g + s < count; g += 2 * s) {
      if (range_of(g) != range_of(group_end(g, s, count) - 1))
        add_upper(slot(g), slot(g + s), m, threads);
    }
  }
  write_symmetric(slot(0), m, out, threads);
}

// Whether X holds a NaN or ±inf: the chunk scan on the plan's chunks, stopping at the first hit
// on one thread; on several, chunks not yet started are skipped once one has found something.
template <class T>
bool has_non_finite_impl(const Engine<T>& e, MatrixView<const T> X) {
  check_matrix("has_non_finite", X);
  const ChunkPlan plan =
      Engine<T>{e.k, e.chunked, e.threads}.plan("has_non_finite", X.rows, X.cols, 0);
  const int nt = e.threads_for_plan(plan, X.rows * X.cols);
  if (nt <= 1) {
    for (std::size_t c = 0; c < plan.count; ++c)
      if (e.k.any_non_finite(rows_of(X, plan, c))) return true;
    return false;
  }
  std::atomic<bool> found{false};
  for_each_chunk(plan, nt, [&](std::size_t c) {
    if (!found.load(std::memory_order_relaxed) && e.k.any_non_finite(rows_of(X, plan, c)))
      found.store(true, std::memory_order_relaxed);
  });
  return found.load();
}

// Column maxima of |x|: each chunk into its own slot, the slots then combined (exactly, so in any
// order).
template <class T>
bool column_max_abs_impl(const Engine<T>& e, MatrixView<const T> X, T* out) {
  check_matrix("column_max_abs", X);
  check_pointer("column_max_abs", "out", out, X.cols);
  const std::size_t d = X.cols;
  // Maxima are exact in any order: the local block's, whether or not a row partition is active.
  const ChunkPlan plan = Engine<T>{e.k, e.chunked, e.threads}.plan("column_max_abs", X.rows, d, d);
  std::vector<T> slots(plan.count * d, T(0));
  std::vector<char> finite(plan.count, 1);
  for_each_chunk(plan, e.threads_for_plan(plan, X.rows * d), [&](std::size_t c) {
    finite[c] = e.k.column_max_abs(rows_of(X, plan, c), &slots[c * d]) ? 1 : 0;
  });
  std::fill(out, out + d, T(0));
  for (std::size_t c = 0; c < plan.count; ++c)
    for (std::size_t j = 0; j < d; ++j)
      out[j] = std::max(out[j], slots[c * d + j]);
  return std::find(finite.begin(), finite.end(), 0) == finite.end();
}

// The widened row kernels run on the calling thread, over X as one chunk.
template <class T>
void widened_margins_impl(const Engine<T>& e, MatrixView<const T> X, const double* w, double b,
                          double* z) {
  check_matrix("widened_margins", X);
  check_pointer("widened_margins", "w", w, X.cols);
  check_pointer("widened_margins", "z", z, X.rows);
  if (X.rows > 0) e.k.widened_margins(RowsChunk<T>{X.data, X.rows, X.cols, X.stride}, w, b, z);
}

template <class T>
void widened_accumulate_impl(const Engine<T>& e, MatrixView<const T> X, const double* r,
                             double* sum) {
  check_matrix("widened_accumulate", X);
  check_pointer("widened_accumulate", "r", r, X.rows);
  check_pointer("widened_accumulate", "sum", sum, X.cols);
  if (X.rows > 0) e.k.widened_accumulate(RowsChunk<T>{X.data, X.rows, X.cols, X.stride}, r, sum);
}

template <class T>
void widened_gram_rows_impl(const Engine<T>& e, MatrixView<const T> X, const double* d, double* out,
                            std::size_t out_stride, double* xtd) {
  check_matrix("widened_gram_rows", X);
  check_pointer("widened_gram_rows", "d", d, X.rows);
  check_pointer("widened_gram_rows", "out", out, X.cols * out_stride);
  check_pointer("widened_gram_rows", "xtd", xtd, X.cols);
  if (out_stride < X.cols) {
    throw ShapeError("widened_gram_rows: out_stride " + std::to_string(out_stride) +
                     " is smaller than X's column count " + std::to_string(X.cols));
  }
  if (X.rows > 0)
    e.k.widened_gram_rows(RowsChunk<T>{X.data, X.rows, X.cols, X.stride}, d, out, out_stride, xtd);
}

}  // namespace
}  // namespace detail

#define SIMDLR_DEFINE_MATRIX_KERNELS(T, ENGINE, PREFIX)                                           \
  void margins(MatrixView<const T> X, const T* w, T b, T* z, Threads t) {                         \
    detail::margins_impl(detail::ENGINE<T>(PREFIX "margins", t), X, w, b, z);                     \
  }                                                                                               \
  void transpose_product(MatrixView<const T> X, const T* r, T* out, Threads t) {                  \
    detail::transpose_product_impl(detail::ENGINE<T>(PREFIX "transpose_product", t), X, r, out);  \
  }                                                                                               \
  void cross_product(MatrixView<const T> A, MatrixView<const T> B, T* out, Threads t) {           \
    detail::cross_product_impl(detail::ENGINE<T>(PREFIX "cross_product", t), A, B, out);          \
  }                                                                                               \
  double logistic_loss_grad(const LogisticPass<T>& pass, Threads t) {                             \
    return detail::logistic_impl(detail::ENGINE<T>(PREFIX "logistic_loss_grad", t), pass);        \
  }                                                                                               \
  double softmax_loss_grad(const SoftmaxPass<T>& pass, Threads t) {                               \
    return detail::softmax_impl(detail::ENGINE<T>(PREFIX "softmax_loss_grad", t), pass);          \
  }                                                                                               \
  void softmax_hessian_vector(const SoftmaxHessianPass<T>& pass, Threads t) {                     \
    detail::softmax_hessian_impl(detail::ENGINE<T>(PREFIX "softmax_hessian_vector", t), pass);    \
  }                                                                                               \
  double squared_loss_grad(const SquaredPass<T>& pass, Threads t) {                               \
    return detail::squared_impl(detail::ENGINE<T>(PREFIX "squared_loss_grad", t), pass);          \
  }                                                                                               \
  void hessian_vector(MatrixView<const T> X, const T* d, const T* v, T v_b, T* out, T* out_b,     \
                      Threads t) {                                                                \
    detail::hessian_vector_impl(detail::ENGINE<T>(PREFIX "hessian_vector", t), X, d, v, v_b, out, \
                                out_b);                                                           \
  }                                                                                               \
  void weighted_gram(MatrixView<const T> X, const T* d, T* out, Threads t) {                      \
    detail::gram_impl(detail::ENGINE<T>(PREFIX "weighted_gram", t), X, d, out);                   \
  }                                                                                               \
  bool has_non_finite(MatrixView<const T> X, Threads t) {                                         \
    return detail::has_non_finite_impl(detail::ENGINE<T>(PREFIX "has_non_finite", t), X);         \
  }                                                                                               \
  bool column_max_abs(MatrixView<const T> X, T* out, Threads t) {                                 \
    return detail::column_max_abs_impl(detail::ENGINE<T>(PREFIX "column_max_abs", t), X, out);    \
  }                                                                                               \
  void widened_margins(MatrixView<const T> X, const double* w, double b, double* z) {             \
    detail::widened_margins_impl(detail::ENGINE<T>(PREFIX "widened_margins", {1}), X, w, b, z);   \
  }                                                                                               \
  void widened_accumulate(MatrixView<const T> X, const double* r, double* sum) {                  \
    detail::widened_accumulate_impl(detail::ENGINE<T>(PREFIX "widened_accumulate", {1}), X, r,    \
                                    sum);                                                         \
  }                                                                                               \
  void widened_gram_rows(MatrixView<const T> X, const double* d, double* out,                     \
                         std::size_t out_stride, double* xtd) {                                   \
    detail::widened_gram_rows_impl(detail::ENGINE<T>(PREFIX "widened_gram_rows", {1}), X, d, out, \
                                   out_stride, xtd);                                              \
  }

namespace kernels {
SIMDLR_DEFINE_MATRIX_KERNELS(float, simd_engine, "")
SIMDLR_DEFINE_MATRIX_KERNELS(double, simd_engine, "")
}  // namespace kernels

namespace scalar {
SIMDLR_DEFINE_MATRIX_KERNELS(float, twin_engine, "scalar::")
SIMDLR_DEFINE_MATRIX_KERNELS(double, twin_engine, "scalar::")
}  // namespace scalar

#undef SIMDLR_DEFINE_MATRIX_KERNELS
}  // namespace simdlr
