/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose_conv.c — TRANSPOSE_CONV and MediaPipe's custom
 * Convolution2DTransposeBias: option parsing, validation, output shape and
 * requantization set-up, dispatch to the fast path (kernels/fast/
 * transpose_conv.h) where it applies, else to the shared scatter kernels.
 *
 * TRANSPOSE_CONV inputs: output_shape (int32 [4]; when not constant it must
 * equal the declared output shape at run time), weights
 * [out_c, kh, kw, in_c], input NHWC, optional bias. Versions (TFLite 1..5):
 *   1  float32, uint8 (per-tensor)
 *   2  int8 per-channel weights, int32 bias
 *   3  int16 activations, int8 weights, int64 bias
 *   4  fused activation function
 *   5  int16x8 with quantized_bias_type (int32 bias and accumulator)
 * Hybrid nodes (float32 input and output, constant int8 weights per tensor
 * or per output channel, float32 bias; the converter emits versions 2 to
 * 4) quantize every batch of the input
 * asymmetrically at run time, as TFLite's BUILTIN_REF does, and scatter
 * every product scaled to float (reference/hybrid_conv.h).
 *
 * Convolution2DTransposeBias (float32 only) inputs: input NHWC, weights
 * [out_c, kh, kw, in_c], bias [out_c]; custom options are a raw struct of
 * three int32 {padding (TfLitePadding: 1 SAME, 2 VALID), stride_w, stride_h};
 * the output is input * stride (SAME) or (input - 1) * stride + filter
 * (VALID) along each spatial axis.
 */
#include "reference/transpose_conv.h"

#include <stdlib.h>
#include <string.h>

#include "conv_common.h"
#include "fast/transpose_conv.h"
#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/hybrid_conv.h"
#include "spry/op.h"

/* TransposeConvOptions field ids (schema.fbs). */
enum {
  TCONV_OPT_PADDING = 0,
  TCONV_OPT_STRIDE_W = 1,
  TCONV_OPT_STRIDE_H = 2,
  TCONV_OPT_ACTIVATION = 3,
  TCONV_OPT_QUANTIZED_BIAS_TYPE = 4,
};

typedef struct TconvOpData {
  int quantized_bias_type;
  int32_t scratch_index;
  /* output_shape is computed at run time: invoke checks it against the
   * declared output shape the plan was made for. */
  bool shape_at_run_time;
  int32_t planned_shape[4];
  SpryWindowedOp op;
  SpryTconvFast fast; /* the fast path, where it applies */
  bool hybrid;        /* float32 activations, int8 weights */
  SpryHybridFilter hybrid_filter;
  SpryHybridScratchIndex hybrid_scratch;
} TconvOpData;

static SpryStatus tconv_alloc(SpryContext *ctx, TconvOpData **out) {
  *out = calloc(1, sizeof(**out));
  if (!*out) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  (*out)->op.params.dilation_h = 1;
  (*out)->op.params.dilation_w = 1;
  (*out)->scratch_index = -1;
  return SPRY_OK;
}

static SpryStatus tconv_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  TconvOpData *d;
  SPRY_TRY(tconv_alloc(ctx, &d));
  const SpryOptionsTable *o = node->options;
  d->op.padding = spry_option_i8(o, TCONV_OPT_PADDING, SPRY_PADDING_SAME);
  d->op.params.stride_w = spry_option_i32(o, TCONV_OPT_STRIDE_W, 0);
  d->op.params.stride_h = spry_option_i32(o, TCONV_OPT_STRIDE_H, 0);
  d->op.activation = spry_option_i8(o, TCONV_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  d->quantized_bias_type = spry_option_i8(o, TCONV_OPT_QUANTIZED_BIAS_TYPE, SPRY_TYPE_FLOAT32);
  *user_data = d;
  return SPRY_OK;
}

