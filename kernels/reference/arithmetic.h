/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arithmetic.h — reference SUB, MUL, DIV, SQUARED_DIFFERENCE, POW, FLOOR_DIV
 * and FLOOR_MOD with broadcasting (shapes as a SpryBroadcast, see
 * broadcast.h; the output is written in row-major order).
 *
 * Unquantized kernels follow TFLite's reference_ops (BroadcastSubSlow,
 * BroadcastMulSlow, BroadcastDivSlow, SquaredDifference, Pow, FloorDiv,
 * FloorMod): integer arithmetic wraps around in the element type (TFLite's
 * overflow is undefined in C++ and wraps in practice), then the fused
 * activation clamps. Integer division by zero and negative integer
 * exponents are rejected beforehand with spry_ref_arith_int_check.
 *
 * Quantized kernels (element type in SpryAddParams' terms):
 *   SUB      ADD's kernels with input 2's multiplier negated (TFLite's sub.cc
 *            passes the negated multiplier to its Add kernels); int16 with
 *            power-of-two scales: spry_ref_sub_s16_pot.
 *   MUL      (x1 - z1) * (x2 - z2) rescaled by s1 * s2 / so
 *            (reference_integer_ops::MulElementwise).
 *   SQUARED_DIFFERENCE  int8: inputs brought to a common scale with left
 *            shift 7, difference squared, rescaled (squared_difference.cc).
 *   DIV      uint8, int8, int16: reciprocal of the divisor in fixed point,
 *            multiplied and rescaled by s1 / (s2 * so) (reference_ops::Div on
 *            quantized types).
 */
#ifndef SPRY_KERNELS_REFERENCE_ARITHMETIC_H
#define SPRY_KERNELS_REFERENCE_ARITHMETIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../broadcast.h"
#include "add.h"
#include "quant_access.h"
#include "spry/spry.h"

typedef enum SpryArithOp {
  SPRY_ARITH_ADD, /* unquantized integers and float16 (ADD's other kernels are in add.h) */
  SPRY_ARITH_SUB,
  SPRY_ARITH_MUL,
  SPRY_ARITH_DIV,
  SPRY_ARITH_SQUARED_DIFFERENCE,
  SPRY_ARITH_POW,
  SPRY_ARITH_FLOOR_DIV,
  SPRY_ARITH_FLOOR_MOD,
} SpryArithOp;

typedef struct SpryArithParams {
  SpryArithOp op;
  SpryType type;        /* element type of both inputs and the output */
  float f_min, f_max;   /* float clamp */
  int64_t i_min, i_max; /* clamp of unquantized integers */
  SpryQType qtype;      /* quantized kernels: element type */
  SpryAddParams q;      /* quantized kernels: offsets, multipliers, q_min/q_max clamp */
} SpryArithParams;

/* float32 with TFLite's float semantics (std::pow, std::floor of the
 * quotient, std::fmod-based FloorMod). */
void spry_ref_arith_f32(const SpryArithParams *params, const SpryBroadcast *bc,
                        const float *input1, const float *input2, float *output);

/* ADD and MUL (params->op) on float16 (params->type) with Eigen's half
 * semantics: computed in float32, rounded to the type, then clamped to
 * [f_min, f_max] (which the caller keeps within the type's finite range, as
 * TFLite's activation range for half is). */
void spry_ref_arith_half(const SpryArithParams *params, const SpryBroadcast *bc,
                         const void *input1, const void *input2, void *output);

/* False when input 2 (n elements of params->type) holds a value the integer
 * op cannot take: a zero divisor (DIV, FLOOR_DIV, FLOOR_MOD) or a negative
 * exponent (POW), as TFLite's kernels check before running. */
bool spry_ref_arith_int_check(const SpryArithParams *params, const void *input2, size_t n);

/* Unquantized integers (int8, int16, int32, uint32, int64) of params->type. */
void spry_ref_arith_int(const SpryArithParams *params, const SpryBroadcast *bc,
                        const void *input1, const void *input2, void *output);

/* MUL on uint8, int8, int16 (params->qtype, params->q). */
void spry_ref_mul_quantized(const SpryArithParams *params, const SpryBroadcast *bc,
                            const void *input1, const void *input2, void *output);

/* SQUARED_DIFFERENCE on int8 (left_shift 7). */
void spry_ref_squared_difference_quantized(const SpryArithParams *params, const SpryBroadcast *bc,
                                           const void *input1, const void *input2, void *output);

/* DIV on uint8, int8, int16; false (nothing more written) when a divisor equals its zero
 * point, i.e. is a real zero. */
bool spry_ref_div_quantized(const SpryArithParams *params, const SpryBroadcast *bc,
                            const void *input1, const void *input2, void *output);

/* int16 SUB with power-of-two scales: the shifted input is rounded-divided
 * by 2^-shift and the difference saturated to int16, then clamped. */
void spry_ref_sub_s16_pot(const SpryArithParams *params, const SpryBroadcast *bc,
                          const int16_t *input1, const int16_t *input2, int16_t *output);

#endif /* SPRY_KERNELS_REFERENCE_ARITHMETIC_H */
