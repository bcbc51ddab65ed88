/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shape_ops.c — SHAPE, RANK, FILL and ZEROS_LIKE: outputs that depend on the
 * input's shape (or a scalar) rather than its data.
 *
 * Versions: SHAPE 1, RANK 1, FILL 1–5, ZEROS_LIKE 1. SHAPE (out_type int32
 * or int64) and RANK (int32) are computed in prepare and written at invoke,
 * since arena tensors have no storage before. FILL's dims input must be
 * constant; its value is a scalar of the output type read at invoke. SHAPE,
 * RANK and FILL take any element type of 1, 2, 4 or 8 bytes; ZEROS_LIKE
 * float32, int32 and int64, as TFLite's kernel. ONES_LIKE is no TFLite
 * builtin.
 */
#include <stdlib.h>
#include <string.h>

#include "data_movement.h"
#include "kernel_util.h"

/* ShapeOptions field ids (schema.fbs). */
enum { SHAPE_OPT_OUT_TYPE = 0 };

typedef struct ShapeData {
  int32_t count;
  int64_t values[SPRY_MAX_RANK];
} ShapeData;

static SpryStatus shape_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  ShapeData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus int_output(SpryContext *ctx, const SpryTensor *out) {
  SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_INT32 || out->type == SPRY_TYPE_INT64,
                  SPRY_ERROR_UNSUPPORTED, "output type %s is not int32 or int64",
                  spry_type_name(out->type));
  return SPRY_OK;
}

static SpryStatus shape_prepare(SpryContext *ctx, SpryNode *node) {
  ShapeData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(int_output(ctx, out));
  const int32_t want = spry_option_i8(node->options, SHAPE_OPT_OUT_TYPE, SPRY_TYPE_INT32);
  SPRY_ENSURE_MSG(ctx, want == (int32_t)out->type, SPRY_ERROR_INVALID_MODEL,
                  "out_type %d differs from the output's %s", (int)want,
                  spry_type_name(out->type));
  d->count = in->rank;
  for (int32_t i = 0; i < in->rank; i++) d->values[i] = in->dims[i];
  const int32_t dims[1] = {in->rank};
  return spry_context_resize_tensor(ctx, out, 1, dims);
}

static SpryStatus rank_prepare(SpryContext *ctx, SpryNode *node) {
  ShapeData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(int_output(ctx, out));
  d->count = 1;
  d->values[0] = in->rank;
  return spry_context_resize_tensor(ctx, out, 0, NULL);
}

/* Writes the values computed in prepare in the output's integer type. */
static SpryStatus shape_invoke(SpryContext *ctx, SpryNode *node) {
  const ShapeData *d = node->user_data;
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, out != NULL, SPRY_ERROR_BAD_STATE, "output missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "output", out, (size_t)d->count));
  for (int32_t i = 0; i < d->count; i++) {
    if (out->type == SPRY_TYPE_INT64) {
      memcpy((uint8_t *)out->data + (size_t)i * 8, &d->values[i], 8);
    } else {
      const int32_t v = (int32_t)d->values[i];
      memcpy((uint8_t *)out->data + (size_t)i * 4, &v, 4);
    }
  }
  return SPRY_OK;
}

static SpryStatus fill_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *value = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  size_t elem = 0;
  SPRY_TRY(spry_dm_check_same_type(ctx, value, out, &elem));
  SPRY_ENSURE_MSG(ctx, spry_tensor_elements(value) == 1 && value->rank == 0,
                  SPRY_ERROR_INVALID_MODEL, "value must be a scalar");
  int64_t shape[SPRY_MAX_RANK];
  int32_t n = 0, dims[SPRY_MAX_RANK];
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 0), "dims", shape, SPRY_MAX_RANK, &n));
  for (int32_t i = 0; i < n; i++) {
    SPRY_ENSURE_MSG(ctx, shape[i] >= 0 && shape[i] <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                    "dimension %lld is invalid", (long long)shape[i]);
    dims[i] = (int32_t)shape[i];
  }
  return spry_context_resize_tensor(ctx, out, n, dims);
}

static SpryStatus fill_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *value = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, value && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t count = spry_tensor_elements(out), es = spry_type_size(out->type);
  if (count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "value", value, 1));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  for (size_t i = 0; i < count; i++) memcpy((uint8_t *)out->data + i * es, value->data, es);
  return SPRY_OK;
}

static SpryStatus zeros_like_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  size_t elem = 0;
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &elem));
  SPRY_TRY(spry_dm_check_type_in(ctx, in,
                                 SPRY_DM_TYPE(SPRY_TYPE_FLOAT32) | SPRY_DM_TYPE(SPRY_TYPE_INT32) |
                                     SPRY_DM_TYPE(SPRY_TYPE_INT64)));
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

/* All-zero bytes are 0 in every integer type and +0.0 in float32. */
static SpryStatus zeros_like_invoke(SpryContext *ctx, SpryNode *node) {
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, out != NULL, SPRY_ERROR_BAD_STATE, "output missing at invoke");
  const size_t count = spry_tensor_elements(out);
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  if (count > 0) memset(out->data, 0, count * spry_type_size(out->type));
  return SPRY_OK;
}

const SpryOpRegistration spry_op_shape = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 77, /* SHAPE */
    .min_version = 1, .max_version = 1, .builtin_options_type = 55, /* ShapeOptions */
    .init = shape_init, .free = spry_dm_free, .prepare = shape_prepare, .invoke = shape_invoke,
};

const SpryOpRegistration spry_op_rank = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 110, /* RANK */
    .min_version = 1, .max_version = 1, .builtin_options_type = 86, /* RankOptions */
    .init = shape_init, .free = spry_dm_free, .prepare = rank_prepare, .invoke = shape_invoke,
};

const SpryOpRegistration spry_op_fill = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 94, /* FILL */
    .min_version = 1, .max_version = 5, .builtin_options_type = 68, /* FillOptions */
    .prepare = fill_prepare, .invoke = fill_invoke,
};

const SpryOpRegistration spry_op_zeros_like = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 93, /* ZEROS_LIKE */
    .min_version = 1, .max_version = 1, .builtin_options_type = 67, /* ZerosLikeOptions */
    .prepare = zeros_like_prepare, .invoke = zeros_like_invoke,
};
