/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise_avx512vnni.c — AVX-512 depthwise pixel kernels for x86-64 CPUs
 * with VNNI (compiled with the avx512vnni library's flags, run only where
 * the CPU and the OS support them). A block of 16 channels is one ZMM
 * register of 16 int32 (or float) lanes, channel c in lane c.
 *
 * Quantized: VPDPWSSD adds the products of each lane's two int16 halves
 * with the packed weight pair of that channel (depthwise.h's layout for one
 * tap pair of one block is exactly one ZMM register), wrapping as the
 * reference's int32 sums do. The pair of activations is built without
 * VPMOVSXBW's 32-lane widen of interleaved bytes, which costs four shuffles
 * on the one shuffle port: each tap's 16 bytes are widened straight to
 * int32 lanes (one shuffle each), the second tap's moved to the upper
 * halves by a shift and merged by a word blend, which run on the other
 * port. Two blocks go through the taps together, sharing the tap pointers'
 * loads, with two independent sums. The requantization is
 * requant_avx512.h's.
 *
 * Float: one FMA per tap and 16 channels; even and odd taps go to separate
 * sums, added at the end, so every channel's sum is the AVX2 kernel's, in
 * the same order, bit for bit.
 */
#include <immintrin.h>

#include "depthwise.h"
#include "requant_avx512.h"

/* The odd 16-bit halves of the 32 in a ZMM register. */
#define UPPER_HALVES 0xAAAAAAAAu

/* 16 bytes of int8 or uint8 as 16 int32 lanes. */
SPRY_DW_INLINE __m512i widen(const uint8_t *bytes, bool u8) {
  const __m128i v = _mm_loadu_si128((const __m128i *)bytes);
  return u8 ? _mm512_cvtepu8_epi32(v) : _mm512_cvtepi8_epi32(v);
}

/* Channel c of x0 and x1 as lane c's low and high int16: the operand that
 * meets the packed weight pairs. */
SPRY_DW_INLINE __m512i tap_pair(const uint8_t *x0, const uint8_t *x1, bool u8) {
  const __m512i high = _mm512_slli_epi32(widen(x1, u8), 16);
  return _mm512_mask_blend_epi16(UPPER_HALVES, widen(x0, u8), high);
}

static inline __m512i load_pair_weights(const int16_t *w) { return _mm512_loadu_si512(w); }

/* Block sums: the int32 accumulators of two blocks. */
typedef struct BlockSums {
  __m512i a, b;
} BlockSums;

/* Sums of the blocks at byte offsets at and at + 16 of every tap, whose
 * weights start at wa and wb. */
SPRY_DW_INLINE BlockSums two_block_sums(const void *const *taps, size_t at, int32_t pairs,
                                        const int16_t *wa, const int16_t *wb, bool u8) {
  BlockSums s = {_mm512_setzero_si512(), _mm512_setzero_si512()};
  for (int32_t p = 0; p < pairs; p++, wa += 2 * SPRY_DW_BLOCK, wb += 2 * SPRY_DW_BLOCK) {
    const uint8_t *x0 = (const uint8_t *)taps[2 * p] + at;
    const uint8_t *x1 = (const uint8_t *)taps[2 * p + 1] + at;
    s.a = _mm512_dpwssd_epi32(s.a, tap_pair(x0, x1, u8), load_pair_weights(wa));
    s.b = _mm512_dpwssd_epi32(s.b, tap_pair(x0 + SPRY_DW_BLOCK, x1 + SPRY_DW_BLOCK, u8),
                              load_pair_weights(wb));
  }
  return s;
}

SPRY_DW_INLINE __m512i block_sums(const void *const *taps, size_t at, int32_t pairs,
                                  const int16_t *w, bool u8) {
  __m512i s = _mm512_setzero_si512();
  for (int32_t p = 0; p < pairs; p++, w += 2 * SPRY_DW_BLOCK) {
    const uint8_t *x0 = (const uint8_t *)taps[2 * p] + at;
    const uint8_t *x1 = (const uint8_t *)taps[2 * p + 1] + at;
    s = _mm512_dpwssd_epi32(s, tap_pair(x0, x1, u8), load_pair_weights(w));
  }
  return s;
}

/* Channel block `block`'s sums as output bytes at out. */
SPRY_DW_INLINE void store_block(__m512i sums, const SpryQgemmOutput *o, int32_t block,
                               uint8_t *out) {
  const RequantColumns16 k = requant_columns16(o, block * SPRY_DW_BLOCK, 0xFFFF);
  _mm_storeu_si128((__m128i *)out, requant_bytes16(sums, &k, o));
}

SPRY_DW_INLINE void quantized_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                                   int32_t blocks, void *out, bool u8) {
  const int32_t pairs = d->tap_slots / 2;
  const size_t block_weights = (size_t)pairs * 2 * SPRY_DW_BLOCK;
  const int16_t *w = (const int16_t *)d->weights + (size_t)first * block_weights;
  uint8_t *o = out;
  int32_t b = 0;
  for (; b + 2 <= blocks; b += 2, w += 2 * block_weights) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    const BlockSums s = two_block_sums(taps, at, pairs, w, w + block_weights, u8);
    store_block(s.a, &d->output, first + b, o + at);
    store_block(s.b, &d->output, first + b + 1, o + at + SPRY_DW_BLOCK);
  }
  if (b < blocks) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    store_block(block_sums(taps, at, pairs, w, u8), &d->output, first + b, o + at);
  }
}

SPRY_DW_QUANTIZED_ENTRIES(quantized_pixel)

/* The sum of a block's taps in the AVX2 kernel's order: even and odd taps
 * apart, then added. */
static inline __m512 f32_block_sum(const void *const *taps, size_t at, int32_t n, const float *w) {
  __m512 even = _mm512_setzero_ps(), odd = even;
  int32_t t = 0;
  for (; t + 2 <= n; t += 2, w += 2 * SPRY_DW_BLOCK) {
    even = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)taps[t] + at), _mm512_loadu_ps(w), even);
    odd = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)taps[t + 1] + at),
                          _mm512_loadu_ps(w + SPRY_DW_BLOCK), odd);
  }
  if (t < n)
    even = _mm512_fmadd_ps(_mm512_loadu_ps((const float *)taps[t] + at), _mm512_loadu_ps(w), even);
  return _mm512_add_ps(even, odd);
}

static void f32_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,
                      int32_t blocks, void *out) {
  const size_t block_weights = (size_t)d->taps * SPRY_DW_BLOCK;
  const float *w = (const float *)d->weights + (size_t)first * block_weights;
  const float *bias = d->bias_f + (size_t)first * SPRY_DW_BLOCK;
  const __m512 lo = _mm512_set1_ps(d->params.act_min_f), hi = _mm512_set1_ps(d->params.act_max_f);
  for (int32_t b = 0; b < blocks; b++, w += block_weights, bias += SPRY_DW_BLOCK) {
    const size_t at = (size_t)b * SPRY_DW_BLOCK;
    const __m512 v = _mm512_add_ps(f32_block_sum(taps, at, d->taps, w), _mm512_loadu_ps(bias));
    /* NaN passes as in the reference: MAXPS and MINPS return their second
     * operand when either is NaN. */
    _mm512_storeu_ps((float *)out + at, _mm512_min_ps(hi, _mm512_max_ps(lo, v)));
  }
}

const SpryDwKernels spry_dw_avx512vnni = {.f32 = f32_pixel, .s8 = s8_pixel, .u8 = u8_pixel};
