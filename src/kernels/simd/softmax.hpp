// Chunk kernels of the multinomial model: the fused softmax cross-entropy pass and the
// multinomial Hessian-vector product.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// --- softmax: blocks of rows, lanes = classes --------------------------------------------------
//
// The softmax kernels work on kSoftmaxBlockRows rows at a time, with the K classes of a row in the
// lanes of ceil(K / lanes) registers (the driver passes W transposed, d rows of padded K values).
// The logits of a block are K-wide FMAs with x_ij broadcast, with no horizontal sums; the
// per-row work that follows (maxima, exponentials, loss, residuals) turns the block around, rows
// in lanes and one register per class (RowLanes); the gradient update adds all rows of the block
// to grad_W in registers, one read-modify-write of grad_W per block instead of per row.

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
// registers of classes from c0. The segments' sums are added up in registers where the ISA has
// registers to spare (AVX-512 with one register of classes: 17 of 32), otherwise in z; the same
// additions in the same order either way.
// With ahead ≠ 0, each row's cache line `ahead` elements past x[r][j] is prefetched as the tile
// reaches its first j of a line (see softmax_prefetch_ahead).
template <class T, class A, std::size_t R, std::size_t C>
inline void softmax_logits_tile(const T* const* x, const T* M_t, std::size_t Kp, std::size_t c0,
                                std::size_t d, std::size_t segment, T* z, std::size_t ahead) {
  constexpr std::size_t kLine = 64 / sizeof(T);
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr bool kTotalsInRegisters = is_avx512<A> && 2 * R * C + C <= 24;
  // Σ_j over [j0, j1) into acc.
  const auto segment_sums = [&](std::size_t j0, std::size_t j1, B(&acc)[R][C])
      __attribute__((always_inline)) {
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (std::size_t c = 0; c < C; ++c)
        acc[r][c] = B(T(0));
    }
    for (std::size_t j = j0; j < j1; ++j) {
      if (ahead != 0 && j % kLine == 0) {
#pragma GCC unroll 16
        for (std::size_t r = 0; r < R; ++r)
          _mm_prefetch(reinterpret_cast<const char*>(x[r] + ahead + j), _MM_HINT_T0);
      }
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
  };
  if constexpr (kTotalsInRegisters) {
    B total[R][C];
    segment_sums(0, smaller(d, segment), total);
    for (std::size_t j0 = segment; j0 < d; j0 += segment) {
      B acc[R][C];
      segment_sums(j0, smaller(d, j0 + segment), acc);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (std::size_t c = 0; c < C; ++c)
          total[r][c] = total[r][c] + acc[r][c];
      }
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (std::size_t c = 0; c < C; ++c)
        total[r][c].store_unaligned(z + r * Kp + c0 + c * L);
    }
  } else {
    for (std::size_t j0 = 0; j0 < d; j0 += segment) {
      B acc[R][C];
      segment_sums(j0, smaller(d, j0 + segment), acc);
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
}

// The logits (without intercepts) of R rows for the first K classes: z is R rows of Kp values, of
// which the first ceil(K / lanes) · lanes are written (those past the classes of M_t are zero,
// since M_t is zero-padded). The first tile prefetches the rows `ahead` elements on (0: none).
template <class T, class A, std::size_t R>
inline void softmax_block_logits(const T* const* x, const T* M_t, std::size_t K, std::size_t Kp,
                                 std::size_t d, T* z, std::size_t ahead) {
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t Kv = (K + L - 1) / L;
  const std::size_t segment = logit_segment(d);
  std::size_t c = 0;
  if constexpr (is_avx512<A>) {
    for (; c + 2 <= Kv; c += 2)
      softmax_logits_tile<T, A, R, 2>(x, M_t, Kp, c * L, d, segment, z, c == 0 ? ahead : 0);
  }
  for (; c < Kv; ++c)
    softmax_logits_tile<T, A, R, 1>(x, M_t, Kp, c * L, d, segment, z, c == 0 ? ahead : 0);
}

// Every class's J registers of columns from g (class k's at g + k · stride, register c at
// c · lanes further) += the block's rows of those columns (xv[c]) weighted by the class's
// coefficients, the rows added in order (so the same bits for any J and Q). On AVX-512, Q
// classes at a time: their J · Q chains of R multiply-adds interleaved, each broadcast
// coefficient used J times. One register of one class at a time waits R times on the
// multiply-add latency and loads a coefficient per multiply-add: on an Ice Lake Xeon, 10,240 x
// 100 float64 rows with 10 classes spent about 0.8 ms of a 2.0 ms pass here, a third of the
// multiply-add peak; in a loop of this shape J = 2, Q = 4 reach four fifths of it, J = 1 half.
// 10-class fits at d = 100 took 3-8 % less time with it (alternated rounds; bench/README.md).
// AVX2 and SSE2 (16 registers) keep one class at a time: three measured no better there.
template <class T, class A, std::size_t R, std::size_t J>
[[gnu::always_inline]] inline void softmax_update_registers(const V<T, A> (*xv)[R], const T* coef,
                                                            std::size_t K, std::size_t S,
                                                            std::size_t P, T* g,
                                                            std::size_t stride) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t Q = is_avx512<A> ? (J == 1 ? 6 : 4) : 1;
  const auto classes = [&]<std::size_t N>(std::size_t k, std::integral_constant<std::size_t, N>)
      __attribute__((always_inline)) {
    B o[J][N];
#pragma GCC unroll 8
    for (std::size_t c = 0; c < J; ++c) {
#pragma GCC unroll 8
      for (std::size_t q = 0; q < N; ++q)
        o[c][q] = B::load_unaligned(g + (k + q) * stride + c * L);
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 8
      for (std::size_t q = 0; q < N; ++q) {
        const B w(coef[(k + q) * S + r * P]);
#pragma GCC unroll 8
        for (std::size_t c = 0; c < J; ++c)
          o[c][q] = madd(xv[c][r], w, o[c][q]);
      }
    }
#pragma GCC unroll 8
    for (std::size_t c = 0; c < J; ++c) {
#pragma GCC unroll 8
      for (std::size_t q = 0; q < N; ++q)
        o[c][q].store_unaligned(g + (k + q) * stride + c * L);
    }
  };
  std::size_t k = 0;
  for (; k + Q <= K; k += Q)
    classes(k, std::integral_constant<std::size_t, Q>{});
  for (; k < K; ++k)
    classes(k, std::integral_constant<std::size_t, 1>{});
}

