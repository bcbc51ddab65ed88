/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_2d.c — the CONV_2D op: reads Conv2DOptions, validates the node,
 * derives TFLite's requantization parameters and runs the reference kernels.
 *
 * Versions (TFLite defines 1..8):
 *   1  float32, uint8 (per-tensor asymmetric)
 *   2  hybrid: float32 activations, int8 weights
 *   3  int8 activations, int8 per-channel weights
 *   4  int16 activations, int8 weights, int64 bias
 *   5  hybrid with per-channel weights
 *   6  grouped convolution (input channels a multiple of the filter's)
 *   7  int4 weights (int8 or int16 activations), unpacked to int8 at prepare
 *   8  int16x8 with quantized_bias_type (int32 bias)
 * Unsupported variants are rejected in prepare by their types.
 *
 * Hybrid nodes (float32 input and output, constant int8 filter, float32
 * bias) quantize each batch of the input at run time as TFLite does: with
 * per-channel scales that differ, or with groups, EvalHybridPerChannel
 * (asymmetric, a zero point per batch); otherwise EvalHybrid (symmetric,
 * the filter's scale folded into each batch's). See reference/hybrid_conv.h;
 * ungrouped ones run on the GEMM micro-kernels (fast/hybrid_conv.h) with the
 * same results.
 */
#include "reference/conv_2d.h"

#include <stdlib.h>

#include "conv_common.h"
#include "fusion.h"
#include "fast/conv_gemm.h"
#include "fast/hybrid_conv.h"
#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/hybrid_conv.h"
#include "spry/op.h"

/* Conv2DOptions field ids (schema.fbs). */
enum {
  CONV_OPT_PADDING = 0,
  CONV_OPT_STRIDE_W = 1,
  CONV_OPT_STRIDE_H = 2,
  CONV_OPT_ACTIVATION = 3,
  CONV_OPT_DILATION_W = 4,
  CONV_OPT_DILATION_H = 5,
  CONV_OPT_QUANTIZED_BIAS_TYPE = 6,
};

typedef struct ConvOpData {
  int quantized_bias_type;
  SpryTensor int4_filter; /* int4 weights unpacked to int8 (subbyte.h) */
  SpryWindowedOp op;
  SpryConvGemm fast; /* the fast path, where it applies */
  int model_activation; /* the options' fused activation */
  bool hybrid;       /* float32 activations, int8 filter */
  bool asymmetric;   /* hybrid: TFLite's per-channel kernel, asymmetric inputs */
  SpryHybridFilter hybrid_filter;
  SpryHybridScratchIndex scratch;
  SpryHybridConvFast hybrid_fast; /* the hybrid fast path, where it applies */
} ConvOpData;

SPRY_PREPARE_CODE
static SpryStatus conv_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  ConvOpData *d = calloc(1, sizeof(*d));
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const SpryOptionsTable *o = node->options;
  d->op.padding = spry_option_i8(o, CONV_OPT_PADDING, SPRY_PADDING_SAME);
  d->op.params.stride_w = spry_option_i32(o, CONV_OPT_STRIDE_W, 0);
  d->op.params.stride_h = spry_option_i32(o, CONV_OPT_STRIDE_H, 0);
  d->model_activation = spry_option_i8(o, CONV_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  d->op.params.dilation_w = spry_option_i32(o, CONV_OPT_DILATION_W, 1);
  d->op.params.dilation_h = spry_option_i32(o, CONV_OPT_DILATION_H, 1);
  d->quantized_bias_type = spry_option_i8(o, CONV_OPT_QUANTIZED_BIAS_TYPE, SPRY_TYPE_FLOAT32);
  *user_data = d;
  return SPRY_OK;
}

static void conv_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Shapes: NHWC input, OHWI filter, bias [output_c]; fills op->shapes. */
static SpryStatus check_shapes(SpryContext *ctx, SpryWindowedOp *op, const SpryConvTensors *t) {
  const SpryTensor *in = t->input, *filter = t->filter;
  SPRY_ENSURE_MSG(ctx, in->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input must have rank 4 (NHWC), has rank %d", (int)in->rank);
  SPRY_ENSURE_MSG(ctx, filter->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "filter must have rank 4 (OHWI), has rank %d", (int)filter->rank);
  SpryConvShapes *s = &op->shapes;
  s->batches = in->dims[0];
  s->input_h = in->dims[1];
  s->input_w = in->dims[2];
  s->input_c = in->dims[3];
  s->output_c = filter->dims[0];
  s->filter_h = filter->dims[1];
  s->filter_w = filter->dims[2];
  s->filter_c = filter->dims[3];
  SPRY_ENSURE_MSG(ctx, s->batches >= 0 && s->input_h >= 0 && s->input_w >= 0 && s->input_c > 0,
                  SPRY_ERROR_INVALID_MODEL, "bad input shape [%d, %d, %d, %d]", (int)s->batches,
                  (int)s->input_h, (int)s->input_w, (int)s->input_c);
  SPRY_ENSURE_MSG(ctx, s->output_c > 0 && s->filter_h > 0 && s->filter_w > 0 && s->filter_c > 0,
                  SPRY_ERROR_INVALID_MODEL, "bad filter shape [%d, %d, %d, %d]", (int)s->output_c,
                  (int)s->filter_h, (int)s->filter_w, (int)s->filter_c);
  SPRY_ENSURE_MSG(ctx, s->input_c % s->filter_c == 0, SPRY_ERROR_INVALID_MODEL,
                  "filter has %d input channels but input has %d", (int)s->filter_c,
                  (int)s->input_c);
  const int32_t groups = s->input_c / s->filter_c;
  SPRY_ENSURE_MSG(ctx, s->output_c % groups == 0, SPRY_ERROR_INVALID_MODEL,
                  "%d output channels cannot be split into %d groups", (int)s->output_c,
                  (int)groups);
  return spry_conv_check_constants(ctx, t, s->output_c, "filter", "output channels");
}

/* Float32 input with an int8 filter. The window geometry, activation range
 * and output shape are the float op's. */
static SpryStatus hybrid_prepare(SpryContext *ctx, ConvOpData *d, const SpryConvTensors *t) {
  d->hybrid = true;
  d->op.kernel = SPRY_CONV_KERNEL_F32;
  d->fast.kernels = NULL;
  SPRY_TRY(check_shapes(ctx, &d->op, t));
  const SpryConvShapes *s = &d->op.shapes;
  SPRY_TRY(spry_hybrid_filter_prepare(ctx, t->filter, t->bias, t->output, s->output_c, 0,
                                      &d->hybrid_filter));
  const bool grouped = s->input_c != s->filter_c;
  /* TFLite runs grouped hybrid convolutions through its per-channel kernel,
   * which reads one scale per output channel. */
  SPRY_ENSURE_MSG(ctx, !grouped || t->filter->quant.num_channels > 1, SPRY_ERROR_UNSUPPORTED,
                  "grouped hybrid convolution needs one filter scale per output channel");
  d->asymmetric = d->hybrid_filter.per_channel || grouped;
  SPRY_TRY(spry_conv_prepare_windowed(ctx, t, &d->op, 0, /*require_symmetric=*/false));
  const size_t size = (size_t)s->input_h * (size_t)s->input_w * (size_t)s->input_c;
  SPRY_ENSURE_MSG(ctx, size <= INT32_MAX, SPRY_ERROR_UNSUPPORTED, "input too large");
  SPRY_TRY(spry_hybrid_scratch_request(ctx, s->batches, (int32_t)size, &d->scratch));
  return spry_hybrid_conv_fast_prepare(ctx, &d->hybrid_fast, s, t->filter);
}

SPRY_PREPARE_CODE
static SpryStatus conv_prepare(SpryContext *ctx, SpryNode *node) {
  ConvOpData *d = node->user_data;
  /* The model's activation, or a RELU the engine has this node carry out
   * (engine/fusion.h). */
  d->op.activation = d->model_activation;
  spry_context_fuse_activation(ctx, &d->op.activation);
  SpryConvTensors t;
  /* TFLite's kernel refuses int2 and uint4 filters. */
  const SpryConvSubbyteWeights subbyte = {
      .weights = SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT4),
      .inputs = SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT8) | SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT16)};
  SPRY_TRY(spry_conv_prepare_tensors(ctx, node, "filter", subbyte, &d->int4_filter, &t));
  d->hybrid = false;
  if (t.input->type == SPRY_TYPE_FLOAT32 && t.filter->type != SPRY_TYPE_FLOAT32)
    return hybrid_prepare(ctx, d, &t);
  SPRY_TRY(spry_conv_select_kernel(ctx, &t, SPRY_CONV_ALLOW_BIAS32, d->quantized_bias_type,
                                   &d->op.kernel));
  SPRY_TRY(check_shapes(ctx, &d->op, &t));
  /* TFLite's CONV_2D requires symmetric (zero point 0) signed weights. */
  SPRY_TRY(spry_conv_prepare_windowed(ctx, &t, &d->op, 0, /*require_symmetric=*/true));
  return spry_conv_gemm_prepare(ctx, &d->fast, d->op.kernel, SPRY_GEMM_REQUANT_FIXED_POINT,
                                &d->op.params, &d->op.shapes, NULL, t.filter, t.bias);
}

