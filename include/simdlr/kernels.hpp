// The numerics kernels. Two namespaces with the same functions and signatures:
//
//   simdlr::kernels  vectorized (SSE2 / AVX2+FMA / AVX-512, chosen at run time, see cpu.hpp)
//                    and parallel over samples with OpenMP;
//   simdlr::scalar   the twins: plain, obviously-correct single-threaded loops, the baseline
//                    the benchmarks compare with and the oracle the tests use. They accept the
//                    Threads argument for symmetry and ignore it.
//
// All kernels exist for float and double. Kernels return sums, never means. None allocates in
// its hot loop, none throws from inside a parallel region; argument errors (stride < cols, null
// pointers for non-empty data, labels out of range) throw simdlr::Error subclasses before any
// work starts.
//
// Threads and determinism. Work is split into fixed chunks whose boundaries depend only on the
// problem size, never on the thread count, and chunk partial sums are combined in a fixed
// pairwise order. So the same ISA and the same input give bitwise-identical results for every
// thread count. Different ISAs sum in different orders and agree within the bounds below, not
// bitwise. Inputs smaller than a few chunks run on the calling thread with no OpenMP start-up.
//
// Floating-point policy. No -ffast-math. Multiply-adds are fused exactly where the kernels ask
// for it, on the ISAs that have FMA (avx2, avx512); the compiler never contracts on its own
// (-ffp-contract=off). Non-finite inputs propagate (NaN in, NaN out) unless stated otherwise.
//
// Notation below: ε = machine epsilon of T (2^-23 for float, 2^-52 for double); "lanes" = SIMD
// width of the active ISA (1 for scalar).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "simdlr/matrix.hpp"

