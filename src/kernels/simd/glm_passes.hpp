// Chunk kernels over the rows of X for generalised linear models: margins Xw + b, Xᵀr, the fused
// logistic and squared-loss passes, the Hessian-vector product and the NaN/±inf scan (the
// weighted Gram matrix has its own part, gram.hpp).
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// Sweeps the rows of a chunk in blocks of L = lanes rows, in order: prefetching(x, i0, ahead) for
// each block that has kPrefetchBlocks more blocks after it in the chunk (it prefetches its rows
// `ahead` elements further on, and the pages ahead of it are kicked), then rest(x, i0, count)
// for the others, count ≤ L rows, without prefetching. The hardware prefetcher alone leaves the
// memory stream idle part of the time, and prefetches past the chunk's end would cost page walks
// for nothing (small inputs).
template <class T, class A, class Prefetching, class Rest>
inline void sweep_blocks(RowsChunk<T> X, const Prefetching& prefetching, const Rest& rest) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t ahead = kPrefetchBlocks * L * X.stride;
  const T* x = X.X;
  PageKicker kicker(x, x + X.rows * X.stride);
  std::size_t i0 = 0;
  for (; i0 + (kPrefetchBlocks + 1) * L <= X.rows; i0 += L, x += L * X.stride) {
    kicker.reading(x);
    prefetching(x, i0, ahead);
  }
  for (; i0 < X.rows; i0 += L, x += L * X.stride)
    rest(x, i0, smaller(L, X.rows - i0));
}

// Margins of every row, a block of `lanes` rows at a time. The bits are those of row_dot, as a
// single-row prediction gets them. The blocks that prefetch stream X one row after the other
// (full_block_margins); the last few of a chunk, and all of a small one (a model's coefficient
// rows against the one sample it predicts, say), four rows at a time (row_dot4): there X is in
// cache and one row's dependency chain of multiply-adds is the time (a 10-class model's one-row
// predict_proba at d = 1,000: 2.0-2.6 µs with the rows one after the other, 1.0-1.9 µs four at
// a time; float32 0.47-0.49 µs against 1.18-1.29 µs, together with the class margins in one
// call).
template <class T, class A>
[[gnu::noinline]] void margins_sweep(const T* X_data, std::size_t rows, std::size_t cols,
                                     std::size_t stride, const T* w, T b, T* z) {
  sweep_blocks<T, A>(
      RowsChunk<T>{X_data, rows, cols, stride},
      [&](const T* x, std::size_t i0, std::size_t ahead) {
        full_block_margins<T, A, Ahead::all>(x, stride, cols, w, b, ahead).store_unaligned(z + i0);
      },
      [&](const T* x, std::size_t i0, std::size_t count) {
        block_margins<T, A>(x, stride, cols, count, w, b, z + i0);
      });
}

// The margins chunk kernel. The chunk comes as plain arguments, which stay in registers, and
// fewer rows than lanes go straight to block_margins (what the sweep would call for them), with
// no sweep to set up: this is the one-row prediction path, where a RowsChunk passed by value went
// through the stack (store-forwarding stalls) and the sweep's set-up cost as much as the row.
template <class T, class A>
void margins(const T* X_data, std::size_t rows, std::size_t cols, std::size_t stride, const T* w,
             T b, T* z) {
  if (rows < V<T, A>::size)
    block_margins<T, A>(X_data, stride, cols, rows, w, b, z);
  else
    margins_sweep<T, A>(X_data, rows, cols, stride, w, b, z);
}

// Blocks of `lanes` rows added in order into column tiles held in registers.
template <class T, class A>
void transpose_product(RowsChunk<T> X, const T* r, T* out) {
  sweep_blocks<T, A>(
      X,
      [&](const T* x, std::size_t i0, std::size_t ahead) {
        tiled_axpy<T, A, Ahead::all>(x, X.stride, X.cols, V<T, A>::size, r + i0, out, ahead);
      },
      [&](const T* x, std::size_t i0, std::size_t count) {
        tiled_axpy<T, A>(x, X.stride, X.cols, count, r + i0, out);
      });
}