static SpryStatus hybrid_invoke(SpryContext *ctx, const ConvOpData *d, const SpryConvTensors *t) {
  const SpryConvShapes *s = &d->op.shapes;
  SpryHybridConvArgs args;
  SPRY_TRY(spry_hybrid_conv_args(
      ctx, &d->scratch, s, t, d->hybrid_filter.channel_scales, d->asymmetric,
      d->asymmetric ? SPRY_HYBRID_SCALE_CHANNEL_FIRST : SPRY_HYBRID_SCALE_PRODUCT, &args));
  if (d->hybrid_fast.kernels)
    return spry_hybrid_conv_fast_run(ctx, &d->hybrid_fast, &d->op.params, s, &args,
                                     t->output->data);
  spry_ref_conv_2d_hybrid(&d->op.params, s, &args, t->output->data);
  return SPRY_OK;
}

static SpryStatus conv_invoke(SpryContext *ctx, SpryNode *node) {
  const ConvOpData *d = node->user_data;
  SpryConvTensors t;
  bool empty = false;
  SPRY_TRY(spry_conv_invoke_tensors(ctx, node, &d->int4_filter, &t, &empty));
  if (empty) return SPRY_OK;
  if (d->hybrid) return hybrid_invoke(ctx, d, &t);
  const void *in = t.input->data, *filter = t.filter->data, *b = t.bias ? t.bias->data : NULL;
  void *out = t.output->data;
  if (d->fast.kernels) {
    spry_conv_gemm_run(ctx, &d->fast, in, out);
    return SPRY_OK;
  }
  const SpryConvParams *p = &d->op.params;
  const SpryConvShapes *s = &d->op.shapes;
  switch (d->op.kernel) {
    case SPRY_CONV_KERNEL_F32:
      spry_ref_conv_2d_f32(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_U8:
      spry_ref_conv_2d_u8(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S8:
      spry_ref_conv_2d_s8_per_channel(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S16:
      spry_ref_conv_2d_s16_per_channel(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S16_BIAS32:
      spry_ref_conv_2d_s16_per_channel_bias32(p, s, in, filter, b, out);
      break;
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_conv_2d = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 3, /* BuiltinOperator CONV_2D */
    .min_version = 1,
    .max_version = 8,
    .builtin_options_type = 1, /* BuiltinOptions Conv2DOptions */
    .init = conv_init,
    .free = conv_free,
    .prepare = conv_prepare,
    .invoke = conv_invoke,
};
