/* SPDX-License-Identifier: Apache-2.0 */
/* normalization.c — reference L2 and local response normalisation. */
#include "normalization.h"

#include <math.h>

#include "../fixedpoint.h"
#include "../quantization.h"

void spry_ref_l2_norm_f32(size_t outer, size_t depth, const float *input, float *output) {
  const float epsilon = 1e-6f;
  for (size_t i = 0; i < outer; i++) {
    const float *in = input + i * depth;
    float squares = 0.0f;
    for (size_t c = 0; c < depth; c++) squares += in[c] * in[c];
    float norm = sqrtf(squares);
    norm = norm < epsilon ? epsilon : norm;
    for (size_t c = 0; c < depth; c++) output[i * depth + c] = in[c] / norm;
  }
}

void spry_ref_l2_norm_q(SpryQType type, int32_t input_zero_point, size_t outer, size_t depth,
                        const void *input, void *output) {
  for (size_t i = 0; i < outer; i++) {
    const size_t row = i * depth;
    /* TFLite sums in int32; wrapping (not undefined) only past 2^15 elements. */
    uint32_t squares = 0;
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = spry_load_q(input, type, row + c) - input_zero_point;
      squares += (uint32_t)(diff * diff);
    }
    int32_t multiplier = 0;
    int right_shift = 0;
    spry_fp_inv_sqrt((int32_t)squares, &multiplier, &right_shift);
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = spry_load_q(input, type, row + c) - input_zero_point;
      int32_t out;
      if (type == SPRY_Q_U8) {
        /* uint8: the legacy "smaller than one" form on 128 * diff. */
        out = 128 + spry_multiply_by_quantized_multiplier_smaller_than_one(diff * 128, multiplier,
                                                                           -right_shift);
      } else {
        /* int8: the 1/128 output scale folded into the shift. */
        out = spry_multiply_by_quantized_multiplier(diff, multiplier, 7 - right_shift);
      }
      spry_store_q(output, type, row + c, out);
    }
  }
}

void spry_ref_local_response_norm_f32(const SpryLrnParams *params, size_t outer, size_t depth,
                                      const float *input, float *output) {
  const int64_t n = (int64_t)depth;
  for (size_t i = 0; i < outer; i++) {
    const float *in = input + i * depth;
    for (int64_t c = 0; c < n; c++) {
      /* TFLite's reference window is [c - radius, c + radius): the upper
       * end is exclusive (unlike TensorFlow's), and BUILTIN_REF agrees. */
      const int64_t begin = c - params->radius < 0 ? 0 : c - params->radius;
      const int64_t end = c + params->radius > n ? n : c + params->radius;
      float accum = 0.0f;
      for (int64_t k = begin; k < end; k++) accum += in[k] * in[k];
      const float multiplier = powf(params->bias + params->alpha * accum, -params->beta);
      output[i * depth + (size_t)c] = in[c] * multiplier;
    }
  }
}
