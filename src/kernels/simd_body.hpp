// The one vectorized kernel body, templated on the xsimd architecture A. Each per-ISA
// translation unit (isa_sse2.cpp, isa_avx2.cpp, isa_avx512.cpp) includes this file once, compiled
// with that ISA's flags, and instantiates simd::table<A>().
//
// Everything here lives in an unnamed namespace: the instantiations get internal linkage, so no
// AVX-512 copy of any function can leak into the rest of the program as a shared weak symbol.
// For the same reason this file calls no STL function and no inline helper of the library.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernel_table.hpp"

namespace simdlr::detail {
namespace {
namespace simd {

template <class T, class A>
using V = xsimd::batch<T, A>;

constexpr std::size_t smaller(std::size_t a, std::size_t b) {
  return a < b ? a : b;
}

template <class A>
constexpr bool is_avx512 = std::is_same_v<A, xsimd::avx512bw>;
template <class A>
constexpr bool is_avx2 = std::is_same_v<A, xsimd::fma3<xsimd::avx2>>;

// FMA policy: a * b + c, fused (one rounding) on the ISAs with FMA, two roundings on SSE2. The
// per-ISA files are compiled with -ffp-contract=off, so this is the only place fusion happens.
template <class T, class A>
inline V<T, A> madd(V<T, A> a, V<T, A> b, V<T, A> c) {
  if constexpr (is_avx512<A>) {
    if constexpr (std::is_same_v<T, float>)
      return _mm512_fmadd_ps(a, b, c);
    else
      return _mm512_fmadd_pd(a, b, c);
  } else if constexpr (is_avx2<A>) {
    if constexpr (std::is_same_v<T, float>)
      return _mm256_fmadd_ps(a, b, c);
    else
      return _mm256_fmadd_pd(a, b, c);
  } else {
    return a * b + c;
  }
}

// Loads the first n < lanes elements of p, zeros in the other lanes, reading nothing past p + n.
template <class T, class A>
inline V<T, A> load_partial(const T* p, std::size_t n) {
  constexpr std::size_t L = V<T, A>::size;
  if constexpr (is_avx512<A>) {
    if constexpr (std::is_same_v<T, float>) {
      return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1u), p);
    } else {
      return _mm512_maskz_loadu_pd(__mmask8((1u << n) - 1u), p);
    }
  } else if constexpr (is_avx2<A>) {
    if constexpr (std::is_same_v<T, float>) {
      const __m256i mask =
          _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      return _mm256_maskload_ps(p, mask);
    } else {
      const __m256i mask =
          _mm256_cmpgt_epi64(_mm256_set1_epi64x(std::int64_t(n)), _mm256_setr_epi64x(0, 1, 2, 3));
      return _mm256_maskload_pd(p, mask);
    }
  } else {
    alignas(64) T buf[L];
    for (std::size_t k = 0; k < L; ++k)
      buf[k] = k < n ? p[k] : T(0);
    return V<T, A>::load_aligned(buf);
  }
}

// Stores the first n < lanes lanes of v to p, writing nothing past p + n.
template <class T, class A>
inline void store_partial(T* p, V<T, A> v, std::size_t n) {
  constexpr std::size_t L = V<T, A>::size;
  if constexpr (is_avx512<A>) {
    if constexpr (std::is_same_v<T, float>) {
      _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1u), v);
    } else {
      _mm512_mask_storeu_pd(p, __mmask8((1u << n) - 1u), v);
    }
  } else {
    alignas(64) T buf[L];
    v.store_aligned(buf);
    for (std::size_t k = 0; k < n; ++k)
      p[k] = buf[k];
  }
}

// 1 in the first n lanes, 0 in the others.
template <class T, class A>
inline V<T, A> ones_below(std::size_t n) {
  constexpr std::size_t L = V<T, A>::size;
  alignas(64) T buf[L];
  for (std::size_t k = 0; k < L; ++k)
    buf[k] = k < n ? T(1) : T(0);
  return V<T, A>::load_aligned(buf);
}

// Error-free transformation: s + c absorbs t, c collecting the rounding error of every add.
template <class T, class A>
inline void two_sum_add(V<T, A>& s, V<T, A>& c, V<T, A> t) {
  const V<T, A> sum = s + t;
  const V<T, A> t_part = sum - s;
  const V<T, A> err = (s - (sum - t_part)) + (t - t_part);
  s = sum;
  c = c + err;
}

