/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_avx2.c — AVX2 depthwise pixel kernels (compiled with -mavx2
 * -mfma, run only when the CPU has both).
 *
 * Quantized: the bytes of two taps are interleaved (channel by channel) and
 * widened to int16, so one VPMADDWD against the packed weight pairs adds
 * both taps' products of 8 channels into int32 lanes, exactly. A block of
 * 16 channels keeps two accumulators; the requantization reproduces TFLite's
 * fixed-point steps lane by lane.
 *
 * Float: one FMA per tap and 8 channels; even and odd taps go to separate
 * accumulators so consecutive FMAs do not wait on each other.
 */
#include <immintrin.h>

#include "depthwise.h"
#include "lanes_avx2.h"
#include "requant_avx2.h"

/* 16 bytes of int8 or uint8 as 16 int16 lanes. */
SPRY_DW_INLINE __m256i widen(__m128i bytes, bool u8) {
  return u8 ? _mm256_cvtepu8_epi16(bytes) : _mm256_cvtepi8_epi16(bytes);
}

static inline __m256i load8(const int32_t *p) { return _mm256_loadu_si256((const __m256i *)p); }

/* Output values of channels [c, c + 8) from their sums, offset added but
 * not yet clamped (requant_narrow16 clamps them as bytes). */
static inline __m256i requantize(__m256i acc, const SpryQgemmOutput *o, int32_t c) {
  acc = _mm256_add_epi32(acc, load8(o->bias + c));
  const RequantShifts s = requant_shifts_at(o, c);
  acc = multiply_by_quantized_multiplier_shifts(acc, load8(o->multiplier + c), &s);
  return _mm256_add_epi32(acc, _mm256_set1_epi32(o->output_offset));
}

/* A block's two sums (channels 0-7 and 8-15) over every tap pair. */
typedef struct BlockSums {
  __m256i lo, hi;
} BlockSums;

SPRY_DW_INLINE BlockSums block_sums(const void *const *taps, size_t at, int32_t pairs,
                                    const int16_t *w, bool u8) {
  __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
  for (int32_t p = 0; p < pairs; p++, w += 2 * SPRY_DW_BLOCK) {
    const __m128i x0 = _mm_loadu_si128((const __m128i *)((const uint8_t *)taps[2 * p] + at));
    const __m128i x1 = _mm_loadu_si128((const __m128i *)((const uint8_t *)taps[2 * p + 1] + at));
    const __m256i w0 = _mm256_loadu_si256((const __m256i *)w);
    const __m256i w1 = _mm256_loadu_si256((const __m256i *)(w + SPRY_DW_BLOCK));
    lo = _mm256_add_epi32(lo, _mm256_madd_epi16(widen(_mm_unpacklo_epi8(x0, x1), u8), w0));
    hi = _mm256_add_epi32(hi, _mm256_madd_epi16(widen(_mm_unpackhi_epi8(x0, x1), u8), w1));
  }
  return (BlockSums){lo, hi};
}

/* Blocks [first, first + blocks) of `pixels` pixels, pixel k's taps at
 * taps[t] + k * step and its output at out + k * out_step: the pixel
 * kernels (one pixel) and the row kernels in one function for both types.
 * The type only changes the widening, so it picks between two inlined
 * copies of the multiply loop and keeps one copy of the requantization
 * (room in the selective build). */
