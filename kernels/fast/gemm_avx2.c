/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm_avx2.c — AVX2 micro-kernels (compiled with -mavx2 -mfma, run only when
 * the CPU has both).
 *
 * Quantized: VPMADDWD multiplies the int16 pairs of a broadcast A value pair
 * with 8 columns' pairs of B and adds each pair into an int32 lane: 16 exact
 * products per instruction. A 4 x 16 tile keeps 8 accumulators in registers.
 * The requantization reproduces TFLite's fixed-point steps lane by lane,
 * with the shift constants prepared per column and loaded once per tile,
 * and clamps 16 outputs at a time as bytes. Convolutions run the two steps
 * fused (qgemm_column), the sums never leaving the registers.
 */
#include <immintrin.h>
#include <string.h>

#include "gemm.h"
#include "lanes_avx2.h"
#include "requant_avx2.h"

/* A row pointer for row r of a tile of mr rows: rows past mr repeat row 0,
 * so the kernel never reads outside A (their results are not stored). */
static const int16_t *tile_row(const int16_t *a, size_t a_stride, int32_t mr, int32_t r) {
  return r < mr ? a + (size_t)r * a_stride : a;
}

static __m256i broadcast_pair(const int16_t *row, int32_t p) {
  int32_t pair;
  memcpy(&pair, row + 2 * (size_t)p, sizeof pair);
  return _mm256_set1_epi32(pair);
}

/* The sums of a 4 x 16 tile, as named members: an array of vectors would
 * be kept in memory. */
typedef struct QTile {
  __m256i r0l, r0h, r1l, r1h, r2l, r2h, r3l, r3h;
} QTile;

/* Which sums of a tile qtile_sums takes; the others stay zero. */
typedef enum TileSums {
  SUMS_ALL,      /* 4 rows x 16 columns */
  SUMS_ONE_ROW,  /* row a0's 16 columns */
  SUMS_LEFT_HALF /* 4 rows x columns 0-7 (a block of 8 or fewer columns) */
} TileSums;

/* The sums of rows a0..a3 over k_pairs pairs of a B block, all or those
 * of `which`. */
static inline __attribute__((always_inline)) QTile qtile_sums(const int16_t *a0, const int16_t *a1,
                                                              const int16_t *a2, const int16_t *a3,
                                                              int32_t k_pairs, const int16_t *b,
                                                              TileSums which) {
  const __m256i zero = _mm256_setzero_si256();
  QTile t = {zero, zero, zero, zero, zero, zero, zero, zero};
  const bool right = which != SUMS_LEFT_HALF;
  for (int32_t p = 0; p < k_pairs; p++, b += 2 * SPRY_GEMM_NR) {
    const __m256i b0 = _mm256_loadu_si256((const __m256i *)b);
    const __m256i b1 = right ? _mm256_loadu_si256((const __m256i *)(b + 16)) : zero;
    __m256i v = broadcast_pair(a0, p);
    t.r0l = _mm256_add_epi32(t.r0l, _mm256_madd_epi16(v, b0));
    if (right) t.r0h = _mm256_add_epi32(t.r0h, _mm256_madd_epi16(v, b1));
    if (which == SUMS_ONE_ROW) continue;
    v = broadcast_pair(a1, p);
    t.r1l = _mm256_add_epi32(t.r1l, _mm256_madd_epi16(v, b0));
    if (right) t.r1h = _mm256_add_epi32(t.r1h, _mm256_madd_epi16(v, b1));
    v = broadcast_pair(a2, p);
    t.r2l = _mm256_add_epi32(t.r2l, _mm256_madd_epi16(v, b0));
    if (right) t.r2h = _mm256_add_epi32(t.r2h, _mm256_madd_epi16(v, b1));
    v = broadcast_pair(a3, p);
    t.r3l = _mm256_add_epi32(t.r3l, _mm256_madd_epi16(v, b0));
    if (right) t.r3h = _mm256_add_epi32(t.r3h, _mm256_madd_epi16(v, b1));
  }
  return t;
}

