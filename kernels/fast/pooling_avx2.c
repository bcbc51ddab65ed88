/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling_avx2.c — AVX2 window kernels (compiled with -mavx2 -mfma, run
 * only when the CPU has both). Channels come in multiples of 8: 32 at a
 * time while they last (four independent accumulators hide the add
 * latency), then 8.
 *
 * Float: one add or compare per pixel and 8 channels. VMAXPS(v, acc)
 * returns acc unless v > acc, NaN included: the reference's "keep unless
 * greater". The clamp VMINPS(hi, VMAXPS(lo, x)) passes NaN as the
 * reference's does (both return their second operand when one is NaN).
 *
 * 8-bit averages and sums: 8 channels widened to int32 per pixel; the
 * rounded division is done in float as pooling.h explains. 8-bit maxima:
 * byte-wise VPMAXUB / VPMAXSB on 32 channels (8 through a broadcast load).
 */
#include <float.h>
#include <immintrin.h>

#include "pooling_entries.h"

static inline const uint8_t *pixel_at(const SpryPoolWindow *w, int32_t y, int32_t x) {
  return w->origin + (size_t)y * w->row_stride + (size_t)x * w->pixel_stride;
}

/* ---- float ------------------------------------------------------------------ */

/* Channels [c, c + 8 * vectors) of a float window (vectors is 1 or 4). */
SPRY_POOL_INLINE void f32_chunk(const SpryPoolWindow *w, const SpryPoolParams *p, int32_t c,
                                int vectors, SpryPoolOp op, float *out) {
  __m256 acc[4];
  for (int k = 0; k < vectors; k++) acc[k] = _mm256_set1_ps(op == SPRY_POOL_MAX ? -FLT_MAX : 0.0f);
  for (int32_t y = 0; y < w->rows; y++)
    for (int32_t x = 0; x < w->cols; x++) {
      const float *v = (const float *)(const void *)pixel_at(w, y, x) + c;
      for (int k = 0; k < vectors; k++) {
        const __m256 in = _mm256_loadu_ps(v + 8 * k);
        acc[k] = op == SPRY_POOL_MAX ? _mm256_max_ps(in, acc[k]) : _mm256_add_ps(acc[k], in);
      }
    }
  const __m256 count = _mm256_set1_ps((float)((int64_t)w->rows * w->cols));
  for (int k = 0; k < vectors; k++) {
    __m256 r = op == SPRY_POOL_AVG ? _mm256_div_ps(acc[k], count) : acc[k];
    if (op != SPRY_POOL_SUM)
      r = _mm256_min_ps(_mm256_set1_ps(p->f_max), _mm256_max_ps(_mm256_set1_ps(p->f_min), r));
    _mm256_storeu_ps(out + c + 8 * k, r);
  }
}

SPRY_POOL_INLINE void f32_window(const SpryPoolWindow *w, const SpryPoolParams *p, float *out,
                                 SpryPoolOp op) {
  int32_t c = 0;
  for (; c + 32 <= w->channels; c += 32) f32_chunk(w, p, c, 4, op, out);
  for (; c < w->channels; c += 8) f32_chunk(w, p, c, 1, op, out);
}

/* ---- 8-bit sums and averages ------------------------------------------------ */

/* 8 values widened to int32. */
SPRY_POOL_INLINE __m256i load_widened(const uint8_t *at, bool u8) {
  const __m128i bytes = _mm_loadl_epi64((const __m128i *)(const void *)at);
  return u8 ? _mm256_cvtepu8_epi32(bytes) : _mm256_cvtepi8_epi32(bytes);
}

/* sign(sum) * ((|sum| + count / 2) / count): exact in float (pooling.h). */
static inline __m256i rounded_average(__m256i sum, __m256 count, __m256i half) {
  const __m256i n = _mm256_add_epi32(_mm256_abs_epi32(sum), half);
  const __m256i q = _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(n), count));
  return _mm256_sign_epi32(q, sum);
}

/* 8 values inside the type's range stored as bytes (the packs saturate
 * nothing). */
SPRY_POOL_INLINE void store_bytes8(__m256i v, bool u8, uint8_t *out) {
  const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i bytes = u8 ? _mm_packus_epi16(w16, w16) : _mm_packs_epi16(w16, w16);
  _mm_storel_epi64((__m128i *)(void *)out, bytes);
}

