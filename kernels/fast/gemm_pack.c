/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm_pack.c — what prepare computes once for the micro-kernels (gemm.h):
 * the weights in their layouts, and the requantization's shift constants;
 * and the 8-bit layout's A row sums, taken once per row at run time.
 */
#include <stdbool.h>
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

/* B's element (col, d) widened with the offset; 0 past n or k (padding). */
static int16_t packed_value(int32_t n, int32_t k, const void *weights, SpryGemmLayout layout,
                            int is_u8, int32_t filter_offset, int32_t col, int32_t d) {
  if (col >= n || d >= k) return 0;
  const size_t at = (size_t)col * layout.column_stride + (size_t)d * layout.depth_stride;
  const int32_t w = is_u8 ? (int32_t)((const uint8_t *)weights)[at]
                          : (int32_t)((const int8_t *)weights)[at];
  return (int16_t)(w + filter_offset);
}

/* A whole block of OHWI rows (the common case), without bounds checks:
 * pair p of lane c reads bytes 2p and 2p + 1 of row c. */
int16_t *spry_qgemm_pack_block_portable(const uint8_t *rows, int32_t k, int is_u8,
                                        int32_t filter_offset, int16_t *out) {
  for (int32_t p = 0; p < k / 2; p++)
    for (int32_t lane = 0; lane < SPRY_GEMM_NR; lane++) {
      const uint8_t *w = rows + (size_t)lane * (size_t)k + 2 * (size_t)p;
      const int32_t w0 = is_u8 ? (int32_t)w[0] : (int32_t)(int8_t)w[0];
      const int32_t w1 = is_u8 ? (int32_t)w[1] : (int32_t)(int8_t)w[1];
      *out++ = (int16_t)(w0 + filter_offset);
      *out++ = (int16_t)(w1 + filter_offset);
    }
  return out;
}

/* Written in the packed order, front to back: one pass over the output. */
void spry_qgemm_pack(const SpryGemmKernels *kernels, int32_t n, int32_t k, const void *weights,
                     SpryGemmLayout layout, int is_u8, int32_t filter_offset, int16_t *packed) {
  const SpryQgemmPackBlockFn pack_block = kernels && kernels->qgemm_pack_block
                                              ? kernels->qgemm_pack_block
                                              : spry_qgemm_pack_block_portable;
  const int32_t k_pairs = (int32_t)(spry_qgemm_row_values(k) / 2);
  const bool ohwi = layout.column_stride == (size_t)k && layout.depth_stride == 1;
  int16_t *out = packed;
  for (int32_t col0 = 0; col0 < n; col0 += SPRY_GEMM_NR) {
    int32_t p = 0;
    if (ohwi && col0 + SPRY_GEMM_NR <= n) {
      out = pack_block((const uint8_t *)weights + (size_t)col0 * (size_t)k, k, is_u8,
                       filter_offset, out);
      p = k / 2;
    }
    for (; p < k_pairs; p++)
      for (int32_t lane = 0; lane < SPRY_GEMM_NR; lane++)
        for (int32_t j = 0; j < 2; j++)
          *out++ = packed_value(n, k, weights, layout, is_u8, filter_offset, col0 + lane,
                                2 * p + j);
  }
}

size_t spry_qgemm8_packed_bytes(int32_t n, int32_t k) {
  return column_blocks(n) * spry_qgemm8_block_bytes(k);
}

/* One column of a block in the 8-bit layout: its bytes at lane `lane` of
 * every quad, zero past k, and its column term, computed in uint32 so that
 * it wraps like the sums it corrects. */
static uint32_t pack8_column(int32_t k, const uint8_t *weights, SpryGemmLayout layout, size_t col,
                             int is_u8, int32_t filter_offset, int32_t input_offset, int32_t lane,
                             uint8_t *block) {
  uint32_t sum = 0;
  for (int32_t d = 0; d < k; d++) {
    const uint8_t w = weights[col * layout.column_stride + (size_t)d * layout.depth_stride];
    block[((size_t)(d / 4) * SPRY_GEMM_NR + (size_t)lane) * 4 + (size_t)(d % 4)] = w;
    sum += (uint32_t)((is_u8 ? (int32_t)w : (int32_t)(int8_t)w) + filter_offset);
  }
  return (uint32_t)input_offset * sum;
}

/* The sum of `bytes` values read as uint8 (int8 unless is_u8), modulo 2^32.
 * Eight at a time in a 64-bit word: int8 values are flipped to uint8
 * (v + 128, taken back at the end), and neighbouring bytes added into four
 * 16-bit lanes, folded every 64 words, before any lane can overflow. */