static __attribute__((noinline)) void quantized_pixels(const SpryDepthwise *d,
                                                       const void *const *taps, int32_t first,
                                                       int32_t blocks, size_t step,
                                                       int32_t pixels, void *out, size_t out_step,
                                                       bool u8) {
  const int32_t pairs = d->tap_slots / 2;
  const size_t block_weights = (size_t)pairs * 2 * SPRY_DW_BLOCK;
  const int16_t *weights = (const int16_t *)d->weights + (size_t)first * block_weights;
  for (int32_t k = 0; k < pixels; k++) {
    uint8_t *o = (uint8_t *)out + (size_t)k * out_step;
    /* Block b's sums are taken before block b - 1 is requantized: the
     * requantization is a long chain of dependent steps, and with the next
     * block's multiply-adds beside it in the instruction stream the core
     * has independent work to fill its wait (6-9% off tf2's layers). */
    BlockSums s = {_mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int32_t b = 0; b <= blocks; b++) {
      const BlockSums done = s;
      if (b < blocks) {
        const size_t at = (size_t)k * step + (size_t)b * SPRY_DW_BLOCK;
        const int16_t *w = weights + (size_t)b * block_weights;
        s = u8 ? block_sums(taps, at, pairs, w, true) : block_sums(taps, at, pairs, w, false);
      }
      if (b == 0) continue;
      const int32_t c = (first + b - 1) * SPRY_DW_BLOCK;
      const __m128i bytes =
          requant_narrow16(requantize(done.lo, &d->output, c),
                           requantize(done.hi, &d->output, c + 8), &d->output);
      _mm_storeu_si128((__m128i *)(o + (size_t)(b - 1) * SPRY_DW_BLOCK), bytes);
    }
  }
}

static void s8_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                     int32_t blocks, void *out) {
  quantized_pixels(d, taps, first, blocks, 0, 1, out, 0, false);
}

static void u8_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                     int32_t blocks, void *out) {
  quantized_pixels(d, taps, first, blocks, 0, 1, out, 0, true);
}

/* SpryDwRowFn: a pixel at a time, as the pixel kernels. What it buys is
 * the row's bookkeeping (no tap pointers moved per pixel) and, for nodes
 * of fewer than 16 channels, pixel groups (depthwise.h): an 8-channel
 * layer went through copies of its half block at every pixel, four times
 * XNNPACK's time. */
static int32_t s8_row(const SpryDepthwise *d, const void *const *taps, size_t step,
                      int32_t pixels, int32_t blocks, void *out, size_t out_step) {
  quantized_pixels(d, taps, 0, blocks, step, pixels, out, out_step, false);
  return pixels;
}

static int32_t u8_row(const SpryDepthwise *d, const void *const *taps, size_t step,
                      int32_t pixels, int32_t blocks, void *out, size_t out_step) {
  quantized_pixels(d, taps, 0, blocks, step, pixels, out, out_step, true);
  return pixels;
}

/* bias + sum, clamped; NaN passes as in the reference (MAXPS and MINPS
 * return their second operand when either is NaN). */
static inline __m256 finish(__m256 sum, const float *bias, __m256 lo, __m256 hi) {
  const __m256 v = _mm256_max_ps(lo, _mm256_add_ps(sum, _mm256_loadu_ps(bias)));
  return _mm256_min_ps(hi, v);
}

static void f32_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                      int32_t blocks, void *out) {
  const int32_t n = d->taps;
  const float *w = (const float *)d->weights + (size_t)first * (size_t)n * SPRY_DW_BLOCK;
  const __m256 lo = _mm256_set1_ps(d->params.act_min_f), hi = _mm256_set1_ps(d->params.act_max_f);
  for (int32_t b = 0; b < blocks; b++) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    __m256 e0 = _mm256_setzero_ps(), e1 = e0, o0 = e0, o1 = e0;
    int32_t t = 0;
    for (; t + 2 <= n; t += 2, w += 2 * SPRY_DW_BLOCK) {
      const float *x = (const float *)taps[t] + at, *y = (const float *)taps[t + 1] + at;
      e0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(w), e0);
      e1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(w + 8), e1);
      o0 = _mm256_fmadd_ps(_mm256_loadu_ps(y), _mm256_loadu_ps(w + 16), o0);
      o1 = _mm256_fmadd_ps(_mm256_loadu_ps(y + 8), _mm256_loadu_ps(w + 24), o1);
    }
    if (t < n) {
      const float *x = (const float *)taps[t] + at;
      e0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(w), e0);
      e1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(w + 8), e1);
      w += SPRY_DW_BLOCK;
    }
    const float *bias = d->bias_f + (size_t)(first + b) * SPRY_DW_BLOCK;
    float *o = (float *)out + at;
    _mm256_storeu_ps(o, finish(_mm256_add_ps(e0, o0), bias, lo, hi));
    _mm256_storeu_ps(o + 8, finish(_mm256_add_ps(e1, o1), bias + 8, lo, hi));
  }
}

