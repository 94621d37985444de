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
// The coefficient of class k for row r is coef[k · S + r · P]: S = kSoftmaxBlockRows, P = 1 (class
// rows) or S = 1, P = the padded class count (row rows).
template <class T, class A, std::size_t R>
inline void softmax_block_update(const T* const* x, const T* coef, std::size_t K, std::size_t d,
                                 T* G, std::size_t S, std::size_t P) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
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
        o = madd(xv[r], B(c[r * P]), o);
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
        o = madd(xv[r], B(c[r * P]), o);
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

// G += the block's rows weighted by coef (layout as softmax_block_update: class stride S, row
// stride P).
template <class T, class A>
inline void softmax_update(const T* const* x, std::size_t count, const T* coef, std::size_t K,
                           std::size_t d, T* G, std::size_t S = kSoftmaxBlockRows,
                           std::size_t P = 1) {
  constexpr std::size_t R = kSoftmaxBlockRows;
  if (count == R) {
    softmax_block_update<T, A, R>(x, coef, K, d, G, S, P);
  } else {
    for (std::size_t r = 0; r < count; ++r)
      softmax_block_update<T, A, 1>(x + r, coef + r * P, K, d, G, S, P);
  }
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

template <class T, class A>
double softmax(const SoftmaxChunk<T>& a) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  constexpr std::size_t R = kSoftmaxBlockRows;
  const std::size_t K = a.n_classes, d = a.X.cols;
  const std::size_t Kp = softmax_padded_classes(K), Kl = (K + L - 1) / L * L;
  T* zb = a.scratch;               // R rows of logits
  T* eb = a.scratch + R * Kp;      // R rows of exp(z − max)
  T* rt = a.scratch + 2 * R * Kp;  // residuals, R rows of Kp
  // The intercepts padded to whole registers with −inf: adding them also sets the padding lanes
  // of the logits (zero from the zero-padded W_t) to −inf, whose exponential is 0. And the
  // intercepts' gradient in as many lanes, added to row by row (in row order, as each class's sum
  // always was).
  T* bp = a.scratch + 3 * R * Kp;
  T* gb = bp + Kp;
  for (std::size_t k = 0; k < Kl; ++k) {
    bp[k] = k < K ? (a.b ? a.b[k] : T(0)) : T(-__builtin_inf());
    gb[k] = k < K && a.grad_b ? a.grad_b[k] : T(0);
  }
  alignas(64) T lane_index[L];
  for (std::size_t l = 0; l < L; ++l)
    lane_index[l] = T(l);
  const B iota = B::load_aligned(lane_index);
  long double loss = 0;
  for (std::size_t i0 = 0; i0 < a.X.rows; i0 += R) {
    const T* x[R];
    const std::size_t count = block_rows(a.X, i0, x);
    softmax_logits<T, A>(x, count, a.W, a.W_t, K, d, zb);
    alignas(64) T sums[16 + R];
    alignas(64) T logsum[16 + R];
    alignas(64) T lanes[L];
    T zmax[R];
    for (std::size_t r = 0; r < 16 + R; ++r)
      sums[r] = T(1);
    for (std::size_t r = 0; r < count; ++r) {
      T* z = zb + r * Kp;
      B vmax = B::load_unaligned(z) + B::load_unaligned(bp);
      vmax.store_unaligned(z);
      for (std::size_t k = L; k < Kl; k += L) {
        const B zk = B::load_unaligned(z + k) + B::load_unaligned(bp + k);
        zk.store_unaligned(z + k);
        vmax = xsimd::max(vmax, zk);
      }
      vmax.store_aligned(lanes);
      // A tree of maxima over the lanes (a chain of L − 1 dependent ones would be slower).
      for (std::size_t width = L / 2; width > 0; width /= 2)
        for (std::size_t l = 0; l < width; ++l)
          lanes[l] = lanes[l + width] > lanes[l] ? lanes[l + width] : lanes[l];
      zmax[r] = lanes[0];
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
      const B inv(T(1) / sums[r]), sv(s);
      const B label = B(static_cast<T>(y));
      T* res_row = rt + r * Kp;
      for (std::size_t k = 0; k < Kl; k += L) {
        const B p = B::load_unaligned(ez + k) * inv;  // 0 in the padding lanes
        if (a.probabilities) {
          if (k + L <= K)
            p.store_unaligned(a.probabilities + i * K + k);
          else if (k < K)
            store_partial<T, A>(a.probabilities + i * K + k, p, K - k);
        }
        const B res = sv * (p - xsimd::select(iota + B(T(k)) == label, B(T(1)), B(T(0))));
        res.store_unaligned(res_row + k);
        (B::load_unaligned(gb + k) + res).store_unaligned(gb + k);
      }
    }
    softmax_update<T, A>(x, count, rt, K, d, a.grad_W, 1, Kp);
  }
  if (a.grad_b)
    for (std::size_t k = 0; k < K; ++k)
      a.grad_b[k] = gb[k];
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
    const T* x[R];
    const std::size_t count = block_rows(a.X, i0, x);
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
