/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fully_connected.c — the FULLY_CONNECTED op: reads FullyConnectedOptions,
 * validates the node, derives TFLite's reference requantization scales and
 * runs the reference kernels.
 *
 * Versions (TFLite defines 1..14):
 *   1  float32, uint8
 *   2  shuffled 4x16 int8 weights format                  — unsupported
 *   3  hybrid: float32 activations, int8 weights
 *   4  int8 activations and weights
 *   5  keep_num_dims
 *   6  no bias (2 inputs)
 *   7  int16 activations with int16 weights
 *   8  sparse weights                                     — unsupported (reader)
 *   9  hybrid with asymmetric input quantization
 *  10  int4 weights (int8 activations; float32 ones run hybrid)
 *  11  int16x8 with quantized_bias_type
 *  12  hybrid with per-channel weights
 *  13  int16 activations with int4 weights
 *  14  int2 weights (int8, int16 and float32 activations, as int4)
 * int16 activations with int8 weights (per-tensor or per-channel, int32 or
 * int64 bias) are supported at any version, and so are int16 weights, which
 * TFLite's reference takes at every version too (its 16x16 kernel:
 * spry_ref_fully_connected_s16x16, reference loop only). Unsupported
 * variants are rejected in prepare by their types or options. Hybrid nodes
 * (float32 input and output, constant int8 weights) quantize the input rows at run time
 * (spry_ref_fully_connected_hybrid); uint8 hybrid weights are unsupported.
 * Int4 and int2 weights (constant, per tensor or per channel) are unpacked
 * to int8 at prepare (subbyte.h) and take the int8-weight paths, as in
 * TFLite, which requires their zero points to be 0 (hybrid path included);
 * uint4 weights are refused, as TFLite refuses them.
 */
#include "reference/fully_connected.h"

#include <stdlib.h>

#include "conv_common.h"
#include "fast/conv_gemm.h"
#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/hybrid_gemv.h"
#include "spry/op.h"

/* FullyConnectedOptions field ids (schema.fbs). */
enum {
  FC_OPT_ACTIVATION = 0,
  FC_OPT_WEIGHTS_FORMAT = 1,
  FC_OPT_KEEP_NUM_DIMS = 2,
  FC_OPT_ASYMMETRIC_QUANTIZE_INPUTS = 3,
  FC_OPT_QUANTIZED_BIAS_TYPE = 4,
};

typedef struct FcOpData {
  int activation;
  int weights_format;
  bool keep_num_dims;
  int quantized_bias_type;
  bool asymmetric_quantize_inputs;
  bool hybrid;                  /* float32 activations with int8 weights */
  bool filter16;                /* int16 activations with int16 weights */
  SpryTensor unpacked_filter;   /* int4/int2 weights unpacked to int8 (subbyte.h) */
  SpryConvKernel kernel;
  SpryFullyConnectedParams params;
  SpryFullyConnectedHybridParams hybrid_params;
  SpryHybridScratchIndex scratch;
  SpryConvGemm fast; /* the fast path, where it applies */
} FcOpData;

static SpryStatus fc_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  FcOpData *d = calloc(1, sizeof(*d));
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const SpryOptionsTable *o = node->options;
  d->activation = spry_option_i8(o, FC_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  d->weights_format = spry_option_i8(o, FC_OPT_WEIGHTS_FORMAT, 0);
  d->keep_num_dims = spry_option_bool(o, FC_OPT_KEEP_NUM_DIMS, false);
  d->quantized_bias_type = spry_option_i8(o, FC_OPT_QUANTIZED_BIAS_TYPE, SPRY_TYPE_FLOAT32);
  d->asymmetric_quantize_inputs = spry_option_bool(o, FC_OPT_ASYMMETRIC_QUANTIZE_INPUTS, false);
  *user_data = d;
  return SPRY_OK;
}

static void fc_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Input flattened to [batches, depth] (batches rounded down, as TFLite
 * does), filter [units, depth], output [batches, units] or, with
 * keep_num_dims, the input's shape with the last dimension set to units. */
