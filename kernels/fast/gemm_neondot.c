/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm_neondot.c — the 8-bit micro-kernel for aarch64 CPUs with the Armv8.2
 * dot-product instructions (compiled with -march=armv8.2-a+dotprod into its
 * own library, run only where the CPU reports them).
 *
 * SDOT / UDOT by element multiply one quad of A (4 depth values: a lane of an
 * 8-byte A vector) with the quads of 4 columns of B and add each sum of 4
 * products into an int32 lane: 16 multiply-adds per instruction, where the
 * NEON kernel's SMLAL does 4. A 4 x 16 tile keeps 16 accumulators; a step
 * of 2 quads holds 4 A vectors and 8 B vectors besides, 28 of the 32
 * registers (4 quads a step would spill accumulators). The sums wrap
 * modulo 2^32 as the int16 layout's do, and the offset corrections of
 * gemm.h are added in the same arithmetic, so the results are the same
 * int32 values bit for bit.
 *
 * The rest of the table is the NEON variant's: its int16-layout kernels for
 * callers that pack that layout, its requantization and its float kernel.
 */
#include <arm_neon.h>
#include <stdbool.h>
#include <string.h>

#include "gemm.h"

/* For the tile body, which takes the signedness as a constant argument:
 * inlining it into each entry point is what turns the tests of it into
 * straight code (a shared loop spills accumulators). */
#if defined(__GNUC__)
#define DOT_INLINE static inline __attribute__((always_inline))
#else
#define DOT_INLINE static inline
#endif

/* Bytes of one quad row of a B block: 4 depth values of 16 columns. */
#define QUAD_ROW_BYTES (4 * SPRY_GEMM_NR)

/* Row r of a tile of mr rows: rows past mr repeat row 0, so the kernel
 * never reads outside A (their results are not stored). */
static const uint8_t *tile_row(const uint8_t *a, size_t a_stride, int32_t mr, int32_t r) {
  return r < mr ? a + (size_t)r * a_stride : a;
}

/* One row's 16 sums, 4 columns a vector. */
typedef struct DotRow {
  int32x4_t v[4];
} DotRow;

/* One quad row of a B block: v[j] holds the quads of columns 4j .. 4j+3. */
typedef struct QuadRow {
  uint8x16_t v[4];
} QuadRow;

/* The tile's accumulators, and 2 quads of each of its A rows. Named members
 * rather than arrays keep them in registers. */
typedef struct DotTile {
  DotRow r0, r1, r2, r3;
} DotTile;

typedef struct ATile {
  uint8x8_t a0, a1, a2, a3;
} ATile;

static inline QuadRow load_quad_row(const uint8_t *b) {
  return (QuadRow){{vld1q_u8(b), vld1q_u8(b + 16), vld1q_u8(b + 32), vld1q_u8(b + 48)}};
}

/* acc + the dot products of B's 4 column quads with quad `lane` (0 or 1)
 * of a, as uint8 (UDOT) or int8 (SDOT). The lane is an immediate of the
 * instruction: every caller passes a constant, which inlining folds into
 * one instruction. */
static inline int32x4_t dot_lane(int32x4_t acc, uint8x16_t b, uint8x8_t a, int lane, bool u8) {
  if (u8) {
    const uint32x4_t s = vreinterpretq_u32_s32(acc);
    return vreinterpretq_s32_u32(lane ? vdotq_lane_u32(s, b, a, 1) : vdotq_lane_u32(s, b, a, 0));
  }
  const int8x16_t sb = vreinterpretq_s8_u8(b);
  const int8x8_t sa = vreinterpret_s8_u8(a);
  return lane ? vdotq_lane_s32(acc, sb, sa, 1) : vdotq_lane_s32(acc, sb, sa, 0);
}

static inline DotRow row_step(DotRow r, const QuadRow *b, uint8x8_t a, int lane, bool u8) {
  r.v[0] = dot_lane(r.v[0], b->v[0], a, lane, u8);
  r.v[1] = dot_lane(r.v[1], b->v[1], a, lane, u8);
  r.v[2] = dot_lane(r.v[2], b->v[2], a, lane, u8);
  r.v[3] = dot_lane(r.v[3], b->v[3], a, lane, u8);
  return r;
}

/* Quad `lane` of every A row against one quad row of B. */
static inline DotTile tile_step(DotTile t, const ATile *a, const QuadRow *b, int lane, bool u8) {
  t.r0 = row_step(t.r0, b, a->a0, lane, u8);
  t.r1 = row_step(t.r1, b, a->a1, lane, u8);
  t.r2 = row_step(t.r2, b, a->a2, lane, u8);
  t.r3 = row_step(t.r3, b, a->a3, lane, u8);
  return t;
}

static inline ATile load_a(const uint8_t *const rows[SPRY_GEMM_MR], size_t at) {
  return (ATile){vld1_u8(rows[0] + at), vld1_u8(rows[1] + at), vld1_u8(rows[2] + at),
                 vld1_u8(rows[3] + at)};
}

