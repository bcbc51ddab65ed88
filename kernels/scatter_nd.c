/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scatter_nd.c — SCATTER_ND (version 1): a zero tensor of the given shape
 * with update slices added at int32 coordinates (duplicates accumulate).
 *
 * Types (TFLite's scatter_nd.cc): updates float32, uint8, int8, int32, int64
 * and bool; indices and shape int32 (TFLite refuses int64 indices). The
 * shape input must be a constant (it sets the output shape). A coordinate
 * outside its dimension fails at invoke with SPRY_ERROR_RUNTIME.
 */
#include <stdlib.h>

#include "data_movement.h"
#include "kernel_util.h"
#include "reference/index_ops.h"

static SpryStatus scatter_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  SpryScatterNdParams *p = calloc(1, sizeof *p);
  if (!p) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = p;
  return SPRY_OK;
}

static SpryStatus check_types(SpryContext *ctx, const SpryTensor *indices,
                              const SpryTensor *updates, const SpryTensor *shape,
                              const SpryTensor *out) {
  const SpryType t = updates->type;
  SPRY_ENSURE_MSG(ctx,
                  t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 ||
                      t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64 || t == SPRY_TYPE_BOOL,
                  SPRY_ERROR_UNSUPPORTED, "updates of type %s are not supported",
                  spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, out->type == t, SPRY_ERROR_INVALID_MODEL, "output type %s != updates %s",
                  spry_type_name(out->type), spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, indices->type == shape->type, SPRY_ERROR_INVALID_MODEL,
                  "indices (%s) and shape (%s) must have the same type",
                  spry_type_name(indices->type), spry_type_name(shape->type));
  SPRY_ENSURE_MSG(ctx, indices->type == SPRY_TYPE_INT32, SPRY_ERROR_UNSUPPORTED,
                  "indices of type %s are not supported (int32 only)",
                  spry_type_name(indices->type));
  return SPRY_OK;
}

/* TFLite's CheckShapes: updates = indices' outer dims + shape[index_depth:]. */
static SpryStatus check_shapes(SpryContext *ctx, const SpryTensor *indices,
                               const SpryTensor *updates, const int64_t *shape, int32_t n) {
  SPRY_ENSURE_MSG(ctx, indices->rank >= 1 && updates->rank >= 1, SPRY_ERROR_INVALID_MODEL,
                  "indices and updates must have rank >= 1");
  const int32_t outer = indices->rank - 1, depth = indices->dims[outer];
  for (int32_t i = 0; i < outer; i++)
    SPRY_ENSURE_MSG(ctx, i < updates->rank && indices->dims[i] == updates->dims[i],
                    SPRY_ERROR_INVALID_MODEL, "updates dimension %d differs from indices'",
                    (int)i);
  SPRY_ENSURE_MSG(ctx, depth <= n && updates->rank - outer == n - depth,
                  SPRY_ERROR_INVALID_MODEL,
                  "updates of rank %d do not match indices of rank %d with %d coordinates "
                  "into a rank-%d shape",
                  (int)updates->rank, (int)indices->rank, (int)depth, (int)n);
  for (int32_t i = 0; i + outer < updates->rank; i++)
    SPRY_ENSURE_MSG(ctx, updates->dims[i + outer] == shape[depth + i], SPRY_ERROR_INVALID_MODEL,
                    "updates dimension %d is %d, the shape says %lld", (int)(i + outer),
                    (int)updates->dims[i + outer], (long long)shape[depth + i]);
  return SPRY_OK;
}

static SpryStatus scatter_prepare(SpryContext *ctx, SpryNode *node) {
  SpryScatterNdParams *p = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, 1));
  const SpryTensor *indices = spry_node_input(ctx, node, 0);
  const SpryTensor *updates = spry_node_input(ctx, node, 1);
  const SpryTensor *shape_t = spry_node_input(ctx, node, 2);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(check_types(ctx, indices, updates, shape_t, out));
  SPRY_ENSURE_MSG(ctx, shape_t->rank == 1, SPRY_ERROR_INVALID_MODEL, "shape must be 1-D");
  int64_t shape[SPRY_MAX_RANK];
  int32_t n = 0, dims[SPRY_MAX_RANK];
  SPRY_TRY(spry_dm_const_ints(ctx, shape_t, "shape", shape, SPRY_MAX_RANK, &n));
  for (int32_t i = 0; i < n; i++) {
    SPRY_ENSURE_MSG(ctx, shape[i] >= 0 && shape[i] <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                    "shape dimension %lld is invalid", (long long)shape[i]);
    dims[i] = (int32_t)shape[i];
  }
  SPRY_TRY(check_shapes(ctx, indices, updates, shape, n));
  p->index_depth = indices->dims[indices->rank - 1];
  p->num_slices = spry_shape_element_count(indices->rank - 1, indices->dims);
  p->slice_size = spry_shape_element_count(n - p->index_depth, dims + p->index_depth);
  size_t stride = 1;
  for (int32_t j = p->index_depth - 1; j >= 0; j--) {
    p->out_dims[j] = dims[j];
    p->out_strides[j] = stride;
    stride *= (size_t)dims[j]; /* bounded by the output's element count */
  }
  SPRY_TRY(spry_context_resize_tensor(ctx, out, n, dims));
  p->output_count = spry_tensor_elements(out);
  return SPRY_OK;
}

static SpryStatus scatter_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryScatterNdParams *p = node->user_data;
  const SpryTensor *indices = spry_node_input(ctx, node, 0);
  const SpryTensor *updates = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, indices && updates && out, SPRY_ERROR_BAD_STATE,
                  "tensors missing at invoke");
  if (p->output_count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "indices", indices, spry_tensor_elements(indices)));
  SPRY_TRY(spry_op_check_data(ctx, "updates", updates, p->num_slices * p->slice_size));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, p->output_count));
  const int64_t bad = spry_ref_scatter_nd(p, out->type, indices->data, updates->data, out->data);
  SPRY_ENSURE_MSG(ctx, bad < 0, SPRY_ERROR_RUNTIME,
                  "indices of update %lld are out of range for the output shape", (long long)bad);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_scatter_nd = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 122, /* SCATTER_ND */
    .min_version = 1, .max_version = 1, .builtin_options_type = 97, /* ScatterNdOptions */
    .init = scatter_init, .free = spry_dm_free, .prepare = scatter_prepare,
    .invoke = scatter_invoke,
};
