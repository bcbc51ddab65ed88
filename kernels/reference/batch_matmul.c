/* SPDX-License-Identifier: Apache-2.0 */
/* batch_matmul.c — reference batched matrix products with broadcast batches. */
#include "batch_matmul.h"

#include <string.h>

#include "../quantization.h"
#include "quant_access.h"

/* Element offsets of output matrix `index`'s operands. */
static void matrix_bases(const SpryBatchMatMulShape *s, size_t index, size_t *lhs, size_t *rhs) {
  *lhs = 0;
  *rhs = 0;
  for (int32_t d = s->batch_rank - 1; d >= 0; d--) {
    const size_t i = index % (size_t)s->batch[d];
    index /= (size_t)s->batch[d];
    *lhs += i * s->lhs_stride[d];
    *rhs += i * s->rhs_stride[d];
  }
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
    size_t lb, rb;
    matrix_bases(s, m, &lb, &rb);
    for (int32_t i = 0; i < s->rows; i++)
      for (int32_t j = 0; j < s->cols; j++) cell(args, lb, rb, i, j, at++);
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
