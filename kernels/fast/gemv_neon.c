/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemv_neon.c — the matrix x vector products with aarch64 Advanced SIMD
 * (see gemv.h). Float: four lanes, two accumulators per row. int8: eight
 * products widened to int16 by vmull (exact), pair-added into int32 lanes
 * by vpadal, which wrap like TFLite's int32 sums.
 */
#include <arm_neon.h>
#include <stddef.h>

#include "gemv.h"

static float dot_f32(const float *w, const float *v, int32_t cols) {
  float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0;
  int32_t c = 0;
  for (; c + 8 <= cols; c += 8) {
    a0 = vfmaq_f32(a0, vld1q_f32(w + c), vld1q_f32(v + c));
    a1 = vfmaq_f32(a1, vld1q_f32(w + c + 4), vld1q_f32(v + c + 4));
  }
  float sum = vaddvq_f32(vaddq_f32(a0, a1));
  for (; c < cols; c++) sum += w[c] * v[c];
  return sum;
}

static void gemv_acc_f32(const float *matrix, int32_t rows, int32_t cols, const float *vectors,
                         int32_t n_batch, float *result) {
  for (int32_t b = 0; b < n_batch; b++) {
    const float *v = vectors + (size_t)b * (size_t)cols;
    float *out = result + (size_t)b * (size_t)rows;
    for (int32_t r = 0; r < rows; r++) out[r] += dot_f32(matrix + (size_t)r * (size_t)cols, v, cols);
  }
}

static int32_t dot_s8(const int8_t *a, const int8_t *b, int32_t n) {
  int32x4_t acc = vdupq_n_s32(0);
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) acc = vpadalq_s16(acc, vmull_s8(vld1_s8(a + i), vld1_s8(b + i)));
  /* Lane sums as unsigned: wrapping addition without signed overflow. */
  uint32_t sum = vaddvq_u32(vreinterpretq_u32_s32(acc));
  for (; i < n; i++) sum += (uint32_t)((int32_t)a[i] * b[i]);
  return (int32_t)sum; /* two's complement wrap, as the reference's */
}

const SpryMatvecOps spry_gemv_neon = {.gemv_acc_f32 = gemv_acc_f32, .dot_s8 = dot_s8};
