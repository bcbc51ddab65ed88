/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm_avx512vnni.c — AVX-512 micro-kernels for x86-64 CPUs with VNNI
 * (compiled with -mavx512f/bw/vl/dq -mavx512vnni -mavx2 -mfma into its own
 * library, run only where the CPU and the OS support all of them).
 *
 * Quantized, on gemm.h's 8-bit layout: one quad row of a B block (4 depth
 * values of 16 columns) is exactly one ZMM register, and VPDPBUSD adds the
 * dot product of each column's quad with one broadcast A quad into that
 * column's int32 lane: 64 multiply-adds per instruction, where AVX2's
 * VPMADDWD does 16. VPDPBUSD multiplies unsigned bytes by signed ones, so
 * B's top bits are flipped as they are loaded (w ^ 0x80): for uint8 models
 * B becomes the signed operand, w - 128, and for int8 models the unsigned
 * one, w + 128, with A the other operand as stored. Either way the error is
 * 128 times the sum of A's row, which joins the layout's filter_offset term:
 * (filter_offset + 128) or (filter_offset - 128) times that sum (the row
 * sums are taken once per row, 64 bytes a VPSADBW, for every block). The
 * column terms stored after each block are the layout's own, so the
 * packing is the one neondot uses, and every sum wraps modulo 2^32 as the
 * int16 layout's do: the int32 results are the same bit for bit.
 *
 * The requantization is TFLite's fixed-point one on 16 lanes (a whole tile
 * row), clamped in int32 and narrowed with VPMOVDB; partial rows use masked
 * loads and stores. The float kernel is AVX-512 FMA on 16-column rows,
 * adding in the AVX2 kernel's order.
 * The int16 layout's kernels and the widening are AVX2's.
 */
#include <immintrin.h>
#include <stdbool.h>
#include <string.h>

#include "dot_avx512.h"
#include "gemm.h"
#include "requant_avx512.h"

/* For the tile body, which takes the signedness as a constant argument:
 * inlining it into each entry point turns the tests of it into straight
 * code. */
#if defined(__GNUC__)
#define VNNI_INLINE static inline __attribute__((always_inline))
#else
#define VNNI_INLINE static inline
#endif

/* Bytes of one quad row of a B block: 4 depth values of 16 columns. */
#define QUAD_ROW_BYTES (4 * SPRY_GEMM_NR)

/* Row r of a tile of mr rows: rows past mr repeat row 0, so the kernel
 * never reads outside A (their results are not stored). */
static const uint8_t *tile_row(const uint8_t *a, size_t a_stride, int32_t mr, int32_t r) {
  return r < mr ? a + (size_t)r * a_stride : a;
}

/* Quad q of an A row in every lane. */
static inline __m512i broadcast_quad(const uint8_t *row, int32_t q) {
  int32_t quad;
  memcpy(&quad, row + 4 * (size_t)q, sizeof quad);
  return _mm512_set1_epi32(quad);
}

/* acc + the dot products of A's quad with B's (flipped) column quads, with
 * the unsigned operand first as VPDPBUSD wants it. */
static inline __m512i dot(__m512i acc, __m512i a, __m512i b_flipped, bool u8) {
  return u8 ? dpbusd(acc, a, b_flipped) : dpbusd(acc, b_flipped, a);
}

/* A tile's 4 rows of 16 sums. Named members passed by value, rather than
 * an array or separate variables, are what keeps GCC from copying
 * accumulators between registers in the loop. */
typedef struct DotTile {
  __m512i r0, r1, r2, r3;
} DotTile;

/* One quad row of B with its top bits flipped: the other signedness. */
static inline __m512i load_flipped(const uint8_t *b) {
  return _mm512_xor_si512(_mm512_loadu_si512(b), _mm512_set1_epi8((char)0x80));
}

