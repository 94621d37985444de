// The Cholesky factorization kernel: U = Lᵀ of a symmetric positive definite matrix, in place.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// Left-looking in panels of kCholeskyPanel rows, as the plain loop (scalar_body.hpp): the
// finished rows k < j0 update the panel's rows from column j0 on, then the panel is finished row
// by row. Here the first step runs in register tiles of the panel's rows by two registers of
// columns, held over every k: each finished row is read once per tile, and each multiply-add
// is a register operation instead of a load, an update and a store. Every element still receives
// its updates in the order k = 0, 1, ..., each as u − c·v: one fused multiply-add of −c where the
// ISA has FMA, a multiplication and an addition on SSE2 (the plain loop's bits). Columns left of
// a panel row's diagonal are computed too and land in the strict lower triangle, which is scratch.
constexpr std::size_t kCholeskyPanel = 4;

// Rows [j0, j0 + R) of U, columns [c0, c0 + width) (width ≤ 2 registers; Full: exactly 2), less
// Σ_{k < j0} U[k][j0 + r] U[k][c].
template <class T, class A, std::size_t R, bool Full>
inline void cholesky_panel_tile(T* U, std::size_t m, std::size_t j0, std::size_t c0,
                                std::size_t width) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size, C = 2;
  std::size_t count[C];
  for (std::size_t c = 0; c < C; ++c)
    count[c] = width > c * L ? smaller(L, width - c * L) : 0;
  const auto load = [&](const T* p, std::size_t c) __attribute__((always_inline)) {
    return Full ? B::load_unaligned(p + c * L) : load_partial<T, A>(p + c * L, count[c]);
  };
  B acc[R][C];
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (std::size_t c = 0; c < C; ++c)
      acc[r][c] = load(U + (j0 + r) * m + c0, c);
  }
  for (std::size_t k = 0; k < j0; ++k) {
    const T* uk = U + k * m;
    B v[C];
#pragma GCC unroll 2
    for (std::size_t c = 0; c < C; ++c)
      v[c] = load(uk + c0, c);
#pragma GCC unroll 4
    for (std::size_t r = 0; r < R; ++r) {
      const B minus(-uk[j0 + r]);
#pragma GCC unroll 2
      for (std::size_t c = 0; c < C; ++c)
        acc[r][c] = madd(minus, v[c], acc[r][c]);
    }
  }
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (std::size_t c = 0; c < C; ++c) {
      T* out = U + (j0 + r) * m + c0 + c * L;
      if (Full)
        acc[r][c].store_unaligned(out);
      else if (count[c] > 0)
        store_partial<T, A>(out, acc[r][c], count[c]);
    }
  }
}

// The panel's R rows against every finished row, a tile of columns at a time from column j0.
template <class T, class A, std::size_t R>
inline void cholesky_panel_update(T* U, std::size_t m, std::size_t j0) {
  constexpr std::size_t W = 2 * V<T, A>::size;
  std::size_t c0 = j0;
  for (; c0 + W <= m; c0 += W)
    cholesky_panel_tile<T, A, R, true>(U, m, j0, c0, W);
  if (c0 < m) cholesky_panel_tile<T, A, R, false>(U, m, j0, c0, m - c0);
}

// u[i] −= c · v[i] for i in [first, m), as the tile does it.
template <class T, class A>
inline void cholesky_row_update(T* u, const T* v, T c, std::size_t first, std::size_t m) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  const B minus(-c);
  std::size_t i = first;
  for (; i + L <= m; i += L)
    madd(minus, B::load_unaligned(v + i), B::load_unaligned(u + i)).store_unaligned(u + i);
  if (i < m) {
    const std::size_t n = m - i;
    store_partial<T, A>(u + i,
                        madd(minus, load_partial<T, A>(v + i, n), load_partial<T, A>(u + i, n)), n);
  }
}

template <class T, class A>
bool cholesky_upper(T* U, std::size_t m, T min_pivot) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  for (std::size_t j0 = 0; j0 < m; j0 += kCholeskyPanel) {
    const std::size_t rows = smaller(kCholeskyPanel, m - j0);
    if (j0 > 0) {
      switch (rows) {
        case 4:
          cholesky_panel_update<T, A, 4>(U, m, j0);
          break;
        case 3:
          cholesky_panel_update<T, A, 3>(U, m, j0);
          break;
        case 2:
          cholesky_panel_update<T, A, 2>(U, m, j0);
          break;
        default:
          cholesky_panel_update<T, A, 1>(U, m, j0);
          break;
      }
    }
    // The panel itself, row by row.
    for (std::size_t r = j0; r < j0 + rows; ++r) {
      T* ur = U + r * m;
      for (std::size_t k = j0; k < r; ++k)
        cholesky_row_update<T, A>(ur, U + k * m, U[k * m + r], r, m);
      const T pivot = ur[r];
      if (!(pivot > min_pivot) || !(pivot - pivot == T(0))) return false;  // also NaN, inf
      T l;  // √pivot, correctly rounded (an intrinsic: the body calls no library function)
      if constexpr (std::is_same_v<T, double>)
        l = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(pivot)));
      else
        l = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(pivot)));
      ur[r] = l;
      // Divided, not multiplied by 1/l: the plain loop's bits on SSE2.
      const B lv(l);
      std::size_t i = r + 1;
      for (; i + L <= m; i += L)
        (B::load_unaligned(ur + i) / lv).store_unaligned(ur + i);
      if (i < m) store_partial<T, A>(ur + i, load_partial<T, A>(ur + i, m - i) / lv, m - i);
    }
  }
  return true;
}