// Σ lanes of s + c, in long double.
template <class T, class A>
inline double lanes_total(V<T, A> s, V<T, A> c) {
  constexpr std::size_t L = V<T, A>::size;
  alignas(64) T bs[L];
  alignas(64) T bc[L];
  s.store_aligned(bs);
  c.store_aligned(bc);
  long double total = 0;
  for (std::size_t k = 0; k < L; ++k)
    total += (long double)bs[k] + (long double)bc[k];
  return double(total);
}

// Σ lanes of v. On AVX-512 in a fixed tree (lane i + lane i + L/2, then i + L/4, ...), the same
// tree rows_total uses for each of a block's rows, so a margin does not depend on whether its
// row was reduced alone or in a block; elsewhere xsimd's hadd.
template <class T, class A>
inline T lane_sum(V<T, A> v) {
  if constexpr (is_avx512<A>) {
    if constexpr (std::is_same_v<T, float>) {
      const __m256 t8 = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
      const __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8), _mm256_extractf128_ps(t8, 1));
      const __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
      return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
    } else {
      const __m256d t4 = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
      const __m128d t2 = _mm_add_pd(_mm256_castpd256_pd128(t4), _mm256_extractf128_pd(t4, 1));
      return _mm_cvtsd_f64(_mm_add_sd(t2, _mm_unpackhi_pd(t2, t2)));
    }
  } else {
    return xsimd::hadd(v);
  }
}

// Lane k of the result = lane_sum(acc[k]) for k < L, bit for bit: a transposing reduction, all
// rows of a block at once (AVX-512), or one lane_sum per row elsewhere.
template <class T, class A>
inline V<T, A> rows_total(const V<T, A>* acc) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  if constexpr (is_avx512<A>) {
    if constexpr (std::is_same_v<T, float>) {
      __m512 s[8], u[4], w[2];
#pragma GCC unroll 16
      for (int p = 0; p < 8; ++p) {
        const __m512 a = acc[2 * p], b = acc[2 * p + 1];
        s[p] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
      }
#pragma GCC unroll 16
      for (int q = 0; q < 4; ++q) {
        const __m512 a = s[2 * q], b = s[2 * q + 1];
        u[q] = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x88), _mm512_shuffle_f32x4(a, b, 0xDD));
      }
#pragma GCC unroll 16
      for (int h = 0; h < 2; ++h) {
        const __m512 a = u[2 * h], b = u[2 * h + 1];
        w[h] = _mm512_add_ps(_mm512_shuffle_ps(a, b, 0x44), _mm512_shuffle_ps(a, b, 0xEE));
      }
      const __m512 f =
          _mm512_add_ps(_mm512_shuffle_ps(w[0], w[1], 0x88), _mm512_shuffle_ps(w[0], w[1], 0xDD));
      // Lane 4c + e of f holds row c + 4e.
      const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      return _mm512_permutexvar_ps(order, f);
    } else {
      __m512d s[4], u[2];
#pragma GCC unroll 16
      for (int p = 0; p < 4; ++p) {
        const __m512d a = acc[2 * p], b = acc[2 * p + 1];
        s[p] = _mm512_add_pd(_mm512_shuffle_f64x2(a, b, 0x44), _mm512_shuffle_f64x2(a, b, 0xEE));
      }
#pragma GCC unroll 16
      for (int q = 0; q < 2; ++q) {
        const __m512d a = s[2 * q], b = s[2 * q + 1];
        u[q] = _mm512_add_pd(_mm512_shuffle_f64x2(a, b, 0x88), _mm512_shuffle_f64x2(a, b, 0xDD));
      }
      const __m512d f =
          _mm512_add_pd(_mm512_shuffle_pd(u[0], u[1], 0x00), _mm512_shuffle_pd(u[0], u[1], 0xFF));
      // Lane 2c + e of f holds row c + 4e.
      const __m512i order = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7);
      return _mm512_permutexvar_pd(order, f);
    }
  } else {
    alignas(64) T buf[L];
    for (std::size_t k = 0; k < L; ++k)
      buf[k] = lane_sum<T, A>(acc[k]);
    return B::load_aligned(buf);
  }
}

// --- building blocks -------------------------------------------------------------------------

// x · w with one accumulator, in exactly the order row_dot4 uses for each of its rows, so a row
// gets the same margin bit for bit whether it is predicted alone or in a block.
template <class T, class A>
inline T row_dot(const T* x, const T* w, std::size_t n) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B a(T(0));
  std::size_t j = 0;
  for (; j + L <= n; j += L)
    a = madd(B::load_unaligned(x + j), B::load_unaligned(w + j), a);
  if (j < n) a = madd(load_partial<T, A>(x + j, n - j), load_partial<T, A>(w + j, n - j), a);
  return lane_sum<T, A>(a);
}

