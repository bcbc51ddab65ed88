/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax.h — the fast SOFTMAX over the last dimension: rows split over the
 * interpreter's threads (work_share.h), each row computed by
 *   - float32: a per-ISA row kernel (spry_f32_softmax__<isa>) that follows
 *     the reference's steps — row maximum, exp((x - max) * beta) stored,
 *     their sum, division by the sum — with the same maximum, the same
 *     arguments, the same sum order (spry_softmax_sum) and the same
 *     divisions, vectorised where that changes nothing. Only the SIMD
 *     variants' exponential differs: a polynomial (softmax_exp.h) with a
 *     relative error below 3e-7, so outputs stay well within 1e-5 * (1 +
 *     max |reference|) of the reference's.
 *   - 8-bit input (int8 or uint8, to int8, uint8 or int16): the reference's
 *     fixed-point arithmetic with its one expensive step, the exponential of
 *     the difference to the row maximum, looked up: an 8-bit row has at most
 *     256 differences, so prepare tabulates spry_softmax_scaled_exp for each
 *     (0 below diff_min, which the reference skips and which yields exactly
 *     what skipping gives), and its term of the sum. The sums wrap as the
 *     reference's do, so their order does not matter. A row of more values
 *     than differences looks its outputs up too, worked out per difference.
 *     Results are identical to the reference's.
 *
 * Covered: float32 with a finite beta > 0 (the exponential then only sees
 * arguments <= 0 or NaN), and every 8-bit input kernel. LOG_SOFTMAX, other
 * betas, and every node under SPRY_ISA=reference keep the reference kernels.
 */
#ifndef SPRY_KERNELS_FAST_SOFTMAX_H
#define SPRY_KERNELS_FAST_SOFTMAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu_isa.h"
#include "reference/softmax.h"
#include "spry/op.h"

/* One float row of `depth` (> 0) values; `in` and `out` do not overlap. */
typedef void (*SprySoftmaxF32Fn)(const float *in, float *out, size_t depth, float beta);

void spry_f32_softmax__portable(const float *in, float *out, size_t depth, float beta);
void spry_f32_softmax__avx2(const float *in, float *out, size_t depth, float beta);
void spry_f32_softmax__neon(const float *in, float *out, size_t depth, float beta);

/* The sum of a row's exponentials in the reference's order, one after the
 * other. A vector sum would round differently: a row of one value near 1
 * among a thousand below half its ulp would then drift from the
 * reference's result by more than the tolerance. */
static inline float spry_softmax_sum(const float *e, size_t depth) {
  float sum = 0.0f;
  for (size_t c = 0; c < depth; c++) sum += e[c];
  return sum;
}

/* The float row kernel of a variant; NULL for SPRY_ISA_REFERENCE. */
SprySoftmaxF32Fn spry_f32_softmax_kernel(SpryIsa isa);

typedef struct SpryFastSoftmax {
  bool active;             /* false: the reference kernel runs */
  SprySoftmaxF32Fn f32;    /* float rows; NULL for 8-bit ones */
  float beta;
  /* 8-bit, indexed by max - x (0..255), in persistent memory: the
   * exponential, and its term of the sum. */
  const int32_t *exp_table, *sum_table;
  bool in_u8;
  SpryType out_type;       /* 8-bit: UINT8, INT8 or INT16 */
  size_t outer, depth;
  int32_t threads;
} SpryFastSoftmax;

/* Sets up the fast path for a SOFTMAX node from `in_type` to `out_type`
 * whose reference parameters are prepared (quantized ones by
 * spry_softmax_quant_params), over `outer` rows of `depth` values. Leaves
 * f->active false, and returns SPRY_OK, where the fast path does not
 * apply. */
SpryStatus spry_fast_softmax_prepare(SpryContext *ctx, SpryFastSoftmax *f, SpryType in_type,
                                     SpryType out_type, const SprySoftmaxParams *params,
                                     size_t outer, size_t depth);

/* Runs a prepared fast path (f->active). */
void spry_fast_softmax_run(SpryContext *ctx, const SpryFastSoftmax *f, const void *input,
                           void *output);

#endif /* SPRY_KERNELS_FAST_SOFTMAX_H */
