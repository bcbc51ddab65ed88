/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_portable.c — the depthwise pixel kernels in plain C: the fast
 * path on CPUs without a SIMD variant, and the shape the SIMD variants
 * follow (taps in pairs, a block of channels at a time).
 */
#include "depthwise.h"
#include "quantization.h"

/* Activation value j of a pixel, widened. */
SPRY_DW_INLINE int32_t activation(const void *pixel, size_t j, bool u8) {
  return u8 ? (int32_t)((const uint8_t *)pixel)[j] : (int32_t)((const int8_t *)pixel)[j];
}

/* The quantized kernel for either 8-bit type (inlined twice, so `u8` is a
 * constant in each copy). */
SPRY_DW_INLINE void quantized_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                                   int32_t blocks, void *out, bool u8) {
  const int32_t pairs = d->tap_slots / 2;
  const int16_t *w = (const int16_t *)d->weights + (size_t)first * (size_t)pairs * 2 * SPRY_DW_BLOCK;
  for (int32_t b = 0; b < blocks; b++) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    /* uint32_t: the sums wrap like TFLite's int32 accumulators. */
    uint32_t sum[SPRY_DW_BLOCK] = {0};
    for (int32_t p = 0; p < pairs; p++, w += 2 * SPRY_DW_BLOCK) {
      const uint8_t *x0 = (const uint8_t *)taps[2 * p] + at;
      const uint8_t *x1 = (const uint8_t *)taps[2 * p + 1] + at;
      for (int j = 0; j < SPRY_DW_BLOCK; j++)
        sum[j] += (uint32_t)(activation(x0, (size_t)j, u8) * w[2 * j] +
                             activation(x1, (size_t)j, u8) * w[2 * j + 1]);
    }
    int32_t acc[SPRY_DW_BLOCK];
    for (int j = 0; j < SPRY_DW_BLOCK; j++) acc[j] = spry_wrap_i32(sum[j]);
    spry_qgemm_requant_portable(SPRY_DW_BLOCK, acc, &d->output, (first + b) * SPRY_DW_BLOCK,
                                (uint8_t *)out + at);
  }
}

SPRY_DW_QUANTIZED_ENTRIES(quantized_pixel)

static void f32_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                      int32_t blocks, void *out) {
  const float *w = (const float *)d->weights + (size_t)first * (size_t)d->taps * SPRY_DW_BLOCK;
  const SpryConvParams *p = &d->params;
  for (int32_t b = 0; b < blocks; b++) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    float sum[SPRY_DW_BLOCK] = {0};
    for (int32_t t = 0; t < d->taps; t++, w += SPRY_DW_BLOCK) {
      const float *x = (const float *)taps[t] + at;
      for (int j = 0; j < SPRY_DW_BLOCK; j++) sum[j] += x[j] * w[j];
    }
    const float *bias = d->bias_f + (size_t)(first + b) * SPRY_DW_BLOCK;
    for (int j = 0; j < SPRY_DW_BLOCK; j++)
      ((float *)out)[at + (size_t)j] = spry_clamp_f32(sum[j] + bias[j], p->act_min_f, p->act_max_f);
  }
}

const SpryDwKernels spry_dw_portable = {.f32 = f32_pixel, .s8 = s8_pixel, .u8 = u8_pixel};