// out[r] = x_r · w for four vectors x_0..x_3 sharing w (w is loaded once for all four).
template <class T, class A>
inline void row_dot4(const T* x0, const T* x1, const T* x2, const T* x3, const T* w, std::size_t n,
                     T* out) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
  std::size_t j = 0;
  for (; j + L <= n; j += L) {
    const B wj = B::load_unaligned(w + j);
    a0 = madd(B::load_unaligned(x0 + j), wj, a0);
    a1 = madd(B::load_unaligned(x1 + j), wj, a1);
    a2 = madd(B::load_unaligned(x2 + j), wj, a2);
    a3 = madd(B::load_unaligned(x3 + j), wj, a3);
  }
  if (j < n) {
    const std::size_t m = n - j;
    const B wj = load_partial<T, A>(w + j, m);
    a0 = madd(load_partial<T, A>(x0 + j, m), wj, a0);
    a1 = madd(load_partial<T, A>(x1 + j, m), wj, a1);
    a2 = madd(load_partial<T, A>(x2 + j, m), wj, a2);
    a3 = madd(load_partial<T, A>(x3 + j, m), wj, a3);
  }
  out[0] = lane_sum<T, A>(a0);
  out[1] = lane_sum<T, A>(a1);
  out[2] = lane_sum<T, A>(a2);
  out[3] = lane_sum<T, A>(a3);
}

// z[k] = rows[k] · w + b for `count` rows of a chunk starting at row i0.
template <class T, class A>
inline void block_margins(RowsChunk<T> X, std::size_t i0, std::size_t count, const T* w, T b,
                          T* z) {
  const T* x = X.X + i0 * X.stride;
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) {
    const T* r = x + k * X.stride;
    row_dot4<T, A>(r, r + X.stride, r + 2 * X.stride, r + 3 * X.stride, w, X.cols, z + k);
    for (std::size_t q = 0; q < 4; ++q)
      z[k + q] += b;
  }
  for (; k < count; ++k)
    z[k] = row_dot<T, A>(x + k * X.stride, w, X.cols) + b;
}

// out += Σ_k r[k] rows[k] for `count` rows starting at row i0 (four rows per pass over out).
template <class T, class A>
inline void block_axpy(RowsChunk<T> X, std::size_t i0, std::size_t count, const T* r, T* out) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  const std::size_t n = X.cols, tail = n % L, full = n - tail;
  const T* x = X.X + i0 * X.stride;
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) {
    const T* x0 = x + k * X.stride;
    const T* x1 = x0 + X.stride;
    const T* x2 = x1 + X.stride;
    const T* x3 = x2 + X.stride;
    const B r0(r[k]), r1(r[k + 1]), r2(r[k + 2]), r3(r[k + 3]);
    for (std::size_t j = 0; j < full; j += L) {
      B o = B::load_unaligned(out + j);
      o = madd(B::load_unaligned(x0 + j), r0, o);
      o = madd(B::load_unaligned(x1 + j), r1, o);
      o = madd(B::load_unaligned(x2 + j), r2, o);
      o = madd(B::load_unaligned(x3 + j), r3, o);
      o.store_unaligned(out + j);
    }
    if (tail) {
      B o = load_partial<T, A>(out + full, tail);
      o = madd(load_partial<T, A>(x0 + full, tail), r0, o);
      o = madd(load_partial<T, A>(x1 + full, tail), r1, o);
      o = madd(load_partial<T, A>(x2 + full, tail), r2, o);
      o = madd(load_partial<T, A>(x3 + full, tail), r3, o);
      store_partial<T, A>(out + full, o, tail);
    }
  }
  for (; k < count; ++k) {
    const T* x0 = x + k * X.stride;
    const B r0(r[k]);
    for (std::size_t j = 0; j < full; j += L) {
      madd(B::load_unaligned(x0 + j), r0, B::load_unaligned(out + j)).store_unaligned(out + j);
    }
    if (tail) {
      const B o =
          madd(load_partial<T, A>(x0 + full, tail), r0, load_partial<T, A>(out + full, tail));
      store_partial<T, A>(out + full, o, tail);
    }
  }
}

