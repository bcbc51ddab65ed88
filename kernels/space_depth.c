/* SPDX-License-Identifier: Apache-2.0 */
/*
 * space_depth.c — SPACE_TO_DEPTH and DEPTH_TO_SPACE on NHWC tensors, as
 * 6-D transposes of the input split into blocks (TFLite's reference
 * SpaceToDepth / DepthToSpace element orders: the block row, then the block
 * column, then the channel, vary fastest to slowest in that order reversed).
 *
 * SPACE_TO_DEPTH versions 1–2, DEPTH_TO_SPACE versions 1–2; float32, int32,
 * int64, uint8, int8 (TFLite's types). block_size must be positive; spatial sizes (resp.
 * the depth) must divide by it (resp. its square).
 */
#include "data_movement.h"
#include "kernel_util.h"

/* SpaceToDepthOptions / DepthToSpaceOptions field ids (schema.fbs). */
enum { BLOCK_OPT_SIZE = 0 };

/* Shared checks; *bs receives the block size. */
static SpryStatus block_prepare(SpryContext *ctx, SpryNode *node, const SpryTensor **in,
                                SpryTensor **out, int32_t *bs) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, *in, *out, &d->elem_size));
  SPRY_TRY(spry_dm_check_type_in(
      ctx, *in,
      SPRY_DM_TYPE(SPRY_TYPE_FLOAT32) | SPRY_DM_TYPE(SPRY_TYPE_INT32) |
          SPRY_DM_TYPE(SPRY_TYPE_INT64) | SPRY_DM_TYPE(SPRY_TYPE_UINT8) |
          SPRY_DM_TYPE(SPRY_TYPE_INT8)));
  SPRY_ENSURE_MSG(ctx, (*in)->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input must be 4-D NHWC (has rank %d)", (int)(*in)->rank);
  *bs = spry_option_i32(node->options, BLOCK_OPT_SIZE, 0);
  SPRY_ENSURE_MSG(ctx, *bs > 0 && *bs <= 65535, SPRY_ERROR_INVALID_MODEL,
                  "block_size %d is invalid", (int)*bs);
  return SPRY_OK;
}

static void set_view(SpryStridedView *v, const int32_t *dims, const int64_t *strides) {
  v->rank = 6;
  v->base = 0;
  for (int32_t i = 0; i < 6; i++) {
    v->dims[i] = dims[i];
    v->strides[i] = strides[i];
  }
}

static SpryStatus space_to_depth_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  int32_t bs;
  SPRY_TRY(block_prepare(ctx, node, &in, &out, &bs));
  const int32_t b = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
  SPRY_ENSURE_MSG(ctx, h % bs == 0 && w % bs == 0, SPRY_ERROR_INVALID_MODEL,
                  "height %d and width %d must be multiples of block_size %d", (int)h, (int)w,
                  (int)bs);
  const int64_t depth = (int64_t)c * bs * bs;
  SPRY_ENSURE_MSG(ctx, depth <= INT32_MAX, SPRY_ERROR_INVALID_MODEL, "output depth is too large");
  const int32_t dims[4] = {b, h / bs, w / bs, (int32_t)depth};
  /* Output [b][h/bs][w/bs][by][bx][c] reads input [b][h/bs*bs+by][w/bs*bs+bx][c]. */
  const int32_t vdims[6] = {b, h / bs, w / bs, bs, bs, c};
  const int64_t wc = (int64_t)w * c;
  const int64_t vstrides[6] = {(int64_t)h * wc, bs * wc, (int64_t)bs * c, wc, c, 1};
  set_view(&d->view, vdims, vstrides);
  return spry_dm_view_finish(ctx, d, in, out, 4, dims);
}

static SpryStatus depth_to_space_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  int32_t bs;
  SPRY_TRY(block_prepare(ctx, node, &in, &out, &bs));
  const int32_t b = in->dims[0], h = in->dims[1], w = in->dims[2], c = in->dims[3];
  const int64_t block = (int64_t)bs * bs;
  SPRY_ENSURE_MSG(ctx, c % block == 0, SPRY_ERROR_INVALID_MODEL,
                  "depth %d must be a multiple of block_size^2 = %lld", (int)c, (long long)block);
  const int64_t oh = (int64_t)h * bs, ow = (int64_t)w * bs;
  SPRY_ENSURE_MSG(ctx, oh <= INT32_MAX && ow <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                  "output is too large");
  const int32_t oc = (int32_t)(c / block);
  const int32_t dims[4] = {b, (int32_t)oh, (int32_t)ow, oc};
  /* Output [b][h][by][w][bx][oc] reads input [b][h][w][(by*bs+bx)*oc+oc]. */
  const int32_t vdims[6] = {b, h, bs, w, bs, oc};
  const int64_t wc = (int64_t)w * c;
  const int64_t vstrides[6] = {(int64_t)h * wc, wc, (int64_t)bs * oc, c, oc, 1};
  set_view(&d->view, vdims, vstrides);
  return spry_dm_view_finish(ctx, d, in, out, 4, dims);
}

const SpryOpRegistration spry_op_space_to_depth = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 26, /* BuiltinOperator SPACE_TO_DEPTH */
    .min_version = 1,
    .max_version = 2,
    .builtin_options_type = 19, /* BuiltinOptions SpaceToDepthOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = space_to_depth_prepare,
    .invoke = spry_dm_view_invoke,
};

const SpryOpRegistration spry_op_depth_to_space = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 5, /* BuiltinOperator DEPTH_TO_SPACE */
    .min_version = 1,
    .max_version = 2,
    .builtin_options_type = 94, /* BuiltinOptions DepthToSpaceOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = depth_to_space_prepare,
    .invoke = spry_dm_view_invoke,
};
