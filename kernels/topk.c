/* SPDX-License-Identifier: Apache-2.0 */
/*
 * topk.c — TOPK_V2 (versions 1–3): the k largest values of each innermost
 * row, in decreasing order, and their positions in the row.
 *
 * Types (TFLite's topk_v2.cc): float32, uint8, int32, int64 (v1), int8 (v2),
 * int16 (v3); the index output is int32 or int16. k must be a constant (it
 * sets the output shape). Equal values keep their row order (the lower index
 * first), as TFLite's comparator orders them; rows holding NaN have no
 * defined order in TFLite and may differ.
 */
#include "data_movement.h"
#include "kernel_util.h"
#include "reference/index_ops.h"

static SpryStatus check_types(SpryContext *ctx, const SpryTensor *in, const SpryTensor *values,
                              const SpryTensor *indices) {
  const SpryType t = in->type;
  SPRY_ENSURE_MSG(ctx,
                  t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 ||
                      t == SPRY_TYPE_INT16 || t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64,
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, values->type == t, SPRY_ERROR_INVALID_MODEL,
                  "values output type %s != input %s", spry_type_name(values->type),
                  spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, indices->type == SPRY_TYPE_INT32 || indices->type == SPRY_TYPE_INT16,
                  SPRY_ERROR_INVALID_MODEL, "indices output must be int32 or int16, not %s",
                  spry_type_name(indices->type));
  return SPRY_OK;
}

static SpryStatus topk_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 2));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *k_t = spry_node_input(ctx, node, 1);
  SpryTensor *values = spry_node_output(ctx, node, 0);
  SpryTensor *indices = spry_node_output(ctx, node, 1);
  SPRY_TRY(check_types(ctx, in, values, indices));
  SPRY_ENSURE_MSG(ctx,
                  (k_t->type == SPRY_TYPE_INT32 || k_t->type == SPRY_TYPE_INT16) &&
                      spry_tensor_elements(k_t) == 1,
                  SPRY_ERROR_INVALID_MODEL, "k must be one int32 or int16 element");
  SPRY_ENSURE_MSG(ctx, in->rank >= 1, SPRY_ERROR_INVALID_MODEL, "input must have rank >= 1");
  int64_t k = 0;
  int32_t n = 0;
  SPRY_TRY(spry_dm_const_ints_of(ctx, k_t, "k",
                                 SPRY_DM_TYPE(SPRY_TYPE_INT32) | SPRY_DM_TYPE(SPRY_TYPE_INT16), &k,
                                 1, &n));
  const int32_t row_size = in->dims[in->rank - 1];
  SPRY_ENSURE_MSG(ctx, k >= 0 && k <= row_size, SPRY_ERROR_INVALID_MODEL,
                  "k %lld is outside [0, %d] (the innermost dimension)", (long long)k,
                  (int)row_size);
  SPRY_ENSURE_MSG(ctx, indices->type != SPRY_TYPE_INT16 || row_size <= INT16_MAX + 1,
                  SPRY_ERROR_UNSUPPORTED, "rows of %d elements do not fit int16 indices",
                  (int)row_size);
  int32_t dims[SPRY_MAX_RANK];
  for (int32_t i = 0; i < in->rank; i++) dims[i] = in->dims[i];
  dims[in->rank - 1] = (int32_t)k;
  SPRY_TRY(spry_context_resize_tensor(ctx, values, in->rank, dims));
  return spry_context_resize_tensor(ctx, indices, in->rank, dims);
}

static SpryStatus topk_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *values = spry_node_output(ctx, node, 0);
  SpryTensor *indices = spry_node_output(ctx, node, 1);
  SPRY_ENSURE_MSG(ctx, in && values && indices, SPRY_ERROR_BAD_STATE,
                  "tensors missing at invoke");
  const size_t count = spry_tensor_elements(values);
  if (count == 0) return SPRY_OK;
  const int32_t row_size = in->dims[in->rank - 1], k = values->dims[values->rank - 1];
  const size_t rows = spry_shape_element_count(in->rank - 1, in->dims);
  SPRY_TRY(spry_op_check_data(ctx, "input", in, spry_tensor_elements(in)));
  SPRY_TRY(spry_op_check_data(ctx, "values", values, count));
  SPRY_TRY(spry_op_check_data(ctx, "indices", indices, count));
  spry_ref_topk(in->type, in->data, rows, row_size, k, values->data, indices->type,
                indices->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_topk_v2 = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 48, /* TOPK_V2 */
    .min_version = 1, .max_version = 3, .builtin_options_type = 34, /* TopKV2Options */
    .prepare = topk_prepare, .invoke = topk_invoke,
};