/* A row's sums with its corrections: the column terms, and its row term. */
static inline __m512i corrected_row(__m512i even, __m512i odd, __m512i terms, uint32_t row_term) {
  const __m512i v = _mm512_add_epi32(_mm512_add_epi32(even, odd),
                                     _mm512_set1_epi32((int32_t)row_term));
  return _mm512_add_epi32(v, terms);
}

/* The int32 results of a tile of mr rows (rows past mr hold row 0's). */
VNNI_INLINE DotTile qgemm8_sums(int32_t mr, int32_t k_quads, const uint8_t *a, size_t a_stride,
                                const uint8_t *b_block, const uint32_t *row_sums,
                                int32_t filter_offset, bool u8) {
  const uint8_t *const r0 = tile_row(a, a_stride, mr, 0), *const r1 = tile_row(a, a_stride, mr, 1),
                       *const r2 = tile_row(a, a_stride, mr, 2),
                       *const r3 = tile_row(a, a_stride, mr, 3);
  /* Even and odd quads in separate sums: 8 independent chains hide
   * VPDPBUSD's latency, which 4 would not. */
  __m512i e0 = _mm512_setzero_si512(), e1 = e0, e2 = e0, e3 = e0;
  __m512i o0 = e0, o1 = e0, o2 = e0, o3 = e0;
  const uint8_t *b = b_block;
  int32_t q = 0;
  for (; q + 2 <= k_quads; q += 2, b += 2 * QUAD_ROW_BYTES) {
    const __m512i be = load_flipped(b), bo = load_flipped(b + QUAD_ROW_BYTES);
    e0 = dot(e0, broadcast_quad(r0, q), be, u8);
    e1 = dot(e1, broadcast_quad(r1, q), be, u8);
    e2 = dot(e2, broadcast_quad(r2, q), be, u8);
    e3 = dot(e3, broadcast_quad(r3, q), be, u8);
    o0 = dot(o0, broadcast_quad(r0, q + 1), bo, u8);
    o1 = dot(o1, broadcast_quad(r1, q + 1), bo, u8);
    o2 = dot(o2, broadcast_quad(r2, q + 1), bo, u8);
    o3 = dot(o3, broadcast_quad(r3, q + 1), bo, u8);
  }
  if (q < k_quads) {
    const __m512i be = load_flipped(b);
    e0 = dot(e0, broadcast_quad(r0, q), be, u8);
    e1 = dot(e1, broadcast_quad(r1, q), be, u8);
    e2 = dot(e2, broadcast_quad(r2, q), be, u8);
    e3 = dot(e3, broadcast_quad(r3, q), be, u8);
    b += QUAD_ROW_BYTES;
  }
  /* b is at the column terms now. */
  const __m512i terms = _mm512_loadu_si512(b);
  /* Computed in uint32: the coefficient lies within [-383, 383]. The sums
   * of rows past mr are never stored; their row term is row 0's. */
  const uint32_t coefficient = (uint32_t)filter_offset + (u8 ? 128u : -128u);
  const uint32_t s0 = row_sums[0];
  return (DotTile){corrected_row(e0, o0, terms, coefficient * s0),
                   corrected_row(e1, o1, terms, coefficient * (mr > 1 ? row_sums[1] : s0)),
                   corrected_row(e2, o2, terms, coefficient * (mr > 2 ? row_sums[2] : s0)),
                   corrected_row(e3, o3, terms, coefficient * (mr > 3 ? row_sums[3] : s0))};
}

VNNI_INLINE void qgemm8_tile(int32_t mr, int32_t k_quads, const uint8_t *a, size_t a_stride,
                             const uint8_t *b_block, const uint32_t *row_sums,
                             int32_t filter_offset, bool u8,
                             int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  const DotTile t = qgemm8_sums(mr, k_quads, a, a_stride, b_block, row_sums, filter_offset, u8);
  const __m512i sums[SPRY_GEMM_MR] = {t.r0, t.r1, t.r2, t.r3};
  for (int32_t r = 0; r < mr; r++) _mm512_storeu_si512(acc[r], sums[r]);
}