// G[k · d + j] += Σ_r coef[k · kSoftmaxBlockRows + r] x[r][j] for k < K, the rows added in order
// (the coefficients of a class for the rows of a block are adjacent, so the broadcasts address
// them at fixed offsets from one pointer).
// The coefficient of class k for row r is coef[k · S + r · P]: S = kSoftmaxBlockRows, P = 1 (class
// rows) or S = 1, P = the padded class count (row rows).
// The columns past the last whole register (d mod lanes of them) are added into `tail`, K whole
// registers, one per class (see SoftmaxTail).
template <class T, class A, std::size_t R>
inline void softmax_block_update(const T* const* x, const T* coef, std::size_t K, std::size_t d,
                                 T* G, std::size_t S, std::size_t P, T* tail) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  // Two registers of columns at a time where the ISA has the registers for them (2 R rows and
  // 2 Q sums: 24 of AVX-512's 32).
  constexpr std::size_t J = is_avx512<A> && R > 1 ? 2 : 1;
  std::size_t j = 0;
  for (; j + J * L <= d; j += J * L) {
    B xv[J][R];
#pragma GCC unroll 8
    for (std::size_t c = 0; c < J; ++c) {
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r)
        xv[c][r] = B::load_unaligned(x[r] + j + c * L);
    }
    softmax_update_registers<T, A, R, J>(xv, coef, K, S, P, G + j, d);
  }
  if constexpr (J > 1) {
    if (j + L <= d) {
      B xv[1][R];
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r)
        xv[0][r] = B::load_unaligned(x[r] + j);
      softmax_update_registers<T, A, R, 1>(xv, coef, K, S, P, G + j, d);
      j += L;
    }
  }
  if (j < d) {
    const std::size_t m = d - j;
    B xv[1][R];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r)
      xv[0][r] = load_partial<T, A>(x[r] + j, m);
    softmax_update_registers<T, A, R, 1>(xv, coef, K, S, P, tail, L);
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

