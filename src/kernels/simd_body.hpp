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

// Which rows of a block a sweep over it prefetches `ahead` elements further on (one prefetch per
// cache line). A fused pass reads each block twice (margins, then gradient) and splits the
// prefetches between the two sweeps; a single-sweep kernel prefetches every row.
enum class Ahead { none, first_half, second_half, all };

template <Ahead P>
constexpr bool prefetches_row(std::size_t k, std::size_t rows) {
  return P == Ahead::all || (P == Ahead::first_half && 2 * k < rows) ||
         (P == Ahead::second_half && 2 * k >= rows);
}

// How far ahead the sweeps prefetch, in blocks of `lanes` rows. Measured on 1.26 GB of float64,
// 100 columns, one thread: three blocks is best for the fused pass pipelined as in glm_pass (two
// was best before it; with the pipelining the next block's margins are read a block earlier,
// and two then came 15% slower); four to eight, or a fixed 12 KB ahead, are no better.
constexpr std::size_t kPrefetchBlocks = 3;

// Page kicks. The L2 hardware prefetcher follows a stream only within a 4 KiB page and has to
// pick it up again on every new page; on a single stream the per-line prefetches above then
// become the leading edge of the stream, and each holds an L1 fill buffer for a whole memory
// latency (our reading: this VM has no counters to confirm it). Touching the first kKickLines
// lines of every page kKickBytes ahead of the rows being read starts the hardware prefetcher on
// that page early. Measured on 1.26 GB of X, 100 columns (interleaved medians of the fraction of
// a paired read): the fused logistic pass went from 0.78 to 0.87-0.90 (float) and from 0.81 to
// 0.93 (double) on one thread, and from 0.79-0.80 to 0.87-0.89 on two; margins, Xᵀr and the
// Hessian-vector product gained 1-10 points. 2 to 16 lines per page all helped (8 or 16 most),
// 32 at once was worse than none; 24 to 64 KiB ahead made no clear difference.
class PageKicker {
 public:
  static constexpr std::uintptr_t kPage = 4096;
  static constexpr std::uintptr_t kKickBytes = std::uintptr_t(32) << 10;
  static constexpr std::uintptr_t kKickLines = 8;

  // Kicks pages of [begin, end) only: past the end they could cost page walks for nothing.
  PageKicker(const void* begin, const void* end)
      : next_((address(begin) + kKickBytes + kPage - 1) & ~(kPage - 1)), end_(address(end)) {}

  // Kicks every page that starts before `position` + kKickBytes and was not kicked yet.
  void reading(const void* position) {
    const std::uintptr_t horizon = address(position) + kKickBytes;
    for (; next_ < horizon && next_ < end_; next_ += kPage) {
      for (std::uintptr_t line = 0; line < kKickLines; ++line)
        _mm_prefetch(reinterpret_cast<const char*>(next_ + 64 * line), _MM_HINT_T0);
    }
  }

 private:
  static std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
  std::uintptr_t next_, end_;
};

// Registers of T per 64-byte cache line (at least 1): the step of one prefetch per line.
template <class T, class A>
constexpr std::size_t registers_per_cache_line() {
  constexpr std::size_t bytes = V<T, A>::size * sizeof(T);
  return bytes < 64 ? 64 / bytes : 1;
}

// Margins of a full block of L = lanes rows starting at x (rows `stride` apart), as one register:
// lane k = x_k · w + b, each row summed exactly as row_dot sums it (one accumulator, columns in
// order, then lane_sum), so the bits match margins() and a single-row prediction.
// The sweep also prefetches the rows P selects `ahead` elements further on (see Ahead).
template <class T, class A, Ahead P = Ahead::none>
inline V<T, A> full_block_margins(const T* x, std::size_t stride, std::size_t n, const T* w, T b,
                                  std::size_t ahead = 0) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t registers_per_line = registers_per_cache_line<T, A>();
  B acc[L];
