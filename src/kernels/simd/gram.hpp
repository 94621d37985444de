// The weighted Gram matrix Xᵀ D X of a chunk of rows: blocked, packed and register-tiled.
//
// The rows are taken KC at a time, and the columns NR = NV · lanes at a time (a panel). Each panel
// of a block is packed (gram_pack) into a small buffer the driver owns, one per thread: KC rows
// of NR contiguous values d_i x_ik, which stay in the L1 cache. The tiles of the result in the
// panel's columns, up to MR rows j by up to NV registers of columns k, are then accumulated in
// registers over the block (gram_tile): per row of X, one aligned load per register from the
// packed panel and one broadcast of x_ij per tile row straight from X, a multiply-add per register
// and tile row. Only the tiles that meet the upper triangle (diagonal included) are computed, and
// of a tile that straddles the diagonal only the registers that hold an element on or above it;
// the other elements of those registers land in the lower triangle, which the driver ignores. A
// matrix no wider than one panel is not packed: its tiles load the rows of X themselves and
// multiply them by d_i as they go, which gives the same bits.
//
// When the width is not a multiple of the lanes, the last w = cols mod lanes columns would fill
// only w lanes of a register in every tile of a column of tiles; instead they are computed
// transposed (the matrix is symmetric): w tile rows k broadcast against registers of all the
// columns j, C[k][j] = C[j][k] written to the upper triangle (gram_tile's Transposed epilogue).
// That costs w / lanes of the multiply-adds: 52 instead of 104 of the 728 per row of X at
// 100 columns of double on AVX-512, 28 instead of 112 of the 448 for float.
//
// Summation order, per element (j, k): each block's terms in row order in one register lane, then
// the blocks' sums added in order into the chunk's result (the first block stores, the others
// add). Every term is d_i x_ik (or d_i x_ij for the transposed columns) rounded once, then
// multiplied by the other factor and added in one fused multiply-add (two roundings on SSE2,
// which has no FMA).
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// The tile and block sizes of one ISA and element type (measurements: bench/README.md,
// "weighted_gram").
//   AVX-512: 8 x 3 registers (24 accumulators, 3 loads and 8 broadcasts of 32 registers).
//   AVX2:    4 x 3 registers (12 accumulators, 3 loads, 1 broadcast: all 16 registers).
//   SSE2:    4 x 2 registers (8 accumulators; no FMA, so a product register too).
// KC = 64 rows: a packed panel (12 KiB on AVX-512) stays in the L1 cache while the tiles of its
// columns pass over it, and the block of X stays in the L2 cache (500 KiB at 1,000 columns of
// double).
template <class T, class A>
struct GramGeometry {
  static constexpr std::size_t L = V<T, A>::size;
  static constexpr std::size_t MR = is_avx512<A> ? 8 : 4;
  static constexpr std::size_t NV = is_avx512<A> || is_avx2<A> ? 3 : 2;
  static constexpr std::size_t NR = NV * L;
  // Rows of the one tile of a matrix no wider than a register (cols ≤ L): all of them.
  static constexpr std::size_t MR1 = L > MR ? L : MR;
  static constexpr std::size_t KC = 64;
  static constexpr std::size_t panel = KC * NR;  // elements of one packed panel
  static_assert(panel * sizeof(T) % 64 == 0, "panels start on cache lines");
  static_assert(kGramChunkRowStep % KC == 0, "blocks fill the driver's chunks");

  // The columns computed transposed (see the top of this file): none when the width is a
  // multiple of the lanes or fits in one register.
  static constexpr std::size_t transposed(std::size_t cols) { return cols > L ? cols % L : 0; }
};

// Elements of the per-thread buffer gram_upper needs (one packed panel; none for one column
// count or another, but the driver does not need to know that).
template <class T, class A>
std::size_t gram_scratch(std::size_t) {
  return GramGeometry<T, A>::panel;
}

