/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_fixed16.h — 16-bit gemmlowp fixed-point logistic and tanh, the gate
 * activations of TFLite's integer LSTM (tensor_utils ApplySigmoid/ApplyTanh).
 *
 * Inputs are raw int16 values with `integer_bits` integer bits (Q3.12 gates,
 * Q(15+cell_scale) cell state); outputs are Q0.15. These follow gemmlowp's
 * FixedPoint<int16_t, N> arithmetic step for step (saturating doubling
 * high multiplies, Newton-Raphson reciprocal), so results are bit-exact.
 */
#ifndef SPRY_KERNELS_REFERENCE_LSTM_FIXED16_H
#define SPRY_KERNELS_REFERENCE_LSTM_FIXED16_H

#include <stdint.h>

/* logistic(x) for x in Q3.12 (TFLite's ApplySigmoid). */
int16_t spry_fp16_logistic_q3(int16_t x);

/* tanh(x) for x with integer_bits in [0, 6] integer bits (ApplyTanh). */
int16_t spry_fp16_tanh(int16_t x, int integer_bits);

#endif /* SPRY_KERNELS_REFERENCE_LSTM_FIXED16_H */