#pragma GCC unroll 16
  for (std::size_t k = 0; k < L; ++k)
    acc[k] = B(T(0));
  std::size_t j = 0;
  for (; j + L <= n; j += L) {
    const B wj = B::load_unaligned(w + j);
    if (P != Ahead::none && (j / L) % registers_per_line == 0) {
#pragma GCC unroll 16
      for (std::size_t k = 0; k < L; ++k)
        if (prefetches_row<P>(k, L))
          _mm_prefetch(reinterpret_cast<const char*>(x + ahead + k * stride + j), _MM_HINT_T0);
    }
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

// out[j0 .. j0 + M·L (+ tail)) += Σ_k r[k] x_k over `count` rows, the M (+1) output registers
// held in registers for the whole block: rows are added in order, one multiply-add each. Each
// row step P selects (of a block of `lanes` rows) also prefetches the same columns `ahead`
// elements further on: in a fused pass, without this the memory stream idles during the
// second, cache-resident read of a block, because the hardware prefetcher runs only a little
// ahead of demand misses. Prefetches never fault, so addresses past the end of X are harmless.
template <class T, class A, std::size_t M, bool Tail, Ahead P>
inline void axpy_tile(const T* x, std::size_t stride, std::size_t count, const T* r, T* out,
                      std::size_t tail, std::size_t ahead) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t registers_per_line = registers_per_cache_line<T, A>();
  B o[M + 1];
#pragma GCC unroll 16
  for (std::size_t t = 0; t < M; ++t)
    o[t] = B::load_unaligned(out + t * L);
  if constexpr (Tail) o[M] = load_partial<T, A>(out + M * L, tail);
  for (std::size_t k = 0; k < count; ++k) {
    const B rk(r[k]);
    const T* xk = x + k * stride;
    if (prefetches_row<P>(k, L)) {
#pragma GCC unroll 16
      for (std::size_t t = 0; t < M + (Tail ? 1 : 0); t += registers_per_line)
        _mm_prefetch(reinterpret_cast<const char*>(xk + ahead + t * L), _MM_HINT_T0);
    }
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

template <class T, class A, Ahead P, std::size_t M>
inline void axpy_rest(const T* x, std::size_t stride, std::size_t count, const T* r, T* out,
                      std::size_t vectors, std::size_t tail, std::size_t ahead) {
  if constexpr (M < kTile) {
    if (vectors == M) {
      if (tail)
        axpy_tile<T, A, M, true, P>(x, stride, count, r, out, tail, ahead);
      else if (M > 0)
        axpy_tile<T, A, M, false, P>(x, stride, count, r, out, 0, ahead);
      return;
    }
    axpy_rest<T, A, P, M + 1>(x, stride, count, r, out, vectors, tail, ahead);
  }
}

// out[0..n) += Σ_k r[k] x_k for `count` rows starting at x: column tiles of kTile registers,
// each kept in registers over all rows (rows added in order, one multiply-add each), prefetching
// the rows P selects `ahead` elements further on (see axpy_tile).
template <class T, class A, Ahead P = Ahead::none>
inline void tiled_axpy(const T* x, std::size_t stride, std::size_t n, std::size_t count, const T* r,
                       T* out, std::size_t ahead = 0) {
  constexpr std::size_t L = V<T, A>::size;
  std::size_t j = 0;
  for (; j + kTile * L <= n; j += kTile * L)
    axpy_tile<T, A, kTile, false, P>(x + j, stride, count, r, out + j, 0, ahead);
  const std::size_t rest = n - j;
  axpy_rest<T, A, P, 0>(x + j, stride, count, r, out + j, rest / L, rest % L, ahead);
}

// e^x for x ≤ 0 (also −inf → 0 and NaN → NaN), without a division: x = n ln2 + r with
// |r| ≤ ln2 / 2 (Cody–Waite, ln2 split in two), e^r by its Taylor polynomial (degree 13 for
// double, 7 for float: truncation < 0.1 ULP) in Horner form, times 2^n built from the exponent
// bits. n stops at the smallest normal exponent: below x = −708.73 (double) / −87.68 (float),
// i.e. −(emin + ½) ln 2, the result is 0; between that and the smallest normal number's log it
// is p · 2^emin with p < 1, rounded to a subnormal.
template <class T, class A>
inline V<T, A> exp_nonpositive(V<T, A> x) {
  using B = V<T, A>;
  if constexpr (std::is_same_v<T, double>) {
    using I = xsimd::batch<std::int64_t, A>;
    const B lo(-708.73), shifter(6755399441055744.0);  // 1.5 · 2^52
    const B xc = xsimd::select(x < lo, lo, x);
    const B t = xc * B(1.4426950408889634) + shifter;
    const B n = t - shifter;
    B r = madd(n, B(-6.93147180369123816490e-01), xc);
    r = madd(n, B(-1.90821492927058770002e-10), r);
    constexpr double inv[14] = {1.0,
                                1.0,
                                1.0 / 2.0,
                                1.0 / 6.0,
                                1.0 / 24.0,
                                1.0 / 120.0,
                                1.0 / 720.0,
                                1.0 / 5040.0,
                                1.0 / 40320.0,
                                1.0 / 362880.0,
                                1.0 / 3628800.0,
                                1.0 / 39916800.0,
                                1.0 / 479001600.0,
                                1.0 / 6227020800.0};  // 1 / i!
    B p(inv[13]);
#pragma GCC unroll 16
    for (int i = 12; i >= 0; --i)
      p = madd(p, r, B(inv[i]));
    const I bits =
        (xsimd::bitwise_cast<I>(t) - I(std::int64_t(0x4338000000000000)) + I(std::int64_t(1023)))
        << 52;
    return xsimd::select(x < lo, B(0.0), p * xsimd::bitwise_cast<B>(bits));
  } else {
    using I = xsimd::batch<std::int32_t, A>;
    const B lo(-87.68f), shifter(12582912.0f);  // 1.5 · 2^23
    const B xc = xsimd::select(x < lo, lo, x);
    const B t = xc * B(1.44269504f) + shifter;
    const B n = t - shifter;
    B r = madd(n, B(-0.693359375f), xc);
    r = madd(n, B(2.12194440e-4f), r);
    constexpr float inv[8] = {1.0f,         1.0f,          1.0f / 2.0f,   1.0f / 6.0f,
                              1.0f / 24.0f, 1.0f / 120.0f, 1.0f / 720.0f, 1.0f / 5040.0f};
    B p(inv[7]);
#pragma GCC unroll 8
    for (int i = 6; i >= 0; --i)
      p = madd(p, r, B(inv[i]));
    const I bits = (xsimd::bitwise_cast<I>(t) - I(std::int32_t(0x4B400000)) + I(127)) << 23;
    return xsimd::select(x < lo, B(0.0f), p * xsimd::bitwise_cast<B>(bits));
  }
}

// The stable logistic pieces for a batch of logits: e = exp(−|z|), σ(z), and the log-loss term.
template <class T, class A>
struct LogisticParts {
  V<T, A> e, p;
};

// e^(−|z|), accurate wherever the result is a normal number.
template <class T, class A>
inline V<T, A> exp_neg_abs(V<T, A> z) {
  return exp_nonpositive<T, A>(-xsimd::abs(z));
}

template <class T, class A>
inline LogisticParts<T, A> logistic_parts(V<T, A> z) {
  using B = V<T, A>;
  const B e = exp_neg_abs<T, A>(z);
  const B p = xsimd::select(z >= B(T(0)), B(T(1)), e) / (B(T(1)) + e);
  return {e, p};
}

// log(1 + e) for e in [0, 1] (NaN stays NaN), within about 3 ε relative. One division and a
// short polynomial instead of xsimd's general log1p (about 120 instructions per register, which
// made log_loss 1.4-1.6x slower).
//   s = e / (2 + e)                    for e ≤ √2 − 1,
//   s = (e − 1) / (e + 3), plus ln 2   above (log(1 + e) = ln 2 + log((1 + e) / 2)),
// so |s| ≤ 0.1716 and log(1 + e) = 2 atanh(s) = 2 s Σ_i s^2i / (2i + 1). The series is cut where
// s^2 ≤ 0.0295 makes the next term smaller than 2^-54 (double, i ≤ 9) or 2^-25 (float, i ≤ 4).
// e − 1 is exact for e ≥ 1/2 (Sterbenz) and off by at most 2^-54 below; ln 2 is added as a high
// and a low part.
template <class T, class A>
inline V<T, A> log1p_unit(V<T, A> e) {
  using B = V<T, A>;
  constexpr bool is_double = std::is_same_v<T, double>;
  constexpr int terms = is_double ? 10 : 5;
  const auto above = e > B(T(0.41421356237309503));
  const B s = xsimd::select(above, e - B(T(1)), e) / (e + xsimd::select(above, B(T(3)), B(T(2))));
  const B s2 = s * s;
  B poly(T(1) / T(2 * terms - 1));
#pragma GCC unroll 16
  for (int i = terms - 2; i >= 0; --i)
    poly = madd(poly, s2, B(T(1) / T(2 * i + 1)));
  const T ln2_hi = is_double ? T(0.6931471805599453) : T(0.693147182f);
  const T ln2_lo = is_double ? T(2.3190468138462996e-17) : T(-1.90465421e-09f);
  const B two_s = s + s;
  const B zero(T(0));
  return xsimd::select(above, B(ln2_hi), zero) +
         madd(two_s, poly, xsimd::select(above, B(ln2_lo), zero));
}

template <class T, class A>
inline V<T, A> log_loss_term(V<T, A> z, V<T, A> y, V<T, A> e) {
  using B = V<T, A>;
  const B linear = xsimd::select(z >= B(T(0)), (B(T(1)) - y) * z, -(y * z));
  return log1p_unit<T, A>(e) + linear;
}

// --- chunk kernels ---------------------------------------------------------------------------

// Inputs of at least this many bytes per vector are read as four interleaved quarters.
constexpr std::size_t kDotQuartersMinBytes = std::size_t(24) << 10;

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
  if (n * sizeof(T) >= kDotQuartersMinBytes) {
    // Beyond L1: the four quarters of the whole-register part in lockstep, two accumulators
    // each. Eight streams keep more cache-line requests in flight than two (measured here on
    // 2 x 32 KB of L2-resident doubles: 20-25% faster).
    const std::size_t q = n / (8 * L) * (2 * L);
    for (; i < q; i += 2 * L) {
      step(a0, i);
      step(a1, i + L);
      step(a2, q + i);
      step(a3, q + i + L);
      step(a4, 2 * q + i);
      step(a5, 2 * q + i + L);
      step(a6, 3 * q + i);
      step(a7, 3 * q + i + L);
    }
    i = 4 * q;
  }
  {
    const T* px = x + i;
    const T* py = y + i;
    const std::size_t iterations = (n - i) / (8 * L);
    for (std::size_t it = 0; it < iterations; ++it, px += 8 * L, py += 8 * L) {
      a0 = madd(B::load_unaligned(px), B::load_unaligned(py), a0);
      a1 = madd(B::load_unaligned(px + L), B::load_unaligned(py + L), a1);
      a2 = madd(B::load_unaligned(px + 2 * L), B::load_unaligned(py + 2 * L), a2);
      a3 = madd(B::load_unaligned(px + 3 * L), B::load_unaligned(py + 3 * L), a3);
      a4 = madd(B::load_unaligned(px + 4 * L), B::load_unaligned(py + 4 * L), a4);
      a5 = madd(B::load_unaligned(px + 5 * L), B::load_unaligned(py + 5 * L), a5);
      a6 = madd(B::load_unaligned(px + 6 * L), B::load_unaligned(py + 6 * L), a6);
      a7 = madd(B::load_unaligned(px + 7 * L), B::load_unaligned(py + 7 * L), a7);
    }
    i += iterations * 8 * L;
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

// Blocks of `lanes` rows, every row prefetched kPrefetchBlocks blocks ahead while that block is
// still in the chunk: the hardware prefetcher alone leaves the memory stream idle part of the
// time, and prefetches past the chunk's end would cost page walks for nothing (small inputs).
// The bits are those of row_dot, as a single-row prediction gets them.
template <class T, class A>
void margins(RowsChunk<T> X, const T* w, T b, T* z) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t ahead = kPrefetchBlocks * L * X.stride;
  const T* x = X.X;
  PageKicker kicker(x, x + X.rows * X.stride);
  std::size_t i0 = 0;
  for (; i0 + (kPrefetchBlocks + 1) * L <= X.rows; i0 += L, x += L * X.stride) {
    kicker.reading(x);
    full_block_margins<T, A, Ahead::all>(x, X.stride, X.cols, w, b, ahead).store_unaligned(z + i0);
  }
  for (; i0 + L <= X.rows; i0 += L, x += L * X.stride)
    full_block_margins<T, A>(x, X.stride, X.cols, w, b).store_unaligned(z + i0);
  if (i0 < X.rows) block_margins<T, A>(X, i0, X.rows - i0, w, b, z + i0);
}

// Blocks of `lanes` rows added in order into column tiles held in registers, prefetched as in
// margins.
template <class T, class A>
void transpose_product(RowsChunk<T> X, const T* r, T* out) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t ahead = kPrefetchBlocks * L * X.stride;
  const T* x = X.X;
  PageKicker kicker(x, x + X.rows * X.stride);
  std::size_t i0 = 0;
  for (; i0 + (kPrefetchBlocks + 1) * L <= X.rows; i0 += L, x += L * X.stride) {
    kicker.reading(x);
    tiled_axpy<T, A, Ahead::all>(x, X.stride, X.cols, L, r + i0, out, ahead);
  }
  for (; i0 < X.rows; i0 += L, x += L * X.stride)
    tiled_axpy<T, A>(x, X.stride, X.cols, smaller(L, X.rows - i0), r + i0, out);
}

// The per-block loss and residual of a GLM pass: μ(z) − y weighted, loss into (loss_s, loss_c).
template <class T, class A, bool Squared>
inline V<T, A> glm_residual(const GlmChunk<T>& a, std::size_t i0, std::size_t count, V<T, A> z,
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
// The two sweeps of a block prefetch the block kPrefetchBlocks ahead, half the rows each, so
// memory keeps streaming while a block is worked on from L1 (see axpy_tile).

template <class T, class A, bool Squared>
double glm_pass(const GlmChunk<T>& a) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  alignas(64) T zbuf[L];
  alignas(64) T rbuf[L];
  B loss_s(T(0)), loss_c(T(0)), rsum(T(0));
  const std::size_t n = a.X.cols, stride = a.X.stride, rows = a.X.rows;
  const std::size_t ahead = kPrefetchBlocks * L * stride;
  const auto margins_at = [&](std::size_t i0) {
    const std::size_t count = smaller(L, rows - i0);
    // Block i0 prefetches as far ahead as the gradient update before it, within the chunk.
    if (count == L && i0 + kPrefetchBlocks * L <= rows)
      return full_block_margins<T, A, Ahead::first_half>(a.X.X + i0 * stride, stride, n, a.w, a.b,
                                                         ahead - L * stride);
    if (count == L) return full_block_margins<T, A>(a.X.X + i0 * stride, stride, n, a.w, a.b);
    for (std::size_t k = count; k < L; ++k)
      zbuf[k] = T(0);
    block_margins<T, A>(a.X, i0, count, a.w, a.b, zbuf);
    return B::load_aligned(zbuf);
  };
  if (rows == 0) return 0;
  // Software-pipelined by one block: the next block's margins come before this block's residual
  // in program order, so the core overlaps the residual's dependency chain (reduction, exp, two
  // divisions, two polynomials: about 150 cycles) with independent loads and multiply-adds.
  PageKicker kicker(a.X.X, a.X.X + rows * stride);
  B z_next = margins_at(0);
  for (std::size_t i0 = 0; i0 < rows; i0 += L) {
    const std::size_t count = smaller(L, rows - i0);
    kicker.reading(a.X.X + i0 * stride);
    const B z = z_next;
    if (i0 + L < rows) z_next = margins_at(i0 + L);
    const B r = glm_residual<T, A, Squared>(a, i0, count, z, loss_s, loss_c);
    rsum = rsum + r;
    r.store_aligned(rbuf);
    if (a.margins) store_partial<T, A>(a.margins + i0, z, count);
    if (i0 + (kPrefetchBlocks + 1) * L <= rows)
      tiled_axpy<T, A, Ahead::second_half>(a.X.X + i0 * stride, stride, n, count, rbuf, a.grad_w,
                                           ahead);
    else
      tiled_axpy<T, A>(a.X.X + i0 * stride, stride, n, count, rbuf, a.grad_w);
  }
  if (a.grad_b) *a.grad_b += xsimd::hadd(rsum);
  return lanes_total<T, A>(loss_s, loss_c);
}

template <class T, class A>
double logistic(const GlmChunk<T>& a) {
  return glm_pass<T, A, false>(a);
}

template <class T, class A>
double squared(const GlmChunk<T>& a) {
  return glm_pass<T, A, true>(a);
}

// --- softmax: blocks of rows, lanes = classes --------------------------------------------------
//
// The softmax kernels work on kSoftmaxBlockRows rows at a time, with the K classes of a row in the
// lanes of ceil(K / lanes) registers (the driver passes W transposed, d rows of padded K values).
// The logits of a block are K-wide FMAs with x_ij broadcast, with no horizontal sums; the
// gradient update adds all rows of the block to grad_W in registers, one read-modify-write of
// grad_W per block instead of per row.

// Each logit Σ_j x_j W_jk is summed in ceil(√d) segments of consecutive j, each segment's sum
// added to the total in order: error ≤ (segment length + segments) ε Σ |x_j W_jk| ≈ 2 √d ε, within
// the dot bound (d / lanes + 2 log2 d + 8) ε for every lane count up to 16.
inline std::size_t logit_segment(std::size_t d) {
  std::size_t s = 1;
  while (s * s < d)
    ++s;
  return (d + s - 1) / s;
}

// z[r · Kp + c0 + c · lanes + l] = Σ_j x[r][j] M_t[j · Kp + c0 + c · lanes + l] for R rows and C
// registers of classes from c0.
template <class T, class A, std::size_t R, std::size_t C>
inline void softmax_logits_tile(const T* const* x, const T* M_t, std::size_t Kp, std::size_t c0,
                                std::size_t d, std::size_t segment, T* z) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  for (std::size_t j0 = 0; j0 < d; j0 += segment) {
    const std::size_t j1 = smaller(d, j0 + segment);
    B acc[R][C];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (std::size_t c = 0; c < C; ++c)
        acc[r][c] = B(T(0));
    }
    for (std::size_t j = j0; j < j1; ++j) {
      const T* m = M_t + j * Kp + c0;
      B mv[C];
#pragma GCC unroll 4
      for (std::size_t c = 0; c < C; ++c)
        mv[c] = B::load_unaligned(m + c * L);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r) {
        const B xv(x[r][j]);
#pragma GCC unroll 4
        for (std::size_t c = 0; c < C; ++c)
          acc[r][c] = madd(xv, mv[c], acc[r][c]);
      }
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (std::size_t c = 0; c < C; ++c) {
        T* o = z + r * Kp + c0 + c * L;
        if (j0 == 0)
          acc[r][c].store_unaligned(o);
        else
          (B::load_unaligned(o) + acc[r][c]).store_unaligned(o);
      }
    }
  }
}