// out[q] = x_q · m0 and out[4 + q] = x_q · m1 for four rows sharing two classes' coefficients:
// each in exactly row_dot4's order (so the same bits), eight chains of multiply-adds where
// row_dot4 has four, and each load of a row used twice.
template <class T, class A>
inline void row_dot4x2(const T* const* x, const T* m0, const T* m1, std::size_t n, T* out) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  B a[8];
#pragma GCC unroll 8
  for (std::size_t q = 0; q < 8; ++q)
    a[q] = B(T(0));
  const auto add = [&](const B& w0, const B& w1, const B(&xv)[4]) __attribute__((always_inline)) {
#pragma GCC unroll 4
    for (std::size_t q = 0; q < 4; ++q) {
      a[q] = madd(xv[q], w0, a[q]);
      a[4 + q] = madd(xv[q], w1, a[4 + q]);
    }
  };
  std::size_t j = 0;
  for (; j + L <= n; j += L) {
    B xv[4];
#pragma GCC unroll 4
    for (std::size_t q = 0; q < 4; ++q)
      xv[q] = B::load_unaligned(x[q] + j);
    add(B::load_unaligned(m0 + j), B::load_unaligned(m1 + j), xv);
  }
  if (j < n) {
    const std::size_t r = n - j;
    B xv[4];
#pragma GCC unroll 4
    for (std::size_t q = 0; q < 4; ++q)
      xv[q] = load_partial<T, A>(x[q] + j, r);
    add(load_partial<T, A>(m0 + j, r), load_partial<T, A>(m1 + j, r), xv);
  }
#pragma GCC unroll 8
  for (std::size_t q = 0; q < 8; ++q)
    out[q] = lane_sum<T, A>(a[q]);
}

// Logits (without intercepts) of `count` rows (a whole block at once when count is the block
// size) into rows of Kp values: classes below `lanes` from M_t in lanes, the others (at most
// lanes − 1 of them) as dot products with the rows of M (K x d), two classes at a time where
// there are two (row_dot4x2). A whole block prefetches its rows `ahead` elements on
// (softmax_prefetch_ahead; 0: none).
template <class T, class A>
inline void softmax_logits(const T* const* x, std::size_t count, const T* M, const T* M_t,
                           std::size_t K, std::size_t d, T* z, std::size_t ahead) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t Kp = softmax_padded_classes(K);
  const std::size_t lanes = softmax_lane_classes<T, A>(K, d);
  if (lanes > 0) {
    if (count == R) {
      softmax_block_logits<T, A, R>(x, M_t, lanes, Kp, d, z, ahead);
    } else {
      for (std::size_t r = 0; r < count; ++r)
        softmax_block_logits<T, A, 1>(x + r, M_t, lanes, Kp, d, z + r * Kp, 0);
    }
  }
  std::size_t k = lanes;
  for (; k + 2 <= K; k += 2) {
    const T* m = M + k * d;
    std::size_t r = 0;
    for (; r + 4 <= count; r += 4) {
      T out[8];
      row_dot4x2<T, A>(x + r, m, m + d, d, out);
      for (std::size_t q = 0; q < 4; ++q) {
        z[(r + q) * Kp + k] = out[q];
        z[(r + q) * Kp + k + 1] = out[4 + q];
      }
    }
    for (; r < count; ++r) {
      z[r * Kp + k] = row_dot<T, A>(x[r], m, d);
      z[r * Kp + k + 1] = row_dot<T, A>(x[r], m + d, d);
    }
  }
  for (; k < K; ++k) {
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

// G += the block's rows weighted by coef (layout as softmax_block_update: class stride S, row
// stride P).
template <class T, class A>
inline void softmax_update(const T* const* x, std::size_t count, const T* coef, std::size_t K,
                           std::size_t d, T* G, T* tail, std::size_t S = kSoftmaxBlockRows,
                           std::size_t P = 1) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  if (count == R) {
    softmax_block_update<T, A, R>(x, coef, K, d, G, S, P, tail);
  } else {
    for (std::size_t r = 0; r < count; ++r)
      softmax_block_update<T, A, 1>(x + r, coef + r * P, K, d, G, S, P, tail);
  }
}

