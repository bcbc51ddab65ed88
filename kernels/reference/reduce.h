/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reduce.h — reference reductions over a set of axes: MEAN, SUM, REDUCE_MAX,
 * REDUCE_MIN and REDUCE_PROD, all walking a SpryReduceShape.
 *
 * The input is any row-major tensor; each output element (row-major over the
 * kept axes, which is the output layout with or without keep_dims) combines
 * the input elements that differ only in the reduced axes, visited in
 * increasing input order — the order TFLite accumulates in, so float sums
 * round identically.
 */
#ifndef SPRY_KERNELS_REFERENCE_REDUCE_H
#define SPRY_KERNELS_REFERENCE_REDUCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

typedef struct SpryReduceShape {
  int32_t kept_rank; /* axes that survive, outermost first */
  int32_t kept_dims[SPRY_MAX_RANK];
  size_t kept_strides[SPRY_MAX_RANK]; /* input element strides */
  int32_t reduced_rank;               /* axes summed over, outermost first */
  int32_t reduced_dims[SPRY_MAX_RANK];
  size_t reduced_strides[SPRY_MAX_RANK];
  size_t output_count; /* product of kept_dims */
  size_t reduce_count; /* product of reduced_dims */
  size_t input_count;  /* output_count * reduce_count */
} SpryReduceShape;

/* Splits an input shape by `reduced[axis]`. False for a rank outside
 * [0, SPRY_MAX_RANK], a negative dimension or an element count that
 * overflows. */
bool spry_reduce_shape_init(SpryReduceShape *shape, int32_t rank, const int32_t *dims,
                            const bool *reduced);

typedef struct SpryMeanParams {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier; /* input_scale / output_scale as from spry_quantize_multiplier */
  int shift;
} SpryMeanParams;

/* Means over the reduced axes. An empty input gives NaN (float) or 0
 * (quantized) outputs, as TFLite does. The quantized kernels fold 1/count
 * into the multiplier like TFLite's QuantizedMeanOrSum: the result is
 * round(input_scale / output_scale * (sum - count * input_zero_point) / count)
 * + output_zero_point in TFLite's fixed-point arithmetic, clamped. */
void spry_ref_mean_f32(const SpryReduceShape *shape, const float *input, float *output);
void spry_ref_mean_u8(const SpryMeanParams *params, const SpryReduceShape *shape,
                      const uint8_t *input, uint8_t *output);
void spry_ref_mean_s8(const SpryMeanParams *params, const SpryReduceShape *shape,
                      const int8_t *input, int8_t *output);
void spry_ref_mean_s16(const SpryMeanParams *params, const SpryReduceShape *shape,
                       const int16_t *input, int16_t *output);
/* Unquantized int32 and int64: the sum in int64 (wrapping for int64, as
 * TFLite's int64 accumulator does) divided by the count with truncation
 * towards zero (TFLite's reference Mean on integers); an empty reduction
 * gives 0. */
void spry_ref_mean_int(SpryType type, const SpryReduceShape *shape, const void *input,
                       void *output);

/* The (multiplier, shift) that requantizes the sum of `count` (> 0) inputs
 * of a quantized MEAN: params' pair with 1/count folded in. */
void spry_mean_multiplier(const SpryMeanParams *params, size_t count, int32_t *multiplier,
                          int *shift);

/* One output of quantized MEAN or SUM from the exact sum of its `count`
 * stored inputs: (sum - count * input_zero_point) narrowed to int32,
 * requantized with (multiplier, shift), plus output_zero_point; not yet
 * saturated to the output type. The reference kernels and the fast path
 * share it. */
int32_t spry_reduce_requantize(const SpryMeanParams *params, int64_t sum, int64_t count,
                               int32_t multiplier, int shift);

/* The combining step of SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN
 * (TFLite's reference EvalType/ReduceGeneric: start from the identity and
 * fold each element in; max/min keep the current value unless the new one
 * compares greater/less, so a NaN is only taken while nothing beats it). */
typedef enum SpryReduceOp {
  SPRY_REDUCE_SUM,
  SPRY_REDUCE_PROD,
  SPRY_REDUCE_MAX,
  SPRY_REDUCE_MIN
} SpryReduceOp;

void spry_ref_reduce_f32(SpryReduceOp op, const SpryReduceShape *shape, const float *input,
                         float *output);

/* Integer reduction on raw values of `type` (UINT8, INT8, INT16, INT32 or
 * INT64): sums and products wrap modulo the type's width as TFLite's
 * computation in the element type does (without its undefined behaviour). */
void spry_ref_reduce_int(SpryReduceOp op, SpryType type, const SpryReduceShape *shape,
                         const void *input, void *output);

/* Quantized SUM of `type` (UINT8, INT8 or INT16), as ai-edge-litert computes it:
 * input_scale / output_scale * (sum - count * input_zero_point) +
 * output_zero_point in TFLite's fixed-point arithmetic (params as for MEAN),
 * saturated to the output type. */
void spry_ref_sum_quantized(const SpryMeanParams *params, SpryType type,
                            const SpryReduceShape *shape, const void *input, void *output);

/* Quantized REDUCE_PROD of `type` (INT8 or INT16), TFLite's reference
 * QuantizedReduceProd: the first centred input (x - input_zero_point)
 * starts the product, each further one multiplies it and rescales it with
 * (multiplier, shift) in the 64-bit MultiplyByQuantizedMultiplier, and the
 * product is rescaled once more before output_zero_point is added and the
 * result saturated. (multiplier, shift) encode input_scale /
 * output_scale^(1 / reduce_count); shift must lie in [-31, 14]. Outputs of
 * an empty reduction get output_zero_point (TFLite leaves them unwritten). */
void spry_ref_prod_quantized(const SpryMeanParams *params, SpryType type,
                             const SpryReduceShape *shape, const void *input, void *output);

#endif /* SPRY_KERNELS_REFERENCE_REDUCE_H */
