/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fixedpoint.h — the fixed-point transcendental helpers TFLite takes from
 * gemmlowp (exp on negative values, 1/(1+x), reciprocal), reproduced bit for
 * bit so that quantized SOFTMAX, LOG_SOFTMAX (and LOGISTIC, TANH) match
 * TFLite's reference kernels exactly.
 *
 * Notation: a Qm value is an int32 whose real value is raw / 2^(31-m), i.e.
 * m integer bits and 31-m fractional bits. Intermediate sums use wrapping
 * two's complement arithmetic like gemmlowp; no input here can overflow them.
 */
#ifndef SPRY_KERNELS_FIXEDPOINT_H
#define SPRY_KERNELS_FIXEDPOINT_H

#include <stdint.h>

#include "quantization.h"

/* Leading zero bits of v (32 for 0), TFLite's CountLeadingZeros. */
static inline int spry_count_leading_zeros(uint32_t v) {
  int n = 0;
  while (n < 32 && !(v & UINT32_C(0x80000000))) {
    v <<= 1;
    n++;
  }
  return n;
}

static inline int32_t spry_fp_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t spry_fp_sub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* Product of two fixed-point numbers: Qm * Qn -> Q(m+n). */
static inline int32_t spry_fp_mul(int32_t a, int32_t b) {
  return spry_saturating_rounding_doubling_high_mul(a, b);
}

/* x * 2^exponent, saturating, for exponent in [1, 30] (gemmlowp's
 * SaturatingRoundingMultiplyByPOT with a positive exponent). */
static inline int32_t spry_fp_saturating_shl(int32_t x, int exponent) {
  const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return spry_shift_left_wrapping(x, exponent);
}

/* (a + b) / 2 rounded half away from zero. */
static inline int32_t spry_fp_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(a) for a Q5 value a <= 0; result in Q0 (1.0 saturates to INT32_MAX). */
int32_t spry_fp_exp_on_negative_values_q5(int32_t a);

/* 1 / (1 + x) for a Q0 value x in [0, 1); result in Q0. */
int32_t spry_fp_one_over_one_plus_x(int32_t x);

/* Reciprocal of a positive Q(x_integer_bits) value, as a Q0 mantissa and a
 * power of two: 1/x = result * 2^-num_bits_over_unit (TFLite's GetReciprocal). */
int32_t spry_fp_reciprocal(int32_t x, int x_integer_bits, int *num_bits_over_unit);

/* x * 2^exponent for any exponent: saturating left shifts, rounding right
 * shifts (TFLite's SaturatingRoundingMultiplyByPOTParam). */
int32_t spry_fp_mul_by_pot(int32_t x, int exponent);

/* log(x) for a positive Q(in_bits) value x >= 1 (in practice down to 1/x_max),
 * as a Q(out_bits) value: TFLite's log_x_for_x_greater_than_or_equal_to_1,
 * bit for bit. out_bits in [1, 29]. */
int32_t spry_fp_log(int32_t x, int in_bits, int out_bits);

/* 1/sqrt(x) for x >= 0 as a multiplier and a right shift (>= 0) for
 * spry_multiply_by_quantized_multiplier(v, *multiplier, -*right_shift):
 * TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift -1 (five
 * Newton-Raphson steps in Q3). x <= 1 gives (INT32_MAX, 0). */
void spry_fp_inv_sqrt(int32_t x, int32_t *multiplier, int *right_shift);

#endif /* SPRY_KERNELS_FIXEDPOINT_H */
