/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling_portable.c — the window kernels in plain C: the fast path on CPUs
 * without a SIMD variant, the channels past a SIMD variant's whole blocks,
 * and the shape the SIMD variants follow (a block of channels accumulated
 * over the window's pixels, then finished together).
 */
#include <float.h>

#include "pooling_entries.h"
#include "quantization.h"
#include "reference/elementwise.h"

#define BLOCK 16

/* The value at channel j of the pixel at `at`, widened. */
SPRY_POOL_INLINE int32_t load_q8(const uint8_t *at, int32_t j, bool u8) {
  return u8 ? (int32_t)at[j] : (int32_t)((const int8_t *)at)[j];
}

/* The reference's rounded average (half away from zero, which for uint8's
 * non-negative sums is half up), written as the SIMD variants compute it. */
static inline int32_t rounded_average(int32_t sum, int32_t count) {
  const int32_t q = ((sum < 0 ? -sum : sum) + count / 2) / count;
  return sum < 0 ? -q : q;
}

static inline int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

SPRY_POOL_INLINE void f32_window(const SpryPoolWindow *w, const SpryPoolParams *p, float *out,
                                 SpryPoolOp op) {
  const float count = (float)((int64_t)w->rows * w->cols);
  for (int32_t c = 0; c < w->channels; c += BLOCK) {
    const int32_t n = min_i32(BLOCK, w->channels - c);
    float acc[BLOCK];
    for (int32_t j = 0; j < n; j++) acc[j] = op == SPRY_POOL_MAX ? -FLT_MAX : 0.0f;
    for (int32_t y = 0; y < w->rows; y++) {
      const uint8_t *row = w->origin + (size_t)y * w->row_stride;
      for (int32_t x = 0; x < w->cols; x++) {
        const float *v = (const float *)(const void *)(row + (size_t)x * w->pixel_stride) + c;
        for (int32_t j = 0; j < n; j++)
          acc[j] = op == SPRY_POOL_MAX ? (acc[j] < v[j] ? v[j] : acc[j]) : acc[j] + v[j];
      }
    }
    for (int32_t j = 0; j < n; j++) {
      const float v = op == SPRY_POOL_AVG ? acc[j] / count : acc[j];
      out[c + j] = op == SPRY_POOL_SUM ? v : spry_clamp_f32_nan(v, p->f_min, p->f_max);
    }
  }
}

SPRY_POOL_INLINE void q8_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                SpryPoolOp op, bool u8) {
  /* Averages cover at most SPRY_POOL_MAX_AVG_PIXELS pixels. */
  const int32_t count = op == SPRY_POOL_AVG ? w->rows * w->cols : 0, lowest = u8 ? 0 : INT8_MIN;
  for (int32_t c = 0; c < w->channels; c += BLOCK) {
    const int32_t n = min_i32(BLOCK, w->channels - c);
    int32_t acc[BLOCK];
    for (int32_t j = 0; j < n; j++) acc[j] = op == SPRY_POOL_MAX ? lowest : 0;
    for (int32_t y = 0; y < w->rows; y++) {
      const uint8_t *row = w->origin + (size_t)y * w->row_stride + (size_t)c;
      for (int32_t x = 0; x < w->cols; x++) {
        const uint8_t *at = row + (size_t)x * w->pixel_stride;
        for (int32_t j = 0; j < n; j++) {
          const int32_t v = load_q8(at, j, u8);
          acc[j] = op == SPRY_POOL_MAX ? (v > acc[j] ? v : acc[j]) : acc[j] + v;
        }
      }
    }
    for (int32_t j = 0; j < n; j++) {
      if (op == SPRY_POOL_SUM) {
        ((int32_t *)out)[c + j] = acc[j];
        continue;
      }
      const int32_t v = op == SPRY_POOL_AVG ? rounded_average(acc[j], count) : acc[j];
      const int32_t clamped = spry_clamp_i32(v, p->q_min, p->q_max);
      if (u8)
        ((uint8_t *)out)[c + j] = (uint8_t)clamped;
      else
        ((int8_t *)out)[c + j] = (int8_t)clamped;
    }
  }
}

SPRY_POOL_INLINE void q8_sum_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                    SpryPoolOp op, bool u8) {
  q8_window(w, p, out, op, u8);
}

SPRY_POOL_INLINE void q8_max_window(const SpryPoolWindow *w, const SpryPoolParams *p, void *out,
                                    bool u8) {
  q8_window(w, p, out, SPRY_POOL_MAX, u8);
}

SPRY_POOL_ENTRIES(portable, 1, 1);