// The gradient's columns past the last whole register, d mod lanes of them per class, kept in
// whole registers for a chunk: loaded from G at its start, stored back at its end. Updated in G
// itself, each block's masked store of them would be read back by the next block's masked load,
// which waits until the store retires (no store forwarding for masked moves): 10,240 x 10 float
// rows with 10 classes took 430 us per pass against 291 us at d = 16, where there is no tail. The
// same additions in the same order, so the same bits.
template <class T, class A>
class SoftmaxTail {
 public:
  // buffer: K · lanes elements of the chunk's scratch.
  SoftmaxTail(T* G, std::size_t K, std::size_t d, T* buffer)
      : G_(G), K_(K), d_(d), start_(d / V<T, A>::size * V<T, A>::size), buffer_(buffer) {
    for (std::size_t k = 0; k < K_ && start_ < d_; ++k)
      load_partial<T, A>(G_ + k * d_ + start_, d_ - start_).store_unaligned(buffer_ + k * lanes);
  }
  ~SoftmaxTail() {
    for (std::size_t k = 0; k < K_ && start_ < d_; ++k)
      store_partial<T, A>(G_ + k * d_ + start_, V<T, A>::load_unaligned(buffer_ + k * lanes),
                          d_ - start_);
  }
  SoftmaxTail(const SoftmaxTail&) = delete;
  SoftmaxTail& operator=(const SoftmaxTail&) = delete;
  T* get() const { return buffer_; }

 private:
  static constexpr std::size_t lanes = V<T, A>::size;
  T* G_;
  std::size_t K_, d_, start_;
  T* buffer_;
};

// How far ahead (in elements) the logits of the block at row i0 prefetch X: kPrefetchBlocks
// blocks, while that is within the chunk, and only where the sweeps prefetch (g_sweep_prefetch);
// 0 otherwise. The logits tile waits on X (the samples sit on its multiply-adds with broadcast
// operands), and the hardware prefetcher alone runs only a little ahead of the block's eight
// interleaved rows (measurements: bench/README.md, "Measurements quoted in the kernel sources").
template <class T>
inline std::size_t softmax_prefetch_ahead(RowsChunk<T> X, std::size_t i0) {
  constexpr std::size_t blocks = kPrefetchBlocks * kSoftmaxBlockRows;
  return g_sweep_prefetch && i0 + blocks + kSoftmaxBlockRows <= X.rows ? blocks * X.stride : 0;
}

// Points x[0..count) at the rows of the block starting at row i0 of X (count ≤ kSoftmaxBlockRows:
// fewer in the chunk's last block); returns count.
template <class T>
inline std::size_t block_rows(RowsChunk<T> X, std::size_t i0, const T** x) {
  const std::size_t count = smaller(kSoftmaxBlockRows, X.rows - i0);
  for (std::size_t r = 0; r < count; ++r)
    x[r] = X.X + (i0 + r) * X.stride;
  return count;
}