static uint32_t byte_sum(const uint8_t *v, size_t bytes, int is_u8) {
  const uint64_t flip = is_u8 ? 0 : UINT64_C(0x8080808080808080);
  const uint64_t even_bytes = UINT64_C(0x00FF00FF00FF00FF);
  uint64_t total = 0;
  size_t i = 0;
  while (i + 8 <= bytes) {
    uint64_t lanes = 0; /* each gains at most 510 a word */
    for (int32_t words = 0; words < 64 && i + 8 <= bytes; words++, i += 8) {
      uint64_t x;
      memcpy(&x, v + i, sizeof x);
      x ^= flip;
      lanes += (x & even_bytes) + ((x >> 8) & even_bytes);
    }
    total += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
  }
  for (; i < bytes; i++) total += (uint8_t)(v[i] ^ (uint8_t)flip);
  return is_u8 ? (uint32_t)total : (uint32_t)total - 128u * (uint32_t)bytes;
}

/* pack8_column for a column whose k bytes are contiguous (OHWI filters,
 * the common case): a whole quad a move, and the offsets' part of the term
 * taken once, as k * filter_offset (equal modulo 2^32). Byte by byte with
 * the general strides, packing took longer than two invokes of the model:
 * most of its load time. */
static uint32_t pack8_contiguous_column(int32_t k, const uint8_t *w, int is_u8,
                                        int32_t filter_offset, int32_t input_offset, int32_t lane,
                                        uint8_t *block) {
  int32_t d = 0;
  uint8_t *quad = block + (size_t)lane * 4; /* quad 0 of this lane */
  const size_t quad_step = 4 * SPRY_GEMM_NR;
  for (; d + 4 <= k; d += 4, quad += quad_step) memcpy(quad, w + d, 4);
  for (int32_t i = 0; d < k; d++, i++) quad[i] = w[d];
  const uint32_t sum = byte_sum(w, (size_t)k, is_u8) + (uint32_t)k * (uint32_t)filter_offset;
  return (uint32_t)input_offset * sum;
}

void spry_qgemm8_pack(int32_t n, int32_t k, const void *weights, SpryGemmLayout layout, int is_u8,
                      int32_t filter_offset, int32_t input_offset, uint8_t *packed) {
  const size_t depth_bytes = spry_qgemm8_row_bytes(k) * SPRY_GEMM_NR;
  const bool contiguous = layout.depth_stride == 1;
  memset(packed, 0, spry_qgemm8_packed_bytes(n, k));
  for (int32_t col0 = 0; col0 < n; col0 += SPRY_GEMM_NR) {
    uint8_t *block = packed + (size_t)(col0 / SPRY_GEMM_NR) * spry_qgemm8_block_bytes(k);
    uint32_t terms[SPRY_GEMM_NR] = {0};
    for (int32_t lane = 0; lane < SPRY_GEMM_NR && col0 + lane < n; lane++)
      terms[lane] =
          contiguous
              ? pack8_contiguous_column(k,
                                        (const uint8_t *)weights +
                                            (size_t)(col0 + lane) * layout.column_stride,
                                        is_u8, filter_offset, input_offset, lane, block)
              : pack8_column(k, weights, layout, (size_t)(col0 + lane), is_u8, filter_offset,
                             input_offset, lane, block);
    memcpy(block + depth_bytes, terms, sizeof terms); /* read back as int32 lanes */
  }
}

/* Plain C: the variants with the 8-bit layout have vector ones. */
void spry_qgemm8_row_sums(int32_t rows, size_t row_bytes, const uint8_t *a, size_t a_stride,
                          int is_u8, uint32_t *sums) {
  for (int32_t r = 0; r < rows; r++)
    sums[r] = byte_sum(a + (size_t)r * a_stride, row_bytes, is_u8);
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

void spry_qgemm_shifts_derive(size_t columns, const int32_t *shift, int32_t *table,
                              SpryQgemmShifts *out) {
  int32_t *left = table, *right = table + columns, *neg_right = table + 2 * columns;
  int32_t *mask = table + 3 * columns, *half = table + 4 * columns;
  for (size_t c = 0; c < columns; c++) {
    left[c] = shift[c] > 0 ? shift[c] : 0;
    right[c] = shift[c] < 0 ? -shift[c] : 0;
    neg_right[c] = -right[c];
    mask[c] = (int32_t)((UINT32_C(1) << right[c]) - 1);
    half[c] = mask[c] >> 1;
  }
  *out = (SpryQgemmShifts){left, right, neg_right, mask, half};
}
