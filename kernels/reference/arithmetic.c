/* SPDX-License-Identifier: Apache-2.0 */
/* arithmetic.c — reference SUB, MUL, DIV, SQUARED_DIFFERENCE, POW, FLOOR_DIV, FLOOR_MOD. */
#include "arithmetic.h"

#include <math.h>

#include "../binary.h"
#include "../fixedpoint.h"
#include "../quantization.h"
#include "elementwise.h"

/* ---- float32 ------------------------------------------------------------------- */

/* TFLite's FloorMod on floats: std::fmod, moved to the divisor's sign. */
static float floor_mod_f32(float x, float y) {
  const float trunc_mod = fmodf(x, y);
  return (trunc_mod != 0.0f && ((y < 0.0f) != (trunc_mod < 0.0f))) ? trunc_mod + y : trunc_mod;
}

static float arith_f32(SpryArithOp op, float x, float y) {
  switch (op) {
    case SPRY_ARITH_ADD:
      return x + y;
    case SPRY_ARITH_SUB:
      return x - y;
    case SPRY_ARITH_MUL:
      return x * y;
    case SPRY_ARITH_DIV:
      return x / y;
    case SPRY_ARITH_SQUARED_DIFFERENCE:
      return (x - y) * (x - y);
    case SPRY_ARITH_POW:
      return powf(x, y);
    case SPRY_ARITH_FLOOR_DIV:
      /* TFLite divides in double and floors before narrowing. */
      return (float)floor((double)x / (double)y);
    default:
      return floor_mod_f32(x, y);
  }
}

static void arith_f32_element(const void *params, const void *a, size_t ia, const void *b,
                              size_t ib, void *out, size_t io) {
  const SpryArithParams *p = params;
  const float r = arith_f32(p->op, ((const float *)a)[ia], ((const float *)b)[ib]);
  ((float *)out)[io] = spry_clamp_f32_nan(r, p->f_min, p->f_max);
}

void spry_ref_arith_f32(const SpryArithParams *params, const SpryBroadcast *bc,
                        const float *input1, const float *input2, float *output) {
  spry_binary_walk(bc, arith_f32_element, params, input1, input2, output);
}

/* ---- float16 ------------------------------------------------------------------- */

/* x op y as the reference computes it on x86-64, NaNs included: a NaN
 * operand comes through, the second one when both are (the operand order
 * its compiled code has). Spelled out so that every CPU gives the same sign. */
static float arith_half_value(SpryArithOp op, float x, float y) {
  if (isnan(y)) return y;
  return spry_invalid_nan(arith_f32(op, x, y), x, y);
}

static void arith_half_element(const void *params, const void *a, size_t ia, const void *b,
                               size_t ib, void *out, size_t io) {
  const SpryArithParams *p = params;
  const float r = arith_half_value(p->op, spry_load_float(a, p->type, ia),
                                   spry_load_float(b, p->type, ib));
  /* Eigen's half operators round each result before the activation clamps
   * it: a tiny negative product stays -0 under RELU. */
  spry_store_float(out, p->type, io, r);
  const float rounded = spry_load_float(out, p->type, io);
  spry_store_float(out, p->type, io, spry_clamp_f32_nan(rounded, p->f_min, p->f_max));
}

void spry_ref_arith_half(const SpryArithParams *params, const SpryBroadcast *bc,
                         const void *input1, const void *input2, void *output) {
  spry_binary_walk(bc, arith_half_element, params, input1, input2, output);
}

/* ---- unquantized integers ------------------------------------------------------ */

bool spry_ref_arith_int_check(const SpryArithParams *params, const void *input2, size_t n) {
  const bool divides = params->op == SPRY_ARITH_DIV || params->op == SPRY_ARITH_FLOOR_DIV ||
                       params->op == SPRY_ARITH_FLOOR_MOD;
  if (!divides && params->op != SPRY_ARITH_POW) return true;
  for (size_t i = 0; i < n; i++) {
    const int64_t v = spry_load_int(input2, params->type, i);
    if (divides ? v == 0 : v < 0) return false;
  }
  return true;
}

/* TFLite's IntegerPow (exponent >= 0): square-and-multiply; the products wrap
 * modulo 2^64 here and are narrowed to the element type by the caller, which
 * is the same as wrapping at every step in the narrower type. */