// Loads of the first n ≤ lanes values at p, zeros in the other lanes, with the mask computed
// once (load_partial computes it on every call). AVX2 keeps a vector mask, AVX-512 a bit mask.
template <class T, class A, bool Avx2 = is_avx2<A>>
class MaskedLoad {
 public:
  explicit MaskedLoad(std::size_t n) : n_(n), bits_(n >= V<T, A>::size ? ~0u : (1u << n) - 1u) {}
  V<T, A> operator()(const T* p) const {
    if constexpr (is_avx512<A>) {
      if constexpr (std::is_same_v<T, float>)
        return _mm512_maskz_loadu_ps(__mmask16(bits_), p);
      else
        return _mm512_maskz_loadu_pd(__mmask8(bits_), p);
    } else {
      return n_ >= V<T, A>::size ? V<T, A>::load_unaligned(p) : load_partial<T, A>(p, n_);
    }
  }

 private:
  std::size_t n_;
  unsigned bits_;
};

template <class T, class A>
class MaskedLoad<T, A, true> {
 public:
  explicit MaskedLoad(std::size_t n) {
    if constexpr (std::is_same_v<T, float>)
      mask_ =
          _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    else
      mask_ =
          _mm256_cmpgt_epi64(_mm256_set1_epi64x(std::int64_t(n)), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  V<T, A> operator()(const T* p) const {
    if constexpr (std::is_same_v<T, float>)
      return _mm256_maskload_ps(p, mask_);
    else
      return _mm256_maskload_pd(p, mask_);
  }

 private:
  __m256i mask_;
};

// Packs `rows` ≤ KC rows (x, stride apart) of `width` ≤ NR columns, multiplied by d_i (by 1 when
// d == nullptr, which leaves every value as it is), into `panel`: row i at panel + i · NR, the
// columns past `width` up to a whole register zeros.
template <class T, class A>
inline void gram_pack(const T* x, std::size_t stride, std::size_t rows, std::size_t width,
                      const T* d, T* panel) {
  using G = GramGeometry<T, A>;
  using B = V<T, A>;
  constexpr std::size_t L = G::L, NR = G::NR, NV = G::NV;
  if (width == NR) {
    for (std::size_t i = 0; i < rows; ++i, x += stride, panel += NR) {
      const B di(d ? d[i] : T(1));
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v)
        (B::load_unaligned(x + v * L) * di).store_aligned(panel + v * L);
    }
    return;
  }
  const std::size_t whole = width / L, tail = width % L;
  const MaskedLoad<T, A> load_tail(tail);
  for (std::size_t i = 0; i < rows; ++i, x += stride, panel += NR) {
    const B di(d ? d[i] : T(1));
    for (std::size_t v = 0; v < whole; ++v)
      (B::load_unaligned(x + v * L) * di).store_aligned(panel + v * L);
    if (tail) (load_tail(x + whole * L) * di).store_aligned(panel + whole * L);
  }
}

// Where a tile's registers of columns come from.
//   Packed (Direct = false): b points into a packed panel (gram_pack), rows NR apart, already
//     multiplied by d_i.
//   Direct (Direct = true): b points into X itself, rows `step` apart; each register is
//     multiplied by d_i as it is loaded (d[i · d_step]; d_step = 0 with d pointing to a 1 when
//     D = I): the same rounded products d_i x_ik as packing gives, so the two give the same bits.
template <class T>
struct Columns {
  const T* b;
  std::size_t step;
  const T* d;
  std::size_t d_step;
};

// Where a tile's sums go: c[r · ldc + v · L + lane], or, Transposed, c[(v · L + lane) · ldc + r]
// where v · L + lane ≤ r + diagonal (the upper triangle); stored when add is false, added
// otherwise. The last register holds `last` ≤ L columns.
struct TileOut {
  std::size_t ldc, last, diagonal;
  bool add;
};

// The registers of columns of row i of a tile (see Columns).
template <class T, class A, std::size_t NVk, bool Direct>
inline void gram_columns(V<T, A>* bv, const T* b, const T* d, const MaskedLoad<T, A>& load_last) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size;
  if constexpr (Direct) {
    const B di(*d);
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVk; ++v)
      bv[v] = (v + 1 < NVk ? B::load_unaligned(b + v * L) : load_last(b + v * L)) * di;
  } else {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVk; ++v)
      bv[v] = B::load_aligned(b + v * L);
  }
}

