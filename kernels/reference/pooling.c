/* SPDX-License-Identifier: Apache-2.0 */
/* pooling.c — reference average and max pooling (NHWC), float and quantized. */
#include "pooling.h"

#include <float.h>
#include <math.h>
#include <stddef.h>

#include "../quantization.h"
#include "quant_access.h"

/* The part of an output element's filter window that lies inside the input:
 * rows [y0, y1) and columns [x0, x1) (empty when y0 >= y1 or x0 >= x1). */
typedef struct Window {
  int32_t y0, y1, x0, x1;
} Window;

static int32_t clip(int64_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

static Window window_at(const SpryPoolParams *p, const SpryPoolShape *s, int32_t out_y,
                        int32_t out_x) {
  const int64_t origin_y = (int64_t)out_y * p->stride_h - p->pad_h;
  const int64_t origin_x = (int64_t)out_x * p->stride_w - p->pad_w;
  Window w;
  w.y0 = clip(origin_y, 0, s->in_h);
  w.y1 = clip(origin_y + p->filter_h, 0, s->in_h);
  w.x0 = clip(origin_x, 0, s->in_w);
  w.x1 = clip(origin_x + p->filter_w, 0, s->in_w);
  return w;
}

static size_t in_offset(const SpryPoolShape *s, int32_t b, int32_t y, int32_t x, int32_t c) {
  return (((size_t)b * (size_t)s->in_h + (size_t)y) * (size_t)s->in_w + (size_t)x) *
             (size_t)s->channels +
         (size_t)c;
}

static size_t out_offset(const SpryPoolShape *s, int32_t b, int32_t y, int32_t x, int32_t c) {
  return (((size_t)b * (size_t)s->out_h + (size_t)y) * (size_t)s->out_w + (size_t)x) *
             (size_t)s->channels +
         (size_t)c;
}

static float clamp_f32(float x, float lo, float hi) {
  const float y = x < lo ? lo : x;
  return hi < y ? hi : y;
}

/* Sum of the window's values (or of their squares) in input order, and
 * how many there are. */
static float window_sum_f32(const SpryPoolShape *s, const float *input, const Window *w,
                            int32_t b, int32_t c, bool squares, int32_t *count) {
  float total = 0.0f;
  *count = 0;
  for (int32_t y = w->y0; y < w->y1; y++)
    for (int32_t x = w->x0; x < w->x1; x++) {
      const float v = input[in_offset(s, b, y, x, c)];
      total += squares ? v * v : v;
      (*count)++;
    }
  return total;
}

/* Average (or root mean square) pooling of floats; false when some window
 * is empty (its output is 0, or NaN as TFLite's L2 pool gives). */
static bool mean_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const float *input, float *output, bool l2) {
  bool ok = true;
  for (int32_t b = 0; b < shape->batches; b++)
    for (int32_t oy = 0; oy < shape->out_h; oy++)
      for (int32_t ox = 0; ox < shape->out_w; ox++) {
        const Window w = window_at(params, shape, oy, ox);
        for (int32_t c = 0; c < shape->channels; c++) {
          int32_t count = 0;
          const float total = window_sum_f32(shape, input, &w, b, c, l2, &count);
          float v = 0.0f;
          if (count == 0) {
            ok = false;
            v = l2 ? NAN : 0.0f;
          } else {
            v = l2 ? sqrtf(total / (float)count) : total / (float)count;
          }
          output[out_offset(shape, b, oy, ox, c)] = clamp_f32(v, params->f_min, params->f_max);
        }
      }
  return ok;
}

bool spry_ref_average_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                               const float *input, float *output) {
  return mean_pool_f32(params, shape, input, output, false);
}

void spry_ref_l2_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const float *input, float *output) {
  (void)mean_pool_f32(params, shape, input, output, true);
}

/* Average rounded to nearest: uint8 rounds halves up (its sums are never
 * negative), the signed types round halves away from zero. */
static int64_t rounded_average(int64_t sum, int64_t count, SpryQType t) {
  if (t == SPRY_Q_U8 || sum > 0) return (sum + count / 2) / count;
  return (sum - count / 2) / count;
}