void spry_qgemm_acc_avx2(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                         const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  const QTile t = qtile_sums(a, tile_row(a, a_stride, mr, 1), tile_row(a, a_stride, mr, 2),
                             tile_row(a, a_stride, mr, 3), k_pairs, b_block, SUMS_ALL);
  const __m256i rows[SPRY_GEMM_MR][2] = {{t.r0l, t.r0h}, {t.r1l, t.r1h}, {t.r2l, t.r2h},
                                         {t.r3l, t.r3h}};
  for (int32_t r = 0; r < mr; r++) {
    _mm256_storeu_si256((__m256i *)acc[r], rows[r][0]);
    _mm256_storeu_si256((__m256i *)(acc[r] + 8), rows[r][1]);
  }
}

/* The constants of columns [j, j + 8), loaded once for every row of a
 * tile. */
typedef struct Columns8 {
  __m256i bias, multiplier, multiplier_odd;
  RequantShifts shifts;
} Columns8;

static inline Columns8 columns8(const SpryQgemmOutput *o, int32_t j) {
  const __m256i multiplier = requant_load8(o->multiplier + j);
  return (Columns8){requant_load8(o->bias + j), multiplier, _mm256_srli_epi64(multiplier, 32),
                    requant_shifts_at(o, j)};
}

/* 8 columns' sums: requantized, offset added (wrapping, as the reference
 * adds), not yet clamped. */
static inline __m256i requant8(__m256i sums, const Columns8 *k, __m256i offset) {
  const __m256i x = _mm256_add_epi32(sums, k->bias);
  const __m256i v = multiply_by_quantized_multiplier_odd(x, k->multiplier, k->multiplier_odd,
                                                         &k->shifts);
  return _mm256_add_epi32(v, offset);
}

/* One row (TRANSPOSE_CONV's): 16 columns at a time, then 8, then the
 * portable kernel for the rest. */
void spry_qgemm_requant_avx2(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                             int32_t column, void *out) {
  uint8_t *bytes = out;
  const __m256i offset = _mm256_set1_epi32(o->output_offset);
  int32_t c = 0;
  for (; c + 16 <= n; c += 16) {
    const Columns8 lo = columns8(o, column + c), hi = columns8(o, column + c + 8);
    const __m128i v = requant_narrow16(requant8(requant_load8(acc + c), &lo, offset),
                                       requant8(requant_load8(acc + c + 8), &hi, offset), o);
    _mm_storeu_si128((__m128i *)(bytes + c), v);
  }
  if (c + 8 <= n) {
    const Columns8 k = columns8(o, column + c);
    const __m256i v = requant8(requant_load8(acc + c), &k, offset);
    _mm_storel_epi64((__m128i *)(bytes + c), requant_narrow16(v, v, o));
    c += 8;
  }
  if (c < n) spry_qgemm_requant_portable(n - c, acc + c, o, column + c, bytes + c);
}

/* ---- fused: sums kept in registers ------------------------------------------ */

/* One row's 16 sums requantized, and the first nr (1..16) bytes stored. */
static inline void store_row16(__m256i lo, __m256i hi, const Columns8 k[2],
                               const SpryQgemmOutput *o, int32_t nr, uint8_t *out) {
  const __m256i offset = _mm256_set1_epi32(o->output_offset);
  const __m128i v = requant_narrow16(requant8(lo, &k[0], offset), requant8(hi, &k[1], offset), o);
  if (nr == SPRY_GEMM_NR) {
    _mm_storeu_si128((__m128i *)out, v);
    return;
  }
  uint8_t bytes[SPRY_GEMM_NR];
  _mm_storeu_si128((__m128i *)bytes, v);
  memcpy(out, bytes, (size_t)nr);
}

/* qgemm_acc and qgemm_requant_tile over a column block: the 8 sums of a
 * 4 x 16 tile never leave the registers, and the 16 columns' constants are
 * loaded once for every row. For the small depths of pointwise layers
 * (16 to 32), storing and reloading the sums and a call per step cost as
 * much as the multiplies. */
