/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_frontend.h — reference loops of the TFLite Micro `signal` audio
 * front end up to the filter bank: window, FFT auto-scaling, spectrum
 * energy, mel filter bank accumulation and its square root. They match
 * signal/src/{window,fft_auto_scale,max_abs,energy,filter_bank,
 * filter_bank_square_root,square_root_32,square_root_64,msb_32,msb_64}.cc,
 * including their wrap-around on overflow (reproduced with unsigned
 * arithmetic, never by signed overflow).
 */
#ifndef SPRY_KERNELS_REFERENCE_SIGNAL_FRONTEND_H
#define SPRY_KERNELS_REFERENCE_SIGNAL_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

/* Number of significant bits of x, as the library's MostSignificantBit32/64
 * built with GCC or Clang: 0 maps to 32 (64), not 0. */
int32_t spry_signal_msb32(uint32_t x);
int32_t spry_signal_msb64(uint64_t x);

/* output[i] = saturate16((input[i] * window[i % size]) >> shift), window
 * applied to each consecutive block of `size` samples. */
void spry_signal_window(const int16_t *input, size_t count, const int16_t *window, size_t size,
                        int32_t shift, int16_t *output);

/* Shifts the frame left by as many bits as its largest magnitude allows
 * (keeping the original's int16 wrap of max |-32768|) and returns them. */
int32_t spry_signal_fft_auto_scale(const int16_t *input, size_t count, int16_t *output);

/* output[i] = re^2 + im^2 (mod 2^32) for i in [start, end); `spectrum` holds
 * interleaved (re, im) int16 pairs. Other entries are left alone. */
void spry_signal_energy(const int16_t *spectrum, int32_t start, int32_t end, uint32_t *output);

typedef struct SprySignalFilterBank {
  int32_t num_channels;
  const int16_t *weights;
  const int16_t *unweights;
  const int16_t *freq_starts;   /* num_channels + 1 entries */
  const int16_t *weight_starts; /* num_channels + 1 entries */
  const int16_t *widths;        /* num_channels + 1 entries */
} SprySignalFilterBank;

/* Accumulates weighted energies into num_channels + 1 sums (the first only
 * carries the unweighted part of channel 1), mod 2^64 as the original's
 * uint64 products of sign-extended int16 weights. `work` has
 * num_channels + 1 entries; output receives entries 1.. of it. Indices were
 * validated by the caller. */
void spry_signal_filter_bank(const SprySignalFilterBank *fb, const uint32_t *input, uint64_t *work,
                             uint64_t *output);

/* The library's rounded integer square roots. */
uint32_t spry_signal_sqrt64(uint64_t x);

/* output[i] = sqrt64(input[i]) >> shift (shift in [0, 31]). */
void spry_signal_filter_bank_sqrt(const uint64_t *input, size_t count, int32_t shift,
                                  uint32_t *output);

#endif /* SPRY_KERNELS_REFERENCE_SIGNAL_FRONTEND_H */
