// The per-ISA dispatch table: chunk-level kernels, one set per ISA and element type.
//
// A chunk kernel works on a contiguous range of elements or rows on the calling thread; the
// drivers (vector_kernels.cpp, matrix_kernels.cpp) split the work into chunks, run them under
// OpenMP and combine the partials. Chunk kernels that produce vectors *add* into their output (the
// driver zeroes it), except gram_upper, which writes its triangle.
//
// This header is included by the per-ISA translation units, which are compiled with AVX2 or
// AVX-512 flags. It must stay plain data: no STL containers and no inline functions that the
// rest of the library also instantiates, or the linker could keep an AVX-512 copy of a shared
// weak symbol for the whole program.
#pragma once

#include <cstddef>
#include <cstdint>

namespace simdlr::detail {

// Whether the row sweeps prefetch in software (per-line prefetches ahead of the rows they read,
// page kicks). Set once, before the first kernel runs, by the ISA selection (dispatch.cpp): on
// for Intel, where they keep the memory stream busy, off for AMD, where the hardware prefetchers
// stream faster alone (bench/README.md, "Software prefetching per CPU"). Speed only: the bits
// are the same either way.
extern bool g_sweep_prefetch;
// Whether the GLM passes take the margins of rows of at least kLongRowBytes a column step across
// a block's rows wherever X is (see kResidentBytes for where they always do). Set with
// g_sweep_prefetch: on for Intel, where with X in memory 100,000 x 1,000 fits took 12-17 % less
// time (but 10⁶ x 100 float64, rows of 800 bytes, 6 % more), off for AMD, where interleaving
// long rows halves the memory stream. Speed only: the bits are the same either way.
extern bool g_interleave_rows;

template <class T>
struct RowsChunk {
  const T* X;  // first row of the chunk
  std::size_t rows, cols, stride;
};

// A chunk of a generalised-linear-model pass: the logistic loss (σ, softplus) and the squared
// loss (identity, ½ r²) share it.
// Where a GLM pass takes a block's margins a column step across its rows (GlmChunk::interleaved,
// full_block_margins' Interleaved; the same bits either way), whatever the CPU: where all of X is
// at most kResidentBytes, taken to sit in cache across a fit's passes (x86-64 servers have a
// last-level cache of 16 MiB or more), the core would otherwise wait on one row's chain of
// multiply-adds and on its loads; and where a row is at most kNarrowRowBytes, a block's rows are
// one short stretch of memory read in either order. Elsewhere only rows of at least
// kLongRowBytes, with g_interleave_rows.
inline constexpr std::size_t kResidentBytes = std::size_t(16) << 20;
inline constexpr std::size_t kNarrowRowBytes = 128;
inline constexpr std::size_t kLongRowBytes = 2048;

template <class T>
struct GlmChunk {
  RowsChunk<T> X;
  const T* y;
  const T* sample_weight;  // may be null
  const T* w;
  T b;
  T* grad_w;        // adds into
  T* grad_b;        // adds into; may be null
  T* margins;       // may be null
  T* hessian_diag;  // may be null; the squared loss leaves it unused
  T* column_max;  // max(column_max_j, |x_ij|) into; may be null; the squared loss leaves it unused
  bool interleaved = false;  // margins a column step across a block's rows: see kResidentBytes
};

template <class T>
struct SoftmaxChunk {
  RowsChunk<T> X;
  const std::int32_t* labels;
  std::size_t n_classes;
  const T* sample_weight;  // may be null
  const T* W;
  const T* b;        // may be null
  T* grad_W;         // adds into
  T* grad_b;         // adds into; may be null
  T* probabilities;  // may be null
  T* scratch;        // softmax_scratch_size(n_classes) elements, owned by the driver
  const T* W_t;      // W transposed: cols rows of softmax_padded_classes(n_classes), zero-padded
};

template <class T>
struct SoftmaxHessianChunk {
  RowsChunk<T> X;
  std::size_t n_classes;
  const T* probabilities;  // rows x K
  const T* sample_weight;  // may be null
  const T* V;              // K x d direction
  const T* v_b;            // K, may be null
  T* out;                  // K x d, adds into
  T* out_b;                // K, adds into
  T* scratch;              // softmax_scratch_size(n_classes) elements
  const T* V_t;            // V transposed, laid out as SoftmaxChunk::W_t
};

// The softmax chunk kernels work on blocks of this many rows at once.
inline constexpr std::size_t kSoftmaxBlockRows = 8;

// Scratch elements the softmax chunk kernels need for K classes: five buffers of a block of rows
// of K values each (the logits as rows and as classes, the exponentials, the residuals, the
// intercepts' gradient in at most a block's lanes), every row padded to a whole number of the
// widest SIMD register (16 floats), and the gradient's last columns, a register of at most 16
// values for each class.
constexpr std::size_t softmax_padded_classes(std::size_t n_classes) {
  return (n_classes + 15) / 16 * 16;
}
constexpr std::size_t softmax_scratch_size(std::size_t n_classes) {
  return 5 * kSoftmaxBlockRows * softmax_padded_classes(n_classes) +
         16 * softmax_padded_classes(n_classes);
}

// weighted_gram's chunks are whole multiples of this many rows (plan_gram) except the last, so
// the blocks of rows its chunk kernels work in (a divisor of it) fill them.
inline constexpr std::size_t kGramChunkRowStep = 128;

template <class T>
struct KernelTable {
  T (*dot)(const T* x, const T* y, std::size_t n);
  void (*sigmoid)(const T* z, T* out, std::size_t n);
  double (*log_loss)(const T* z, const T* y, std::size_t n);
  // Rows of X as plain arguments (in registers: the one-row prediction path calls it directly).
  void (*margins)(const T* X, std::size_t rows, std::size_t cols, std::size_t stride, const T* w,
                  T b, T* z);
  void (*transpose_product)(RowsChunk<T> X, const T* r, T* out);
  // out[p · B.cols + q] += Σ_i a_ip b_iq over the chunk's rows of A and B (the same rows).
  void (*cross_product)(RowsChunk<T> A, RowsChunk<T> B, T* out);
  double (*logistic)(const GlmChunk<T>& args);
  double (*softmax)(const SoftmaxChunk<T>& args);
  void (*softmax_hessian_vector)(const SoftmaxHessianChunk<T>& args);
  double (*squared)(const GlmChunk<T>& args);  // hessian_diag unused
  void (*hessian_vector)(RowsChunk<T> X, const T* d, const T* v, T v_b, T* out, T* out_b);
  // Writes (does not add) the upper triangle, diagonal included, of Σ d_i x_i x_iᵀ over the
  // chunk's rows into out (cols x cols; elements below the diagonal are scratch). `scratch` is a
  // buffer of gram_scratch(cols) elements on a 64-byte boundary, one per thread; X has
  // `rows_after` more rows after the chunk's, which the kernel may prefetch.
  void (*gram_upper)(RowsChunk<T> X, const T* d, T* out, T* scratch, std::size_t rows_after);
  std::size_t (*gram_scratch)(std::size_t cols);
  bool (*any_non_finite)(RowsChunk<T> X);  // a NaN or ±inf among the rows
  // out_j = max(out_j, |x_ij|) over the chunk's rows (out: cols values); false if a value was
  // NaN or ±inf (out is then unspecified).
  bool (*column_max_abs)(RowsChunk<T> X, T* out);
  // Row-wise softmax of rows x classes values (out may equal z); classes >= 1.
  void (*softmax_rows)(const T* z, T* out, std::size_t rows, std::size_t classes);
  // In double arithmetic over the rows widened exactly: z_i = x_i · w + b (writes), and
  // sum += Σ_i r_i x_i (adds; each element takes the rows in order, one at a time).
  void (*widened_margins)(RowsChunk<T> X, const double* w, double b, double* z);
  void (*widened_accumulate)(RowsChunk<T> X, const double* r, double* sum);
  // Adds the rows' d_i x_ij x_ik (k ≤ j) into out (row j at out + j · out_stride; above the
  // diagonal scratch) and d_i x_ij into xtd, in double, the rows in order; d_i = 0 skipped.
  void (*widened_gram_rows)(RowsChunk<T> X, const double* d, double* out, std::size_t out_stride,
                            double* xtd);
  // U = Lᵀ in place of the upper triangle of an m x m row-major matrix (the strict lower
  // triangle is scratch: its values do not matter and may change); false at the first pivot not
  // above min_pivot or not finite.
  bool (*cholesky_upper)(T* U, std::size_t m, T min_pivot);
};

struct IsaKernels {
  KernelTable<float> f32;
  KernelTable<double> f64;
};

extern const IsaKernels scalar_kernels;
extern const IsaKernels sse2_kernels;
extern const IsaKernels avx2_kernels;
extern const IsaKernels avx512_kernels;

}  // namespace simdlr::detail
