/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_basic.h — the LSTM op's BASIC kernel type (LSTM version 2): its
 * prepare and invoke, which kernels/lstm.c calls when LSTMOptions.kernel_type
 * is BASIC.
 *
 * Inputs: 0 input [batch, input_depth], 1 prev_activ [batch, output_depth],
 * 2 weights [4 * output_depth, input_depth + output_depth], 3 bias
 * [4 * output_depth], 4 prev_state [batch, output_depth]. Outputs: 0
 * activ_output, 1 state_output (both [batch, output_depth]), 2 concat_temp
 * [batch, input_depth + output_depth], 3 activ_temp [batch, 4 * output_depth];
 * the last two are TFLite's scratch, written as TFLite writes them
 * (reference/lstm_basic.h).
 *
 * Types: float32 throughout, or the quantized cell (uint8 input, prev_activ,
 * activ_output and concat_temp with scale 1/128 and zero point 128, uint8
 * weights quantized per tensor, int32 bias, int16 prev_state and
 * state_output with scale 2^-11, int16 activ_temp). TFLite reads neither the
 * fused activation nor the clips (the cell always uses tanh, never clips),
 * nor the activations' quantization; a model asking for anything else than
 * what the cell computes (an activation other than TANH, a non-zero clip, a
 * scale or zero point other than the above) is refused at prepare rather
 * than run with a meaning it does not have.
 *
 * As in TFLite, the new activation and state are copied into prev_activ
 * and prev_state after each invoke when those are variable tensors, so the
 * next invoke continues from them. TFLite also overwrites them when they
 * are graph inputs or other ops' outputs; Spry leaves those untouched, so
 * that invoking twice on the same inputs gives the same results.
 *
 * There is no fast variant: every ISA runs the reference step.
 */
#ifndef SPRY_KERNELS_LSTM_BASIC_H
#define SPRY_KERNELS_LSTM_BASIC_H

#include <stdbool.h>

#include "reference/lstm_basic.h"
#include "spry/op.h"

typedef struct SpryLstmBasicOptions {
  int activation;
  float cell_clip, proj_clip;
} SpryLstmBasicOptions;

typedef struct SpryLstmBasic {
  SpryLstmBasicShape shape;
  bool quantized;
  SpryLstmBasicQuant quant; /* the uint8 cell's parameters */
} SpryLstmBasic;

SpryStatus spry_lstm_basic_prepare(SpryContext *ctx, const SpryNode *node,
                                   const SpryLstmBasicOptions *options, SpryLstmBasic *basic);

SpryStatus spry_lstm_basic_invoke(SpryContext *ctx, const SpryNode *node,
                                  const SpryLstmBasic *basic);

#endif /* SPRY_KERNELS_LSTM_BASIC_H */