static void qgemm_column(int32_t rows, int32_t nr, int32_t k_pairs, const int16_t *a,
                         size_t a_stride, const int16_t *b_block, const SpryQgemmOutput *o,
                         int32_t column, uint8_t *out, size_t out_stride) {
  const Columns8 k[2] = {columns8(o, column), columns8(o, column + 8)};
  for (int32_t r = 0; r < rows; r += SPRY_GEMM_MR) {
    const int32_t mr = rows - r < SPRY_GEMM_MR ? rows - r : SPRY_GEMM_MR;
    const int16_t *a0 = a + (size_t)r * a_stride;
    /* A single row (a fully connected layer, a classifier's 1 x 1 head)
     * takes a quarter of the multiply-adds, a block of 8 columns or fewer
     * (a layer of 8 channels) half. */
    const int16_t *a1 = tile_row(a0, a_stride, mr, 1), *a2 = tile_row(a0, a_stride, mr, 2);
    const int16_t *a3 = tile_row(a0, a_stride, mr, 3);
    const QTile t = nr <= 8    ? qtile_sums(a0, a1, a2, a3, k_pairs, b_block, SUMS_LEFT_HALF)
                    : mr == 1 ? qtile_sums(a0, a0, a0, a0, k_pairs, b_block, SUMS_ONE_ROW)
                              : qtile_sums(a0, a1, a2, a3, k_pairs, b_block, SUMS_ALL);
    /* Four inlined copies: a loop over the rows would keep the sums in
     * memory, which cost the small depths 5-8%. */
    uint8_t *row = out + (size_t)r * out_stride;
    store_row16(t.r0l, t.r0h, k, o, nr, row);
    if (mr > 1) store_row16(t.r1l, t.r1h, k, o, nr, row + out_stride);
    if (mr > 2) store_row16(t.r2l, t.r2h, k, o, nr, row + 2 * out_stride);
    if (mr > 3) store_row16(t.r3l, t.r3h, k, o, nr, row + 3 * out_stride);
  }
}

/* 8 values from s to dst. */
static inline void widen8(const uint8_t *s, int is_u8, __m128i add, int16_t *dst) {
  const __m128i v = _mm_loadl_epi64((const __m128i *)s);
  const __m128i w = is_u8 ? _mm_cvtepu8_epi16(v) : _mm_cvtepi8_epi16(v);
  _mm_storeu_si128((__m128i *)dst, _mm_add_epi16(w, add));
}

/* 16 values at a time: VPMOVZXBW / VPMOVSXBW and one add; then 8 (channel
 * counts such as 24 leave 8); then the last 8 again, overlapping, where
 * fewer are left: a 3-channel first layer's filter rows are 9 values, and
 * the portable kernel's call for the last one cost more than the rest. */
void spry_qgemm_widen_avx2(int32_t n, const void *src, int is_u8, int32_t offset, int16_t *dst) {
  const uint8_t *s = src;
  const __m256i add = _mm256_set1_epi16((int16_t)offset);
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
    const __m256i w = is_u8 ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v);
    _mm256_storeu_si256((__m256i *)(dst + i), _mm256_add_epi16(w, add));
  }
  if (i + 8 <= n) {
    widen8(s + i, is_u8, _mm256_castsi256_si128(add), dst + i);
    i += 8;
  }
  if (i == n) return;
  if (n >= 8)
    widen8(s + n - 8, is_u8, _mm256_castsi256_si128(add), dst + n - 8);
  else
    spry_qgemm_widen_portable(n - i, s + i, is_u8, offset, dst + i);
}

/* ---- packing B ------------------------------------------------------------------ */

/* Eight rows of eight 16-bit elements transposed: t[j] holds element j of
 * r[0..7]. */
static inline void transpose8x8_16(const __m128i r[8], __m128i t[8]) {
  __m128i a[8], b[8];
  for (int i = 0; i < 4; i++) {
    a[2 * i] = _mm_unpacklo_epi16(r[2 * i], r[2 * i + 1]);
    a[2 * i + 1] = _mm_unpackhi_epi16(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; i++) {
    b[4 * i] = _mm_unpacklo_epi32(a[4 * i], a[4 * i + 2]);
    b[4 * i + 1] = _mm_unpackhi_epi32(a[4 * i], a[4 * i + 2]);
    b[4 * i + 2] = _mm_unpacklo_epi32(a[4 * i + 1], a[4 * i + 3]);
    b[4 * i + 3] = _mm_unpackhi_epi32(a[4 * i + 1], a[4 * i + 3]);
  }
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm_unpacklo_epi64(b[i], b[4 + i]);
    t[2 * i + 1] = _mm_unpackhi_epi64(b[i], b[4 + i]);
  }
}

