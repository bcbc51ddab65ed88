/* SPDX-License-Identifier: Apache-2.0 */
/*
 * select.c — SELECT (versions 1..4) and SELECT_V2 (1..2): output =
 * condition ? x : y. SELECT takes a condition of x's shape, a scalar, or a
 * vector matching x's first dimension (TFLite's RankOneSelect), with x and y
 * of one shape; SELECT_V2 broadcasts all three. x, y and output share one
 * of bool, float16, bfloat16, float32, float64, uint8, int8, uint16, int16,
 * uint32, int32, int64 (TFLite's types); values are copied raw,
 * quantization parameters untouched (TFLite does not check them).
 */
#include "reference/select.h"

#include <stdlib.h>

#include "binary.h"
#include "kernel_util.h"
#include "spry/op.h"

#define T(type) (1u << SPRY_TYPE_##type)
#define SELECT_TYPES                                                                    \
  (T(BOOL) | T(FLOAT16) | T(BFLOAT16) | T(FLOAT32) | T(FLOAT64) | T(UINT8) | T(INT8) |  \
   T(UINT16) | T(INT16) | T(UINT32) | T(INT32) | T(INT64))
enum { SELECT_CODE = 64, SELECT_V2_CODE = 123 };

typedef struct SelectOpData {
  SprySelectParams params;
} SelectOpData;

static SpryStatus select_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  SelectOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static void select_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryStatus select_check_types(SpryContext *ctx, const SpryTensor *cond,
                                     const SpryTensor *x, const SpryTensor *y,
                                     const SpryTensor *out) {
  SPRY_ENSURE_MSG(ctx, cond->type == SPRY_TYPE_BOOL, SPRY_ERROR_INVALID_MODEL,
                  "condition must be bool, not %s", spry_type_name(cond->type));
  SPRY_ENSURE_MSG(ctx, y->type == x->type && out->type == x->type, SPRY_ERROR_INVALID_MODEL,
                  "x, y and output types differ (%s, %s -> %s)", spry_type_name(x->type),
                  spry_type_name(y->type), spry_type_name(out->type));
  SPRY_ENSURE_MSG(ctx, (unsigned)x->type < 32u && (SELECT_TYPES & (1u << (unsigned)x->type)),
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(x->type));
  return SPRY_OK;
}

/* SELECT (v1): the condition's shape as it broadcasts against x: x's own,
 * a scalar, or [x.dims[0], 1, ..., 1] for a vector selecting along dim 0. */
static SpryStatus select_v1_condition(SpryContext *ctx, const SpryTensor *cond,
                                      const SpryTensor *x, const SpryTensor *y, int32_t *rank,
                                      int32_t *dims) {
  SPRY_ENSURE_MSG(ctx, spry_same_shape(x, y), SPRY_ERROR_INVALID_MODEL,
                  "SELECT needs x and y of one shape (use SELECT_V2 to broadcast)");
  *rank = cond->rank;
  for (int32_t d = 0; d < cond->rank; d++) dims[d] = cond->dims[d];
  if (spry_same_shape(cond, x) || cond->rank == 0) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, cond->rank == 1 && x->rank >= 1 && cond->dims[0] == x->dims[0],
                  SPRY_ERROR_INVALID_MODEL,
                  "condition must have x's shape, be a scalar, or a vector of x's first "
                  "dimension");
  *rank = x->rank;
  for (int32_t d = 1; d < x->rank; d++) dims[d] = 1;
  return SPRY_OK;
}

static SpryStatus select_prepare(SpryContext *ctx, SpryNode *node) {
  SelectOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, 1));
  const SpryTensor *cond = spry_node_input(ctx, node, 0);
  const SpryTensor *x = spry_node_input(ctx, node, 1);
  const SpryTensor *y = spry_node_input(ctx, node, 2);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(select_check_types(ctx, cond, x, y, out));
  int32_t cond_rank = cond->rank, cond_dims[SPRY_MAX_RANK];
  int32_t xy_rank = 0, xy_dims[SPRY_MAX_RANK], out_rank = 0, out_dims[SPRY_MAX_RANK];
  if (node->builtin_code == SELECT_CODE) {
    SPRY_TRY(select_v1_condition(ctx, cond, x, y, &cond_rank, cond_dims));
  } else {
    for (int32_t i = 0; i < cond->rank; i++) cond_dims[i] = cond->dims[i];
  }
  SPRY_ENSURE_MSG(ctx,
                  spry_broadcast_shape(x->rank, x->dims, y->rank, y->dims, &xy_rank, xy_dims) &&
                      spry_broadcast_shape(cond_rank, cond_dims, xy_rank, xy_dims, &out_rank,
                                           out_dims) &&
                      spry_select_params(cond_rank, cond_dims, x->rank, x->dims, y->rank,
                                         y->dims, out_rank, out_dims, spry_type_size(x->type),
                                         &d->params),
                  SPRY_ERROR_INVALID_MODEL, "condition, x and y shapes do not broadcast");
  return spry_context_resize_tensor(ctx, out, out_rank, out_dims);
}

static SpryStatus select_invoke(SpryContext *ctx, SpryNode *node) {
  const SelectOpData *d = node->user_data;
  const SpryTensor *cond = spry_node_input(ctx, node, 0);
  const SpryTensor *x = spry_node_input(ctx, node, 1);
  const SpryTensor *y = spry_node_input(ctx, node, 2);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, cond && x && y && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const SprySelectParams *p = &d->params;
  SPRY_TRY(spry_op_check_data(ctx, "condition", cond,
                              spry_binary_operand_extent(&p->condition, p->condition.stride_a)));
  SPRY_TRY(spry_op_check_data(ctx, "x", x,
                              spry_binary_operand_extent(&p->values, p->values.stride_a)));
  SPRY_TRY(spry_op_check_data(ctx, "y", y,
                              spry_binary_operand_extent(&p->values, p->values.stride_b)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, p->values.count));
  spry_ref_select(p, cond->data, x->data, y->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_select = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = SELECT_CODE,
    .min_version = 1,
    .max_version = 4,
    .init = select_init,
    .free = select_free,
    .prepare = select_prepare,
    .invoke = select_invoke,
};

const SpryOpRegistration spry_op_select_v2 = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = SELECT_V2_CODE,
    .min_version = 1,
    .max_version = 2,
    .init = select_init,
    .free = select_free,
    .prepare = select_prepare,
    .invoke = select_invoke,
};
