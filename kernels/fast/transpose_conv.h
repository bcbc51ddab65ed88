/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose_conv.h — TRANSPOSE_CONV and Convolution2DTransposeBias as a
 * matrix multiply on the fast micro-kernels (gemm.h), followed by a col2im
 * scatter-add.
 *
 * A holds one row per input pixel (NHWC: its input_c values), B one column
 * per (filter_y, filter_x, output channel) — tap-major, so the columns of
 * one tap are the output channels of one output pixel, contiguous in NHWC.
 * C[pixel][tap, oc] is the contribution of that input pixel to output pixel
 * (iy * stride_h - pad_h + filter_y, ix * stride_w - pad_w + filter_x),
 * channel oc; contributions outside the output are dropped, as in the
 * reference. They are added into an accumulator plane: the float output
 * itself, or int32 words in scratch for 8-bit types. The bias,
 * requantization and fused activation follow once a plane row is complete.
 *
 * Threads split the output rows (all batches' rows in a row): a work item
 * runs, for every input row, only the taps that land in its rows (a
 * contiguous range of tap-major columns), so no two items add to the same
 * accumulator and each element gets its contributions in the same order
 * (by input pixel) for any thread count.
 *
 * Must match kernels/reference/transpose_conv.h: uint8 (per-tensor) and
 * int8 (per-channel weights) bit for bit — the int32 sums are exact in any
 * order and wrap as TFLite's do, and the requantization is CONV_2D's, as
 * there; float32 within the float tolerance (another summation order and
 * fused multiply-adds). int16 activations, non-constant weights (or
 * quantized bias), requantization shifts outside [-31, 31], and every node
 * under SPRY_ISA=reference keep the reference kernel.
 */
#ifndef SPRY_KERNELS_FAST_TRANSPOSE_CONV_H
#define SPRY_KERNELS_FAST_TRANSPOSE_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "conv_common.h"
#include "gemm.h"

typedef struct SpryTconvFast {
  const SpryGemmKernels *kernels; /* NULL: the fast path is not used */
  SpryQgemmRequantFn requant_row; /* quantized: the variant's one-row requantization */
  SpryConvKernel type;            /* F32, U8 or S8 */
  SpryConvParams params;          /* geometry, offsets, activation range (copied) */
  SpryConvShapes shapes;
  int32_t columns;        /* filter_h * filter_w * output_c */
  int32_t tile_pixels;    /* input pixels per A tile (a multiple of MR) */
  int32_t threads;        /* work items: one per thread */
  void *packed;           /* B in the micro-kernels' layout (persistent) */
  SpryQgemmOutput output; /* quantized: bias and multipliers per requant column */
  int32_t requant_span;   /* quantized: accumulators per requant row (whole pixels) */
  int32_t tiles_scratch;  /* quantized: one widened A tile per thread */
  int32_t plane_scratch;  /* quantized: int32 accumulators, one per output value */
  size_t slot_bytes;
} SpryTconvFast;

/* Sets up the fast path for a node whose reference parameters (params,
 * shapes, offsets, multipliers, activation range) are prepared. Leaves
 * f->kernels NULL, and returns SPRY_OK, where the fast path does not apply. */
SpryStatus spry_tconv_fast_prepare(SpryContext *ctx, SpryTconvFast *f, SpryConvKernel type,
                                   const SpryConvParams *params, const SpryConvShapes *shapes,
                                   const SpryTensor *filter, const SpryTensor *bias);

/* Runs a prepared fast path (f->kernels non-NULL). `bias` is the float
 * bias (NULL: none) for float32; quantized biases were folded in at
 * prepare. */
void spry_tconv_fast_run(SpryContext *ctx, const SpryTconvFast *f, const void *input,
                         const float *bias, void *output);

#endif /* SPRY_KERNELS_FAST_TRANSPOSE_CONV_H */
