/* SPDX-License-Identifier: Apache-2.0 */
/* conv_common.c — prepare and invoke glue shared by the convolution-like ops. */
#include "conv_common.h"

#include "subbyte.h"
#include "kernel_util.h"
#include "quantization.h"

static SpryStatus check_filter_zero_points(SpryContext *ctx, const SpryTensor *filter,
                                           bool require_symmetric) {
  const SpryQuantization *q = &filter->quant;
  if (filter->type == SPRY_TYPE_UINT8) {
    SPRY_ENSURE_MSG(ctx, q->zero_point >= 0 && q->zero_point <= 255, SPRY_ERROR_INVALID_MODEL,
                    "filter zero point %d is outside [0, 255]", (int)q->zero_point);
    return SPRY_OK;
  }
  if (!require_symmetric) {
    /* Per-tensor signed weights may carry an offset (FULLY_CONNECTED applies it). */
    int32_t lo = -128, hi = 127;
    spry_quantized_type_range(filter->type, &lo, &hi);
    SPRY_ENSURE_MSG(ctx, q->zero_point >= lo && q->zero_point <= hi, SPRY_ERROR_INVALID_MODEL,
                    "filter zero point %d is outside [%d, %d]", (int)q->zero_point, (int)lo,
                    (int)hi);
    return SPRY_OK;
  }
  for (int32_t c = 0; c < q->num_channels; c++) {
    const int32_t zp = q->zero_points ? q->zero_points[c] : q->zero_point;
    SPRY_ENSURE_MSG(ctx, zp == 0, SPRY_ERROR_INVALID_MODEL,
                    "filter zero point %d of channel %d must be 0 (symmetric weights)", (int)zp,
                    (int)c);
  }
  return SPRY_OK;
}

SpryStatus spry_conv_check_filter_quant(SpryContext *ctx, const SpryTensor *filter,
                                        int32_t channels, int32_t channel_dim,
                                        bool require_symmetric) {
  const SpryQuantization *q = &filter->quant;
  SPRY_ENSURE_MSG(ctx, q->num_channels >= 1, SPRY_ERROR_INVALID_MODEL,
                  "quantized op needs a quantized filter");
  if (q->num_channels > 1) {
    SPRY_ENSURE_MSG(ctx, filter->type == SPRY_TYPE_INT8 || filter->type == SPRY_TYPE_INT16,
                    SPRY_ERROR_UNSUPPORTED,
                    "per-channel quantization needs an int8 or int16 filter, not %s",
                    spry_type_name(filter->type));
    SPRY_ENSURE_MSG(ctx, q->num_channels == channels && q->quantized_dimension == channel_dim,
                    SPRY_ERROR_INVALID_MODEL,
                    "filter has %d scales along dimension %d, expected %d along dimension %d",
                    (int)q->num_channels, (int)q->quantized_dimension, (int)channels,
                    (int)channel_dim);
    SPRY_ENSURE_MSG(ctx, q->scales != NULL, SPRY_ERROR_INVALID_MODEL, "filter scales missing");
  }
  for (int32_t c = 0; c < q->num_channels; c++) {
    const float s = q->scales ? q->scales[c] : q->scale;
    SPRY_ENSURE_MSG(ctx, spry_scale_is_valid(s), SPRY_ERROR_INVALID_MODEL,
                    "filter has invalid quantization scale %g (channel %d)", (double)s, (int)c);
  }
  return check_filter_zero_points(ctx, filter, require_symmetric);
}

SpryStatus spry_conv_legacy_multiplier(SpryContext *ctx, float input_scale, float filter_scale,
                                       float output_scale, int32_t *multiplier, int *shift) {
  /* TFLite multiplies the two float scales in float, then divides in double. */
  const float product = input_scale * filter_scale;
  const double real = (double)product / (double)output_scale;
  SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier(real, multiplier, shift), SPRY_ERROR_INVALID_MODEL,
                  "invalid requantization multiplier %g", real);
  return SPRY_OK;
}

