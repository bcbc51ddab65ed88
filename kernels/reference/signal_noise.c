/* SPDX-License-Identifier: Apache-2.0 */
/* signal_noise.c — spectral subtraction, PCAN gain control and log of the audio front end. */
#include "signal_noise.h"

#include "signal_frontend.h"

void spry_signal_spectral_subtraction(const SprySpectralSubtraction *p, const uint32_t *input,
                                      uint32_t *output, uint32_t *noise) {
  for (int32_t i = 0; i < p->num_channels; i++) {
    const bool odd = (i & 1) != 0;
    const uint32_t smoothing = odd ? p->alternate_smoothing : p->smoothing;
    const uint32_t keep = odd ? p->alternate_one_minus_smoothing : p->one_minus_smoothing;
    const uint32_t signal = input[i] << p->smoothing_bits;
    /* One-pole low-pass of the signal, in uint64 as the original. */
    noise[i] = (uint32_t)(((uint64_t)signal * smoothing + (uint64_t)noise[i] * keep) >>
                          p->subtraction_bits);
    uint32_t estimate = noise[i];
    if (estimate > signal) {
      estimate = signal; /* never subtract more than the signal */
      if (p->clamping) noise[i] = estimate;
    }
    const uint32_t floor =
        (uint32_t)(((uint64_t)input[i] * p->min_signal_remaining) >> p->subtraction_bits);
    const uint32_t subtracted = (signal - estimate) >> p->smoothing_bits;
    output[i] = subtracted > floor ? subtracted : floor;
  }
}

/* Floor division by 2^s of a signed value. */
static int64_t shift_floor(int64_t v, int32_t s) {
  return v >= 0 ? v >> s : -((-(v + 1)) >> s) - 1;
}

static int16_t wrap16(int64_t v) {
  const uint16_t low = (uint16_t)((uint64_t)v & 0xFFFFu);
  return low >= 0x8000u ? (int16_t)(low - 0x10000) : (int16_t)low;
}

/* The gain curve: a quadratic per octave of x, from a table of three
 * coefficients per octave (x <= 2 reads the table directly). */
static int16_t pcan_gain(uint32_t x, const int16_t *lut) {
  if (x <= 2) return lut[x];
  const int32_t octave = spry_signal_msb32(x);
  const int16_t *c = lut + 4 * octave - 6;
  const int32_t frac = (int32_t)((octave < 11 ? x << (11 - octave) : x >> (octave - 11)) & 0x3FF);
  int64_t r = shift_floor((int64_t)c[2] * frac, 5);
  r += (int64_t)c[1] * 32;
  r *= frac;
  r = shift_floor(r + (1 << 14), 15);
  return wrap16(r + c[0]);
}

/* shrink(x) = x^2 / 4 below 2, x - 1 above, from 12 to 6 fraction bits. */
static uint32_t pcan_shrink(uint32_t x) {
  if (x < (2u << 12)) return (x * x) >> 20;
  return (x >> 6) - (1u << 6);
}

void spry_signal_pcan(const int16_t *gain_lut, int32_t snr_shift, const uint32_t *noise,
                      uint32_t *output, size_t count) {
  for (size_t i = 0; i < count; i++) {
    /* The int16 gain is sign-extended into uint32, as in the original. */
    const uint32_t gain = (uint32_t)(int32_t)pcan_gain(noise[i], gain_lut);
    const uint32_t snr = (uint32_t)(((uint64_t)output[i] * gain) >> snr_shift);
    output[i] = pcan_shrink(snr);
  }
}

/* Fractional part of log2 on 16 bits: linear position inside the octave
 * plus a tabulated correction (128 segments). */
static const uint16_t log_correction[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646,
    2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460,
    4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408,
    5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249,
    5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341,
    4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981,
    2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

static uint32_t log2_fraction(uint32_t x, int32_t log2x) {
  int64_t frac = (int64_t)x - ((int64_t)1 << log2x);
  frac = log2x < 16 ? frac << (16 - log2x) : frac >> (log2x - 16);
  const int32_t seg = (int32_t)(frac >> 9);
  const int64_t c0 = log_correction[seg], c1 = log_correction[seg + 1];
  const int64_t rel = shift_floor((c1 - c0) * (frac - (int64_t)seg * 512), 16);
  return (uint32_t)(frac + c0 + rel);
}

/* ln(x) * out_scale with 16 fraction bits dropped, rounded (x >= 2). */
static uint32_t log_scaled(uint32_t x, uint32_t out_scale) {
  const int32_t integer = spry_signal_msb32(x) - 1;
  const uint32_t log2 = ((uint32_t)integer << 16) + log2_fraction(x, integer);
  const uint32_t loge = (uint32_t)(((uint64_t)45426 * log2 + 32768) >> 16);
  /* uint32 product: wraps as in the original. */
  return (out_scale * loge + 32768u) >> 16;
}

void spry_signal_filter_bank_log(const uint32_t *input, size_t count, int32_t output_scale,
                                 int32_t correction_bits, int16_t *output) {
  for (size_t i = 0; i < count; i++) {
    const uint32_t scaled = input[i] << correction_bits;
    if (scaled > 1) {
      const uint32_t v = log_scaled(scaled, (uint32_t)output_scale);
      output[i] = (int16_t)(v < INT16_MAX ? v : INT16_MAX);
    } else {
      output[i] = 0;
    }
  }
}
