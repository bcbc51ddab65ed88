/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling.h — reference AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D.
 *
 * Layout NHWC for input [batches, in_h, in_w, channels] and output
 * [batches, out_h, out_w, channels]. Each output element covers the filter
 * window at (out_y * stride_h - pad_h, out_x * stride_w - pad_w), clipped to
 * the input: padding is never counted, neither in the average's divisor nor
 * as a candidate maximum.
 *
 * The quantized kernels assume equal input and output quantization (which
 * TFLite requires) and round the average half away from zero (int8, int16)
 * or half up (uint8), as TFLite's reference kernels do.
 */
#ifndef SPRY_KERNELS_REFERENCE_POOLING_H
#define SPRY_KERNELS_REFERENCE_POOLING_H

#include <stdbool.h>
#include <stdint.h>

typedef struct SpryPoolParams {
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_h, pad_w; /* padding before the first row / column */
  float f_min, f_max;   /* fused activation clamp, float */
  int32_t q_min, q_max; /* fused activation clamp, quantized */
} SpryPoolParams;

typedef struct SpryPoolShape {
  int32_t batches, in_h, in_w, channels;
  int32_t out_h, out_w;
} SpryPoolShape;

/* The average kernels return false when some output window lies entirely in
 * the padding (TFLite reports an error then); the output is fully written
 * either way (0 for such windows). */
bool spry_ref_average_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                               const float *input, float *output);
bool spry_ref_average_pool_u8(const SpryPoolParams *params, const SpryPoolShape *shape,
                              const uint8_t *input, uint8_t *output);
bool spry_ref_average_pool_s8(const SpryPoolParams *params, const SpryPoolShape *shape,
                              const int8_t *input, int8_t *output);
bool spry_ref_average_pool_s16(const SpryPoolParams *params, const SpryPoolShape *shape,
                               const int16_t *input, int16_t *output);

/* An output window entirely in the padding yields the type's lowest value,
 * clamped to the activation range. */
void spry_ref_max_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                           const float *input, float *output);
void spry_ref_max_pool_u8(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const uint8_t *input, uint8_t *output);
void spry_ref_max_pool_s8(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const int8_t *input, int8_t *output);
void spry_ref_max_pool_s16(const SpryPoolParams *params, const SpryPoolShape *shape,
                           const int16_t *input, int16_t *output);

/* sqrt(mean of squares) over the window part inside the input (TFLite's
 * reference_ops::L2Pool); NaN for a window entirely in the padding. */
void spry_ref_l2_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const float *input, float *output);

#endif /* SPRY_KERNELS_REFERENCE_POOLING_H */
