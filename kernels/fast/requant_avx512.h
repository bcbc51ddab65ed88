/* SPDX-License-Identifier: Apache-2.0 */
/*
 * requant_avx512.h — TFLite's fixed-point requantization on 16 int32 lanes
 * (one ZMM register), shared by the AVX-512 VNNI kernels. Include it only
 * from files compiled with the avx512vnni library's flags (AVX-512 F/BW/VL/DQ
 * instructions).
 */
#ifndef SPRY_KERNELS_FAST_REQUANT_AVX512_H
#define SPRY_KERNELS_FAST_REQUANT_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "gemm.h"

/* Lanes [0, count) of 16, count in 0..16. */
static inline __mmask16 requant_first_lanes(int32_t count) {
  return (__mmask16)((UINT32_C(1) << count) - 1);
}

/* The constants of up to 16 columns, loaded once for every row they serve
 * (lanes outside `lanes` are zero, and their results must not be stored). */
typedef struct RequantColumns16 {
  __m512i bias, multiplier, multiplier_odd, left, right, mask, half;
} RequantColumns16;

static inline RequantColumns16 requant_columns16(const SpryQgemmOutput *o, int32_t column,
                                                 __mmask16 lanes) {
  const __m512i multiplier = _mm512_maskz_loadu_epi32(lanes, o->multiplier + column);
  RequantColumns16 k = {.bias = _mm512_maskz_loadu_epi32(lanes, o->bias + column),
                        .multiplier = multiplier,
                        .multiplier_odd = _mm512_srli_epi64(multiplier, 32)};
  const SpryQgemmShifts *s = &o->shifts;
  if (s->left) {
    k.left = _mm512_maskz_loadu_epi32(lanes, s->left + column);
    k.right = _mm512_maskz_loadu_epi32(lanes, s->right + column);
    k.mask = _mm512_maskz_loadu_epi32(lanes, s->mask + column);
    k.half = _mm512_maskz_loadu_epi32(lanes, s->half + column);
    return k;
  }
  /* No prepared tables: derived from shifts within [-31, 31]. */
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  const __m512i shift = _mm512_maskz_loadu_epi32(lanes, o->shift + column);
  k.left = _mm512_max_epi32(shift, zero);
  k.right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
  k.mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, k.right), one);
  k.half = _mm512_srli_epi32(k.mask, 1);
  return k;
}

/* TFLite's MultiplyByQuantizedMultiplier on 16 lanes, as requant_avx2.h
 * does it on 8: the doubling high multiply's rounding equals
 * floor((p + 2^30) / 2^31) for every 64-bit product p (the odd lanes'
 * shift left by 1 puts those bits in the lane's upper half), and the
 * multiplier is never negative, so nothing saturates. The rounding divide
 * by 2^right rounds ties away from zero: up when the dropped bits exceed
 * half, or half + 1 for negative values. */
static inline __m512i requant_multiply16(__m512i x, const RequantColumns16 *k) {
  x = _mm512_sllv_epi32(x, k->left);
  const __m512i round = _mm512_set1_epi64(INT64_C(1) << 30);
  __m512i even = _mm512_mul_epi32(x, k->multiplier);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), k->multiplier_odd);
  even = _mm512_srli_epi64(_mm512_add_epi64(even, round), 31);
  odd = _mm512_slli_epi64(_mm512_add_epi64(odd, round), 1);
  const __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  const __m512i remainder = _mm512_and_si512(high, k->mask);
  const __m512i threshold = _mm512_add_epi32(k->half, _mm512_srli_epi32(high, 31));
  const __m512i shifted = _mm512_srav_epi32(high, k->right);
  const __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  return _mm512_mask_add_epi32(shifted, up, shifted, _mm512_set1_epi32(1));
}

/* 16 int32 sums as the output's bytes: bias, multiplier and offset applied
 * (the offset added wrapping, as the reference adds), clamped in int32 and
 * truncated to bytes, which is the reference's clamp and store. */
static inline __m128i requant_bytes16(__m512i sums, const RequantColumns16 *k,
                                      const SpryQgemmOutput *o) {
  const __m512i x = _mm512_add_epi32(sums, k->bias);
  const __m512i v = _mm512_add_epi32(requant_multiply16(x, k), _mm512_set1_epi32(o->output_offset));
  const __m512i clamped = _mm512_min_epi32(_mm512_max_epi32(v, _mm512_set1_epi32(o->act_min)),
                                           _mm512_set1_epi32(o->act_max));
  return _mm512_cvtepi32_epi8(clamped);
}

#endif /* SPRY_KERNELS_FAST_REQUANT_AVX512_H */
