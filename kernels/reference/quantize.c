/* SPDX-License-Identifier: Apache-2.0 */
/* quantize.c — reference QUANTIZE, requantize, DEQUANTIZE and float16 expansion. */
#include "quantize.h"

#include <math.h>
#include <string.h>

#include "../kernel_util.h"
#include "../quantization.h"
#include "elementwise.h"

/* Stores v saturated to the range of `type`. */
static void store_sat(SpryType type, void *p, size_t i, int64_t v) {
  int32_t lo = 0, hi = 0;
  if (!spry_quantized_type_range(type, &lo, &hi)) return;
  spry_store_int(p, type, i, spry_clamp_i64(v, lo, hi));
}

static size_t channel_of(const SpryChannelLayout *layout, size_t i) {
  return (i / layout->inner) % layout->channels;
}

/* round(x / scale) as an int64, saturated instead of undefined when out of
 * the int32 range; NaN maps to 0. */
static int64_t round_div(float x, float scale) {
  const float r = roundf(x / scale);
  if (isnan(r)) return 0;
  if (r >= 2147483648.0f) return INT32_MAX;
  if (r < -2147483648.0f) return INT32_MIN;
  return (int64_t)r;
}

void spry_ref_quantize_f32(const SpryQuantizeParams *params, size_t count, const float *input,
                           SpryType output_type, void *output) {
  for (size_t i = 0; i < count; i++) {
    float scale = params->scale;
    int32_t zero_point = params->zero_point;
    if (params->scales) {
      const size_t c = channel_of(&params->layout, i);
      scale = params->scales[c];
      zero_point = params->zero_points[c];
    }
    store_sat(output_type, output, i, round_div(input[i], scale) + zero_point);
  }
}

void spry_ref_requantize(const SpryRequantizeParams *params, size_t count, SpryType input_type,
                         const void *input, SpryType output_type, void *output) {
  for (size_t i = 0; i < count; i++) {
    /* Zero points lie in the types' ranges (0 for int32), so this fits in int32. */
    const int32_t centred = (int32_t)(spry_load_int(input, input_type, i) - params->input_zero_point);
    const int32_t scaled =
        spry_multiply_by_quantized_multiplier(centred, params->multiplier, params->shift);
    store_sat(output_type, output, i, (int64_t)scaled + params->output_zero_point);
  }
}

void spry_ref_dequantize(const SpryQuantizeParams *params, size_t count, SpryType input_type,
                         const void *input, float *output) {
  for (size_t i = 0; i < count; i++) {
    const int64_t q = spry_load_int(input, input_type, i);
    if (params->scales) {
      const size_t c = channel_of(&params->layout, i);
      output[i] = params->scales[c] * (float)(q - params->zero_points[c]);
    } else {
      output[i] = (float)((double)params->scale * (double)(q - params->zero_point));
    }
  }
}

uint16_t spry_f32_to_f16(float value) {
  uint32_t u;
  memcpy(&u, &value, sizeof u);
  const uint32_t sign = u & 0x80000000u;
  u ^= sign;
  uint16_t half;
  if (u >= (uint32_t)(127 + 16) << 23) {
    /* At least 2^16 (or infinity, NaN): all exponent bits set. */
    half = u > 0x7f800000u ? 0x7e00u : 0x7c00u;
  } else if (u < (uint32_t)113 << 23) {
    /* Below 2^-14: a subnormal half or zero. Adding 0.5 puts the rounded
     * half mantissa in the low bits (the addition rounds to nearest even). */
    const uint32_t magic_bits = (uint32_t)((127 - 15) + (23 - 10) + 1) << 23;
    float f, magic;
    memcpy(&f, &u, sizeof f);
    memcpy(&magic, &magic_bits, sizeof magic);
    f += magic;
    memcpy(&u, &f, sizeof u);
    half = (uint16_t)(u - magic_bits);
  } else {
    const uint32_t mantissa_odd = (u >> 13) & 1u;
    u += 0xc8000fffu; /* rebias the exponent, half the rounding bias */
    u += mantissa_odd;
    half = (uint16_t)(u >> 13);
  }
  return (uint16_t)(half | (sign >> 16));
}

float spry_bf16_to_f32(uint16_t bf16) {
  const uint32_t bits = (uint32_t)bf16 << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t spry_f32_to_bf16(float value) {
  uint32_t u;
  memcpy(&u, &value, sizeof u);
  if (value != value) return (u & 0x80000000u) ? 0xffc0u : 0x7fc0u;
  u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest even */
  return (uint16_t)(u >> 16);
}

float spry_f16_to_f32(uint16_t half) {
  const uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
  uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1fu) {
    /* Infinity or NaN: all-ones exponent, payload moved to the top. */
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign; /* signed zero */
  } else {
    /* Subnormal: shift the leading 1 into the implicit bit position. */
    int e = -1;
    do {
      e++;
      mantissa <<= 1;
    } while (!(mantissa & 0x400u));
    bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

void spry_ref_dequantize_f16(size_t count, const uint16_t *input, float *output) {
  for (size_t i = 0; i < count; i++) output[i] = spry_f16_to_f32(input[i]);
}