static SpryStatus setup_shapes(SpryContext *ctx, FcOpData *d, const SpryConvTensors *t) {
  const SpryTensor *in = t->input, *filter = t->filter;
  SpryTensor *out = t->output;
  SPRY_ENSURE_MSG(ctx, filter->rank == 2, SPRY_ERROR_INVALID_MODEL,
                  "weights must have rank 2 [units, depth], have rank %d", (int)filter->rank);
  const int32_t units = filter->dims[0], depth = filter->dims[1];
  SPRY_ENSURE_MSG(ctx, units > 0 && depth > 0, SPRY_ERROR_INVALID_MODEL,
                  "bad weights shape [%d, %d]", (int)units, (int)depth);
  SPRY_ENSURE_MSG(ctx, in->rank >= 1, SPRY_ERROR_INVALID_MODEL, "input must not be a scalar");
  for (int32_t i = 0; i < in->rank; i++)
    SPRY_ENSURE_MSG(ctx, in->dims[i] >= 0, SPRY_ERROR_INVALID_MODEL, "negative input dimension");
  const size_t batches = spry_tensor_elements(in) / (size_t)depth;
  SPRY_ENSURE_MSG(ctx, batches <= INT32_MAX, SPRY_ERROR_UNSUPPORTED, "input too large");
  SPRY_TRY(spry_conv_check_constants(ctx, t, units, "weights", "units"));
  d->params.batches = (int32_t)batches;
  d->params.accum_depth = depth;
  d->params.output_depth = units;
  if (!d->keep_num_dims) {
    const int32_t dims[2] = {(int32_t)batches, units};
    return spry_context_resize_tensor(ctx, out, 2, dims);
  }
  SPRY_ENSURE_MSG(ctx, in->dims[in->rank - 1] == depth, SPRY_ERROR_INVALID_MODEL,
                  "keep_num_dims: input depth %d does not match the weights' depth %d",
                  (int)in->dims[in->rank - 1], (int)depth);
  int32_t dims[SPRY_MAX_RANK];
  for (int32_t i = 0; i < in->rank; i++) dims[i] = in->dims[i];
  dims[in->rank - 1] = units;
  return spry_context_resize_tensor(ctx, out, in->rank, dims);
}

/* The 16x16 kernel's fixed-point form of each scale. Its total shift,
 * 15 - shift, must stay positive. */
static SpryStatus setup_fixed_point_scales(SpryContext *ctx, SpryFullyConnectedParams *p) {
  int32_t *m = spry_context_alloc_persistent(ctx, 2 * (size_t)p->num_scales * sizeof *m);
  if (!m) return SPRY_ERROR_OUT_OF_MEMORY;
  int32_t *shifts = m + p->num_scales;
  for (int32_t c = 0; c < p->num_scales; c++) {
    int shift = 0;
    SPRY_ENSURE_MSG(ctx,
                    spry_quantize_multiplier(p->scales[c], &m[c], &shift) && shift <= 14 &&
                        m[c] >= 0,
                    SPRY_ERROR_UNSUPPORTED,
                    "int16 weights: rescale factor %g (channel %d) is out of range", p->scales[c],
                    (int)c);
    shifts[c] = shift;
  }
  p->multipliers = m;
  p->shifts = shifts;
  return SPRY_OK;
}

/* TFLite's reference FULLY_CONNECTED requantizes with
 * round(acc * input_scale * filter_scale / output_scale) in double; its
 * 16x16 kernel with the fixed-point form of the same scales. */
static SpryStatus setup_quantization(SpryContext *ctx, FcOpData *d, const SpryConvTensors *t) {
  const SpryTensor *in = t->input, *filter = t->filter, *out = t->output;
  SpryFullyConnectedParams *p = &d->params;
  SPRY_TRY(spry_conv_check_quant(ctx, t, p->output_depth, 0, /*require_symmetric=*/false));
  const int32_t n = filter->quant.num_channels;
  double *scales = spry_context_alloc_persistent(ctx, (size_t)n * sizeof(double));
  if (!scales) return SPRY_ERROR_OUT_OF_MEMORY;
  for (int32_t c = 0; c < n; c++) {
    const float fs = n > 1 ? filter->quant.scales[c] : filter->quant.scale;
    scales[c] = (double)in->quant.scale * (double)fs / (double)out->quant.scale;
  }
  p->scales = scales;
  p->num_scales = n;
  p->multipliers = p->shifts = NULL;
  if (d->filter16) SPRY_TRY(setup_fixed_point_scales(ctx, p));
  p->input_offset = -in->quant.zero_point;
  p->output_offset = out->quant.zero_point;
  /* Per-channel weights are symmetric by specification: TFLite ignores
   * their zero points; per-tensor ones are applied. */
  p->filter_offset = n > 1 ? 0 : -filter->quant.zero_point;
  return SPRY_OK;
}

