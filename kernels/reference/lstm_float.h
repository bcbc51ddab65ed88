/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_float.h — one LSTM time step on float32 activations (float32 or
 * hybrid weights) over a batch of rows: gates, cell update, output (matches
 * TFLite's lstm_eval.cc LstmStepFloat with the portable tensor_utils:
 * CalculateLstmGateFloat, UpdateLstmCellFloat, CalculateLstmOutputFloat).
 *
 * Gate order everywhere: 0 input, 1 forget, 2 cell, 3 output. Absent input
 * gate weights (index 0) mean CIFG: input gate = 1 - forget gate.
 *
 * An auxiliary input (BIDIRECTIONAL_SEQUENCE_LSTM's stacking with cross
 * links) adds aux_input_weights[g] x aux_input to each gate, after the input
 * term and before the recurrent one, as TFLite's CalculateLstmGateFloat does.
 *
 * Diagonal recurrent weights (diagonal_recurrent set; n_output == n_cell):
 * recurrent_weights[g] are float vectors [n_cell] multiplied elementwise with
 * the output state instead of matrices (TFLite's recurrent_is_diag), in
 * float and hybrid cells alike.
 *
 * Hybrid cells (float activations, int8 weights) run the same step with
 * TFLite's LstmStepHybrid products: each matrix term quantizes its float
 * operand (input, aux input, output state, then the projection's input) per
 * row at run time, skips it when the whole operand is zero, and adds the
 * rescaled int32 dot products (spry_ref_hybrid_accumulate). Everything else
 * (peepholes, layer normalisation, activations, the cell update) is the
 * float step's; int8 peephole weights are dequantized once at prepare into
 * the float values TFLite recovers at every step.
 */
#ifndef SPRY_KERNELS_REFERENCE_LSTM_FLOAT_H
#define SPRY_KERNELS_REFERENCE_LSTM_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

#include "matvec_ops.h"
#include "rnn.h"

typedef struct SpryLstmShape {
  int32_t n_batch;  /* rows processed together in one step */
  int32_t n_input;
  int32_t n_cell;
  int32_t n_output; /* n_cell without projection */
  int32_t n_aux_input; /* columns of the auxiliary input (0: none) */
} SpryLstmShape;

/* The int8 matrices of a hybrid cell (data NULL where absent, as in CIFG),
 * used in place of SpryLstmFloatParams' float ones. */
typedef struct SpryLstmHybrid {
  SpryHybridWeights input[4];     /* [n_cell][n_input] */
  SpryHybridWeights aux_input[4]; /* [n_cell][n_aux_input] */
  SpryHybridWeights recurrent[4]; /* [n_cell][n_output] */
  SpryHybridWeights projection;   /* [n_output][n_cell] */
  bool asymmetric;                /* asymmetric run-time input quantization */
  /* n_batch rows of max(n_input, n_aux_input, n_output, n_cell) values. */
  SpryHybridScratch scratch;
} SpryLstmHybrid;

typedef struct SpryLstmFloatParams {
  const float *input_weights[4];     /* [n_cell][n_input] */
  const float *aux_input_weights[4]; /* [n_cell][n_aux_input]; NULL: no aux term */
  const float *recurrent_weights[4]; /* [n_cell][n_output], or [n_cell] when diagonal */
  const float *peephole_weights[4];  /* [n_cell], index 2 unused; NULL: none */
  const float *bias[4];              /* [n_cell] */
  const float *layer_norm[4];        /* [n_cell]; NULL: no layer normalisation */
  const float *projection_weights;   /* [n_output][n_cell] or NULL */
  const float *projection_bias;      /* [n_output] or NULL */
  const SpryLstmHybrid *hybrid;      /* non-NULL: int8 matrices, float ones unused */
  bool diagonal_recurrent;           /* recurrent_weights are diagonals (also when hybrid) */
  const SpryMatvecOps *matvec;       /* faster matrix products; NULL: the reference ones */
  int activation;                    /* cell/output activation (ActivationFunctionType) */
  float cell_clip;                   /* 0: none */
  float proj_clip;                   /* 0: none */
} SpryLstmFloatParams;

/* Advances output_state [n_batch][n_output] and cell_state [n_batch][n_cell]
 * by one step on input [n_batch][n_input]. scratch: 4 * n_batch * n_cell. */
void spry_ref_lstm_step_f32(const SpryLstmFloatParams *p, const SpryLstmShape *s,
                            const float *input, float *output_state, float *cell_state,
                            float *scratch);

/* The same step with an auxiliary input [n_batch][n_aux_input] (NULL: none,
 * then identical to spry_ref_lstm_step_f32). */
void spry_ref_lstm_step_aux_f32(const SpryLstmFloatParams *p, const SpryLstmShape *s,
                                const float *input, const float *aux_input, float *output_state,
                                float *cell_state, float *scratch);

#endif /* SPRY_KERNELS_REFERENCE_LSTM_FLOAT_H */
