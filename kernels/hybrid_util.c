/* SPDX-License-Identifier: Apache-2.0 */
/* hybrid_util.c — prepare-time helpers of hybrid kernels (see the header). */
#include "hybrid_util.h"

#include "conv_common.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/hybrid_gemv.h"

/* Type, constness and per-tensor quantization of 8-bit hybrid weights. */
static SpryStatus check_weights(SpryContext *ctx, const char *role, const SpryTensor *w,
                                bool uint8_as_int8) {
  const bool type_ok = w->type == SPRY_TYPE_INT8 || (uint8_as_int8 && w->type == SPRY_TYPE_UINT8);
  SPRY_ENSURE_MSG(ctx, type_ok, SPRY_ERROR_UNSUPPORTED, "hybrid %s must be int8%s, is %s", role,
                  uint8_as_int8 ? " or uint8" : "", spry_type_name(w->type));
  SPRY_ENSURE_MSG(ctx, w->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "hybrid %s must be constant", role);
  SPRY_ENSURE_MSG(ctx, w->quant.num_channels == 1 && spry_scale_is_valid(w->quant.scale),
                  SPRY_ERROR_INVALID_MODEL, "hybrid %s must be quantized per tensor", role);
  return SPRY_OK;
}

static SpryStatus weights_prepare(SpryContext *ctx, const char *role, const SpryTensor *w,
                                  bool asymmetric, bool uint8_as_int8, SpryHybridWeights *out) {
  SPRY_TRY(check_weights(ctx, role, w, uint8_as_int8));
  SPRY_ENSURE_MSG(ctx, w->rank == 2, SPRY_ERROR_INVALID_MODEL, "%s must be 2-D", role);
  SPRY_TRY(spry_op_check_data(ctx, role, w, spry_tensor_elements(w)));
  *out = (SpryHybridWeights){.data = w->data, .scale = w->quant.scale, .row_sums = NULL};
  if (!asymmetric) return SPRY_OK;
  int32_t *sums = spry_context_alloc_persistent(ctx, (size_t)w->dims[0] * sizeof *sums + 1);
  if (!sums) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  spry_ref_row_sums_s8(w->data, w->dims[0], w->dims[1], sums);
  out->row_sums = sums;
  return SPRY_OK;
}

SpryStatus spry_hybrid_weights_prepare(SpryContext *ctx, const char *role, const SpryTensor *w,
                                       bool asymmetric, SpryHybridWeights *out) {
  return weights_prepare(ctx, role, w, asymmetric, false, out);
}

SpryStatus spry_hybrid_weights_prepare_u8_as_s8(SpryContext *ctx, const char *role,
                                                const SpryTensor *w, bool asymmetric,
                                                SpryHybridWeights *out) {
  return weights_prepare(ctx, role, w, asymmetric, true, out);
}

SpryStatus spry_hybrid_vector_dequantize(SpryContext *ctx, const char *role, const SpryTensor *v,
                                         const float **out) {
  *out = NULL;
  SPRY_TRY(check_weights(ctx, role, v, true));
  SPRY_ENSURE_MSG(ctx, v->rank == 1, SPRY_ERROR_INVALID_MODEL, "%s must be 1-D", role);
  const size_t n = spry_tensor_elements(v);
  SPRY_TRY(spry_op_check_data(ctx, role, v, n));
  float *values = spry_context_alloc_persistent(ctx, n * sizeof *values + 1);
  if (!values) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const int8_t *q = v->data;
  for (size_t i = 0; i < n; i++) values[i] = (float)q[i] * v->quant.scale;
  *out = values;
  return SPRY_OK;
}

SpryStatus spry_hybrid_scratch_request(SpryContext *ctx, int32_t rows, int32_t max_cols,
                                       SpryHybridScratchIndex *out) {
  SPRY_ENSURE_MSG(ctx, rows >= 0 && max_cols >= 0 &&
                           (size_t)rows <= SIZE_MAX / 8 / ((size_t)max_cols + 1),
                  SPRY_ERROR_INVALID_MODEL, "hybrid scratch size overflows");
  const size_t r = (size_t)rows;
  SPRY_TRY(spry_context_request_scratch(ctx, r * (size_t)max_cols + 1, &out->quantized));
  SPRY_TRY(spry_context_request_scratch(ctx, r * sizeof(float) + 1, &out->scales));
  return spry_context_request_scratch(ctx, r * sizeof(int32_t) + 1, &out->zero_points);
}

