/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hybrid_conv.h — hybrid CONV_2D (float32 activations quantized at run time,
 * int8 filter) on the GEMM micro-kernels (gemm.h): the filter packed once
 * at prepare in the int16 layout, each tile of output positions gathered as
 * widened patches (input - the batch's zero point; a tap in the padding is
 * 0, as the reference skips it), the int32 sums from qgemm_acc, then the
 * reference's own float stage (spry_hybrid_conv_output). The sums are the
 * reference's modulo 2^32, so the outputs are identical bit for bit to
 * spry_ref_conv_2d_hybrid's.
 *
 * Covered: one group, every stride, dilation and padding. Grouped filters,
 * and every node under SPRY_ISA=reference, keep the reference kernel.
 */
#ifndef SPRY_KERNELS_FAST_HYBRID_CONV_H
#define SPRY_KERNELS_FAST_HYBRID_CONV_H

#include "gemm.h"
#include "reference/hybrid_conv.h"
#include "spry/op.h"

typedef struct SpryHybridConvFast {
  const SpryGemmKernels *kernels; /* NULL: the fast path is not used */
  int16_t *packed;                /* the filter, int16 layout (persistent) */
  int32_t depth;                  /* K: filter_h * filter_w * filter_c */
  int32_t scratch;                /* one tile of SPRY_GEMM_MR widened patches */
} SpryHybridConvFast;

/* Sets up the fast path for a prepared hybrid CONV_2D (shapes known, int8
 * filter data checked). Leaves f->kernels NULL, and returns SPRY_OK, where
 * it does not apply. */
SpryStatus spry_hybrid_conv_fast_prepare(SpryContext *ctx, SpryHybridConvFast *f,
                                         const SpryConvShapes *shapes, const SpryTensor *filter);

/* Runs a prepared fast path (f->kernels non-NULL); `args` as for
 * spry_ref_conv_2d_hybrid (its filter is not read: the packed copy is).
 * Fails only when the scratch tile is missing. */
SpryStatus spry_hybrid_conv_fast_run(SpryContext *ctx, const SpryHybridConvFast *f,
                                     const SpryConvParams *params, const SpryConvShapes *shapes,
                                     const SpryHybridConvArgs *args, float *output);

#endif /* SPRY_KERNELS_FAST_HYBRID_CONV_H */
