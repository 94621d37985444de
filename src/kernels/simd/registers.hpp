// Register primitives of the vectorized kernels: the batch type, the FMA policy, loads and
// stores of partial registers, compensated (TwoSum) accumulation and the horizontal and
// transposing reductions.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

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

// load_partial and store_partial for a tail of at most 16 bytes (a row or two to predict), by
// plain 128-bit moves on AVX2 and AVX-512: a masked load of values the caller has just stored
// one by one waits until those stores retire (the store buffer cannot forward to it). AMD Zen 4,
// sigmoid of a pair just written: 37.8 ns masked, 11.7 ns this way (bench/README.md, "The
// sigmoid's short tail"). Same values, same lanes, so the same bits. Kept to the sigmoid's tail,
// where it was measured; the other kernels' tails follow whole registers of streamed data.
template <class T, class A>
inline V<T, A> load_few(const T* p, std::size_t n) {
  if constexpr (is_avx512<A> || is_avx2<A>) {
    if (n * sizeof(T) <= 16) {
      if constexpr (std::is_same_v<T, double>) {
        const __m128d low = n == 2 ? _mm_loadu_pd(p) : _mm_load_sd(p);
        if constexpr (is_avx512<A>)
          return _mm512_zextpd128_pd512(low);
        else
          return _mm256_zextpd128_pd256(low);
      } else {
        // (no load may reach past p + n: the pair is read only where there are two; by the
        // 64-bit integer move, which asks no alignment of p, unlike a double's)
        const auto pair = [p] {
          return _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
        };
        const __m128 low = n == 4   ? _mm_loadu_ps(p)
                           : n == 3 ? _mm_movelh_ps(pair(), _mm_load_ss(p + 2))
                           : n == 2 ? pair()
                                    : _mm_load_ss(p);
        if constexpr (is_avx512<A>)
          return _mm512_zextps128_ps512(low);
        else
          return _mm256_zextps128_ps256(low);
      }
    }
  }
  return load_partial<T, A>(p, n);
}

template <class T, class A>
inline void store_few(T* p, V<T, A> v, std::size_t n) {
  if constexpr (is_avx512<A> || is_avx2<A>) {
    if (n * sizeof(T) <= 16) {
      if constexpr (std::is_same_v<T, double>) {
        __m128d low;
        if constexpr (is_avx512<A>)
          low = _mm512_castpd512_pd128(v);
        else
          low = _mm256_castpd256_pd128(v);
        if (n == 2)
          _mm_storeu_pd(p, low);
        else
          _mm_store_sd(p, low);
      } else {
        __m128 low;
        if constexpr (is_avx512<A>)
          low = _mm512_castps512_ps128(v);
        else
          low = _mm256_castps256_ps128(v);
        if (n == 4) {
          _mm_storeu_ps(p, low);
        } else if (n == 1) {
          _mm_store_ss(p, low);
        } else {
          _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_castps_si128(low));
          if (n == 3) _mm_store_ss(p + 2, _mm_movehl_ps(low, low));
        }
      }
      return;
    }
  }
  store_partial<T, A>(p, v, n);
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

// The AVX-512 transposing reduction below, written once for float and double. Its steps fold
// pairs of registers: out[p] = fold(in[2p], in[2p + 1]) for the N / 2 pairs.
template <std::size_t N, class In, class Out, class Fold>
inline void fold_pairs(const In* in, Out* out, Fold fold) {
#pragma GCC unroll 16
  for (std::size_t p = 0; p < N / 2; ++p)
    out[p] = fold(in[2 * p], in[2 * p + 1]);
}

// A selection (immediate Imm) from a and b, of whole 128-bit blocks (Blocks: shuffle_f32x4 /
// shuffle_f64x2) or of elements within each 128-bit block (shuffle_ps / shuffle_pd).
template <bool Blocks, int Imm, class R>
inline R pick(R a, R b) {
  if constexpr (sizeof(a[0]) == sizeof(float))  // __m512
    return Blocks ? _mm512_shuffle_f32x4(a, b, Imm) : _mm512_shuffle_ps(a, b, Imm);
  else
    return Blocks ? _mm512_shuffle_f64x2(a, b, Imm) : _mm512_shuffle_pd(a, b, Imm);
}

// One fold of the reduction: the selections Lo and Hi of a and b, added (GCC's vector + is
// _mm512_add_ps / _mm512_add_pd).
template <bool Blocks, int Lo, int Hi, class R>
inline R fold(R a, R b) {
  return pick<Blocks, Lo>(a, b) + pick<Blocks, Hi>(a, b);
}

// Lane k of the result = lane_sum(acc[k]) for k < L, bit for bit: a transposing reduction, all
// rows of a block at once (AVX-512), or one lane_sum per row elsewhere. On AVX-512 the pairs of
// rows are folded block-wise (halves, then quarters of the register), then element-wise within
// the 128-bit blocks, which leaves lane 4c + e (float) / 2c + e (double) holding row c + 4e; a
// final permutation puts row k in lane k.
template <class T, class A>
inline V<T, A> rows_total(const V<T, A>* acc) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  if constexpr (is_avx512<A>) {
    using R = typename B::register_type;  // __m512 or __m512d
    R s[L / 2], u[L / 4];
    const auto halves = [](R a, R b) { return fold<true, 0x44, 0xEE>(a, b); };
    const auto quarters = [](R a, R b) { return fold<true, 0x88, 0xDD>(a, b); };
    fold_pairs<L>(acc, s, halves);
    fold_pairs<L / 2>(s, u, quarters);
    if constexpr (std::is_same_v<T, float>) {
      R w[2];
      fold_pairs<4>(u, w, [](R a, R b) { return fold<false, 0x44, 0xEE>(a, b); });
      const R f = fold<false, 0x88, 0xDD>(w[0], w[1]);
      const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      return _mm512_permutexvar_ps(order, f);
    } else {
      const R f = fold<false, 0x00, 0xFF>(u[0], u[1]);
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
