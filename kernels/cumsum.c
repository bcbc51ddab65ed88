/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cumsum.c — CUMSUM (version 1): running sums along one axis, optionally
 * exclusive (each output holds the sum of the elements before it) and/or
 * reversed (summing from the end).
 *
 * Types (TFLite's cumsum.cc): float32, int32, int64. The output shape is the
 * input's, so the int32 axis may be computed at run time: a constant axis is
 * checked at prepare, a computed one at invoke (SPRY_ERROR_RUNTIME when out
 * of range). float32 sums accumulate in walk order like TFLite's.
 */
#include <stdlib.h>

#include "data_movement.h"
#include "kernel_util.h"
#include "reference/index_ops.h"

/* CumsumOptions field ids (schema.fbs). */
enum { CUMSUM_OPT_EXCLUSIVE = 0, CUMSUM_OPT_REVERSE = 1 };

typedef struct CumsumData {
  bool exclusive, reverse;
} CumsumData;

static SpryStatus cumsum_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  CumsumData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->exclusive = spry_option_bool(node->options, CUMSUM_OPT_EXCLUSIVE, false);
  d->reverse = spry_option_bool(node->options, CUMSUM_OPT_REVERSE, false);
  *user_data = d;
  return SPRY_OK;
}

/* The axis value (int32, one element) normalized against rank; `code` is the
 * status of an out-of-range value (a model error at prepare, a run-time one
 * at invoke). */
static SpryStatus resolve_axis(SpryContext *ctx, const SpryTensor *axis, int32_t rank,
                               SpryStatus code, int32_t *out) {
  SPRY_TRY(spry_op_check_data(ctx, "axis", axis, 1));
  const int32_t a = *(const int32_t *)axis->data;
  SPRY_ENSURE_MSG(ctx, a >= -rank && a < rank, code, "axis %d is out of range for rank %d",
                  (int)a, (int)rank);
  *out = a < 0 ? a + rank : a;
  return SPRY_OK;
}

static SpryStatus cumsum_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *axis = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const SpryType t = in->type;
  SPRY_ENSURE_MSG(ctx, t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64,
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported (float32, int32, int64)",
                  spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, out->type == t, SPRY_ERROR_INVALID_MODEL, "output type %s != input %s",
                  spry_type_name(out->type), spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, axis->type == SPRY_TYPE_INT32 && spry_tensor_elements(axis) == 1,
                  SPRY_ERROR_INVALID_MODEL, "axis must be one int32 element");
  SPRY_ENSURE_MSG(ctx, in->rank >= 1, SPRY_ERROR_INVALID_MODEL, "input must have rank >= 1");
  if (axis->kind == SPRY_TENSOR_CONSTANT) {
    int32_t a = 0;
    SPRY_TRY(resolve_axis(ctx, axis, in->rank, SPRY_ERROR_INVALID_MODEL, &a));
  }
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus cumsum_invoke(SpryContext *ctx, SpryNode *node) {
  const CumsumData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *axis_t = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && axis_t && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  int32_t axis = 0;
  SPRY_TRY(resolve_axis(ctx, axis_t, in->rank, SPRY_ERROR_RUNTIME, &axis));
  const size_t count = spry_tensor_elements(in);
  if (count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "input", in, count));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  const size_t outer = spry_shape_element_count(axis, in->dims);
  const size_t inner = spry_shape_element_count(in->rank - axis - 1, in->dims + axis + 1);
  spry_ref_cumsum(in->type, in->data, out->data, outer, in->dims[axis], inner, d->exclusive,
                  d->reverse);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_cumsum = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 128, /* CUMSUM */
    .min_version = 1, .max_version = 1, .builtin_options_type = 102, /* CumsumOptions */
    .init = cumsum_init, .free = spry_dm_free, .prepare = cumsum_prepare,
    .invoke = cumsum_invoke,
};