/* Raw little-endian int32 at byte offset i of the custom options. */
static int32_t raw_i32(const uint8_t *p, size_t i) {
  const uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                     (uint32_t)p[i + 3] << 24;
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - UINT32_C(0x80000000)) + INT32_MIN;
}

static SpryStatus tconv_bias_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_ENSURE_MSG(ctx, node->custom_options && node->custom_options_size >= 12,
                  SPRY_ERROR_INVALID_MODEL, "custom options must hold 12 bytes, have %zu",
                  node->custom_options ? node->custom_options_size : (size_t)0);
  const int32_t padding = raw_i32(node->custom_options, 0);
  SPRY_ENSURE_MSG(ctx, padding == 1 || padding == 2, SPRY_ERROR_INVALID_MODEL,
                  "unknown padding %d", (int)padding);
  TconvOpData *d;
  SPRY_TRY(tconv_alloc(ctx, &d));
  d->op.padding = padding == 1 ? SPRY_PADDING_SAME : SPRY_PADDING_VALID;
  d->op.params.stride_w = raw_i32(node->custom_options, 4);
  d->op.params.stride_h = raw_i32(node->custom_options, 8);
  d->op.activation = SPRY_ACTIVATION_NONE;
  *user_data = d;
  return SPRY_OK;
}

static void tconv_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* The node's tensors: TRANSPOSE_CONV reads (output_shape, weights, input,
 * bias), Convolution2DTransposeBias (input, weights, bias). */
static void node_tensors(SpryContext *ctx, const SpryNode *node, bool custom, SpryConvTensors *t) {
  const int32_t input = custom ? 0 : 2, bias = custom ? 2 : 3;
  t->input = spry_node_input(ctx, node, input);
  t->filter = spry_node_input(ctx, node, 1);
  t->bias = node->num_inputs > bias ? spry_node_input(ctx, node, bias) : NULL;
  t->output = spry_node_output(ctx, node, 0);
}

/* Shapes of input (NHWC) and weights (OHWI, I == input channels); the
 * output's spatial dims are filled by the caller. */
static SpryStatus check_shapes(SpryContext *ctx, SpryConvShapes *s, const SpryConvTensors *t) {
  SPRY_ENSURE_MSG(ctx, t->input->rank == 4 && t->filter->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input and weights must have rank 4, have %d and %d", (int)t->input->rank,
                  (int)t->filter->rank);
  int32_t *const from_input[4] = {&s->batches, &s->input_h, &s->input_w, &s->input_c};
  int32_t *const from_weights[4] = {&s->output_c, &s->filter_h, &s->filter_w, &s->filter_c};
  for (int i = 0; i < 4; i++) {
    *from_input[i] = t->input->dims[i];
    *from_weights[i] = t->filter->dims[i];
    /* Empty inputs are allowed (nothing to scatter); empty weights are not. */
    SPRY_ENSURE_MSG(ctx, t->input->dims[i] >= 0 && t->filter->dims[i] > 0,
                    SPRY_ERROR_INVALID_MODEL, "bad input or weights dimension %d (%d, %d)", i,
                    (int)t->input->dims[i], (int)t->filter->dims[i]);
  }
  SPRY_ENSURE_MSG(ctx, s->filter_c == s->input_c, SPRY_ERROR_INVALID_MODEL,
                  "weights have %d input channels but input has %d", (int)s->filter_c,
                  (int)s->input_c);
  return spry_conv_check_constants(ctx, t, s->output_c, "weights", "output channels");
}

/* The output size along one axis from the constant output_shape: padding
 * as TFLite derives it (a forward conv over the output). */
static SpryStatus axis_padding(SpryContext *ctx, int padding, int32_t out, int32_t filter,
                               int32_t stride, int32_t *pad) {
  SPRY_ENSURE_MSG(ctx, stride > 0, SPRY_ERROR_INVALID_MODEL, "strides must be positive");
  SPRY_ENSURE_MSG(ctx, padding == SPRY_PADDING_SAME || padding == SPRY_PADDING_VALID,
                  SPRY_ERROR_INVALID_MODEL, "unknown padding %d", padding);
  const int32_t conv_out = spry_conv_output_size(padding, out, filter, stride, 1);
  int32_t unused = 0;
  *pad = conv_out < 0 ? 0 : spry_conv_padding(stride, 1, out, filter, conv_out, &unused);
  return SPRY_OK;
}

