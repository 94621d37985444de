// Row and block sweeps over a chunk of X: one-row and four-row dot products, block margins,
// column-tiled axpy updates, and the software prefetching they do (per-line prefetches ahead of
// the rows being read, page kicks).
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

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

// z[k] = x_k · w + b for `count` rows of `cols` elements starting at x, `stride` apart (plain
// arguments, not a RowsChunk: they stay in registers on the one-row prediction path).
template <class T, class A>
inline void block_margins(const T* x, std::size_t stride, std::size_t cols, std::size_t count,
                          const T* w, T b, T* z) {
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) {
    const T* r = x + k * stride;
    row_dot4<T, A>(r, r + stride, r + 2 * stride, r + 3 * stride, w, cols, z + k);
    for (std::size_t q = 0; q < 4; ++q)
      z[k + q] += b;
  }
  for (; k < count; ++k)
    z[k] = row_dot<T, A>(x + k * stride, w, cols) + b;
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

// How far ahead the sweeps prefetch, in blocks of `lanes` rows (measurements: bench/README.md,
// "Measurements quoted in the kernel sources").
constexpr std::size_t kPrefetchBlocks = 3;

// Page kicks. The L2 hardware prefetcher follows a stream only within a 4 KiB page and has to
// pick it up again on every new page; on a single stream the per-line prefetches above then
// become the leading edge of the stream, and each holds an L1 fill buffer for a whole memory
// latency (our reading: this VM has no counters to confirm it). Touching the first kKickLines
// lines of every page kKickBytes ahead of the rows being read starts the hardware prefetcher on
// that page early (measurements: bench/README.md, "Measurements quoted in the kernel sources").
class PageKicker {
 public:
  static constexpr std::uintptr_t kPage = 4096;
  static constexpr std::uintptr_t kKickBytes = std::uintptr_t(32) << 10;
  static constexpr std::uintptr_t kKickLines = 8;

  // Kicks pages of [begin, end) only: past the end they could cost page walks for nothing.
  // Kicks nothing where the sweeps do not prefetch (g_sweep_prefetch).
  PageKicker(const void* begin, const void* end)
      : next_((address(begin) + kKickBytes + kPage - 1) & ~(kPage - 1)),
        end_(g_sweep_prefetch ? address(end) : 0) {}

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
// Interleaved: a column step across all L rows instead, the same sums in the same order
// (GlmChunk::interleaved says where; see below).
template <class T, class A, Ahead P = Ahead::none, bool Interleaved = false>
inline V<T, A> full_block_margins(const T* x, std::size_t stride, std::size_t n, const T* w, T b,
                                  std::size_t ahead = 0) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t registers_per_line = registers_per_cache_line<T, A>();
  B acc[L];
  if constexpr (Interleaved) {
    // L independent chains of multiply-adds instead of one at a time, and each load of w shared
    // by L rows instead of one (2 loads per multiply-add row by row, where an Ice Lake Xeon
    // sustains about half as many AVX-512 loads as multiply-adds): where X comes from cache the
    // core otherwise waits on one row's chain (4 cycles per step) and on the loads. This sweep
    // issues no software prefetches (the gradient sweep's still do); measured so in
    // bench/README.md, "Margins a column step across the block's rows".
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
      const B wj = load_partial<T, A>(w + j, n - j);
#pragma GCC unroll 16
      for (std::size_t k = 0; k < L; ++k)
        acc[k] = madd(load_partial<T, A>(x + k * stride + j, n - j), wj, acc[k]);
    }
    return rows_total<T, A>(acc) + B(b);
  }
  // One row after the other, not a column step across all L rows: interleaving the rows' loads
  // halves the memory stream on AMD Zen 4 (100,000 x 96 float64: 10 against 20 GB/s, whether 2
  // or 8 rows are interleaved), while w comes from L1 either way. Each row's sums are the same.
#pragma GCC unroll 16
  for (std::size_t k = 0; k < L; ++k) {
    const T* xk = x + k * stride;
    B a(T(0));
    std::size_t j = 0;
    for (; j + L <= n; j += L) {
      if (P != Ahead::none && prefetches_row<P>(k, L) && (j / L) % registers_per_line == 0 &&
          g_sweep_prefetch)
        _mm_prefetch(reinterpret_cast<const char*>(xk + ahead + j), _MM_HINT_T0);
      a = madd(B::load_unaligned(xk + j), B::load_unaligned(w + j), a);
    }
    if (j < n) a = madd(load_partial<T, A>(xk + j, n - j), load_partial<T, A>(w + j, n - j), a);
    acc[k] = a;
  }
  return rows_total<T, A>(acc) + B(b);
}

