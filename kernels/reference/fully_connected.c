/* SPDX-License-Identifier: Apache-2.0 */
/* fully_connected.c — reference FULLY_CONNECTED kernels (contract in the header). */
#include "fully_connected.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "../quantization.h"
#include "conv_params.h"
#include "hybrid_gemv.h"
#include "quant_access.h"
#include "rnn.h"

int32_t spry_fully_connected_requantize(const SpryFullyConnectedParams *p, int64_t acc,
                                        int32_t channel) {
  const double scale = p->scales[p->num_scales > 1 ? channel : 0];
  double v = round((double)acc * scale);
  /* TFLite converts with static_cast<int32_t>, undefined out of range. */
  if (!(v >= (double)INT32_MIN)) v = (double)INT32_MIN; /* also catches NaN */
  if (v > (double)INT32_MAX) v = (double)INT32_MAX;
  int64_t out = (int64_t)v + p->output_offset;
  if (out < p->act_min) out = p->act_min;
  if (out > p->act_max) out = p->act_max;
  return (int32_t)out;
}

static size_t row(int32_t r, int32_t depth) { return (size_t)r * (size_t)depth; }

void spry_ref_fully_connected_f32(const SpryFullyConnectedParams *p, const float *input,
                                  const float *filter, const float *bias, float *output) {
  for (int32_t b = 0; b < p->batches; b++) {
    const float *in = input + row(b, p->accum_depth);
    for (int32_t oc = 0; oc < p->output_depth; oc++) {
      const float *f = filter + row(oc, p->accum_depth);
      float total = 0.0f;
      for (int32_t d = 0; d < p->accum_depth; d++) total += in[d] * f[d];
      const float bias_value = bias ? bias[oc] : 0.0f;
      output[row(b, p->output_depth) + (size_t)oc] =
          spry_clamp_f32(total + bias_value, p->act_min_f, p->act_max_f);
    }
  }
}

/* The loop shared by every integer variant: `d` gives the operand types and
 * offsets; TFLite accumulates in the bias type, int64 where `acc64`, int32
 * (wrapping) otherwise. */
static void fully_connected_int(const SpryFullyConnectedParams *p, const SpryQuantDot *d,
                                SpryQType output_type, bool acc64, const void *input,
                                const void *filter, const void *bias, void *output) {
  for (int32_t b = 0; b < p->batches; b++) {
    for (int32_t oc = 0; oc < p->output_depth; oc++) {
      const uint64_t sum = spry_dot_q(d, input, row(b, p->accum_depth), filter,
                                      row(oc, p->accum_depth), p->accum_depth);
      int64_t acc;
      if (acc64) {
        acc = spry_wrap_i64(sum + (bias ? (uint64_t)((const int64_t *)bias)[oc] : 0));
      } else {
        const uint32_t bias32 = bias ? (uint32_t)((const int32_t *)bias)[oc] : 0;
        acc = spry_wrap_i32((uint32_t)sum + bias32);
      }
      spry_store_q(output, output_type, row(b, p->output_depth) + (size_t)oc,
                   spry_fully_connected_requantize(p, acc, oc));
    }
  }
}

void spry_ref_fully_connected_u8(const SpryFullyConnectedParams *p, const uint8_t *input,
                                 const uint8_t *filter, const int32_t *bias, uint8_t *output) {
  const SpryQuantDot d = {SPRY_Q_U8, SPRY_Q_U8, p->input_offset, p->filter_offset};
  fully_connected_int(p, &d, SPRY_Q_U8, false, input, filter, bias, output);
}

void spry_ref_fully_connected_s8(const SpryFullyConnectedParams *p, const int8_t *input,
                                 const int8_t *filter, const int32_t *bias, int8_t *output) {
  const SpryQuantDot d = {SPRY_Q_S8, SPRY_Q_S8, p->input_offset, p->filter_offset};
  fully_connected_int(p, &d, SPRY_Q_S8, false, input, filter, bias, output);
}

/* int16 activations: TFLite requires an input zero point of 0 and ignores
 * the input offset, but applies the (per-tensor) filter offset. */
void spry_ref_fully_connected_s16(const SpryFullyConnectedParams *p, const int16_t *input,
                                  const int8_t *filter, const int64_t *bias, int16_t *output) {
  const SpryQuantDot d = {SPRY_Q_S16, SPRY_Q_S8, 0, p->filter_offset};
  fully_connected_int(p, &d, SPRY_Q_S16, true, input, filter, bias, output);
}

void spry_ref_fully_connected_s16_bias32(const SpryFullyConnectedParams *p, const int16_t *input,
                                         const int8_t *filter, const int32_t *bias,
                                         int16_t *output) {
  const SpryQuantDot d = {SPRY_Q_S16, SPRY_Q_S8, 0, p->filter_offset};
  fully_connected_int(p, &d, SPRY_Q_S16, false, input, filter, bias, output);
}

void spry_ref_fully_connected_s16x16(const SpryFullyConnectedParams *p, const int16_t *input,
                                     const int16_t *filter, const int32_t *bias_words,
                                     int16_t *output) {
  const SpryQuantDot d = {SPRY_Q_S16, SPRY_Q_S16, 0, p->filter_offset};
  for (int32_t b = 0; b < p->batches; b++) {
    for (int32_t oc = 0; oc < p->output_depth; oc++) {
      const uint64_t sum = spry_dot_q(&d, input, row(b, p->accum_depth), filter,
                                      row(oc, p->accum_depth), p->accum_depth);
      const int64_t bias = bias_words ? bias_words[oc] : 0;
      const int64_t acc = spry_wrap_i64(sum + (uint64_t)bias);
      const size_t channel = p->num_scales > 1 ? (size_t)oc : 0;
      const int64_t v = (int64_t)spry_multiply_by_quantized_multiplier_i64(
                            acc, p->multipliers[channel], p->shifts[channel]) +
                        p->output_offset;
      output[row(b, p->output_depth) + (size_t)oc] =
          (int16_t)(v < p->act_min ? p->act_min : (v > p->act_max ? p->act_max : v));
    }
  }
}

void spry_ref_fully_connected_hybrid(const SpryFullyConnectedHybridParams *p, const float *input,
                                     const int8_t *filter, const float *bias, float *output,
                                     int8_t *quantized, float *scales, int32_t *zero_points) {
  const size_t units = (size_t)p->output_depth;
  const size_t count = (size_t)p->batches * units;
  for (int32_t b = 0; b < p->batches; b++) {
    float *row = output + (size_t)b * units;
    for (size_t u = 0; u < units; u++) row[u] = bias ? bias[u] : 0.0f;
  }
  const bool asymmetric = p->row_sums != NULL;
  if (!spry_ref_is_zero_f32(input, (size_t)p->batches * (size_t)p->accum_depth)) {
    spry_ref_quantize_rows_s8(input, p->batches, p->accum_depth, quantized, scales, zero_points,
                              asymmetric);
    const int32_t *zp = asymmetric ? zero_points : NULL;
    if (p->channel_scales) {
      spry_ref_hybrid_gemv_acc_channels(filter, p->output_depth, p->accum_depth, quantized, scales,
                                        p->channel_scales, zp, p->row_sums, p->batches, output);
    } else {
      /* The weight scale folds into each row scale first, in float. */
      for (int32_t b = 0; b < p->batches; b++) scales[b] *= p->weight_scale;
      spry_ref_hybrid_gemv_acc(filter, p->output_depth, p->accum_depth, quantized, scales, zp,
                               p->row_sums, p->batches, output);
    }
  }
  spry_ref_activate_vector_f32(output, count, p->activation);
}
