/* SPDX-License-Identifier: Apache-2.0 */
/* resize_bilinear.c — the fast RESIZE_BILINEAR (see resize_bilinear.h). */
#include "resize_bilinear.h"

#include <stddef.h>

#include "cpu_isa.h"
#include "work_share.h"

typedef struct ResizeJob {
  const SpryResizeParams *p;
  SpryType type;
  bool avx2; /* float rows of 8 channels or more in AVX2's 8 lanes */
  const void *input;
  void *output;
  int32_t shares;
} ResizeJob;

/* The reference's expression, in its order: v00 (1-dy)(1-dx) + v10 dy (1-dx)
 * + v01 (1-dy) dx + v11 dy dx. */
static void blend_float(int32_t n, const float *restrict r0, const float *restrict r1,
                        size_t lo, size_t hi, float dy, float dx, float *restrict out) {
  const float ay = 1 - dy, ax = 1 - dx;
  for (int32_t c = 0; c < n; c++)
    out[c] = r0[lo + (size_t)c] * ay * ax + r1[lo + (size_t)c] * dy * ax +
             r0[hi + (size_t)c] * ay * dx + r1[hi + (size_t)c] * dy * dx;
}

/* AVX2 (x86-64 builds): a row's pixels of 8 channels or more in one loop,
 * the reference's expression on 8 channels a step. The last step of a
 * pixel ends at its last channel, overlapping the step before (which
 * writes the same values), so no pixel has a partial vector: blending 21
 * channels a pixel (DeepLab's output) with an 8-lane loop and its scalar
 * tail, a call per pixel, took 1.6 times as long. No FMA: every lane
 * multiplies and adds in the reference's order, bit for bit
 * (test_fast_resize compares every variant with the reference). */
#if defined(SPRY_HAVE_AVX2) && defined(__GNUC__)
#define SPRY_RESIZE_AVX2 1
#include <immintrin.h>

__attribute__((target("avx2"), always_inline)) static inline __m256
blend8_avx2(const float *r0, const float *r1, size_t lo, size_t hi, __m256 ay, __m256 dy,
            __m256 ax, __m256 dx) {
  __m256 sum = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(r0 + lo), ay), ax);
  sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(r1 + lo), dy), ax));
  sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(r0 + hi), ay), dx));
  return _mm256_add_ps(sum, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(r1 + hi), dy), dx));
}

/* `count` pixels of one output row from its source rows r0 and r1 (vertical
 * weight dy) and the pixels' horizontal taps; channels >= 8. */
__attribute__((target("avx2"))) static void blend_pixels_avx2(int32_t count, size_t channels,
                                                               const float *r0, const float *r1,
                                                               float dy, const SpryResizeTap *tx,
                                                               float *out) {
  const __m256 vdy = _mm256_set1_ps(dy), vay = _mm256_set1_ps(1 - dy);
  const size_t last = channels - 8;
  for (int32_t i = 0; i < count; i++, out += channels) {
    const float dx = spry_resize_tap_fraction(&tx[i]);
    const __m256 vdx = _mm256_set1_ps(dx), vax = _mm256_set1_ps(1 - dx);
    const size_t lo = (size_t)tx[i].lo * channels, hi = (size_t)tx[i].hi * channels;
    for (size_t c = 0; c < last; c += 8)
      _mm256_storeu_ps(out + c, blend8_avx2(r0, r1, lo + c, hi + c, vay, vdy, vax, vdx));
    _mm256_storeu_ps(out + last, blend8_avx2(r0, r1, lo + last, hi + last, vay, vdy, vax, vdx));
  }
}
#endif

/* uint8: the same in float plus 0.5, then truncated (clamping only guards
 * the conversion). */
static void blend_u8(int32_t n, const uint8_t *restrict r0, const uint8_t *restrict r1, size_t lo,
                     size_t hi, float dy, float dx, uint8_t *restrict out) {
  const float ay = 1 - dy, ax = 1 - dx;
  for (int32_t c = 0; c < n; c++) {
    const float r = (float)r0[lo + (size_t)c] * ay * ax + (float)r1[lo + (size_t)c] * dy * ax +
                    (float)r0[hi + (size_t)c] * ay * dx + (float)r1[hi + (size_t)c] * dy * dx +
                    0.5f;
    out[c] = (uint8_t)(r < 0.0f ? 0.0f : (r > 255.0f ? 255.0f : r));
  }
}

/* int8 and int16: the reference's 1/1024 fixed point, with the four weight
 * products formed once per pixel. */