/* A row's last quad alone, zero-filled: a row is only readable up to its
 * last quad. */
static inline uint8x8_t load_quad(const uint8_t *row) {
  uint32_t quad;
  memcpy(&quad, row, sizeof quad);
  return vreinterpret_u8_u32(vset_lane_u32(quad, vdup_n_u32(0), 0));
}

/* Row r's sums with the corrections added: the column terms stored after
 * the block, and filter_offset times the row's sum (the lanes wrap). */
static inline void store_row(DotRow r, const int32x4_t terms[4], uint32_t row_term,
                             int32_t *out) {
  const int32x4_t t = vreinterpretq_s32_u32(vdupq_n_u32(row_term));
  for (int j = 0; j < 4; j++) vst1q_s32(out + 4 * j, vaddq_s32(vaddq_s32(r.v[j], terms[j]), t));
}

DOT_INLINE void qgemm8_tile(int32_t mr, int32_t k_quads, const uint8_t *a, size_t a_stride,
                            const uint8_t *b_block, const uint32_t *row_sums,
                            int32_t filter_offset, bool u8,
                            int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  const uint8_t *const rows[SPRY_GEMM_MR] = {
      tile_row(a, a_stride, mr, 0), tile_row(a, a_stride, mr, 1), tile_row(a, a_stride, mr, 2),
      tile_row(a, a_stride, mr, 3)};
  const int32x4_t zero = vdupq_n_s32(0);
  const DotRow empty = {{zero, zero, zero, zero}};
  DotTile t = {empty, empty, empty, empty};
  const uint8_t *b = b_block;
  int32_t q = 0;
  for (; q + 2 <= k_quads; q += 2, b += 2 * QUAD_ROW_BYTES) {
    const ATile at = load_a(rows, 4 * (size_t)q);
    const QuadRow b0 = load_quad_row(b), b1 = load_quad_row(b + QUAD_ROW_BYTES);
    t = tile_step(t, &at, &b0, 0, u8);
    t = tile_step(t, &at, &b1, 1, u8);
  }
  if (q < k_quads) {
    const size_t at = 4 * (size_t)q;
    const ATile last = {load_quad(rows[0] + at), load_quad(rows[1] + at), load_quad(rows[2] + at),
                        load_quad(rows[3] + at)};
    const QuadRow b0 = load_quad_row(b);
    t = tile_step(t, &last, &b0, 0, u8);
    b += QUAD_ROW_BYTES;
  }
  /* b is at the column terms now (int32, 4-byte aligned as the block is). */
  const int32_t *column_terms = (const int32_t *)(const void *)b;
  const int32x4_t terms[4] = {vld1q_s32(column_terms), vld1q_s32(column_terms + 4),
                              vld1q_s32(column_terms + 8), vld1q_s32(column_terms + 12)};
  const DotRow sums[SPRY_GEMM_MR] = {t.r0, t.r1, t.r2, t.r3};
  for (int32_t r = 0; r < mr; r++)
    store_row(sums[r], terms, (uint32_t)filter_offset * row_sums[r], acc[r]);
}

/* The sum of a row's values, modulo 2^32: 16 at a time by a dot product
 * with ones, then the last quads one value at a time. */
static uint32_t row_sum(const uint8_t *row, size_t bytes, bool u8) {
  uint32x4_t sum = vdupq_n_u32(0);
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    const uint8x16_t v = vld1q_u8(row + i);
    if (u8)
      sum = vdotq_u32(sum, v, vdupq_n_u8(1));
    else
      sum = vreinterpretq_u32_s32(
          vdotq_s32(vreinterpretq_s32_u32(sum), vreinterpretq_s8_u8(v), vdupq_n_s8(1)));
  }
  uint32_t total = vaddvq_u32(sum);
  for (; i < bytes; i++) total += u8 ? (uint32_t)row[i] : (uint32_t)(int32_t)(int8_t)row[i];
  return total;
}

static void qgemm8_row_sums(int32_t rows, size_t row_bytes, const uint8_t *a, size_t a_stride,
                            int is_u8, uint32_t *sums) {
  for (int32_t r = 0; r < rows; r++) sums[r] = row_sum(a + (size_t)r * a_stride, row_bytes, is_u8);
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

const SpryGemmKernels spry_gemm_neondot = {
    .qgemm_acc = spry_qgemm_acc_neon,
    .qgemm_requant_tile = spry_qgemm_requant_tile_neon,
    .fgemm = spry_fgemm_neon,
    .fgemm_rows = SPRY_GEMM_MR,
    .fgemm_blocks = 1,
    .qgemm_widen = spry_qgemm_widen_neon,
    .qgemm8_acc = qgemm8_acc,
    .qgemm8_row_sums = qgemm8_row_sums,
};