// The registers of a block's per-row work (maxima, exponentials, loss, residuals): rows in lanes,
// one register per class, so that nothing is summed or maximised across lanes and no lane holds
// padding classes. At most a block's rows per register: AVX-512's 16 float lanes would leave
// half of each idle, so AVX2's 8 there (AVX-512 CPUs run 256-bit operations at least as fast
// per lane; Zen 4 twice as many per cycle).
template <class T, class A>
using RowLanes =
    std::conditional_t<(V<T, A>::size > kSoftmaxBlockRows), xsimd::fma3<xsimd::avx2>, A>;

// Σ_k v[k · stride] over K ≥ 1 classes, a register of rows each, in a balanced tree: depth
// ⌈log2 K⌉, so the sum's relative error is at most ⌈log2 K⌉ ε (within the bound's K/2 ε).
template <class T, class N>
inline V<T, N> class_sum(const T* v, std::size_t K, std::size_t stride) {
  if (K == 1) return V<T, N>::load_unaligned(v);
  const std::size_t half = K / 2;
  return class_sum<T, N>(v, half, stride) + class_sum<T, N>(v + half * stride, K - half, stride);
}

// The register of lanes p[l · stride] + add for l < lanes, built from scalar loads. The logits
// tiles store whole registers of classes per row; a class's register of rows picks one element
// from each. Copied through memory by scalar stores instead, each vector load of them would wait
// for the stores to retire (no store forwarding from several stores to one load): about 6 % of a
// 10,240 x 100 float64 pass with 10 classes went there.
template <class T, class N>
[[gnu::always_inline]] inline V<T, N> strided_lanes(const T* p, std::size_t stride, T add) {
  return [&]<std::size_t... l>(std::index_sequence<l...>) {
    return V<T, N>{p[l * stride]...} + V<T, N>(add);
  }
  (std::make_index_sequence<V<T, N>::size>{});
}

// The labels of `lanes` rows from labels[0] as values of T.
template <class T, class N>
[[gnu::always_inline]] inline V<T, N> label_lanes(const std::int32_t* labels) {
  return [&]<std::size_t... l>(std::index_sequence<l...>) {
    return V<T, N>{static_cast<T>(labels[l])...};
  }
  (std::make_index_sequence<V<T, N>::size>{});
}