/* Every MR-row tile of a column block, requantized as it leaves the
 * registers. */
VNNI_INLINE void qgemm8_column_body(int32_t rows, int32_t nr, int32_t k_quads, const uint8_t *a,
                                    size_t a_stride, const uint8_t *b_block,
                                    const uint32_t *row_sums, int32_t filter_offset,
                                    const SpryQgemmOutput *o, int32_t column, uint8_t *out,
                                    size_t out_stride, bool u8) {
  const __mmask16 lanes = requant_first_lanes(nr);
  const RequantColumns16 k = requant_columns16(o, column, lanes);
  for (int32_t r0 = 0; r0 < rows; r0 += SPRY_GEMM_MR) {
    const int32_t mr = rows - r0 < SPRY_GEMM_MR ? rows - r0 : SPRY_GEMM_MR;
    const DotTile t = qgemm8_sums(mr, k_quads, a + (size_t)r0 * a_stride, a_stride, b_block,
                                  row_sums + r0, filter_offset, u8);
    const __m512i sums[SPRY_GEMM_MR] = {t.r0, t.r1, t.r2, t.r3};
    for (int32_t r = 0; r < mr; r++)
      _mm_mask_storeu_epi8(out + (size_t)(r0 + r) * out_stride, lanes,
                           requant_bytes16(sums[r], &k, o));
  }
}

static void qgemm8_column(int32_t rows, int32_t nr, int32_t k_quads, const uint8_t *a,
                          size_t a_stride, const uint8_t *b_block, const uint32_t *row_sums,
                          int32_t filter_offset, const SpryQgemmOutput *o, int32_t column,
                          uint8_t *out, size_t out_stride) {
  if (o->is_u8)
    qgemm8_column_body(rows, nr, k_quads, a, a_stride, b_block, row_sums, filter_offset, o,
                       column, out, out_stride, true);
  else
    qgemm8_column_body(rows, nr, k_quads, a, a_stride, b_block, row_sums, filter_offset, o,
                       column, out, out_stride, false);
}

/* Two copies of the tile, one per signedness, so that neither tests it in
 * the loop. */
static void qgemm8_acc(int32_t mr, int32_t k_quads, const uint8_t *a, size_t a_stride,
                       const uint8_t *b_block, const uint32_t *row_sums, int32_t filter_offset,
                       int is_u8, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  if (is_u8)
    qgemm8_tile(mr, k_quads, a, a_stride, b_block, row_sums, filter_offset, true, acc);
  else
    qgemm8_tile(mr, k_quads, a, a_stride, b_block, row_sums, filter_offset, false, acc);
}

/* The sum of a row's first `bytes` values, modulo 2^32. VPSADBW sums
 * unsigned bytes, 64 a step, so int8 values are summed flipped (a + 128)
 * and 128 per value taken back; the tail's masked-off lanes load the value
 * that flips to zero, and are never read. */
static uint32_t row_sum(const uint8_t *row, size_t bytes, bool u8) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i flip = u8 ? zero : _mm512_set1_epi8((char)0x80);
  __m512i sum = zero;
  size_t i = 0;
  for (; i + 64 <= bytes; i += 64) {
    const __m512i v = _mm512_xor_si512(_mm512_loadu_si512(row + i), flip);
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(v, zero));
  }
  if (i < bytes) {
    const __mmask64 lanes = (UINT64_C(1) << (bytes - i)) - 1;
    const __m512i v = _mm512_xor_si512(_mm512_mask_loadu_epi8(flip, lanes, row + i), flip);
    sum = _mm512_add_epi64(sum, _mm512_sad_epu8(v, zero));
  }
  const uint32_t total = (uint32_t)_mm512_reduce_add_epi64(sum);
  return u8 ? total : total - 128u * (uint32_t)bytes;
}

