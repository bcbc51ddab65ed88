/* SPDX-License-Identifier: Apache-2.0 */
/*
 * requant_avx2.h — TFLite's fixed-point requantization on eight int32 lanes,
 * shared by the AVX2 kernels. Include it only from files compiled with
 * -mavx2 (the fast AVX2 library): the functions use AVX2 instructions.
 */
#ifndef SPRY_KERNELS_FAST_REQUANT_AVX2_H
#define SPRY_KERNELS_FAST_REQUANT_AVX2_H

#include <immintrin.h>
#include <stdint.h>

/* TFLite's MultiplyByQuantizedMultiplier on 8 lanes. The doubling high
 * multiply's rounding (add 2^30 or 1 - 2^30 by sign, divide by 2^31
 * truncating) equals floor((p + 2^30) / 2^31) for every product p, so one
 * 64-bit add and shift per product reproduce it; the multiplier is never
 * negative, so the saturating case cannot occur. Shifts must lie within
 * [-31, 31]. */
static inline __m256i multiply_by_quantized_multiplier(__m256i x, __m256i multiplier,
                                                       __m256i shift) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  const __m256i left = _mm256_max_epi32(shift, zero);
  const __m256i right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
  x = _mm256_sllv_epi32(x, left);
  const __m256i round = _mm256_set1_epi64x(INT64_C(1) << 30);
  __m256i even = _mm256_mul_epi32(x, multiplier);
  __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(multiplier, 32));
  even = _mm256_srli_epi64(_mm256_add_epi64(even, round), 31);
  odd = _mm256_slli_epi64(_mm256_srli_epi64(_mm256_add_epi64(odd, round), 31), 32);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  /* Rounding divide by 2^right, ties away from zero. */
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i remainder = _mm256_and_si256(high, mask);
  const __m256i threshold = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_srli_epi32(high, 31));
  const __m256i round_up = _mm256_srli_epi32(_mm256_cmpgt_epi32(remainder, threshold), 31);
  return _mm256_add_epi32(_mm256_srav_epi32(high, right), round_up);
}

#endif /* SPRY_KERNELS_FAST_REQUANT_AVX2_H */
