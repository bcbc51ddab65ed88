/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mean.h — the fast MEAN and SUM over the spatial axes of a 4-D NHWC tensor
 * (axes 1 and 2, the global pooling that ends classifier networks), with or
 * without keep_dims (the output layout is the same).
 *
 * Each image is one window of the pooling kernels (fast/pooling.h): their
 * sum kernels add a pixel's channels lane by lane, in the reference's order
 * (rows, then columns), so that
 *   - float sums are the reference's bit for bit, and MEAN divides them by
 *     the same count;
 *   - 8-bit sums are exact in int32 (images of at most 2^23 pixels) and go
 *     through the reference's own requantization (spry_reduce_requantize,
 *     with spry_mean_multiplier's folded multiplier for MEAN), so results
 *     are identical to the reference kernels'.
 * Channels are split over the interpreter's threads in blocks of
 * SPRY_MEAN_SPLIT; quantized nodes request a scratch buffer of one int32
 * per channel for the sums.
 *
 * Covered: MEAN of float32, int8 and uint8; SUM of float32 and quantized
 * int8 and uint8. Other axes, ranks, types (int16, raw integer SUM) and
 * empty tensors keep the reference kernels, and so does every node under
 * SPRY_ISA=reference.
 */
#ifndef SPRY_KERNELS_FAST_MEAN_H
#define SPRY_KERNELS_FAST_MEAN_H

#include <stdbool.h>
#include <stdint.h>

#include "pooling.h"
#include "reference/reduce.h"
#include "spry/op.h"

/* Channels per unit of the thread split (a multiple of every variant's
 * blocks). */
#define SPRY_MEAN_SPLIT 32

/* Larger images keep the reference (their 8-bit sums could leave int32). */
#define SPRY_MEAN_MAX_PIXELS (INT32_C(1) << 23)

typedef struct SpryFastMean {
  SpryPoolSumFn sum;  /* the variant's sum kernel; NULL: the fast path is not used */
  SpryPoolSumFn tail; /* the portable one, for the channels past the variant's blocks */
  int32_t block;      /* the variant's channel block */
  SpryType type;
  bool mean;                 /* MEAN (else SUM) */
  int32_t batches, height, width, channels;
  SpryMeanParams params;     /* quantized */
  int32_t multiplier;        /* quantized: a sum's requantization */
  int shift;
  int32_t scratch;           /* quantized: int32 sums, one per channel */
  int32_t threads;
} SpryFastMean;

/* Sets up the fast path for MEAN (`mean`) or SUM of `type` over the axes
 * marked in `reduced` of an input of shape (rank, dims); `params` holds the
 * quantized parameters (NULL for float, and for raw integer SUM, which the
 * fast path leaves to the reference). Leaves m->sum NULL, and returns
 * SPRY_OK, where the fast path does not apply. */
SpryStatus spry_fast_mean_prepare(SpryContext *ctx, SpryFastMean *m, bool mean, SpryType type,
                                  const SpryMeanParams *params, int32_t rank, const int32_t *dims,
                                  const bool *reduced);

/* Runs a prepared fast path (m->sum non-NULL). */
void spry_fast_mean_run(SpryContext *ctx, const SpryFastMean *m, const void *input, void *output);

#endif /* SPRY_KERNELS_FAST_MEAN_H */
