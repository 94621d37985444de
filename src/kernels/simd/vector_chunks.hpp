// Chunk kernels over contiguous vectors: dot, sigmoid and log_loss.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

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
  if (i < n) store_few<T, A>(out + i, logistic_parts<T, A>(load_few<T, A>(z + i, n - i)).p, n - i);
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

// Row-wise softmax of `rows` rows of K values, out == z allowed: with m = max_k z_k,
// out_k = e_k / Σ_j e_j, e_k = exp_nonpositive(z_k − m). A row's e_k are summed in one register
// (lanes past K hold 0), then across its lanes. NaN or +inf anywhere in a row gives a row of NaN,
// as in the scalar twin.
template <class T, class A>
void softmax_rows(const T* z, T* out, std::size_t rows, std::size_t K) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  const std::size_t full = K / L * L, tail = K - full;
  const B minus_inf(T(-__builtin_inf()));
  for (std::size_t i = 0; i < rows; ++i, z += K, out += K) {
    B vmax = minus_inf, last = minus_inf;
    for (std::size_t k = 0; k < full; k += L)
      vmax = xsimd::max(vmax, B::load_unaligned(z + k));
    if (tail) {
      last = xsimd::select(ones_below<T, A>(tail) > B(T(0)), load_partial<T, A>(z + full, tail),
                           minus_inf);
      vmax = xsimd::max(vmax, last);
    }
    alignas(64) T lanes[L];
    vmax.store_aligned(lanes);
    T m = lanes[0];
    for (std::size_t l = 1; l < L; ++l)
      m = lanes[l] > m ? lanes[l] : m;
    const B vm(m);
    B total(T(0));
    for (std::size_t k = 0; k < full; k += L) {
      const B e = exp_nonpositive<T, A>(B::load_unaligned(z + k) - vm);
      e.store_unaligned(out + k);
      total = total + e;
    }
    if (tail) {
      const B e = exp_nonpositive<T, A>(last - vm);  // padding: exp(−inf) = 0
      store_partial<T, A>(out + full, e, tail);
      total = total + e;
    }
    const B sum(xsimd::hadd(total));
    for (std::size_t k = 0; k < full; k += L)
      (B::load_unaligned(out + k) / sum).store_unaligned(out + k);
    if (tail) store_partial<T, A>(out + full, load_partial<T, A>(out + full, tail) / sum, tail);
  }
}
