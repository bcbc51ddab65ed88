/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm_neon.c — Advanced SIMD micro-kernels for aarch64, where Advanced SIMD
 * is part of the base architecture (no extra compiler flags).
 *
 * Quantized: a de-interleaving load (LD2) splits a B pair row into the first
 * and the second value of each column's pair; SMLAL by element multiplies 4
 * columns by one A value and adds the widened products into int32 lanes, so
 * a 4 x 16 tile keeps 16 accumulators and needs no pairwise add. SMLAL wraps
 * like the int32 accumulators of the contract. The requantization is
 * TFLite's, lane by lane: SQRDMULH is its rounding doubling high multiply,
 * and SRSHL its rounding right shift once negative ties are nudged down;
 * the shift constants come prepared per column and are loaded once per
 * tile, and the clamp works on bytes.
 *
 * Float: FMLA by element into 16 accumulators started from the bias.
 */
#include <arm_neon.h>
#include <string.h>

#include "gemm.h"

/* Row r of a tile of mr rows: rows past mr repeat row 0, so the kernels
 * never read outside A (their results are not stored). */
static const int16_t *tile_row(const int16_t *a, size_t a_stride, int32_t mr, int32_t r) {
  return r < mr ? a + (size_t)r * a_stride : a;
}

static const float *ftile_row(const float *a, size_t a_stride, int32_t mr, int32_t r) {
  return r < mr ? a + (size_t)r * a_stride : a;
}

/* ---- quantized: accumulation ------------------------------------------------- */

/* One row's 16 int32 sums, 4 columns a vector. */
typedef struct QRow {
  int32x4_t v[4];
} QRow;

/* One B pair row, de-interleaved: first[h] / second[h] hold the first /
 * second value of the pairs of columns 8h .. 8h+7. */
typedef struct QPairRow {
  int16x8_t first[2], second[2];
} QPairRow;

static inline QPairRow load_pair_row(const int16_t *b) {
  const int16x8x2_t lo = vld2q_s16(b), hi = vld2q_s16(b + 16);
  return (QPairRow){{lo.val[0], hi.val[0]}, {lo.val[1], hi.val[1]}};
}

/* A row's pair p in lanes 0 and 1 (read value by value: endian-neutral,
 * never past the pair). */
static inline int16x4_t load_a_pair(const int16_t *row, int32_t p) {
  const int16x4_t v = vdup_n_s16(row[2 * (size_t)p]);
  return vset_lane_s16(row[2 * (size_t)p + 1], v, 1);
}

static inline int32x4_t mac4(int32x4_t acc, int16x4_t first, int16x4_t second, int16x4_t a) {
  return vmlal_lane_s16(vmlal_lane_s16(acc, first, a, 0), second, a, 1);
}

static inline QRow qrow_step(QRow acc, int16x4_t a, const QPairRow *b) {
  acc.v[0] = mac4(acc.v[0], vget_low_s16(b->first[0]), vget_low_s16(b->second[0]), a);
  acc.v[1] = mac4(acc.v[1], vget_high_s16(b->first[0]), vget_high_s16(b->second[0]), a);
  acc.v[2] = mac4(acc.v[2], vget_low_s16(b->first[1]), vget_low_s16(b->second[1]), a);
  acc.v[3] = mac4(acc.v[3], vget_high_s16(b->first[1]), vget_high_s16(b->second[1]), a);
  return acc;
}

static inline void store_qrow(QRow r, int32_t *out) {
  for (int i = 0; i < 4; i++) vst1q_s32(out + 4 * i, r.v[i]);
}

void spry_qgemm_acc_neon(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                         const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  const int16_t *a0 = tile_row(a, a_stride, mr, 0), *a1 = tile_row(a, a_stride, mr, 1);
  const int16_t *a2 = tile_row(a, a_stride, mr, 2), *a3 = tile_row(a, a_stride, mr, 3);
  const int32x4_t zero = vdupq_n_s32(0);
  QRow r0 = {{zero, zero, zero, zero}}, r1 = r0, r2 = r0, r3 = r0;
  const int16_t *b = b_block;
  for (int32_t p = 0; p < k_pairs; p++, b += 2 * SPRY_GEMM_NR) {
    const QPairRow pb = load_pair_row(b);
    r0 = qrow_step(r0, load_a_pair(a0, p), &pb);
    r1 = qrow_step(r1, load_a_pair(a1, p), &pb);
    r2 = qrow_step(r2, load_a_pair(a2, p), &pb);
    r3 = qrow_step(r3, load_a_pair(a3, p), &pb);
  }
  const QRow rows[SPRY_GEMM_MR] = {r0, r1, r2, r3};
  for (int32_t r = 0; r < mr; r++) store_qrow(rows[r], acc[r]);
}

/* ---- quantized: requantization ------------------------------------------------- */

