/* SPDX-License-Identifier: Apache-2.0 */
/* batch_matmul.c — reference batched matrix products with broadcast batches. */
#include "batch_matmul.h"

#include <string.h>

#include "../quantization.h"
#include "hybrid_gemv.h"
#include "quant_access.h"

/* Where output matrix `index` finds its operands (element offsets) and, in a
 * hybrid product, its row scales and column sums (indices). */
typedef struct BmmBases {
  size_t lhs, rhs, scale, column_sum;
} BmmBases;

static BmmBases matrix_bases(const SpryBatchMatMulShape *s, const SpryBatchMatMulHybrid *h,
                             size_t index) {
  BmmBases b = {0, 0, 0, 0};
  for (int32_t d = s->batch_rank - 1; d >= 0; d--) {
    const size_t i = index % (size_t)s->batch[d];
    index /= (size_t)s->batch[d];
    b.lhs += i * s->lhs_stride[d];
    b.rhs += i * s->rhs_stride[d];
    if (!h) continue;
    b.scale += i * h->scale_stride[d];
    b.column_sum += i * h->column_sum_stride[d];
  }
  return b;
}

static size_t matrix_count(const SpryBatchMatMulShape *s) {
  size_t n = 1;
  for (int32_t d = 0; d < s->batch_rank; d++) n *= (size_t)s->batch[d];
  return n;
}

/* lhs element (i, k) and rhs element (k, j) of a matrix, honouring adj_x/adj_y. */
static size_t lhs_at(const SpryBatchMatMulShape *s, size_t base, int32_t i, int32_t k) {
  return base + (s->adj_x ? (size_t)k * (size_t)s->rows + (size_t)i
                          : (size_t)i * (size_t)s->depth + (size_t)k);
}

static size_t rhs_at(const SpryBatchMatMulShape *s, size_t base, int32_t k, int32_t j) {
  return base + (s->adj_y ? (size_t)j * (size_t)s->depth + (size_t)k
                          : (size_t)k * (size_t)s->cols + (size_t)j);
}

/* Operands and output of one call, for the per-element callbacks. */
typedef struct BmmArgs {
  const SpryBatchMatMulShape *shape;
  const SpryBatchMatMulQuant *quant;
  const void *lhs, *rhs;
  void *output;
} BmmArgs;

/* Calls cell(args, lhs base, rhs base, i, j, output index) for every output
 * element in row-major order. */
static void for_each_cell(const BmmArgs *args,
                          void (*cell)(const BmmArgs *, size_t, size_t, int32_t, int32_t, size_t)) {
  const SpryBatchMatMulShape *s = args->shape;
  const size_t matrices = matrix_count(s);
  size_t at = 0;
  for (size_t m = 0; m < matrices; m++) {
    const BmmBases b = matrix_bases(s, NULL, m);
    for (int32_t i = 0; i < s->rows; i++)
      for (int32_t j = 0; j < s->cols; j++) cell(args, b.lhs, b.rhs, i, j, at++);
  }
}

static void cell_f32(const BmmArgs *args, size_t lb, size_t rb, int32_t i, int32_t j, size_t at) {
  const SpryBatchMatMulShape *s = args->shape;
  const float *lhs = args->lhs, *rhs = args->rhs;
  float total = 0.0f;
  for (int32_t k = 0; k < s->depth; k++) total += lhs[lhs_at(s, lb, i, k)] * rhs[rhs_at(s, rb, k, j)];
  ((float *)args->output)[at] = total;
}

void spry_ref_batch_matmul_f32(const SpryBatchMatMulShape *shape, const float *lhs,
                               const float *rhs, float *output) {
  const BmmArgs args = {shape, NULL, lhs, rhs, output};
  for_each_cell(&args, cell_f32);
}

/* The requantized (or raw int32) output value of one sum. */
static void store_q(const SpryBatchMatMulQuant *q, void *output, size_t at, int64_t total) {
  /* TFLite's int8 paths accumulate in int32: keep the low 32 bits. */
  const int32_t total32 = (int32_t)(uint32_t)(uint64_t)total;
  switch (q->kind) {
    case SPRY_BMM_S8_S32:
      memcpy((int32_t *)output + at, &total32, sizeof total32);
      break;
    case SPRY_BMM_S8_S8:
      spry_store_q(output, SPRY_Q_S8, at,
                   spry_multiply_by_quantized_multiplier(total32, q->multiplier, q->shift) +
                       q->output_offset);
      break;
    case SPRY_BMM_S16_S16:
      spry_store_q(output, SPRY_Q_S16, at,
                   spry_multiply_by_quantized_multiplier_i64(total, q->multiplier, q->shift) +
                       q->output_offset);
      break;
  }
}

