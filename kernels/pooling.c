/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling.c — the AVERAGE_POOL_2D and MAX_POOL_2D ops (NHWC): read
 * Pool2DOptions, compute the output size and padding, run the reference
 * kernels.
 *
 * Versions (TFLite defines 1..3 for both):
 *   1  float32, uint8
 *   2  int8
 *   3  int16
 * Quantized pooling keeps the input's quantization: the output must share
 * the zero point and (within 1e-6) the scale, as TFLite assumes.
 *
 * Average and maximum pooling of float32, int8 and uint8 run the fast path
 * where it applies (fast/pooling.h), the reference kernels otherwise.
 *
 * L2_POOL_2D (TFLite defines version 1 only) is float32-only, as in TFLite;
 * a window entirely in the padding yields NaN there (0/0), and here.
 */
#include "reference/pooling.h"

#include <math.h>
#include <stdlib.h>

#include "fast/pooling.h"
#include "kernel_util.h"
#include "quantization.h"
#include "spry/op.h"

/* Pool2DOptions field ids (schema.fbs). */
enum {
  POOL_OPT_PADDING = 0,
  POOL_OPT_STRIDE_W = 1,
  POOL_OPT_STRIDE_H = 2,
  POOL_OPT_FILTER_W = 3,
  POOL_OPT_FILTER_H = 4,
  POOL_OPT_ACTIVATION = 5,
};

typedef enum PoolKind { POOL_AVERAGE, POOL_MAX, POOL_L2 } PoolKind;

typedef struct PoolOpData {
  PoolKind kind;
  int padding;
  int activation;
  SpryType type;
  SpryPoolParams params; /* strides and filter from the options, the rest from prepare */
  SpryPoolShape shape;
  SpryFastPool fast; /* the fast path, where it applies */
} PoolOpData;

SPRY_PREPARE_CODE
static SpryStatus pool_init(SpryContext *ctx, const SpryNode *node, void **user_data,
                            PoolKind kind) {
  PoolOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const SpryOptionsTable *o = node->options;
  d->kind = kind;
  d->padding = spry_option_i8(o, POOL_OPT_PADDING, SPRY_PADDING_SAME);
  d->params.stride_w = spry_option_i32(o, POOL_OPT_STRIDE_W, 0);
  d->params.stride_h = spry_option_i32(o, POOL_OPT_STRIDE_H, 0);
  d->params.filter_w = spry_option_i32(o, POOL_OPT_FILTER_W, 0);
  d->params.filter_h = spry_option_i32(o, POOL_OPT_FILTER_H, 0);
  d->activation = spry_option_i8(o, POOL_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus average_pool_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return pool_init(ctx, node, user_data, POOL_AVERAGE);
}

static SpryStatus max_pool_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return pool_init(ctx, node, user_data, POOL_MAX);
}

static SpryStatus l2_pool_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return pool_init(ctx, node, user_data, POOL_L2);
}

static void pool_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryStatus check_types(SpryContext *ctx, const SpryTensor *in, const SpryTensor *out) {
  bool quantized = false;
  SPRY_TRY(spry_op_check_same_type(ctx, in, out, &quantized));
  if (!quantized) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx,
                  in->quant.zero_point == out->quant.zero_point &&
                      fabsf(in->quant.scale - out->quant.scale) <= 1e-6f,
                  SPRY_ERROR_UNSUPPORTED,
                  "output quantization (scale %g, zero point %d) differs from the input's "
                  "(scale %g, zero point %d)",
                  (double)out->quant.scale, (int)out->quant.zero_point, (double)in->quant.scale,
                  (int)in->quant.zero_point);
  return SPRY_OK;
}

/* True when every output window overlaps the input along one axis. Window
 * origins increase, so only the first can end before the input and only the
 * last can start after it. */
static bool windows_overlap(int32_t out_size, int32_t stride, int32_t pad, int32_t filter,
                            int32_t in_size) {
  if (out_size == 0) return true;
  const int64_t first = -(int64_t)pad;
  const int64_t last = (int64_t)(out_size - 1) * stride - pad;
  return first + filter > 0 && last < in_size;
}