// The logits (without intercepts) of R rows for the first K classes: z is R rows of Kp values, of
// which the first ceil(K / lanes) · lanes are written (those past the classes of M_t are zero,
// since M_t is zero-padded).
template <class T, class A, std::size_t R>
inline void softmax_block_logits(const T* const* x, const T* M_t, std::size_t K, std::size_t Kp,
                                 std::size_t d, T* z) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t Kv = (K + L - 1) / L;
  const std::size_t segment = logit_segment(d);
  std::size_t c = 0;
  if constexpr (is_avx512<A>) {
    for (; c + 2 <= Kv; c += 2)
      softmax_logits_tile<T, A, R, 2>(x, M_t, Kp, c * L, d, segment, z);
  }
  for (; c < Kv; ++c)
    softmax_logits_tile<T, A, R, 1>(x, M_t, Kp, c * L, d, segment, z);
}

// G[k · d + j] += Σ_r coef[k · kSoftmaxBlockRows + r] x[r][j] for k < K, the rows added in order
// (the coefficients of a class for the rows of a block are adjacent, so the broadcasts address
// them at fixed offsets from one pointer).
template <class T, class A, std::size_t R>
inline void softmax_block_update(const T* const* x, const T* coef, std::size_t K, std::size_t d,
                                 T* G) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t S = kSoftmaxBlockRows;
  std::size_t j = 0;
  for (; j + L <= d; j += L) {
    B xv[R];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r)
      xv[r] = B::load_unaligned(x[r] + j);
    const T* c = coef;
    for (std::size_t k = 0; k < K; ++k, c += S) {
      T* g = G + k * d + j;
      B o = B::load_unaligned(g);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r)
        o = madd(xv[r], B(c[r]), o);
      o.store_unaligned(g);
    }
  }
  if (j < d) {
    const std::size_t m = d - j;
    B xv[R];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r)
      xv[r] = load_partial<T, A>(x[r] + j, m);
    const T* c = coef;
    for (std::size_t k = 0; k < K; ++k, c += S) {
      T* g = G + k * d + j;
      B o = load_partial<T, A>(g, m);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r)
        o = madd(xv[r], B(c[r]), o);
      store_partial<T, A>(g, o, m);
    }
  }
}

