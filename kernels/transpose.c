/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose.c — the TRANSPOSE op: output dimension i is input dimension
 * perm[i] (TFLite's reference_ops::Transpose).
 *
 * Versions 1–9 (7: int4, refused; 8: bfloat16 or rank above 6; 9 names no
 * type Spry lacks); any element type of 1, 2, 4 or 8 bytes, ranks up to
 * SPRY_MAX_RANK. The permutation must be a constant
 * int32/int64 tensor holding each axis once (negative entries count from the
 * end, as TFLite's newer versions allow).
 */
#include "data_movement.h"
#include "kernel_util.h"

static SpryStatus transpose_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  int64_t perm[SPRY_MAX_RANK];
  int32_t n = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 1), "perm", perm, SPRY_MAX_RANK, &n));
  SPRY_ENSURE_MSG(ctx, n == in->rank, SPRY_ERROR_INVALID_MODEL,
                  "perm has %d entries for a rank-%d input", (int)n, (int)in->rank);
  int64_t in_strides[SPRY_MAX_RANK];
  spry_row_major_strides(in->rank, in->dims, in_strides);
  bool used[SPRY_MAX_RANK] = {false};
  int32_t dims[SPRY_MAX_RANK];
  d->view.rank = n;
  d->view.base = 0;
  for (int32_t i = 0; i < n; i++) {
    int32_t axis = 0;
    SPRY_TRY(spry_dm_axis(ctx, perm[i], in->rank, &axis));
    SPRY_ENSURE_MSG(ctx, !used[axis], SPRY_ERROR_INVALID_MODEL,
                    "perm names axis %d twice", (int)axis);
    used[axis] = true;
    dims[i] = in->dims[axis];
    d->view.dims[i] = dims[i];
    d->view.strides[i] = in_strides[axis];
  }
  return spry_dm_view_finish(ctx, d, in, out, n, dims);
}

const SpryOpRegistration spry_op_transpose = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 39, /* BuiltinOperator TRANSPOSE */
    .min_version = 1,
    .max_version = 9,
    .builtin_options_type = 26, /* BuiltinOptions TransposeOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = transpose_prepare,
    .invoke = spry_dm_view_invoke,
};