// out[0..n) += a * x[0..n)
template <class T, class A>
inline void axpy(T a, const T* x, T* out, std::size_t n) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  const B va(a);
  std::size_t j = 0;
  for (; j + L <= n; j += L) {
    madd(B::load_unaligned(x + j), va, B::load_unaligned(out + j)).store_unaligned(out + j);
  }
  if (j < n) {
    const B o = madd(load_partial<T, A>(x + j, n - j), va, load_partial<T, A>(out + j, n - j));
    store_partial<T, A>(out + j, o, n - j);
  }
}

// Margins of a full block of L = lanes rows starting at x (rows `stride` apart), as one register:
// lane k = x_k · w + b, each row summed exactly as row_dot sums it (one accumulator, columns in
// order, then lane_sum), so the bits match margins() and a single-row prediction.
template <class T, class A>
inline V<T, A> full_block_margins(const T* x, std::size_t stride, std::size_t n, const T* w, T b) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B acc[L];
#pragma GCC unroll 16
  for (std::size_t k = 0; k < L; ++k)
    acc[k] = B(T(0));
  std::size_t j = 0;
  for (; j + L <= n; j += L) {
    const B wj = B::load_unaligned(w + j);
#pragma GCC unroll 16
    for (std::size_t k = 0; k < L; ++k)
      acc[k] = madd(B::load_unaligned(x + k * stride + j), wj, acc[k]);
  }
  if (j < n) {
    const std::size_t m = n - j;
    const B wj = load_partial<T, A>(w + j, m);
#pragma GCC unroll 16
    for (std::size_t k = 0; k < L; ++k)
      acc[k] = madd(load_partial<T, A>(x + k * stride + j, m), wj, acc[k]);
  }
  return rows_total<T, A>(acc) + B(b);
}

// Cache lines to request ahead while a block is worked on from L1, a few per row of work. A
// fused pass reads each block twice (margins, then gradient); without this the memory stream
// idles during the second, cache-resident read, because the hardware prefetcher runs only a
// little ahead of demand misses.
struct Prefetch {
  const char* next = nullptr;
  std::size_t lines = 0;
  std::size_t per_row = 0;

  void some() {
    for (std::size_t q = 0; q < per_row && lines > 0; ++q, --lines) {
      _mm_prefetch(next, _MM_HINT_T0);
      next += 64;
    }
  }
};

// The lines of rows [i0, i0 + count) of X, clipped to its rows.
template <class T>
inline Prefetch rows_to_prefetch(RowsChunk<T> X, std::size_t i0, std::size_t count) {
  if (i0 >= X.rows) return {};
  const std::size_t rows = smaller(count, X.rows - i0);
  const char* begin = reinterpret_cast<const char*>(X.X + i0 * X.stride);
  const char* end = reinterpret_cast<const char*>(X.X + (i0 + rows - 1) * X.stride + X.cols);
  return {begin, std::size_t(end - begin + 63) / 64, 0};
}

// out[j0 .. j0 + M·L (+ tail)) += Σ_k r[k] x_k over `count` rows, the M (+1) output registers
// held in registers for the whole block: rows are added in order, one multiply-add each.
template <class T, class A, std::size_t M, bool Tail>
inline void axpy_tile(const T* x, std::size_t stride, std::size_t count, const T* r, T* out,
                      std::size_t tail, Prefetch& prefetch) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B o[M + 1];
#pragma GCC unroll 16
  for (std::size_t t = 0; t < M; ++t)
    o[t] = B::load_unaligned(out + t * L);
  if constexpr (Tail) o[M] = load_partial<T, A>(out + M * L, tail);
  for (std::size_t k = 0; k < count; ++k) {
    prefetch.some();
    const B rk(r[k]);
    const T* xk = x + k * stride;
#pragma GCC unroll 16
    for (std::size_t t = 0; t < M; ++t)
      o[t] = madd(B::load_unaligned(xk + t * L), rk, o[t]);
    if constexpr (Tail) o[M] = madd(load_partial<T, A>(xk + M * L, tail), rk, o[M]);
  }
#pragma GCC unroll 16
  for (std::size_t t = 0; t < M; ++t)
    o[t].store_unaligned(out + t * L);
  if constexpr (Tail) store_partial<T, A>(out + M * L, o[M], tail);
}

constexpr std::size_t kTile = 8;

template <class T, class A, std::size_t M>
inline void axpy_rest(const T* x, std::size_t stride, std::size_t count, const T* r, T* out,
                      std::size_t vectors, std::size_t tail, Prefetch& prefetch) {
  if constexpr (M < kTile) {
    if (vectors == M) {
      if (tail)
        axpy_tile<T, A, M, true>(x, stride, count, r, out, tail, prefetch);
      else if (M > 0)
        axpy_tile<T, A, M, false>(x, stride, count, r, out, 0, prefetch);
      return;
    }
    axpy_rest<T, A, M + 1>(x, stride, count, r, out, vectors, tail, prefetch);
  }
}