typedef struct IntWeights {
  int64_t w00, w10, w01, w11;
} IntWeights;

static IntWeights int_weights(const SpryResizeIntTap *ty, const SpryResizeIntTap *tx) {
  const int64_t wy1 = ty->pos - (int64_t)1024 * ty->lo, wy0 = 1024 - wy1;
  const int64_t wx1 = tx->pos - (int64_t)1024 * tx->lo, wx0 = 1024 - wx1;
  return (IntWeights){wy0 * wx0, wy1 * wx0, wy0 * wx1, wy1 * wx1};
}

/* Rounds half away from zero at 2^20, as the reference does. */
static int32_t int_round(int64_t sum) {
  return (int32_t)((sum + (sum > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
}

/* int8 in int32: weights lie within [-512, 1536] (the taps clamp their
 * positions), so |sum| <= 128 * 2048^2 = 2^29. */
static void blend_s8(int32_t n, const int8_t *restrict r0, const int8_t *restrict r1, size_t lo,
                     size_t hi, const IntWeights *w, int8_t *restrict out) {
  const int32_t w00 = (int32_t)w->w00, w10 = (int32_t)w->w10, w01 = (int32_t)w->w01,
                w11 = (int32_t)w->w11;
  for (int32_t c = 0; c < n; c++) {
    const size_t l = lo + (size_t)c, h = hi + (size_t)c;
    const int32_t sum = r0[l] * w00 + r1[l] * w10 + r0[h] * w01 + r1[h] * w11;
    out[c] = (int8_t)int_round(sum);
  }
}

static void blend_s16(int32_t n, const int16_t *restrict r0, const int16_t *restrict r1, size_t lo,
                      size_t hi, const IntWeights *w, int16_t *restrict out) {
  for (int32_t c = 0; c < n; c++) {
    const size_t l = lo + (size_t)c, h = hi + (size_t)c;
    out[c] = (int16_t)int_round(r0[l] * w->w00 + r1[l] * w->w10 + r0[h] * w->w01 +
                                r1[h] * w->w11);
  }
}

/* The rows of one output row: the source rows' bytes and the vertical tap. */
typedef struct RowTaps {
  const uint8_t *r0, *r1;
  SpryResizeTap ty;
  SpryResizeIntTap ity;
} RowTaps;

/* Output columns taken together: their horizontal taps are worked out
 * once for every row of a share rather than once per pixel (each takes a
 * floor and a ceiling, which cost more than blending a few channels). */
#define COLUMN_CHUNK 64

typedef struct ColumnTaps {
  SpryResizeTap tx[COLUMN_CHUNK];
  SpryResizeIntTap itx[COLUMN_CHUNK];
} ColumnTaps;

static bool integer_weights(SpryType type) {
  return type == SPRY_TYPE_INT8 || type == SPRY_TYPE_INT16;
}

/* The taps of columns [x0, x0 + count). */
static void column_taps(const ResizeJob *job, int32_t x0, int32_t count, ColumnTaps *c) {
  const SpryResizeParams *p = job->p;
  if (integer_weights(job->type)) {
    const int64_t isx = spry_resize_int_scale(p->in_w, p->out_w, p->align_corners);
    for (int32_t i = 0; i < count; i++)
      c->itx[i] = spry_resize_int_tap(x0 + i, isx, p->half_pixel_centers, p->in_w);
    return;
  }
  const float sx = spry_resize_scale(p->in_w, p->out_w, p->align_corners);
  for (int32_t i = 0; i < count; i++)
    c->tx[i] = spry_resize_tap(x0 + i, sx, p->half_pixel_centers, p->in_w);
}

/* Output row `row` (counted as batch * out_h + y): its source rows. */
static RowTaps row_taps(const ResizeJob *job, int32_t row) {
  const SpryResizeParams *p = job->p;
  const int32_t b = row / p->out_h, y = row % p->out_h;
  RowTaps rows = {0};
  int32_t lo, hi;
  if (integer_weights(job->type)) {
    const int64_t isy = spry_resize_int_scale(p->in_h, p->out_h, p->align_corners);
    rows.ity = spry_resize_int_tap(y, isy, p->half_pixel_centers, p->in_h);
    lo = rows.ity.lo;
    hi = rows.ity.hi;
  } else {
    const float sy = spry_resize_scale(p->in_h, p->out_h, p->align_corners);
    rows.ty = spry_resize_tap(y, sy, p->half_pixel_centers, p->in_h);
    lo = rows.ty.lo;
    hi = rows.ty.hi;
  }
  const size_t in_row = (size_t)p->in_w * (size_t)p->channels * spry_type_size(job->type);
  const size_t image = (size_t)b * (size_t)p->in_h;
  rows.r0 = (const uint8_t *)job->input + (image + (size_t)lo) * in_row;
  rows.r1 = (const uint8_t *)job->input + (image + (size_t)hi) * in_row;
  return rows;
}

/* One output pixel's channels from its two source rows and its column's tap. */
static void blend_pixel(const ResizeJob *job, const RowTaps *rows, const ColumnTaps *cols,
                        int32_t i, uint8_t *o) {
  const SpryResizeParams *p = job->p;
  const size_t channels = (size_t)p->channels;
  if (integer_weights(job->type)) {
    const SpryResizeIntTap *tx = &cols->itx[i];
    const IntWeights w = int_weights(&rows->ity, tx);
    const size_t lo = (size_t)tx->lo * channels, hi = (size_t)tx->hi * channels;
    if (job->type == SPRY_TYPE_INT8)
      blend_s8(p->channels, (const int8_t *)rows->r0, (const int8_t *)rows->r1, lo, hi, &w,
               (int8_t *)o);
    else
      blend_s16(p->channels, (const int16_t *)rows->r0, (const int16_t *)rows->r1, lo, hi, &w,
                (int16_t *)o);
    return;
  }
  const SpryResizeTap *tx = &cols->tx[i];
  const float dy = spry_resize_tap_fraction(&rows->ty), dx = spry_resize_tap_fraction(tx);
  const size_t lo = (size_t)tx->lo * channels, hi = (size_t)tx->hi * channels;
  if (job->type == SPRY_TYPE_UINT8)
    blend_u8(p->channels, rows->r0, rows->r1, lo, hi, dy, dx, o);
  else
    blend_float(p->channels, (const float *)rows->r0, (const float *)rows->r1, lo, hi, dy, dx,
                (float *)o);
}

/* Output rows [begin, end) of all batches, counted as batch * out_h + y,
 * a chunk of columns at a time. */
static void resize_rows(const ResizeJob *job, int32_t begin, int32_t end) {
  const SpryResizeParams *p = job->p;
  const size_t pixel = (size_t)p->channels * spry_type_size(job->type);
  const size_t out_row = (size_t)p->out_w * pixel;
  ColumnTaps cols;
  for (int32_t x0 = 0; x0 < p->out_w; x0 += COLUMN_CHUNK) {
    const int32_t count = p->out_w - x0 < COLUMN_CHUNK ? p->out_w - x0 : COLUMN_CHUNK;
    column_taps(job, x0, count, &cols);
    for (int32_t row = begin; row < end; row++) {
      const RowTaps rows = row_taps(job, row);
      uint8_t *out = (uint8_t *)job->output + (size_t)row * out_row + (size_t)x0 * pixel;
#if defined(SPRY_RESIZE_AVX2)
      if (job->avx2) {
        blend_pixels_avx2(count, (size_t)p->channels, (const float *)rows.r0,
                          (const float *)rows.r1, spry_resize_tap_fraction(&rows.ty), cols.tx,
                          (float *)out);
        continue;
      }
#endif
      for (int32_t i = 0; i < count; i++)
        blend_pixel(job, &rows, &cols, i, out + (size_t)i * pixel);
    }
  }
}

static void resize_share(void *arg, int32_t t) {
  const ResizeJob *job = arg;
  size_t first, last;
  spry_work_share((size_t)job->p->batches * (size_t)job->p->out_h, t, job->shares, &first, &last);
  resize_rows(job, (int32_t)first, (int32_t)last);
}

bool spry_fast_resize_bilinear(SpryContext *ctx, const SpryResizeParams *p, SpryType type,
                               const void *input, void *output) {
  if (spry_context_isa(ctx) == SPRY_ISA_REFERENCE) return false;
  if (type != SPRY_TYPE_FLOAT32 && type != SPRY_TYPE_UINT8 && type != SPRY_TYPE_INT8 &&
      type != SPRY_TYPE_INT16)
    return false;
  const SpryIsa isa = spry_context_isa(ctx);
  ResizeJob job = {.p = p, .type = type, .input = input, .output = output,
                   .avx2 = (isa == SPRY_ISA_AVX2 || isa == SPRY_ISA_AVX512_VNNI) &&
                           type == SPRY_TYPE_FLOAT32 && p->channels >= 8,
                   .shares = spry_context_num_threads(ctx)};
  spry_context_parallel_for(ctx, job.shares, resize_share, &job);
  return true;
}