static uint64_t integer_pow(uint64_t base, int64_t exponent) {
  uint64_t result = 1;
  while (exponent > 0) {
    if (exponent & 1) result *= base;
    exponent >>= 1;
    base *= base;
  }
  return result;
}

/* x / y rounded towards minus infinity; y != 0, and x / y must not overflow
 * int64 (callers of int64 exclude INT64_MIN / -1). */
static int64_t floor_div_i64(int64_t x, int64_t y) {
  const int64_t q = x / y;
  return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
}

/* TFLite's FloorMod on integers: the C remainder moved to the divisor's sign
 * (x % -1 is 0, which also sidesteps INT64_MIN % -1). */
static int64_t floor_mod_i64(int64_t x, int64_t y) {
  const int64_t trunc_mod = y == -1 ? 0 : x % y;
  return (trunc_mod != 0 && ((y < 0) != (trunc_mod < 0))) ? trunc_mod + y : trunc_mod;
}

/* The exact or modulo-2^64 result; the caller narrows it to the type. */
static int64_t arith_int(SpryArithOp op, int64_t x, int64_t y) {
  const uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (op) {
    case SPRY_ARITH_ADD:
      return (int64_t)(ux + uy);
    case SPRY_ARITH_SUB:
      return (int64_t)(ux - uy);
    case SPRY_ARITH_MUL:
      return (int64_t)(ux * uy);
    case SPRY_ARITH_DIV:
      /* Truncating division; INT64_MIN / -1 wraps to itself. */
      return (x == INT64_MIN && y == -1) ? x : x / y;
    case SPRY_ARITH_SQUARED_DIFFERENCE:
      return (int64_t)((ux - uy) * (ux - uy));
    case SPRY_ARITH_POW:
      return (int64_t)integer_pow(ux, y);
    case SPRY_ARITH_FLOOR_DIV:
      return (x == INT64_MIN && y == -1) ? x : floor_div_i64(x, y);
    default:
      return floor_mod_i64(x, y);
  }
}

static void arith_int_element(const void *params, const void *a, size_t ia, const void *b,
                              size_t ib, void *out, size_t io) {
  const SpryArithParams *p = params;
  const int64_t x = spry_load_int(a, p->type, ia), y = spry_load_int(b, p->type, ib);
  const int64_t r = spry_wrap_int(arith_int(p->op, x, y), p->type);
  spry_store_int(out, p->type, io, spry_clamp_i64(r, p->i_min, p->i_max));
}

void spry_ref_arith_int(const SpryArithParams *params, const SpryBroadcast *bc,
                        const void *input1, const void *input2, void *output) {
  spry_binary_walk(bc, arith_int_element, params, input1, input2, output);
}

/* ---- quantized ----------------------------------------------------------------- */

static void mul_q_element(const void *params, const void *a, size_t ia, const void *b, size_t ib,
                          void *out, size_t io) {
  const SpryArithParams *p = params;
  const SpryAddParams *q = &p->q;
  /* Both factors are at most 17 bits wide: the product fits in int32. */
  const int32_t x1 = spry_load_q(a, p->qtype, ia) + q->input1_offset;
  const int32_t x2 = spry_load_q(b, p->qtype, ib) + q->input2_offset;
  const int32_t raw =
      spry_multiply_by_quantized_multiplier(x1 * x2, q->output_multiplier, q->output_shift) +
      q->output_offset;
  spry_store_q(out, p->qtype, io, spry_clamp_i32(raw, q->q_min, q->q_max));
}

void spry_ref_mul_quantized(const SpryArithParams *params, const SpryBroadcast *bc,
                            const void *input1, const void *input2, void *output) {
  spry_binary_walk(bc, mul_q_element, params, input1, input2, output);
}

/* An input brought to the common scale: (x - z) << left_shift, rescaled. */
static int32_t common_scale(int32_t x, int32_t offset, int left_shift, int32_t multiplier,
                            int shift) {
  return spry_multiply_by_quantized_multiplier_smaller_than_one(
      spry_shift_left_wrapping(x + offset, left_shift), multiplier, shift);
}