/* TFLite's MultiplyByQuantizedMultiplier on 4 lanes, shifts in [-31, 31],
 * given the left shift, the right one as a negative count, and the lanes
 * that shift right (all ones). SSHL by a positive count wraps like TFLite's
 * x * 2^left. SQRDMULH is exactly its SaturatingRoundingDoublingHighMul,
 * saturation included. SRSHL by -right adds 2^(right-1) before shifting,
 * rounding ties up, where TFLite rounds them away from zero: subtracting 1
 * from negative values first turns every negative tie into a round-down and
 * changes no other result (SQADD keeps INT32_MIN, a multiple of every
 * 2^right, where it is). */
static inline int32x4_t multiply_by_quantized_multiplier(int32x4_t x, int32x4_t multiplier,
                                                         int32x4_t left, int32x4_t right_neg,
                                                         int32x4_t shifts_right) {
  const int32x4_t high = vqrdmulhq_s32(vshlq_s32(x, left), multiplier);
  const int32x4_t nudge = vandq_s32(vshrq_n_s32(high, 31), shifts_right);
  return vrshlq_s32(vqaddq_s32(high, nudge), right_neg);
}

/* The constants of columns [j, j + 4), loaded once for every row of a
 * tile: prepared, or derived from the shifts. */
typedef struct Columns4 {
  int32x4_t bias, multiplier, left, right_neg, shifts_right;
} Columns4;

static inline Columns4 columns4(const SpryQgemmOutput *o, int32_t j) {
  Columns4 k = {.bias = vld1q_s32(o->bias + j), .multiplier = vld1q_s32(o->multiplier + j)};
  if (o->shifts.left) {
    k.left = vld1q_s32(o->shifts.left + j);
    k.right_neg = vld1q_s32(o->shifts.neg_right + j);
    k.shifts_right = vreinterpretq_s32_u32(vtstq_s32(k.right_neg, k.right_neg));
  } else {
    const int32x4_t shift = vld1q_s32(o->shift + j), zero = vdupq_n_s32(0);
    k.left = vmaxq_s32(shift, zero);
    k.right_neg = vminq_s32(shift, zero);
    k.shifts_right = vreinterpretq_s32_u32(vcltq_s32(k.right_neg, zero));
  }
  return k;
}

/* 4 columns of a row, requantized and offset (wrapping, as the reference
 * adds), not yet clamped. */
static inline int32x4_t requant4(const int32_t *acc, const Columns4 *k, int32x4_t offset) {
  const int32x4_t x = vaddq_s32(vld1q_s32(acc), k->bias);
  const int32x4_t v = multiply_by_quantized_multiplier(x, k->multiplier, k->left, k->right_neg,
                                                       k->shifts_right);
  return vaddq_s32(v, offset);
}

/* 8 results as clamped bytes. The narrowing saturates to int16, then to
 * the output type: a value outside the type stays outside the clamp range,
 * on its side, so clamping the bytes is clamping the int32 values. */
static inline void store8(int32x4_t v0, int32x4_t v1, const SpryQgemmOutput *o, uint8_t *out) {
  const int16x8_t words = vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1));
  if (o->is_u8) {
    const uint8x8_t lo = vdup_n_u8((uint8_t)o->act_min), hi = vdup_n_u8((uint8_t)o->act_max);
    vst1_u8(out, vmin_u8(vmax_u8(vqmovun_s16(words), lo), hi));
  } else {
    const int8x8_t lo = vdup_n_s8((int8_t)o->act_min), hi = vdup_n_s8((int8_t)o->act_max);
    vst1_s8((int8_t *)out, vmin_s8(vmax_s8(vqmovn_s16(words), lo), hi));
  }
}

/* Rows r < mr (acc at acc + r * acc_stride, out at out + r * out_stride):
 * 8 columns at a time, then the portable kernel for the rest. */
static inline void requant_rows(int32_t mr, int32_t n, const int32_t *acc, size_t acc_stride,
                                const SpryQgemmOutput *o, int32_t column, uint8_t *out,
                                size_t out_stride) {
  const int32x4_t offset = vdupq_n_s32(o->output_offset);
  int32_t c = 0;
  for (; c + 8 <= n; c += 8) {
    const Columns4 k0 = columns4(o, column + c), k1 = columns4(o, column + c + 4);
    for (int32_t r = 0; r < mr; r++) {
      const int32_t *row = acc + (size_t)r * acc_stride + c;
      store8(requant4(row, &k0, offset), requant4(row + 4, &k1, offset), o,
             out + (size_t)r * out_stride + (size_t)c);
    }
  }
  for (int32_t r = 0; c < n && r < mr; r++)
    spry_qgemm_requant_portable(n - c, acc + (size_t)r * acc_stride + c, o, column + c,
                                out + (size_t)r * out_stride + (size_t)c);
}

void spry_qgemm_requant_neon(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                             int32_t column, void *out) {
  requant_rows(1, n, acc, 0, o, column, out, 0);
}

void spry_qgemm_requant_tile_neon(int32_t mr, int32_t n,
                                  int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                                  const SpryQgemmOutput *o, int32_t column, void *out,
                                  size_t out_stride) {
  requant_rows(mr, n, acc[0], SPRY_GEMM_NR, o, column, out, out_stride);
}

