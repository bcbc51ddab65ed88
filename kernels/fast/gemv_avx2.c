/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemv_avx2.c — the matrix x vector products with AVX2 and FMA (see
 * gemv.h). Float: four rows at a time share each load of the vector, eight
 * lanes per row. int8: sixteen values widened to int16, multiplied and
 * pair-summed into int32 lanes by vpmaddwd (at most 2 * 128 * 128, exact),
 * the lanes adding with wraparound like TFLite's int32 sums.
 */
#include <immintrin.h>
#include <stddef.h>

#include "gemv.h"

static float hsum_f32(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* out[0..3] += rows w, w + cols, ... (four of them) . v */
static void dot4_f32(const float *w, int32_t cols, const float *v, float *out) {
  const float *w1 = w + cols, *w2 = w1 + cols, *w3 = w2 + cols;
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int32_t c = 0;
  for (; c + 8 <= cols; c += 8) {
    const __m256 x = _mm256_loadu_ps(v + c);
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + c), x, a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + c), x, a1);
    a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + c), x, a2);
    a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + c), x, a3);
  }
  float s[4] = {hsum_f32(a0), hsum_f32(a1), hsum_f32(a2), hsum_f32(a3)};
  for (; c < cols; c++) {
    s[0] += w[c] * v[c];
    s[1] += w1[c] * v[c];
    s[2] += w2[c] * v[c];
    s[3] += w3[c] * v[c];
  }
  for (int i = 0; i < 4; i++) out[i] += s[i];
}

static float dot_f32(const float *w, const float *v, int32_t cols) {
  __m256 acc = _mm256_setzero_ps();
  int32_t c = 0;
  for (; c + 8 <= cols; c += 8)
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + c), _mm256_loadu_ps(v + c), acc);
  float sum = hsum_f32(acc);
  for (; c < cols; c++) sum += w[c] * v[c];
  return sum;
}

static void gemv_acc_f32(const float *matrix, int32_t rows, int32_t cols, const float *vectors,
                         int32_t n_batch, float *result) {
  for (int32_t b = 0; b < n_batch; b++) {
    const float *v = vectors + (size_t)b * (size_t)cols;
    float *out = result + (size_t)b * (size_t)rows;
    int32_t r = 0;
    for (; r + 4 <= rows; r += 4) dot4_f32(matrix + (size_t)r * (size_t)cols, cols, v, out + r);
    for (; r < rows; r++) out[r] += dot_f32(matrix + (size_t)r * (size_t)cols, v, cols);
  }
}

static int32_t dot_s8(const int8_t *a, const int8_t *b, int32_t n) {
  __m256i acc = _mm256_setzero_si256();
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i x = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(a + i)));
    const __m256i y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  uint32_t sum = (uint32_t)_mm_cvtsi128_si32(s);
  for (; i < n; i++) sum += (uint32_t)((int32_t)a[i] * b[i]);
  return (int32_t)sum; /* two's complement wrap, as the reference's */
}

const SpryMatvecOps spry_gemv_avx2 = {.gemv_acc_f32 = gemv_acc_f32, .dot_s8 = dot_s8};
