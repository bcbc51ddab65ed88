/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_neon.c — aarch64 Advanced SIMD depthwise pixel kernels (part of
 * the aarch64 base architecture, so no extra compiler flags).
 *
 * Quantized: each tap's 16 bytes are widened to int16 and multiplied into
 * four int32x4 accumulators with widening multiply-accumulates (exact, and
 * wrapping modulo 2^32 like TFLite's accumulators); the packed weight pairs
 * are split into the even and odd tap by a de-interleaving load. The
 * requantization reproduces TFLite's fixed-point steps lane by lane.
 *
 * Float: four FMAs per tap and block, into four independent accumulators.
 */
#include <arm_neon.h>

#include "depthwise.h"

/* 16 int8 or uint8 values as two int16x8 halves. */
typedef struct Widened {
  int16x8_t lo, hi;
} Widened;

SPRY_DW_INLINE Widened widen(const void *p, bool u8) {
  Widened w;
  if (u8) {
    const uint8x16_t x = vld1q_u8(p);
    w.lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(x)));
    w.hi = vreinterpretq_s16_u16(vmovl_high_u8(x));
  } else {
    const int8x16_t x = vld1q_s8(p);
    w.lo = vmovl_s8(vget_low_s8(x));
    w.hi = vmovl_high_s8(x);
  }
  return w;
}

/* TFLite's MultiplyByQuantizedMultiplier on 4 lanes, then the output offset
 * and the clamp. SQRDMULH rounds (2ab + 2^31) / 2^32 down, which equals the
 * reference's doubling high multiply with its sign-dependent nudge; it
 * cannot saturate because multipliers are never negative. SRSHL rounds ties
 * up, so negative values are first lowered by one where a right shift
 * follows, making ties round away from zero as the reference does. */
static inline int32x4_t requantize(int32x4_t acc, const SpryQgemmOutput *o, int32_t c) {
  const int32x4_t zero = vdupq_n_s32(0), shift = vld1q_s32(o->shift + c);
  const int32x4_t left = vmaxq_s32(shift, zero), right = vminq_s32(shift, zero);
  acc = vaddq_s32(acc, vld1q_s32(o->bias + c));
  acc = vqrdmulhq_s32(vshlq_s32(acc, left), vld1q_s32(o->multiplier + c));
  /* right < 0 has its sign bit set: -1 where acc < 0 and a shift follows. */
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(acc, right), 31);
  acc = vrshlq_s32(vqaddq_s32(acc, fixup), right);
  acc = vaddq_s32(acc, vdupq_n_s32(o->output_offset));
  acc = vmaxq_s32(acc, vdupq_n_s32(o->act_min));
  return vminq_s32(acc, vdupq_n_s32(o->act_max));
}

/* Eight clamped values as int16 (they lie within the output type, so the
 * saturating narrowing changes nothing). */
static inline int16x8_t narrow(int32x4_t a, int32x4_t b) {
  return vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
}

SPRY_DW_INLINE void quantized_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                                   int32_t blocks, void *out, bool u8) {
  const int32_t pairs = d->tap_slots / 2;
  const int16_t *w = (const int16_t *)d->weights + (size_t)first * (size_t)pairs * 2 * SPRY_DW_BLOCK;
  for (int32_t b = 0; b < blocks; b++) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (int32_t p = 0; p < pairs; p++, w += 2 * SPRY_DW_BLOCK) {
      const Widened x = widen((const uint8_t *)taps[2 * p] + at, u8);
      const Widened y = widen((const uint8_t *)taps[2 * p + 1] + at, u8);
      const int16x8x2_t w0 = vld2q_s16(w), w1 = vld2q_s16(w + SPRY_DW_BLOCK);
      acc[0] = vmlal_s16(acc[0], vget_low_s16(x.lo), vget_low_s16(w0.val[0]));
      acc[0] = vmlal_s16(acc[0], vget_low_s16(y.lo), vget_low_s16(w0.val[1]));
      acc[1] = vmlal_high_s16(acc[1], x.lo, w0.val[0]);
      acc[1] = vmlal_high_s16(acc[1], y.lo, w0.val[1]);
      acc[2] = vmlal_s16(acc[2], vget_low_s16(x.hi), vget_low_s16(w1.val[0]));
      acc[2] = vmlal_s16(acc[2], vget_low_s16(y.hi), vget_low_s16(w1.val[1]));
      acc[3] = vmlal_high_s16(acc[3], x.hi, w1.val[0]);
      acc[3] = vmlal_high_s16(acc[3], y.hi, w1.val[1]);
    }
    const int32_t c = (first + b) * SPRY_DW_BLOCK;
    const int16x8_t lo = narrow(requantize(acc[0], &d->output, c),
                                requantize(acc[1], &d->output, c + 4));
    const int16x8_t hi = narrow(requantize(acc[2], &d->output, c + 8),
                                requantize(acc[3], &d->output, c + 12));
    uint8_t *o = (uint8_t *)out + at;
    if (u8)
      vst1q_u8(o, vcombine_u8(vqmovun_s16(lo), vqmovun_s16(hi)));
    else
      vst1q_s8((int8_t *)o, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
  }
}

SPRY_DW_QUANTIZED_ENTRIES(quantized_pixel)

static void f32_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                      int32_t blocks, void *out) {
  const int32_t n = d->taps;
  const float *w = (const float *)d->weights + (size_t)first * (size_t)n * SPRY_DW_BLOCK;
  const float32x4_t lo = vdupq_n_f32(d->params.act_min_f), hi = vdupq_n_f32(d->params.act_max_f);
  for (int32_t b = 0; b < blocks; b++) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f),
                          vdupq_n_f32(0.0f)};
    for (int32_t t = 0; t < n; t++, w += SPRY_DW_BLOCK) {
      const float *x = (const float *)taps[t] + at;
      for (int i = 0; i < 4; i++) acc[i] = vfmaq_f32(acc[i], vld1q_f32(x + 4 * i), vld1q_f32(w + 4 * i));
    }
    const float *bias = d->bias_f + (size_t)(first + b) * SPRY_DW_BLOCK;
    float *o = (float *)out + at;
    /* FMAX and FMIN return NaN when either input is NaN, so NaN passes. */
    for (int i = 0; i < 4; i++) {
      const float32x4_t v = vaddq_f32(acc[i], vld1q_f32(bias + 4 * i));
      vst1q_f32(o + 4 * i, vminq_f32(vmaxq_f32(v, lo), hi));
    }
  }
}

const SpryDwKernels spry_dw_neon = {.f32 = f32_pixel, .s8 = s8_pixel, .u8 = u8_pixel};
