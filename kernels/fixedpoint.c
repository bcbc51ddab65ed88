/* SPDX-License-Identifier: Apache-2.0 */
/* fixedpoint.c — gemmlowp-exact fixed-point exp, 1/(1+x) and reciprocal. */
#include "fixedpoint.h"

/* exp(a) for a Q0 value a in [-1/4, 0): a fourth-order Taylor expansion
 * around -1/8, in the exact operation order of gemmlowp. */
static int32_t exp_on_interval_minus_quarter_to_zero(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;    /* exp(-1/8) in Q0 */
  const int32_t one_third = 715827883;                /* 1/3 in Q0 */
  const int32_t x = spry_fp_add(a, INT32_C(1) << 28); /* a + 1/8 */
  const int32_t x2 = spry_fp_mul(x, x);
  const int32_t x3 = spry_fp_mul(x2, x);
  const int32_t x4 = spry_fp_mul(x2, x2);
  const int32_t x4_over_4 = spry_rounding_divide_by_pot(x4, 2);
  const int32_t poly = spry_rounding_divide_by_pot(
      spry_fp_add(spry_fp_mul(spry_fp_add(x4_over_4, x3), one_third), x2), 1);
  return spry_fp_add(exp_minus_one_eighth, spry_fp_mul(exp_minus_one_eighth, spry_fp_add(x, poly)));
}

int32_t spry_fp_exp_on_negative_values_q5(int32_t a) {
  enum { kFractionalBits = 26 };
  /* exp(-2^k) in Q0 for k = -2 .. 4: multiplied in for each set bit of the
   * integer part (and the top two fractional bits) of -a. */
  static const int32_t kBarrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                     39332535,   720401,     242};
  const int32_t one_quarter = INT32_C(1) << (kFractionalBits - 2);
  const int32_t a_mod_quarter_minus_quarter = spry_fp_sub(a & (one_quarter - 1), one_quarter);
  /* Q5 -> Q0: a value in [-1/4, 0) cannot saturate. */
  int32_t result =
      exp_on_interval_minus_quarter_to_zero(spry_fp_saturating_shl(a_mod_quarter_minus_quarter, 5));
  const int32_t remainder = spry_fp_sub(a_mod_quarter_minus_quarter, a);
  for (int k = 0; k < 7; k++) {
    const int shift = kFractionalBits - 2 + k;
    if (remainder & (int32_t)(UINT32_C(1) << shift)) result = spry_fp_mul(result, kBarrel[k]);
  }
  return a == 0 ? INT32_MAX : result;
}

int32_t spry_fp_one_over_one_plus_x(int32_t x) {
  /* Newton-Raphson on the half denominator d = (1 + x) / 2 in [1/2, 1),
   * starting from 48/17 - 32/17 d; x is Q2 inside the loop. */
  const int32_t half_denominator = spry_fp_rounding_half_sum(x, INT32_MAX);
  const int32_t c48_over_17 = 1515870810;     /* Q2 */
  const int32_t cneg32_over_17 = -1010580540; /* Q2 */
  const int32_t one_q2 = INT32_C(1) << 29;
  int32_t r = spry_fp_add(c48_over_17, spry_fp_mul(half_denominator, cneg32_over_17));
  for (int i = 0; i < 3; i++) {
    const int32_t half_denominator_times_r = spry_fp_mul(half_denominator, r);
    const int32_t one_minus = spry_fp_sub(one_q2, half_denominator_times_r);
    /* r * one_minus is Q4; bring it back to Q2. */
    r = spry_fp_add(r, spry_fp_saturating_shl(spry_fp_mul(r, one_minus), 2));
  }
  /* r is 1/d in Q2; 1/(1+x) = r/2, read as Q1 and converted to Q0. */
  return spry_fp_saturating_shl(r, 1);
}

int32_t spry_fp_reciprocal(int32_t x, int x_integer_bits, int *num_bits_over_unit) {
  int headroom_plus_one = 0;
  uint32_t ux = (uint32_t)x;
  while (headroom_plus_one < 31 && !(ux & UINT32_C(0x80000000))) {
    ux <<= 1;
    headroom_plus_one++;
  }
  *num_bits_over_unit = x_integer_bits - headroom_plus_one;
  /* ux now has its top bit set: as Q0 (unsigned) it is in [1, 2). */
  const int32_t shifted_minus_one = (int32_t)(ux - UINT32_C(0x80000000));
  return spry_fp_one_over_one_plus_x(shifted_minus_one);
}

int32_t spry_fp_mul_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent >= 31) return x > 0 ? INT32_MAX : (x < 0 ? INT32_MIN : 0);
  if (exponent > 0) return spry_fp_saturating_shl(x, exponent);
  return spry_rounding_divide_by_pot(x, exponent < -31 ? 31 : -exponent);
}