/* Requantization (uint8: legacy per-tensor multiplier; others per channel). */
static SpryStatus setup_quant(SpryContext *ctx, const SpryConvTensors *t, SpryWindowedOp *op) {
  SpryConvParams *p = &op->params;
  SPRY_TRY(spry_conv_check_quant(ctx, t, op->shapes.output_c, 0, /*require_symmetric=*/true));
  p->input_offset = -t->input->quant.zero_point;
  p->output_offset = t->output->quant.zero_point;
  if (op->kernel == SPRY_CONV_KERNEL_U8) {
    p->filter_offset = -t->filter->quant.zero_point;
    return spry_conv_legacy_multiplier(ctx, t->input->quant.scale, t->filter->quant.scale,
                                       t->output->quant.scale, &p->output_multiplier,
                                       &p->output_shift);
  }
  const int max_shift = op->kernel == SPRY_CONV_KERNEL_S16 ? SPRY_ACC64_MAX_SHIFT : 31;
  return spry_conv_channel_multipliers(ctx, t->input, t->filter, t->output, op->shapes.output_c,
                                       max_shift, p);
}

/* Common tail of both prepares once shapes, padding and kernel are set.
 * The reference's 64-bit sums need scratch only where the fast path does
 * not apply. */
static SpryStatus finish_prepare(SpryContext *ctx, const SpryConvTensors *t, TconvOpData *d) {
  SpryWindowedOp *op = &d->op;
  const SpryConvShapes *s = &op->shapes;
  SpryConvParams *p = &op->params;
  const bool quantized = op->kernel != SPRY_CONV_KERNEL_F32;
  if (quantized) SPRY_TRY(setup_quant(ctx, t, op));
  SPRY_TRY(spry_op_activation_range(ctx, op->activation, t->output, &p->act_min_f, &p->act_max_f,
                                    &p->act_min, &p->act_max));
  SPRY_TRY(spry_tconv_fast_prepare(ctx, &d->fast, op->kernel, p, s, t->filter, t->bias));
  d->scratch_index = -1;
  const size_t n = spry_shape_element_count(4, (const int32_t[4]){s->batches, s->output_h,
                                                                  s->output_w, s->output_c});
  if (quantized && !d->fast.kernels) {
    SPRY_ENSURE_MSG(ctx, n <= SIZE_MAX / sizeof(uint64_t), SPRY_ERROR_INVALID_MODEL,
                    "output too large");
    if (n > 0) SPRY_TRY(spry_context_request_scratch(ctx, n * sizeof(uint64_t), &d->scratch_index));
  }
  const int32_t dims[4] = {s->batches, s->output_h, s->output_w, s->output_c};
  return spry_context_resize_tensor(ctx, t->output, 4, dims);
}

/* Tail of a hybrid prepare: float activation range, scratch for the
 * quantized input, output shape. */
static SpryStatus finish_hybrid_prepare(SpryContext *ctx, const SpryConvTensors *t,
                                        TconvOpData *d) {
  const SpryConvShapes *s = &d->op.shapes;
  SpryConvParams *p = &d->op.params;
  d->fast.kernels = NULL;
  SPRY_TRY(spry_hybrid_filter_prepare(ctx, t->filter, t->bias, t->output, s->output_c, 0,
                                      &d->hybrid_filter));
  SPRY_TRY(spry_op_activation_range(ctx, d->op.activation, t->output, &p->act_min_f,
                                    &p->act_max_f, &p->act_min, &p->act_max));
  const int32_t dims[4] = {s->batches, s->output_h, s->output_w, s->output_c};
  const size_t size = (size_t)s->input_h * (size_t)s->input_w * (size_t)s->input_c;
  SPRY_ENSURE_MSG(ctx, size <= INT32_MAX, SPRY_ERROR_UNSUPPORTED, "input too large");
  d->scratch_index = -1;
  SPRY_TRY(spry_hybrid_scratch_request(ctx, s->batches, (int32_t)size, &d->hybrid_scratch));
  return spry_context_resize_tensor(ctx, t->output, 4, dims);
}