/* Each op passes its own family of fast kernels (none for L2), and each
 * has its own invoke below: a build without MAX_POOL_2D links none of the
 * maximum's kernels. */
SPRY_PREPARE_CODE
static SpryStatus pool_prepare(SpryContext *ctx, SpryNode *node, SpryPoolFamily family) {
  PoolOpData *d = node->user_data;
  d->fast.fn = NULL; /* until this prepare has set it up again */
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(check_types(ctx, in, out));
  SPRY_ENSURE_MSG(ctx, d->kind != POOL_L2 || in->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "L2 pooling supports float32 only, not %s", spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, in->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input must have rank 4 (NHWC), has rank %d", (int)in->rank);
  SpryPoolParams *p = &d->params;
  SPRY_ENSURE_MSG(ctx, p->stride_h > 0 && p->stride_w > 0 && p->filter_h > 0 && p->filter_w > 0,
                  SPRY_ERROR_INVALID_MODEL, "bad pooling options: stride %dx%d, filter %dx%d",
                  (int)p->stride_h, (int)p->stride_w, (int)p->filter_h, (int)p->filter_w);
  SPRY_ENSURE_MSG(ctx, d->padding == SPRY_PADDING_SAME || d->padding == SPRY_PADDING_VALID,
                  SPRY_ERROR_INVALID_MODEL, "unknown padding %d", d->padding);
  SpryPoolShape *s = &d->shape;
  s->batches = in->dims[0];
  s->in_h = in->dims[1];
  s->in_w = in->dims[2];
  s->channels = in->dims[3];
  s->out_h = spry_conv_output_size(d->padding, s->in_h, p->filter_h, p->stride_h, 1);
  s->out_w = spry_conv_output_size(d->padding, s->in_w, p->filter_w, p->stride_w, 1);
  SPRY_ENSURE_MSG(ctx, s->out_h >= 0 && s->out_w >= 0, SPRY_ERROR_INVALID_MODEL,
                  "cannot pool a %dx%d input", (int)s->in_h, (int)s->in_w);
  int32_t offset = 0;
  p->pad_h = spry_conv_padding(p->stride_h, 1, s->in_h, p->filter_h, s->out_h, &offset);
  p->pad_w = spry_conv_padding(p->stride_w, 1, s->in_w, p->filter_w, s->out_w, &offset);
  if (d->kind == POOL_AVERAGE)
    SPRY_ENSURE_MSG(ctx,
                    windows_overlap(s->out_h, p->stride_h, p->pad_h, p->filter_h, s->in_h) &&
                        windows_overlap(s->out_w, p->stride_w, p->pad_w, p->filter_w, s->in_w),
                    SPRY_ERROR_INVALID_MODEL, "some pooling window lies entirely in the padding");
  SPRY_TRY(spry_op_activation_range(ctx, d->activation, out, &p->f_min, &p->f_max, &p->q_min,
                                    &p->q_max));
  d->type = in->type;
  if (family) spry_fast_pool_prepare(ctx, &d->fast, family, d->type, p, s);
  const int32_t dims[4] = {s->batches, s->out_h, s->out_w, s->channels};
  return spry_context_resize_tensor(ctx, out, 4, dims);
}

static SpryStatus average_pool_prepare(SpryContext *ctx, SpryNode *node) {
  return pool_prepare(ctx, node, spry_pool_avg_kernels);
}

static SpryStatus max_pool_prepare(SpryContext *ctx, SpryNode *node) {
  return pool_prepare(ctx, node, spry_pool_max_kernels);
}

static SpryStatus l2_pool_prepare(SpryContext *ctx, SpryNode *node) {
  return pool_prepare(ctx, node, NULL);
}

/* The node's tensors, checked against its prepared shapes; runs the fast
 * path where prepare set one up (*done). */
static SpryStatus pool_begin(SpryContext *ctx, const SpryNode *node, const SpryTensor **in,
                             SpryTensor **out, bool *done) {
  const PoolOpData *d = node->user_data;
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, *in && *out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const SpryPoolShape *s = &d->shape;
  const int32_t in_dims[4] = {s->batches, s->in_h, s->in_w, s->channels};
  const int32_t out_dims[4] = {s->batches, s->out_h, s->out_w, s->channels};
  SPRY_TRY(spry_op_check_data(ctx, "input", *in, spry_shape_element_count(4, in_dims)));
  SPRY_TRY(spry_op_check_data(ctx, "output", *out, spry_shape_element_count(4, out_dims)));
  *done = d->fast.fn != NULL;
  if (*done) spry_fast_pool_run(ctx, &d->fast, (*in)->data, (*out)->data);
  return SPRY_OK;
}

/* The reference average of the node's type; false if a window lies in
 * the padding. */
static bool reference_average(const PoolOpData *d, const void *in, void *out) {
  const SpryPoolParams *p = &d->params;
  const SpryPoolShape *s = &d->shape;
  switch (d->type) {
    case SPRY_TYPE_FLOAT32:
      return spry_ref_average_pool_f32(p, s, in, out);
    case SPRY_TYPE_UINT8:
      return spry_ref_average_pool_u8(p, s, in, out);
    case SPRY_TYPE_INT8:
      return spry_ref_average_pool_s8(p, s, in, out);
    default:
      return spry_ref_average_pool_s16(p, s, in, out);
  }
}

static void reference_max(const PoolOpData *d, const void *in, void *out) {
  const SpryPoolParams *p = &d->params;
  const SpryPoolShape *s = &d->shape;
  switch (d->type) {
    case SPRY_TYPE_FLOAT32:
      spry_ref_max_pool_f32(p, s, in, out);
      break;
    case SPRY_TYPE_UINT8:
      spry_ref_max_pool_u8(p, s, in, out);
      break;
    case SPRY_TYPE_INT8:
      spry_ref_max_pool_s8(p, s, in, out);
      break;
    default:
      spry_ref_max_pool_s16(p, s, in, out);
      break;
  }
}

static SpryStatus average_pool_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in;
  SpryTensor *out;
  bool done;
  SPRY_TRY(pool_begin(ctx, node, &in, &out, &done));
  if (done) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, reference_average(node->user_data, in->data, out->data),
                  SPRY_ERROR_RUNTIME, "a pooling window lies entirely in the padding");
  return SPRY_OK;
}