static int32_t saturate_i64(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

/* The rational approximation of log(r) for the mantissa r in [sqrt(1/2), 1)
 * (Q0), in Q(accum_bits); num/denom form as in TFLite. */
static int32_t log_mantissa(int32_t r, int accum_bits) {
  const int32_t sqrt_sqrt_half = 1805811301;
  const int32_t alpha_n = 117049297; /* 11/240 * 2^(1/4) */
  const int32_t alpha_d = 127690142; /* 1/20 * 2^(1/4) */
  const int32_t alpha_i = 1057819769; /* 2 / 2^(1/4) - 2^(1/4) */
  const int32_t alpha_f = 638450708; /* 1/4 * 2^(1/4) */
  const int32_t p = spry_fp_rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = spry_fp_sub(r, sqrt_sqrt_half);
  q = spry_fp_add(q, q);
  const int32_t common_sq = spry_fp_mul(q, q);
  const int32_t num = spry_fp_add(spry_fp_mul(q, r), spry_fp_mul(spry_fp_mul(q, common_sq), alpha_n));
  const int32_t denom_minus_one = spry_fp_add(
      spry_fp_mul(p, spry_fp_add(spry_fp_add(alpha_i, q), spry_fp_mul(alpha_d, common_sq))),
      spry_fp_mul(alpha_f, q));
  const int32_t recip_denom = spry_fp_one_over_one_plus_x(denom_minus_one);
  return spry_fp_mul(spry_fp_mul_by_pot(num, -accum_bits), recip_denom);
}

int32_t spry_fp_log(int32_t x, int in_bits, int out_bits) {
  /* One extra integer bit of headroom: z_pow_2_adj * log(2) may saturate. */
  const int accum_bits = out_bits + 1;
  const int32_t log_2 = 1488522236;
  const int32_t sqrt_half = 1518500250;
  const int32_t shifted_quarter = spry_fp_mul_by_pot(536870912, -accum_bits); /* 1/4 */
  /* Two normalisations of x (as Q0): x itself and x * sqrt(1/2); the one
   * whose mantissa is smaller keeps the polynomial's argument in range. */
  const int z_a_headroom_plus_1 = spry_count_leading_zeros((uint32_t)x);
  const int32_t r_a_tmp = spry_fp_mul_by_pot(x, z_a_headroom_plus_1 - 1);
  const int32_t r_a = spry_fp_mul_by_pot(spry_fp_mul(r_a_tmp, sqrt_half), 1);
  const int32_t z_a_pow_2_adj =
      saturate_i64((int64_t)spry_fp_mul_by_pot(in_bits - z_a_headroom_plus_1, 31 - accum_bits) +
                   shifted_quarter);
  const int32_t z_b = spry_fp_mul(x, sqrt_half);
  const int z_b_headroom = spry_count_leading_zeros((uint32_t)z_b) - 1;
  const int32_t r_b = spry_fp_mul_by_pot(x, z_b_headroom);
  const int32_t z_b_pow_2_adj =
      saturate_i64((int64_t)spry_fp_mul_by_pot(in_bits - z_b_headroom, 31 - accum_bits) -
                   shifted_quarter);
  const int32_t r = r_a < r_b ? r_a : r_b;
  const int32_t z_pow_2_adj = z_a_pow_2_adj > z_b_pow_2_adj ? z_a_pow_2_adj : z_b_pow_2_adj;
  const int32_t sum = spry_fp_add(spry_fp_mul(z_pow_2_adj, log_2), log_mantissa(r, accum_bits));
  return spry_fp_mul_by_pot(sum, accum_bits - out_bits);
}

void spry_fp_inv_sqrt(int32_t x, int32_t *multiplier, int *right_shift) {
  if (x <= 1) {
    /* 0 is treated like 1 rather than dividing by zero, as in TFLite. */
    *multiplier = INT32_MAX;
    *right_shift = 0;
    return;
  }
  int shift = 11;
  while (x >= (INT32_C(1) << 29)) {
    x /= 4;
    shift++;
  }
  /* Normalise x into [2^27, 2^29) by an even shift, keeping sqrt exact. */
  const int pairs = (spry_count_leading_zeros((uint32_t)x) - 1) / 2 - 1;
  shift -= pairs;
  x = spry_shift_left_wrapping(x, 2 * pairs);
  const int32_t half_input = spry_rounding_divide_by_pot(x >> 1, 1); /* Q3 */
  const int32_t half_three = (INT32_C(1) << 28) + (INT32_C(1) << 27); /* 1.5 in Q3 */
  int32_t r = INT32_C(1) << 28; /* 1.0 in Q3 */
  for (int i = 0; i < 5; i++) {
    const int32_t r3 = spry_fp_mul_by_pot(spry_fp_mul(spry_fp_mul(r, r), r), 6); /* Q9 -> Q3 */
    r = spry_fp_mul_by_pot(spry_fp_sub(spry_fp_mul(half_three, r), spry_fp_mul(half_input, r3)),
                           3); /* Q6 -> Q3 */
  }
  r = spry_fp_mul(r, 1518500250); /* * sqrt(2)/2 */
  if (shift < 0) {
    r = spry_shift_left_wrapping(r, -shift);
    shift = 0;
  }
  *multiplier = r;
  *right_shift = shift;
}
