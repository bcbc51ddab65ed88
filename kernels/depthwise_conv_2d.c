/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_conv_2d.c — the DEPTHWISE_CONV_2D op: reads
 * DepthwiseConv2DOptions, validates the node, derives TFLite's
 * requantization parameters and runs the fast path where it applies
 * (fast/depthwise.h), the reference kernels otherwise.
 *
 * Versions (TFLite defines 1..7):
 *   1  float32, uint8 (per-tensor asymmetric)
 *   2  dilation factors other than 1
 *   3  int8 activations, int8 per-channel weights
 *   4  hybrid: float32 activations, int8 weights
 *   5  int16 activations, int8 weights, int64 bias
 *   6  hybrid with per-channel weights
 *   7  int4 weights (int8 activations), unpacked to int8 at prepare; int16
 *      activations with int4 weights are refused: TFLite's int16 kernel
 *      does not unpack them (its results differ from those of the same
 *      weights stored as int8)
 * Unsupported variants are rejected in prepare by their types.
 *
 * The depth multiplier is output channels / input channels, as in TFLite's
 * current kernels (the option is redundant). TFLite's int16 and hybrid
 * kernels read the option instead, so there the two must agree.
 *
 * Hybrid nodes (float32 input and output, constant int8 filter, float32
 * bias) follow TFLite's EvalHybridPerChannel: every batch of the input is
 * quantized asymmetrically at run time, and the filter needs one scale per
 * output channel (TFLite refuses a per-tensor scale). See
 * reference/hybrid_conv.h.
 */
#include "reference/depthwise_conv_2d.h"

#include <stdlib.h>

#include "conv_common.h"
#include "fusion.h"
#include "fast/conv_gemm.h"
#include "fast/depthwise.h"
#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/hybrid_conv.h"
#include "spry/op.h"

/* DepthwiseConv2DOptions field ids (schema.fbs). */
enum {
  DW_OPT_PADDING = 0,
  DW_OPT_STRIDE_W = 1,
  DW_OPT_STRIDE_H = 2,
  DW_OPT_DEPTH_MULTIPLIER = 3,
  DW_OPT_ACTIVATION = 4,
  DW_OPT_DILATION_W = 5,
  DW_OPT_DILATION_H = 6,
};

typedef struct DwOpData {
  int32_t depth_multiplier_option;
  SpryTensor int4_filter; /* int4 weights unpacked to int8 (subbyte.h) */
  SpryWindowedOp op;
  SpryDepthwise fast; /* the fast path, where it applies */
  SpryConvGemm single_channel; /* one input channel, depth multiplier > 1: a convolution */
  int model_activation;        /* the options' fused activation */
  bool hybrid;                 /* float32 activations, int8 filter */
  SpryHybridFilter hybrid_filter;
  SpryHybridScratchIndex scratch;
} DwOpData;

SPRY_PREPARE_CODE
static SpryStatus dw_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  DwOpData *d = calloc(1, sizeof(*d));
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const SpryOptionsTable *o = node->options;
  d->op.padding = spry_option_i8(o, DW_OPT_PADDING, SPRY_PADDING_SAME);
  d->op.params.stride_w = spry_option_i32(o, DW_OPT_STRIDE_W, 0);
  d->op.params.stride_h = spry_option_i32(o, DW_OPT_STRIDE_H, 0);
  d->depth_multiplier_option = spry_option_i32(o, DW_OPT_DEPTH_MULTIPLIER, 0);
  d->model_activation = spry_option_i8(o, DW_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  d->op.params.dilation_w = spry_option_i32(o, DW_OPT_DILATION_W, 1);
  d->op.params.dilation_h = spry_option_i32(o, DW_OPT_DILATION_H, 1);
  *user_data = d;
  return SPRY_OK;
}

