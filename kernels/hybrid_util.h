/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hybrid_util.h — prepare-time helpers of hybrid (int8 weights, float
 * activations) kernels: weight validation with row sums for asymmetric
 * inputs, convolution filters with their channel scales, and the scratch
 * buffers of run-time input quantization.
 */
#ifndef SPRY_KERNELS_HYBRID_UTIL_H
#define SPRY_KERNELS_HYBRID_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "conv_common.h"
#include "reference/hybrid_conv.h"
#include "reference/rnn.h"
#include "spry/op.h"

/* Arena scratch indices of a SpryHybridScratch. */
typedef struct SpryHybridScratchIndex {
  int32_t quantized, scales, zero_points;
} SpryHybridScratchIndex;

/* Checks an int8 weight tensor (`role` names it) is constant and quantized
 * per tensor with a valid scale, and fills *out; with asymmetric inputs the
 * row sums are computed once into persistent memory. */
SpryStatus spry_hybrid_weights_prepare(SpryContext *ctx, const char *role, const SpryTensor *w,
                                       bool asymmetric, SpryHybridWeights *out);

/* As spry_hybrid_weights_prepare, also accepting uint8 weights whose bytes
 * are read as int8 values, as TFLite's hybrid LSTM kernels read them. */
SpryStatus spry_hybrid_weights_prepare_u8_as_s8(SpryContext *ctx, const char *role,
                                                const SpryTensor *w, bool asymmetric,
                                                SpryHybridWeights *out);

/* A constant 1-D int8 (or uint8 read as int8) vector quantized per tensor,
 * dequantized into persistent floats (value * scale, the float product
 * TFLite's hybrid kernels recover at every step); *out is NULL on failure. */
SpryStatus spry_hybrid_vector_dequantize(SpryContext *ctx, const char *role, const SpryTensor *v,
                                         const float **out);

/* A hybrid convolution's filter: one scale per output channel (a per-tensor
 * scale repeated), in persistent memory. */
typedef struct SpryHybridFilter {
  const float *channel_scales;
  /* TFLite's test for its per-channel kernels: more than one scale, and
   * not all of them equal (equal ones take the per-tensor path). */
  bool per_channel;
} SpryHybridFilter;

/* Checks a hybrid convolution's operands: a constant int8 filter quantized
 * per tensor or with `channels` scales along `channel_dim`, a float32 output
 * and a float32 bias (or none); fills *out. */
SpryStatus spry_hybrid_filter_prepare(SpryContext *ctx, const SpryTensor *filter,
                                      const SpryTensor *bias, const SpryTensor *output,
                                      int32_t channels, int32_t channel_dim,
                                      SpryHybridFilter *out);

/* Requests scratch for quantizing `rows` rows of up to `max_cols` floats. */
SpryStatus spry_hybrid_scratch_request(SpryContext *ctx, int32_t rows, int32_t max_cols,
                                       SpryHybridScratchIndex *out);

/* The scratch buffers during invoke. */
SpryHybridScratch spry_hybrid_scratch_get(SpryContext *ctx, const SpryHybridScratchIndex *index);

/* During invoke: quantizes `batches` rows of `size` floats (symmetric or
 * asymmetric, see spry_ref_quantize_rows_s8) into the scratch of `index`;
 * fails when the scratch is missing. */
SpryStatus spry_hybrid_quantize_input(SpryContext *ctx, const SpryHybridScratchIndex *index,
                                      const float *input, int32_t batches, int32_t size,
                                      bool asymmetric, SpryHybridScratch *out);

/* A hybrid convolution's invoke up to its kernel: quantizes the float input
 * of t (per batch of shapes s) into the scratch of `index` and fills `out`
 * with it, the batch scales, the zero points (asymmetric only; NULL
 * otherwise), the filter, the channel scales, the bias and the scaling
 * order. */
SpryStatus spry_hybrid_conv_args(SpryContext *ctx, const SpryHybridScratchIndex *index,
                                 const SpryConvShapes *s, const SpryConvTensors *t,
                                 const float *channel_scales, bool asymmetric,
                                 SpryHybridScaleOrder order, SpryHybridConvArgs *out);

#endif /* SPRY_KERNELS_HYBRID_UTIL_H */