// The per-block loss and residual of a GLM pass: μ(z) − y weighted, loss into (loss_s, loss_c).
template <class T, class A, bool Squared>
[[gnu::always_inline]] inline V<T, A> glm_residual(const GlmChunk<T>& a, std::size_t i0,
                                                   std::size_t count, V<T, A> z, V<T, A>& loss_s,
                                                   V<T, A>& loss_c) {
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

// Rows this narrow have their logistic residuals computed two blocks at a time (see glm_pass;
// the squared loss's residual is too cheap to wait on).
constexpr std::size_t kPairedResidualCols = 16;

// With Max, the column maxima of |x| too (GlmChunk::column_max), from the gradient sweep's loads.
// Interleaved (GlmChunk::interleaved): the margins a column step across the block's rows
// (full_block_margins' Interleaved), the same bits.
template <class T, class A, bool Squared, bool Max = false, bool Interleaved = false>
double glm_pass(const GlmChunk<T>& a) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  alignas(64) T zbuf[L];
  alignas(64) T rbuf[L];
  B loss_s(T(0)), loss_c(T(0)), rsum(T(0));
  const std::size_t n = a.X.cols, stride = a.X.stride, rows = a.X.rows;
  const std::size_t ahead = kPrefetchBlocks * L * stride;
  // Kept inline, as GCC chose on its own before the kernel body was split (it stopped doing so
  // after): the pipelining below is tuned with the next block's margins computed in line.
  const auto margins_at = [&](std::size_t i0) __attribute__((always_inline)) {
    const std::size_t count = smaller(L, rows - i0);
    // Block i0 prefetches as far ahead as the gradient update before it, within the chunk.
    if (count == L && i0 + kPrefetchBlocks * L <= rows)
      return full_block_margins<T, A, Ahead::first_half, Interleaved>(
          a.X.X + i0 * stride, stride, n, a.w, a.b, ahead - L * stride);
    if (count == L)
      return full_block_margins<T, A, Ahead::none, Interleaved>(a.X.X + i0 * stride, stride, n, a.w,
                                                                a.b);
    for (std::size_t k = count; k < L; ++k)
      zbuf[k] = T(0);
    block_margins<T, A>(a.X.X + i0 * stride, stride, n, count, a.w, a.b, zbuf);
    return B::load_aligned(zbuf);
  };
  if (rows == 0) return 0;
  // The residual, its loss and the gradient update of a block whose margins are z.
  const auto finish = [&](std::size_t i0, std::size_t count, B z, B r)
      __attribute__((always_inline)) {
    rsum = rsum + r;
    r.store_aligned(rbuf);
    if (a.margins) store_partial<T, A>(a.margins + i0, z, count);
    if (i0 + (kPrefetchBlocks + 1) * L <= rows)
      tiled_axpy<T, A, Ahead::second_half, Max>(a.X.X + i0 * stride, stride, n, count, rbuf,
                                                a.grad_w, ahead, a.column_max);
    else
      tiled_axpy<T, A, Ahead::none, Max>(a.X.X + i0 * stride, stride, n, count, rbuf, a.grad_w, 0,
                                         a.column_max);
  };
  // Software-pipelined: the next block's margins come before this block's residual in program
  // order, so the core overlaps the residual's dependency chain (reduction, exp, two divisions,
  // two polynomials: about 150 cycles) with independent loads and multiply-adds. Narrow rows
  // (at most kPairedResidualCols columns) of the logistic pass, bound by this arithmetic and not
  // by memory, go two blocks at a time with their residuals side by side, so the two chains also
  // overlap each other: AMD Zen 4, 100,000 x 10 float64, 0.81 -> 0.71 ms; at 30 and 100 columns
  // the pairs were slower. The losses are added block by block in row order either way.
  PageKicker kicker(a.X.X, a.X.X + rows * stride);
  B z_next = margins_at(0);
  std::size_t i0 = 0;
  if (!Squared && n <= kPairedResidualCols) {
    for (; i0 + L < rows; i0 += 2 * L) {
      const std::size_t i1 = i0 + L, count1 = smaller(L, rows - i1);
      kicker.reading(a.X.X + i1 * stride);
      const B z0 = z_next, z1 = margins_at(i1);
      if (i1 + L < rows) z_next = margins_at(i1 + L);
      const B r0 = glm_residual<T, A, Squared>(a, i0, L, z0, loss_s, loss_c);
      const B r1 = glm_residual<T, A, Squared>(a, i1, count1, z1, loss_s, loss_c);
      finish(i0, L, z0, r0);
      finish(i1, count1, z1, r1);
    }
  }
  for (; i0 < rows; i0 += L) {
    const std::size_t count = smaller(L, rows - i0);
    kicker.reading(a.X.X + i0 * stride);
    const B z = z_next;
    if (i0 + L < rows) z_next = margins_at(i0 + L);
    finish(i0, count, z, glm_residual<T, A, Squared>(a, i0, count, z, loss_s, loss_c));
  }
  if (a.grad_b) *a.grad_b += xsimd::hadd(rsum);
  return lanes_total<T, A>(loss_s, loss_c);
}

template <class T, class A>
double logistic(const GlmChunk<T>& a) {
  if (a.interleaved)
    return a.column_max ? glm_pass<T, A, false, true, true>(a)
                        : glm_pass<T, A, false, false, true>(a);
  return a.column_max ? glm_pass<T, A, false, true>(a) : glm_pass<T, A, false>(a);
}

