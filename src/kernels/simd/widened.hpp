// Chunk kernels in double arithmetic over rows of T (float rows widened exactly): the passes the
// certificates make over float data (objectives/wide_passes.hpp), which must not carry the float
// kernels' rounding.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// A register of doubles from p: T = double a plain load; T = float as many floats, widened.
template <class T, class A>
inline V<double, A> load_widened(const T* p) {
  if constexpr (std::is_same_v<T, double>) {
    return V<double, A>::load_unaligned(p);
  } else if constexpr (is_avx512<A>) {
    return _mm512_cvtps_pd(_mm256_loadu_ps(p));
  } else if constexpr (is_avx2<A>) {
    return _mm256_cvtps_pd(_mm_loadu_ps(p));
  } else {
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
}

// The first n < lanes values of p widened, zeros in the other lanes, reading nothing past p + n.
template <class T, class A>
inline V<double, A> load_widened_partial(const T* p, std::size_t n) {
  if constexpr (std::is_same_v<T, double>) {
    return load_partial<double, A>(p, n);
  } else if constexpr (is_avx512<A>) {
    return _mm512_cvtps_pd(
        _mm512_castps512_ps256(_mm512_maskz_loadu_ps(__mmask16((1u << n) - 1u), p)));
  } else if constexpr (is_avx2<A>) {
    const __m128i mask = _mm_cmpgt_epi32(_mm_set1_epi32(int(n)), _mm_setr_epi32(0, 1, 2, 3));
    return _mm256_cvtps_pd(_mm_maskload_ps(p, mask));
  } else {
    constexpr std::size_t L = V<double, A>::size;
    alignas(64) double buf[L];
    for (std::size_t k = 0; k < L; ++k)
      buf[k] = k < n ? double(p[k]) : 0.0;
    return V<double, A>::load_aligned(buf);
  }
}

// Prefetches the lines of `count` values from p (never faults, so p may lie past X's end).
template <class T>
inline void prefetch_lines(const T* p, std::size_t count) {
  for (std::size_t k = 0; k < count; k += 64 / sizeof(T))
    _mm_prefetch(reinterpret_cast<const char*>(p + k), _MM_HINT_T0);
}

// The lanes of Σ_j x_j w_j for one row: one accumulator, the columns in order.
template <class T, class A>
inline V<double, A> widened_row(const T* x, const double* w, std::size_t d) {
  using B = V<double, A>;
  constexpr std::size_t L = B::size;
  B acc(0.0);
  std::size_t j = 0;
  for (; j + L <= d; j += L)
    acc = madd(load_widened<T, A>(x + j), B::load_unaligned(w + j), acc);
  if (j < d)
    acc =
        madd(load_widened_partial<T, A>(x + j, d - j), load_partial<double, A>(w + j, d - j), acc);
  return acc;
}

// z_i = x_i · w + b in double: rows in blocks of as many as a register has lanes, each row with
// one accumulator (the block's rows are independent chains), reduced all at once by rows_total,
// which gives every row the bits of lane_sum (the rows after the last block), so a margin does
// not depend on where its row falls.
template <class T, class A>
void widened_margins(RowsChunk<T> X, const double* w, double b, double* z) {
  using B = V<double, A>;
  constexpr std::size_t L = B::size;
  const std::size_t d = X.cols;
  std::size_t i = 0;
  for (; i + L <= X.rows; i += L) {
    B acc[L];
    const T* x = X.X + i * X.stride;
    // One row after the other (each with the same sums): interleaved rows halve the memory
    // stream on AMD Zen 4, as in full_block_margins.
#pragma GCC unroll 8
    for (std::size_t r = 0; r < L; ++r)
      acc[r] = widened_row<T, A>(x + r * X.stride, w, d);
    (rows_total<double, A>(acc) + B(b)).store_unaligned(z + i);
  }
  for (; i < X.rows; ++i)
    z[i] = lane_sum<double, A>(widened_row<T, A>(X.X + i * X.stride, w, d)) + b;
}

// Rows of X per block of the row-order kernels below: at most 16 KiB of X and 64 rows, so a block
// stays in the first-level cache while a few registers of sums at a time run down it.
template <class T>
inline std::size_t widened_block_rows(std::size_t cols) {
  const std::size_t rows = 16384 / (sizeof(T) * (cols + 1));
  return rows < 4 ? 4 : rows > 64 ? 64 : rows;
}

// sum_j += Σ_i r_i x_ij, in double. Each element adds the rows in order, one at a time, so a
// chunk split into consecutive pieces gives the bits of the whole. Rows go in blocks
// (widened_block_rows), which a few registers of sums at a time run down: small blocks, since a
// block of many wide rows read a few columns at a time would jump a page per row, which no
// prefetcher follows.
template <class T, class A>
void widened_accumulate(RowsChunk<T> X, const double* r, double* sum) {
  using B = V<double, A>;
  constexpr std::size_t L = B::size, kTile = 4;
  const std::size_t d = X.cols, full = d / L * L;
  if constexpr (!is_avx512<A> && !is_avx2<A>) {
    // SSE2: two lanes and no FMA make register tiles slower than a row at a time with the sums
    // in memory (measured at 10,240 x 100: 1.4 times its time), so the rows go one by one, four
    // registers per step.
    for (std::size_t i = 0; i < X.rows; ++i) {
      const T* x = X.X + i * X.stride;
      const B ri(r[i]);
      std::size_t j = 0;
      for (; j + 4 * L <= d; j += 4 * L) {
#pragma GCC unroll 4
        for (std::size_t t = 0; t < 4; ++t) {
          double* o = sum + j + t * L;
          madd(load_widened<T, A>(x + j + t * L), ri, B::load_unaligned(o)).store_unaligned(o);
        }
      }
      for (; j < full; j += L)
        madd(load_widened<T, A>(x + j), ri, B::load_unaligned(sum + j)).store_unaligned(sum + j);
      if (j < d) {
        const B tail = madd(load_widened_partial<T, A>(x + j, d - j), ri,
                            load_partial<double, A>(sum + j, d - j));
        store_partial<double, A>(sum + j, tail, d - j);
      }
    }
    return;
  }
  // While a tile of columns runs down a block, the same columns of the next block are
  // prefetched (the tiles' row-to-row jumps are a pattern the hardware prefetcher does not
  // follow), and pages are kicked ahead as in the other sweeps (measurements: bench/README.md,
  // "Measurements quoted in the kernel sources"). widened_margins reads its rows in order and
  // does not prefetch: there the same prefetching made it slower.
  const std::size_t block = widened_block_rows<T>(d);
  PageKicker kicker(X.X, X.X + X.rows * X.stride);
  for (std::size_t i0 = 0; i0 < X.rows; i0 += block) {
    const std::size_t i1 = smaller(X.rows, i0 + block);
    const std::size_t ahead = (i1 - i0) * X.stride;
    kicker.reading(X.X + i0 * X.stride);
    std::size_t j = 0;
    for (; j + kTile * L <= full; j += kTile * L) {
      B s[kTile];
#pragma GCC unroll 4
      for (std::size_t t = 0; t < kTile; ++t)
        s[t] = B::load_unaligned(sum + j + t * L);
      for (std::size_t i = i0; i < i1; ++i) {
        const T* x = X.X + i * X.stride + j;
        if (g_sweep_prefetch) prefetch_lines(x + ahead, kTile * L);
        const B ri(r[i]);
#pragma GCC unroll 4
        for (std::size_t t = 0; t < kTile; ++t)
          s[t] = madd(load_widened<T, A>(x + t * L), ri, s[t]);
      }
#pragma GCC unroll 4
      for (std::size_t t = 0; t < kTile; ++t)
        s[t].store_unaligned(sum + j + t * L);
    }
    for (; j < full; j += L) {
      B s = B::load_unaligned(sum + j);
      for (std::size_t i = i0; i < i1; ++i)
        s = madd(load_widened<T, A>(X.X + i * X.stride + j), B(r[i]), s);
      s.store_unaligned(sum + j);
    }
    if (full < d) {
      const std::size_t m = d - full;
      B s = load_partial<double, A>(sum + full, m);
      for (std::size_t i = i0; i < i1; ++i)
        s = madd(load_widened_partial<T, A>(X.X + i * X.stride + full, m), B(r[i]), s);
      store_partial<double, A>(sum + full, s, m);
    }
  }
}

// Rows j0 .. j0 + G − 1 of out, N registers each from column k (partial: the one partial
// register at column k, `rest` lanes), summed over `rows` rows from x0 in registers: out[j][c] +=
// (d_i x_ij) x_ic for each row with d_i ≠ 0, in order. G and N are constants, so the G · N sums
// stay in registers and are G · N independent chains (one chain per sum would wait on the
// multiply-add latency).
template <std::size_t G, std::size_t N, bool Partial, class T, class A>
inline void gram_rows_tile(const T* x0, std::size_t stride, const double* d, std::size_t rows,
                           std::size_t j0, double* out, std::size_t out_stride, std::size_t k,
                           std::size_t rest) {
  using B = V<double, A>;
  constexpr std::size_t L = B::size;
  B s[G][N];
#pragma GCC unroll 4
  for (std::size_t g = 0; g < G; ++g) {
#pragma GCC unroll 4
    for (std::size_t t = 0; t < N; ++t) {
      const double* o = out + (j0 + g) * out_stride + k + t * L;
      s[g][t] = Partial ? load_partial<double, A>(o, rest) : B::load_unaligned(o);
    }
  }
  for (std::size_t i = 0; i < rows; ++i) {
    if (d[i] == 0) continue;
    const T* x = x0 + i * stride;
    B xv[N];
#pragma GCC unroll 4
    for (std::size_t t = 0; t < N; ++t)
      xv[t] = Partial ? load_widened_partial<T, A>(x + k, rest) : load_widened<T, A>(x + k + t * L);
#pragma GCC unroll 4
    for (std::size_t g = 0; g < G; ++g) {
      const B a(d[i] * double(x[j0 + g]));
#pragma GCC unroll 4
      for (std::size_t t = 0; t < N; ++t)
        s[g][t] = madd(a, xv[t], s[g][t]);
    }
  }
#pragma GCC unroll 4
  for (std::size_t g = 0; g < G; ++g) {
#pragma GCC unroll 4
    for (std::size_t t = 0; t < N; ++t) {
      double* o = out + (j0 + g) * out_stride + k + t * L;
      if (Partial)
        store_partial<double, A>(o, s[g][t], rest);
      else
        s[g][t].store_unaligned(o);
    }
  }
}

// gram_rows_tile for the G rows from j0 over the registers [k, end) (partial: the partial one).
template <std::size_t G, class T, class A>
inline void gram_rows_group(const T* x0, std::size_t stride, const double* d, std::size_t rows,
                            std::size_t j0, double* out, std::size_t out_stride, std::size_t end,
                            std::size_t full, std::size_t rest) {
  constexpr std::size_t L = V<double, A>::size;
  std::size_t k = 0;
  for (; k + 2 * L <= end; k += 2 * L)
    gram_rows_tile<G, 2, false, T, A>(x0, stride, d, rows, j0, out, out_stride, k, 0);
  if (k < end) gram_rows_tile<G, 1, false, T, A>(x0, stride, d, rows, j0, out, out_stride, k, 0);
  if (rest && j0 + G > full)  // rows at or past the partial register's diagonal
    gram_rows_tile<G, 1, true, T, A>(x0, stride, d, rows, j0, out, out_stride, full, rest);
}

// Calls f(std::integral_constant<std::size_t, I>{}) for I = 0 .. N − 1, unrolled: indices known at
// compile time keep arrays of registers in registers.
template <std::size_t N, class F>
inline void for_each_index(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }
  (std::make_index_sequence<N>{});
}

