/* SPDX-License-Identifier: Apache-2.0 */
/* signal_frontend.c — window, auto-scale, energy, filter bank, sqrt of the audio front end. */
#include "signal_frontend.h"

int32_t spry_signal_msb32(uint32_t x) {
  int32_t bits = 0;
  if (x == 0) return 32; /* __builtin_clz-based original: 32 - 0 */
  while (x) {
    x >>= 1;
    bits++;
  }
  return bits;
}

int32_t spry_signal_msb64(uint64_t x) {
  int32_t bits = 0;
  if (x == 0) return 64;
  while (x) {
    x >>= 1;
    bits++;
  }
  return bits;
}

/* Floor division by 2^shift of a possibly negative product. */
static int32_t shift_down(int32_t v, int32_t shift) {
  return v >= 0 ? v >> shift : -((-(v + 1)) >> shift) - 1;
}

void spry_signal_window(const int16_t *input, size_t count, const int16_t *window, size_t size,
                        int32_t shift, int16_t *output) {
  for (size_t i = 0; i < count; i++) {
    const int32_t raw = shift_down((int32_t)input[i] * window[i % size], shift);
    output[i] = (int16_t)(raw < INT16_MIN ? INT16_MIN : raw > INT16_MAX ? INT16_MAX : raw);
  }
}

/* The original keeps the running maximum in an int16_t, so |-32768|
 * wraps back to -32768 and later values may replace it. */
static int32_t max_abs16(const int16_t *input, size_t count) {
  int32_t max = 0;
  for (size_t i = 0; i < count; i++) {
    const int32_t v = input[i];
    if (v > max)
      max = v;
    else if (-v > max)
      max = -v == 32768 ? -32768 : -v;
  }
  return max;
}

int32_t spry_signal_fft_auto_scale(const int16_t *input, size_t count, int16_t *output) {
  const int32_t max = max_abs16(input, count);
  /* The original passes the int16 maximum through uint32_t: -32768 becomes
   * 0xFFFF8000 (32 bits), and 0 counts as 32 bits; both give no scaling. */
  int32_t scale = 16 - spry_signal_msb32((uint32_t)max) - 1;
  if (scale < 0) scale = 0;
  for (size_t i = 0; i < count; i++) {
    /* int16 truncation of the product, as the original's store. */
    const uint32_t scaled = (uint32_t)(int32_t)input[i] << scale;
    const uint16_t low = (uint16_t)scaled;
    output[i] = low >= 0x8000u ? (int16_t)(low - 0x10000) : (int16_t)low;
  }
  return scale;
}

void spry_signal_energy(const int16_t *spectrum, int32_t start, int32_t end, uint32_t *output) {
  for (int32_t i = start; i < end; i++) {
    const int32_t re = spectrum[2 * i], im = spectrum[2 * i + 1];
    output[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
  }
}

void spry_signal_filter_bank(const SprySignalFilterBank *fb, const uint32_t *input, uint64_t *work,
                             uint64_t *output) {
  uint64_t weighted = 0, unweighted = 0;
  for (int32_t c = 0; c <= fb->num_channels; c++) {
    const int32_t freq = fb->freq_starts[c], first = fb->weight_starts[c];
    for (int32_t j = 0; j < fb->widths[c]; j++) {
      const uint64_t e = input[freq + j];
      weighted += (uint64_t)(int64_t)fb->weights[first + j] * e;
      unweighted += (uint64_t)(int64_t)fb->unweights[first + j] * e;
    }
    work[c] = weighted;
    /* A channel's falling edge is the next channel's rising edge. */
    weighted = unweighted;
    unweighted = 0;
  }
  for (int32_t c = 0; c < fb->num_channels; c++) output[c] = work[c + 1];
}

/* Digit-by-digit square root over `top` bits, rounded to nearest unless the
 * result is already all ones (`cap`). */
static uint64_t sqrt_bits(uint64_t x, int32_t top, int32_t msb, uint64_t cap) {
  uint64_t res = 0;
  const int32_t max_bit = (top + 1 - msb) | 1;
  uint64_t bit = (uint64_t)1 << (top - max_bit);
  for (int32_t it = (top - max_bit) / 2 + 1; it > 0; it--) {
    if (x >= res + bit) {
      x -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (x > res && res != cap) res++;
  return res;
}

uint32_t spry_signal_sqrt64(uint64_t x) {
  /* The library takes a 32-bit path whenever the upper word is clear. */
  if ((x >> 32) == 0) {
    if (x == 0) return 0;
    return (uint16_t)sqrt_bits(x, 31, spry_signal_msb32((uint32_t)x), 0xFFFF);
  }
  return (uint32_t)sqrt_bits(x, 63, spry_signal_msb64(x), 0xFFFFFFFFu);
}

void spry_signal_filter_bank_sqrt(const uint64_t *input, size_t count, int32_t shift,
                                  uint32_t *output) {
  for (size_t i = 0; i < count; i++) output[i] = spry_signal_sqrt64(input[i]) >> shift;
}