// Σ_{i < rows_x} a[i · a_stride + r] · (register v of the columns of row i) for the tile rows
// r < MRk ≤ MR and registers v < NVk ≤ NV, into c (see TileOut). Issues one prefetch per row of X
// from `prefetch` while it is below `prefetch_end`, and returns where it stopped.
template <class T, class A, std::size_t MRk, std::size_t NVk, bool Direct, bool Transposed>
inline const char* gram_tile(const T* a, std::size_t a_stride, Columns<T> col, std::size_t rows_x,
                             T* c, TileOut o, const char* prefetch, const char* prefetch_end) {
  using B = V<T, A>;
  constexpr std::size_t L = B::size, MR = MRk;
  B acc[MR][NVk];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVk; ++v)
      acc[r][v] = B(T(0));
  }
  const MaskedLoad<T, A> load_last(o.last);
  const T* b = col.b;
  const T* d = col.d;
  for (std::size_t i = 0; i < rows_x; ++i, a += a_stride, b += col.step, d += col.d_step) {
    if (prefetch < prefetch_end) {
      _mm_prefetch(prefetch, _MM_HINT_T0);
      prefetch += 64;
    }
    B bv[NVk];
    gram_columns<T, A, NVk, Direct>(bv, b, d, load_last);
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
      const B ar(a[r]);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NVk; ++v)
        acc[r][v] = madd(ar, bv[v], acc[r][v]);
    }
  }
  if constexpr (Transposed) {
    alignas(64) T sums[MR][NVk * L];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NVk; ++v)
        acc[r][v].store_aligned(&sums[r][v * L]);
    }
    const std::size_t width = (NVk - 1) * L + o.last;
    for (std::size_t j = 0; j < width && j <= o.diagonal + MR - 1; ++j) {
      T* cj = c + j * o.ldc;
      for (std::size_t r = j > o.diagonal ? j - o.diagonal : 0; r < MR; ++r)
        cj[r] = o.add ? cj[r] + sums[r][j] : sums[r][j];
    }
  } else {
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
      T* cr = c + r * o.ldc;
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NVk; ++v) {
        T* cv = cr + v * L;
        if (v + 1 == NVk && o.last < L) {
          const B sum = o.add ? acc[r][v] + load_partial<T, A>(cv, o.last) : acc[r][v];
          store_partial<T, A>(cv, sum, o.last);
        } else {
          const B sum = o.add ? acc[r][v] + B::load_unaligned(cv) : acc[r][v];
          sum.store_unaligned(cv);
        }
      }
    }
  }
  return prefetch;
}

// The memory of the next block of rows, prefetched while a block is computed: `lines` cache
// lines per tile, one per row of X inside the tile, so the prefetches are spread over the
// block's multiply-adds and packing the next block finds its rows in the caches.
struct Prefetch {
  const char* next;
  const char* end;
  std::size_t lines;

  const char* tile_end() const { return next + smaller(lines * 64, std::size_t(end - next)); }
};

// One tile (gram_tile) of `tile_rows` ≤ MR rows and `registers` ≤ NV registers, dispatched to its
// instantiation, advancing the prefetches.
template <class T, class A, bool Direct, bool Transposed, std::size_t NVk = GramGeometry<T, A>::NV,
          std::size_t MRk = GramGeometry<T, A>::MR>
