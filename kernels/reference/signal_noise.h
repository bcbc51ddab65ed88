/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_noise.h — reference loops of the TFLite Micro `signal` audio front
 * end after the filter bank: spectral subtraction (a running noise
 * estimate), PCAN auto gain control and the fixed-point log. They match
 * signal/src/{filter_bank_spectral_subtraction,pcan_argc_fixed,log,
 * filter_bank_log}.cc bit for bit, with their unsigned wrap-around.
 */
#ifndef SPRY_KERNELS_REFERENCE_SIGNAL_NOISE_H
#define SPRY_KERNELS_REFERENCE_SIGNAL_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SprySpectralSubtraction {
  int32_t num_channels;
  uint32_t smoothing; /* even channels, scale 2^subtraction_bits */
  uint32_t one_minus_smoothing;
  uint32_t alternate_smoothing; /* odd channels */
  uint32_t alternate_one_minus_smoothing;
  uint32_t min_signal_remaining; /* scale 2^subtraction_bits */
  int32_t smoothing_bits;        /* [0, 31] */
  int32_t subtraction_bits;      /* [0, 63] */
  bool clamping;
} SprySpectralSubtraction;

/* Updates noise[] (the state, num_channels entries) and writes the
 * noise-reduced signal. */
void spry_signal_spectral_subtraction(const SprySpectralSubtraction *p, const uint32_t *input,
                                      uint32_t *output, uint32_t *noise);

/* Minimum gain table length: its index reaches 4 * 32 - 6 + 2. */
#define SPRY_PCAN_LUT_MIN 125

/* In place: output[i] = shrink((output[i] * gain(noise[i])) >> snr_shift),
 * snr_shift in [0, 63]. */
void spry_signal_pcan(const int16_t *gain_lut, int32_t snr_shift, const uint32_t *noise,
                      uint32_t *output, size_t count);

/* output[i] = min(log(input[i] << correction_bits) * output_scale, 32767), 0
 * for inputs below 2 after the shift; correction_bits in [0, 31]. */
void spry_signal_filter_bank_log(const uint32_t *input, size_t count, int32_t output_scale,
                                 int32_t correction_bits, int16_t *output);

#endif /* SPRY_KERNELS_REFERENCE_SIGNAL_NOISE_H */