static void cell_q(const BmmArgs *args, size_t lb, size_t rb, int32_t i, int32_t j, size_t at) {
  const SpryBatchMatMulShape *s = args->shape;
  const SpryBatchMatMulQuant *q = args->quant;
  const SpryQType in = q->kind == SPRY_BMM_S16_S16 ? SPRY_Q_S16 : SPRY_Q_S8;
  int64_t total = 0;
  for (int32_t k = 0; k < s->depth; k++) {
    const int64_t a = spry_load_q(args->lhs, in, lhs_at(s, lb, i, k)) + q->lhs_offset;
    const int64_t b = spry_load_q(args->rhs, in, rhs_at(s, rb, k, j)) + q->rhs_offset;
    total += a * b;
  }
  store_q(q, args->output, at, total);
}

void spry_ref_batch_matmul_q(const SpryBatchMatMulShape *shape, const SpryBatchMatMulQuant *quant,
                             const void *lhs, const void *rhs, void *output) {
  const BmmArgs args = {shape, quant, lhs, rhs, output};
  for_each_cell(&args, cell_q);
}

void spry_ref_batch_matmul_pack_weights(const SpryBatchMatMulShape *shape, int32_t matrices,
                                        const int8_t *rhs, int8_t *dst) {
  const size_t depth = (size_t)shape->depth, size = depth * (size_t)shape->cols;
  for (size_t m = 0; m < (size_t)matrices; m++)
    for (int32_t j = 0; j < shape->cols; j++)
      for (int32_t k = 0; k < shape->depth; k++)
        dst[m * size + (size_t)j * depth + (size_t)k] = rhs[rhs_at(shape, m * size, k, j)];
}

/* The lhs rows, each `depth` long: the lhs itself, or (adj_x) its matrices
 * transposed into scratch, as TFLite transposes them before quantizing. */
static const float *lhs_rows(const SpryBatchMatMulShape *s, int32_t total_rows, const float *lhs,
                             float *transposed) {
  if (!s->adj_x) return lhs;
  const size_t size = (size_t)s->rows * (size_t)s->depth;
  const size_t matrices = s->rows > 0 ? (size_t)total_rows / (size_t)s->rows : 0;
  for (size_t m = 0; m < matrices; m++)
    for (int32_t i = 0; i < s->rows; i++)
      for (int32_t k = 0; k < s->depth; k++)
        transposed[m * size + (size_t)i * (size_t)s->depth + (size_t)k] =
            lhs[lhs_at(s, m * size, i, k)];
  return transposed;
}

void spry_ref_batch_matmul_hybrid(const SpryBatchMatMulShape *shape,
                                  const SpryBatchMatMulHybrid *hybrid, const float *lhs,
                                  const SpryBatchMatMulHybridScratch *scratch, float *output) {
  const SpryBatchMatMulShape *s = shape;
  const SpryBatchMatMulHybrid *h = hybrid;
  const size_t out_size = (size_t)s->rows * (size_t)s->cols, matrices = matrix_count(s);
  memset(output, 0, matrices * out_size * sizeof *output);
  if (s->depth == 0) return; /* empty sums; TFLite would quantize empty rows */
  const float *rows = lhs_rows(s, h->lhs_rows, lhs, scratch->lhs_transposed);
  spry_ref_quantize_rows_s8(rows, h->lhs_rows, s->depth, scratch->quantized, scratch->scales,
                            scratch->zero_points, h->asymmetric);
  /* A per-tensor weight scale folds into the row scales first, in float. */
  if (!h->channel_scales)
    for (int32_t r = 0; r < h->lhs_rows; r++) scratch->scales[r] *= h->scale;
  for (size_t m = 0; m < matrices; m++) {
    const BmmBases b = matrix_bases(s, h, m);
    const int8_t *w = h->weights + b.rhs, *x = scratch->quantized + b.lhs;
    const float *scales = scratch->scales + b.scale;
    const int32_t *zero_points = h->asymmetric ? scratch->zero_points + b.scale : NULL;
    const int32_t *sums = h->asymmetric ? h->column_sums + b.column_sum : NULL;
    float *y = output + m * out_size;
    if (h->channel_scales)
      spry_ref_hybrid_gemv_acc_channels(w, s->cols, s->depth, x, scales, h->channel_scales,
                                        zero_points, sums, s->rows, y);
    else
      spry_ref_hybrid_gemv_acc(w, s->cols, s->depth, x, scales, zero_points, sums, s->rows, y);
  }
}
