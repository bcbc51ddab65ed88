/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling_neon.c — aarch64 Advanced SIMD window kernels (part of the
 * aarch64 base architecture, so no extra compiler flags). Float channels
 * come in multiples of 4 (16 at a time while they last, four independent
 * accumulators), 8-bit ones in multiples of 8 (16 at a time, then 8).
 *
 * Float maxima and the clamp use compare-and-select rather than FMAX/FMIN,
 * which would propagate NaN and order -0 below +0: "keep unless the new
 * value compares greater" is the reference's rule, NaN included.
 *
 * 8-bit averages and sums: widened to int32 lanes; the rounded division is
 * done in float as pooling.h explains (FCVTZS truncates). 8-bit maxima:
 * byte-wise UMAX / SMAX.
 */
#include <arm_neon.h>
#include <float.h>

#include "pooling_entries.h"

static inline const uint8_t *pixel_at(const SpryPoolWindow *w, int32_t y, int32_t x) {
  return w->origin + (size_t)y * w->row_stride + (size_t)x * w->pixel_stride;
}

/* ---- float ------------------------------------------------------------------ */

/* y = x < lo ? lo : x; then hi < y ? hi : y (the reference's clamp). */
static inline float32x4_t clamp_f32(float32x4_t x, float32x4_t lo, float32x4_t hi) {
  const float32x4_t y = vbslq_f32(vcltq_f32(x, lo), lo, x);
  return vbslq_f32(vcltq_f32(hi, y), hi, y);
}

/* Channels [c, c + 4 * vectors) of a float window (vectors is 1 or 4). */
SPRY_POOL_INLINE void f32_chunk(const SpryPoolWindow *w, const SpryPoolParams *p, int32_t c,
                                int vectors, SpryPoolOp op, float *out) {
  float32x4_t acc[4];
  for (int k = 0; k < vectors; k++) acc[k] = vdupq_n_f32(op == SPRY_POOL_MAX ? -FLT_MAX : 0.0f);
  for (int32_t y = 0; y < w->rows; y++)
    for (int32_t x = 0; x < w->cols; x++) {
      const float *v = (const float *)(const void *)pixel_at(w, y, x) + c;
      for (int k = 0; k < vectors; k++) {
        const float32x4_t in = vld1q_f32(v + 4 * k);
        acc[k] = op == SPRY_POOL_MAX ? vbslq_f32(vcgtq_f32(in, acc[k]), in, acc[k])
                                     : vaddq_f32(acc[k], in);
      }
    }
  const float32x4_t count = vdupq_n_f32((float)((int64_t)w->rows * w->cols));
  for (int k = 0; k < vectors; k++) {
    float32x4_t r = op == SPRY_POOL_AVG ? vdivq_f32(acc[k], count) : acc[k];
    if (op != SPRY_POOL_SUM) r = clamp_f32(r, vdupq_n_f32(p->f_min), vdupq_n_f32(p->f_max));
    vst1q_f32(out + c + 4 * k, r);
  }
}

SPRY_POOL_INLINE void f32_window(const SpryPoolWindow *w, const SpryPoolParams *p, float *out,
                                 SpryPoolOp op) {
  int32_t c = 0;
  for (; c + 16 <= w->channels; c += 16) f32_chunk(w, p, c, 4, op, out);
  for (; c < w->channels; c += 4) f32_chunk(w, p, c, 1, op, out);
}

/* ---- 8-bit sums and averages ------------------------------------------------ */

/* 8 values widened to int16 (uint8 fits). */
SPRY_POOL_INLINE int16x8_t load_widened(const uint8_t *at, bool u8) {
  return u8 ? vreinterpretq_s16_u16(vmovl_u8(vld1_u8(at)))
            : vmovl_s8(vld1_s8((const int8_t *)(const void *)at));
}

/* sign(sum) * ((|sum| + count / 2) / count): exact in float (pooling.h). */
static inline int32x4_t rounded_average(int32x4_t sum, float32x4_t count, int32x4_t half) {
  const int32x4_t n = vaddq_s32(vabsq_s32(sum), half);
  const int32x4_t q = vcvtq_s32_f32(vdivq_f32(vcvtq_f32_s32(n), count));
  const int32x4_t sign = vshrq_n_s32(sum, 31); /* -1 where sum < 0 */
  return vsubq_s32(veorq_s32(q, sign), sign);
}

/* 8 values inside the type's range stored as bytes. */
SPRY_POOL_INLINE void store_bytes8(int32x4_t a, int32x4_t b, bool u8, uint8_t *out) {
  const int16x8_t v = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
  if (u8)
    vst1_u8(out, vqmovun_s16(v));
  else
    vst1_s8((int8_t *)(void *)out, vqmovn_s16(v));
}