/* SpryQgemmPackBlockFn: 8 pairs of the 16 rows at a time. A row's pairs
 * are 16-bit elements, so the packed order (each pair's 16 lanes side by
 * side) is a transpose of 16-bit elements, done for rows 0-7 and 8-15;
 * each pair's 32 bytes are then widened with the offset. The last pairs
 * (fewer than 8) go to the portable code. */
int16_t *spry_qgemm_pack_block_avx2(const uint8_t *rows, int32_t k, int is_u8,
                                    int32_t filter_offset, int16_t *out) {
  const __m256i offset = _mm256_set1_epi16((int16_t)filter_offset);
  const int32_t pairs = k / 2;
  int32_t p = 0;
  for (; p + 8 <= pairs; p += 8) {
    /* Sixteen rows are sixteen streams, more than the hardware prefetcher
     * follows: each row's next lines are asked for a few steps ahead (the
     * address as an integer: it may lie past the weights, which a prefetch
     * may name but a pointer may not point to). */
    if (p % 32 == 0)
      for (int i = 0; i < SPRY_GEMM_NR; i++)
        _mm_prefetch((const char *)((uintptr_t)rows + (size_t)i * (size_t)k + 2 * (size_t)p + 256),
                     _MM_HINT_T0);
    __m128i t[2][8];
    for (int g = 0; g < 2; g++) {
      __m128i r[8];
      for (int i = 0; i < 8; i++)
        r[i] = _mm_loadu_si128((const __m128i *)(rows + (size_t)(8 * g + i) * (size_t)k + 2 * p));
      transpose8x8_16(r, t[g]);
    }
    for (int j = 0; j < 8; j++, out += 2 * SPRY_GEMM_NR)
      for (int g = 0; g < 2; g++) {
        const __m256i w = is_u8 ? _mm256_cvtepu8_epi16(t[g][j]) : _mm256_cvtepi8_epi16(t[g][j]);
        _mm256_storeu_si256((__m256i *)(out + 16 * g), _mm256_add_epi16(w, offset));
      }
  }
  if (p == pairs) return out;
  /* The rest: the portable code on a copy of the rows from pair p on (its
   * rows are as long as their pairs). */
  uint8_t rest[SPRY_GEMM_NR * 14];
  const int32_t left = pairs - p;
  for (int32_t c = 0; c < SPRY_GEMM_NR; c++)
    memcpy(rest + (size_t)c * (size_t)(2 * left), rows + (size_t)c * (size_t)k + 2 * p,
           (size_t)(2 * left));
  return spry_qgemm_pack_block_portable(rest, 2 * left, is_u8, filter_offset, out);
}

/* ---- float -------------------------------------------------------------------- */

/* Float tiles follow the quantized layout: 4 rows x 16 columns in 8
 * accumulators, started from the bias; each step broadcasts one A value per
 * row and multiply-adds it into two 8-column vectors of B. Rows past mr
 * repeat row 0 (never stored), so A is never read out of bounds. */
static const float *ftile_row(const float *a, size_t a_stride, int32_t mr, int32_t r) {
  return r < mr ? a + (size_t)r * a_stride : a;
}

/* Clamps a row and stores its first nr columns. MAXPS and MINPS return
 * their second operand unless the first compares greater (smaller), so
 * max(lo, x) is the portable `x < lo ? lo : x` and min(hi, v) its
 * `hi < v ? hi : v`, NaN and signed zeros included. */
static inline void fstore_row(__m256 c0, __m256 c1, __m256 lo, __m256 hi, int32_t nr,
                              float *out) {
  c0 = _mm256_min_ps(hi, _mm256_max_ps(lo, c0));
  c1 = _mm256_min_ps(hi, _mm256_max_ps(lo, c1));
  if (nr == SPRY_GEMM_NR) {
    _mm256_storeu_ps(out, c0);
    _mm256_storeu_ps(out + 8, c1);
    return;
  }
  spry_avx2_store_first_ps(out, c0, nr);
  if (nr > 8) spry_avx2_store_first_ps(out + 8, c1, nr - 8);
}

