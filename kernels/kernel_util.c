/* SPDX-License-Identifier: Apache-2.0 */
/* kernel_util.c — shape, padding and type helpers and the prepare checks shared by the kernels. */
#include "kernel_util.h"

#include "quantization.h"

int32_t spry_conv_output_size(int padding, int32_t in_size, int32_t filter_size, int32_t stride,
                              int32_t dilation) {
  if (stride <= 0 || dilation <= 0 || filter_size <= 0 || in_size < 0) return -1;
  const int64_t effective_filter = ((int64_t)filter_size - 1) * dilation + 1;
  int64_t out;
  switch (padding) {
    case SPRY_PADDING_SAME:
      out = ((int64_t)in_size + stride - 1) / stride;
      break;
    case SPRY_PADDING_VALID:
      out = ((int64_t)in_size + stride - effective_filter) / stride;
      break;
    default:
      return -1;
  }
  if (out < 0) out = 0;
  return out > INT32_MAX ? -1 : (int32_t)out;
}

int32_t spry_conv_padding(int32_t stride, int32_t dilation, int32_t in_size, int32_t filter_size,
                          int32_t out_size, int32_t *out_offset) {
  const int64_t effective_filter = ((int64_t)filter_size - 1) * dilation + 1;
  int64_t total = ((int64_t)out_size - 1) * stride + effective_filter - in_size;
  if (total < 0) total = 0;
  if (total > INT32_MAX) total = INT32_MAX;
  *out_offset = (int32_t)(total % 2);
  return (int32_t)(total / 2);
}

size_t spry_shape_element_count(int32_t rank, const int32_t *dims) {
  size_t count = 1;
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] <= 0) return 0;
    const size_t d = (size_t)dims[i];
    if (count > SIZE_MAX / d) return SIZE_MAX;
    count *= d;
  }
  return count;
}

size_t spry_shape_element_count_except(int32_t rank, const int32_t *dims, int32_t skip) {
  size_t count = 1;
  for (int32_t i = 0; i < rank; i++) {
    if (i == skip) continue;
    if (dims[i] <= 0) return 0;
    const size_t d = (size_t)dims[i];
    if (count > SIZE_MAX / d) return SIZE_MAX;
    count *= d;
  }
  return count;
}

bool spry_quantized_type_range(SpryType type, int32_t *out_min, int32_t *out_max) {
  switch (type) {
    case SPRY_TYPE_UINT8:
      *out_min = 0;
      *out_max = 255;
      return true;
    case SPRY_TYPE_INT8:
      *out_min = -128;
      *out_max = 127;
      return true;
    case SPRY_TYPE_INT16:
      *out_min = -32768;
      *out_max = 32767;
      return true;
    case SPRY_TYPE_INT32:
      *out_min = INT32_MIN;
      *out_max = INT32_MAX;
      return true;
    default:
      return false;
  }
}


SpryStatus spry_op_check_arity(SpryContext *ctx, const SpryNode *node, int32_t min_inputs,
                               int32_t max_inputs, int32_t outputs) {
  SPRY_ENSURE_MSG(ctx, node->num_inputs >= min_inputs && node->num_inputs <= max_inputs,
                  SPRY_ERROR_INVALID_MODEL, "expects %d to %d inputs, has %d", (int)min_inputs,
                  (int)max_inputs, (int)node->num_inputs);
  SPRY_ENSURE_MSG(ctx, node->num_outputs == outputs, SPRY_ERROR_INVALID_MODEL,
                  "expects %d outputs, has %d", (int)outputs, (int)node->num_outputs);
  for (int32_t i = 0; i < min_inputs; i++)
    SPRY_ENSURE_MSG(ctx, spry_node_input(ctx, node, i) != NULL, SPRY_ERROR_INVALID_MODEL,
                    "input %d is missing", (int)i);
  for (int32_t i = 0; i < outputs; i++)
    SPRY_ENSURE_MSG(ctx, spry_node_output(ctx, node, i) != NULL, SPRY_ERROR_INVALID_MODEL,
                    "output %d is missing", (int)i);
  return SPRY_OK;
}

