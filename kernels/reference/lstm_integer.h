/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_integer.h — one LSTM time step with int8 activations and weights and
 * an int16 cell state (TFLite's "8x8_16" integer LSTM: lstm_eval.cc
 * LstmStepInteger8x8_16 with the portable tensor_utils, bit for bit).
 *
 * Each gate is the sum of two requantized int8 matmuls (input and recurrent,
 * each with its own effective scale and a bias that already folds in the
 * zero points) plus an optional peephole term, saturated to int16 Q3.12,
 * then a 16-bit fixed-point sigmoid or tanh. Gate order: 0 input, 1 forget,
 * 2 cell, 3 output; a NULL input gate means CIFG.
 *
 * With layer normalisation the saturated gate sum (in the gate's own
 * intermediate scale, the matmul biases holding no gate bias) is normalised
 * in integers before the activation: mean and variance over the cells of
 * each batch row, 1/sqrt(variance) as a fixed-point multiplier (a variance
 * below 1 is replaced by the variance guard), then scaled by the int16
 * coefficients, the int32 gate bias added, and requantized to Q3.12 (TFLite's
 * portable ApplyLayerNorm).
 */
#ifndef SPRY_KERNELS_REFERENCE_LSTM_INTEGER_H
#define SPRY_KERNELS_REFERENCE_LSTM_INTEGER_H

#include <stdint.h>

#include "lstm_float.h"
#include "matvec_ops.h"

typedef struct SpryLstmQuantGate {
  const int8_t *input_weights;     /* [n_cell][n_input]; NULL for the CIFG input gate */
  const int32_t *input_bias;       /* [n_cell]: gate bias - input_zp * row sums */
  int32_t input_multiplier;
  int input_shift;
  const int8_t *recurrent_weights; /* [n_cell][n_output] */
  const int32_t *recurrent_bias;   /* [n_cell]: -output_state_zp * row sums */
  int32_t recurrent_multiplier;
  int recurrent_shift;
  const int16_t *peephole_weights; /* NULL: none (never for the cell gate) */
  int32_t peephole_multiplier;
  int peephole_shift;
  const int16_t *layer_norm_weights; /* [n_cell]; NULL: no layer normalisation */
  const int32_t *layer_norm_bias;    /* [n_cell]: the gate bias */
  int32_t layer_norm_multiplier;     /* coefficient scale */
  int layer_norm_shift;              /* in [-43, 19]: shift + 12 is a valid shift */
  int32_t layer_norm_variance_guard; /* >= 1 */
} SpryLstmQuantGate;

typedef struct SpryLstmQuantParams {
  SpryLstmQuantGate gates[4];
  int cell_scale_log2;             /* cell state scale is 2^cell_scale_log2, in [-15, -9] */
  int16_t cell_clip;               /* 0: none */
  int32_t hidden_multiplier;       /* output_gate * tanh(cell) -> hidden int8 */
  int hidden_shift;
  int32_t hidden_zero_point;
  const int8_t *projection_weights;/* [n_output][n_cell] or NULL */
  const int32_t *projection_bias;  /* [n_output]: bias + hidden_zp * row sums */
  int32_t projection_multiplier;
  int projection_shift;
  int32_t output_state_zero_point;
  int8_t proj_clip;                /* 0: none */
  const SpryMatvecOps *matvec;     /* faster dot products; NULL: the reference ones */
} SpryLstmQuantParams;

/* Advances output_state [n_batch][n_output] (int8) and cell_state
 * [n_batch][n_cell] (int16) by one step. scratch16: 4 * n_batch * n_cell
 * int16; scratch8: n_batch * n_cell int8. */
void spry_ref_lstm_step_s8(const SpryLstmQuantParams *p, const SpryLstmShape *s,
                           const int8_t *input, int8_t *output_state, int16_t *cell_state,
                           int16_t *scratch16, int8_t *scratch8);

#endif /* SPRY_KERNELS_REFERENCE_LSTM_INTEGER_H */
