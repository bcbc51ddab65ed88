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
 *
 * Hybrid (float32 lhs, int8 weights, float32 output) follows TFLite's
 * batch_matmul.cc EvalHybrid: every lhs row (after adj_x) is quantized to
 * int8 on its own (hybrid_gemv.h), the int32 dot products with the weight
 * columns are rescaled by the row's scale times the weight scale (per
 * tensor, or per output column), less row zero point x column sum when the
 * quantization is asymmetric. TFLite looks up a row's scale and zero point,
 * and a column's sum, at sum over batch dimensions of index x (rows, or
 * columns, when the operand's dimension is not 1): the true position when at
 * most one batch dimension varies, another row's otherwise. That indexing is
 * reproduced here (scale_stride, column_sum_stride), so results agree with
 * TFLite's wherever those are defined (see kernels/batch_matmul.c).
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

/* Hybrid weights and TFLite's per-batch-step offsets of its run-time scales. */
typedef struct SpryBatchMatMulHybrid {
  /* Weights as [rhs matrices][cols][depth] (each matrix transposed unless
   * adj_y), matrices at the shape's rhs strides. */
  const int8_t *weights;
  float scale;                 /* per-tensor weight scale (channel_scales NULL) */
  const float *channel_scales; /* [cols] per-channel weight scales, or NULL */
  const int32_t *column_sums;  /* [rhs matrices][cols] sums over depth; asymmetric only */
  bool asymmetric;             /* asymmetric run-time quantization of the lhs rows */
  int32_t lhs_rows;            /* rows quantized: lhs matrices x rows */
  size_t scale_stride[SPRY_BMM_MAX_BATCH_RANK];   /* row scale index per batch step */
  size_t column_sum_stride[SPRY_BMM_MAX_BATCH_RANK]; /* column sum index per batch step */
} SpryBatchMatMulHybrid;

/* Scratch of a hybrid product: lhs_rows x depth quantized values, lhs_rows
 * scales and zero points, and (adj_x only) the lhs transposed as floats. */
typedef struct SpryBatchMatMulHybridScratch {
  float *lhs_transposed;
  int8_t *quantized;
  float *scales;
  int32_t *zero_points;
} SpryBatchMatMulHybridScratch;

void spry_ref_batch_matmul_f32(const SpryBatchMatMulShape *shape, const float *lhs,
                               const float *rhs, float *output);

/* Lays out `matrices` int8 rhs matrices as SpryBatchMatMulHybrid.weights
 * wants them ([cols][depth] each) into dst. */
void spry_ref_batch_matmul_pack_weights(const SpryBatchMatMulShape *shape, int32_t matrices,
                                        const int8_t *rhs, int8_t *dst);

void spry_ref_batch_matmul_hybrid(const SpryBatchMatMulShape *shape,
                                  const SpryBatchMatMulHybrid *hybrid, const float *lhs,
                                  const SpryBatchMatMulHybridScratch *scratch, float *output);

void spry_ref_batch_matmul_q(const SpryBatchMatMulShape *shape, const SpryBatchMatMulQuant *quant,
                             const void *lhs, const void *rhs, void *output);

#endif /* SPRY_KERNELS_REFERENCE_BATCH_MATMUL_H */