/* The output shape: from the constant output_shape, else (a tensor computed
 * at run time, as in TFLite Micro's int16 vectors) the declared output
 * shape, which invoke then holds the run-time values to. */
static SpryStatus read_output_shape(SpryContext *ctx, const SpryTensor *shape,
                                    const SpryTensor *output, TconvOpData *d) {
  SpryConvShapes *s = &d->op.shapes;
  SPRY_ENSURE_MSG(ctx, shape->type == SPRY_TYPE_INT32 && spry_tensor_elements(shape) == 4,
                  SPRY_ERROR_INVALID_MODEL, "output_shape must be int32 with 4 elements");
  d->shape_at_run_time = shape->kind != SPRY_TENSOR_CONSTANT;
  const int32_t *v = output->dims;
  if (d->shape_at_run_time) {
    SPRY_ENSURE_MSG(ctx, output->rank == 4, SPRY_ERROR_UNSUPPORTED,
                    "output_shape is computed at run time and the output has no declared 4-D "
                    "shape (rank %d)",
                    (int)output->rank);
  } else {
    SPRY_TRY(spry_conv_check_constant_size(ctx, "output_shape", shape));
    v = shape->data;
  }
  memcpy(d->planned_shape, v, sizeof d->planned_shape);
  SPRY_ENSURE_MSG(ctx, v[0] == s->batches && v[3] == s->output_c && v[1] >= 0 && v[2] >= 0,
                  SPRY_ERROR_INVALID_MODEL,
                  "output_shape [%d, %d, %d, %d] does not match batches %d, channels %d",
                  (int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)s->batches, (int)s->output_c);
  s->output_h = v[1];
  s->output_w = v[2];
  return SPRY_OK;
}

static SpryStatus tconv_prepare(SpryContext *ctx, SpryNode *node) {
  TconvOpData *d = node->user_data;
  SPRY_ENSURE_MSG(ctx, (node->num_inputs == 3 || node->num_inputs == 4) && node->num_outputs == 1,
                  SPRY_ERROR_INVALID_MODEL, "expected 3 or 4 inputs and 1 output");
  const SpryTensor *shape = spry_node_input(ctx, node, 0);
  SpryConvTensors t;
  node_tensors(ctx, node, false, &t);
  SPRY_ENSURE_MSG(ctx, shape && t.input && t.filter && t.output, SPRY_ERROR_INVALID_MODEL,
                  "output_shape, weights, input and output are required");
  d->hybrid = t.input->type == SPRY_TYPE_FLOAT32 && t.filter->type != SPRY_TYPE_FLOAT32;
  if (d->hybrid)
    d->op.kernel = SPRY_CONV_KERNEL_F32;
  else
    SPRY_TRY(spry_conv_select_kernel(ctx, &t, SPRY_CONV_ALLOW_BIAS32, d->quantized_bias_type,
                                     &d->op.kernel));
  SpryConvShapes *s = &d->op.shapes;
  SPRY_TRY(check_shapes(ctx, s, &t));
  SPRY_TRY(read_output_shape(ctx, shape, t.output, d));
  SpryConvParams *p = &d->op.params;
  SPRY_TRY(axis_padding(ctx, d->op.padding, s->output_h, s->filter_h, p->stride_h, &p->pad_h));
  SPRY_TRY(axis_padding(ctx, d->op.padding, s->output_w, s->filter_w, p->stride_w, &p->pad_w));
  return d->hybrid ? finish_hybrid_prepare(ctx, &t, d) : finish_prepare(ctx, &t, d);
}