SpryStatus spry_conv_channel_multipliers(SpryContext *ctx, const SpryTensor *input,
                                         const SpryTensor *filter, const SpryTensor *output,
                                         int32_t channels, int max_shift, SpryConvParams *params) {
  int32_t *multipliers = spry_context_alloc_persistent(ctx, (size_t)channels * sizeof(int32_t));
  int *shifts = spry_context_alloc_persistent(ctx, (size_t)channels * sizeof(int));
  if (!multipliers || !shifts) return SPRY_ERROR_OUT_OF_MEMORY;
  const SpryQuantization *fq = &filter->quant;
  for (int32_t c = 0; c < channels; c++) {
    const float fs = fq->num_channels > 1 ? fq->scales[c] : fq->scale;
    const double real = (double)input->quant.scale * (double)fs / (double)output->quant.scale;
    SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier(real, &multipliers[c], &shifts[c]),
                    SPRY_ERROR_INVALID_MODEL, "invalid requantization multiplier %g (channel %d)",
                    real, (int)c);
    SPRY_ENSURE_MSG(ctx, shifts[c] <= max_shift, SPRY_ERROR_UNSUPPORTED,
                    "requantization multiplier %g of channel %d is too large (at most 2^%d)", real,
                    (int)c, max_shift);
  }
  params->channel_multiplier = multipliers;
  params->channel_shift = shifts;
  return SPRY_OK;
}

SpryStatus spry_conv_window(SpryContext *ctx, int padding, const SpryConvShapes *s,
                            SpryConvParams *p, int32_t *out_h, int32_t *out_w) {
  SPRY_ENSURE_MSG(ctx, padding == SPRY_PADDING_SAME || padding == SPRY_PADDING_VALID,
                  SPRY_ERROR_INVALID_MODEL, "unknown padding %d", padding);
  SPRY_ENSURE_MSG(ctx, p->stride_h > 0 && p->stride_w > 0, SPRY_ERROR_INVALID_MODEL,
                  "strides must be positive (got %d x %d)", (int)p->stride_h, (int)p->stride_w);
  SPRY_ENSURE_MSG(ctx, p->dilation_h > 0 && p->dilation_w > 0, SPRY_ERROR_INVALID_MODEL,
                  "dilations must be positive (got %d x %d)", (int)p->dilation_h,
                  (int)p->dilation_w);
  *out_h = spry_conv_output_size(padding, s->input_h, s->filter_h, p->stride_h, p->dilation_h);
  *out_w = spry_conv_output_size(padding, s->input_w, s->filter_w, p->stride_w, p->dilation_w);
  SPRY_ENSURE_MSG(ctx, *out_h >= 0 && *out_w >= 0, SPRY_ERROR_INVALID_MODEL,
                  "cannot compute the output size");
  int32_t unused_offset = 0;
  p->pad_h = spry_conv_padding(p->stride_h, p->dilation_h, s->input_h, s->filter_h, *out_h,
                               &unused_offset);
  p->pad_w = spry_conv_padding(p->stride_w, p->dilation_w, s->input_w, s->filter_w, *out_w,
                               &unused_offset);
  return SPRY_OK;
}

SpryStatus spry_conv_check_constant_size(SpryContext *ctx, const char *role, const SpryTensor *t) {
  if (t->kind != SPRY_TENSOR_CONSTANT) return SPRY_OK;
  const size_t elements = spry_tensor_elements(t);
  const size_t size = spry_type_size(t->type);
  SPRY_ENSURE_MSG(ctx, size != 0 && elements <= t->bytes / size && t->data != NULL,
                  SPRY_ERROR_INVALID_MODEL, "%s data (%zu bytes) does not cover its shape", role,
                  t->bytes);
  return SPRY_OK;
}

SpryStatus spry_conv_unsupported_types(SpryContext *ctx, const SpryTensor *input,
                                       const SpryTensor *filter, const SpryTensor *output) {
  return spry_context_error(
      ctx, SPRY_ERROR_UNSUPPORTED, "unsupported type combination: input %s, filter %s, output %s",
      spry_type_name(input->type), spry_type_name(filter->type), spry_type_name(output->type));
}

/* TFLite's kernels unpack sub-byte weights and run their int8-weight paths,
 * for some weight and activation types only; the others are refused with
 * the packed type named (after unpacking, the messages would speak of int8). */