static void squared_difference_q_element(const void *params, const void *a, size_t ia,
                                         const void *b, size_t ib, void *out, size_t io) {
  const SpryArithParams *p = params;
  const SpryAddParams *q = &p->q;
  const int32_t s1 = common_scale(spry_load_q(a, p->qtype, ia), q->input1_offset, q->left_shift,
                                  q->input1_multiplier, q->input1_shift);
  const int32_t s2 = common_scale(spry_load_q(b, p->qtype, ib), q->input2_offset, q->left_shift,
                                  q->input2_multiplier, q->input2_shift);
  /* |s1 - s2| < 2^15 for int8 inputs with left_shift 7: the square fits. */
  const int32_t diff = s1 - s2;
  const int32_t raw = spry_multiply_by_quantized_multiplier_smaller_than_one(
                          diff * diff, q->output_multiplier, q->output_shift) +
                      q->output_offset;
  spry_store_q(out, p->qtype, io, spry_clamp_i32(raw, q->q_min, q->q_max));
}

void spry_ref_squared_difference_quantized(const SpryArithParams *params, const SpryBroadcast *bc,
                                           const void *input1, const void *input2,
                                           void *output) {
  spry_binary_walk(bc, squared_difference_q_element, params, input1, input2, output);
}

/* TFLite's CountLeadingSignBits for int32. */
static int count_leading_sign_bits(int32_t x) {
  if (x == INT32_MIN) return 0;
  uint32_t u = x >= 0 ? (uint32_t)x : 2u * (uint32_t)(-x);
  int zeros = 32;
  while (u) {
    zeros--;
    u >>= 1;
  }
  return x >= 0 ? zeros - 1 : zeros;
}

/* TFLite's DivElementwise on offset values (x2 != 0): a negative divisor
 * flips both signs, so that the reciprocal stays a positive multiplier. */
static int32_t div_quantized(const SpryAddParams *q, int32_t x1, int32_t x2) {
  if (x2 < 0) {
    x1 = -x1; /* |x1|, |x2| <= 2^16: no overflow */
    x2 = -x2;
  }
  int recip_shift = 0;
  const int32_t inv = spry_fp_reciprocal(x2, 31, &recip_shift);
  const int headroom = count_leading_sign_bits(x1);
  const int32_t unscaled =
      spry_multiply_by_quantized_multiplier_greater_than_one(x1, inv, headroom);
  int total_shift = q->output_shift - recip_shift - headroom;
  /* TFLite leaves a shift outside [-31, 0] undefined; keep it in range. */
  total_shift = total_shift > 0 ? 0 : (total_shift < -31 ? -31 : total_shift);
  const int32_t raw = spry_multiply_by_quantized_multiplier_smaller_than_one(
                          unscaled, q->output_multiplier, total_shift) +
                      q->output_offset;
  return spry_clamp_i32(raw, q->q_min, q->q_max);
}

bool spry_ref_div_quantized(const SpryArithParams *params, const SpryBroadcast *bc,
                            const void *input1, const void *input2, void *output) {
  const SpryAddParams *q = &params->q;
  SpryBroadcastIter it;
  spry_broadcast_iter_start(&it);
  for (size_t i = 0; i < bc->count; i++, spry_broadcast_iter_next(bc, &it)) {
    const int32_t x2 = spry_load_q(input2, params->qtype, it.b) + q->input2_offset;
    if (x2 == 0) return false;
    const int32_t x1 = spry_load_q(input1, params->qtype, it.a) + q->input1_offset;
    spry_store_q(output, params->qtype, i, div_quantized(q, x1, x2));
  }
  return true;
}

void spry_ref_sub_s16_pot(const SpryArithParams *params, const SpryBroadcast *bc,
                          const int16_t *input1, const int16_t *input2, int16_t *output) {
  const SpryAddParams *q = &params->q;
  const bool shift_first = q->input1_shift != 0;
  const int right_shift = shift_first ? -q->input1_shift : -q->input2_shift;
  SpryBroadcastIter it;
  spry_broadcast_iter_start(&it);
  for (size_t i = 0; i < bc->count; i++, spry_broadcast_iter_next(bc, &it)) {
    int32_t x1 = input1[it.a], x2 = input2[it.b];
    if (shift_first)
      x1 = spry_rounding_divide_by_pot_i16(x1, right_shift);
    else
      x2 = spry_rounding_divide_by_pot_i16(x2, right_shift);
    const int32_t diff = spry_clamp_i32(x1 - x2, INT16_MIN, INT16_MAX);
    output[i] = (int16_t)spry_clamp_i32(diff, q->q_min, q->q_max);
  }
}