SpryStatus spry_op_check_quant(SpryContext *ctx, const char *role, const SpryTensor *t) {
  const SpryQuantization *q = &t->quant;
  int32_t lo = 0, hi = 0;
  SPRY_ENSURE_MSG(ctx, spry_quantized_type_range(t->type, &lo, &hi) && t->type != SPRY_TYPE_INT32,
                  SPRY_ERROR_UNSUPPORTED, "%s has type %s, not a quantized 8/16-bit type", role,
                  spry_type_name(t->type));
  SPRY_ENSURE_MSG(ctx, q->num_channels == 1, SPRY_ERROR_INVALID_MODEL,
                  "%s must be quantized per tensor (has %d scales)", role, (int)q->num_channels);
  SPRY_ENSURE_MSG(ctx, spry_scale_is_valid(q->scale), SPRY_ERROR_INVALID_MODEL,
                  "%s has invalid quantization scale %g", role, (double)q->scale);
  if (t->type == SPRY_TYPE_INT16) lo = hi = 0; /* TFLite's int16 activations are symmetric */
  SPRY_ENSURE_MSG(ctx, q->zero_point >= lo && q->zero_point <= hi, SPRY_ERROR_INVALID_MODEL,
                  "%s zero point %d is outside [%d, %d] for %s", role, (int)q->zero_point, (int)lo,
                  (int)hi, spry_type_name(t->type));
  return SPRY_OK;
}

SpryStatus spry_op_check_same_type(SpryContext *ctx, const SpryTensor *in, const SpryTensor *out,
                                   bool *quantized) {
  SPRY_ENSURE_MSG(ctx, in->type == out->type, SPRY_ERROR_INVALID_MODEL,
                  "input is %s but output is %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  *quantized = false;
  switch (in->type) {
    case SPRY_TYPE_FLOAT32:
      return SPRY_OK;
    case SPRY_TYPE_UINT8:
    case SPRY_TYPE_INT8:
    case SPRY_TYPE_INT16:
      break;
    default:
      return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED, "type %s is not supported",
                                spry_type_name(in->type));
  }
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  *quantized = true;
  return SPRY_OK;
}

/* Integer bounds of an activation on unquantized integers: the float
 * bounds, with the unbounded sides (+-FLT_MAX) widened to int32's limits. */
static bool activation_range_int(int activation, int32_t *lo, int32_t *hi) {
  float f_lo = 0.0f, f_hi = 0.0f;
  if (!spry_activation_range_f32(activation, &f_lo, &f_hi)) return false;
  *lo = f_lo <= (float)INT32_MIN ? INT32_MIN : (int32_t)f_lo;
  *hi = f_hi >= (float)INT32_MAX ? INT32_MAX : (int32_t)f_hi;
  return true;
}

SpryStatus spry_op_activation_range(SpryContext *ctx, int activation, const SpryTensor *output,
                                    float *f_min, float *f_max, int32_t *q_min, int32_t *q_max) {
  bool ok = false;
  *f_min = 0.0f;
  *f_max = 0.0f;
  *q_min = 0;
  *q_max = 0;
  int32_t type_min = 0, type_max = 0;
  if (output->type == SPRY_TYPE_FLOAT32 || output->type == SPRY_TYPE_FLOAT16 ||
      output->type == SPRY_TYPE_BFLOAT16) {
    ok = spry_activation_range_f32(activation, f_min, f_max);
  } else if (output->type == SPRY_TYPE_INT32) {
    ok = activation_range_int(activation, q_min, q_max);
  } else if (spry_quantized_type_range(output->type, &type_min, &type_max)) {
    ok = spry_activation_range_quantized(activation, output->quant.scale, output->quant.zero_point,
                                         type_min, type_max, q_min, q_max);
  }
  SPRY_ENSURE_MSG(ctx, ok, SPRY_ERROR_UNSUPPORTED,
                  "unsupported fused activation %d for a %s output", activation,
                  spry_type_name(output->type));
  return SPRY_OK;
}

SpryStatus spry_op_check_data(SpryContext *ctx, const char *role, const SpryTensor *t,
                              size_t elements) {
  const size_t size = spry_type_size(t->type);
  SPRY_ENSURE_MSG(ctx, size != 0 && elements <= SIZE_MAX / size, SPRY_ERROR_RUNTIME,
                  "%s: %zu elements of type %s do not fit in memory", role, elements,
                  spry_type_name(t->type));
  SPRY_ENSURE_MSG(ctx, elements == 0 || (t->data != NULL && t->bytes >= elements * size),
                  SPRY_ERROR_RUNTIME, "%s has no buffer for %zu %s elements", role, elements,
                  spry_type_name(t->type));
  return SPRY_OK;
}