// Columns up to which widened_gram_rows takes widened_gram_small. Its sums fit in AVX-512's 32
// registers up to 16 columns (Σ_j (j / L + 1) of the triangle, two of Xᵀd, two of the row, one
// broadcast) and in AVX2's 16 up to 7; past that some live in memory, and it still took 0.6–0.7
// times the general kernel's time (100,000 rows, measured up to 32 columns on AVX-512 and 16 on
// AVX2). SSE2 (two lanes, no FMA) keeps the general kernel.
template <class A>
inline constexpr std::size_t kSmallGramCols = is_avx512<A> ? 32
                                              : is_avx2<A> ? 16
                                                           : 0;

// widened_gram_rows for P ≤ kSmallGramCols<A> columns: the sums of every row j of out (registers up
// to its diagonal's) and of xtd run over the whole chunk together, so a row of X feeds P + 2 or
// more independent chains (the general kernel's groups of at most four rows of out wait on the
// multiply-add latency: at 10 columns 2.5 times this one's time). Every element takes the same
// multiply-adds in the same order as there: the same bits.
template <std::size_t P, class T, class A>
void widened_gram_small(RowsChunk<T> X, const double* d, double* out, std::size_t out_stride,
                        double* xtd) {
  using B = V<double, A>;
  constexpr std::size_t L = B::size, R = (P + L - 1) / L, rest = P % L;
  constexpr auto partial = [](std::size_t r) { return rest != 0 && r == R - 1; };
  B s[P][R], t[R];
  for_each_index<R>([&](auto r) {
    t[r] = partial(r) ? load_partial<double, A>(xtd + r * L, rest) : B::load_unaligned(xtd + r * L);
  });
  for_each_index<P>([&](auto j) {
    for_each_index<decltype(j)::value / L + 1>([&](auto r) {
      const double* o = out + j * out_stride + r * L;
      s[j][r] = partial(r) ? load_partial<double, A>(o, rest) : B::load_unaligned(o);
    });
  });
  for (std::size_t i = 0; i < X.rows; ++i) {
    if (d[i] == 0) continue;
    const T* x = X.X + i * X.stride;
    B xv[R];
    // a_ij = d_i x_ij as a vector product, stored, and broadcast from memory: a broadcast from a
    // register would take the one shuffle port, a limit at one per column and row.
    alignas(64) double a[R * L];
    const B di(d[i]);
    for_each_index<R>([&](auto r) {
      xv[r] =
          partial(r) ? load_widened_partial<T, A>(x + r * L, rest) : load_widened<T, A>(x + r * L);
      t[r] = madd(di, xv[r], t[r]);
      (di * xv[r]).store_aligned(a + r * L);
    });
    asm volatile("" : : "r"(a) : "memory");  // keeps the compiler from turning loads into shuffles
    for_each_index<P>([&](auto j) {
      const B aj(a[j]);
      for_each_index<decltype(j)::value / L + 1>(
          [&](auto r) { s[j][r] = madd(aj, xv[r], s[j][r]); });
    });
  }
  for_each_index<R>([&](auto r) {
    if (partial(r))
      store_partial<double, A>(xtd + r * L, t[r], rest);
    else
      t[r].store_unaligned(xtd + r * L);
  });
  for_each_index<P>([&](auto j) {
    for_each_index<decltype(j)::value / L + 1>([&](auto r) {
      double* o = out + j * out_stride + r * L;
      if (partial(r))
        store_partial<double, A>(o, s[j][r], rest);
      else
        s[j][r].store_unaligned(o);
    });
  });
}

