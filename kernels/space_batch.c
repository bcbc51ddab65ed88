/* SPDX-License-Identifier: Apache-2.0 */
/*
 * space_batch.c — SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on 3-D [N, H, C]
 * or 4-D NHWC inputs, with constant block_shape and paddings/crops inputs.
 *
 * Versions (TFLite defines 1..4 for both): 1 float32, uint8; 2 int8; 3 3-D
 * inputs; 4 int16 — plus the types TFLite's kernels also move (the version
 * does not limit the type): bool, float16, bfloat16, float64, uint16,
 * uint32, int32, int64, and 8/16-bit integers without quantization.
 * Quantized input and output must share scale and zero point;
 * SPACE_TO_BATCH_ND pads with the zero point (0 for unquantized types), as
 * TFLite does.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "data_movement.h"
#include "kernel_util.h"
#include "reference/space_batch.h"

typedef struct SpaceBatchOpData {
  bool to_batch; /* SPACE_TO_BATCH_ND */
  SprySpaceBatchShape shape;
  size_t elem_size;
  uint8_t pad_elem[8];
} SpaceBatchOpData;

static SpryStatus sb_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  SpaceBatchOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus check_types(SpryContext *ctx, SpaceBatchOpData *d, const SpryTensor *in,
                              const SpryTensor *out) {
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  const SpryType t = in->type;
  SPRY_ENSURE_MSG(ctx,
                  t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 ||
                      t == SPRY_TYPE_INT16 || t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64 ||
                      t == SPRY_TYPE_BOOL || t == SPRY_TYPE_FLOAT16 || t == SPRY_TYPE_BFLOAT16 ||
                      t == SPRY_TYPE_FLOAT64 || t == SPRY_TYPE_UINT16 || t == SPRY_TYPE_UINT32,
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(t));
  memset(d->pad_elem, 0, sizeof d->pad_elem);
  if (t != SPRY_TYPE_UINT8 && t != SPRY_TYPE_INT8 && t != SPRY_TYPE_INT16) return SPRY_OK;
  /* Plain 8/16-bit integers: copied as they are, padded with 0. */
  if (in->quant.num_channels == 0 && out->quant.num_channels == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  SPRY_ENSURE_MSG(ctx,
                  in->quant.scale == out->quant.scale &&
                      in->quant.zero_point == out->quant.zero_point,
                  SPRY_ERROR_INVALID_MODEL,
                  "input and output quantization differ (scale %g/%g, zero point %d/%d)",
                  (double)in->quant.scale, (double)out->quant.scale, (int)in->quant.zero_point,
                  (int)out->quant.zero_point);
  /* An 8-bit zero point is one byte; int16 is symmetric (zero point 0). */
  if (t != SPRY_TYPE_INT16) d->pad_elem[0] = (uint8_t)(in->quant.zero_point & 0xFF);
  return SPRY_OK;
}

/* Reads block_shape and the [M, 2] paddings/crops (`role`) for an input of
 * rank 3 or 4 and fills the block and offsets; *after receives the trailing
 * padding/crop per spatial axis. */
static SpryStatus read_blocks(SpryContext *ctx, const SpryNode *node, const SpryTensor *in,
                              const char *role, SprySpaceBatchShape *s, int64_t after[2]) {
  SPRY_ENSURE_MSG(ctx, in->rank == 3 || in->rank == 4, SPRY_ERROR_UNSUPPORTED,
                  "input must have rank 3 or 4 (has %d)", (int)in->rank);
  const int32_t spatial = in->rank - 2;
  int64_t block[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
  int32_t nb = 0, np = 0;
  /* int32 only, as TFLite reads them (an int64 tensor would be misread). */
  const uint32_t i32 = SPRY_DM_TYPE(SPRY_TYPE_INT32);
  SPRY_TRY(spry_dm_const_ints_of(ctx, spry_node_input(ctx, node, 1), "block_shape", i32, block, 2,
                                 &nb));
  const SpryTensor *pt = spry_node_input(ctx, node, 2);
  SPRY_TRY(spry_dm_const_ints_of(ctx, pt, role, i32, pads, 4, &np));
  SPRY_ENSURE_MSG(ctx, nb == spatial, SPRY_ERROR_INVALID_MODEL,
                  "block_shape has %d elements, the input %d spatial dimensions", (int)nb,
                  (int)spatial);
  SPRY_ENSURE_MSG(ctx, pt->rank == 2 && pt->dims[0] == spatial && pt->dims[1] == 2,
                  SPRY_ERROR_INVALID_MODEL, "%s must have shape [%d, 2]", role, (int)spatial);
  for (int32_t i = 0; i < spatial; i++) {
    SPRY_ENSURE_MSG(ctx, block[i] >= 1 && block[i] <= 65535, SPRY_ERROR_INVALID_MODEL,
                    "block_shape[%d] = %lld must be in [1, 65535]", (int)i, (long long)block[i]);
    SPRY_ENSURE_MSG(ctx, pads[2 * i] >= 0 && pads[2 * i + 1] >= 0, SPRY_ERROR_INVALID_MODEL,
                    "%s of dimension %d must not be negative", role, (int)i);
  }
  s->block_h = (int32_t)block[0];
  s->block_w = spatial == 2 ? (int32_t)block[1] : 1;
  s->offset_h = (int32_t)pads[0];
  s->offset_w = spatial == 2 ? (int32_t)pads[2] : 0;
  after[0] = pads[1];
  after[1] = spatial == 2 ? pads[3] : 0;
  return SPRY_OK;
}

/* The output shape from the 4-D view [n, h, w, c], dropping w for 3-D. */
static SpryStatus set_output(SpryContext *ctx, const SpryTensor *in, SpryTensor *out,
                             const int64_t nhwc[4]) {
  int32_t dims[4];
  for (int i = 0; i < 4; i++) {
    SPRY_ENSURE_MSG(ctx, nhwc[i] >= 0 && nhwc[i] <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                    "output dimension %d is out of range", i);
    dims[i] = (int32_t)nhwc[i];
  }
  if (in->rank == 3) dims[2] = dims[3];
  return spry_context_resize_tensor(ctx, out, in->rank, dims);
}

static void input_nhwc(const SpryTensor *in, int32_t nhwc[4]) {
  nhwc[0] = in->dims[0];
  nhwc[1] = in->dims[1];
  nhwc[2] = in->rank == 4 ? in->dims[2] : 1;
  nhwc[3] = in->dims[in->rank - 1];
}

/* The checks both ops share; the input's 4-D view goes to nhwc. */
static SpryStatus sb_begin(SpryContext *ctx, SpryNode *node, const char *role,
                           const SpryTensor **in, SpryTensor **out, int64_t after[2],
                           int32_t nhwc[4]) {
  SpaceBatchOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, 1));
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(check_types(ctx, d, *in, *out));
  SPRY_TRY(read_blocks(ctx, node, *in, role, &d->shape, after));
  input_nhwc(*in, nhwc);
  return SPRY_OK;
}