static SpryStatus unpack_subbyte_filter(SpryContext *ctx, const char *filter_role,
                                        SpryConvSubbyteWeights subbyte,
                                        SpryTensor *unpacked_filter, SpryConvTensors *t) {
  if (!spry_is_subbyte(t->filter->type)) return SPRY_OK;
  const unsigned in = (unsigned)t->input->type;
  const bool paired = in < 32u && (subbyte.inputs & SPRY_CONV_TYPE_BIT(in)) != 0 &&
                      (subbyte.weights & SPRY_CONV_TYPE_BIT(t->filter->type)) != 0;
  if (!paired) return spry_conv_unsupported_types(ctx, t->input, t->filter, t->output);
  return spry_subbyte_unpack_constant(ctx, filter_role, unpacked_filter, &t->filter);
}

SpryStatus spry_conv_prepare_tensors(SpryContext *ctx, const SpryNode *node,
                                     const char *filter_role, SpryConvSubbyteWeights subbyte,
                                     SpryTensor *unpacked_filter, SpryConvTensors *t) {
  SPRY_ENSURE_MSG(ctx, node->num_inputs == 2 || node->num_inputs == 3, SPRY_ERROR_INVALID_MODEL,
                  "expected 2 or 3 inputs, got %d", (int)node->num_inputs);
  SPRY_ENSURE_MSG(ctx, node->num_outputs == 1, SPRY_ERROR_INVALID_MODEL,
                  "expected 1 output, got %d", (int)node->num_outputs);
  t->input = spry_node_input(ctx, node, 0);
  t->filter = spry_node_input(ctx, node, 1);
  t->bias = spry_node_input(ctx, node, 2);
  t->output = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, t->input && t->filter && t->output, SPRY_ERROR_INVALID_MODEL,
                  "input, %s and output are required", filter_role);
  return unpack_subbyte_filter(ctx, filter_role, subbyte, unpacked_filter, t);
}

SpryStatus spry_conv_invoke_tensors(SpryContext *ctx, const SpryNode *node,
                                    const SpryTensor *unpacked_filter, SpryConvTensors *t,
                                    bool *empty) {
  t->input = spry_node_input(ctx, node, 0);
  t->filter = spry_node_input(ctx, node, 1);
  t->bias = spry_node_input(ctx, node, 2);
  t->output = spry_node_output(ctx, node, 0);
  *empty = false;
  if (!t->input || !t->filter || !t->output)
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME, "missing tensor");
  t->filter = spry_subbyte_resolve(t->filter, unpacked_filter);
  /* An empty output needs no data at all (its inputs may be empty too). */
  if (spry_tensor_elements(t->output) == 0) {
    *empty = true;
    return SPRY_OK;
  }
  if (!t->input->data || !t->filter->data || !t->output->data || (t->bias && !t->bias->data))
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME, "tensor without data");
  return SPRY_OK;
}

SpryStatus spry_conv_select_kernel(SpryContext *ctx, const SpryConvTensors *t, uint32_t flags,
                                   int quantized_bias_type, SpryConvKernel *kernel) {
  const SpryType in = t->input->type, filter = t->filter->type;
  const SpryTensor *bias = t->bias;
  SpryType bias_type = SPRY_TYPE_INT32;
  if (t->output->type != in) return spry_conv_unsupported_types(ctx, t->input, t->filter, t->output);
  if (in == SPRY_TYPE_FLOAT32 && filter == SPRY_TYPE_FLOAT32) {
    *kernel = SPRY_CONV_KERNEL_F32;
    bias_type = SPRY_TYPE_FLOAT32;
  } else if (in == SPRY_TYPE_UINT8 && filter == SPRY_TYPE_UINT8) {
    *kernel = SPRY_CONV_KERNEL_U8;
  } else if (in == SPRY_TYPE_INT8 && filter == SPRY_TYPE_INT8) {
    *kernel = SPRY_CONV_KERNEL_S8;
  } else if (in == SPRY_TYPE_INT16 &&
             (filter == SPRY_TYPE_INT8 ||
              (filter == SPRY_TYPE_INT16 && (flags & SPRY_CONV_ALLOW_FILTER16)))) {
    /* TFLite accumulates in the bias type; without a bias the option decides. */
    const bool bias32 =
        (flags & SPRY_CONV_ALLOW_BIAS32) &&
        (bias ? bias->type == SPRY_TYPE_INT32 : quantized_bias_type == SPRY_TYPE_INT32);
    *kernel = bias32 ? SPRY_CONV_KERNEL_S16_BIAS32 : SPRY_CONV_KERNEL_S16;
    bias_type = bias32 ? SPRY_TYPE_INT32 : SPRY_TYPE_INT64;
  } else {
    return spry_conv_unsupported_types(ctx, t->input, t->filter, t->output);
  }
  SPRY_ENSURE_MSG(ctx, !bias || bias->type == bias_type, SPRY_ERROR_UNSUPPORTED,
                  "bias type %s does not match %s activations (expected %s)",
                  spry_type_name(bias->type), spry_type_name(in), spry_type_name(bias_type));
  return SPRY_OK;
}