template <class T, class A>
double squared(const GlmChunk<T>& a) {
  return a.interleaved ? glm_pass<T, A, true, false, true>(a) : glm_pass<T, A, true>(a);
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
      block_margins<T, A>(x, X.stride, X.cols, count, v, v_b, t);
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

// out_j = max(out_j, |x_kj|) over `count` rows from x (`stride` apart), four rows at a time, so
// out is read and written once per four rows (max is exact: the order does not matter). x − x
// is 0 for finite x and NaN otherwise, and NaN sticks in a sum: bad[r] collects it (one more add
// per load, free in a pass that waits for memory; one sum per row of the four, as a single one
// would chain every add). With Prefetch, the rows `ahead` elements further on are prefetched.
template <class T, class A, bool Prefetch>
inline void rows_column_max(const T* x, std::size_t stride, std::size_t count, std::size_t d,
                            T* out, V<T, A> (&bad)[4], std::size_t ahead = 0) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t registers_per_line = registers_per_cache_line<T, A>();
  const auto magnitude = [](B& sum, const B& v) {
    sum = sum + (v - v);
    return xsimd::abs(v);
  };
  const std::size_t s = stride;
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4, x += 4 * s) {
    std::size_t j = 0;
    for (; j + L <= d; j += L) {
      if (Prefetch && (j / L) % registers_per_line == 0 && g_sweep_prefetch) {
        for (std::size_t r = 0; r < 4; ++r)
          _mm_prefetch(reinterpret_cast<const char*>(x + ahead + r * s + j), _MM_HINT_T0);
      }
      const B a = xsimd::max(magnitude(bad[0], B::load_unaligned(x + j)),
                             magnitude(bad[1], B::load_unaligned(x + s + j)));
      const B b = xsimd::max(magnitude(bad[2], B::load_unaligned(x + 2 * s + j)),
                             magnitude(bad[3], B::load_unaligned(x + 3 * s + j)));
      xsimd::max(B::load_unaligned(out + j), xsimd::max(a, b)).store_unaligned(out + j);
    }
    if (j < d) {
      const std::size_t m = d - j;
      const B a = xsimd::max(magnitude(bad[0], load_partial<T, A>(x + j, m)),
                             magnitude(bad[1], load_partial<T, A>(x + s + j, m)));
      const B b = xsimd::max(magnitude(bad[2], load_partial<T, A>(x + 2 * s + j, m)),
                             magnitude(bad[3], load_partial<T, A>(x + 3 * s + j, m)));
      store_partial<T, A>(out + j, xsimd::max(load_partial<T, A>(out + j, m), xsimd::max(a, b)), m);
    }
  }
  for (; k < count; ++k, x += s) {
    std::size_t j = 0;
    for (; j + L <= d; j += L) {
      if (Prefetch && (j / L) % registers_per_line == 0 && g_sweep_prefetch)
        _mm_prefetch(reinterpret_cast<const char*>(x + ahead + j), _MM_HINT_T0);
      xsimd::max(B::load_unaligned(out + j), magnitude(bad[0], B::load_unaligned(x + j)))
          .store_unaligned(out + j);
    }
    if (j < d) {
      const std::size_t m = d - j;
      store_partial<T, A>(out + j,
                          xsimd::max(load_partial<T, A>(out + j, m),
                                     magnitude(bad[0], load_partial<T, A>(x + j, m))),
                          m);
    }
  }
}

// The column maxima of |x_ij| into out (which holds earlier maxima, or zeros); returns whether
// every value was finite, so input checks get the maxima with their scan. Prefetched like the
// other sweeps: without it the scan took 1.6 times as long as a margins pass (200,000 x 100
// float64, one thread).
template <class T, class A>
bool column_max_abs(RowsChunk<T> X, T* out) {
  using B = V<T, A>;
  B bad[4] = {B(T(0)), B(T(0)), B(T(0)), B(T(0))};
  const std::size_t s = X.stride, d = X.cols;
  sweep_blocks<T, A>(
      X,
      [&](const T* x, std::size_t, std::size_t ahead) {
        rows_column_max<T, A, true>(x, s, B::size, d, out, bad, ahead);
      },
      [&](const T* x, std::size_t, std::size_t count) {
        rows_column_max<T, A, false>(x, s, count, d, out, bad);
      });
  const B total = (bad[0] + bad[1]) + (bad[2] + bad[3]);
  // == is ordered (false for NaN) in xsimd 8.1, as any_non_finite_run relies on.
  return xsimd::all(total == total);
}

template <class T, class A>
bool any_non_finite(RowsChunk<T> X) {
  if (X.stride == X.cols) return any_non_finite_run<T, A>(X.X, X.rows * X.cols);
  for (std::size_t i = 0; i < X.rows; ++i)
    if (any_non_finite_run<T, A>(X.X + i * X.stride, X.cols)) return true;
  return false;
}
