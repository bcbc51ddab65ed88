/* SPDX-License-Identifier: Apache-2.0 */
/* activations.c — reference element functions of the activation ops. */
#include "activations.h"

#include <math.h>

#include "../quantization.h"
#include "quantize.h"
#include "unary.h"

/* ---- float32 ---- */

float spry_act_clamp_f32(float x, const void *params) {
  const SpryActF32Params *p = params;
  if (isnan(x)) return x; /* TFLite's kernels propagate NaN */
  const float lower = x > p->lo ? x : p->lo;
  return lower < p->hi ? lower : p->hi;
}

float spry_act_leaky_relu_f32(float x, const void *params) {
  const SpryActF32Params *p = params;
  return x > 0.0f ? x : x * p->alpha;
}

float spry_act_elu_f32(float x, const void *params) {
  (void)params;
  return x < 0.0f ? expm1f(x) : x;
}

float spry_act_hard_swish_f32(float x, const void *params) {
  (void)params;
  const float r = x + 3.0f;
  const float relu6 = r > 6.0f ? 6.0f : (r > 0.0f ? r : 0.0f);
  return x * relu6 / 6.0f;
}

float spry_act_gelu_f32(float x, const void *params) {
  const SpryActF32Params *p = params;
  if (p && p->approximate) {
    /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    const float sqrt_2_over_pi = 0.7978845608028654f;
    return 0.5f * x * (1.0f + tanhf(sqrt_2_over_pi * (x + 0.044715f * x * x * x)));
  }
  /* 0.5 x erfc(-x / sqrt 2): erfc avoids cancellation for large negative x. */
  return 0.5f * x * erfcf(x * -0.70710678118654752f);
}

/* ---- float16 ---- */

/* One float16 operation: the float32 result rounded to float16 and widened. */
static float f16_step(float v) {
  return spry_f16_to_f32(spry_f32_to_f16(v));
}

float spry_act_gelu_f16(float x, const void *params) {
  /* TFLite's reference instantiates GELU on Eigen::half, so every constant,
   * product, sum and function value is rounded to float16 in turn; one
   * rounding at the end would differ for a sixth of the codes. */
  const SpryActF32Params *p = params;
  const float half_x = f16_step(0.5f * x);
  if (p && p->approximate) {
    const float cube = f16_step(f16_step(x * x) * x);
    const float inner = f16_step(x + f16_step(f16_step(0.044715f) * cube));
    const float t = f16_step(tanhf(f16_step(f16_step(0.7978845608028654f) * inner)));
    return f16_step(half_x * f16_step(1.0f + t));
  }
  const float e = f16_step(erfcf(f16_step(x * f16_step(-0.70710678118654752f))));
  return f16_step(half_x * e);
}

/* ---- quantized ---- */

int32_t spry_act_relu_q(int32_t q, const void *params) {
  const SpryReluQParams *p = params;
  const int32_t v = p->output_zero_point + spry_multiply_by_quantized_multiplier(
                                               q - p->input_zero_point, p->multiplier, p->shift);
  return spry_clamp_i32(v, p->act_min, p->act_max);
}

int32_t spry_act_leaky_relu_q(int32_t q, const void *params) {
  const SpryLeakyReluQParams *p = params;
  const int32_t x = q - p->input_zero_point;
  const int32_t scaled =
      x >= 0 ? spry_multiply_by_quantized_multiplier(x, p->multiplier_identity, p->shift_identity)
             : spry_multiply_by_quantized_multiplier(x, p->multiplier_alpha, p->shift_alpha);
  return p->output_zero_point + scaled; /* saturated to the type by the loop */
}

int16_t spry_downscale_multiplier_i16(int32_t m) {
  if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return (int16_t)((m + (1 << 15)) >> 16);
}

static int16_t saturate_i16(int64_t v) {
  return (int16_t)(v < INT16_MIN ? INT16_MIN : (v > INT16_MAX ? INT16_MAX : v));
}

