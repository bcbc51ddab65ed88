/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_float.h — one float32 LSTM time step over a batch of rows: gates,
 * cell update, output (matches TFLite's lstm_eval.cc LstmStepFloat with the
 * portable tensor_utils: CalculateLstmGateFloat, UpdateLstmCellFloat,
 * CalculateLstmOutputFloat).
 *
 * Gate order everywhere: 0 input, 1 forget, 2 cell, 3 output. A NULL input
 * gate (weights[0]) means CIFG: input gate = 1 - forget gate.
 */
#ifndef SPRY_KERNELS_REFERENCE_LSTM_FLOAT_H
#define SPRY_KERNELS_REFERENCE_LSTM_FLOAT_H

#include <stdint.h>

typedef struct SpryLstmShape {
  int32_t n_batch;  /* rows processed together in one step */
  int32_t n_input;
  int32_t n_cell;
  int32_t n_output; /* n_cell without projection */
} SpryLstmShape;

typedef struct SpryLstmFloatParams {
  const float *input_weights[4];     /* [n_cell][n_input] */
  const float *recurrent_weights[4]; /* [n_cell][n_output] */
  const float *peephole_weights[4];  /* [n_cell], index 2 unused; NULL: none */
  const float *bias[4];              /* [n_cell] */
  const float *layer_norm[4];        /* [n_cell]; NULL: no layer normalisation */
  const float *projection_weights;   /* [n_output][n_cell] or NULL */
  const float *projection_bias;      /* [n_output] or NULL */
  int activation;                    /* cell/output activation (ActivationFunctionType) */
  float cell_clip;                   /* 0: none */
  float proj_clip;                   /* 0: none */
} SpryLstmFloatParams;

/* Advances output_state [n_batch][n_output] and cell_state [n_batch][n_cell]
 * by one step on input [n_batch][n_input]. scratch: 4 * n_batch * n_cell. */
void spry_ref_lstm_step_f32(const SpryLstmFloatParams *p, const SpryLstmShape *s,
                            const float *input, float *output_state, float *cell_state,
                            float *scratch);

#endif /* SPRY_KERNELS_REFERENCE_LSTM_FLOAT_H */
