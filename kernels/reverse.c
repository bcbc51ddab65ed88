/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reverse.c — the REVERSE_V2 op: the input with the listed axes reversed
 * (TFLite's reference_ops::Reverse, extended to several axes as in its newer
 * versions).
 *
 * Versions 1–4 (4 names no type Spry lacks); float32, float16, bfloat16,
 * int32, int64, bool, uint8, int8, int16 (TFLite's types, moved by their
 * size). The axes must be a constant int32 tensor (TFLite refuses int64);
 * negative axes count from the end and an axis
 * listed twice is reversed once (TFLite rejects duplicates; reversing once
 * is TensorFlow's reading).
 */
#include "data_movement.h"
#include "kernel_util.h"

static SpryStatus reverse_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  SPRY_TRY(spry_dm_check_type_in(ctx, in,
                                 SPRY_DM_TYPES_COMMON | SPRY_DM_TYPE(SPRY_TYPE_FLOAT16) |
                                     SPRY_DM_TYPE(SPRY_TYPE_BFLOAT16) |
                                     SPRY_DM_TYPE(SPRY_TYPE_BOOL)));
  int64_t axes[SPRY_MAX_RANK];
  int32_t n = 0;
  SPRY_TRY(spry_dm_const_ints_of(ctx, spry_node_input(ctx, node, 1), "axis",
                                 SPRY_DM_TYPE(SPRY_TYPE_INT32), axes, SPRY_MAX_RANK, &n));
  bool flip[SPRY_MAX_RANK] = {false};
  for (int32_t i = 0; i < n; i++) {
    int32_t axis = 0;
    SPRY_TRY(spry_dm_axis(ctx, axes[i], in->rank, &axis));
    flip[axis] = true;
  }
  d->view.rank = in->rank;
  d->view.base = 0;
  spry_row_major_strides(in->rank, in->dims, d->view.strides);
  for (int32_t i = 0; i < in->rank; i++) {
    d->view.dims[i] = in->dims[i];
    if (!flip[i] || in->dims[i] <= 0) continue;
    /* Start at the last element of the axis and walk backwards. */
    d->view.base += d->view.strides[i] * (in->dims[i] - 1);
    d->view.strides[i] = -d->view.strides[i];
  }
  return spry_dm_view_finish(ctx, d, in, out, in->rank, in->dims);
}

const SpryOpRegistration spry_op_reverse_v2 = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 105, /* BuiltinOperator REVERSE_V2 */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 81, /* BuiltinOptions ReverseV2Options */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = reverse_prepare,
    .invoke = spry_dm_view_invoke,
};