SpryStatus spry_conv_check_constants(SpryContext *ctx, const SpryConvTensors *t, int32_t channels,
                                     const char *filter_role, const char *channel_noun) {
  if (t->bias) {
    SPRY_ENSURE_MSG(ctx, spry_tensor_elements(t->bias) == (size_t)channels,
                    SPRY_ERROR_INVALID_MODEL, "bias has %zu elements for %d %s",
                    spry_tensor_elements(t->bias), (int)channels, channel_noun);
    SPRY_TRY(spry_conv_check_constant_size(ctx, "bias", t->bias));
  }
  SPRY_TRY(spry_conv_check_constant_size(ctx, "input", t->input));
  return spry_conv_check_constant_size(ctx, filter_role, t->filter);
}

SpryStatus spry_conv_check_quant(SpryContext *ctx, const SpryConvTensors *t, int32_t channels,
                                 int32_t channel_dim, bool require_symmetric) {
  SPRY_TRY(spry_op_check_quant(ctx, "input", t->input));
  SPRY_TRY(spry_op_check_quant(ctx, "output", t->output));
  return spry_conv_check_filter_quant(ctx, t->filter, channels, channel_dim, require_symmetric);
}

/* uint8 kernels use TFLite's legacy per-tensor multiplier; the others one
 * multiplier per output channel, limited to 2^7 for 64-bit accumulators. */
static SpryStatus setup_windowed_quantization(SpryContext *ctx, const SpryConvTensors *t,
                                              SpryWindowedOp *op, int32_t channel_dim,
                                              bool require_symmetric) {
  const SpryTensor *in = t->input, *filter = t->filter, *out = t->output;
  SpryConvParams *p = &op->params;
  SPRY_TRY(spry_conv_check_quant(ctx, t, op->shapes.output_c, channel_dim, require_symmetric));
  p->input_offset = -in->quant.zero_point;
  p->output_offset = out->quant.zero_point;
  if (op->kernel == SPRY_CONV_KERNEL_U8) {
    p->filter_offset = -filter->quant.zero_point;
    return spry_conv_legacy_multiplier(ctx, in->quant.scale, filter->quant.scale, out->quant.scale,
                                       &p->output_multiplier, &p->output_shift);
  }
  const int max_shift = op->kernel == SPRY_CONV_KERNEL_S16 ? SPRY_ACC64_MAX_SHIFT : 31;
  return spry_conv_channel_multipliers(ctx, in, filter, out, op->shapes.output_c, max_shift, p);
}

SpryStatus spry_conv_prepare_windowed(SpryContext *ctx, const SpryConvTensors *t,
                                      SpryWindowedOp *op, int32_t channel_dim,
                                      bool require_symmetric) {
  SpryConvShapes *s = &op->shapes;
  SpryConvParams *p = &op->params;
  SPRY_TRY(spry_conv_window(ctx, op->padding, s, p, &s->output_h, &s->output_w));
  if (op->kernel != SPRY_CONV_KERNEL_F32)
    SPRY_TRY(setup_windowed_quantization(ctx, t, op, channel_dim, require_symmetric));
  SPRY_TRY(spry_op_activation_range(ctx, op->activation, t->output, &p->act_min_f, &p->act_max_f,
                                    &p->act_min, &p->act_max));
  const int32_t dims[4] = {s->batches, s->output_h, s->output_w, s->output_c};
  return spry_context_resize_tensor(ctx, t->output, 4, dims);
}
