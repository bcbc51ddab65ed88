/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quant_sweep.h — the quantization parameters the fast convolution sweeps
 * (depthwise, transpose) walk through: real multipliers input_scale *
 * filter_scale / output_scale from just above 2^-31 to 2^30 (the extremes
 * of TFLite's fixed-point form), zero points at both ends of the range and
 * between, per-channel scale spreads and biases near the int32 limits.
 */
#ifndef SPRY_TESTS_QUANT_SWEEP_H
#define SPRY_TESTS_QUANT_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct QuantSweep {
  float input_scale, filter_scale, output_scale;
  float channel_spread; /* per-channel filter scales vary by up to this factor (int8) */
  int32_t input_zp, output_zp;
  int32_t filter_zp;    /* uint8: from the sweep; int8: 0 (symmetric weights) */
  bool extreme_bias;    /* biases near the int32 limits: the sums must wrap */
} QuantSweep;

/* A zero point of int8 (`is_s8`) or uint8 picked by `pick`: the lowest, the
 * highest, the middle, or random. */
int32_t quant_sweep_zero_point(bool is_s8, uint64_t *rng, int32_t pick);

/* The parameters of sweep case `index` for int8 (`is_s8`) or uint8 data. */
QuantSweep quant_sweep_case(int32_t index, bool is_s8, uint64_t *rng);

#endif /* SPRY_TESTS_QUANT_SWEEP_H */