/* MediaPipe's output size: SAME in * stride, VALID (in - 1) * stride + filter. */
static SpryStatus bias_axis(SpryContext *ctx, int padding, int32_t in, int32_t filter,
                            int32_t stride, int32_t *out, int32_t *pad) {
  SPRY_ENSURE_MSG(ctx, stride > 0 && in > 0, SPRY_ERROR_INVALID_MODEL,
                  "strides and input size must be positive");
  const int64_t size = padding == SPRY_PADDING_SAME ? (int64_t)in * stride
                                                    : (int64_t)(in - 1) * stride + filter;
  SPRY_ENSURE_MSG(ctx, size <= INT32_MAX, SPRY_ERROR_INVALID_MODEL, "output too large");
  *out = (int32_t)size;
  int32_t unused = 0;
  *pad = spry_conv_padding(stride, 1, *out, filter, in, &unused);
  return SPRY_OK;
}

static SpryStatus tconv_bias_prepare(SpryContext *ctx, SpryNode *node) {
  TconvOpData *d = node->user_data;
  SPRY_ENSURE_MSG(ctx, node->num_inputs == 3 && node->num_outputs == 1, SPRY_ERROR_INVALID_MODEL,
                  "expected 3 inputs and 1 output");
  SpryConvTensors t;
  node_tensors(ctx, node, true, &t);
  SPRY_ENSURE_MSG(ctx, t.input && t.filter && t.bias && t.output, SPRY_ERROR_INVALID_MODEL,
                  "input, weights, bias and output are required");
  SPRY_ENSURE_MSG(ctx, t.input->type == SPRY_TYPE_FLOAT32 && t.filter->type == SPRY_TYPE_FLOAT32 &&
                           t.output->type == SPRY_TYPE_FLOAT32 &&
                           t.bias->type == SPRY_TYPE_FLOAT32,
                  SPRY_ERROR_UNSUPPORTED, "only float32 is supported");
  d->op.kernel = SPRY_CONV_KERNEL_F32;
  SpryConvShapes *s = &d->op.shapes;
  SPRY_TRY(check_shapes(ctx, s, &t));
  SpryConvParams *p = &d->op.params;
  SPRY_TRY(bias_axis(ctx, d->op.padding, s->input_h, s->filter_h, p->stride_h, &s->output_h,
                     &p->pad_h));
  SPRY_TRY(bias_axis(ctx, d->op.padding, s->input_w, s->filter_w, p->stride_w, &s->output_w,
                     &p->pad_w));
  return finish_prepare(ctx, &t, d);
}

static SpryStatus run_hybrid(SpryContext *ctx, const TconvOpData *d, const SpryConvTensors *t) {
  const SpryConvShapes *s = &d->op.shapes;
  SpryHybridConvArgs args;
  SPRY_TRY(spry_hybrid_conv_args(ctx, &d->hybrid_scratch, s, t, d->hybrid_filter.channel_scales,
                                 true, SPRY_HYBRID_SCALE_PRODUCT, &args));
  spry_ref_transpose_conv_hybrid(&d->op.params, s, &args, t->output->data);
  return SPRY_OK;
}

