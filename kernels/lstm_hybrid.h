/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_hybrid.h — prepare-time setup of a hybrid LSTM cell (float
 * activations, 8-bit weights), shared by UNIDIRECTIONAL_SEQUENCE_LSTM, LSTM
 * and BIDIRECTIONAL_SEQUENCE_LSTM.
 *
 * As in TFLite (lstm.cc, unidirectional_sequence_lstm.cc,
 * bidirectional_sequence_lstm.cc): every weight matrix and peephole vector
 * has the type of the input-to-output weights, int8 or uint8 (whose bytes
 * TFLite reads as int8), with one scale per tensor; biases and layer-norm
 * coefficients stay float32. Here the weights must also be constant: the
 * row sums of asymmetric input quantization are computed once, at prepare.
 */
#ifndef SPRY_KERNELS_LSTM_HYBRID_H
#define SPRY_KERNELS_LSTM_HYBRID_H

#include <stdbool.h>
#include <stdint.h>

#include "hybrid_util.h"
#include "reference/lstm_float.h"
#include "spry/op.h"

/* Node input indices of one cell's 8-bit tensors (-1: the op has none). */
typedef struct SpryLstmCellTensors {
  int32_t input[4];     /* input-to-gate weights */
  int32_t aux_input[4]; /* aux-input-to-gate weights */
  int32_t recurrent[4]; /* recurrent-to-gate weights */
  int32_t peephole[4];  /* cell-to-gate weights; index 2 (cell gate) unused */
  int32_t projection;
} SpryLstmCellTensors;

/* True when the node is hybrid: float32 input, 8-bit `weights`. */
bool spry_lstm_is_hybrid(const SpryTensor *input, const SpryTensor *weights);

/* Columns of the widest operand a hybrid step quantizes (input, aux input,
 * output state or, for the projection, the cell output): the width of the
 * SpryLstmHybrid scratch rows. */
int32_t spry_lstm_hybrid_widest(const SpryLstmShape *s);

/* Fills *out's matrices (row sums too when asymmetric) and peepholes[g]
 * (dequantized into persistent floats; NULL where absent) from the present
 * tensors of `cell`, checking each is constant and quantized per tensor;
 * shapes and the shared type are the caller's to check. out->scratch is
 * left for invoke. */
SpryStatus spry_lstm_hybrid_prepare(SpryContext *ctx, const SpryNode *node,
                                    const SpryLstmCellTensors *cell, bool asymmetric,
                                    SpryLstmHybrid *out, const float *peepholes[4]);

#endif /* SPRY_KERNELS_LSTM_HYBRID_H */