/* Hybrid weights: constant int8, per tensor or per output channel (their
 * zero points are ignored, as TFLite does); asymmetric inputs need the
 * weights' row sums, computed once here. */
static SpryStatus setup_hybrid_weights(SpryContext *ctx, FcOpData *d, const SpryTensor *filter) {
  SpryFullyConnectedHybridParams *h = &d->hybrid_params;
  const int32_t units = d->params.output_depth, depth = d->params.accum_depth;
  SPRY_TRY(spry_conv_check_filter_quant(ctx, filter, units, 0, /*require_symmetric=*/false));
  h->batches = d->params.batches;
  h->accum_depth = depth;
  h->output_depth = units;
  h->weight_scale = filter->quant.scale;
  h->channel_scales = filter->quant.num_channels > 1 ? filter->quant.scales : NULL;
  h->row_sums = NULL;
  h->activation = d->activation;
  if (!d->asymmetric_quantize_inputs) return SPRY_OK;
  int32_t *sums = spry_context_alloc_persistent(ctx, (size_t)units * sizeof *sums);
  if (!sums) return SPRY_ERROR_OUT_OF_MEMORY;
  spry_ref_row_sums_s8(filter->data, units, depth, sums);
  h->row_sums = sums;
  return SPRY_OK;
}

/* Float32 input and output with int8 weights: TFLite's hybrid path, which
 * accepts every fused activation. */
static SpryStatus hybrid_prepare(SpryContext *ctx, FcOpData *d, const SpryConvTensors *t) {
  SPRY_ENSURE_MSG(ctx, t->output->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "hybrid: output must be float32, is %s", spry_type_name(t->output->type));
  SPRY_ENSURE_MSG(ctx, !t->bias || t->bias->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "hybrid: bias must be float32, is %s", spry_type_name(t->bias->type));
  SPRY_ENSURE_MSG(ctx, t->filter->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "hybrid: weights must be constant");
  SPRY_ENSURE_MSG(ctx, d->activation >= SPRY_ACTIVATION_NONE &&
                           d->activation <= SPRY_ACTIVATION_SIGN_BIT,
                  SPRY_ERROR_INVALID_MODEL, "unknown fused activation %d", d->activation);
  d->hybrid = true;
  SPRY_TRY(setup_shapes(ctx, d, t));
  SPRY_TRY(setup_hybrid_weights(ctx, d, t->filter));
  return spry_hybrid_scratch_request(ctx, d->params.batches, d->params.accum_depth, &d->scratch);
}

/* The fast path sees the layer as a 1x1 convolution over a row of `batches`
 * pixels. */
static SpryStatus prepare_fast_path(SpryContext *ctx, FcOpData *d, const SpryConvTensors *t) {
  const SpryFullyConnectedParams *p = &d->params;
  const SpryConvShapes shapes = {
      .batches = 1, .input_h = 1, .input_w = p->batches, .input_c = p->accum_depth,
      .filter_h = 1, .filter_w = 1, .filter_c = p->accum_depth,
      .output_h = 1, .output_w = p->batches, .output_c = p->output_depth,
  };
  const SpryConvParams params = {
      .stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
      .input_offset = p->input_offset, .filter_offset = p->filter_offset,
      .output_offset = p->output_offset,
      .act_min = p->act_min, .act_max = p->act_max,
      .act_min_f = p->act_min_f, .act_max_f = p->act_max_f,
  };
  return spry_conv_gemm_prepare(ctx, &d->fast, d->kernel, SPRY_GEMM_REQUANT_DOUBLE_SCALE, &params,
                                &shapes, &d->params, t->filter, t->bias);
}

/* TFLite's quantized paths take sub-byte weights as symmetric only; the
 * message names the packed type (`packed`), not the unpacked copy's. */
static SpryStatus check_subbyte_zero_points(SpryContext *ctx, SpryType packed,
                                            const SpryTensor *filter) {
  const SpryQuantization *q = &filter->quant;
  for (int32_t c = 0; c < q->num_channels; c++) {
    const int32_t zp = q->zero_points ? q->zero_points[c] : q->zero_point;
    SPRY_ENSURE_MSG(ctx, zp == 0, SPRY_ERROR_UNSUPPORTED,
                    "%s weights '%s' have zero point %d (channel %d); only 0 is supported",
                    spry_type_name(packed), filter->name, (int)zp, (int)c);
  }
  return SPRY_OK;
}

