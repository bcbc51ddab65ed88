/* SPDX-License-Identifier: Apache-2.0 */
/*
 * comparison.h — reference comparisons (EQUAL, NOT_EQUAL, LESS, LESS_EQUAL,
 * GREATER, GREATER_EQUAL; bool output), MAXIMUM/MINIMUM and LOGICAL_AND/OR,
 * with broadcasting (shapes as a SpryBroadcast, see broadcast.h).
 *
 * Matches TFLite's reference_ops: ComparisonImpl / BroadcastComparison4DSlow
 * on raw values (float, int16, int32, int64, bool; float16 and bfloat16
 * widened to float), and for uint8/int8
 * ComparisonWithScaling: each input, offset by its zero point, is shifted
 * left by 8 and multiplied by its own scale as a fixed-point multiplier
 * (QuantizeMultiplierSmallerThanOneExp, so scales must be below 1), then the
 * two results are compared. MAXIMUM/MINIMUM pick a raw value
 * (maximum_minimum.cc: el1 > el2 ? el1 : el2, el1 < el2 ? el1 : el2), so
 * inputs and output share their quantization.
 */
#ifndef SPRY_KERNELS_REFERENCE_COMPARISON_H
#define SPRY_KERNELS_REFERENCE_COMPARISON_H

#include <stdbool.h>
#include <stdint.h>

#include "../broadcast.h"
#include "spry/spry.h"

typedef enum SpryCompareOp {
  SPRY_CMP_EQUAL,
  SPRY_CMP_NOT_EQUAL,
  SPRY_CMP_LESS,
  SPRY_CMP_LESS_EQUAL,
  SPRY_CMP_GREATER,
  SPRY_CMP_GREATER_EQUAL,
  SPRY_CMP_MAXIMUM,
  SPRY_CMP_MINIMUM,
  SPRY_CMP_LOGICAL_AND,
  SPRY_CMP_LOGICAL_OR,
} SpryCompareOp;

typedef struct SpryCompareParams {
  SpryCompareOp op;
  SpryType type; /* input type (float32, bool, or an integer type) */
  /* uint8/int8 comparisons: rescaling of each input (left_shift 8). */
  bool rescale;
  int left_shift;
  int32_t input1_offset, input2_offset;
  int32_t input1_multiplier, input2_multiplier;
  int input1_shift, input2_shift;
} SpryCompareParams;

/* Fills the rescaling of uint8/int8 inputs with scales s1, s2 and zero
 * points z1, z2; false unless both scales are in (0, 1). */
bool spry_compare_quant_params(float s1, int32_t z1, float s2, int32_t z2,
                               SpryCompareParams *params);

/* The six comparisons: output is bool. */
void spry_ref_compare(const SpryCompareParams *params, const SpryBroadcast *bc, const void *input1,
                      const void *input2, bool *output);

/* MAXIMUM, MINIMUM: output has the inputs' type. */
void spry_ref_maximum_minimum(const SpryCompareParams *params, const SpryBroadcast *bc,
                              const void *input1, const void *input2, void *output);

/* LOGICAL_AND, LOGICAL_OR on bool tensors. */
void spry_ref_logical(const SpryCompareParams *params, const SpryBroadcast *bc, const bool *input1,
                      const bool *input2, bool *output);

#endif /* SPRY_KERNELS_REFERENCE_COMPARISON_H */
