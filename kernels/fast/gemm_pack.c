/* SPDX-License-Identifier: Apache-2.0 */
/* gemm_pack.c — packing the weights into the micro-kernels' layout (gemm.h). */
#include <string.h>

#include "gemm.h"

static size_t column_blocks(int32_t n) {
  return ((size_t)n + SPRY_GEMM_NR - 1) / SPRY_GEMM_NR;
}

size_t spry_qgemm_packed_bytes(int32_t n, int32_t k) {
  return column_blocks(n) * spry_qgemm_row_values(k) * SPRY_GEMM_NR * sizeof(int16_t);
}

size_t spry_fgemm_packed_bytes(int32_t n, int32_t k) {
  return column_blocks(n) * (size_t)k * SPRY_GEMM_NR * sizeof(float);
}

void spry_qgemm_pack(int32_t n, int32_t k, const void *weights, SpryGemmLayout layout, int is_u8,
                     int32_t filter_offset, int16_t *packed) {
  const size_t k_pairs = spry_qgemm_row_values(k) / 2;
  const size_t block_values = k_pairs * SPRY_GEMM_NR * 2;
  memset(packed, 0, column_blocks(n) * block_values * sizeof *packed);
  for (int32_t col = 0; col < n; col++) {
    int16_t *block = packed + (size_t)(col / SPRY_GEMM_NR) * block_values;
    const size_t lane = (size_t)(col % SPRY_GEMM_NR);
    for (int32_t d = 0; d < k; d++) {
      const size_t at = (size_t)col * layout.column_stride + (size_t)d * layout.depth_stride;
      const int32_t w = is_u8 ? (int32_t)((const uint8_t *)weights)[at]
                              : (int32_t)((const int8_t *)weights)[at];
      block[((size_t)(d / 2) * SPRY_GEMM_NR + lane) * 2 + (size_t)(d % 2)] =
          (int16_t)(w + filter_offset);
    }
  }
}

void spry_fgemm_pack(int32_t n, int32_t k, const float *weights, SpryGemmLayout layout,
                     float *packed) {
  const size_t block_values = (size_t)k * SPRY_GEMM_NR;
  memset(packed, 0, column_blocks(n) * block_values * sizeof *packed);
  for (int32_t col = 0; col < n; col++) {
    float *block = packed + (size_t)(col / SPRY_GEMM_NR) * block_values;
    const size_t lane = (size_t)(col % SPRY_GEMM_NR);
    for (int32_t d = 0; d < k; d++)
      block[(size_t)d * SPRY_GEMM_NR + lane] =
          weights[(size_t)col * layout.column_stride + (size_t)d * layout.depth_stride];
  }
}