template <class T, class A>
double softmax(const SoftmaxChunk<T>& a) {
  using NA = RowLanes<T, A>;
  using N = V<T, NA>;
  constexpr std::size_t NL = N::size;
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t K = a.n_classes, d = a.X.cols;
  const std::size_t Kp = softmax_padded_classes(K);
  T* zb = a.scratch;    // R rows of Kp logits, as the logits tiles write them
  T* zt = zb + R * Kp;  // the logits plus intercepts, K classes of R rows
  T* et = zt + R * Kp;  // exp(z − max z), likewise
  T* rt = et + R * Kp;  // the residuals, likewise (softmax_update's class rows)
  T* gb = rt + R * Kp;  // the intercepts' gradient, K classes of NL lanes of rows
  const SoftmaxTail<T, A> tail(a.grad_W, K, d, gb + R * Kp);  // grad_W's last columns
  for (std::size_t q = 0; q < K * NL; ++q)
    gb[q] = T(0);
  long double loss = 0;
  for (std::size_t i0 = 0; i0 < a.X.rows; i0 += R) {
    const T* x[R];
    const std::size_t count = block_rows(a.X, i0, x);
    softmax_logits<T, A>(x, count, a.W, a.W_t, K, d, zb, softmax_prefetch_ahead(a.X, i0));
    if (count == R) {
      for (std::size_t k = 0; k < K; ++k) {
        const T bk = a.b ? a.b[k] : T(0);
        for (std::size_t g0 = 0; g0 < R; g0 += NL)
          strided_lanes<T, NA>(zb + g0 * Kp + k, Kp, bk).store_unaligned(zt + k * R + g0);
      }
    } else {
      // Rows past the chunk's end get logits 0: finite, and weight 0 below.
      for (std::size_t k = 0; k < K; ++k) {
        const T bk = a.b ? a.b[k] : T(0);
        for (std::size_t r = 0; r < R; ++r)
          zt[k * R + r] = r < count ? zb[r * Kp + k] + bk : T(0);
      }
    }
    for (std::size_t g0 = 0; g0 < count; g0 += NL) {
      const std::size_t rows = smaller(NL, count - g0), i = i0 + g0;
      const auto logit = [&](std::size_t k) { return N::load_unaligned(zt + k * R + g0); };
      N zmax = logit(0);
      for (std::size_t k = 1; k < K; ++k)
        zmax = xsimd::max(zmax, logit(k));
      // K independent exponentials: several polynomials in flight hide their latency.
      for (std::size_t k = 0; k < K; ++k)
        exp_nonpositive<T, NA>(logit(k) - zmax).store_unaligned(et + k * R + g0);
      const N sum = class_sum<T, NA>(et + g0, K, R);
      const N label = rows == NL ? label_lanes<T, NA>(a.labels + i) : [&] {
        alignas(64) T lanes[NL];
        for (std::size_t l = 0; l < NL; ++l)
          lanes[l] = l < rows ? static_cast<T>(a.labels[i + l]) : T(-1);
        return N::load_aligned(lanes);
      }();
      N zy(T(0));
      for (std::size_t k = 0; k < K; ++k)
        zy = xsimd::select(label == N(static_cast<T>(k)), logit(k), zy);
      const N s = a.sample_weight ? (rows == NL ? N::load_unaligned(a.sample_weight + i)
                                                : load_partial<T, NA>(a.sample_weight + i, rows))
                                  : ones_below<T, NA>(rows);
      // The loss terms added in row order in long double.
      alignas(64) T logsum[NL], gap[NL], weight[NL];
      xsimd::log(sum).store_aligned(logsum);
      (zmax - zy).store_aligned(gap);
      s.store_aligned(weight);
      for (std::size_t l = 0; l < rows; ++l)
        loss += (long double)weight[l] * ((long double)logsum[l] + (long double)gap[l]);
      const N inv = N(T(1)) / sum;
      for (std::size_t k = 0; k < K; ++k) {
        const N p = N::load_unaligned(et + k * R + g0) * inv;
        if (a.probabilities) {
          alignas(64) T pk[NL];
          p.store_aligned(pk);
          for (std::size_t l = 0; l < rows; ++l)
            a.probabilities[(i + l) * K + k] = pk[l];
        }
        const N res = s * (p - xsimd::select(label == N(static_cast<T>(k)), N(T(1)), N(T(0))));
        res.store_unaligned(rt + k * R + g0);
        (N::load_unaligned(gb + k * NL) + res).store_unaligned(gb + k * NL);
      }
    }
    softmax_update<T, A>(x, count, rt, K, d, a.grad_W, tail.get(), R, 1);
  }
  if (a.grad_b)
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t l = 0; l < NL; ++l)
        a.grad_b[k] += gb[k * NL + l];
  return double(loss);
}

// Multinomial Hessian-vector product over a chunk: for each row, u_k = V_k · x + v_b_k and
// t_k = s p_k (u_k − Σ_j p_j u_j), then out_k += t_k x and out_b_k += t_k.
template <class T, class A>
void softmax_hessian_vector(const SoftmaxHessianChunk<T>& a) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t K = a.n_classes, d = a.X.cols;
  const std::size_t Kp = softmax_padded_classes(K);
  T* ub = a.scratch;                                       // R rows of u
  T* tb = a.scratch + R * Kp;                              // t, K rows of R
  const SoftmaxTail<T, A> tail(a.out, K, d, tb + R * Kp);  // out's last columns
  for (std::size_t i0 = 0; i0 < a.X.rows; i0 += R) {
    const T* x[R];
    const std::size_t count = block_rows(a.X, i0, x);
    softmax_logits<T, A>(x, count, a.V, a.V_t, K, d, ub, softmax_prefetch_ahead(a.X, i0));
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
    softmax_update<T, A>(x, count, tb, K, d, a.out, tail.get());
  }
}
