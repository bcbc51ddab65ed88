/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax_portable.c — the float SOFTMAX row in plain C: the reference's
 * passes, which the SIMD variants follow. In scalar code the C library's
 * expf is faster than the SIMD variants' polynomial (softmax_exp.h), so this
 * one keeps it and matches the reference exactly.
 */
#include <float.h>
#include <math.h>

#include "softmax.h"

void spry_f32_softmax__portable(const float *in, float *out, size_t depth, float beta) {
  float max = -FLT_MAX;
  for (size_t c = 0; c < depth; c++) max = max < in[c] ? in[c] : max;
  for (size_t c = 0; c < depth; c++) out[c] = expf((in[c] - max) * beta);
  const float sum = spry_softmax_sum(out, depth);
  for (size_t c = 0; c < depth; c++) out[c] = out[c] / sum;
}
