/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tile_broadcast.c — TILE (repeat the input `multiples` times per axis) and
 * BROADCAST_TO (NumPy broadcasting to a given shape), as strided views:
 * TILE splits every output axis into (repeat, original) with the repeat
 * stride 0; BROADCAST_TO gives stride 0 to the axes it stretches. These are
 * TFLite's reference Tile and BroadcastTo element orders.
 *
 * TILE versions 1–3, BROADCAST_TO versions 2–4 (4 names no type Spry lacks);
 * any element type of 1, 2, 4 or 8 bytes. multiples / shape must be
 * constant int32/int64 tensors.
 */
#include "data_movement.h"
#include "kernel_util.h"

static SpryStatus tile_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  int64_t mult[SPRY_MAX_RANK];
  int32_t n = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 1), "multiples", mult,
                              SPRY_MAX_RANK, &n));
  SPRY_ENSURE_MSG(ctx, n == in->rank, SPRY_ERROR_INVALID_MODEL,
                  "multiples has %d entries for a rank-%d input", (int)n, (int)in->rank);
  int64_t in_strides[SPRY_MAX_RANK];
  spry_row_major_strides(in->rank, in->dims, in_strides);
  int32_t dims[SPRY_MAX_RANK];
  d->view.rank = 2 * n;
  d->view.base = 0;
  for (int32_t i = 0; i < n; i++) {
    const int64_t total = mult[i] * in->dims[i];
    SPRY_ENSURE_MSG(ctx, mult[i] >= 0 && total <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                    "multiple %lld of axis %d is invalid", (long long)mult[i], (int)i);
    dims[i] = (int32_t)total;
    d->view.dims[2 * i] = (int32_t)mult[i];
    d->view.strides[2 * i] = 0;
    d->view.dims[2 * i + 1] = in->dims[i];
    d->view.strides[2 * i + 1] = in_strides[i];
  }
  return spry_dm_view_finish(ctx, d, in, out, n, dims);
}

static SpryStatus broadcast_to_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  int64_t shape[SPRY_MAX_RANK];
  int32_t n = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 1), "shape", shape, SPRY_MAX_RANK,
                              &n));
  SPRY_ENSURE_MSG(ctx, n >= in->rank, SPRY_ERROR_INVALID_MODEL,
                  "cannot broadcast a rank-%d input to rank %d", (int)in->rank, (int)n);
  int64_t in_strides[SPRY_MAX_RANK];
  spry_row_major_strides(in->rank, in->dims, in_strides);
  int32_t dims[SPRY_MAX_RANK];
  d->view.rank = n;
  d->view.base = 0;
  for (int32_t i = 0; i < n; i++) {
    const int32_t j = i - (n - in->rank); /* aligned input axis, < 0 when missing */
    const int64_t in_dim = j >= 0 ? in->dims[j] : 1;
    SPRY_ENSURE_MSG(ctx, shape[i] >= 0 && shape[i] <= INT32_MAX &&
                             (in_dim == shape[i] || in_dim == 1),
                    SPRY_ERROR_INVALID_MODEL, "input dimension %lld does not broadcast to %lld",
                    (long long)in_dim, (long long)shape[i]);
    dims[i] = (int32_t)shape[i];
    d->view.dims[i] = dims[i];
    d->view.strides[i] = (j >= 0 && in_dim != 1) ? in_strides[j] : 0;
  }
  return spry_dm_view_finish(ctx, d, in, out, n, dims);
}

const SpryOpRegistration spry_op_tile = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 69, /* BuiltinOperator TILE */
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 51, /* BuiltinOptions TileOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = tile_prepare,
    .invoke = spry_dm_view_invoke,
};

const SpryOpRegistration spry_op_broadcast_to = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 130, /* BuiltinOperator BROADCAST_TO */
    .min_version = 2,
    .max_version = 4,
    .builtin_options_type = 104, /* BuiltinOptions BroadcastToOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = broadcast_to_prepare,
    .invoke = spry_dm_view_invoke,
};