inline void gram_tile_of(std::size_t tile_rows, std::size_t registers, const T* a,
                         std::size_t a_stride, Columns<T> col, std::size_t rows, T* c, TileOut o,
                         Prefetch& ahead) {
  if constexpr (NVk > 1) {
    if (registers < NVk) {
      gram_tile_of<T, A, Direct, Transposed, NVk - 1, MRk>(tile_rows, registers, a, a_stride, col,
                                                           rows, c, o, ahead);
      return;
    }
  }
  if constexpr (MRk > 1) {
    if (tile_rows < MRk) {
      gram_tile_of<T, A, Direct, Transposed, NVk, MRk - 1>(tile_rows, registers, a, a_stride, col,
                                                           rows, c, o, ahead);
      return;
    }
  }
  ahead.next = gram_tile<T, A, MRk, NVk, Direct, Transposed>(a, a_stride, col, rows, c, o,
                                                             ahead.next, ahead.tile_end());
}

// The one tile of a matrix no wider than a register: `tile_rows` = cols ≤ MR1 rows by one register,
// read straight from X.
template <class T, class A, std::size_t MRk = GramGeometry<T, A>::MR1>
inline void gram_narrow_tile(std::size_t tile_rows, const T* a, std::size_t a_stride,
                             Columns<T> col, std::size_t rows, T* c, TileOut o, Prefetch& ahead) {
  if constexpr (MRk > 1) {
    if (tile_rows < MRk) {
      gram_narrow_tile<T, A, MRk - 1>(tile_rows, a, a_stride, col, rows, c, o, ahead);
      return;
    }
  }
  ahead.next = gram_tile<T, A, MRk, 1, true, false>(a, a_stride, col, rows, c, o, ahead.next,
                                                    ahead.tile_end());
}

// For each panel p of NR columns k0 ... in order: panel(k0, width) with its width, then
// tile(j0, k0, tile_rows, registers, skip, last) for every tile gram_block computes in its
// columns, then transposed(k0, k, tile_rows, registers, last) for the tiles of the transposed
// columns against it: rows k .. k + tile_rows − 1 (at most MR) of them by the registers of the
// panel, columns k0 ...
template <class T, class A, class Panel, class Tile, class TransposedTile>
inline void for_each_gram_tile(std::size_t cols, const Panel& panel, const Tile& tile,
                               const TransposedTile& transposed) {
  using G = GramGeometry<T, A>;
  constexpr std::size_t L = G::L, MR = G::MR, NR = G::NR;
  const std::size_t edge = G::transposed(cols), main = cols - edge;
  for (std::size_t k0 = 0; k0 < cols; k0 += NR) {
    const std::size_t all = smaller(NR, cols - k0);
    panel(k0, all);
    if (k0 < main) {
      const std::size_t width = smaller(NR, main - k0);
      const std::size_t registers = (width + L - 1) / L;
      const std::size_t last = width - (registers - 1) * L;
      // Tile rows j0 .. j0 + MR − 1 meet the upper triangle of this panel while
      // j0 ≤ k0 + width − 1; of a tile on the diagonal (j0 > k0), registers before (j0 − k0) / L
      // are below it.
      for (std::size_t j0 = 0; j0 < k0 + width; j0 += MR) {
        const std::size_t skip = j0 > k0 ? (j0 - k0) / L : 0;
        tile(j0, k0, smaller(MR, main - j0), registers - skip, skip, last);
      }
    }
    if (edge == 0) continue;
    const std::size_t registers = (all + L - 1) / L;
    for (std::size_t k = main; k < cols; k += MR)
      transposed(k0, k, smaller(MR, cols - k), registers, all - (registers - 1) * L);
  }
}

// Tiles gram_block computes for rows of `cols` columns.
template <class T, class A>
inline std::size_t gram_tiles(std::size_t cols) {
  if (cols <= GramGeometry<T, A>::L) return 1;  // gram_narrow_tile
  std::size_t tiles = 0;
  for_each_gram_tile<T, A>(
      cols, [](auto...) {}, [&](auto...) { ++tiles; }, [&](auto...) { ++tiles; });
  return tiles;
}