static void dw_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Shapes: NHWC input, 1HW(C·M) filter, bias [C·M]; fills d->op.shapes. */
static SpryStatus check_shapes(SpryContext *ctx, DwOpData *d, const SpryConvTensors *t) {
  const SpryTensor *in = t->input, *filter = t->filter;
  SPRY_ENSURE_MSG(ctx, in->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input must have rank 4 (NHWC), has rank %d", (int)in->rank);
  SPRY_ENSURE_MSG(ctx, filter->rank == 4 && filter->dims[0] == 1, SPRY_ERROR_INVALID_MODEL,
                  "filter must have shape [1, H, W, C*M]");
  SpryConvShapes *s = &d->op.shapes;
  s->batches = in->dims[0];
  s->input_h = in->dims[1];
  s->input_w = in->dims[2];
  s->input_c = in->dims[3];
  s->filter_h = filter->dims[1];
  s->filter_w = filter->dims[2];
  s->output_c = s->filter_c = filter->dims[3];
  SPRY_ENSURE_MSG(ctx, s->batches >= 0 && s->input_h >= 0 && s->input_w >= 0 && s->input_c > 0,
                  SPRY_ERROR_INVALID_MODEL, "bad input shape [%d, %d, %d, %d]", (int)s->batches,
                  (int)s->input_h, (int)s->input_w, (int)s->input_c);
  SPRY_ENSURE_MSG(ctx, s->output_c > 0 && s->filter_h > 0 && s->filter_w > 0,
                  SPRY_ERROR_INVALID_MODEL, "bad filter shape [1, %d, %d, %d]", (int)s->filter_h,
                  (int)s->filter_w, (int)s->output_c);
  SPRY_ENSURE_MSG(ctx, s->output_c % s->input_c == 0, SPRY_ERROR_INVALID_MODEL,
                  "filter has %d channels, not a multiple of the input's %d channels",
                  (int)s->output_c, (int)s->input_c);
  if (d->op.kernel == SPRY_CONV_KERNEL_S16 || d->hybrid) {
    const int32_t m = s->output_c / s->input_c;
    SPRY_ENSURE_MSG(ctx, d->depth_multiplier_option == m, SPRY_ERROR_INVALID_MODEL,
                    "depth_multiplier option %d disagrees with the shapes (%d)",
                    (int)d->depth_multiplier_option, (int)m);
  }
  return spry_conv_check_constants(ctx, t, s->output_c, "filter", "output channels");
}

/* Float32 input with an int8 filter; geometry, activation range and output
 * shape are the float op's. */
static SpryStatus hybrid_prepare(SpryContext *ctx, DwOpData *d, const SpryConvTensors *t) {
  d->hybrid = true;
  d->op.kernel = SPRY_CONV_KERNEL_F32;
  d->fast.fn = NULL;
  d->single_channel.kernels = NULL;
  SPRY_TRY(check_shapes(ctx, d, t));
  const SpryConvShapes *s = &d->op.shapes;
  SPRY_ENSURE_MSG(ctx, t->filter->quant.num_channels == s->output_c, SPRY_ERROR_UNSUPPORTED,
                  "hybrid filter needs one scale per output channel (%d), has %d",
                  (int)s->output_c, (int)t->filter->quant.num_channels);
  SPRY_TRY(spry_hybrid_filter_prepare(ctx, t->filter, t->bias, t->output, s->output_c, 3,
                                      &d->hybrid_filter));
  SPRY_TRY(spry_conv_prepare_windowed(ctx, t, &d->op, 3, /*require_symmetric=*/false));
  const size_t size = (size_t)s->input_h * (size_t)s->input_w * (size_t)s->input_c;
  SPRY_ENSURE_MSG(ctx, size <= INT32_MAX, SPRY_ERROR_UNSUPPORTED, "input too large");
  return spry_hybrid_scratch_request(ctx, s->batches, (int32_t)size, &d->scratch);
}

SPRY_PREPARE_CODE
static SpryStatus dw_prepare(SpryContext *ctx, SpryNode *node) {
  DwOpData *d = node->user_data;
  /* The model's activation, or a RELU the engine has this node carry out
   * (engine/fusion.h). */
  d->op.activation = d->model_activation;
  spry_context_fuse_activation(ctx, &d->op.activation);
  SpryConvTensors t;
  const SpryConvSubbyteWeights subbyte = {.weights = SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT4),
                                           .inputs = SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT8)};
  SPRY_TRY(spry_conv_prepare_tensors(ctx, node, "filter", subbyte, &d->int4_filter, &t));
  d->hybrid = false;
  if (t.input->type == SPRY_TYPE_FLOAT32 && t.filter->type != SPRY_TYPE_FLOAT32)
    return hybrid_prepare(ctx, d, &t);
  /* TFLite's int16 depthwise kernel takes an int64 bias only. */
  SPRY_TRY(spry_conv_select_kernel(ctx, &t, 0, SPRY_TYPE_INT64, &d->op.kernel));
  SPRY_TRY(check_shapes(ctx, d, &t));
  /* TFLite's signed depthwise kernels take the weights as symmetric and
   * ignore filter zero points. */
  SPRY_TRY(spry_conv_prepare_windowed(ctx, &t, &d->op, 3, /*require_symmetric=*/false));
  SPRY_TRY(spry_depthwise_prepare(ctx, &d->fast, d->op.kernel, &d->op.params, &d->op.shapes,
                                  t.filter, t.bias));
  d->single_channel.kernels = NULL;
  if (d->fast.fn || d->op.shapes.input_c != 1) return SPRY_OK;
  /* With one input channel every output channel reads the same taps: a
   * plain convolution whose filter is stored [1, H, W, outputs] (micro_speech). */
  SpryConvShapes shapes = d->op.shapes;
  shapes.filter_c = 1;
  d->single_channel.depthwise = true;
  return spry_conv_gemm_prepare(ctx, &d->single_channel, d->op.kernel,
                                SPRY_GEMM_REQUANT_FIXED_POINT, &d->op.params, &shapes, NULL,
                                t.filter, t.bias);
}