static void qgemm8_row_sums(int32_t rows, size_t row_bytes, const uint8_t *a, size_t a_stride,
                            int is_u8, uint32_t *sums) {
  for (int32_t r = 0; r < rows; r++) sums[r] = row_sum(a + (size_t)r * a_stride, row_bytes, is_u8);
}

/* ---- requantization -------------------------------------------------------------- */

/* Rows r < mr (acc at acc + r * acc_stride, out at out + r * out_stride),
 * 16 columns at a time. */
static void requant_rows(int32_t mr, int32_t n, const int32_t *acc, size_t acc_stride,
                         const SpryQgemmOutput *o, int32_t column, uint8_t *out,
                         size_t out_stride) {
  for (int32_t c = 0; c < n; c += SPRY_GEMM_NR) {
    const __mmask16 lanes = requant_first_lanes(n - c < SPRY_GEMM_NR ? n - c : SPRY_GEMM_NR);
    const RequantColumns16 k = requant_columns16(o, column + c, lanes);
    for (int32_t r = 0; r < mr; r++) {
      const __m512i sums = _mm512_maskz_loadu_epi32(lanes, acc + (size_t)r * acc_stride + c);
      _mm_mask_storeu_epi8(out + (size_t)r * out_stride + (size_t)c, lanes,
                           requant_bytes16(sums, &k, o));
    }
  }
}

static void qgemm_requant_tile(int32_t mr, int32_t n, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                               const SpryQgemmOutput *o, int32_t column, void *out,
                               size_t out_stride) {
  requant_rows(mr, n, acc[0], SPRY_GEMM_NR, o, column, out, out_stride);
}

/* ---- float ----------------------------------------------------------------------- */

/* Rows per fgemm call, and column blocks: 8 rows of 32 columns are 16
 * independent chains of dependent FMAs. With 4-cycle FMAs on two ports, 8
 * chains (8 rows of one block) leave the ports waiting at every hiccup;
 * 16 kept them busy, and an 8 x 32 tile loads 10 values per 16 FMAs where
 * two 8 x 16 tiles load 18. A 320-deep tile in L1 went from 65 to 122
 * GFLOPS. */
#define FGEMM_ROWS (2 * SPRY_GEMM_MR)
#define FGEMM_BLOCKS 2

/* Clamps a row and stores its first nr columns. MAXPS and MINPS return
 * their second operand unless the first compares greater (smaller), so
 * max(lo, x) and min(hi, v) are the portable clamps, NaN included. */
static inline void fstore_row(__m512 v, __m512 lo, __m512 hi, __mmask16 lanes, float *out) {
  _mm512_mask_storeu_ps(out, lanes, _mm512_min_ps(hi, _mm512_max_ps(lo, v)));
}

/* The sums of 8 rows of one block, as named members for the reason
 * DotTile gives. */
typedef struct FloatTile {
  __m512 r0, r1, r2, r3, r4, r5, r6, r7;
} FloatTile;

static inline FloatTile float_tile_start(const float *bias) {
  const __m512 start = _mm512_loadu_ps(bias);
  return (FloatTile){start, start, start, start, start, start, start, start};
}

/* One depth step d of a tile: A value d of every row times B row b. */
static inline FloatTile float_tile_step(FloatTile t, const float *const rows[FGEMM_ROWS],
                                        int32_t d, __m512 b) {
  t.r0 = _mm512_fmadd_ps(_mm512_set1_ps(rows[0][d]), b, t.r0);
  t.r1 = _mm512_fmadd_ps(_mm512_set1_ps(rows[1][d]), b, t.r1);
  t.r2 = _mm512_fmadd_ps(_mm512_set1_ps(rows[2][d]), b, t.r2);
  t.r3 = _mm512_fmadd_ps(_mm512_set1_ps(rows[3][d]), b, t.r3);
  t.r4 = _mm512_fmadd_ps(_mm512_set1_ps(rows[4][d]), b, t.r4);
  t.r5 = _mm512_fmadd_ps(_mm512_set1_ps(rows[5][d]), b, t.r5);
  t.r6 = _mm512_fmadd_ps(_mm512_set1_ps(rows[6][d]), b, t.r6);
  t.r7 = _mm512_fmadd_ps(_mm512_set1_ps(rows[7][d]), b, t.r7);
  return t;
}

