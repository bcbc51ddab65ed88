/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activations.h — element functions and loops of the ReLU family,
 * LEAKY_RELU, PRELU, ELU, HARD_SWISH and GELU, for use with unary.h.
 *
 * They match TFLite's kernels as its BUILTIN_REF resolver runs them:
 *   ReLU family (quantized)  reference_ops::ReluX: requantize, then clamp to
 *                            the activation's quantized bounds
 *   LEAKY_RELU (quantized)   reference_ops::QuantizeLeakyRelu
 *   PRELU (quantized)        reference_ops::BroadcastPrelu4DSlow / Prelu
 *   HARD_SWISH (quantized)   reference_ops::HardSwish, 16-bit fixed point
 *   float32                  the plain formulas of reference_ops
 */
#ifndef SPRY_KERNELS_REFERENCE_ACTIVATIONS_H
#define SPRY_KERNELS_REFERENCE_ACTIVATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "../broadcast.h"
#include "quant_access.h"

/* ---- float32 element functions (params: const SpryActF32Params *) ---- */
typedef struct SpryActF32Params {
  float lo, hi;    /* ReLU family clamp bounds (hi may be +inf) */
  float alpha;     /* LEAKY_RELU */
  int approximate; /* GELU */
} SpryActF32Params;

float spry_act_clamp_f32(float x, const void *params);
float spry_act_leaky_relu_f32(float x, const void *params);
float spry_act_elu_f32(float x, const void *params);
float spry_act_hard_swish_f32(float x, const void *params);
float spry_act_gelu_f32(float x, const void *params);
/* GELU on a float16 value (widened), each step rounded to float16 as
 * TFLite's Eigen::half instantiation computes it. */
float spry_act_gelu_f16(float x, const void *params);

/* ---- quantized element functions ---- */

/* ReLU family: out = clamp(out_zp + (q - in_zp) * M, act_min, act_max). */
typedef struct SpryReluQParams {
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier;
  int shift;
  int32_t act_min, act_max;
} SpryReluQParams;
int32_t spry_act_relu_q(int32_t q, const void *params);

/* LEAKY_RELU: identity and alpha multipliers for x >= 0 and x < 0. */
typedef struct SpryLeakyReluQParams {
  int32_t input_zero_point, output_zero_point;
  int32_t multiplier_identity, multiplier_alpha;
  int shift_identity, shift_alpha;
} SpryLeakyReluQParams;
int32_t spry_act_leaky_relu_q(int32_t q, const void *params);

/* HARD_SWISH: TFLite's HardSwishParams. */
typedef struct SpryHardSwishParams {
  int32_t input_zero_point, output_zero_point;
  int16_t reluish_multiplier_fixedpoint_int16;
  int reluish_multiplier_exponent;
  int16_t output_multiplier_fixedpoint_int16;
  int output_multiplier_exponent; /* <= 0 */
  int32_t qmin, qmax;             /* the type's range */
} SpryHardSwishParams;
int32_t spry_act_hard_swish_q(int32_t q, const void *params);

/* TFLite's DownScaleInt32ToInt16Multiplier (m >= 0). */
int16_t spry_downscale_multiplier_i16(int32_t m);

/* ---- PRELU: out = x >= 0 ? x : x * alpha, alpha broadcast to x ---- */
void spry_ref_prelu_f32(const SpryBroadcast *bc, const float *input, const float *alpha,
                        float *output);

typedef struct SpryPreluQParams {
  int32_t input_zero_point, alpha_zero_point, output_zero_point;
  int32_t multiplier_1, multiplier_2; /* x >= 0: in/out; x < 0: in*alpha/out */
  int shift_1, shift_2;
} SpryPreluQParams;
/* `type` is the input's and output's type, `alpha_type` alpha's (int8 for
 * int16 inputs, as TFLite pairs them; else the input's). */
void spry_ref_prelu_q(const SpryPreluQParams *p, const SpryBroadcast *bc, SpryQType type,
                      SpryQType alpha_type, const void *input, const void *alpha, void *output);

#endif /* SPRY_KERNELS_REFERENCE_ACTIVATIONS_H */
