/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize_neon.c — float32 to 8-bit quantization with aarch64 Advanced
 * SIMD: 8 lanes per step as two float32x4 halves, the last partial step
 * through buffers. FRINTA rounds half away from zero, exactly roundf.
 */
#include <arm_neon.h>
#include <string.h>

#include "elementwise.h"
#include "quantize.h"

/* As in quantize_portable.c: beyond this every 8-bit result saturates alike. */
#define SATURATE 1024.0f

/* 4 quantized values as int32 lanes inside the type's range. */
SPRY_ELT_INLINE int32x4_t quantize4(float32x4_t x, float32x4_t scale, int32x4_t zero_point,
                                    int32x4_t lo, int32x4_t hi) {
  float32x4_t r = vrndaq_f32(vdivq_f32(x, scale));
  r = vbslq_f32(vceqq_f32(r, r), r, vdupq_n_f32(0.0f)); /* NaN -> 0 */
  r = vminq_f32(vmaxq_f32(r, vdupq_n_f32(-SATURATE)), vdupq_n_f32(SATURATE));
  const int32x4_t v = vaddq_s32(vcvtq_s32_f32(r), zero_point);
  return vminq_s32(vmaxq_s32(v, lo), hi);
}

SPRY_ELT_INLINE void quantize_steps(float scale_f, int32_t zero_point_i, const float *in,
                                    uint8_t *out, size_t steps, bool u8) {
  const float32x4_t scale = vdupq_n_f32(scale_f);
  const int32x4_t zero_point = vdupq_n_s32(zero_point_i);
  const int32x4_t lo = vdupq_n_s32(u8 ? 0 : INT8_MIN), hi = vdupq_n_s32(u8 ? UINT8_MAX : INT8_MAX);
  for (size_t s = 0; s < steps; s++) {
    const float *x = in + 8 * s;
    const int32x4_t v0 = quantize4(vld1q_f32(x), scale, zero_point, lo, hi);
    const int32x4_t v1 = quantize4(vld1q_f32(x + 4), scale, zero_point, lo, hi);
    /* The values lie within the type: the saturating narrowings are exact. */
    const int16x8_t words = vcombine_s16(vmovn_s32(v0), vmovn_s32(v1));
    if (u8)
      vst1_u8(out + 8 * s, vqmovun_s16(words));
    else
      vst1_s8((int8_t *)out + 8 * s, vqmovn_s16(words));
  }
}

SPRY_ELT_INLINE void quantize(float scale, int32_t zero_point, const float *in, uint8_t *out,
                              size_t n, bool u8) {
  const size_t whole = n / 8, done = whole * 8;
  quantize_steps(scale, zero_point, in, out, whole, u8);
  if (done == n) return;
  float x[8] = {0};
  uint8_t buffer[8];
  memcpy(x, in + done, (n - done) * sizeof *x);
  quantize_steps(scale, zero_point, x, buffer, 1, u8);
  memcpy(out + done, buffer, n - done);
}

static void to_s8(float scale, int32_t zero_point, const float *in, uint8_t *out, size_t n) {
  quantize(scale, zero_point, in, out, n, false);
}

static void to_u8(float scale, int32_t zero_point, const float *in, uint8_t *out, size_t n) {
  quantize(scale, zero_point, in, out, n, true);
}

const SpryQuantizeKernels spry_quantize_kernels_neon = {.to_s8 = to_s8, .to_u8 = to_u8};
