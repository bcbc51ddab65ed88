/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_gemm.h — CONV_2D and FULLY_CONNECTED as a matrix multiply on the fast
 * micro-kernels (gemm.h): weights packed once at prepare, image patches
 * gathered a tile of rows at a time into scratch memory, rows split over the
 * interpreter's threads. Quantized results are bit-exact with the reference
 * kernels (the same int32 sums, the same requantization); float results
 * differ only by summation order.
 *
 * Covered: float32, int8 (per-channel or per-tensor weights) and uint8, with
 * any strides, dilations and padding, one group. Everything else, and every
 * node under SPRY_ISA=reference, keeps the reference kernel: prepare reports
 * whether the fast path is in use.
 */
#ifndef SPRY_KERNELS_FAST_CONV_GEMM_H
#define SPRY_KERNELS_FAST_CONV_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "conv_common.h"
#include "gemm.h"
#include "reference/fully_connected.h"

/* How quantized sums become outputs: TFLite's fixed-point multipliers
 * (CONV_2D) or its double-precision scales (reference FULLY_CONNECTED). */
typedef enum SpryGemmRequant {
  SPRY_GEMM_REQUANT_FIXED_POINT,
  SPRY_GEMM_REQUANT_DOUBLE_SCALE,
} SpryGemmRequant;

typedef struct SpryConvGemm {
  const SpryGemmKernels *kernels; /* NULL: the fast path is not used */
  SpryConvKernel type;            /* F32, U8 or S8 */
  SpryGemmRequant requant;
  SpryConvParams params;          /* geometry and offsets (copied) */
  SpryConvShapes shapes;
  const SpryFullyConnectedParams *fc; /* DOUBLE_SCALE only */
  int32_t rows, depth;            /* M (output positions) and K (patch size) */
  int32_t tile_rows;              /* rows gathered per step (a multiple of row_step) */
  int32_t row_step;               /* rows a micro-kernel call: shares are whole calls */
  int32_t shares;                 /* work items (work_share.h), each with a scratch slot */
  bool split_columns;             /* the shares are of the columns, not the rows */
  bool bytes;                     /* quantized in the 8-bit layout (kernels->qgemm8_acc) */
  bool direct;                    /* 1x1, stride 1, no padding, rows whole (float, or 8-bit
                                   * with K a multiple of 4): A is the input */
  bool widen_whole;               /* int16 layout, 1x1, stride 1, no padding, K even: the
                                   * tile's A is its run of input values widened */
  bool depthwise;                 /* set by the caller: a DEPTHWISE_CONV_2D with one input
                                   * channel (a convolution whose filter is [1, H, W, n]) */
  void *packed;                   /* B in the micro-kernels' layout (persistent) */
  SpryQgemmOutput output;         /* quantized: per-column bias and multipliers */
  float *bias_f;                  /* float: per-column bias, zero-padded to the blocks */
  int32_t scratch;                /* one gathered tile per thread */
  size_t slot_bytes;
} SpryConvGemm;

/* Sets up the fast path for a node whose reference parameters are prepared
 * (params, shapes; for DOUBLE_SCALE `fc` must outlive the node; g->depthwise,
 * set before the call, is kept). Leaves
 * g->kernels NULL, and returns SPRY_OK, where the fast path does not apply. */
SpryStatus spry_conv_gemm_prepare(SpryContext *ctx, SpryConvGemm *g, SpryConvKernel type,
                                  SpryGemmRequant requant, const SpryConvParams *params,
                                  const SpryConvShapes *shapes, const SpryFullyConnectedParams *fc,
                                  const SpryTensor *filter, const SpryTensor *bias);

/* Runs a prepared fast path (g->kernels non-NULL). */
void spry_conv_gemm_run(SpryContext *ctx, const SpryConvGemm *g, const void *input, void *output);

#endif /* SPRY_KERNELS_FAST_CONV_GEMM_H */