// out[j · out_stride + k] += (d_i x_ij) x_ik for k ≤ j, and xtd_j += d_i x_ij, in double, over the
// rows in order (rows with d_i = 0 skipped): the lower triangle of Xᵀ D X and Xᵀ d, each element
// taking the rows in order, one at a time, so consecutive pieces give the bits of the whole. Each
// row j of out is updated in whole registers up to the diagonal's, so elements above the
// diagonal change too (the caller mirrors the lower triangle). Sums stay in registers over a
// block of rows (a store and reload of each per row would wait on store forwarding).
template <class T, class A>
void widened_gram_rows(RowsChunk<T> X, const double* d, double* out, std::size_t out_stride,
                       double* xtd) {
  using B = V<double, A>;
  constexpr std::size_t L = B::size;
  const std::size_t p = X.cols, full = p / L * L, rest = p - full;
  if constexpr (kSmallGramCols<A> != 0) {
    if (p >= 1 && p <= kSmallGramCols<A>) {
      bool done = false;
      for_each_index<kSmallGramCols<A>>([&](auto c) {
        if (p == c + 1) {
          widened_gram_small<decltype(c)::value + 1, T, A>(X, d, out, out_stride, xtd);
          done = true;
        }
      });
      if (done) return;
    }
  }
  const std::size_t block = widened_block_rows<T>(p);
  for (std::size_t i0 = 0; i0 < X.rows; i0 += block) {
    const std::size_t i1 = smaller(X.rows, i0 + block);
    const T* x0 = X.X + i0 * X.stride;
    // xtd += Σ_i d_i x_i
    for (std::size_t k = 0; k < full; k += L) {
      B s = B::load_unaligned(xtd + k);
      for (std::size_t i = i0; i < i1; ++i)
        if (d[i] != 0) s = madd(B(d[i]), load_widened<T, A>(x0 + (i - i0) * X.stride + k), s);
      s.store_unaligned(xtd + k);
    }
    if (rest) {
      B s = load_partial<double, A>(xtd + full, rest);
      for (std::size_t i = i0; i < i1; ++i)
        if (d[i] != 0)
          s = madd(B(d[i]), load_widened_partial<T, A>(x0 + (i - i0) * X.stride + full, rest), s);
      store_partial<double, A>(xtd + full, s, rest);
    }
    // Rows of out in groups of up to four: a group's registers run to its last row's diagonal
    // (whole registers; the partial one only for groups reaching past `full`). Groups do not
    // straddle `full`, so a group updates the partial register only if all its rows need it.
    for (std::size_t j0 = 0; j0 < p;) {
      const std::size_t limit = j0 < full ? full : p;
      const std::size_t g = smaller(4, limit - j0), last = j0 + g - 1;
      const std::size_t end = smaller(full, (last / L + 1) * L);
      switch (g) {
        case 4:
          gram_rows_group<4, T, A>(x0, X.stride, d + i0, i1 - i0, j0, out, out_stride, end, full,
                                   rest);
          break;
        case 3:
          gram_rows_group<3, T, A>(x0, X.stride, d + i0, i1 - i0, j0, out, out_stride, end, full,
                                   rest);
          break;
        case 2:
          gram_rows_group<2, T, A>(x0, X.stride, d + i0, i1 - i0, j0, out, out_stride, end, full,
                                   rest);
          break;
        default:
          gram_rows_group<1, T, A>(x0, X.stride, d + i0, i1 - i0, j0, out, out_stride, end, full,
                                   rest);
          break;
      }
      j0 += g;
    }
  }
}
