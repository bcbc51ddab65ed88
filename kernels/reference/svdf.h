/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svdf.h — one SVDF step (a fully connected layer factored into a feature
 * projection and a time filter over a memory of past activations), float32,
 * hybrid or full integer. Matches TFLite's reference_ops::EvalFloatSVDF,
 * EvalHybridSVDF and EvalIntegerSVDF (internal/reference/svdf.h):
 *
 *   shift every filter's memory left by one (the state is one flat array
 *   shifted by one element; each row's newest slot is then overwritten),
 *   state[b][f][memory - 1] = weights_feature[f] . input[b],
 *   scratch[b][f] = weights_time[f] . state[b][f],
 *   output[b][u] = activation(sum over rank r of scratch[b][u * rank + r] + bias[u]).
 *
 * Layout: input [n_batch][n_input], weights_feature [n_filters][n_input],
 * weights_time [n_filters][memory], state [n_batch][n_filters][memory],
 * bias [n_units] (may be NULL), output [n_batch][n_units], n_filters =
 * n_units * rank.
 */
#ifndef SPRY_KERNELS_REFERENCE_SVDF_H
#define SPRY_KERNELS_REFERENCE_SVDF_H

#include <stdbool.h>
#include <stdint.h>

#include "rnn.h"

typedef struct SprySvdfShape {
  int32_t n_batch;
  int32_t n_input;
  int32_t n_filters;
  int32_t n_units;
  int32_t rank;
  int32_t memory;
} SprySvdfShape;

typedef struct SprySvdfParams {
  SprySvdfShape shape;
  const float *weights_feature;     /* float path; NULL for hybrid */
  SpryHybridWeights feature_hybrid; /* hybrid path */
  bool asymmetric;                  /* hybrid: asymmetric run-time quantization */
  const float *weights_time;        /* float (hybrid: dequantized once) */
  const float *bias;                /* NULL: none */
  int activation;
} SprySvdfParams;

/* scratch: n_batch * n_filters floats; hybrid uses quant (rows n_batch,
 * cols n_input) too. */
void spry_ref_svdf_f32(const SprySvdfParams *p, const float *input, float *state, float *scratch,
                       const SpryHybridScratch *quant, float *output);

typedef struct SprySvdfQuantParams {
  SprySvdfShape shape;
  const int8_t *weights_feature;
  const int16_t *weights_time;
  const int32_t *bias;              /* NULL: none */
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t feature_multiplier;       /* input * weights_feature -> int16 state */
  int feature_shift;
  int32_t output_multiplier;        /* state * weights_time -> int8 output */
  int output_shift;
} SprySvdfQuantParams;

/* Full-integer step: int8 input and output, int16 state (zero point 0).
 * scratch: n_batch * n_filters int32. Like TFLite, the (required) RELU
 * activation is not applied beyond the int8 range. */
void spry_ref_svdf_s8(const SprySvdfQuantParams *p, const int8_t *input, int16_t *state,
                      int32_t *scratch, int8_t *output);

#endif /* SPRY_KERNELS_REFERENCE_SVDF_H */
