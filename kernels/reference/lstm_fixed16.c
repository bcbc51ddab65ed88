/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_fixed16.c — 16-bit gemmlowp fixed-point logistic and tanh (see the header). */
#include "lstm_fixed16.h"

/* int16 two's complement wrap-around, as gemmlowp's raw int16 + and - give. */
static int16_t wrap16(int32_t v) { return (int16_t)(uint16_t)((uint32_t)v & 0xFFFFu); }

/* A gemmlowp constant given in 32-bit raw form, rescaled to 16 bits. */
static int16_t const16(int32_t raw32) { return (int16_t)spry_rounding_divide_by_pot(raw32, 16); }

/* RoundingHalfSum on int16. */
static int16_t half_sum16(int16_t a, int16_t b) {
  const int32_t sum = (int32_t)a + b;
  return (int16_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(a) for a in [-1/4, 0), Q0.15 in and out: Taylor series around -1/8. */
static int16_t exp_quarter(int16_t a) {
  const int16_t constant_term = const16(1895147668);
  const int16_t one_third = const16(715827883);
  const int16_t x = wrap16(a + (1 << 12));
  const int16_t x2 = spry_fp16_mul(x, x);
  const int16_t x3 = spry_fp16_mul(x2, x);
  const int16_t x4 = spry_fp16_mul(x2, x2);
  const int16_t x4_over_4 = spry_fp16_rounding_divide_by_pot(x4, 2);
  const int16_t poly =
      spry_fp16_rounding_divide_by_pot(wrap16(spry_fp16_mul(wrap16(x4_over_4 + x3), one_third) + x2), 1);
  return spry_fp16_saturate((int32_t)constant_term + spry_fp16_mul(constant_term, wrap16(x + poly)));
}

/* exp(a) for a <= 0 with `bits` integer bits; Q0.15 result. */
static int16_t exp_on_negative(int16_t a, int bits) {
  static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                         39332535,   720401,     242};
  const int frac = 15 - bits;
  const int32_t quarter = 1 << (frac - 2);
  const int16_t a_mod = wrap16((a & (quarter - 1)) - quarter);
  int16_t result = exp_quarter(spry_fp16_saturating_shl(a_mod, bits));
  const int16_t remainder = wrap16(a_mod - a);
  /* Barrel shifter: multiply by exp(-2^e) for every set bit of the remainder. */
  for (int e = -2; e <= 4; e++) {
    if (bits > e && (remainder & (1 << (frac + e))))
      result = spry_fp16_mul(result, const16(multipliers[e + 2]));
  }
  if (bits > 5 && a < const16(-(int32_t)(UINT32_C(1) << (36 - bits)))) result = 0;
  return a == 0 ? INT16_MAX : result;
}

/* Newton-Raphson estimate of 2 / (1 + a) in Q2.13 for a in [0, 1] (Q0.15). */
static int16_t two_over_one_plus(int16_t a) {
  const int16_t half_denominator = half_sum16(a, INT16_MAX);
  int16_t x = wrap16(const16(1515870810) + spry_fp16_mul(half_denominator, const16(-1010580540)));
  for (int i = 0; i < 3; i++) {
    const int16_t one_minus = wrap16((1 << 13) - spry_fp16_mul(half_denominator, x));
    x = wrap16(x + spry_fp16_saturating_shl(spry_fp16_mul(x, one_minus), 2));
  }
  return x;
}

int16_t spry_fp16_logistic_q3(int16_t x) {
  if (x == 0) return const16(1 << 30);
  const int16_t abs_x = x > 0 ? x : wrap16(-(int32_t)x);
  /* 1 / (1 + exp(-|x|)): the estimate of 2/(1+e) reinterpreted as Q1.14, rescaled. */
  const int16_t positive = spry_fp16_saturating_shl(two_over_one_plus(exp_on_negative(wrap16(-(int32_t)abs_x), 3)), 1);
  return x > 0 ? positive : wrap16(INT16_MAX - positive);
}

int16_t spry_fp16_tanh(int16_t x, int integer_bits) {
  if (x == 0) return 0;
  const int16_t n = x < 0 ? x : wrap16(-(int32_t)x);
  /* exp(2n): the raw value reinterpreted with one more integer bit. */
  const int16_t e = exp_on_negative(n, integer_bits + 1);
  const int16_t t = spry_fp16_saturating_shl(wrap16(two_over_one_plus(e) - (1 << 13)), 2);
  return x < 0 ? wrap16(-(int32_t)t) : t;
}
