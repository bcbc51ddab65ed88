/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resize.c — the RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR ops (NHWC):
 * read the options and the constant size tensor, set the output shape, run
 * the reference kernels.
 *
 * Versions (TFLite defines 1..4 for both):
 *   1  float32
 *   2  uint8
 *   3  int8, half_pixel_centers
 *   4  int16
 * RESIZE_NEAREST_NEIGHBOR copies elements by their size and also takes what
 * TFLite's kernel takes beyond these: float16, bfloat16, int32, uint32,
 * uint16 and bool. The output keeps the input's type; quantized values are resampled as
 * stored integers (TFLite does not requantize), so the output is expected to
 * share the input's quantization. align_corners and half_pixel_centers are
 * mutually exclusive.
 */
#include "fast/resize_bilinear.h"
#include "reference/resize.h"

#include <stdlib.h>

#include "kernel_util.h"
#include "spry/op.h"

/* ResizeBilinearOptions: new_height 0, new_width 1 (deprecated),
 * align_corners 2, half_pixel_centers 3; ResizeNearestNeighborOptions:
 * align_corners 0, half_pixel_centers 1. */
enum { BILINEAR_OPT_ALIGN = 2, BILINEAR_OPT_HALF_PIXEL = 3 };
enum { NEAREST_OPT_ALIGN = 0, NEAREST_OPT_HALF_PIXEL = 1 };

typedef struct ResizeOpData {
  bool bilinear;
  SpryType type;
  SpryResizeParams params;
} ResizeOpData;

static SpryStatus resize_init(SpryContext *ctx, const SpryNode *node, void **user_data,
                              bool bilinear) {
  ResizeOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->bilinear = bilinear;
  const SpryOptionsTable *o = node->options;
  d->params.align_corners =
      spry_option_bool(o, bilinear ? BILINEAR_OPT_ALIGN : NEAREST_OPT_ALIGN, false);
  d->params.half_pixel_centers =
      spry_option_bool(o, bilinear ? BILINEAR_OPT_HALF_PIXEL : NEAREST_OPT_HALF_PIXEL, false);
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus bilinear_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return resize_init(ctx, node, user_data, true);
}

static SpryStatus nearest_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return resize_init(ctx, node, user_data, false);
}

static void resize_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* The output height and width from the constant 1-D int32 size tensor. */
static SpryStatus read_size(SpryContext *ctx, const SpryTensor *size, int32_t *h, int32_t *w) {
  SPRY_ENSURE_MSG(ctx, size->type == SPRY_TYPE_INT32 && size->rank == 1 && size->dims[0] == 2,
                  SPRY_ERROR_INVALID_MODEL, "size must be a 1-D int32 tensor of 2 elements");
  SPRY_ENSURE_MSG(ctx, size->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "the output shape depends on run-time data (size is not constant)");
  SPRY_TRY(spry_op_check_data(ctx, "size", size, 2));
  const int32_t *v = size->data;
  SPRY_ENSURE_MSG(ctx, v[0] > 0 && v[1] > 0, SPRY_ERROR_INVALID_MODEL,
                  "output size %dx%d must be positive", (int)v[0], (int)v[1]);
  *h = v[0];
  *w = v[1];
  return SPRY_OK;
}

static SpryStatus resize_prepare(SpryContext *ctx, SpryNode *node) {
  ResizeOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *size = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in->type == out->type, SPRY_ERROR_INVALID_MODEL,
                  "input is %s but output is %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  const SpryType t = in->type;
  const bool base = t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 ||
                    t == SPRY_TYPE_INT16;
  const bool nearest_only = t == SPRY_TYPE_FLOAT16 || t == SPRY_TYPE_BFLOAT16 ||
                            t == SPRY_TYPE_INT32 || t == SPRY_TYPE_UINT32 ||
                            t == SPRY_TYPE_UINT16 || t == SPRY_TYPE_BOOL;
  SPRY_ENSURE_MSG(ctx, base || (nearest_only && !d->bilinear), SPRY_ERROR_UNSUPPORTED,
                  "type %s is not supported", spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, in->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input must have rank 4 (NHWC), has rank %d", (int)in->rank);
  SpryResizeParams *p = &d->params;
  SPRY_ENSURE_MSG(ctx, !(p->align_corners && p->half_pixel_centers), SPRY_ERROR_INVALID_MODEL,
                  "align_corners and half_pixel_centers cannot both be set");
  SPRY_TRY(read_size(ctx, size, &p->out_h, &p->out_w));
  p->batches = in->dims[0];
  p->in_h = in->dims[1];
  p->in_w = in->dims[2];
  p->channels = in->dims[3];
  SPRY_ENSURE_MSG(ctx, p->in_h > 0 && p->in_w > 0, SPRY_ERROR_INVALID_MODEL,
                  "cannot resize an empty %dx%d image", (int)p->in_h, (int)p->in_w);
  /* The integer kernel's 1/1024 positions must fit 64-bit arithmetic. */
  SPRY_ENSURE_MSG(ctx, p->in_h < (1 << 20) && p->in_w < (1 << 20), SPRY_ERROR_UNSUPPORTED,
                  "input %dx%d is too large to resize", (int)p->in_h, (int)p->in_w);
  d->type = in->type;
  const int32_t dims[4] = {p->batches, p->out_h, p->out_w, p->channels};
  return spry_context_resize_tensor(ctx, out, 4, dims);
}

static SpryStatus resize_invoke(SpryContext *ctx, SpryNode *node) {
  const ResizeOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const SpryResizeParams *p = &d->params;
  const int32_t in_dims[4] = {p->batches, p->in_h, p->in_w, p->channels};
  const int32_t out_dims[4] = {p->batches, p->out_h, p->out_w, p->channels};
  const size_t out_count = spry_shape_element_count(4, out_dims);
  SPRY_TRY(spry_op_check_data(ctx, "input", in, spry_shape_element_count(4, in_dims)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, out_count));
  if (out_count == 0) return SPRY_OK;
  if (!d->bilinear) {
    spry_ref_resize_nearest(p, spry_type_size(d->type), in->data, out->data);
    return SPRY_OK;
  }
  if (spry_fast_resize_bilinear(ctx, p, d->type, in->data, out->data)) return SPRY_OK;
  switch (d->type) {
    case SPRY_TYPE_FLOAT32:
      spry_ref_resize_bilinear_f32(p, in->data, out->data);
      break;
    case SPRY_TYPE_UINT8:
      spry_ref_resize_bilinear_u8(p, in->data, out->data);
      break;
    default:
      spry_ref_resize_bilinear_int(p, d->type == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16, in->data,
                                   out->data);
      break;
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_resize_bilinear = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 23, /* BuiltinOperator RESIZE_BILINEAR */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 15, /* BuiltinOptions ResizeBilinearOptions */
    .init = bilinear_init,
    .free = resize_free,
    .prepare = resize_prepare,
    .invoke = resize_invoke,
};

const SpryOpRegistration spry_op_resize_nearest_neighbor = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 97, /* BuiltinOperator RESIZE_NEAREST_NEIGHBOR */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 74, /* BuiltinOptions ResizeNearestNeighborOptions */
    .init = nearest_init,
    .free = resize_free,
    .prepare = resize_prepare,
    .invoke = resize_invoke,
};