// The tiles of one block: `rows` rows of X (x, stride apart) and their weights d (nullptr:
// D = I), into out (cols x cols, row-major). Unless Direct, each panel of columns is packed into
// `buffer` (gram_pack) just before its tiles, so the packed values stay in the L1 cache.
template <class T, class A, bool Direct>
inline void gram_block(const T* x, std::size_t stride, const T* d, T* buffer, std::size_t rows,
                       std::size_t cols, T* out, bool add, Prefetch& ahead) {
  using G = GramGeometry<T, A>;
  constexpr std::size_t L = G::L;
  static constexpr T one = T(1);
  std::size_t panel_start = 0;
  const auto columns = [&](std::size_t j) {
    return Direct ? Columns<T>{x + j, stride, d ? d : &one, d ? std::size_t(1) : 0}
                  : Columns<T>{buffer + (j - panel_start), G::NR, nullptr, 0};
  };
  if (cols <= L) {
    // One tile of all the rows j: a single pass over the block instead of one per MR rows.
    static_assert(G::MR1 <= G::NR, "a matrix no wider than a register is read directly");
    gram_narrow_tile<T, A>(cols, x, stride, columns(0), rows, out, TileOut{cols, cols, 0, add},
                           ahead);
    return;
  }
  for_each_gram_tile<T, A>(
      cols,
      [&](std::size_t k0, std::size_t width) {
        panel_start = k0;
        if (!Direct) gram_pack<T, A>(x + k0, stride, rows, width, d, buffer);
      },
      [&](std::size_t j0, std::size_t k0, std::size_t tile_rows, std::size_t registers,
          std::size_t skip, std::size_t last) {
        gram_tile_of<T, A, Direct, false>(
            tile_rows, registers, x + j0, stride, columns(k0 + skip * L), rows,
            out + j0 * cols + k0 + skip * L, TileOut{cols, last, 0, add}, ahead);
      },
      [&](std::size_t j0, std::size_t k0, std::size_t tile_rows, std::size_t registers,
          std::size_t last) {
        // C[k0 + r][j0 + jj] for tile_rows of the transposed columns, written to
        // out[(j0 + jj) · cols + k0 + r] where j0 + jj ≤ k0 + r.
        gram_tile_of<T, A, Direct, true>(tile_rows, registers, x + k0, stride, columns(j0), rows,
                                         out + j0 * cols + k0, TileOut{cols, last, k0 - j0, add},
                                         ahead);
      });
}

// Writes the upper triangle (diagonal included) of Σ_i d_i x_i x_iᵀ over the rows of the chunk to
// out (cols x cols, row-major); elements below the diagonal are scratch. `scratch` holds
// gram_scratch<T, A>(cols) elements, 64-byte aligned. X continues for `rows_after` rows past the
// chunk (the next chunk, which the same thread usually takes next): the last block prefetches
// the first of them.
template <class T, class A>
void gram_upper(RowsChunk<T> X, const T* d, T* out, T* scratch, std::size_t rows_after) {
  using G = GramGeometry<T, A>;
  constexpr std::size_t KC = G::KC;
  const std::size_t cols = X.cols, stride = X.stride;
  const std::size_t tiles = gram_tiles<T, A>(cols);
  // A matrix of one panel's width reads its columns straight from X; wider ones pack each block
  // first.
  const bool direct = cols <= G::NR;
  for (std::size_t i0 = 0; i0 < X.rows; i0 += KC) {
    const std::size_t rows = smaller(KC, X.rows - i0);
    const T* x = X.X + i0 * stride;
    const T* di = d ? d + i0 : nullptr;
    // The next block's rows (padding included, up to the end of its last row).
    const std::size_t next_rows = smaller(KC, X.rows - i0 - rows + rows_after);
    const char* next = reinterpret_cast<const char*>(x + rows * stride);
    const std::size_t bytes = next_rows ? ((next_rows - 1) * stride + cols) * sizeof(T) : 0;
    Prefetch ahead{next, next + bytes, (bytes / 64 + tiles - 1) / tiles + 1};
    if (direct)
      gram_block<T, A, true>(x, stride, di, scratch, rows, cols, out, i0 > 0, ahead);
    else
      gram_block<T, A, false>(x, stride, di, scratch, rows, cols, out, i0 > 0, ahead);
  }
}
