/* SPDX-License-Identifier: Apache-2.0 */
/*
 * where.c — WHERE (versions 1–2): the coordinates of the true elements of a
 * condition, as an int64 [num_true, rank] tensor in row-major order.
 *
 * Types (TFLite's where.cc): bool (version 1), float32, int32, int64, int8,
 * uint8 and uint32 (version 2); quantized conditions are tested on their raw
 * values, as in TFLite (see reference/where.h). The output must be int64 (TFLite
 * forces it; a model declaring another type is refused). A scalar condition
 * has no coordinates to list and is refused at prepare (TFLite fails at eval).
 *
 * num_true depends on the values, so the output is a dynamic tensor (see
 * <spry/op.h>) sized at each invoke; it is bounded by the condition's
 * element count, which must fit an int32 dimension. A constant condition
 * gives a static shape, set at prepare, and the engine folds the node
 * (engine/constant_folding.c).
 */
#include <stdint.h>

#include "kernel_util.h"
#include "reference/where.h"

static bool supported_type(SpryType type) {
  switch (type) {
    case SPRY_TYPE_BOOL:
    case SPRY_TYPE_FLOAT32:
    case SPRY_TYPE_INT32:
    case SPRY_TYPE_INT64:
    case SPRY_TYPE_INT8:
    case SPRY_TYPE_UINT8:
    case SPRY_TYPE_UINT32: return true;
    default: return false;
  }
}

/* Counts the true elements and gives the output num_true rows. */
static SpryStatus resize_to_count(SpryContext *ctx, const SpryTensor *cond, SpryTensor *out,
                                  size_t elements) {
  SPRY_TRY(spry_op_check_data(ctx, "condition", cond, elements));
  const size_t num_true = spry_ref_where_count(cond->type, cond->data, elements);
  const int32_t dims[2] = {(int32_t)num_true, cond->rank}; /* num_true <= elements <= INT32_MAX */
  return spry_context_resize_tensor(ctx, out, 2, dims);
}

static SpryStatus where_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *cond = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, supported_type(cond->type), SPRY_ERROR_UNSUPPORTED,
                  "condition type %s is not supported (bool, float32, int32, int64, int8, "
                  "uint8, uint32)",
                  spry_type_name(cond->type));
  SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_INT64, SPRY_ERROR_INVALID_MODEL,
                  "output type %s, expected int64", spry_type_name(out->type));
  SPRY_ENSURE_MSG(ctx, cond->rank >= 1, SPRY_ERROR_INVALID_MODEL,
                  "the condition is a scalar: it has no coordinates to list (rank >= 1 needed)");
  const size_t elements = spry_tensor_elements(cond);
  SPRY_ENSURE_MSG(ctx, elements <= INT32_MAX, SPRY_ERROR_UNSUPPORTED,
                  "condition of %zu elements: the output row count must fit an int32 dimension",
                  elements);
  if (cond->kind == SPRY_TENSOR_CONSTANT) return resize_to_count(ctx, cond, out, elements);
  SPRY_TRY(spry_context_set_dynamic(ctx, out));
  /* Provisional shape until the first invoke: no rows yet. */
  const int32_t dims[2] = {0, cond->rank};
  return spry_context_resize_tensor(ctx, out, 2, dims);
}

static SpryStatus where_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *cond = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, cond && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t elements = spry_tensor_elements(cond);
  if (out->kind == SPRY_TENSOR_DYNAMIC) {
    SPRY_TRY(resize_to_count(ctx, cond, out, elements));
  } else {
    /* Sized at prepare from a constant condition: a defence against a plan
     * that does not match the data. */
    SPRY_TRY(spry_op_check_data(ctx, "condition", cond, elements));
    const size_t num_true = spry_ref_where_count(cond->type, cond->data, elements);
    SPRY_ENSURE_MSG(ctx, out->rank == 2 && (size_t)out->dims[0] == num_true,
                    SPRY_ERROR_RUNTIME, "the condition has %zu true elements, the output %d rows",
                    num_true, out->rank == 2 ? (int)out->dims[0] : -1);
  }
  SPRY_ENSURE_MSG(ctx, out->rank == 2 && out->dims[1] == cond->rank, SPRY_ERROR_BAD_STATE,
                  "output shape does not match the condition's rank %d", (int)cond->rank);
  SPRY_TRY(spry_op_check_data(ctx, "output", out,
                              (size_t)out->dims[0] * (size_t)out->dims[1]));
  spry_ref_where(cond->type, cond->data, cond->rank, cond->dims, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_where = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 109, /* WHERE */
    .min_version = 1, .max_version = 2,
    .builtin_options_type = 85, /* WhereOptions (empty) */
    .prepare = where_prepare, .invoke = where_invoke,
};