/* gemmlowp's 16-bit SaturatingRoundingDoublingHighMul. */
static int16_t srdhm_i16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * (int32_t)b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}

/* The same product truncated toward zero (ARM's SQDMULH). */
static int16_t sdhm_i16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

static int16_t saturating_shl_i16(int16_t v, int amount) {
  return saturate_i16((int64_t)v * ((int64_t)1 << amount));
}

/* gemmlowp's RoundingDivideByPOT on int16: the mask is built in int16, so
 * exponents of 16 and more degenerate exactly as they do there. */
static int16_t rdbpot_i16(int16_t x, int exponent) {
  const int16_t mask = spry_wrap_i16((int32_t)((INT64_C(1) << exponent) - 1));
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask < 0 ? -1 : mask >> 1) + (x < 0 ? 1 : 0);
  return spry_wrap_i16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* The "relu-ish" factor in [0, 1] (Q0.15): (x + 3) / 6 clamped. */
static int16_t hard_swish_reluish(const SpryHardSwishParams *p, int16_t hires) {
  int16_t r = hires;
  const int e = p->reluish_multiplier_exponent;
  /* Shift left by all but one bit before the multiply, the last bit after,
   * so that saturation only happens where it affects the result. */
  if (e > 0) r = saturating_shl_i16(r, e - 1);
  r = srdhm_i16(r, p->reluish_multiplier_fixedpoint_int16);
  if (e > 0) r = saturating_shl_i16(r, 1);
  if (e < 0) r = rdbpot_i16(r, -e);
  return (int16_t)(((int32_t)r + (1 << 15)) >> 1);
}

int32_t spry_act_hard_swish_q(int32_t q, const void *params) {
  const SpryHardSwishParams *p = params;
  const int16_t x = spry_wrap_i16(q - p->input_zero_point);
  const int16_t hires = spry_wrap_i16((int32_t)x * (1 << 7));
  const int16_t preshift = srdhm_i16(hires, p->output_multiplier_fixedpoint_int16);
  const int16_t reluish = hard_swish_reluish(p, hires);
  const int16_t out = sdhm_i16(reluish, preshift);
  int16_t v = rdbpot_i16(out, -p->output_multiplier_exponent);
  v = spry_wrap_i16((int32_t)v + p->output_zero_point);
  return spry_clamp_i32(v, p->qmin, p->qmax);
}

/* ---- PRELU ---- */

void spry_ref_prelu_f32(const SpryBroadcast *bc, const float *input, const float *alpha,
                        float *output) {
  SpryBroadcastIter it;
  spry_broadcast_iter_start(&it);
  for (size_t i = 0; i < bc->count; i++) {
    const float x = input[it.a];
    output[i] = x >= 0.0f ? x : x * alpha[it.b];
    spry_broadcast_iter_next(bc, &it);
  }
}

void spry_ref_prelu_q(const SpryPreluQParams *p, const SpryBroadcast *bc, SpryQType type,
                      SpryQType alpha_type, const void *input, const void *alpha, void *output) {
  SpryBroadcastIter it;
  spry_broadcast_iter_start(&it);
  for (size_t i = 0; i < bc->count; i++) {
    const int32_t x = spry_load_q(input, type, it.a) - p->input_zero_point;
    int32_t v;
    if (x >= 0) {
      v = spry_multiply_by_quantized_multiplier(x, p->multiplier_1, p->shift_1);
    } else {
      const int32_t a = spry_load_q(alpha, alpha_type, it.b) - p->alpha_zero_point;
      /* |x|, |a| <= 2^16: the product fits in int32. */
      v = spry_multiply_by_quantized_multiplier(x * a, p->multiplier_2, p->shift_2);
    }
    spry_store_q(output, type, i, v + p->output_zero_point);
    spry_broadcast_iter_next(bc, &it);
  }
}
