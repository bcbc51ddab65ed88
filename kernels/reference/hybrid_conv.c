/* SPDX-License-Identifier: Apache-2.0 */
/* hybrid_conv.c — reference hybrid convolutions (see hybrid_conv.h). */
#include "hybrid_conv.h"

#include <stddef.h>

static size_t nhwc(int32_t h, int32_t w, int32_t c, int32_t b, int64_t y, int64_t x) {
  return (((size_t)b * (size_t)h + (size_t)y) * (size_t)w + (size_t)x) * (size_t)c;
}

static int32_t zero_point(const SpryHybridConvArgs *a, int32_t b) {
  return a->zero_points ? a->zero_points[b] : 0;
}

/* One output position of a windowed op: the sum over the taps inside the
 * image of filter * (input - zero point) for input channel ic and filter
 * element f_base + (ky * filter_w + kx) * f_step. Wraps modulo 2^32. */
typedef struct Window {
  int32_t b, oy, ox, ic, in_stride_c;
  size_t f_base, f_step;
} Window;

static int32_t window_sum(const SpryConvParams *p, const SpryConvShapes *s,
                          const SpryHybridConvArgs *a, const Window *q, int32_t depth) {
  const int32_t zp = zero_point(a, q->b);
  uint32_t acc = 0;
  for (int32_t ky = 0; ky < s->filter_h; ky++) {
    const int64_t iy = spry_conv_tap_coord(q->oy, p->stride_h, p->pad_h, ky, p->dilation_h,
                                           s->input_h);
    if (iy < 0) continue;
    for (int32_t kx = 0; kx < s->filter_w; kx++) {
      const int64_t ix = spry_conv_tap_coord(q->ox, p->stride_w, p->pad_w, kx, p->dilation_w,
                                             s->input_w);
      if (ix < 0) continue;
      const int8_t *in = a->input + nhwc(s->input_h, s->input_w, s->input_c, q->b, iy, ix) +
                         (size_t)q->ic;
      const int8_t *f = a->filter + q->f_base + ((size_t)ky * (size_t)s->filter_w + (size_t)kx) *
                                                    q->f_step;
      for (int32_t c = 0; c < depth; c++)
        acc += (uint32_t)((int32_t)f[c] * ((int32_t)in[c] - zp));
    }
  }
  return spry_wrap_i32(acc);
}

void spry_ref_conv_2d_hybrid(const SpryConvParams *p, const SpryConvShapes *s,
                             const SpryHybridConvArgs *a, float *output) {
  const int32_t groups = s->input_c / s->filter_c;
  const int32_t per_group = s->output_c / groups;
  float *out = output;
  for (int32_t b = 0; b < s->batches; b++)
    for (int32_t oy = 0; oy < s->output_h; oy++)
      for (int32_t ox = 0; ox < s->output_w; ox++)
        for (int32_t oc = 0; oc < s->output_c; oc++) {
          const Window q = {.b = b, .oy = oy, .ox = ox, .ic = (oc / per_group) * s->filter_c,
                            .f_base = (size_t)oc * (size_t)s->filter_h * (size_t)s->filter_w *
                                      (size_t)s->filter_c,
                            .f_step = (size_t)s->filter_c};
          *out++ = spry_hybrid_conv_output(p, a, window_sum(p, s, a, &q, s->filter_c), b, oc);
        }
}

void spry_ref_depthwise_conv_2d_hybrid(const SpryConvParams *p, const SpryConvShapes *s,
                                       const SpryHybridConvArgs *a, float *output) {
  const int32_t mult = s->output_c / s->input_c;
  float *out = output;
  for (int32_t b = 0; b < s->batches; b++)
    for (int32_t oy = 0; oy < s->output_h; oy++)
      for (int32_t ox = 0; ox < s->output_w; ox++)
        for (int32_t oc = 0; oc < s->output_c; oc++) {
          /* One input channel per sum: the filter steps over whole tap rows. */
          const Window q = {.b = b, .oy = oy, .ox = ox, .ic = oc / mult, .f_base = (size_t)oc,
                            .f_step = (size_t)s->output_c};
          *out++ = spry_hybrid_conv_output(p, a, window_sum(p, s, a, &q, 1), b, oc);
        }
}

/* Adds input element (b, iy, ix, ic)'s contributions to the output values
 * its filter window covers: TFLite scales every single product to float and
 * accumulates floats, so the order of these additions is part of the result. */
static void scatter_element(const SpryConvParams *p, const SpryConvShapes *s,
                            const SpryHybridConvArgs *a, int32_t b, int32_t iy, int32_t ix,
                            int32_t ic, float *output) {
  const int32_t x = (int32_t)a->input[nhwc(s->input_h, s->input_w, s->input_c, b, iy, ix) +
                                      (size_t)ic] - zero_point(a, b);
  for (int32_t ky = 0; ky < s->filter_h; ky++) {
    const int64_t oy = (int64_t)iy * p->stride_h - p->pad_h + ky;
    if (oy < 0 || oy >= s->output_h) continue;
    for (int32_t kx = 0; kx < s->filter_w; kx++) {
      const int64_t ox = (int64_t)ix * p->stride_w - p->pad_w + kx;
      if (ox < 0 || ox >= s->output_w) continue;
      float *o = output + nhwc(s->output_h, s->output_w, s->output_c, b, oy, ox);
      for (int32_t oc = 0; oc < s->output_c; oc++) {
        const int8_t w = a->filter[nhwc(s->filter_h, s->filter_w, s->input_c, oc, ky, kx) +
                                   (size_t)ic];
        o[oc] += (float)(x * (int32_t)w) * a->channel_scales[oc] * a->batch_scales[b];
      }
    }
  }
}

void spry_ref_transpose_conv_hybrid(const SpryConvParams *p, const SpryConvShapes *s,
                                    const SpryHybridConvArgs *a, float *output) {
  const size_t n = (size_t)s->batches * (size_t)s->output_h * (size_t)s->output_w *
                   (size_t)s->output_c;
  for (size_t i = 0; i < n; i++) output[i] = 0.0f;
  for (int32_t b = 0; b < s->batches; b++)
    for (int32_t iy = 0; iy < s->input_h; iy++)
      for (int32_t ix = 0; ix < s->input_w; ix++)
        for (int32_t ic = 0; ic < s->input_c; ic++) scatter_element(p, s, a, b, iy, ix, ic, output);
  for (size_t i = 0; i < n; i++) {
    const int32_t oc = (int32_t)(i % (size_t)s->output_c);
    const float v = a->bias ? output[i] + a->bias[oc] : output[i];
    output[i] = spry_clamp_f32(v, p->act_min_f, p->act_max_f);
  }
}