// out[0..n) += Σ_k r[k] x_k for `count` rows starting at x: column tiles of kTile registers,
// each kept in registers over all rows (rows added in order, as block_axpy does), with the
// prefetches spread evenly over the rows of all tiles.
template <class T, class A>
inline void tiled_axpy(const T* x, std::size_t stride, std::size_t n, std::size_t count, const T* r,
                       T* out, Prefetch prefetch = {}) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t tiles = (n + kTile * L - 1) / (kTile * L);
  const std::size_t row_steps = tiles * count + 1;
  prefetch.per_row = (prefetch.lines + row_steps - 1) / row_steps;
  std::size_t j = 0;
  for (; j + kTile * L <= n; j += kTile * L)
    axpy_tile<T, A, kTile, false>(x + j, stride, count, r, out + j, 0, prefetch);
  const std::size_t rest = n - j;
  axpy_rest<T, A, 0>(x + j, stride, count, r, out + j, rest / L, rest % L, prefetch);
}

// The stable logistic pieces for a batch of logits: e = exp(−|z|), σ(z), and the log-loss term.
template <class T, class A>
struct LogisticParts {
  V<T, A> e, p;
};

// e^(−|z|). xsimd 8.1's double exp returns 0 one step early, for arguments just above
// log(DBL_MIN) ≈ −708.3964, where the true value is still a normal number. Beyond |z| > 700 we
// compute e^(1 − |z|) · e^(−1) instead: 1 − |z| is exact there (same binade), the constant and
// the product add ≤ 1 ULP, and the result stays within the 3 ULP sigmoid bound.
template <class T, class A>
inline V<T, A> exp_neg_abs(V<T, A> z) {
  using B = V<T, A>;
  const B a = xsimd::abs(z);
  if constexpr (std::is_same_v<T, double>) {
    const auto far = a > B(700.0);
    const B e = xsimd::exp(-xsimd::select(far, a - B(1.0), a));
    return xsimd::select(far, e * B(0.36787944117144233), e);
  } else {
    return xsimd::exp(-a);
  }
}

template <class T, class A>
inline LogisticParts<T, A> logistic_parts(V<T, A> z) {
  using B = V<T, A>;
  const B e = exp_neg_abs<T, A>(z);
  const B p = xsimd::select(z >= B(T(0)), B(T(1)), e) / (B(T(1)) + e);
  return {e, p};
}

template <class T, class A>
inline V<T, A> log_loss_term(V<T, A> z, V<T, A> y, V<T, A> e) {
  using B = V<T, A>;
  const B linear = xsimd::select(z >= B(T(0)), (B(T(1)) - y) * z, -(y * z));
  return xsimd::log1p(e) + linear;
}

// --- chunk kernels ---------------------------------------------------------------------------

// Σ x·y with eight independent accumulators (enough to hide the multiply-add latency at two
// loads per cycle), combined pairwise at the end. Named registers, not an array: GCC keeps an
// array of batches on the stack.
template <class T, class A>
T dot(const T* x, const T* y, std::size_t n) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0)), a4(T(0)), a5(T(0)), a6(T(0)), a7(T(0));
  const auto step = [&](B& acc, std::size_t i) {
    acc = madd(B::load_unaligned(x + i), B::load_unaligned(y + i), acc);
  };
  std::size_t i = 0;
  for (; i + 8 * L <= n; i += 8 * L) {
    step(a0, i);
    step(a1, i + L);
    step(a2, i + 2 * L);
    step(a3, i + 3 * L);
    step(a4, i + 4 * L);
    step(a5, i + 5 * L);
    step(a6, i + 6 * L);
    step(a7, i + 7 * L);
  }
  // Fewer than eight whole registers left: at most one into each accumulator, then the tail.
  if (i + 4 * L <= n) {
    step(a0, i);
    step(a1, i + L);
    step(a2, i + 2 * L);
    step(a3, i + 3 * L);
    i += 4 * L;
  }
  if (i + 2 * L <= n) {
    step(a4, i);
    step(a5, i + L);
    i += 2 * L;
  }
  if (i + L <= n) {
    step(a6, i);
    i += L;
  }
  if (i < n) a7 = madd(load_partial<T, A>(x + i, n - i), load_partial<T, A>(y + i, n - i), a7);
  return lane_sum<T, A>(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
}

