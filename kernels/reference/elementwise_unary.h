/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise_unary.h — element functions of the math ops (ABS, NEG, SQUARE,
 * SIN, COS, EXP, LOG, SQRT, RSQRT, FLOOR, CEIL, ROUND, SIGN) for the loops of
 * unary.h, and a loop for plain (not quantized) integer tensors.
 *
 * float32 functions are the libm calls TFLite's kernels make; ROUND is
 * reference_ops::RoundToNearest (ties to even). Integer ABS/NEG wrap at the
 * type minimum (two's complement), where C++ would overflow.
 */
#ifndef SPRY_KERNELS_REFERENCE_ELEMENTWISE_UNARY_H
#define SPRY_KERNELS_REFERENCE_ELEMENTWISE_UNARY_H

#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

float spry_abs_f32(float x, const void *params);
float spry_neg_f32(float x, const void *params);
float spry_square_f32(float x, const void *params);
float spry_sin_f32(float x, const void *params);
float spry_cos_f32(float x, const void *params);
float spry_exp_f32(float x, const void *params);
float spry_log_f32(float x, const void *params);
float spry_sqrt_f32(float x, const void *params);
float spry_rsqrt_f32(float x, const void *params);
float spry_floor_f32(float x, const void *params);
float spry_ceil_f32(float x, const void *params);
float spry_round_f32(float x, const void *params);
float spry_sign_f32(float x, const void *params);
/* float64 SIGN: -1, 0 or 1, NaN kept (-0 gives 0). */
double spry_sign_f64(double x);

/* NEG of float16 or bfloat16 elements: the sign bit flipped (NaN payloads
 * kept, as Eigen's half negation does, where a float round trip would
 * quieten them). */
void spry_ref_half_sign_flip(size_t count, const uint16_t *input, uint16_t *output);

/* Applies fn over float64 elements. */
void spry_ref_unary_f64(double (*fn)(double), size_t count, const double *input, double *output);

/* Integer element functions on a widened value; the loop wraps the result
 * back to the tensor's type. */
typedef int64_t (*SpryUnaryIntFn)(int64_t x);
int64_t spry_abs_int(int64_t x);
int64_t spry_neg_int(int64_t x);
int64_t spry_sign_int(int64_t x);

/* Applies fn over int8, int16, int32 or int64 elements, results wrapped to the
 * type (other types: no-op). */
void spry_ref_unary_int(SpryUnaryIntFn fn, SpryType type, size_t count, const void *input,
                        void *output);

/* Quantized ABS (int8/int16): |q - in_zp| requantized to the output. */
typedef struct SpryAbsQParams {
  int32_t input_zero_point, output_zero_point;
  int rescale; /* 0 when the scales are equal */
  int32_t multiplier;
  int shift;
} SpryAbsQParams;
int32_t spry_abs_q(int32_t q, const void *params);

/* Quantized SQRT (int8/int16) of q >= input_zero_point, in float as TFLite
 * computes it: sqrtf((q - zp_in) * s_in) / s_out truncated, plus zp_out. */
typedef struct SprySqrtQParams {
  int32_t input_zero_point, output_zero_point;
  float input_scale, output_scale;
} SprySqrtQParams;
int32_t spry_sqrt_q(int32_t q, const void *params);

/* Quantized int8 RSQRT of q >= input_zero_point in fixed point (TFLite's
 * RsqrtEvalQuantizedInt8): 1/sqrt(q - zp_in) from the integer inverse square
 * root, scaled by 1 / (sqrt(s_in) * s_out) (multiplier, shift); q == zp_in
 * gives the int8 maximum. */
typedef struct SpryRsqrtQParams {
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier;
  int shift;
} SpryRsqrtQParams;
int32_t spry_rsqrt_q(int32_t q, const void *params);

#endif /* SPRY_KERNELS_REFERENCE_ELEMENTWISE_UNARY_H */