static SpryStatus space_to_batch_prepare(SpryContext *ctx, SpryNode *node) {
  SpaceBatchOpData *d = node->user_data;
  SprySpaceBatchShape *s = &d->shape;
  const SpryTensor *in;
  SpryTensor *out;
  int64_t after[2];
  int32_t nhwc[4];
  SPRY_TRY(sb_begin(ctx, node, "paddings", &in, &out, after, nhwc));
  d->to_batch = true;
  s->batch = nhwc[0], s->height = nhwc[1], s->width = nhwc[2], s->depth = nhwc[3];
  const int64_t ph = (int64_t)s->height + s->offset_h + after[0];
  const int64_t pw = (int64_t)s->width + s->offset_w + after[1];
  SPRY_ENSURE_MSG(ctx, ph % s->block_h == 0 && pw % s->block_w == 0, SPRY_ERROR_INVALID_MODEL,
                  "padded spatial size %lldx%lld is not a multiple of the block %dx%d",
                  (long long)ph, (long long)pw, (int)s->block_h, (int)s->block_w);
  s->blocks_h = (int32_t)(ph / s->block_h);
  s->blocks_w = (int32_t)(pw / s->block_w);
  const int64_t dims[4] = {(int64_t)s->batch * s->block_h * s->block_w, s->blocks_h, s->blocks_w,
                           s->depth};
  return set_output(ctx, in, out, dims);
}

static SpryStatus batch_to_space_prepare(SpryContext *ctx, SpryNode *node) {
  SpaceBatchOpData *d = node->user_data;
  SprySpaceBatchShape *s = &d->shape;
  const SpryTensor *in;
  SpryTensor *out;
  int64_t after[2];
  int32_t nhwc[4];
  SPRY_TRY(sb_begin(ctx, node, "crops", &in, &out, after, nhwc));
  const int64_t blocks = (int64_t)s->block_h * s->block_w;
  SPRY_ENSURE_MSG(ctx, nhwc[0] % blocks == 0, SPRY_ERROR_INVALID_MODEL,
                  "input batch %d is not a multiple of the block size %lld", (int)nhwc[0],
                  (long long)blocks);
  s->batch = (int32_t)(nhwc[0] / blocks);
  s->blocks_h = nhwc[1], s->blocks_w = nhwc[2], s->depth = nhwc[3];
  const int64_t h = (int64_t)s->blocks_h * s->block_h - s->offset_h - after[0];
  const int64_t w = (int64_t)s->blocks_w * s->block_w - s->offset_w - after[1];
  SPRY_ENSURE_MSG(ctx, h >= 0 && w >= 0, SPRY_ERROR_INVALID_MODEL,
                  "crops exceed the %lldx%lld uncropped output",
                  (long long)s->blocks_h * s->block_h, (long long)s->blocks_w * s->block_w);
  s->height = (int32_t)h;
  s->width = (int32_t)w;
  const int64_t dims[4] = {s->batch, h, w, s->depth};
  return set_output(ctx, in, out, dims);
}

static SpryStatus sb_invoke(SpryContext *ctx, SpryNode *node) {
  const SpaceBatchOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  if (spry_tensor_elements(out) == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "input", in, spry_tensor_elements(in)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, spry_tensor_elements(out)));
  if (d->to_batch)
    spry_ref_space_to_batch(&d->shape, in->data, out->data, d->elem_size, d->pad_elem);
  else
    spry_ref_batch_to_space(&d->shape, in->data, out->data, d->elem_size);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_space_to_batch_nd = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 38, /* BuiltinOperator SPACE_TO_BATCH_ND */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 25, /* BuiltinOptions SpaceToBatchNDOptions */
    .init = sb_init,
    .free = spry_dm_free,
    .prepare = space_to_batch_prepare,
    .invoke = sb_invoke,
};

const SpryOpRegistration spry_op_batch_to_space_nd = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 37, /* BuiltinOperator BATCH_TO_SPACE_ND */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 24, /* BuiltinOptions BatchToSpaceNDOptions */
    .init = sb_init,
    .free = spry_dm_free,
    .prepare = batch_to_space_prepare,
    .invoke = sb_invoke,
};