/* Rows per fgemm call: 6 rows of 16 columns are 12 independent chains of
 * dependent FMAs, in 12 of the 16 YMM registers. With 4-cycle FMAs on two
 * ports the 8 chains of 4 rows left the ports waiting: a 48 x 320 x 16
 * GEMM in L1 went from 63 to 67-74 GFLOPS. */
#define FGEMM_ROWS 6

/* Depth step d of one row: A value d times the two halves of B's row. */
#define FGEMM_ROW_STEP(row, lo_sum, hi_sum)                 \
  do {                                                      \
    const __m256 v = _mm256_broadcast_ss((row) + d);        \
    lo_sum = _mm256_fmadd_ps(v, b0, lo_sum);                \
    hi_sum = _mm256_fmadd_ps(v, b1, hi_sum);                \
  } while (0)

static void fgemm(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                  int32_t segments, size_t segment_stride, const float *b_block,
                  const float *bias, float lo, float hi, float *c, size_t c_stride) {
  const float *a0 = ftile_row(a, a_stride, mr, 0), *a1 = ftile_row(a, a_stride, mr, 1);
  const float *a2 = ftile_row(a, a_stride, mr, 2), *a3 = ftile_row(a, a_stride, mr, 3);
  const float *a4 = ftile_row(a, a_stride, mr, 4), *a5 = ftile_row(a, a_stride, mr, 5);
  __m256 c00 = _mm256_loadu_ps(bias), c01 = _mm256_loadu_ps(bias + 8);
  __m256 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  __m256 c40 = c00, c41 = c01, c50 = c00, c51 = c01;
  const float *b = b_block;
  const int32_t run = segments == 1 ? k : k / segments; /* no division for plain rows */
  for (int32_t s = 0; s < segments; s++) {
    for (int32_t d = 0; d < run; d++, b += SPRY_GEMM_NR) {
      const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
      FGEMM_ROW_STEP(a0, c00, c01);
      FGEMM_ROW_STEP(a1, c10, c11);
      FGEMM_ROW_STEP(a2, c20, c21);
      FGEMM_ROW_STEP(a3, c30, c31);
      FGEMM_ROW_STEP(a4, c40, c41);
      FGEMM_ROW_STEP(a5, c50, c51);
    }
    a0 += segment_stride;
    a1 += segment_stride;
    a2 += segment_stride;
    a3 += segment_stride;
    a4 += segment_stride;
    a5 += segment_stride;
  }
  const __m256 lo8 = _mm256_set1_ps(lo), hi8 = _mm256_set1_ps(hi);
  if (mr == FGEMM_ROWS && nr == SPRY_GEMM_NR) {
    /* Whole tiles straight from the registers: through the array below,
     * the sums went to the stack and back, which cost the depths of 8 to
     * 16 of narrow 1x1 layers a tenth of their time. */
    fstore_row(c00, c01, lo8, hi8, SPRY_GEMM_NR, c);
    fstore_row(c10, c11, lo8, hi8, SPRY_GEMM_NR, c + c_stride);
    fstore_row(c20, c21, lo8, hi8, SPRY_GEMM_NR, c + 2 * c_stride);
    fstore_row(c30, c31, lo8, hi8, SPRY_GEMM_NR, c + 3 * c_stride);
    fstore_row(c40, c41, lo8, hi8, SPRY_GEMM_NR, c + 4 * c_stride);
    fstore_row(c50, c51, lo8, hi8, SPRY_GEMM_NR, c + 5 * c_stride);
    return;
  }
  const __m256 rows[FGEMM_ROWS][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                                      {c30, c31}, {c40, c41}, {c50, c51}};
  for (int32_t r = 0; r < mr; r++)
    fstore_row(rows[r][0], rows[r][1], lo8, hi8, nr, c + (size_t)r * c_stride);
}

const SpryGemmKernels spry_gemm_avx2 = {
    .qgemm_acc = spry_qgemm_acc_avx2,
    /* Never run in practice: the convolutions take qgemm_column. */
    .qgemm_requant_tile = spry_qgemm_requant_tile_portable,
    .fgemm = fgemm,
    .fgemm_rows = FGEMM_ROWS,
    .fgemm_blocks = 1,
    .qgemm_widen = spry_qgemm_widen_avx2,
    .qgemm_pack_block = spry_qgemm_pack_block_avx2,
    .qgemm_column = qgemm_column,
};