// How many classes the logits put in lanes: all of them, or only those in whole registers when
// the rest are cheaper as plain dot products. A partly filled register costs d FMAs per row
// whatever number of classes it holds; a dot product costs about d / lanes FMAs and a horizontal
// sum (row_dot, within the same dot bound).
template <class T, class A>
inline std::size_t softmax_lane_classes(std::size_t K, std::size_t d) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t full = K / L * L, rest = K - full;
  return rest != 0 && rest * ((d + L - 1) / L + 8) < d ? full : K;
}

// Logits (without intercepts) of `count` rows (a whole block at once when count is the block
// size) into rows of Kp values: classes below `lanes` from M_t in lanes, the others (at most
// lanes − 1 of them) as dot products with the rows of M (K x d).
template <class T, class A>
inline void softmax_logits(const T* const* x, std::size_t count, const T* M, const T* M_t,
                           std::size_t K, std::size_t d, T* z) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t Kp = softmax_padded_classes(K);
  const std::size_t lanes = softmax_lane_classes<T, A>(K, d);
  if (lanes > 0) {
    if (count == R) {
      softmax_block_logits<T, A, R>(x, M_t, lanes, Kp, d, z);
    } else {
      for (std::size_t r = 0; r < count; ++r)
        softmax_block_logits<T, A, 1>(x + r, M_t, lanes, Kp, d, z + r * Kp);
    }
  }
  for (std::size_t k = lanes; k < K; ++k) {
    const T* m = M + k * d;
    std::size_t r = 0;
    for (; r + 4 <= count; r += 4) {
      T out[4];
      row_dot4<T, A>(x[r], x[r + 1], x[r + 2], x[r + 3], m, d, out);
      for (std::size_t q = 0; q < 4; ++q)
        z[(r + q) * Kp + k] = out[q];
    }
    for (; r < count; ++r)
      z[r * Kp + k] = row_dot<T, A>(x[r], m, d);
  }
}

