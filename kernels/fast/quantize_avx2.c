/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize_avx2.c — float32 to 8-bit quantization with AVX2 (compiled with
 * -mavx2 -mfma, run only when the CPU has both): 8 lanes per step, the last
 * partial step through a masked load and a small buffer.
 *
 * VROUNDPS has no ties-away-from-zero mode: the quotient is truncated and
 * moved one further from zero where the dropped fraction (exact: q - trunc(q))
 * is at least 1/2, which is roundf.
 */
#include <immintrin.h>
#include <string.h>

#include "elementwise.h"
#include "lanes_avx2.h"
#include "quantize.h"

/* As in quantize_portable.c: beyond this every 8-bit result saturates alike. */
#define SATURATE 1024.0f

/* 8 quantized values as int32 lanes inside the type's range. */
SPRY_ELT_INLINE __m256i quantize8(__m256 x, __m256 scale, __m256i zero_point, __m256i lo,
                                  __m256i hi) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 q = _mm256_div_ps(x, scale);
  const __m256 t = _mm256_round_ps(q, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 half = _mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_sub_ps(q, t)),
                                    _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  const __m256 away = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(q, sign));
  __m256 r = _mm256_add_ps(t, _mm256_and_ps(half, away));
  r = _mm256_and_ps(r, _mm256_cmp_ps(r, r, _CMP_ORD_Q)); /* NaN -> 0 */
  r = _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps(-SATURATE)), _mm256_set1_ps(SATURATE));
  const __m256i v = _mm256_add_epi32(_mm256_cvttps_epi32(r), zero_point);
  return _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
}

/* 8 lanes, inside the type, as 8 bytes in the low half. */
SPRY_ELT_INLINE __m128i narrow8(__m256i v, bool u8) {
  const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return u8 ? _mm_packus_epi16(words, words) : _mm_packs_epi16(words, words);
}

SPRY_ELT_INLINE void quantize(float scale_f, int32_t zero_point_i, const float *in, uint8_t *out,
                              size_t n, bool u8) {
  const __m256 scale = _mm256_set1_ps(scale_f);
  const __m256i zero_point = _mm256_set1_epi32(zero_point_i);
  const __m256i lo = _mm256_set1_epi32(u8 ? 0 : INT8_MIN);
  const __m256i hi = _mm256_set1_epi32(u8 ? UINT8_MAX : INT8_MAX);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v = quantize8(_mm256_loadu_ps(in + i), scale, zero_point, lo, hi);
    _mm_storel_epi64((__m128i *)(out + i), narrow8(v, u8));
  }
  if (i == n) return;
  const __m256 x = _mm256_maskload_ps(in + i, spry_avx2_first_lanes((int32_t)(n - i)));
  uint8_t buffer[8];
  _mm_storel_epi64((__m128i *)buffer, narrow8(quantize8(x, scale, zero_point, lo, hi), u8));
  memcpy(out + i, buffer, n - i);
}

static void to_s8(float scale, int32_t zero_point, const float *in, uint8_t *out, size_t n) {
  quantize(scale, zero_point, in, out, n, false);
}

static void to_u8(float scale, int32_t zero_point, const float *in, uint8_t *out, size_t n) {
  quantize(scale, zero_point, in, out, n, true);
}

const SpryQuantizeKernels spry_quantize_kernels_avx2 = {.to_s8 = to_s8, .to_u8 = to_u8};