SPRY_PREPARE_CODE
static SpryStatus fc_prepare(SpryContext *ctx, SpryNode *node) {
  FcOpData *d = node->user_data;
  SpryConvTensors t;
  const SpryConvSubbyteWeights subbyte = {
      .weights = SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT4) | SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT2),
      .inputs = SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT8) | SPRY_CONV_TYPE_BIT(SPRY_TYPE_INT16) |
                SPRY_CONV_TYPE_BIT(SPRY_TYPE_FLOAT32)};
  SPRY_TRY(spry_conv_prepare_tensors(ctx, node, "weights", subbyte, &d->unpacked_filter, &t));
  SPRY_ENSURE_MSG(ctx, d->weights_format == 0, SPRY_ERROR_UNSUPPORTED,
                  "weights format %d is not supported (only DEFAULT)", d->weights_format);
  /* TFLite takes sub-byte weights with zero points of 0 only, the hybrid
   * kernel included. */
  if (t.filter == &d->unpacked_filter) {
    const SpryType packed = spry_node_input(ctx, node, 1)->type;
    SPRY_TRY(check_subbyte_zero_points(ctx, packed, t.filter));
  }
  d->hybrid = false;
  if (t.input->type == SPRY_TYPE_FLOAT32 && t.filter->type == SPRY_TYPE_INT8)
    return hybrid_prepare(ctx, d, &t);
  SPRY_TRY(spry_conv_select_kernel(ctx, &t, SPRY_CONV_ALLOW_BIAS32 | SPRY_CONV_ALLOW_FILTER16,
                                   d->quantized_bias_type, &d->kernel));
  d->filter16 = t.filter->type == SPRY_TYPE_INT16;
  SPRY_TRY(setup_shapes(ctx, d, &t));
  if (d->kernel != SPRY_CONV_KERNEL_F32) SPRY_TRY(setup_quantization(ctx, d, &t));
  SPRY_TRY(spry_op_activation_range(ctx, d->activation, t.output, &d->params.act_min_f,
                                    &d->params.act_max_f, &d->params.act_min,
                                    &d->params.act_max));
  if (d->filter16) {
    d->fast.kernels = NULL; /* the fast path packs 8-bit weights only */
    return SPRY_OK;
  }
  return prepare_fast_path(ctx, d, &t);
}

static SpryStatus fc_invoke(SpryContext *ctx, SpryNode *node) {
  const FcOpData *d = node->user_data;
  SpryConvTensors t;
  bool empty = false;
  SPRY_TRY(spry_conv_invoke_tensors(ctx, node, &d->unpacked_filter, &t, &empty));
  if (empty) return SPRY_OK;
  if (d->hybrid) {
    const SpryHybridScratch s = spry_hybrid_scratch_get(ctx, &d->scratch);
    SPRY_ENSURE(ctx, s.quantized && s.scales && s.zero_points);
    spry_ref_fully_connected_hybrid(&d->hybrid_params, t.input->data, t.filter->data,
                                    t.bias ? t.bias->data : NULL, t.output->data, s.quantized,
                                    s.scales, s.zero_points);
    return SPRY_OK;
  }
  const void *in = t.input->data, *filter = t.filter->data, *b = t.bias ? t.bias->data : NULL;
  void *out = t.output->data;
  if (d->fast.kernels) {
    spry_conv_gemm_run(ctx, &d->fast, in, out);
    return SPRY_OK;
  }
  const SpryFullyConnectedParams *p = &d->params;
  switch (d->kernel) {
    case SPRY_CONV_KERNEL_F32:
      spry_ref_fully_connected_f32(p, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_U8:
      spry_ref_fully_connected_u8(p, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S8:
      spry_ref_fully_connected_s8(p, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S16:
      if (d->filter16)
        spry_ref_fully_connected_s16x16(p, in, filter, b, out);
      else
        spry_ref_fully_connected_s16(p, in, filter, b, out);
      break;
    case SPRY_CONV_KERNEL_S16_BIAS32:
      if (d->filter16)
        spry_ref_fully_connected_s16x16(p, in, filter, b, out);
      else
        spry_ref_fully_connected_s16_bias32(p, in, filter, b, out);
      break;
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_fully_connected = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 9, /* BuiltinOperator FULLY_CONNECTED */
    .min_version = 1,
    .max_version = 14,
    .builtin_options_type = 8, /* BuiltinOptions FullyConnectedOptions */
    .init = fc_init,
    .free = fc_free,
    .prepare = fc_prepare,
    .invoke = fc_invoke,
};