// out[j0 .. j0 + M·L (+ tail)) += Σ_k r[k] x_k over `count` rows, the M (+1) output registers
// held in registers for the whole block: rows are added in order, one multiply-add each. Each
// row step P selects (of a block of `lanes` rows) also prefetches the same columns `ahead`
// elements further on: in a fused pass, without this the memory stream idles during the
// second, cache-resident read of a block, because the hardware prefetcher runs only a little
// ahead of demand misses. Prefetches never fault, so addresses past the end of X are harmless.
// With Max, top[same columns] = max(top, |x_kj|) from the same loads (a fit's input scan folded
// into its first pass; NaN need not survive: the pass's loss shows it).
template <class T, class A, std::size_t M, bool Tail, Ahead P, bool Max = false>
inline void axpy_tile(const T* x, std::size_t stride, std::size_t count, const T* r, T* out,
                      std::size_t tail, std::size_t ahead, T* top = nullptr) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t registers_per_line = registers_per_cache_line<T, A>();
  B o[M + 1];
  B h[Max ? M + 1 : 1];
#pragma GCC unroll 16
  for (std::size_t t = 0; t < M; ++t)
    o[t] = B::load_unaligned(out + t * L);
  if constexpr (Tail) o[M] = load_partial<T, A>(out + M * L, tail);
  if constexpr (Max) {
#pragma GCC unroll 16
    for (std::size_t t = 0; t < M; ++t)
      h[t] = B::load_unaligned(top + t * L);
    if constexpr (Tail) h[M] = load_partial<T, A>(top + M * L, tail);
  }
  for (std::size_t k = 0; k < count; ++k) {
    const B rk(r[k]);
    const T* xk = x + k * stride;
    if (prefetches_row<P>(k, L) && g_sweep_prefetch) {
#pragma GCC unroll 16
      for (std::size_t t = 0; t < M + (Tail ? 1 : 0); t += registers_per_line)
        _mm_prefetch(reinterpret_cast<const char*>(xk + ahead + t * L), _MM_HINT_T0);
    }
#pragma GCC unroll 16
    for (std::size_t t = 0; t < M; ++t) {
      const B v = B::load_unaligned(xk + t * L);
      o[t] = madd(v, rk, o[t]);
      if constexpr (Max) h[t] = xsimd::max(h[t], xsimd::abs(v));
    }
    if constexpr (Tail) {
      const B v = load_partial<T, A>(xk + M * L, tail);
      o[M] = madd(v, rk, o[M]);
      if constexpr (Max) h[M] = xsimd::max(h[M], xsimd::abs(v));
    }
  }
#pragma GCC unroll 16
  for (std::size_t t = 0; t < M; ++t)
    o[t].store_unaligned(out + t * L);
  if constexpr (Tail) store_partial<T, A>(out + M * L, o[M], tail);
  if constexpr (Max) {
#pragma GCC unroll 16
    for (std::size_t t = 0; t < M; ++t)
      h[t].store_unaligned(top + t * L);
    if constexpr (Tail) store_partial<T, A>(top + M * L, h[M], tail);
  }
}

constexpr std::size_t kTile = 8;
// With column maxima the tile holds twice the registers: half as many columns, so they fit in
// the 16 registers of SSE2 and AVX2 (AVX-512 has 32).
template <bool Max>
constexpr std::size_t tile_registers() {
  return Max ? kTile / 2 : kTile;
}

template <class T, class A, Ahead P, std::size_t M, bool Max>
inline void axpy_rest(const T* x, std::size_t stride, std::size_t count, const T* r, T* out,
                      std::size_t vectors, std::size_t tail, std::size_t ahead, T* top) {
  if constexpr (M < tile_registers<Max>()) {
    if (vectors == M) {
      if (tail)
        axpy_tile<T, A, M, true, P, Max>(x, stride, count, r, out, tail, ahead, top);
      else if (M > 0)
        axpy_tile<T, A, M, false, P, Max>(x, stride, count, r, out, 0, ahead, top);
      return;
    }
    axpy_rest<T, A, P, M + 1, Max>(x, stride, count, r, out, vectors, tail, ahead, top);
  }
}

// out[0..n) += Σ_k r[k] x_k for `count` rows starting at x: column tiles of kTile registers,
// each kept in registers over all rows (rows added in order, one multiply-add each), prefetching
// the rows P selects `ahead` elements further on (see axpy_tile). With Max, also
// top[0..n) = max(top, |x_kj|) (tiles of half the columns; the sums are the same bits).
template <class T, class A, Ahead P = Ahead::none, bool Max = false>
inline void tiled_axpy(const T* x, std::size_t stride, std::size_t n, std::size_t count, const T* r,
                       T* out, std::size_t ahead = 0, T* top = nullptr) {
  constexpr std::size_t L = V<T, A>::size, tile = tile_registers<Max>();
  std::size_t j = 0;
  for (; j + tile * L <= n; j += tile * L) {
    axpy_tile<T, A, tile, false, P, Max>(x + j, stride, count, r, out + j, 0, ahead,
                                         Max ? top + j : nullptr);
  }
  const std::size_t rest = n - j;
  axpy_rest<T, A, P, 0, Max>(x + j, stride, count, r, out + j, rest / L, rest % L, ahead,
                             Max ? top + j : nullptr);
}