/* 16 values at a time: UXTL / SXTL, and one add per 8. */
void spry_qgemm_widen_neon(int32_t n, const void *src, int is_u8, int32_t offset, int16_t *dst) {
  const uint8_t *s = src;
  const int16x8_t add = vdupq_n_s16((int16_t)offset);
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint8x16_t v = vld1q_u8(s + i);
    int16x8_t lo, hi;
    if (is_u8) {
      lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
      hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(v)));
    } else {
      lo = vmovl_s8(vget_low_s8(vreinterpretq_s8_u8(v)));
      hi = vmovl_s8(vget_high_s8(vreinterpretq_s8_u8(v)));
    }
    vst1q_s16(dst + i, vaddq_s16(lo, add));
    vst1q_s16(dst + i + 8, vaddq_s16(hi, add));
  }
  if (i < n) spry_qgemm_widen_portable(n - i, s + i, is_u8, offset, dst + i);
}

/* ---- float ----------------------------------------------------------------------- */

/* Four vectors of a float row: 16 columns. Named members rather than an
 * array keep the accumulators in registers. */
typedef struct FQuad {
  float32x4_t v0, v1, v2, v3;
} FQuad;

static inline FQuad load_quad(const float *p) {
  return (FQuad){vld1q_f32(p), vld1q_f32(p + 4), vld1q_f32(p + 8), vld1q_f32(p + 12)};
}

static inline FQuad frow_step(FQuad acc, float a, const FQuad *b) {
  acc.v0 = vfmaq_n_f32(acc.v0, b->v0, a);
  acc.v1 = vfmaq_n_f32(acc.v1, b->v1, a);
  acc.v2 = vfmaq_n_f32(acc.v2, b->v2, a);
  acc.v3 = vfmaq_n_f32(acc.v3, b->v3, a);
  return acc;
}

/* The portable clamp `x < lo ? lo : x`, then `hi < v ? hi : v`, as compare
 * and select: FMAX/FMIN differ from it for a NaN bound and for zeros of
 * opposite signs. */
static inline float32x4_t clamp4(float32x4_t x, float32x4_t lo, float32x4_t hi) {
  const float32x4_t v = vbslq_f32(vcltq_f32(x, lo), lo, x);
  return vbslq_f32(vcltq_f32(hi, v), hi, v);
}

/* Clamps a row and stores its first nr columns (a partial row through a
 * buffer: nothing is written past nr). */
static void store_frow(FQuad r, float32x4_t lo, float32x4_t hi, int32_t nr, float *out) {
  float row[SPRY_GEMM_NR];
  float *to = nr == SPRY_GEMM_NR ? out : row;
  vst1q_f32(to, clamp4(r.v0, lo, hi));
  vst1q_f32(to + 4, clamp4(r.v1, lo, hi));
  vst1q_f32(to + 8, clamp4(r.v2, lo, hi));
  vst1q_f32(to + 12, clamp4(r.v3, lo, hi));
  if (to == row) memcpy(out, row, (size_t)nr * sizeof *out);
}

void spry_fgemm_neon(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                     int32_t segments, size_t segment_stride, const float *b_block,
                     const float *bias, float lo, float hi, float *c, size_t c_stride) {
  const float *a0 = ftile_row(a, a_stride, mr, 0), *a1 = ftile_row(a, a_stride, mr, 1);
  const float *a2 = ftile_row(a, a_stride, mr, 2), *a3 = ftile_row(a, a_stride, mr, 3);
  FQuad r0 = load_quad(bias), r1 = r0, r2 = r0, r3 = r0;
  const float *b = b_block;
  const int32_t run = k / segments;
  for (int32_t s = 0; s < segments; s++) {
    for (int32_t d = 0; d < run; d++, b += SPRY_GEMM_NR) {
      const FQuad bq = load_quad(b);
      r0 = frow_step(r0, a0[d], &bq);
      r1 = frow_step(r1, a1[d], &bq);
      r2 = frow_step(r2, a2[d], &bq);
      r3 = frow_step(r3, a3[d], &bq);
    }
    a0 += segment_stride;
    a1 += segment_stride;
    a2 += segment_stride;
    a3 += segment_stride;
  }
  const float32x4_t lo4 = vdupq_n_f32(lo), hi4 = vdupq_n_f32(hi);
  const FQuad rows[SPRY_GEMM_MR] = {r0, r1, r2, r3};
  for (int32_t r = 0; r < mr; r++) store_frow(rows[r], lo4, hi4, nr, c + (size_t)r * c_stride);
}

const SpryGemmKernels spry_gemm_neon = {
    .qgemm_acc = spry_qgemm_acc_neon,
    .qgemm_requant_tile = spry_qgemm_requant_tile_neon,
    .fgemm = spry_fgemm_neon,
    .fgemm_rows = SPRY_GEMM_MR,
    .fgemm_blocks = 1,
    .qgemm_widen = spry_qgemm_widen_neon,
};