static SpryStatus hybrid_invoke(SpryContext *ctx, const DwOpData *d, const SpryConvTensors *t) {
  const SpryConvShapes *s = &d->op.shapes;
  SpryHybridConvArgs args;
  SPRY_TRY(spry_hybrid_conv_args(ctx, &d->scratch, s, t, d->hybrid_filter.channel_scales, true,
                                 SPRY_HYBRID_SCALE_PRODUCT, &args));
  spry_ref_depthwise_conv_2d_hybrid(&d->op.params, s, &args, t->output->data);
  return SPRY_OK;
}

static SpryStatus dw_invoke(SpryContext *ctx, SpryNode *node) {
  const DwOpData *d = node->user_data;
  SpryConvTensors t;
  bool empty = false;
  SPRY_TRY(spry_conv_invoke_tensors(ctx, node, &d->int4_filter, &t, &empty));
  if (empty) return SPRY_OK;
  if (d->hybrid) return hybrid_invoke(ctx, d, &t);
  const void *in = t.input->data, *filter = t.filter->data, *b = t.bias ? t.bias->data : NULL;
  void *out = t.output->data;
  if (d->fast.fn) {
    spry_depthwise_run(ctx, &d->fast, in, out);
    return SPRY_OK;
  }
  if (d->single_channel.kernels) {
    spry_conv_gemm_run(ctx, &d->single_channel, in, out);
    return SPRY_OK;
  }
  const SpryConvParams *p = &d->op.params;
  const SpryConvShapes *s = &d->op.shapes;
  switch (d->op.kernel) {
    case SPRY_CONV_KERNEL_F32:
      spry_ref_depthwise_conv_2d_f32(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_U8:
      spry_ref_depthwise_conv_2d_u8(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S8:
      spry_ref_depthwise_conv_2d_s8_per_channel(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S16:
      spry_ref_depthwise_conv_2d_s16_per_channel(p, s, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S16_BIAS32: /* prepare never selects it (no SPRY_CONV_ALLOW_BIAS32) */
      return spry_context_error(ctx, SPRY_ERROR_RUNTIME, "no int32-bias int16 kernel");
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_depthwise_conv_2d = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 4, /* BuiltinOperator DEPTHWISE_CONV_2D */
    .min_version = 1,
    .max_version = 7,
    .builtin_options_type = 2, /* BuiltinOptions DepthwiseConv2DOptions */
    .init = dw_init,
    .free = dw_free,
    .prepare = dw_prepare,
    .invoke = dw_invoke,
};
