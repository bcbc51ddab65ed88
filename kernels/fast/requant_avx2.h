/* SPDX-License-Identifier: Apache-2.0 */
/*
 * requant_avx2.h — TFLite's fixed-point requantization on eight int32 lanes,
 * and the narrowing of its results to bytes, shared by the AVX2 kernels.
 * Include it only from files compiled with -mavx2 (the fast AVX2 library):
 * the functions use AVX2 instructions.
 */
#ifndef SPRY_KERNELS_FAST_REQUANT_AVX2_H
#define SPRY_KERNELS_FAST_REQUANT_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#include "gemm.h"

/* The shift constants of 8 lanes (gemm.h's SpryQgemmShifts). */
typedef struct RequantShifts {
  __m256i left, right, mask, half;
} RequantShifts;

static inline __m256i requant_load8(const int32_t *p) {
  return _mm256_loadu_si256((const __m256i *)p);
}

/* From shifts within [-31, 31], for callers without prepared tables. */
static inline RequantShifts requant_shifts_derive(__m256i shift) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  const __m256i right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  return (RequantShifts){_mm256_max_epi32(shift, zero), right, mask, _mm256_srli_epi32(mask, 1)};
}

/* Columns [j, j + 8) of an output's shifts: prepared, or derived. */
static inline RequantShifts requant_shifts_at(const SpryQgemmOutput *o, int32_t j) {
  const SpryQgemmShifts *s = &o->shifts;
  if (!s->left) return requant_shifts_derive(requant_load8(o->shift + j));
  return (RequantShifts){requant_load8(s->left + j), requant_load8(s->right + j),
                         requant_load8(s->mask + j), requant_load8(s->half + j)};
}

/* TFLite's MultiplyByQuantizedMultiplier on 8 lanes. The doubling high
 * multiply's rounding (add 2^30 or 1 - 2^30 by sign, divide by 2^31
 * truncating) equals floor((p + 2^30) / 2^31) for every product p, so one
 * 64-bit add and shift per product reproduce it (for the odd lanes a shift
 * left by 1 puts those bits in the lane's upper half); the multiplier is
 * never negative, so the saturating case cannot occur. The rounding divide
 * by 2^right rounds ties away from zero: up when the dropped bits exceed
 * half, or half + 1 for negative values. */
static inline __m256i multiply_by_quantized_multiplier_odd(__m256i x, __m256i multiplier,
                                                           __m256i multiplier_odd,
                                                           const RequantShifts *s) {
  x = _mm256_sllv_epi32(x, s->left);
  const __m256i round = _mm256_set1_epi64x(INT64_C(1) << 30);
  __m256i even = _mm256_mul_epi32(x, multiplier);
  __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), multiplier_odd);
  even = _mm256_srli_epi64(_mm256_add_epi64(even, round), 31);
  odd = _mm256_slli_epi64(_mm256_add_epi64(odd, round), 1);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i remainder = _mm256_and_si256(high, s->mask);
  const __m256i threshold = _mm256_add_epi32(s->half, _mm256_srli_epi32(high, 31));
  /* The comparison's all-ones lanes are -1: subtracting them rounds up. */
  return _mm256_sub_epi32(_mm256_srav_epi32(high, s->right),
                          _mm256_cmpgt_epi32(remainder, threshold));
}

/* multiplier_odd: the odd lanes' multipliers moved to the even lanes
 * (_mm256_srli_epi64(multiplier, 32)), where VPMULDQ reads them. */
static inline __m256i multiply_by_quantized_multiplier_shifts(__m256i x, __m256i multiplier,
                                                              const RequantShifts *s) {
  return multiply_by_quantized_multiplier_odd(x, multiplier, _mm256_srli_epi64(multiplier, 32), s);
}

static inline __m256i multiply_by_quantized_multiplier(__m256i x, __m256i multiplier,
                                                       __m256i shift) {
  const RequantShifts s = requant_shifts_derive(shift);
  return multiply_by_quantized_multiplier_shifts(x, multiplier, &s);
}

/* A value of [-128, 255] as the byte _mm_set1_epi8 takes. */
static inline char requant_byte(int32_t v) { return (char)(v > 127 ? v - 256 : v); }

/* 16 results, offset added but not clamped (lanes 0..7 in lo, 8..15 in
 * hi), as clamped bytes. The packs saturate to int16, then to the output
 * type: a value outside the type stays outside the clamp range, on its
 * side, so clamping the bytes is clamping the int32 values — 16 lanes a
 * MIN/MAX instead of 8. */
static inline __m128i requant_narrow16(__m256i lo, __m256i hi, const SpryQgemmOutput *o) {
  const __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xD8);
  const __m128i w0 = _mm256_castsi256_si128(words), w1 = _mm256_extracti128_si256(words, 1);
  const __m128i min = _mm_set1_epi8(requant_byte(o->act_min));
  const __m128i max = _mm_set1_epi8(requant_byte(o->act_max));
  if (o->is_u8) return _mm_min_epu8(_mm_max_epu8(_mm_packus_epi16(w0, w1), min), max);
  return _mm_min_epi8(_mm_max_epi8(_mm_packs_epi16(w0, w1), min), max);
}

#endif /* SPRY_KERNELS_FAST_REQUANT_AVX2_H */