template <class T, class A>
void sigmoid(const T* z, T* out, std::size_t n) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  std::size_t i = 0;
  for (; i + L <= n; i += L)
    logistic_parts<T, A>(B::load_unaligned(z + i)).p.store_unaligned(out + i);
  if (i < n)
    store_partial<T, A>(out + i, logistic_parts<T, A>(load_partial<T, A>(z + i, n - i)).p, n - i);
}

template <class T, class A>
double log_loss(const T* z, const T* y, std::size_t n) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B s(T(0)), c(T(0));
  std::size_t i = 0;
  for (; i + L <= n; i += L) {
    const B zi = B::load_unaligned(z + i);
    const B e = exp_neg_abs<T, A>(zi);
    two_sum_add<T, A>(s, c, log_loss_term<T, A>(zi, B::load_unaligned(y + i), e));
  }
  if (i < n) {
    // Padding lanes hold z = 0, y = 0, whose term log 2 the mask removes.
    const B zi = load_partial<T, A>(z + i, n - i);
    const B e = exp_neg_abs<T, A>(zi);
    const B term = log_loss_term<T, A>(zi, load_partial<T, A>(y + i, n - i), e);
    two_sum_add<T, A>(s, c, term * ones_below<T, A>(n - i));
  }
  return lanes_total<T, A>(s, c);
}

template <class T, class A>
void margins(RowsChunk<T> X, const T* w, T b, T* z) {
  block_margins<T, A>(X, 0, X.rows, w, b, z);
}

template <class T, class A>
void transpose_product(RowsChunk<T> X, const T* r, T* out) {
  block_axpy<T, A>(X, 0, X.rows, r, out);
}

// One pass of a generalised linear model over a chunk: margins z = Xw + b in blocks of `lanes`
// rows, the per-row loss and residual r = s (μ(z) − y) on a whole register at once, then
// grad_w += Σ r x over the same rows while they are still in cache.
// Logistic: μ = σ, loss = softplus(z) − y z.  Squared: μ = identity, loss = ½ (z − y)².
// The per-block loss and residual of a GLM pass: μ(z) − y weighted, loss into (loss_s, loss_c).
template <class T, class A, bool Squared>
inline V<T, A> glm_residual(const LogisticChunk<T>& a, std::size_t i0, std::size_t count, V<T, A> z,
                            V<T, A>& loss_s, V<T, A>& loss_c) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B y, s;
  if (count == L) {
    y = B::load_unaligned(a.y + i0);
    s = a.sample_weight ? B::load_unaligned(a.sample_weight + i0) : B(T(1));
  } else {
    y = load_partial<T, A>(a.y + i0, count);
    s = a.sample_weight ? load_partial<T, A>(a.sample_weight + i0, count) : ones_below<T, A>(count);
  }
  if constexpr (Squared) {
    const B residual = z - y;
    two_sum_add<T, A>(loss_s, loss_c, s * (residual * residual) * B(T(0.5)));
    return s * residual;
  } else {
    const LogisticParts<T, A> lp = logistic_parts<T, A>(z);
    two_sum_add<T, A>(loss_s, loss_c, s * log_loss_term<T, A>(z, y, lp.e));
    if (a.hessian_diag) {
      const B one_plus_e = B(T(1)) + lp.e;
      store_partial<T, A>(a.hessian_diag + i0, s * lp.e / (one_plus_e * one_plus_e), count);
    }
    return s * (lp.p - y);
  }
}

// One pass of a generalised linear model over a chunk, a block of L = lanes rows at a time: the
// block's margins z = Xw + b as one register, the per-row loss and residual r = s (μ(z) − y) on
// the whole register, then grad_w += Σ r x over the same rows while they are still in L1.
// Logistic: μ = σ, loss = softplus(z) − y z.  Squared: μ = identity, loss = ½ (z − y)².
constexpr std::size_t kStreams = 4;

