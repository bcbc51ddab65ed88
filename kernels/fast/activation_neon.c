/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activation_neon.c — aarch64 Advanced SIMD unary kernels: 4 float lanes
 * per step, the last partial step through a small buffer. No fused
 * multiply-adds: every operation rounds as the reference's (and the
 * portable exp's) does. FMAX/FMIN would treat NaN and -0 unlike the
 * reference's comparisons, so those are compares and selects.
 *
 * 8-bit tables: TBL/TBX look up 16 bytes at once in 64 table bytes; four
 * of them cover the 256 entries (an index outside a TBX's 64 bytes leaves
 * the lane as it was).
 */
#include <arm_neon.h>
#include <string.h>

#include "activation.h"
#include "elementwise.h"

static inline float32x4_t splat(float x) { return vdupq_n_f32(x); }

/* x where x is NaN, else y. */
static inline float32x4_t keep_nan(float32x4_t x, float32x4_t y) {
  return vbslq_f32(vceqq_f32(x, x), y, x);
}

/* exp(t) for t <= 0, see activation.h (NaN lanes give garbage: callers
 * replace them). */
static inline float32x4_t exp_nonpositive(float32x4_t t) {
  t = vbslq_f32(vcltq_f32(t, splat(SPRY_EXP_MIN)), splat(SPRY_EXP_MIN), t);
  const float32x4_t n = vrndmq_f32(vaddq_f32(vmulq_f32(t, splat(SPRY_EXP_LOG2E)), splat(0.5f)));
  float32x4_t r = vsubq_f32(t, vmulq_f32(n, splat(SPRY_EXP_LN2_HI)));
  r = vsubq_f32(r, vmulq_f32(n, splat(SPRY_EXP_LN2_LO)));
  float32x4_t p = vaddq_f32(splat(SPRY_EXP_C6), vmulq_f32(r, splat(SPRY_EXP_C7)));
  p = vaddq_f32(splat(SPRY_EXP_C5), vmulq_f32(r, p));
  p = vaddq_f32(splat(SPRY_EXP_C4), vmulq_f32(r, p));
  p = vaddq_f32(splat(SPRY_EXP_C3), vmulq_f32(r, p));
  p = vaddq_f32(splat(SPRY_EXP_C2), vmulq_f32(r, p));
  p = vaddq_f32(splat(1.0f), vmulq_f32(r, p));
  p = vaddq_f32(splat(1.0f), vmulq_f32(r, p));
  const int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  return vmulq_f32(p, vreinterpretq_f32_s32(bits));
}

SPRY_ELT_INLINE float32x4_t apply(SpryActKind kind, const SpryActF32Params *p, float32x4_t x) {
  const float32x4_t zero = splat(0.0f);
  switch (kind) {
    case SPRY_ACT_CLAMP: {
      const float32x4_t lo = splat(p->lo), hi = splat(p->hi);
      const float32x4_t lower = vbslq_f32(vcgtq_f32(x, lo), x, lo);
      return keep_nan(x, vbslq_f32(vcltq_f32(lower, hi), lower, hi));
    }
    case SPRY_ACT_LEAKY_RELU:
      return vbslq_f32(vcgtq_f32(x, zero), x, vmulq_f32(x, splat(p->alpha)));
    case SPRY_ACT_HARD_SWISH: {
      const float32x4_t r = vaddq_f32(x, splat(3.0f)), six = splat(6.0f);
      const float32x4_t inner = vbslq_f32(vcgtq_f32(r, zero), r, zero);
      const float32x4_t relu6 = vbslq_f32(vcgtq_f32(r, six), six, inner);
      return vdivq_f32(vmulq_f32(x, relu6), six);
    }
    case SPRY_ACT_LOGISTIC: {
      const float32x4_t e = exp_nonpositive(vnegq_f32(vabsq_f32(x)));
      const float32x4_t num = vbslq_f32(vcgeq_f32(x, zero), splat(1.0f), e);
      return keep_nan(x, vdivq_f32(num, vaddq_f32(splat(1.0f), e)));
    }
    default: { /* SPRY_ACT_TANH */
      const float32x4_t ax = vabsq_f32(x);
      const float32x4_t e = exp_nonpositive(vmulq_f32(splat(-2.0f), ax));
      const float32x4_t t = vdivq_f32(vsubq_f32(splat(1.0f), e), vaddq_f32(splat(1.0f), e));
      /* The sign bit from x, the rest from t (which is not negative). */
      const uint32x4_t sign = vdupq_n_u32(0x80000000u);
      const float32x4_t signed_t = vbslq_f32(sign, x, t);
      /* Tiny and NaN lanes are x itself (NaN fails the comparison). */
      return vbslq_f32(vcgeq_f32(ax, splat(SPRY_TANH_TINY)), signed_t, x);
    }
  }
}

SPRY_ELT_INLINE void act_kernel(const SpryActF32Params *p, const float *in, float *out, size_t n,
                                SpryActKind kind) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(out + i, apply(kind, p, vld1q_f32(in + i)));
  if (i == n) return;
  float buffer[4] = {0};
  memcpy(buffer, in + i, (n - i) * sizeof *buffer);
  vst1q_f32(buffer, apply(kind, p, vld1q_f32(buffer)));
  memcpy(out + i, buffer, (n - i) * sizeof *buffer);
}

SPRY_ACT_KERNELS(act_kernel)

/* 16 table lookups: TBL for entries [0, 64), TBX for each further 64. */
static inline uint8x16_t lookup16(const uint8x16x4_t t[4], uint8x16_t index) {
  uint8x16_t r = vqtbl4q_u8(t[0], index);
  r = vqtbx4q_u8(r, t[1], vsubq_u8(index, vdupq_n_u8(64)));
  r = vqtbx4q_u8(r, t[2], vsubq_u8(index, vdupq_n_u8(128)));
  return vqtbx4q_u8(r, t[3], vsubq_u8(index, vdupq_n_u8(192)));
}

static void lut8(const uint8_t table[256], size_t count, const uint8_t *input, uint8_t *output) {
  uint8x16x4_t t[4];
  for (int k = 0; k < 4; k++)
    for (int j = 0; j < 4; j++) t[k].val[j] = vld1q_u8(table + 64 * k + 16 * j);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) vst1q_u8(output + i, lookup16(t, vld1q_u8(input + i)));
  if (i == count) return;
  uint8_t buffer[16] = {0};
  memcpy(buffer, input + i, count - i);
  vst1q_u8(buffer, lookup16(t, vld1q_u8(buffer)));
  memcpy(output + i, buffer, count - i);
}

const SpryActKernels spry_act_kernels_neon = {
    .fn = SPRY_ACT_ENTRIES(act_kernel),
    .lut8 = lut8,
};