namespace simdlr {

// Thread count for one kernel call. 0 means OpenMP's default (omp_get_max_threads(), so
// OMP_NUM_THREADS applies). Results do not depend on it.
struct Threads {
  int count = 0;
};

// Arguments of the fused one-pass logistic loss + gradient.
template <class T>
struct LogisticPass {
  MatrixView<const T> X;             // n x d samples
  const T* y = nullptr;              // n labels in [0, 1]
  const T* sample_weight = nullptr;  // n weights s_i, or nullptr for all ones
  const T* w = nullptr;              // d coefficients
  T b = 0;                           // intercept
  T* grad_w = nullptr;               // out: d values, Σ s_i (σ(z_i) − y_i) x_i
  T* grad_b = nullptr;               // out (optional): Σ s_i (σ(z_i) − y_i)
  T* margins = nullptr;              // out (optional): n values z_i = x_i·w + b
  T* hessian_diag = nullptr;         // out (optional): n values s_i σ(z_i)(1 − σ(z_i))
  T* column_max_abs = nullptr;       // out (optional): d values max_i |x_ij|
};

// Arguments of the fused one-pass softmax cross-entropy loss + gradient for K classes.
template <class T>
struct SoftmaxPass {
  MatrixView<const T> X;                 // n x d samples
  const std::int32_t* labels = nullptr;  // n class indices in [0, K)
  std::size_t n_classes = 0;             // K >= 1
  const T* sample_weight = nullptr;      // n weights s_i, or nullptr for all ones
  const T* W = nullptr;                  // K x d coefficients, row-major, row k for class k
  const T* b = nullptr;                  // K intercepts, or nullptr for zeros
  T* grad_W = nullptr;                   // out: K x d, Σ s_i (p_ik − [y_i = k]) x_i
  T* grad_b = nullptr;                   // out (optional): K values Σ s_i (p_ik − [y_i = k])
  T* probabilities = nullptr;            // out (optional): n x K values p_ik = softmax(z_i)_k
};

// Arguments of the fused one-pass squared loss + gradient (least squares).
template <class T>
struct SquaredPass {
  MatrixView<const T> X;             // n x d samples
  const T* y = nullptr;              // n targets
  const T* sample_weight = nullptr;  // n weights s_i, or nullptr for all ones
  const T* w = nullptr;              // d coefficients
  T b = 0;                           // intercept
  T* grad_w = nullptr;               // out: d values, Σ s_i (z_i − y_i) x_i
  T* grad_b = nullptr;               // out (optional): Σ s_i (z_i − y_i)
  T* margins = nullptr;              // out (optional): n predictions z_i = x_i·w + b
};

// Arguments of the multinomial Hessian-vector product at given probabilities.
template <class T>
struct SoftmaxHessianPass {
  MatrixView<const T> X;             // n x d samples
  std::size_t n_classes = 0;         // K >= 1
  const T* probabilities = nullptr;  // n x K, rows summing to 1 (from softmax_loss_grad)
  const T* sample_weight = nullptr;  // n weights, or nullptr for all ones
  const T* V = nullptr;              // K x d direction for the coefficients
  const T* v_b = nullptr;            // K direction for the intercepts, or nullptr for zeros
  T* out = nullptr;                  // out: K x d
  T* out_b = nullptr;                // out (optional): K
};

#define SIMDLR_DECLARE_KERNELS(T)                                                                 \
  T dot(const T* x, const T* y, std::size_t n, Threads threads = {});                             \
  void sigmoid(const T* z, T* out, std::size_t n, Threads threads = {});                          \
  T log_loss(const T* z, const T* y, std::size_t n, Threads threads = {});                        \
  void margins(MatrixView<const T> X, const T* w, T b, T* z, Threads threads = {});               \
  void transpose_product(MatrixView<const T> X, const T* r, T* out, Threads threads = {});        \
  void cross_product(MatrixView<const T> A, MatrixView<const T> B, T* out, Threads threads = {}); \
  double logistic_loss_grad(const LogisticPass<T>& pass, Threads threads = {});                   \
  double softmax_loss_grad(const SoftmaxPass<T>& pass, Threads threads = {});                     \
  void softmax_hessian_vector(const SoftmaxHessianPass<T>& pass, Threads threads = {});           \
  double squared_loss_grad(const SquaredPass<T>& pass, Threads threads = {});                     \
  void hessian_vector(MatrixView<const T> X, const T* d, const T* v, T v_b, T* out, T* out_b,     \
                      Threads threads = {});                                                      \
  void weighted_gram(MatrixView<const T> X, const T* d, T* out, Threads threads = {});            \
  void softmax(const T* z, T* out, std::size_t rows, std::size_t classes, Threads threads = {});  \
  bool has_non_finite(MatrixView<const T> X, Threads threads = {});                               \
  bool column_max_abs(MatrixView<const T> X, T* out, Threads threads = {});                       \
  void widened_margins(MatrixView<const T> X, const double* w, double b, double* z);              \
  void widened_accumulate(MatrixView<const T> X, const double* r, double* sum);                   \
  void widened_gram_rows(MatrixView<const T> X, const double* d, double* out,                     \
                         std::size_t out_stride, double* xtd);                                    \
  bool cholesky_upper(T* U, std::size_t m, T min_pivot);                                          \
  inline T dot(std::span<const T> x, std::span<const T> y, Threads threads = {}) {                \
    return dot(x.data(), y.data(), x.size() < y.size() ? x.size() : y.size(), threads);           \
  }                                                                                               \
  inline void sigmoid(std::span<const T> z, std::span<T> out, Threads threads = {}) {             \
    sigmoid(z.data(), out.data(), z.size() < out.size() ? z.size() : out.size(), threads);        \
  }                                                                                               \
  inline T log_loss(std::span<const T> z, std::span<const T> y, Threads threads = {}) {           \
    return log_loss(z.data(), y.data(), z.size() < y.size() ? z.size() : y.size(), threads);      \
  }

// ---------------------------------------------------------------------------------------------
// Contracts of each kernel (the same for both namespaces):
//
// dot(x, y, n) = Σ x_i y_i.
//   Valid for all finite inputs whose products and partial sums do not overflow.
//   Bound: |dot − exact| ≤ (n / lanes + 2 log2(n) + 8) · ε · Σ |x_i y_i|.
//   The scalar twin accumulates in double (float) or long double (double).
//
// sigmoid(z, out, n): out_i = 1 / (1 + e^(−z_i)), computed as select(z ≥ 0, 1, e) / (1 + e)
//   with e = e^(−|z|), so it never overflows. out == z is allowed (in place).
//   Bound: ≤ 3 ULP wherever the true value is at least the smallest normal number of T
//   (z ≥ −87.3 for float, z ≥ −708.3 for double); below that the result is in [0, smallest
//   normal]. σ(±0) = 0.5, σ(+inf) = 1, σ(−inf) = 0, σ(NaN) = NaN.
//
// log_loss(z, y, n) = Σ [softplus(z_i) − y_i z_i], from logits, y_i ∈ [0, 1], computed as
//   log1p(e^(−|z|)) + (z ≥ 0 ? (1 − y) z : −y z); every term is ≥ 0 for y ∈ [0, 1].
//   Never inf or NaN for finite z and y ∈ [0, 1] unless the sum itself exceeds the range of T.
//   Terms are summed with compensated (TwoSum) lane accumulators and chunk partials combined in
//   long double. Bound for y_i ∈ {0, 1}: relative error ≤ 8 ε of the exact sum (each term is
//   within 4 ULP, the summation adds ≤ 2 ε), plus an absolute n · (smallest normal of T): the
//   vectorized exp flushes terms whose true value is below the smallest normal number to 0
//   (e.g. z = 89, y = 1 in float). Infinite z gives inf or NaN.
//
// margins(X, w, b, z): z_i = x_i · w + b for every row (z has X.rows elements).
//   Bound: each z_i as dot() over X.cols elements, plus one rounding for b.
//
// transpose_product(X, r, out): out = Xᵀ r (out has X.cols elements).
//   Bound: |out_j − exact| ≤ (n + 2 log2(n) + 8) · ε · Σ_i |x_ij r_i| (the recursive-summation
//   bound: rows are added in order within a chunk, chunks combined pairwise). Typical errors
//   are far smaller (about √n ε); the tests measure both.
//
// cross_product(A, B, out): out = AᵀB, an A.cols x B.cols row-major matrix, for A and B with the
//   same rows (ShapeError otherwise): out_pq = Σ_i a_ip b_iq. Each term added with one fused
//   multiply-add where the ISA has FMA (two roundings on SSE2 and in the scalar twin), rows in
//   order within a chunk, chunks combined pairwise: as for transpose_product,
//   |out_pq − exact| ≤ (n + 2 log2(n) + 8) · ε · Σ_i |a_ip b_iq|. (The multinomial Hessian of a
//   row sample is one: class-pair weights against the products of each row's features.)
//
// logistic_loss_grad(pass): one read of X computing, with z_i = x_i·w + b,
//   returns   Σ s_i [softplus(z_i) − y_i z_i]        (as log_loss; returned in double)
//   grad_w =  Σ s_i (σ(z_i) − y_i) x_i,   grad_b = Σ s_i (σ(z_i) − y_i),
//   and optionally the margins z_i and the Hessian diagonal s_i σ(z_i)(1 − σ(z_i)), the latter
//   computed as s e / (1 + e)^2 so it stays accurate for large |z|. Weights must be ≥ 0
//   (not checked here; the objectives check them). Gradient bound as transpose_product with
//   r_i = s_i (σ(z_i) − y_i), each r_i within 4 ULP + |y_i| ε.
//   column_max_abs (optional) gets max_i |x_ij| from the same loads (a fit's input scan folded
//   into its first pass), as column_max_abs() would, exact for every thread count when X is
//   finite. No finiteness flag is needed: a NaN or ±inf in row i makes z_i NaN or ±inf (inf · 0
//   is NaN) and then the returned loss NaN or +inf for y_i ∈ [0, 1] and s_i ≥ 0 (0 · inf is
//   NaN), so a finite loss vouches for a finite X (the maxima are unspecified otherwise).
//
// softmax_loss_grad(pass): one read of X computing, with z_ik = W_k · x_i + b_k and
//   p_ik = exp(z_ik − max_k z_ik) / Σ_k exp(...), returns Σ s_i [logsumexp(z_i) − z_{i,y_i}]
//   (in double) and grad_W, grad_b, probabilities as described in SoftmaxPass. Never overflows
//   for finite z. Throws InvalidArgument if a label is outside [0, K).
//   Bound: each loss term within 8 ε relative (+ ε |z| absolute); gradients as transpose_product.
//
// softmax_hessian_vector(pass): the product of the Hessian of Σ s_i [logsumexp(z_i) − z_{i,y_i}]
//   (at the given probabilities) with the direction (V, v_b): with u_ik = V_k · x_i + v_b_k and
//   t_ik = s_i p_ik (u_ik − Σ_j p_ij u_ij), out_k = Σ_i t_ik x_i and out_b_k = Σ_i t_ik.
//   Bound: as margins followed by transpose_product, per class.
//
// squared_loss_grad(pass): one read of X computing, with z_i = x_i·w + b,
//   returns Σ s_i ½ (z_i − y_i)² (in double), grad_w = Σ s_i (z_i − y_i) x_i,
//   grad_b = Σ s_i (z_i − y_i), and optionally the predictions z_i.
//   Bound: loss within 8 ε relative (+ the rounding of each residual); gradient as
//   transpose_product with r_i = s_i (z_i − y_i).
//
// hessian_vector(X, d, v, v_b, out, out_b): with u_i = x_i · v + v_b and t_i = d_i u_i,
//   out = Σ t_i x_i = Xᵀ D (X v + v_b 1), out_b (optional) = Σ t_i. d == nullptr means D = I.
//   Bound: as margins followed by transpose_product.
//
// weighted_gram(X, d, out): out = Xᵀ D X, a full symmetric X.cols x X.cols row-major matrix
//   (exactly symmetric: one triangle is computed and mirrored). d == nullptr means D = I.
//   Each term is d_i times one of x_ij, x_ik, rounded, times the other, added with one fused
//   multiply-add where the ISA has FMA (two roundings on SSE2 and in the scalar twin). The
//   vectorized kernels sum the terms in row order within blocks of 64 rows, the block sums in
//   order within a chunk of rows, and the chunk sums pairwise: a term goes through at most
//   64 + n / 64 + log2(n) + 2 roundings, within the bound below (typical errors are far
//   smaller); the scalar twin sums all rows in order. They keep, per calling thread and reused
//   across calls, up to 64 partial cols x cols matrices (no more than fit in 2^23 elements, but
//   at least one) and, per worker thread, a packed, d-scaled copy of 64 rows by at most 48
//   columns of X (12 KiB).
//   Bound: |out_jk − exact| ≤ (n + 2 log2(n) + 8) · ε · Σ_i |d_i x_ij x_ik|.
//
// softmax(z, out, rows, classes): row-wise softmax of a rows x classes row-major matrix,
//   out_ik = exp(z_ik − m_i) / Σ_k exp(z_ik − m_i) with m_i = max_k z_ik, so it never overflows.
//   out == z is allowed (in place); classes == 0 does nothing. A row holding a NaN or +inf gives
//   a row of NaN. The scalar twin is the plain loop (std::exp, classes summed in order).
//   Bound: with m = max_j z_ij and p_ik the exact value, wherever p_ik is at least the smallest
//   normal number of T: |out_ik − p_ik| ≤ (4 + ceil(classes / lanes) + log2(lanes) + |z_ik − m|
//   + Σ_j p_ij |z_ij − m|) · ε · p_ik (the last two terms: z − m is rounded in T, and e^x turns
//   an absolute error in x into a relative one); below that, |out_ik − p_ik| ≤ the smallest
//   normal number (the vectorized exp flushes results below it to 0). Measured by
//   tests/test_softmax.cpp (1 to 1000 classes, logits of s.d. up to 60, every ISA): at most 0.48
//   of the bound; where p ≥ 1e-3, at most 4.2 ε (float) / 6.6 ε (double) relative on the SIMD
//   ISAs and 8.5 ε / 7.5 ε for the scalar twin; below the smallest normal, 0.71 of it.
//
// has_non_finite(X): true when X holds a NaN or ±inf (values in a stride's padding are not
//   part of X). Exact. Chunks are scanned in parallel for large X; the answer does not depend
//   on the thread count.
//
// column_max_abs(X, out): out_j = max_i |x_ij| (out has X.cols elements; 0 for X without rows);
//   returns whether every x_ij is finite, so one pass both checks X and gives its maxima. Exact,
//   for every thread count, when it returns true (otherwise out is unspecified). Values in a
//   stride's padding are not part of X.
//
// widened_margins(X, w, b, z) and widened_accumulate(X, r, sum): double arithmetic over the rows
//   of X, each x_ij widened exactly to double (the certificates' passes over float data, which
//   must not carry float rounding); on the calling thread (callers split rows among threads).
//   widened_margins writes z_i = x_i · w + b (z has X.rows elements, w X.cols). Bound: each z_i
//   as dot() over X.cols elements with ε = 2⁻⁵³, plus one rounding for b.
//   widened_accumulate adds sum_j += Σ_i r_i x_ij (sum has X.cols elements, r X.rows), each
//   element taking the rows in order, one at a time: calls on consecutive pieces of X give the
//   bits of one call on the whole (what lets a row partition continue a sum from one part to the
//   next). Bound: |result_j − exact| ≤ (n + 1) · ε · (|sum_j| + Σ_i |r_i x_ij|), ε = 2⁻⁵³
//   (recursive summation; one rounding per term with FMA, two on SSE2 and in the scalar twin).
//   widened_gram_rows(X, d, out, out_stride, xtd) adds, for the rows with d_i ≠ 0 in order,
//   d_i x_ij to xtd_j and a_ij x_ik to out[j · out_stride + k] for k ≤ j, a_ij = d_i x_ij rounded
//   (the lower triangle of Xᵀ D X; out_stride ≥ X.cols; the elements above the diagonal are
//   scratch and may change): the same in-order property, and per element the bound of
//   widened_accumulate with r_i x_ij replaced by d_i x_ij (xtd) or a_ij x_ik (out, + ε per term
//   for the rounding of a_ij).
//
// cholesky_upper(U, m, min_pivot): A = UᵀU for the symmetric m x m matrix A whose upper triangle
//   (diagonal included) U holds, row-major; U is overwritten in place by the upper-triangular
//   factor (Lᵀ). The strict lower triangle is scratch: its values do not matter and may change.
//   Returns false at the first pivot (a diagonal element before its square root) that is not above
//   min_pivot or not finite, U then partly overwritten; a NaN or ±inf in the upper triangle always
//   ends so. min_pivot must be finite and ≥ 0 (InvalidArgument). On the calling thread, without
//   allocating. Left-looking in panels of 4 rows: each element receives its updates in the order
//   of the rows above it, one fused multiply-add each where the ISA has FMA (a multiplication and
//   a subtraction on SSE2 and in the scalar twin, which give the same bits), and is divided by
//   its row's diagonal element.
//   Bound (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., Theorem 10.3, which
//   holds for any order of the sums): when it returns true, |UᵀU − A| ≤ γ_{m+1} |U|ᵀ|U|
//   elementwise, with γ_k = k ε / (1 − k ε).
// ---------------------------------------------------------------------------------------------

namespace kernels {
SIMDLR_DECLARE_KERNELS(float)
SIMDLR_DECLARE_KERNELS(double)
}  // namespace kernels

namespace scalar {
SIMDLR_DECLARE_KERNELS(float)
SIMDLR_DECLARE_KERNELS(double)
}  // namespace scalar

#undef SIMDLR_DECLARE_KERNELS

}  // namespace simdlr
