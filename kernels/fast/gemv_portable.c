/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemv_portable.c — the matrix x vector products in plain C (see gemv.h),
 * written so compilers vectorise them: float rows in eight independent
 * partial sums (no reassociation needed), int8 products added in unsigned
 * 32-bit arithmetic, which wraps as TFLite's int32 sums do without signed
 * overflow.
 */
#include "gemv.h"

#include <stddef.h>

enum { LANES = 8 };

static float dot_f32(const float *a, const float *b, int32_t n) {
  float part[LANES] = {0.0f};
  int32_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int l = 0; l < LANES; l++) part[l] += a[i + l] * b[i + l];
  float sum = 0.0f;
  for (int l = 0; l < LANES; l++) sum += part[l];
  for (; i < n; i++) sum += a[i] * b[i];
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
  uint32_t sum = 0;
  for (int32_t i = 0; i < n; i++) sum += (uint32_t)((int32_t)a[i] * b[i]);
  return (int32_t)sum; /* two's complement wrap, as the reference's */
}

const SpryMatvecOps spry_gemv_portable = {.gemv_acc_f32 = gemv_acc_f32, .dot_s8 = dot_s8};