/* The first `lanes` (1..8) of v, `mask` being their lane mask: eight, the
 * common tail (channels = 16 k + 8), with a plain store, as AMD's Zen cores
 * take about ten times longer over a masked one. */
static inline void store_lanes(float *p, __m256 v, __m256i mask, int32_t lanes) {
  if (lanes == 8)
    _mm256_storeu_ps(p, v);
  else
    _mm256_maskstore_ps(p, mask, v);
}

/* The first `pixels` (a multiple of 4) pixels' `lanes` (1..8) channels from
 * channel c on, four pixels at a time: pixel k's tap t at taps[t] + k * s
 * floats, its output at out + k * os. The taps are read with masked loads,
 * which cost AMD's Zen cores no more than plain ones (unlike masked
 * stores). Sums in f32_row's order. */
static void f32_row_lanes(const SpryDepthwise *d, const void *const *taps, size_t s,
                          int32_t pixels, size_t c, int32_t lanes, float *out, size_t os) {
  const __m256i mask = spry_avx2_first_lanes(lanes);
  const __m256 lo = _mm256_set1_ps(d->params.act_min_f), hi = _mm256_set1_ps(d->params.act_max_f);
  const float *bias = d->bias_f + c;
  const float *block_weights = (const float *)d->weights +
                               (c / SPRY_DW_BLOCK) * (size_t)d->taps * SPRY_DW_BLOCK +
                               c % SPRY_DW_BLOCK;
  for (int32_t k = 0; k < pixels; k += 4) {
    const float *w = block_weights;
    __m256 a = _mm256_setzero_ps(), b = a, e = a, f = a;
    for (int32_t t = 0; t < d->taps; t++, w += SPRY_DW_BLOCK) {
      const float *x = (const float *)taps[t] + (size_t)k * s + c;
      const __m256 wv = _mm256_loadu_ps(w);
      a = _mm256_fmadd_ps(_mm256_maskload_ps(x, mask), wv, a);
      b = _mm256_fmadd_ps(_mm256_maskload_ps(x + s, mask), wv, b);
      e = _mm256_fmadd_ps(_mm256_maskload_ps(x + 2 * s, mask), wv, e);
      f = _mm256_fmadd_ps(_mm256_maskload_ps(x + 3 * s, mask), wv, f);
    }
    float *o = out + (size_t)k * os + c;
    store_lanes(o, finish(a, bias, lo, hi), mask, lanes);
    store_lanes(o + os, finish(b, bias, lo, hi), mask, lanes);
    store_lanes(o + 2 * os, finish(e, bias, lo, hi), mask, lanes);
    store_lanes(o + 3 * os, finish(f, bias, lo, hi), mask, lanes);
  }
}

/* The partial block `block` (its first `channels`, 1..15) of the first
 * `pixels` pixels (a multiple of 4), in halves of eight channels. One copy
 * for f32_row and f32_tail: the selective build has no room for two. */
static __attribute__((noinline)) void f32_partial_block(const SpryDepthwise *d,
                                                        const void *const *taps, size_t s,
                                                        int32_t pixels, int32_t block,
                                                        int32_t channels, float *out, size_t os) {
  const size_t c = (size_t)block * SPRY_DW_BLOCK;
  f32_row_lanes(d, taps, s, pixels, c, channels < 8 ? channels : 8, out, os);
  if (channels > 8) f32_row_lanes(d, taps, s, pixels, c + 8, channels - 8, out, os);
}

