/* SPDX-License-Identifier: Apache-2.0 */
/* elementwise_unary.c — reference element functions of the math ops. */
#include "elementwise_unary.h"

#include <math.h>

#include "../fixedpoint.h"
#include "../quantization.h"
#include "elementwise.h"

/* The float functions that are one libm call or operator. */
#define SIMPLE_F32(name, expr)                           \
  float spry_##name##_f32(float x, const void *params) { \
    (void)params;                                        \
    return (expr);                                       \
  }

SIMPLE_F32(abs, fabsf(x))
SIMPLE_F32(neg, -x)
SIMPLE_F32(square, x *x)
SIMPLE_F32(sin, sinf(x))
SIMPLE_F32(cos, cosf(x))
SIMPLE_F32(exp, expf(x))
SIMPLE_F32(log, logf(x))
SIMPLE_F32(sqrt, sqrtf(x))
SIMPLE_F32(rsqrt, 1.0f / sqrtf(x))
SIMPLE_F32(floor, floorf(x))
SIMPLE_F32(ceil, ceilf(x))

float spry_round_f32(float x, const void *params) {
  (void)params;
  /* TFLite's RoundToNearest: floor, then up unless below .5 or an even tie
   * (so -0.4 gives +0, as there). The parity test avoids an int cast. */
  const float f = floorf(x);
  const float diff = x - f;
  if (diff < 0.5f || (diff == 0.5f && fmodf(f, 2.0f) == 0.0f)) return f;
  return f + 1.0f;
}

float spry_sign_f32(float x, const void *params) {
  (void)params;
  if (isnan(x)) return x;
  return (float)((0.0f < x) - (x < 0.0f));
}

double spry_sign_f64(double x) {
  if (isnan(x)) return x;
  return (double)((0.0 < x) - (x < 0.0));
}

void spry_ref_half_sign_flip(size_t count, const uint16_t *input, uint16_t *output) {
  for (size_t i = 0; i < count; i++) output[i] = (uint16_t)(input[i] ^ 0x8000u);
}

void spry_ref_unary_f64(double (*fn)(double), size_t count, const double *input, double *output) {
  for (size_t i = 0; i < count; i++) output[i] = fn(input[i]);
}

int64_t spry_abs_int(int64_t x) { return x < 0 ? (int64_t)(0u - (uint64_t)x) : x; }

int64_t spry_neg_int(int64_t x) { return (int64_t)(0u - (uint64_t)x); }

int64_t spry_sign_int(int64_t x) { return (0 < x) - (x < 0); }

void spry_ref_unary_int(SpryUnaryIntFn fn, SpryType type, size_t count, const void *input,
                        void *output) {
  if (type != SPRY_TYPE_INT8 && type != SPRY_TYPE_INT16 && type != SPRY_TYPE_INT32 &&
      type != SPRY_TYPE_INT64)
    return;
  /* spry_store_int narrows with two's complement wrap-around. */
  for (size_t i = 0; i < count; i++)
    spry_store_int(output, type, i, fn(spry_load_int(input, type, i)));
}

int32_t spry_abs_q(int32_t q, const void *params) {
  const SpryAbsQParams *p = params;
  const int32_t v = q >= p->input_zero_point ? q - p->input_zero_point : p->input_zero_point - q;
  if (!p->rescale) return v + p->output_zero_point;
  return spry_multiply_by_quantized_multiplier(v, p->multiplier, p->shift) + p->output_zero_point;
}

int32_t spry_sqrt_q(int32_t q, const void *params) {
  const SprySqrtQParams *p = params;
  const float y = sqrtf((float)(q - p->input_zero_point) * p->input_scale) / p->output_scale;
  /* y >= 0; past 2^20 every output type saturates (and the int cast stays
   * defined). */
  if (!(y < 1048576.0f)) return INT32_MAX / 2;
  return (int32_t)y + p->output_zero_point;
}

int32_t spry_rsqrt_q(int32_t q, const void *params) {
  const SpryRsqrtQParams *p = params;
  const int32_t value = q - p->input_zero_point;
  if (value == 0) return INT8_MAX;
  const int shift20 = 20; /* keeps 1/sqrt(value) an integer */
  int32_t inv_multiplier;
  int inv_right_shift;
  spry_fp_inv_sqrt(value, &inv_multiplier, &inv_right_shift);
  const int32_t data =
      spry_multiply_by_quantized_multiplier(1, inv_multiplier, shift20 - inv_right_shift);
  return spry_multiply_by_quantized_multiplier(data, p->multiplier, p->shift - shift20) +
         p->output_zero_point;
}
