/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize.h — reference QUANTIZE (float -> integer, integer -> integer) and
 * DEQUANTIZE (integer or float16 -> float), elementwise over `count`
 * elements in row-major order.
 *
 * Formulas are TFLite's reference ones:
 *   quantize    q = clamp(round_half_away(x / scale) + zero_point)   (float division)
 *   requantize  q = clamp(MultiplyByQuantizedMultiplier(x - in_zp) + out_zp)
 *   dequantize  x = (float)((double)scale * (q - zero_point))          per tensor
 *               x = scale[c] * (float)(q - zero_point[c])               per channel
 * (For uint8 <-> int8 with equal scales the requantize formula reduces to
 * the exact zero-point shift that TFLite's fast path performs.)
 */
#ifndef SPRY_KERNELS_REFERENCE_QUANTIZE_H
#define SPRY_KERNELS_REFERENCE_QUANTIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

/* Per-channel layout: element i belongs to channel (i / inner) % channels. */
typedef struct SpryChannelLayout {
  size_t channels; /* size of the quantized dimension */
  size_t inner;    /* product of the dimensions after it */
} SpryChannelLayout;

typedef struct SpryQuantizeParams {
  float scale; /* per tensor (float -> integer) */
  int32_t zero_point;
  const float *scales; /* per channel, NULL for per tensor */
  const int32_t *zero_points;
  SpryChannelLayout layout;
} SpryQuantizeParams;

typedef struct SpryRequantizeParams {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier; /* input_scale / output_scale */
  int shift;
} SpryRequantizeParams;

/* Float to an integer type (uint8, int8, int16): per tensor, or per channel
 * when params->scales is set. */
void spry_ref_quantize_f32(const SpryQuantizeParams *params, size_t count, const float *input,
                           SpryType output_type, void *output);

/* Between integer types: input uint8/int8/int16, output uint8/int8/int16/int32. */
void spry_ref_requantize(const SpryRequantizeParams *params, size_t count, SpryType input_type,
                         const void *input, SpryType output_type, void *output);

/* uint8/int8/int16/int32 to float32: per tensor, or per channel when
 * params->scales is set. */
void spry_ref_dequantize(const SpryQuantizeParams *params, size_t count, SpryType input_type,
                         const void *input, float *output);

/* IEEE 754 binary16 to binary32, exact for every input: subnormals are
 * normalised, infinities kept, NaNs stay NaNs with their payload. */
float spry_f16_to_f32(uint16_t half);

/* binary32 to binary16 rounded to nearest even, as Eigen's half converts in
 * software: overflow gives infinity, NaN the quiet NaN 0x7e00 (signed). */
uint16_t spry_f32_to_f16(float value);

/* bfloat16 (the top half of a binary32) to binary32: exact. */
float spry_bf16_to_f32(uint16_t bf16);

/* binary32 to bfloat16 rounded to nearest even, as Eigen's bfloat16
 * converts: NaN gives the quiet NaN 0x7fc0 (0xffc0 when negative). */
uint16_t spry_f32_to_bf16(float value);

void spry_ref_dequantize_f16(size_t count, const uint16_t *input, float *output);

#endif /* SPRY_KERNELS_REFERENCE_QUANTIZE_H */