template <class T, class A>
inline void softmax_update(const T* const* x, std::size_t count, const T* coef, std::size_t K,
                           std::size_t d, T* G) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  if (count == R) {
    softmax_block_update<T, A, R>(x, coef, K, d, G);
  } else {
    for (std::size_t r = 0; r < count; ++r)
      softmax_block_update<T, A, 1>(x + r, coef + r, K, d, G);
  }
}

template <class T, class A>
double softmax(const SoftmaxChunk<T>& a) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t K = a.n_classes, d = a.X.cols;
  const std::size_t Kp = softmax_padded_classes(K), Kl = (K + L - 1) / L * L;
  T* zb = a.scratch;               // R rows of logits
  T* eb = a.scratch + R * Kp;      // R rows of exp(z − max)
  T* rt = a.scratch + 2 * R * Kp;  // residuals, K rows of R
  long double loss = 0;
  for (std::size_t i0 = 0; i0 < a.X.rows; i0 += R) {
    const std::size_t count = smaller(R, a.X.rows - i0);
    const T* x[R];
    for (std::size_t r = 0; r < count; ++r)
      x[r] = a.X.X + (i0 + r) * a.X.stride;
    softmax_logits<T, A>(x, count, a.W, a.W_t, K, d, zb);
    alignas(64) T sums[16 + R];
    alignas(64) T logsum[16 + R];
    T zmax[R];
    for (std::size_t r = 0; r < 16 + R; ++r)
      sums[r] = T(1);
    for (std::size_t r = 0; r < count; ++r) {
      T* z = zb + r * Kp;
      T m = -__builtin_inf();
      for (std::size_t k = 0; k < K; ++k) {
        if (a.b) z[k] += a.b[k];
        m = z[k] > m ? z[k] : m;
      }
      for (std::size_t k = K; k < Kl; ++k)
        z[k] = -__builtin_inf();
      zmax[r] = m;
    }
    // The exponentials of the whole block in one loop of independent iterations (the polynomial
    // is a long dependency chain; several in flight hide its latency).
    for (std::size_t r = 0; r < count; ++r) {
      const B vmax(zmax[r]);
      for (std::size_t k = 0; k < Kl; k += L)
        exp_nonpositive<T, A>(B::load_unaligned(zb + r * Kp + k) - vmax)
            .store_unaligned(eb + r * Kp + k);
    }
    for (std::size_t r = 0; r < count; ++r) {
      B total(T(0));
      for (std::size_t k = 0; k < Kl; k += L)
        total = total + B::load_unaligned(eb + r * Kp + k);
      sums[r] = xsimd::hadd(total);
    }
    for (std::size_t r = 0; r < count; r += L)
      xsimd::log(B::load_unaligned(sums + r)).store_unaligned(logsum + r);
    for (std::size_t r = 0; r < count; ++r) {
      const std::size_t i = i0 + r;
      const T* z = zb + r * Kp;
      const T* ez = eb + r * Kp;
      const std::size_t y = std::size_t(a.labels[i]);
      const T s = a.sample_weight ? a.sample_weight[i] : T(1);
      loss += (long double)s * ((long double)logsum[r] + (long double)(zmax[r] - z[y]));
      const T inv = T(1) / sums[r];
      for (std::size_t k = 0; k < K; ++k) {
        const T p = ez[k] * inv;
        if (a.probabilities) a.probabilities[i * K + k] = p;
        const T res = s * (p - (k == y ? T(1) : T(0)));
        if (a.grad_b) a.grad_b[k] += res;
        rt[k * R + r] = res;
      }
    }
    softmax_update<T, A>(x, count, rt, K, d, a.grad_W);
  }
  return double(loss);
}

