/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arg_min_max.c — the ARG_MAX and ARG_MIN ops: the index of the greatest
 * (smallest) element along one axis, which is removed from the shape.
 *
 * Versions (TFLite defines 1..3 for both): 1 float32, uint8, int32;
 * 2 int8; 3 bool (int16 and int64 inputs are refused, as TFLite does). The axis is
 * a constant int32 or int64 tensor with one element (negative values count
 * from the end); the output is int32 or int64, as ArgMaxOptions.output_type
 * and the output tensor say.
 */
#include "reference/arg_min_max.h"

#include <stdlib.h>

#include "kernel_util.h"
#include "spry/op.h"

typedef struct ArgOpData {
  SpryArgMinMaxParams params;
} ArgOpData;

static SpryStatus arg_init(SpryContext *ctx, const SpryNode *node, void **user_data,
                           bool is_max) {
  (void)node;
  ArgOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->params.is_max = is_max;
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus arg_max_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return arg_init(ctx, node, user_data, true);
}

static SpryStatus arg_min_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return arg_init(ctx, node, user_data, false);
}

static void arg_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* The axis from the constant axis tensor, normalised to [0, rank). */
static SpryStatus read_axis(SpryContext *ctx, const SpryTensor *axis, int32_t rank,
                            int32_t *out_axis) {
  SPRY_ENSURE_MSG(ctx, axis->type == SPRY_TYPE_INT32 || axis->type == SPRY_TYPE_INT64,
                  SPRY_ERROR_INVALID_MODEL, "axis must be int32 or int64, is %s",
                  spry_type_name(axis->type));
  SPRY_ENSURE_MSG(ctx, spry_tensor_elements(axis) == 1, SPRY_ERROR_INVALID_MODEL,
                  "axis must hold exactly one value");
  SPRY_ENSURE_MSG(ctx, axis->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "the output shape depends on run-time data (axis is not constant)");
  SPRY_TRY(spry_op_check_data(ctx, "axis", axis, 1));
  const int64_t a = axis->type == SPRY_TYPE_INT32 ? *(const int32_t *)axis->data
                                                  : *(const int64_t *)axis->data;
  SPRY_ENSURE_MSG(ctx, a >= -(int64_t)rank && a < rank, SPRY_ERROR_INVALID_MODEL,
                  "axis %lld is out of range for rank %d", (long long)a, (int)rank);
  *out_axis = (int32_t)(a < 0 ? a + rank : a);
  return SPRY_OK;
}

/* TFLite's arg_min_max.cc: int16 and int64 inputs are refused there too. */
static bool supported_input(SpryType t) {
  return t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 ||
         t == SPRY_TYPE_INT32 || t == SPRY_TYPE_BOOL;
}

static SpryStatus arg_prepare(SpryContext *ctx, SpryNode *node) {
  ArgOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *axis_t = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, supported_input(in->type), SPRY_ERROR_UNSUPPORTED,
                  "input type %s is not supported", spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_INT32 || out->type == SPRY_TYPE_INT64,
                  SPRY_ERROR_INVALID_MODEL, "output must be int32 or int64, is %s",
                  spry_type_name(out->type));
  SPRY_ENSURE_MSG(ctx, in->rank >= 1, SPRY_ERROR_INVALID_MODEL, "input must have rank >= 1");
  int32_t axis = 0;
  SPRY_TRY(read_axis(ctx, axis_t, in->rank, &axis));
  SpryArgMinMaxParams *p = &d->params;
  p->input_type = in->type;
  p->output_type = out->type;
  p->axis_size = in->dims[axis];
  p->outer = (int64_t)spry_shape_element_count(axis, in->dims);
  p->inner = (int64_t)spry_shape_element_count(in->rank - axis - 1, in->dims + axis + 1);
  SPRY_ENSURE_MSG(ctx, p->axis_size > 0 || p->outer * p->inner == 0, SPRY_ERROR_INVALID_MODEL,
                  "cannot reduce over an empty axis");
  int32_t dims[SPRY_MAX_RANK];
  int32_t rank = 0;
  for (int32_t i = 0; i < in->rank; i++)
    if (i != axis) dims[rank++] = in->dims[i];
  return spry_context_resize_tensor(ctx, out, rank, dims);
}

static SpryStatus arg_invoke(SpryContext *ctx, SpryNode *node) {
  const ArgOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const SpryArgMinMaxParams *p = &d->params;
  const size_t out_count = (size_t)(p->outer * p->inner);
  SPRY_TRY(spry_op_check_data(ctx, "input", in, out_count * (size_t)p->axis_size));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, out_count));
  if (out_count == 0) return SPRY_OK;
  spry_ref_arg_min_max(p, in->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_arg_max = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 56, /* BuiltinOperator ARG_MAX */
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 40, /* BuiltinOptions ArgMaxOptions */
    .init = arg_max_init,
    .free = arg_free,
    .prepare = arg_prepare,
    .invoke = arg_invoke,
};

const SpryOpRegistration spry_op_arg_min = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 79, /* BuiltinOperator ARG_MIN */
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 57, /* BuiltinOptions ArgMinOptions */
    .init = arg_min_init,
    .free = arg_free,
    .prepare = arg_prepare,
    .invoke = arg_invoke,
};