template <class T, class A, bool Squared>
double glm_pass(const LogisticChunk<T>& a) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  alignas(64) T zbuf[L];
  alignas(64) T rbuf[L];
  B loss_s(T(0)), loss_c(T(0)), rsum(T(0));
  const std::size_t n = a.X.cols, stride = a.X.stride;
  // The chunk is walked as kStreams interleaved sub-ranges, one block of each in turn: several
  // sequential streams keep more memory requests in flight than one (the hardware prefetcher
  // follows each), and each block's gradient loop prefetches the next block of its stream.
  const std::size_t blocks = (a.X.rows + L - 1) / L;
  const std::size_t per_stream = (blocks + kStreams - 1) / kStreams;
  for (std::size_t step = 0; step < per_stream * kStreams; ++step) {
    const std::size_t block = (step % kStreams) * per_stream + step / kStreams;
    if (block >= blocks || step / kStreams >= per_stream) continue;
    const std::size_t i0 = block * L;
    const std::size_t count = smaller(L, a.X.rows - i0);
    const T* x = a.X.X + i0 * stride;
    const std::size_t stream_end = smaller(blocks, (step % kStreams + 1) * per_stream);
    const Prefetch next = block + 1 < stream_end ? rows_to_prefetch(a.X, i0 + L, L) : Prefetch{};
    B z;
    if (count == L) {
      z = full_block_margins<T, A>(x, stride, n, a.w, a.b);
    } else {
      for (std::size_t k = count; k < L; ++k)
        zbuf[k] = T(0);
      block_margins<T, A>(a.X, i0, count, a.w, a.b, zbuf);
      z = B::load_aligned(zbuf);
    }
    const B r = glm_residual<T, A, Squared>(a, i0, count, z, loss_s, loss_c);
    rsum = rsum + r;
    r.store_aligned(rbuf);
    if (a.margins) store_partial<T, A>(a.margins + i0, z, count);
    tiled_axpy<T, A>(x, stride, n, count, rbuf, a.grad_w, next);
  }
  if (a.grad_b) *a.grad_b += xsimd::hadd(rsum);
  return lanes_total<T, A>(loss_s, loss_c);
}

template <class T, class A>
double logistic(const LogisticChunk<T>& a) {
  return glm_pass<T, A, false>(a);
}

template <class T, class A>
double squared(const LogisticChunk<T>& a) {
  return glm_pass<T, A, true>(a);
}

template <class T, class A>
double softmax(const SoftmaxChunk<T>& a) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  const std::size_t K = a.n_classes, d = a.X.cols;
  const std::size_t padded = (K + 15) / 16 * 16;
  T* z = a.scratch;            // logits, padded with −inf
  T* ez = a.scratch + padded;  // exp(z − max)
  for (std::size_t k = K; k < padded; ++k)
    z[k] = -__builtin_inf();
  long double loss = 0;
  for (std::size_t i = 0; i < a.X.rows; ++i) {
    const T* x = a.X.X + i * a.X.stride;
    std::size_t k = 0;
    for (; k + 4 <= K; k += 4) {
      const T* w = a.W + k * d;
      row_dot4<T, A>(w, w + d, w + 2 * d, w + 3 * d, x, d, z + k);
    }
    for (; k < K; ++k)
      z[k] = row_dot<T, A>(a.W + k * d, x, d);
    T zmax = -__builtin_inf();
    for (k = 0; k < K; ++k) {
      if (a.b) z[k] += a.b[k];
      zmax = z[k] > zmax ? z[k] : zmax;
    }
    B total(T(0));
    const B vmax(zmax);
    for (k = 0; k < padded; k += L) {
      const B e = xsimd::exp(B::load_unaligned(z + k) - vmax);
      e.store_unaligned(ez + k);
      total = total + e;
    }
    const T sum = xsimd::hadd(total);
    alignas(64) T logsum[L];
    xsimd::log(B(sum)).store_aligned(logsum);
    const std::size_t y = std::size_t(a.labels[i]);
    const T s = a.sample_weight ? a.sample_weight[i] : T(1);
    loss += (long double)s * ((long double)logsum[0] + (long double)(zmax - z[y]));
    const T inv = T(1) / sum;
    for (k = 0; k < K; ++k) {
      const T p = ez[k] * inv;
      if (a.probabilities) a.probabilities[i * K + k] = p;
      const T r = s * (p - (k == y ? T(1) : T(0)));
      if (a.grad_b) a.grad_b[k] += r;
      axpy<T, A>(r, x, a.grad_W + k * d, d);
    }
  }
  return double(loss);
}