// Multinomial Hessian-vector product over a chunk: for each row, u_k = V_k · x + v_b_k and
// t_k = s p_k (u_k − Σ_j p_j u_j), then out_k += t_k x and out_b_k += t_k.
template <class T, class A>
void softmax_hessian_vector(const SoftmaxHessianChunk<T>& a) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t K = a.n_classes, d = a.X.cols;
  const std::size_t Kp = softmax_padded_classes(K);
  T* ub = a.scratch;           // R rows of u
  T* tb = a.scratch + R * Kp;  // t, K rows of R
  for (std::size_t i0 = 0; i0 < a.X.rows; i0 += R) {
    const std::size_t count = smaller(R, a.X.rows - i0);
    const T* x[R];
    for (std::size_t r = 0; r < count; ++r)
      x[r] = a.X.X + (i0 + r) * a.X.stride;
    softmax_logits<T, A>(x, count, a.V, a.V_t, K, d, ub);
    for (std::size_t r = 0; r < count; ++r) {
      const std::size_t i = i0 + r;
      T* u = ub + r * Kp;
      const T* p = a.probabilities + i * K;
      T mean = 0;
      for (std::size_t k = 0; k < K; ++k) {
        if (a.v_b) u[k] += a.v_b[k];
        mean += p[k] * u[k];
      }
      const T s = a.sample_weight ? a.sample_weight[i] : T(1);
      for (std::size_t k = 0; k < K; ++k) {
        const T t = s * p[k] * (u[k] - mean);
        a.out_b[k] += t;
        tb[k * R + r] = t;
      }
    }
    softmax_update<T, A>(x, count, tb, K, d, a.out);
  }
}