/* Invoke of both ops (`custom`: Convolution2DTransposeBias). */
static SpryStatus run_kernel(SpryContext *ctx, const SpryNode *node, bool custom) {
  const TconvOpData *d = node->user_data;
  SpryConvTensors tensors;
  const SpryConvTensors *t = &tensors;
  node_tensors(ctx, node, custom, &tensors);
  SPRY_ENSURE_MSG(ctx, t->input && t->filter && t->output && (t->bias || !custom),
                  SPRY_ERROR_RUNTIME, "missing tensor");
  if (spry_tensor_elements(t->output) == 0) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, t->input->data && t->filter->data && t->output->data &&
                           (!t->bias || t->bias->data),
                  SPRY_ERROR_RUNTIME, "tensor without data");
  const SpryConvParams *p = &d->op.params;
  const SpryConvShapes *s = &d->op.shapes;
  const void *b = t->bias ? t->bias->data : NULL;
  if (d->hybrid) return run_hybrid(ctx, d, t);
  if (d->fast.kernels) {
    spry_tconv_fast_run(ctx, &d->fast, t->input->data, b, t->output->data);
    return SPRY_OK;
  }
  if (d->op.kernel == SPRY_CONV_KERNEL_F32) {
    spry_ref_transpose_conv_f32(p, s, t->input->data, t->filter->data, b, t->output->data);
    return SPRY_OK;
  }
  uint64_t *scratch = spry_context_scratch(ctx, d->scratch_index);
  SPRY_ENSURE_MSG(ctx, scratch, SPRY_ERROR_BAD_STATE, "scratch buffer missing");
  static const SpryQType qtype[] = {[SPRY_CONV_KERNEL_U8] = SPRY_Q_U8,
                                    [SPRY_CONV_KERNEL_S8] = SPRY_Q_S8,
                                    [SPRY_CONV_KERNEL_S16] = SPRY_Q_S16,
                                    [SPRY_CONV_KERNEL_S16_BIAS32] = SPRY_Q_S16};
  static const SpryConvRequant requant[] = {
      [SPRY_CONV_KERNEL_U8] = SPRY_CONV_REQUANT_PER_TENSOR,
      [SPRY_CONV_KERNEL_S8] = SPRY_CONV_REQUANT_PER_CHANNEL,
      [SPRY_CONV_KERNEL_S16] = SPRY_CONV_REQUANT_ACC64,
      [SPRY_CONV_KERNEL_S16_BIAS32] = SPRY_CONV_REQUANT_ACC32_S16};
  const SpryConvVariant v = spry_conv_variant(p, qtype[d->op.kernel], requant[d->op.kernel]);
  spry_ref_transpose_conv_int(p, s, &v, t->input->data, t->filter->data, b, t->output->data,
                              scratch);
  return SPRY_OK;
}

static SpryStatus tconv_invoke(SpryContext *ctx, SpryNode *node) {
  const TconvOpData *d = node->user_data;
  if (d->shape_at_run_time) {
    const SpryTensor *shape = spry_node_input(ctx, node, 0);
    SPRY_ENSURE_MSG(ctx, shape && shape->data && shape->bytes >= sizeof d->planned_shape,
                    SPRY_ERROR_RUNTIME, "output_shape has no data");
    int32_t v[4];
    memcpy(v, shape->data, sizeof v);
    SPRY_ENSURE_MSG(ctx, memcmp(v, d->planned_shape, sizeof v) == 0, SPRY_ERROR_UNSUPPORTED,
                    "output_shape [%d, %d, %d, %d] differs from the declared output shape "
                    "[%d, %d, %d, %d] (dynamic output shapes are not supported)",
                    (int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)d->planned_shape[0],
                    (int)d->planned_shape[1], (int)d->planned_shape[2], (int)d->planned_shape[3]);
  }
  return run_kernel(ctx, node, false);
}

static SpryStatus tconv_bias_invoke(SpryContext *ctx, SpryNode *node) {
  return run_kernel(ctx, node, true);
}

const SpryOpRegistration spry_op_transpose_conv = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 67, /* BuiltinOperator TRANSPOSE_CONV */
    .min_version = 1,
    .max_version = 5,
    .builtin_options_type = 49, /* BuiltinOptions TransposeConvOptions */
    .init = tconv_init,
    .free = tconv_free,
    .prepare = tconv_prepare,
    .invoke = tconv_invoke,
};

const SpryOpRegistration spry_op_convolution2dtransposebias = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Convolution2DTransposeBias",
    .min_version = 1,
    .max_version = 1,
    .init = tconv_bias_init,
    .free = tconv_free,
    .prepare = tconv_bias_prepare,
    .invoke = tconv_bias_invoke,
};