static bool average_pool_q(const SpryPoolParams *params, const SpryPoolShape *shape,
                           const void *input, void *output, SpryQType t) {
  bool ok = true;
  for (int32_t b = 0; b < shape->batches; b++)
    for (int32_t oy = 0; oy < shape->out_h; oy++)
      for (int32_t ox = 0; ox < shape->out_w; ox++) {
        const Window w = window_at(params, shape, oy, ox);
        for (int32_t c = 0; c < shape->channels; c++) {
          int64_t sum = 0; /* TFLite sums in int32; int64 agrees wherever that fits */
          int64_t count = 0;
          for (int32_t y = w.y0; y < w.y1; y++)
            for (int32_t x = w.x0; x < w.x1; x++) {
              sum += spry_load_q(input, t, in_offset(shape, b, y, x, c));
              count++;
            }
          if (count == 0) ok = false;
          const int64_t avg = count ? rounded_average(sum, count, t) : 0;
          const int64_t clamped =
              avg < params->q_min ? params->q_min : (avg > params->q_max ? params->q_max : avg);
          spry_store_q(output, t, out_offset(shape, b, oy, ox, c), (int32_t)clamped);
        }
      }
  return ok;
}

bool spry_ref_average_pool_u8(const SpryPoolParams *params, const SpryPoolShape *shape,
                              const uint8_t *input, uint8_t *output) {
  return average_pool_q(params, shape, input, output, SPRY_Q_U8);
}

bool spry_ref_average_pool_s8(const SpryPoolParams *params, const SpryPoolShape *shape,
                              const int8_t *input, int8_t *output) {
  return average_pool_q(params, shape, input, output, SPRY_Q_S8);
}

bool spry_ref_average_pool_s16(const SpryPoolParams *params, const SpryPoolShape *shape,
                               const int16_t *input, int16_t *output) {
  return average_pool_q(params, shape, input, output, SPRY_Q_S16);
}

void spry_ref_max_pool_f32(const SpryPoolParams *params, const SpryPoolShape *shape,
                           const float *input, float *output) {
  for (int32_t b = 0; b < shape->batches; b++)
    for (int32_t oy = 0; oy < shape->out_h; oy++)
      for (int32_t ox = 0; ox < shape->out_w; ox++) {
        const Window w = window_at(params, shape, oy, ox);
        for (int32_t c = 0; c < shape->channels; c++) {
          float max = -FLT_MAX;
          for (int32_t y = w.y0; y < w.y1; y++)
            for (int32_t x = w.x0; x < w.x1; x++) {
              const float v = input[in_offset(shape, b, y, x, c)];
              max = max < v ? v : max;
            }
          output[out_offset(shape, b, oy, ox, c)] = clamp_f32(max, params->f_min, params->f_max);
        }
      }
}

static void max_pool_q(const SpryPoolParams *params, const SpryPoolShape *shape, const void *input,
                       void *output, SpryQType t, int32_t lowest) {
  for (int32_t b = 0; b < shape->batches; b++)
    for (int32_t oy = 0; oy < shape->out_h; oy++)
      for (int32_t ox = 0; ox < shape->out_w; ox++) {
        const Window w = window_at(params, shape, oy, ox);
        for (int32_t c = 0; c < shape->channels; c++) {
          int32_t max = lowest;
          for (int32_t y = w.y0; y < w.y1; y++)
            for (int32_t x = w.x0; x < w.x1; x++) {
              const int32_t v = spry_load_q(input, t, in_offset(shape, b, y, x, c));
              max = v > max ? v : max;
            }
          spry_store_q(output, t, out_offset(shape, b, oy, ox, c),
                  spry_clamp_i32(max, params->q_min, params->q_max));
        }
      }
}

void spry_ref_max_pool_u8(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const uint8_t *input, uint8_t *output) {
  max_pool_q(params, shape, input, output, SPRY_Q_U8, 0);
}

void spry_ref_max_pool_s8(const SpryPoolParams *params, const SpryPoolShape *shape,
                          const int8_t *input, int8_t *output) {
  max_pool_q(params, shape, input, output, SPRY_Q_S8, INT8_MIN);
}

void spry_ref_max_pool_s16(const SpryPoolParams *params, const SpryPoolShape *shape,
                           const int16_t *input, int16_t *output) {
  max_pool_q(params, shape, input, output, SPRY_Q_S16, INT16_MIN);
}
