/* SPDX-License-Identifier: Apache-2.0 */
/* hybrid_gemv.c — run-time int8 row quantization, hybrid and float matmuls (see the header). */
#include "hybrid_gemv.h"

#include <math.h>
#include <string.h>

bool spry_ref_is_zero_f32(const float *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (v[i] != 0.0f) return false;
  return true;
}

/* roundf(x) clamped to [lo, hi]; NaN gives 0. Clamping before the cast keeps
 * an out-of-range float (from an infinite input) from being undefined. */
static int32_t round_clamp(float x, int32_t lo, int32_t hi) {
  if (x != x) return 0;
  const float r = roundf(x);
  if (r <= (float)lo) return lo;
  if (r >= (float)hi) return hi;
  return (int32_t)r;
}

static void min_max(const float *v, int32_t n, float *lo, float *hi) {
  float mn = v[0], mx = v[0];
  for (int32_t i = 1; i < n; i++) {
    if (v[i] < mn) mn = v[i];
    if (v[i] > mx) mx = v[i];
  }
  *lo = mn;
  *hi = mx;
}

/* TFLite's SymmetricQuantizeFloats: scale = max|v| / 127, all-float math. */
static void quantize_symmetric(const float *v, int32_t n, int8_t *q, float *scale) {
  float lo, hi;
  min_max(v, n, &lo, &hi);
  const float range = fmaxf(fabsf(lo), fabsf(hi));
  if (range == 0.0f) {
    memset(q, 0, (size_t)n);
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inv = 127.0f / range;
  for (int32_t i = 0; i < n; i++) q[i] = (int8_t)round_clamp(v[i] * inv, -127, 127);
}

/* TFLite's AsymmetricQuantizeFloats: the range always includes 0 and is
 * taken in float (rmax - rmin rounds to float: an ulp of the scale in some
 * rows), scale and zero point are then derived in double, the zero point
 * nudged to the side with the smaller error. */
static void quantize_asymmetric(const float *v, int32_t n, int8_t *q, float *scale,
                                int32_t *zero_point) {
  float lo, hi;
  min_max(v, n, &lo, &hi);
  const float lo_f = fminf(0.0f, lo), hi_f = fmaxf(0.0f, hi);
  const double rmin = (double)lo_f, rmax = (double)hi_f;
  if (lo_f == hi_f) {
    memset(q, 0, (size_t)n);
    *scale = 1.0f;
    *zero_point = 0;
    return;
  }
  const double s = (double)(hi_f - lo_f) / 255.0;
  const double zp_from_min = -128.0 - rmin / s, zp_from_max = 127.0 - rmax / s;
  const double err_min = 128.0 + fabs(rmin / s), err_max = 127.0 + fabs(rmax / s);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  /* An infinite input makes zp NaN (inf / inf): TFLite's cast is undefined
   * there; NaN takes the lower bound here. */
  const int32_t nudged = !(zp > -128.0) ? -128 : zp >= 127.0 ? 127 : (int32_t)round(zp);
  *scale = (float)s;
  *zero_point = nudged;
  const float inv = (float)(1.0 / (double)*scale);
  for (int32_t i = 0; i < n; i++) q[i] = (int8_t)round_clamp((float)nudged + v[i] * inv, -128, 127);
}

void spry_ref_quantize_rows_s8(const float *values, int32_t rows, int32_t cols, int8_t *quantized,
                               float *scales, int32_t *zero_points, bool asymmetric) {
  for (int32_t r = 0; r < rows; r++) {
    const size_t off = (size_t)r * (size_t)cols;
    if (asymmetric)
      quantize_asymmetric(values + off, cols, quantized + off, &scales[r], &zero_points[r]);
    else
      quantize_symmetric(values + off, cols, quantized + off, &scales[r]);
  }
}

/* Two's complement wrap to 32 bits: TFLite accumulates these sums in int32. */
static int32_t wrap32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

void spry_ref_row_sums_s8(const int8_t *matrix, int32_t rows, int32_t cols, int32_t *sums) {
  for (int32_t r = 0; r < rows; r++) {
    int64_t s = 0;
    for (int32_t c = 0; c < cols; c++) s += matrix[(size_t)r * (size_t)cols + c];
    sums[r] = wrap32(s);
  }
}

/* TFLite subtracts the zero-point term in float (its offset is a float), then
 * truncates back to int32. */
static int32_t subtract_offset(int32_t dot, int32_t row_sum, int32_t zero_point) {
  const float v = (float)dot - (float)row_sum * (float)zero_point;
  if (!(v > -2147483648.0f)) return INT32_MIN;
  if (!(v < 2147483648.0f)) return INT32_MAX;
  return (int32_t)v;
}

/* Row r of the matrix times vector v in TFLite's int32 arithmetic (from
 * `dot` when not NULL), less the zero-point term of asymmetric inputs
 * (zero_points NULL: symmetric). */
static int32_t hybrid_dot(const int8_t *w, const int8_t *v, int32_t cols, SpryDotS8 dot_fn,
                          const int32_t *zero_points, const int32_t *row_sums, int32_t r,
                          int32_t b) {
  int32_t dot;
  if (dot_fn) {
    dot = dot_fn(w, v, cols);
  } else {
    int64_t acc = 0;
    for (int32_t c = 0; c < cols; c++) acc += (int32_t)w[c] * v[c];
    dot = wrap32(acc);
  }
  if (zero_points) dot = subtract_offset(dot, row_sums[r], zero_points[b]);
  return dot;
}

void spry_ref_hybrid_gemv_acc_dot(const int8_t *matrix, int32_t rows, int32_t cols,
                                  const int8_t *vectors, const float *scales,
                                  const int32_t *zero_points, const int32_t *row_sums,
                                  int32_t n_batch, SpryDotS8 dot_fn, float *result) {
  for (int32_t b = 0; b < n_batch; b++) {
    const int8_t *v = vectors + (size_t)b * (size_t)cols;
    for (int32_t r = 0; r < rows; r++) {
      const int8_t *w = matrix + (size_t)r * (size_t)cols;
      const int32_t dot = hybrid_dot(w, v, cols, dot_fn, zero_points, row_sums, r, b);
      result[(size_t)b * (size_t)rows + r] += (float)dot * scales[b];
    }
  }
}

void spry_ref_hybrid_gemv_acc(const int8_t *matrix, int32_t rows, int32_t cols,
                              const int8_t *vectors, const float *scales,
                              const int32_t *zero_points, const int32_t *row_sums,
                              int32_t n_batch, float *result) {
  spry_ref_hybrid_gemv_acc_dot(matrix, rows, cols, vectors, scales, zero_points, row_sums, n_batch,
                               NULL, result);
}

void spry_ref_hybrid_gemv_acc_channels(const int8_t *matrix, int32_t rows, int32_t cols,
                                       const int8_t *vectors, const float *scales,
                                       const float *channel_scales, const int32_t *zero_points,
                                       const int32_t *row_sums, int32_t n_batch, float *result) {
  for (int32_t b = 0; b < n_batch; b++) {
    const int8_t *v = vectors + (size_t)b * (size_t)cols;
    for (int32_t r = 0; r < rows; r++) {
      const int8_t *w = matrix + (size_t)r * (size_t)cols;
      const int32_t dot = hybrid_dot(w, v, cols, NULL, zero_points, row_sums, r, b);
      result[(size_t)b * (size_t)rows + r] += (float)dot * (scales[b] * channel_scales[r]);
    }
  }
}

void spry_ref_gemv_acc_f32(const float *matrix, int32_t rows, int32_t cols, const float *vectors,
                           int32_t n_batch, float *result) {
  for (int32_t b = 0; b < n_batch; b++)
    for (int32_t r = 0; r < rows; r++) {
      float dot = 0.0f;
      for (int32_t c = 0; c < cols; c++)
        dot += matrix[(size_t)r * (size_t)cols + c] * vectors[(size_t)b * (size_t)cols + c];
      result[(size_t)b * (size_t)rows + r] += dot;
    }
}
