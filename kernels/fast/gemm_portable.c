/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm_portable.c — the micro-kernels in plain C: the fast path on CPUs
 * without a SIMD variant, and the shape every SIMD variant follows.
 */
#include "gemm.h"
#include "quantization.h"

void spry_qgemm_acc_portable(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                      const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]) {
  for (int32_t r = 0; r < mr; r++) {
    /* uint32_t: the sums wrap like TFLite's int32 accumulators. */
    uint32_t sum[SPRY_GEMM_NR] = {0};
    const int16_t *row = a + (size_t)r * a_stride;
    for (int32_t p = 0; p < k_pairs; p++) {
      const int32_t a0 = row[2 * p], a1 = row[2 * p + 1];
      const int16_t *b = b_block + (size_t)p * SPRY_GEMM_NR * 2;
      for (int c = 0; c < SPRY_GEMM_NR; c++)
        sum[c] += (uint32_t)(a0 * b[2 * c] + a1 * b[2 * c + 1]);
    }
    for (int c = 0; c < SPRY_GEMM_NR; c++) acc[r][c] = (int32_t)sum[c];
  }
}

void spry_qgemm_requant_portable(int32_t n, const int32_t *acc, const SpryQgemmOutput *o, int32_t column,
                          void *out) {
  for (int32_t c = 0; c < n; c++) {
    const int32_t j = column + c;
    const int32_t sum = (int32_t)((uint32_t)acc[c] + (uint32_t)o->bias[j]);
    int32_t v = spry_multiply_by_quantized_multiplier(sum, o->multiplier[j], o->shift[j]);
    v = spry_clamp_i32((int32_t)((uint32_t)v + (uint32_t)o->output_offset), o->act_min,
                       o->act_max);
    if (o->is_u8)
      ((uint8_t *)out)[c] = (uint8_t)v;
    else
      ((int8_t *)out)[c] = (int8_t)v;
  }
}

void spry_qgemm_requant_tile_portable(int32_t mr, int32_t n,
                                      int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                                      const SpryQgemmOutput *o, int32_t column, void *out,
                                      size_t out_stride) {
  for (int32_t r = 0; r < mr; r++)
    spry_qgemm_requant_portable(n, acc[r], o, column, (uint8_t *)out + (size_t)r * out_stride);
}

void spry_qgemm_widen_portable(int32_t n, const void *src, int is_u8, int32_t offset,
                               int16_t *dst) {
  if (is_u8) {
    const uint8_t *s = src;
    for (int32_t i = 0; i < n; i++) dst[i] = (int16_t)(s[i] + offset);
  } else {
    const int8_t *s = src;
    for (int32_t i = 0; i < n; i++) dst[i] = (int16_t)(s[i] + offset);
  }
}

void spry_fgemm_portable(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                         int32_t segments, size_t segment_stride, const float *b_block,
                         const float *bias, float lo, float hi, float *c, size_t c_stride) {
  const int32_t run = k / segments;
  for (int32_t r = 0; r < mr; r++) {
    float sum[SPRY_GEMM_NR];
    for (int j = 0; j < SPRY_GEMM_NR; j++) sum[j] = bias[j];
    const float *b = b_block;
    for (int32_t s = 0; s < segments; s++) {
      const float *row = a + (size_t)r * a_stride + (size_t)s * segment_stride;
      for (int32_t d = 0; d < run; d++, b += SPRY_GEMM_NR)
        for (int j = 0; j < SPRY_GEMM_NR; j++) sum[j] += row[d] * b[j];
    }
    for (int32_t j = 0; j < nr; j++) {
      const float v = sum[j] < lo ? lo : sum[j]; /* NaN passes, as in the reference */
      c[(size_t)r * c_stride + (size_t)j] = hi < v ? hi : v;
    }
  }
}

const SpryGemmKernels spry_gemm_portable = {
    .qgemm_acc = spry_qgemm_acc_portable,
    .qgemm_requant_tile = spry_qgemm_requant_tile_portable,
    .fgemm = spry_fgemm_portable,
    .fgemm_rows = SPRY_GEMM_MR,
    .fgemm_blocks = 1,
    .qgemm_widen = spry_qgemm_widen_portable,
};