template <class T, class A>
void hessian_vector(RowsChunk<T> X, const T* d, const T* v, T v_b, T* out, T* out_b) {
  constexpr std::size_t L = V<T, A>::size;
  alignas(64) T t[L];
  long double tsum = 0;
  const std::size_t ahead = kPrefetchBlocks * L * X.stride;
  PageKicker kicker(X.X, X.X + X.rows * X.stride);
  for (std::size_t i0 = 0; i0 < X.rows; i0 += L) {
    const std::size_t count = smaller(L, X.rows - i0);
    const T* x = X.X + i0 * X.stride;
    kicker.reading(x);
    const bool prefetch = i0 + (kPrefetchBlocks + 1) * L <= X.rows;  // within the chunk
    if (count == L && prefetch)
      full_block_margins<T, A, Ahead::first_half>(x, X.stride, X.cols, v, v_b, ahead)
          .store_aligned(t);
    else if (count == L)
      full_block_margins<T, A>(x, X.stride, X.cols, v, v_b).store_aligned(t);
    else
      block_margins<T, A>(X, i0, count, v, v_b, t);
    if (d) {
      for (std::size_t k = 0; k < count; ++k)
        t[k] *= d[i0 + k];
    }
    for (std::size_t k = 0; k < count; ++k)
      tsum += t[k];
    if (prefetch)
      tiled_axpy<T, A, Ahead::second_half>(x, X.stride, X.cols, count, t, out, ahead);
    else
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

// Whether n values hold a NaN or ±inf: x − x is 0 for finite x and NaN otherwise, and NaN
// sticks in a sum. Four accumulators, so the loop runs at load (memory) speed.
template <class T, class A>
inline bool any_non_finite_run(const T* x, std::size_t n) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
  // Four quarters in lockstep: four streams read faster than one (as in dot).
  const std::size_t q = n / (4 * L) * L;
  for (std::size_t i = 0; i < q; i += L) {
    const B x0 = B::load_unaligned(x + i), x1 = B::load_unaligned(x + q + i);
    const B x2 = B::load_unaligned(x + 2 * q + i), x3 = B::load_unaligned(x + 3 * q + i);
    a0 = a0 + (x0 - x0);
    a1 = a1 + (x1 - x1);
    a2 = a2 + (x2 - x2);
    a3 = a3 + (x3 - x3);
  }
  std::size_t i = 4 * q;
  for (; i + L <= n; i += L) {
    const B xi = B::load_unaligned(x + i);
    a0 = a0 + (xi - xi);
  }
  if (i < n) {
    const B xi = load_partial<T, A>(x + i, n - i);
    a1 = a1 + (xi - xi);
  }
  const B total = (a0 + a1) + (a2 + a3);
  // Not any(total != total): xsimd 8.1's AVX/AVX-512 != is the ordered compare (_CMP_NEQ_OQ),
  // false for NaN. == is ordered too, which is what this needs.
  return !xsimd::all(total == total);
}

template <class T, class A>
bool any_non_finite(RowsChunk<T> X) {
  if (X.stride == X.cols) return any_non_finite_run<T, A>(X.X, X.rows * X.cols);
  for (std::size_t i = 0; i < X.rows; ++i)
    if (any_non_finite_run<T, A>(X.X + i * X.stride, X.cols)) return true;
  return false;
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
          &gram_upper<T, A>,
          &any_non_finite<T, A>};
}

template <class A>
constexpr IsaKernels tables() {
  return {table_for<float, A>(), table_for<double, A>()};
}

}  // namespace simd
}  // namespace
}  // namespace simdlr::detail
