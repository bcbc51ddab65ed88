/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantization.h — TFLite's fixed-point requantization arithmetic.
 *
 * These are the exact integer formulas of the TFLite quantization
 * specification (gemmlowp-style rounding doubling high multiply followed by a
 * rounding right shift), so that kernels built on them are bit-exact with
 * TFLite's reference kernels. Signed overflow is avoided by doing the
 * wrapping steps in unsigned arithmetic.
 */
#ifndef SPRY_KERNELS_QUANTIZATION_H
#define SPRY_KERNELS_QUANTIZATION_H

#include <stdbool.h>
#include <stdint.h>

/* Splits a positive real multiplier into a Q0.31 fixed-point value and a
 * power-of-two exponent: m ≈ multiplier * 2^31 * 2^-shift. A zero multiplier
 * gives (0, 0). Returns false for negative, NaN or infinite multipliers. */
bool spry_quantize_multiplier(double multiplier, int32_t *quantized_multiplier, int *shift);

/* (a * b * 2) >> 32 with round-to-nearest, saturating the one overflow case. */
static inline int32_t spry_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (1 - (INT64_C(1) << 30));
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31]. */
static inline int32_t spry_rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)((UINT32_C(1) << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^left_shift with two's complement wrap-around, as TFLite computes it. */
static inline int32_t spry_shift_left_wrapping(int32_t x, int left_shift) {
  return (int32_t)((uint32_t)x << left_shift);
}

/* x * real_multiplier, with the multiplier given as from spry_quantize_multiplier. */
static inline int32_t spry_multiply_by_quantized_multiplier(int32_t x, int32_t quantized_multiplier,
                                                            int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return spry_rounding_divide_by_pot(
      spry_saturating_rounding_doubling_high_mul(spry_shift_left_wrapping(x, left_shift),
                                                 quantized_multiplier),
      right_shift);
}

/* x * real_multiplier as TFLite's optimized GEMM requantizes (its uint8
 * BASIC LSTM cell): the same doubling high multiply, then a right shift that
 * rounds ties up (toward +infinity) instead of away from zero. */
static inline int32_t spry_multiply_by_quantized_multiplier_ties_up(int32_t x,
                                                                    int32_t quantized_multiplier,
                                                                    int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t high = spry_saturating_rounding_doubling_high_mul(
      spry_shift_left_wrapping(x, left_shift), quantized_multiplier);
  if (right_shift == 0) return high;
  return (int32_t)(((int64_t)high + (INT64_C(1) << (right_shift - 1))) >> right_shift);
}

/* Legacy form used by uint8 kernels for multipliers < 1 (left_shift <= 0). */
static inline int32_t spry_multiply_by_quantized_multiplier_smaller_than_one(
    int32_t x, int32_t quantized_multiplier, int left_shift) {
  return spry_rounding_divide_by_pot(
      spry_saturating_rounding_doubling_high_mul(x, quantized_multiplier), -left_shift);
}

/* Legacy form for multipliers > 1 (left_shift >= 0). */
static inline int32_t spry_multiply_by_quantized_multiplier_greater_than_one(
    int32_t x, int32_t quantized_multiplier, int left_shift) {
  return spry_saturating_rounding_doubling_high_mul(spry_shift_left_wrapping(x, left_shift),
                                                    quantized_multiplier);
}

/* 64-bit accumulator form used by the int16x8 kernels: requires
 * quantized_multiplier >= 0 and shift in [-31, 7]. */
static inline int32_t spry_multiply_by_quantized_multiplier_i64(int64_t x,
                                                                int32_t quantized_multiplier,
                                                                int shift) {
  const int32_t reduced =
      quantized_multiplier < 0x7FFF0000 ? ((quantized_multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int total_shift = 15 - shift;
  /* Wraps as TFLite's int64 arithmetic does in practice, should a very
   * deep 16x16 FULLY_CONNECTED push x past 2^47. */
  const uint64_t rounded = (uint64_t)x * (uint64_t)reduced + (UINT64_C(1) << (total_shift - 1));
  return (int32_t)((int64_t)rounded >> total_shift);
}

static inline int32_t spry_clamp_i32(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* TFLite's fused activation functions (ActivationFunctionType). */
typedef enum SpryActivation {
  SPRY_ACTIVATION_NONE = 0,
  SPRY_ACTIVATION_RELU = 1,
  SPRY_ACTIVATION_RELU_N1_TO_1 = 2,
  SPRY_ACTIVATION_RELU6 = 3,
  SPRY_ACTIVATION_TANH = 4,
  SPRY_ACTIVATION_SIGN_BIT = 5,
} SpryActivation;

/* Float clamp range of a fused activation; false for unsupported ones. */
bool spry_activation_range_f32(int activation, float *out_min, float *out_max);

/* Quantized clamp range of a fused activation for an output of the given
 * scale, zero point and integer range [qmin, qmax]; false for unsupported
 * activations or a non-positive/non-finite scale. */
bool spry_activation_range_quantized(int activation, float scale, int32_t zero_point,
                                     int32_t qmin, int32_t qmax, int32_t *out_min,
                                     int32_t *out_max);

/* Is a quantization scale usable (finite and > 0)? */
bool spry_scale_is_valid(float scale);

#endif /* SPRY_KERNELS_QUANTIZATION_H */