// Multinomial Hessian-vector product over a chunk: for each row, u_k = V_k · x + v_b_k and
// t_k = s p_k (u_k − Σ_j p_j u_j), then out_k += t_k x and out_b_k += t_k.
template <class T, class A>
void softmax_hessian_vector(const SoftmaxHessianChunk<T>& a) {
  const std::size_t K = a.n_classes, d = a.X.cols;
  T* u = a.scratch;
  for (std::size_t i = 0; i < a.X.rows; ++i) {
    const T* x = a.X.X + i * a.X.stride;
    const T* p = a.probabilities + i * K;
    std::size_t k = 0;
    for (; k + 4 <= K; k += 4) {
      const T* v = a.V + k * d;
      row_dot4<T, A>(v, v + d, v + 2 * d, v + 3 * d, x, d, u + k);
    }
    for (; k < K; ++k)
      u[k] = row_dot<T, A>(a.V + k * d, x, d);
    T mean = 0;
    for (k = 0; k < K; ++k) {
      if (a.v_b) u[k] += a.v_b[k];
      mean += p[k] * u[k];
    }
    const T s = a.sample_weight ? a.sample_weight[i] : T(1);
    for (k = 0; k < K; ++k) {
      const T t = s * p[k] * (u[k] - mean);
      a.out_b[k] += t;
      axpy<T, A>(t, x, a.out + k * d, d);
    }
  }
}

template <class T, class A>
void hessian_vector(RowsChunk<T> X, const T* d, const T* v, T v_b, T* out, T* out_b) {
  constexpr std::size_t L = V<T, A>::size;
  alignas(64) T t[L];
  long double tsum = 0;
  for (std::size_t i0 = 0; i0 < X.rows; i0 += L) {
    const std::size_t count = smaller(L, X.rows - i0);
    const T* x = X.X + i0 * X.stride;
    if (count == L)
      full_block_margins<T, A>(x, X.stride, X.cols, v, v_b).store_aligned(t);
    else
      block_margins<T, A>(X, i0, count, v, v_b, t);
    if (d) {
      for (std::size_t k = 0; k < count; ++k)
        t[k] *= d[i0 + k];
    }
    for (std::size_t k = 0; k < count; ++k)
      tsum += t[k];
    tiled_axpy<T, A>(x, X.stride, X.cols, count, t, out);
  }
  if (out_b) *out_b += T(tsum);
}

template <class T, class A>
void gram_upper(RowsChunk<T> X, const T* d, T* out) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  const std::size_t m = X.cols;
  std::size_t i = 0;
  for (; i + 4 <= X.rows; i += 4) {
    const T* x0 = X.X + i * X.stride;
    const T* x1 = x0 + X.stride;
    const T* x2 = x1 + X.stride;
    const T* x3 = x2 + X.stride;
    const T d0 = d ? d[i] : T(1), d1 = d ? d[i + 1] : T(1);
    const T d2 = d ? d[i + 2] : T(1), d3 = d ? d[i + 3] : T(1);
    for (std::size_t j = 0; j < m; ++j) {
      const B g0(d0 * x0[j]), g1(d1 * x1[j]), g2(d2 * x2[j]), g3(d3 * x3[j]);
      T* row = out + j * m;
      std::size_t k = j;
      for (; k + L <= m; k += L) {
        B o = B::load_unaligned(row + k);
        o = madd(B::load_unaligned(x0 + k), g0, o);
        o = madd(B::load_unaligned(x1 + k), g1, o);
        o = madd(B::load_unaligned(x2 + k), g2, o);
        o = madd(B::load_unaligned(x3 + k), g3, o);
        o.store_unaligned(row + k);
      }
      if (k < m) {
        const std::size_t n = m - k;
        B o = load_partial<T, A>(row + k, n);
        o = madd(load_partial<T, A>(x0 + k, n), g0, o);
        o = madd(load_partial<T, A>(x1 + k, n), g1, o);
        o = madd(load_partial<T, A>(x2 + k, n), g2, o);
        o = madd(load_partial<T, A>(x3 + k, n), g3, o);
        store_partial<T, A>(row + k, o, n);
      }
    }
  }
  for (; i < X.rows; ++i) {
    const T* x0 = X.X + i * X.stride;
    const T d0 = d ? d[i] : T(1);
    for (std::size_t j = 0; j < m; ++j)
      axpy<T, A>(d0 * x0[j], x0 + j, out + j * m + j, m - j);
  }
}

template <class T, class A>
constexpr KernelTable<T> table_for() {
  return {&dot<T, A>,
          &sigmoid<T, A>,
          &log_loss<T, A>,
          &margins<T, A>,
          &transpose_product<T, A>,
          &logistic<T, A>,
          &softmax<T, A>,
          &softmax_hessian_vector<T, A>,
          &squared<T, A>,
          &hessian_vector<T, A>,
          &gram_upper<T, A>};
}

template <class A>
constexpr IsaKernels tables() {
  return {table_for<float, A>(), table_for<double, A>()};
}

}  // namespace simd
}  // namespace
}  // namespace simdlr::detail
