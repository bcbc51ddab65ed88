/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax_neon.c — the float SOFTMAX row on 4 lanes (aarch64 Advanced
 * SIMD): the portable kernel's passes with the maximum, the exponential
 * (softmax_exp.h, evaluated with FMAs) and the division vectorised; the sum
 * stays in the reference's order (spry_softmax_sum). A last partial vector
 * goes through a copy padded with -FLT_MAX (the maximum's identity); its
 * extra exponentials are not stored.
 */
#include <arm_neon.h>
#include <float.h>

#include "softmax.h"
#include "softmax_exp.h"

#define LANES 4

static inline float32x4_t exp4(float32x4_t x) {
  const uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(SPRY_EXP_MIN));
  const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(SPRY_EXP_LOG2E)));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(SPRY_EXP_LN2_HI));
  r = vfmsq_f32(r, n, vdupq_n_f32(SPRY_EXP_LN2_LO));
  float32x4_t p = vdupq_n_f32(SPRY_EXP_C6);
  p = vfmaq_f32(vdupq_n_f32(SPRY_EXP_C5), p, r);
  p = vfmaq_f32(vdupq_n_f32(SPRY_EXP_C4), p, r);
  p = vfmaq_f32(vdupq_n_f32(SPRY_EXP_C3), p, r);
  p = vfmaq_f32(vdupq_n_f32(SPRY_EXP_C2), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  /* 2^n in the exponent bits; lanes below SPRY_EXP_MIN (whose n leaves
   * [-126, 0]) are zeroed, NaN lanes stay NaN through p. */
  const int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  const float32x4_t e = vmulq_f32(p, vreinterpretq_f32_s32(bits));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(e), tiny));
}

/* The n < LANES values at `p` followed by `pad`. */
static inline float32x4_t load_partial(const float *p, size_t n, float pad) {
  float buf[LANES] = {pad, pad, pad, pad};
  for (size_t i = 0; i < n; i++) buf[i] = p[i];
  return vld1q_f32(buf);
}

static inline void store_partial(float *p, size_t n, float32x4_t v) {
  float buf[LANES];
  vst1q_f32(buf, v);
  for (size_t i = 0; i < n; i++) p[i] = buf[i];
}

/* acc unless x > acc: NaN inputs are skipped as by the reference (FMAX
 * would take them). */
static inline float32x4_t keep_greater(float32x4_t acc, float32x4_t x) {
  return vbslq_f32(vcgtq_f32(x, acc), x, acc);
}

void spry_f32_softmax__neon(const float *in, float *out, size_t depth, float beta) {
  const size_t whole = depth - depth % LANES;
  float32x4_t vmax = vdupq_n_f32(-FLT_MAX);
  for (size_t c = 0; c < whole; c += LANES) vmax = keep_greater(vmax, vld1q_f32(in + c));
  const float32x4_t last = load_partial(in + whole, depth - whole, -FLT_MAX);
  vmax = keep_greater(vmax, last);
  /* No lane holds NaN, so the reduction order does not matter. */
  const float32x4_t max = vdupq_n_f32(vmaxvq_f32(vmax)), scale = vdupq_n_f32(beta);
  for (size_t c = 0; c < whole; c += LANES) {
    const float32x4_t x = vld1q_f32(in + c);
    vst1q_f32(out + c, exp4(vmulq_f32(vsubq_f32(x, max), scale)));
  }
  store_partial(out + whole, depth - whole, exp4(vmulq_f32(vsubq_f32(last, max), scale)));
  const float sum = spry_softmax_sum(out, depth);
  const float32x4_t vs = vdupq_n_f32(sum);
  for (size_t c = 0; c < whole; c += LANES) vst1q_f32(out + c, vdivq_f32(vld1q_f32(out + c), vs));
  for (size_t c = whole; c < depth; c++) out[c] = out[c] / sum;
}
