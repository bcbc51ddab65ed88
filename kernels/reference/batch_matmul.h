/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_matmul.h — reference BATCH_MATMUL: out[b] = op(lhs[b]) x op(rhs[b])
 * where op transposes the last two dimensions when adj_x / adj_y is set and
 * the batch dimensions (up to 3, row-major, before the matrix dimensions)
 * broadcast (a batch stride of 0 repeats a matrix).
 *
 * Matches TFLite's reference_ops::BatchMatMul: float sums run over k in
 * ascending order; int8 -> int8 accumulates (lhs - lhs_zp) * (rhs - rhs_zp)
 * in int32 (wrapping) and requantizes with the 32-bit
 * MultiplyByQuantizedMultiplier; int16 -> int16 accumulates in int64 and
 * uses the 64-bit form; int8 -> int32 returns the raw sum of products
 * without zero points, as TFLite's int8/int32 path does. Outputs are clamped
 * to the type's range (BATCH_MATMUL has no fused activation).
 */
#ifndef SPRY_KERNELS_REFERENCE_BATCH_MATMUL_H
#define SPRY_KERNELS_REFERENCE_BATCH_MATMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPRY_BMM_MAX_BATCH_RANK 3

typedef struct SpryBatchMatMulShape {
  int32_t batch_rank;                            /* output rank - 2 */
  int32_t batch[SPRY_BMM_MAX_BATCH_RANK];        /* output batch dims */
  size_t lhs_stride[SPRY_BMM_MAX_BATCH_RANK];    /* elements per batch step, 0: broadcast */
  size_t rhs_stride[SPRY_BMM_MAX_BATCH_RANK];
  int32_t rows, cols, depth;                     /* output [rows, cols], summed over depth */
  bool adj_x, adj_y;
} SpryBatchMatMulShape;

typedef enum SpryBmmKind {
  SPRY_BMM_S8_S8,   /* int8 inputs, int8 output */
  SPRY_BMM_S16_S16, /* int16 inputs, int16 output */
  SPRY_BMM_S8_S32,  /* int8 inputs, int32 output */
} SpryBmmKind;

typedef struct SpryBatchMatMulQuant {
  SpryBmmKind kind;
  int32_t lhs_offset, rhs_offset, output_offset; /* -zero points, +output zero point */
  int32_t multiplier;
  int shift;
} SpryBatchMatMulQuant;

void spry_ref_batch_matmul_f32(const SpryBatchMatMulShape *shape, const float *lhs,
                               const float *rhs, float *output);

void spry_ref_batch_matmul_q(const SpryBatchMatMulShape *shape, const SpryBatchMatMulQuant *quant,
                             const void *lhs, const void *rhs, void *output);

#endif /* SPRY_KERNELS_REFERENCE_BATCH_MATMUL_H */
