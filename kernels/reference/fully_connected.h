/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected.h — reference FULLY_CONNECTED kernels: plain loops that
 * define the results every optimized fully connected kernel must reproduce.
 *
 * Layout: input [batches, accum_depth] (any input shape flattened row-major);
 * filter [output_depth, accum_depth]; bias [output_depth] (NULL: none);
 * output [batches, output_depth].
 *
 * Requantization: TFLite's reference FULLY_CONNECTED (BUILTIN_REF in
 * ai-edge-litert 2.3.0; the op_fully_connected_*_rounding goldens pin this
 * down) does NOT use the fixed-point multiplier of the other quantized
 * kernels (TFLite's optimized int8 FULLY_CONNECTED does, and can differ from
 * its own reference by one): it computes round(acc * s) in double, with
 * s = (double)input_scale * (double)filter_scale / (double)output_scale
 * (per output channel when the filter is quantized per channel) and round()
 * rounding halves away from zero. `scales` holds these doubles: one entry
 * (per-tensor) or output_depth entries (per-channel). TFLite leaves results
 * that overflow int32 undefined; here they saturate.
 *
 * Bit-exact with TFLite's reference kernels (BUILTIN_REF):
 *   f32         reference_ops::FullyConnected (float), same summation order.
 *   u8          reference_ops::FullyConnected (uint8): int32 accumulator.
 *   s8          reference_integer_ops::FullyConnected / FullyConnectedPerChannel
 *               (int8, int32 bias): int32 accumulator. filter_offset applies
 *               to per-tensor weights; pass 0 for per-channel weights.
 *   s16         the int16-activation, int8-weight kernels with int64 bias
 *               (int64 accumulator), zero points 0 except filter_offset.
 *   s16_bias32  the same with int32 bias (int32 accumulator).
 *   s16x16      int16 weights: see spry_ref_fully_connected_s16x16.
 * Accumulators wrap in two's complement exactly where TFLite's would.
 */
#ifndef SPRY_KERNELS_REFERENCE_FULLY_CONNECTED_H
#define SPRY_KERNELS_REFERENCE_FULLY_CONNECTED_H

#include <stdint.h>

typedef struct SpryFullyConnectedParams {
  int32_t batches;      /* >= 0 */
  int32_t accum_depth;  /* > 0 */
  int32_t output_depth; /* > 0 */
  /* Quantized kernels: -input zero point, -filter zero point, +output zero point. */
  int32_t input_offset;
  int32_t filter_offset;
  int32_t output_offset;
  const double *scales; /* num_scales entries */
  int32_t num_scales;   /* 1 or output_depth */
  /* The 16x16 kernel: scales as TFLite's fixed-point multipliers and shifts
   * (num_scales entries; NULL for the other kernels). */
  const int32_t *multipliers;
  const int32_t *shifts;
  int32_t act_min, act_max;
  float act_min_f, act_max_f;
} SpryFullyConnectedParams;

void spry_ref_fully_connected_f32(const SpryFullyConnectedParams *params, const float *input,
                                  const float *filter, const float *bias, float *output);

void spry_ref_fully_connected_u8(const SpryFullyConnectedParams *params, const uint8_t *input,
                                 const uint8_t *filter, const int32_t *bias, uint8_t *output);

void spry_ref_fully_connected_s8(const SpryFullyConnectedParams *params, const int8_t *input,
                                 const int8_t *filter, const int32_t *bias, int8_t *output);

void spry_ref_fully_connected_s16(const SpryFullyConnectedParams *params, const int16_t *input,
                                  const int8_t *filter, const int64_t *bias, int16_t *output);

void spry_ref_fully_connected_s16_bias32(const SpryFullyConnectedParams *params,
                                         const int16_t *input, const int8_t *filter,
                                         const int32_t *bias, int16_t *output);

/* int16 activations and int16 weights: TFLite's 16x16 kernel, which differs
 * from the int16x8 ones in three ways: the accumulator is int64 whatever
 * the bias type; the bias buffer is read as int32 words (an int64 bias
 * contributes the first output_depth 32-bit words of its buffer, low and
 * high halves in turn on a little-endian machine, as TFLite's reference
 * does); and the result is requantized with the fixed-point multipliers
 * (spry_multiply_by_quantized_multiplier_i64 with `multipliers` and
 * `shifts`), not with `scales`. */
void spry_ref_fully_connected_s16x16(const SpryFullyConnectedParams *params,
                                     const int16_t *input, const int16_t *filter,
                                     const int32_t *bias_words, int16_t *output);

/* Hybrid (dynamic-range) FULLY_CONNECTED: float input and output, int8
 * weights quantized per tensor or per output channel, each input row
 * quantized to int8 at run time (symmetric, or asymmetric when row_sums is
 * set). TFLite's EvalHybridDense, step for step: output = bias (or 0); an
 * all-zero input skips the product; else rows are quantized, a per-tensor
 * weight scale folds into each row scale, the int32 products are scaled
 * back and accumulated (spry_ref_hybrid_gemv_acc[_channels]), and the fused
 * activation is applied to the floats. */
typedef struct SpryFullyConnectedHybridParams {
  int32_t batches, accum_depth, output_depth;
  float weight_scale;           /* per-tensor weights */
  const float *channel_scales;  /* per-channel weights (output_depth), else NULL */
  const int32_t *row_sums;      /* asymmetric inputs (output_depth), else NULL */
  int activation;               /* ActivationFunctionType */
} SpryFullyConnectedHybridParams;

/* quantized: batches * accum_depth bytes; scales and zero_points: batches
 * entries each (scratch). */
void spry_ref_fully_connected_hybrid(const SpryFullyConnectedHybridParams *params,
                                     const float *input, const int8_t *filter, const float *bias,
                                     float *output, int8_t *quantized, float *scales,
                                     int32_t *zero_points);

/* round(acc * scale) + output_offset clamped to [act_min, act_max]: the
 * requantization step shared by the quantized kernels above. */
int32_t spry_fully_connected_requantize(const SpryFullyConnectedParams *params, int64_t acc,
                                        int32_t channel);

#endif /* SPRY_KERNELS_REFERENCE_FULLY_CONNECTED_H */
