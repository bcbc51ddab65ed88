/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize_portable.c — float32 to 8-bit quantization in plain C, the
 * reference's formula without its per-element type switch.
 */
#include <math.h>

#include "elementwise.h"
#include "quantize.h"

/* |round(x / scale)| beyond this saturates every 8-bit result alike (zero
 * points lie in [-128, 255]), so the conversion to int32 is always defined. */
#define SATURATE 1024.0f

SPRY_ELT_INLINE void quantize(float scale, int32_t zero_point, const float *in, uint8_t *out,
                              size_t n, bool u8) {
  const int32_t lo = u8 ? 0 : INT8_MIN, hi = u8 ? UINT8_MAX : INT8_MAX;
  for (size_t i = 0; i < n; i++) {
    float r = roundf(in[i] / scale);
    r = isnan(r) ? 0.0f : (r < -SATURATE ? -SATURATE : (r > SATURATE ? SATURATE : r));
    const int32_t v = (int32_t)r + zero_point;
    out[i] = (uint8_t)(v < lo ? lo : (v > hi ? hi : v)); /* int8: its two's complement byte */
  }
}

static void to_s8(float scale, int32_t zero_point, const float *in, uint8_t *out, size_t n) {
  quantize(scale, zero_point, in, out, n, false);
}

static void to_u8(float scale, int32_t zero_point, const float *in, uint8_t *out, size_t n) {
  quantize(scale, zero_point, in, out, n, true);
}

const SpryQuantizeKernels spry_quantize_kernels_portable = {.to_s8 = to_s8, .to_u8 = to_u8};