static SpryStatus max_pool_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in;
  SpryTensor *out;
  bool done;
  SPRY_TRY(pool_begin(ctx, node, &in, &out, &done));
  if (!done) reference_max(node->user_data, in->data, out->data);
  return SPRY_OK;
}

static SpryStatus l2_pool_invoke(SpryContext *ctx, SpryNode *node) {
  const PoolOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  bool done; /* never: L2 has no fast path */
  SPRY_TRY(pool_begin(ctx, node, &in, &out, &done));
  spry_ref_l2_pool_f32(&d->params, &d->shape, in->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_average_pool_2d = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 1, /* BuiltinOperator AVERAGE_POOL_2D */
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 5, /* BuiltinOptions Pool2DOptions */
    .init = average_pool_init,
    .free = pool_free,
    .prepare = average_pool_prepare,
    .invoke = average_pool_invoke,
};

const SpryOpRegistration spry_op_max_pool_2d = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 17, /* BuiltinOperator MAX_POOL_2D */
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 5, /* BuiltinOptions Pool2DOptions */
    .init = max_pool_init,
    .free = pool_free,
    .prepare = max_pool_prepare,
    .invoke = max_pool_invoke,
};

const SpryOpRegistration spry_op_l2_pool_2d = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 12, /* BuiltinOperator L2_POOL_2D */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = 5, /* BuiltinOptions Pool2DOptions */
    .init = l2_pool_init,
    .free = pool_free,
    .prepare = l2_pool_prepare,
    .invoke = l2_pool_invoke,
};