static inline void float_tile_store(FloatTile t, int32_t mr, int32_t nr, float lo, float hi,
                                    float *c, size_t c_stride) {
  const __m512 lo16 = _mm512_set1_ps(lo), hi16 = _mm512_set1_ps(hi);
  const __mmask16 lanes = requant_first_lanes(nr);
  const __m512 sums[FGEMM_ROWS] = {t.r0, t.r1, t.r2, t.r3, t.r4, t.r5, t.r6, t.r7};
  for (int32_t r = 0; r < mr; r++) fstore_row(sums[r], lo16, hi16, lanes, c + (size_t)r * c_stride);
}

/* Every row's next run of A (SpryFgemmFn). */
static inline void next_segment(const float *rows[FGEMM_ROWS], size_t segment_stride) {
  for (int32_t r = 0; r < FGEMM_ROWS; r++) rows[r] += segment_stride;
}

/* An 8-row tile of one or two blocks: each depth step broadcasts one A
 * value per row (rows past mr repeat row 0; their sums are not stored) and
 * multiply-adds it into the row's columns of B, from the bias up, in the
 * order the AVX2 kernel adds (its results, bit for bit). Splitting the
 * depth over two sets of accumulators would hide more of the FMA latency,
 * but moves the sums further from the reference than the tests allow. */
static void fgemm(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                  int32_t segments, size_t segment_stride, const float *b_block,
                  const float *bias, float lo, float hi, float *c, size_t c_stride) {
  const float *rows[FGEMM_ROWS];
  for (int32_t r = 0; r < FGEMM_ROWS; r++) rows[r] = r < mr ? a + (size_t)r * a_stride : a;
  const int32_t run = k / segments;
  FloatTile left = float_tile_start(bias);
  const float *b = b_block;
  if (nr <= SPRY_GEMM_NR) {
    for (int32_t s = 0; s < segments; s++, next_segment(rows, segment_stride))
      for (int32_t d = 0; d < run; d++, b += SPRY_GEMM_NR)
        left = float_tile_step(left, rows, d, _mm512_loadu_ps(b));
    float_tile_store(left, mr, nr, lo, hi, c, c_stride);
    return;
  }
  FloatTile right = float_tile_start(bias + SPRY_GEMM_NR);
  const float *b2 = b_block + (size_t)k * SPRY_GEMM_NR; /* the next block */
  for (int32_t s = 0; s < segments; s++, next_segment(rows, segment_stride))
    for (int32_t d = 0; d < run; d++, b += SPRY_GEMM_NR, b2 += SPRY_GEMM_NR) {
      left = float_tile_step(left, rows, d, _mm512_loadu_ps(b));
      right = float_tile_step(right, rows, d, _mm512_loadu_ps(b2));
    }
  float_tile_store(left, mr, SPRY_GEMM_NR, lo, hi, c, c_stride);
  float_tile_store(right, mr, nr - SPRY_GEMM_NR, lo, hi, c + SPRY_GEMM_NR, c_stride);
}

const SpryGemmKernels spry_gemm_avx512vnni = {
    .qgemm_acc = spry_qgemm_acc_avx2,
    .qgemm_requant_tile = qgemm_requant_tile,
    .fgemm = fgemm,
    .fgemm_rows = FGEMM_ROWS,
    .fgemm_blocks = FGEMM_BLOCKS,
    .qgemm_widen = spry_qgemm_widen_avx2,
    .qgemm_pack_block = spry_qgemm_pack_block_avx2,
    .qgemm8_acc = qgemm8_acc,
    .qgemm8_row_sums = qgemm8_row_sums,
    .qgemm8_column = qgemm8_column,
};
