// The cross product AᵀB of two matrices over the same rows, out[p · Q + q] += Σ_i a_ip b_iq
// (A has P columns, B has Q): register tiles of MP rows p of the result by up to NV registers of
// its columns q. Per row of the inputs, one broadcast of a_ip per tile row and one load of b_i per
// register, a multiply-add per register and tile row. The rows are taken a block at a time, small
// enough that the block's rows of A and B stay in the L1 cache while the tiles pass over them; a
// tile's sums are loaded from out before a block and stored after it.
//
// Summation order, per element: the chunk's terms in row order, one rounding per multiply-add (two
// on SSE2, which has no FMA), as the scalar twin adds them.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses (gram.hpp's
// MaskedLoad).
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// The tile of one ISA: MP x NV accumulators, NV loads and a broadcast in registers (AVX-512: 21 of
// 32, AVX2: 13 of 16, SSE2: 7 and a product of 16).
template <class T, class A>
struct CrossGeometry {
  static constexpr std::size_t MP = is_avx512<A> ? 4 : is_avx2<A> ? 3 : 2;
  static constexpr std::size_t NV = is_avx512<A> ? 4 : is_avx2<A> ? 3 : 2;
  // Elements of A and B in a block of rows: 16 KiB of double.
  static constexpr std::size_t block_elements = 2048;
};

// One tile over `rows` rows: a at A's row 0, column p0 (rows a_stride apart), of which the tile
// takes mp ≤ MP columns; b at B's row 0, column q0 (rows b_stride apart), NVt registers of which
// the last holds `last` ≤ lanes columns; out at the tile's first element, rows ldo apart.
template <class T, class A, std::size_t NVt>
inline void cross_tile(const T* a, std::size_t a_stride, std::size_t mp, const T* b,
                       std::size_t b_stride, std::size_t last, std::size_t rows, T* out,
                       std::size_t ldo) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size, MP = CrossGeometry<T, A>::MP;
  const MaskedLoad<T, A> tail(last);
  const auto load = [&](const T* p, std::size_t v) {
    return v + 1 < NVt || last == L ? B::load_unaligned(p + v * L) : tail(p + v * L);
  };
  // Tile rows past mp repeat the last column (in bounds, sums dropped).
  std::size_t column[MP];
  for (std::size_t r = 0; r < MP; ++r)
    column[r] = r < mp ? r : mp - 1;
  B acc[MP][NVt];
#pragma GCC unroll 4
  for (std::size_t r = 0; r < MP; ++r) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVt; ++v)
      acc[r][v] = load(out + column[r] * ldo, v);
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const T* ai = a + i * a_stride;
    const T* bi = b + i * b_stride;
    B bv[NVt];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVt; ++v)
      bv[v] = load(bi, v);
#pragma GCC unroll 4
    for (std::size_t r = 0; r < MP; ++r) {
      const B av(ai[column[r]]);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NVt; ++v)
        acc[r][v] = madd(av, bv[v], acc[r][v]);
    }
  }
  // Constant bounds (with mp tested inside), so that acc stays in registers.
#pragma GCC unroll 4
  for (std::size_t r = 0; r < MP; ++r) {
    if (r >= mp) break;
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVt; ++v) {
      if (v + 1 < NVt || last == L)
        acc[r][v].store_unaligned(out + r * ldo + v * L);
      else
        store_partial<T, A>(out + r * ldo + v * L, acc[r][v], last);
    }
  }
}

template <class T, class A>
void cross_product(RowsChunk<T> Am, RowsChunk<T> Bm, T* out) {
  using G = CrossGeometry<T, A>;
  constexpr std::size_t L = V<T, A>::size;
  const std::size_t P = Am.cols, Q = Bm.cols, registers = (Q + L - 1) / L;
  if (P == 0 || Q == 0) return;
  const std::size_t block = smaller(256, G::block_elements / (P + Q) + 1);
  for (std::size_t i0 = 0; i0 < Am.rows; i0 += block) {
    const std::size_t rows = smaller(block, Am.rows - i0);
    const T* a = Am.X + i0 * Am.stride;
    const T* b = Bm.X + i0 * Bm.stride;
    for (std::size_t p0 = 0; p0 < P; p0 += G::MP) {
      const std::size_t mp = smaller(G::MP, P - p0);
      for (std::size_t v0 = 0; v0 < registers; v0 += G::NV) {
        const std::size_t nv = smaller(G::NV, registers - v0), q0 = v0 * L;
        const std::size_t last = smaller(L, Q - (q0 + (nv - 1) * L));
        const auto tile = [&](auto registers_of_tile) {
          cross_tile<T, A, decltype(registers_of_tile)::value>(
              a + p0, Am.stride, mp, b + q0, Bm.stride, last, rows, out + p0 * Q + q0, Q);
        };
        if (nv == G::NV)
          tile(std::integral_constant<std::size_t, G::NV>{});
        else if (nv == 1)
          tile(std::integral_constant<std::size_t, 1>{});
        else if constexpr (G::NV > 2) {
          if (nv == 2)
            tile(std::integral_constant<std::size_t, 2>{});
          else if constexpr (G::NV > 3) {
            if (nv == 3) tile(std::integral_constant<std::size_t, 3>{});
          }
        }
      }
    }
  }
}