SpryHybridScratch spry_hybrid_scratch_get(SpryContext *ctx, const SpryHybridScratchIndex *index) {
  return (SpryHybridScratch){.quantized = spry_context_scratch(ctx, index->quantized),
                             .scales = spry_context_scratch(ctx, index->scales),
                             .zero_points = spry_context_scratch(ctx, index->zero_points)};
}

SpryStatus spry_hybrid_filter_prepare(SpryContext *ctx, const SpryTensor *filter,
                                      const SpryTensor *bias, const SpryTensor *output,
                                      int32_t channels, int32_t channel_dim,
                                      SpryHybridFilter *out) {
  SPRY_ENSURE_MSG(ctx, filter->type == SPRY_TYPE_INT8, SPRY_ERROR_UNSUPPORTED,
                  "hybrid filter must be int8, is %s", spry_type_name(filter->type));
  SPRY_ENSURE_MSG(ctx, filter->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "hybrid filter must be constant");
  SPRY_ENSURE_MSG(ctx, output->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "hybrid: output must be float32, is %s", spry_type_name(output->type));
  SPRY_ENSURE_MSG(ctx, !bias || bias->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "hybrid: bias must be float32, is %s", spry_type_name(bias->type));
  /* Zero points are ignored: TFLite's hybrid kernels take the weights as
   * symmetric. */
  SPRY_TRY(spry_conv_check_filter_quant(ctx, filter, channels, channel_dim,
                                        /*require_symmetric=*/false));
  const SpryQuantization *q = &filter->quant;
  float *scales = spry_context_alloc_persistent(ctx, (size_t)channels * sizeof *scales + 1);
  if (!scales) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  out->per_channel = false;
  for (int32_t c = 0; c < channels; c++) {
    scales[c] = q->num_channels > 1 ? q->scales[c] : q->scale;
    if (scales[c] != scales[0]) out->per_channel = true;
  }
  out->channel_scales = scales;
  return SPRY_OK;
}

SpryStatus spry_hybrid_quantize_input(SpryContext *ctx, const SpryHybridScratchIndex *index,
                                      const float *input, int32_t batches, int32_t size,
                                      bool asymmetric, SpryHybridScratch *out) {
  *out = spry_hybrid_scratch_get(ctx, index);
  SPRY_ENSURE_MSG(ctx, out->quantized && out->scales && out->zero_points, SPRY_ERROR_BAD_STATE,
                  "hybrid scratch buffers missing");
  if (size > 0) {
    spry_ref_quantize_rows_s8(input, batches, size, out->quantized, out->scales,
                              out->zero_points, asymmetric);
    return SPRY_OK;
  }
  /* Rows without values (a TRANSPOSE_CONV input with no pixels still has
   * outputs): nothing to scan; the sums are all 0. */
  for (int32_t b = 0; b < batches; b++) {
    out->scales[b] = 1.0f;
    out->zero_points[b] = 0;
  }
  return SPRY_OK;
}

SpryStatus spry_hybrid_conv_args(SpryContext *ctx, const SpryHybridScratchIndex *index,
                                 const SpryConvShapes *s, const SpryConvTensors *t,
                                 const float *channel_scales, bool asymmetric,
                                 SpryHybridScaleOrder order, SpryHybridConvArgs *out) {
  SpryHybridScratch q;
  SPRY_TRY(spry_hybrid_quantize_input(ctx, index, t->input->data, s->batches,
                                      s->input_h * s->input_w * s->input_c, asymmetric, &q));
  *out = (SpryHybridConvArgs){
      .input = q.quantized,
      .batch_scales = q.scales,
      .zero_points = asymmetric ? q.zero_points : NULL,
      .filter = t->filter->data,
      .channel_scales = channel_scales,
      .bias = t->bias ? t->bias->data : NULL,
      .order = order,
  };
  return SPRY_OK;
}
