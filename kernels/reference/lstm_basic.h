/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_basic.h — one step of the LSTM op's BASIC kernel type: TFLite's
 * LstmCell (reference_ops LstmCell, float and the gemmlowp 16-bit
 * fixed-point form with StateIntegerBits = 4).
 *
 * Layout, all row-major: input [batches][input_depth], prev_activ and
 * prev_state [batches][output_depth], weights [4 * output_depth][depth]
 * with depth = input_depth + output_depth, bias [4 * output_depth]. The
 * step writes every output, scratch ones included, as TFLite does:
 *   concat_temp [batches][depth]: each input row followed by its prev_activ row;
 *   activ_temp [batches][4 * output_depth]: the fully-connected output, four
 *     blocks of output_depth in gate order input, new input, forget, output;
 *   output_state, output_activ [batches][output_depth].
 * new state = logistic(input) * tanh(new input) + logistic(forget) * prev_state;
 * new activ = logistic(output) * tanh(new state). No output may alias an input.
 *
 * float32: within float rounding of TFLite (the products are summed in the
 * reference FULLY_CONNECTED's order). uint8: bit-exact. Its activations are
 * Q0.7 bytes with zero point 128 (scale 1/128), the weights have their own
 * zero point, the int32 bias is in the accumulator's scale (input scale *
 * weights scale); the accumulator is requantized to Q3.12 int16 (saturated;
 * the final shift rounds ties up, as TFLite's optimized GEMM does),
 * the state is Q4.11 int16 (saturating add), and tanh of the state is taken
 * after rescaling it to Q3.12, saturating beyond +-8, as TFLite does.
 */
#ifndef SPRY_KERNELS_REFERENCE_LSTM_BASIC_H
#define SPRY_KERNELS_REFERENCE_LSTM_BASIC_H

#include <stdint.h>

typedef struct SpryLstmBasicShape {
  int32_t batches;      /* >= 0 */
  int32_t input_depth;  /* >= 0 */
  int32_t output_depth; /* > 0 */
} SpryLstmBasicShape;

/* The step's tensors; element types by cell:
 *            input, prev_activ  weights  bias     prev_state, output_state
 *   float32  float              float    float    float
 *   uint8    uint8_t            uint8_t  int32_t  int16_t
 * output_activ and concat_temp have the input's type; activ_temp is float
 * or int16_t. */
typedef struct SpryLstmBasicTensors {
  const void *input, *prev_activ, *weights, *bias, *prev_state;
  void *output_state, *output_activ, *concat_temp, *activ_temp;
} SpryLstmBasicTensors;

typedef struct SpryLstmBasicQuant {
  int32_t weights_zero_point;
  /* accumulator -> Q3.12: 4096 * bias scale as a quantized multiplier */
  int32_t accum_multiplier;
  int accum_shift;
} SpryLstmBasicQuant;

void spry_ref_lstm_basic_f32(const SpryLstmBasicShape *s, const SpryLstmBasicTensors *t);
void spry_ref_lstm_basic_u8(const SpryLstmBasicShape *s, const SpryLstmBasicQuant *q,
                            const SpryLstmBasicTensors *t);

#endif /* SPRY_KERNELS_REFERENCE_LSTM_BASIC_H */