/* Channels [c, c + 8 * vectors) of an 8-bit window: sums into int32 `out`,
 * or averages into bytes. */
SPRY_POOL_INLINE void q8_sum_chunk(const SpryPoolWindow *w, const SpryPoolParams *p, int32_t c,
                                   int vectors, SpryPoolOp op, bool u8, void *out) {
  __m256i acc[4];
  for (int k = 0; k < vectors; k++) acc[k] = _mm256_setzero_si256();
  for (int32_t y = 0; y < w->rows; y++)
    for (int32_t x = 0; x < w->cols; x++) {
      const uint8_t *v = pixel_at(w, y, x) + c;
      for (int k = 0; k < vectors; k++)
        acc[k] = _mm256_add_epi32(acc[k], load_widened(v + 8 * k, u8));
    }
  if (op == SPRY_POOL_SUM) {
    for (int k = 0; k < vectors; k++)
      _mm256_storeu_si256((__m256i *)(void *)((int32_t *)out + c + 8 * k), acc[k]);
    return;
  }
  /* Averages cover at most SPRY_POOL_MAX_AVG_PIXELS pixels. */
  const int32_t count = w->rows * w->cols;
  const __m256 count_f = _mm256_set1_ps((float)count);
  const __m256i half = _mm256_set1_epi32(count / 2);
  const __m256i lo = _mm256_set1_epi32(p->q_min), hi = _mm256_set1_epi32(p->q_max);
  for (int k = 0; k < vectors; k++) {
    const __m256i avg = rounded_average(acc[k], count_f, half);
    store_bytes8(_mm256_min_epi32(hi, _mm256_max_epi32(lo, avg)), u8,
                 (uint8_t *)out + c + 8 * k);
  }
}

SPRY_POOL_INLINE void q8_sum_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                    SpryPoolOp op, bool u8) {
  int32_t c = 0;
  for (; c + 32 <= w->channels; c += 32) q8_sum_chunk(w, p, c, 4, op, u8, out);
  for (; c < w->channels; c += 8) q8_sum_chunk(w, p, c, 1, op, u8, out);
}

/* ---- 8-bit maxima ----------------------------------------------------------- */

SPRY_POOL_INLINE __m256i max_bytes(__m256i a, __m256i b, bool u8) {
  return u8 ? _mm256_max_epu8(a, b) : _mm256_max_epi8(a, b);
}

SPRY_POOL_INLINE __m256i min_bytes(__m256i a, __m256i b, bool u8) {
  return u8 ? _mm256_min_epu8(a, b) : _mm256_min_epi8(a, b);
}

/* 32 channels, or 8 (broadcast to every quarter; the low one is stored). */
SPRY_POOL_INLINE __m256i load_bytes(const uint8_t *at, bool wide) {
  return wide ? _mm256_loadu_si256((const __m256i *)(const void *)at)
              : _mm256_broadcastq_epi64(_mm_loadl_epi64((const __m128i *)(const void *)at));
}

SPRY_POOL_INLINE void q8_max_chunk(const SpryPoolWindow *w, const SpryPoolParams *p, int32_t c,
                                   bool wide, bool u8, uint8_t *out) {
  __m256i acc = _mm256_set1_epi8(u8 ? 0 : INT8_MIN);
  for (int32_t y = 0; y < w->rows; y++)
    for (int32_t x = 0; x < w->cols; x++)
      acc = max_bytes(acc, load_bytes(pixel_at(w, y, x) + c, wide), u8);
  acc = max_bytes(acc, _mm256_set1_epi8((char)p->q_min), u8);
  acc = min_bytes(acc, _mm256_set1_epi8((char)p->q_max), u8);
  if (wide)
    _mm256_storeu_si256((__m256i *)(void *)(out + c), acc);
  else
    _mm_storel_epi64((__m128i *)(void *)(out + c), _mm256_castsi256_si128(acc));
}

SPRY_POOL_INLINE void q8_max_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                    bool u8) {
  int32_t c = 0;
  for (; c + 32 <= w->channels; c += 32) q8_max_chunk(w, p, c, true, u8, out);
  for (; c < w->channels; c += 8) q8_max_chunk(w, p, c, false, u8, out);
}

SPRY_POOL_ENTRIES(avx2, 8, 8);
