/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_fixed16.h — 16-bit gemmlowp fixed-point logistic and tanh, the gate
 * activations of TFLite's integer LSTM (tensor_utils ApplySigmoid/ApplyTanh)
 * and of the quantized BASIC LSTM cell (lstm_basic.h).
 *
 * Inputs are raw int16 values with `integer_bits` integer bits (Q3.12 gates,
 * Q(15+cell_scale) cell state); outputs are Q0.15. These follow gemmlowp's
 * FixedPoint<int16_t, N> arithmetic step for step (saturating doubling
 * high multiplies, Newton-Raphson reciprocal), so results are bit-exact.
 */
#ifndef SPRY_KERNELS_REFERENCE_LSTM_FIXED16_H
#define SPRY_KERNELS_REFERENCE_LSTM_FIXED16_H

#include <stdint.h>

#include "../quantization.h"

/* The raw int16 operations of gemmlowp's FixedPoint<int16_t, N>, shared by
 * the functions below and the cells built on them. */

/* Saturates an int32 to int16. */
static inline int16_t spry_fp16_saturate(int32_t v) {
  return (int16_t)spry_clamp_i32(v, INT16_MIN, INT16_MAX);
}

/* a + b, saturating (gemmlowp's SaturatingAdd). */
static inline int16_t spry_fp16_saturating_add(int16_t a, int16_t b) {
  return spry_fp16_saturate((int32_t)a + b);
}

/* Product of two fixed-point numbers, Qm * Qn -> Q(m+n): int16
 * SaturatingRoundingDoublingHighMul. */
static inline int16_t spry_fp16_mul(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}

/* x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 15]. */
static inline int16_t spry_fp16_rounding_divide_by_pot(int16_t x, int exponent) {
  const int32_t mask = (1 << exponent) - 1;
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* x * 2^exponent, saturating, for exponent in [0, 14] (gemmlowp's
 * SaturatingRoundingMultiplyByPOT with a non-negative exponent). */
static inline int16_t spry_fp16_saturating_shl(int16_t x, int exponent) {
  if (exponent == 0) return x;
  const int32_t threshold = (1 << (15 - exponent)) - 1;
  if (x > threshold) return INT16_MAX;
  if (x < -threshold) return INT16_MIN;
  return (int16_t)(x * (1 << exponent));
}

/* logistic(x) for x in Q3.12 (TFLite's ApplySigmoid). */
int16_t spry_fp16_logistic_q3(int16_t x);

/* tanh(x) for x with integer_bits in [0, 6] integer bits (ApplyTanh). */
int16_t spry_fp16_tanh(int16_t x, int integer_bits);

#endif /* SPRY_KERNELS_REFERENCE_LSTM_FIXED16_H */
