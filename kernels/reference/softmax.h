/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax.h — reference SOFTMAX over the last dimension.
 *
 * Layout: `outer` rows of `depth` contiguous elements (any rank flattened so
 * that the last dimension is `depth`). Input and output must not overlap.
 *
 * The quantized kernels are TFLite's reference (BUILTIN_REF) path: the input
 * difference to the row maximum is rescaled by beta * input_scale into Q5.26,
 * exponentiated with gemmlowp's fixed-point exp, summed in Q12.19 and
 * normalised with a fixed-point reciprocal. The output scale is implicitly
 * 1/256 (8-bit) or 1/65536 (16-bit) with the zero point at the type minimum,
 * which is what TFLite requires of softmax outputs.
 */
#ifndef SPRY_KERNELS_REFERENCE_SOFTMAX_H
#define SPRY_KERNELS_REFERENCE_SOFTMAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

typedef struct SprySoftmaxParams {
  float beta;               /* float kernels */
  int32_t input_multiplier; /* quantized kernels: Q0.31 multiplier of beta * input_scale */
  int32_t input_left_shift; /* and its power of two (>= 0) */
  int32_t diff_min;         /* differences below this contribute exp() = 0 */
  int32_t reverse_multiplier; /* log-softmax: Q0.31 inverse of the input scaling */
  int32_t reverse_shift;      /* and its power of two (<= 0) */
} SprySoftmaxParams;

/* Quantized parameters for the given beta and input scale (TFLite's
 * PreprocessSoftmaxScaling with 5 integer bits and CalculateInputRadius).
 * False when beta * input_scale is not positive and finite or so small that
 * the rescaled multiplier would not exceed 1. */
bool spry_softmax_quant_params(float beta, float input_scale, SprySoftmaxParams *params);

/* exp(beta * input_scale * diff) in Q0 for diff = x - row_max <= 0 (diff
 * >= diff_min): the one exponential of the quantized kernels, shared with
 * the fast path's tables. */
int32_t spry_softmax_scaled_exp(const SprySoftmaxParams *params, int32_t diff);

/* x / 2^exponent rounded half away from zero, for exponent in [0, 62]: the
 * quantized kernels' output step (the shift exceeds 31 only for very wide
 * rows of equal values). */
int32_t spry_softmax_rounding_shift(int32_t x, int exponent);

void spry_ref_softmax_f32(const SprySoftmaxParams *params, size_t outer, size_t depth,
                          const float *input, float *output);
/* float32, float16 or bfloat16 rows (`type`), computed in float32: each
 * exponential is rounded to the type as it is stored, the row sum is not,
 * and the quotient is rounded once more (TFLite's reference on float16). */
void spry_ref_softmax_float(const SprySoftmaxParams *params, SpryType type, size_t outer,
                            size_t depth, const void *input, void *output);
void spry_ref_softmax_u8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                         const uint8_t *input, uint8_t *output);
void spry_ref_softmax_s8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                         const int8_t *input, int8_t *output);
/* 8-bit input, int16 output (zero point -32768, scale 1/65536). */
void spry_ref_softmax_u8_s16(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const uint8_t *input, int16_t *output);
void spry_ref_softmax_s8_s16(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const int8_t *input, int16_t *output);

/* int16 -> int16 (TFLite's SoftmaxInt16): input differences to the row
 * maximum rescaled so that [-65535, 0] spans [-10, 0] (multiplier, shift from
 * input_scale * beta / (10 / 65535)), exp from a 513-entry table, the sum's
 * reciprocal from a 1 / (1 + x) table, output on scale 1/32768 with zero
 * point 0. Tables from spry_softmax_s16_tables. The output buffer holds the
 * exponentials between the two passes over a row; depth at most 65536 (the
 * sum stays in int32). */
typedef struct SprySoftmaxS16Params {
  int32_t input_multiplier;
  int input_shift;
  const int16_t *exp_table;        /* SPRY_LUT16_SIZE entries */
  const int16_t *reciprocal_table; /* SPRY_LUT16_SIZE entries */
} SprySoftmaxS16Params;
void spry_softmax_s16_tables(int16_t *exp_table, int16_t *reciprocal_table);
void spry_ref_softmax_s16(const SprySoftmaxS16Params *params, size_t outer, size_t depth,
                          const int16_t *input, int16_t *output);

/* LOG_SOFTMAX. The quantized kernels are TFLite's reference LogSoftmax
 * (uint8) / reference_integer_ops::LogSoftmax (int8): the same fixed-point
 * exp sum, then a fixed-point log in Q5.26, output on the fixed scale 16/256
 * with the zero point at the type maximum (255 or 127). */
bool spry_log_softmax_quant_params(float input_scale, SprySoftmaxParams *params);
void spry_ref_log_softmax_f32(size_t outer, size_t depth, const float *input, float *output);
void spry_ref_log_softmax_u8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const uint8_t *input, uint8_t *output);
void spry_ref_log_softmax_s8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const int8_t *input, int8_t *output);

#endif /* SPRY_KERNELS_REFERENCE_SOFTMAX_H */
