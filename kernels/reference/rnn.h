/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rnn.h — one basic RNN time step over a batch of rows, float32 or hybrid
 * (int8 weights, float activations): h = activation(W x + R h + bias).
 * Matches TFLite's kernel_utils::RnnBatchStep (kernel_utils.cc) with the
 * portable tensor_utils; the hybrid form quantizes the input and the state
 * per batch row at run time and skips an all-zero input or state, as TFLite
 * does. Also the fused activation of the recurrent family's float paths.
 *
 * Layout: input [n_batch][n_input], hidden and output [n_batch][n_units],
 * weights [n_units][n_input] and [n_units][n_units], bias [n_units].
 */
#ifndef SPRY_KERNELS_REFERENCE_RNN_H
#define SPRY_KERNELS_REFERENCE_RNN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matvec_ops.h"

/* TFLite's ApplyActivationToVector for one value: NONE, RELU, RELU_N1_TO_1,
 * RELU6, TANH, SIGN_BIT (1 for a set sign bit, else 0). */
float spry_ref_activate_f32(float x, int activation);

/* Applies spry_ref_activate_f32 to n values in place. */
void spry_ref_activate_vector_f32(float *v, size_t n, int activation);

/* One weight matrix of a hybrid op: int8 values, per-tensor scale, row sums
 * (needed for asymmetric inputs only). */
typedef struct SpryHybridWeights {
  const int8_t *data;
  float scale;
  const int32_t *row_sums;
} SpryHybridWeights;

/* Scratch of a hybrid step: quantized rows (n_batch * max(n_input, n_units)),
 * per-row scales and zero points (n_batch each). */
typedef struct SpryHybridScratch {
  int8_t *quantized;
  float *scales;
  int32_t *zero_points;
} SpryHybridScratch;

typedef struct SpryRnnParams {
  int32_t n_batch;
  int32_t n_input;
  int32_t n_units;
  int activation;
  const float *bias;
  const float *input_weights;       /* float path; NULL for hybrid */
  const float *recurrent_weights;
  SpryHybridWeights input_hybrid;   /* hybrid path */
  SpryHybridWeights recurrent_hybrid;
  bool asymmetric;                  /* hybrid: asymmetric run-time quantization */
} SpryRnnParams;

/* Writes output and copies it into hidden. scratch is used by the hybrid
 * path only. */
void spry_ref_rnn_step_f32(const SpryRnnParams *p, const float *input, float *hidden,
                           float *output, const SpryHybridScratch *scratch);

/* output[b][r] += W . x[b] with x quantized per row at run time, unless x is
 * all zeros (TFLite's hybrid accumulate as used by its RNN, SVDF and LSTM). */
void spry_ref_hybrid_accumulate(const SpryHybridWeights *w, int32_t rows, int32_t cols,
                                const float *x, int32_t n_batch, bool asymmetric,
                                const SpryHybridScratch *scratch, float *output);

/* As spry_ref_hybrid_accumulate with the int8 dot products from `dot` (NULL:
 * the reference's; see spry_ref_hybrid_gemv_acc_dot). */
void spry_ref_hybrid_accumulate_dot(const SpryHybridWeights *w, int32_t rows, int32_t cols,
                                    const float *x, int32_t n_batch, bool asymmetric,
                                    const SpryHybridScratch *scratch, SpryDotS8 dot,
                                    float *output);

#endif /* SPRY_KERNELS_REFERENCE_RNN_H */