/* SpryDwRowFn: four pixels of a block at a time, so that every weight load
 * serves four pixels' multiply-adds (f32_pixel loads a weight per FMA, and
 * the loads, not the FMAs, set its pace), and eight independent sums keep
 * both FMA units busy. Each sum adds the taps in order; f32_pixel adds even
 * and odd taps apart: both are within the float tolerance of the
 * reference, not bit for bit equal to each other. Runs the partial block
 * too (f32_row_partial): when each pixel's took a call of f32_tail, with
 * masked stores, DeepLab's 65 x 65 x 72 node took 0.234 ms against 0.168. */
static int32_t f32_row(const SpryDepthwise *d, const void *const *taps, size_t step,
                       int32_t pixels, int32_t blocks, void *out, size_t out_step) {
  const int32_t n = d->taps;
  const size_t s = step / sizeof(float), os = out_step / sizeof(float);
  const __m256 lo = _mm256_set1_ps(d->params.act_min_f), hi = _mm256_set1_ps(d->params.act_max_f);
  int32_t k = 0;
  for (; k + 4 <= pixels; k += 4) {
    const float *w = d->weights;
    for (int32_t b = 0; b < blocks; b++) {
      const size_t at = (size_t)k * s + (size_t)b * SPRY_DW_BLOCK;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0,
             d1 = a0;
      for (int32_t t = 0; t < n; t++, w += SPRY_DW_BLOCK) {
        const float *x = (const float *)taps[t] + at;
        const __m256 wl = _mm256_loadu_ps(w), wh = _mm256_loadu_ps(w + 8);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), wl, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), wh, a1);
        b0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + s), wl, b0);
        b1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + s + 8), wh, b1);
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 2 * s), wl, c0);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 2 * s + 8), wh, c1);
        d0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 3 * s), wl, d0);
        d1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 3 * s + 8), wh, d1);
      }
      const float *bias = d->bias_f + (size_t)b * SPRY_DW_BLOCK;
      float *o = (float *)out + (size_t)k * os + (size_t)b * SPRY_DW_BLOCK;
      _mm256_storeu_ps(o, finish(a0, bias, lo, hi));
      _mm256_storeu_ps(o + 8, finish(a1, bias + 8, lo, hi));
      _mm256_storeu_ps(o + os, finish(b0, bias, lo, hi));
      _mm256_storeu_ps(o + os + 8, finish(b1, bias + 8, lo, hi));
      _mm256_storeu_ps(o + 2 * os, finish(c0, bias, lo, hi));
      _mm256_storeu_ps(o + 2 * os + 8, finish(c1, bias + 8, lo, hi));
      _mm256_storeu_ps(o + 3 * os, finish(d0, bias, lo, hi));
      _mm256_storeu_ps(o + 3 * os + 8, finish(d1, bias + 8, lo, hi));
    }
  }
  const int32_t rest = d->shapes.output_c % SPRY_DW_BLOCK;
  if (rest) f32_partial_block(d, taps, s, k, blocks, rest, out, os);
  return k;
}

/* SpryDwTailFn: f32_row_lanes on one pixel, as a run of four copies of it
 * (steps of 0) all stored to the same place: the few pixels that run alone
 * (at the image's edges) do not repay a kernel of their own. */
static void f32_tail(const SpryDepthwise *d, const void *const *taps, int32_t block,
                     int32_t channels, void *out) {
  float *pixel = (float *)out - (size_t)block * SPRY_DW_BLOCK;
  f32_partial_block(d, taps, 0, 4, block, channels, pixel, 0);
}

/* f32_row_blocks: the widest nodes measured, DeepLab's 960 channels (60
 * blocks), ran faster on the row kernel than on f32_pixel; wider ones,
 * not measured, keep f32_pixel. */
const SpryDwKernels spry_dw_avx2 = {
    .f32 = f32_pixel,
    .s8 = s8_pixel,
    .u8 = u8_pixel,
    .f32_row = f32_row,
    .s8_row = s8_row,
    .u8_row = u8_row,
    .f32_row_blocks = 64,
    .f32_tail = f32_tail,
    .f32_row_partial = true};