/* Channels [c, c + 8 * groups) of an 8-bit window (groups is 1 or 2): sums
 * into int32 `out`, or averages into bytes. */
SPRY_POOL_INLINE void q8_sum_chunk(const SpryPoolWindow *w, const SpryPoolParams *p, int32_t c,
                                   int groups, SpryPoolOp op, bool u8, void *out) {
  int32x4_t acc[4];
  for (int k = 0; k < 2 * groups; k++) acc[k] = vdupq_n_s32(0);
  for (int32_t y = 0; y < w->rows; y++)
    for (int32_t x = 0; x < w->cols; x++) {
      const uint8_t *v = pixel_at(w, y, x) + c;
      for (int g = 0; g < groups; g++) {
        const int16x8_t in = load_widened(v + 8 * g, u8);
        acc[2 * g] = vaddw_s16(acc[2 * g], vget_low_s16(in));
        acc[2 * g + 1] = vaddw_high_s16(acc[2 * g + 1], in);
      }
    }
  if (op == SPRY_POOL_SUM) {
    for (int k = 0; k < 2 * groups; k++) vst1q_s32((int32_t *)out + c + 4 * k, acc[k]);
    return;
  }
  /* Averages cover at most SPRY_POOL_MAX_AVG_PIXELS pixels. */
  const int32_t count = w->rows * w->cols;
  const float32x4_t count_f = vdupq_n_f32((float)count);
  const int32x4_t half = vdupq_n_s32(count / 2);
  const int32x4_t lo = vdupq_n_s32(p->q_min), hi = vdupq_n_s32(p->q_max);
  for (int k = 0; k < 2 * groups; k++)
    acc[k] = vminq_s32(hi, vmaxq_s32(lo, rounded_average(acc[k], count_f, half)));
  for (int g = 0; g < groups; g++)
    store_bytes8(acc[2 * g], acc[2 * g + 1], u8, (uint8_t *)out + c + 8 * g);
}

SPRY_POOL_INLINE void q8_sum_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                    SpryPoolOp op, bool u8) {
  int32_t c = 0;
  for (; c + 16 <= w->channels; c += 16) q8_sum_chunk(w, p, c, 2, op, u8, out);
  for (; c < w->channels; c += 8) q8_sum_chunk(w, p, c, 1, op, u8, out);
}

/* ---- 8-bit maxima ----------------------------------------------------------- */

/* uint8 lanes compared as int8 where `u8` is false. */
SPRY_POOL_INLINE uint8x16_t max16(uint8x16_t a, uint8x16_t b, bool u8) {
  return u8 ? vmaxq_u8(a, b)
            : vreinterpretq_u8_s8(vmaxq_s8(vreinterpretq_s8_u8(a), vreinterpretq_s8_u8(b)));
}

SPRY_POOL_INLINE uint8x16_t min16(uint8x16_t a, uint8x16_t b, bool u8) {
  return u8 ? vminq_u8(a, b)
            : vreinterpretq_u8_s8(vminq_s8(vreinterpretq_s8_u8(a), vreinterpretq_s8_u8(b)));
}

/* 16 channels, or 8 (in both halves; the low one is stored). */
SPRY_POOL_INLINE uint8x16_t load_bytes(const uint8_t *at, bool wide) {
  if (wide) return vld1q_u8(at);
  const uint8x8_t half = vld1_u8(at);
  return vcombine_u8(half, half);
}

SPRY_POOL_INLINE void q8_max_chunk(const SpryPoolWindow *w, const SpryPoolParams *p, int32_t c,
                                   bool wide, bool u8, uint8_t *out) {
  uint8x16_t acc = vdupq_n_u8(u8 ? 0 : 0x80); /* the type's lowest value */
  for (int32_t y = 0; y < w->rows; y++)
    for (int32_t x = 0; x < w->cols; x++)
      acc = max16(acc, load_bytes(pixel_at(w, y, x) + c, wide), u8);
  /* The bounds' bytes in two's complement. */
  acc = max16(acc, vdupq_n_u8((uint8_t)(p->q_min & 0xFF)), u8);
  acc = min16(acc, vdupq_n_u8((uint8_t)(p->q_max & 0xFF)), u8);
  if (wide)
    vst1q_u8(out + c, acc);
  else
    vst1_u8(out + c, vget_low_u8(acc));
}

SPRY_POOL_INLINE void q8_max_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                    bool u8) {
  int32_t c = 0;
  for (; c + 16 <= w->channels; c += 16) q8_max_chunk(w, p, c, true, u8, out);
  for (; c < w->channels; c += 8) q8_max_chunk(w, p, c, false, u8, out);
}

SPRY_POOL_ENTRIES(neon, 4, 8);
