/* SPDX-License-Identifier: Apache-2.0 */
/* comparison.c — reference comparisons, MAXIMUM/MINIMUM and LOGICAL_AND/OR. */
#include "comparison.h"

#include "../binary.h"
#include "../quantization.h"
#include "elementwise.h"

bool spry_compare_quant_params(float s1, int32_t z1, float s2, int32_t z2,
                               SpryCompareParams *params) {
  if (!(s1 > 0.0f && s1 < 1.0f && s2 > 0.0f && s2 < 1.0f)) return false;
  params->rescale = true;
  params->left_shift = 8;
  params->input1_offset = -z1;
  params->input2_offset = -z2;
  return spry_quantize_multiplier((double)s1, &params->input1_multiplier, &params->input1_shift) &&
         spry_quantize_multiplier((double)s2, &params->input2_multiplier, &params->input2_shift) &&
         params->input1_shift <= 0 && params->input2_shift <= 0;
}

/* x offset, shifted left and multiplied by its scale (no overflow: 9-bit
 * values shifted by 8). */
static int64_t rescaled(int64_t x, int32_t offset, int left_shift, int32_t multiplier, int shift) {
  return spry_multiply_by_quantized_multiplier_smaller_than_one(
      spry_shift_left_wrapping((int32_t)x + offset, left_shift), multiplier, shift);
}

/* Sign of x - y as -1, 0, 1; NaN compares as "unordered" (2), false for
 * every comparison except NOT_EQUAL, as in C++. */
static int order_f32(float x, float y) {
  if (x < y) return -1;
  if (x > y) return 1;
  return x == y ? 0 : 2;
}

static int order_i64(int64_t x, int64_t y) {
  return x < y ? -1 : (x > y ? 1 : 0);
}

static bool holds(SpryCompareOp op, int order) {
  switch (op) {
    case SPRY_CMP_EQUAL:
      return order == 0;
    case SPRY_CMP_NOT_EQUAL:
      return order != 0;
    case SPRY_CMP_LESS:
      return order == -1;
    case SPRY_CMP_LESS_EQUAL:
      return order == -1 || order == 0;
    case SPRY_CMP_GREATER:
      return order == 1;
    default: /* SPRY_CMP_GREATER_EQUAL */
      return order == 1 || order == 0;
  }
}

/* Order of element ia of a and ib of b, rescaled when params ask for it. */
static int element_order(const SpryCompareParams *p, const void *a, size_t ia, const void *b,
                         size_t ib) {
  if (p->type == SPRY_TYPE_FLOAT32 || spry_is_half_type(p->type))
    return order_f32(spry_load_float(a, p->type, ia), spry_load_float(b, p->type, ib));
  int64_t x = spry_load_int(a, p->type, ia), y = spry_load_int(b, p->type, ib);
  if (p->rescale) {
    x = rescaled(x, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    y = rescaled(y, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
  }
  return order_i64(x, y);
}

static void compare_element(const void *params, const void *a, size_t ia, const void *b,
                            size_t ib, void *out, size_t io) {
  const SpryCompareParams *p = params;
  ((bool *)out)[io] = holds(p->op, element_order(p, a, ia, b, ib));
}

void spry_ref_compare(const SpryCompareParams *params, const SpryBroadcast *bc, const void *input1,
                      const void *input2, bool *output) {
  spry_binary_walk(bc, compare_element, params, input1, input2, output);
}

static void maximum_minimum_element(const void *params, const void *a, size_t ia, const void *b,
                                    size_t ib, void *out, size_t io) {
  const SpryCompareParams *p = params;
  const int order = element_order(p, a, ia, b, ib);
  /* el1 > el2 ? el1 : el2 (MAXIMUM), el1 < el2 ? el1 : el2 (MINIMUM). */
  const bool first = p->op == SPRY_CMP_MAXIMUM ? order == 1 : order == -1;
  if (p->type == SPRY_TYPE_FLOAT32)
    ((float *)out)[io] = first ? ((const float *)a)[ia] : ((const float *)b)[ib];
  else if (spry_is_half_type(p->type)) /* the chosen value's bits, NaN payloads included */
    ((uint16_t *)out)[io] = first ? ((const uint16_t *)a)[ia] : ((const uint16_t *)b)[ib];
  else
    spry_store_int(out, p->type, io,
                   first ? spry_load_int(a, p->type, ia) : spry_load_int(b, p->type, ib));
}

void spry_ref_maximum_minimum(const SpryCompareParams *params, const SpryBroadcast *bc,
                              const void *input1, const void *input2, void *output) {
  spry_binary_walk(bc, maximum_minimum_element, params, input1, input2, output);
}

static void logical_element(const void *params, const void *a, size_t ia, const void *b,
                            size_t ib, void *out, size_t io) {
  const SpryCompareParams *p = params;
  const bool x = spry_load_bool(a, ia), y = spry_load_bool(b, ib);
  ((bool *)out)[io] = p->op == SPRY_CMP_LOGICAL_AND ? (x && y) : (x || y);
}

void spry_ref_logical(const SpryCompareParams *params, const SpryBroadcast *bc, const bool *input1,
                      const bool *input2, bool *output) {
  spry_binary_walk(bc, logical_element, params, input1, input2, output);
}
