/* SPDX-License-Identifier: Apache-2.0 */
/* resize.c — reference bilinear and nearest-neighbour resizing (see resize.h). */
#include "resize.h"

#include <math.h>
#include <string.h>

float spry_resize_scale(int32_t in_size, int32_t out_size, bool align_corners) {
  if (align_corners && out_size > 1) return (float)(in_size - 1) / (float)(out_size - 1);
  return (float)in_size / (float)out_size;
}

SpryResizeTap spry_resize_tap(int32_t o, float scale, bool half_pixel, int32_t in_size) {
  SpryResizeTap t;
  t.pos = half_pixel ? ((float)o + 0.5f) * scale - 0.5f : (float)o * scale;
  /* floor/ceil of a position inside [-0.5, in_size] fit int32. */
  const int32_t fl = (int32_t)floorf(t.pos);
  const int32_t cl = (int32_t)ceilf(t.pos);
  t.lo = fl > 0 ? fl : 0;
  t.hi = cl < in_size - 1 ? cl : in_size - 1;
  return t;
}

/* Offset of element (b, y, x, 0) of an NHWC tensor. */
static size_t nhwc(int32_t h, int32_t w, int32_t c, int32_t b, int32_t y, int32_t x) {
  return (((size_t)b * (size_t)h + (size_t)y) * (size_t)w + (size_t)x) * (size_t)c;
}

/* The float-weight kernel shared by float32 and uint8: values are read as
 * floats, `rounding` is 0.5 for integers (TFLite then truncates) and 0 for
 * floats. */
static void bilinear_float_weights(const SpryResizeParams *p, const void *input, void *output,
                                   bool u8) {
  const float sy = spry_resize_scale(p->in_h, p->out_h, p->align_corners);
  const float sx = spry_resize_scale(p->in_w, p->out_w, p->align_corners);
  const float rounding = u8 ? 0.5f : 0.0f;
  for (int32_t b = 0; b < p->batches; b++) {
    for (int32_t y = 0; y < p->out_h; y++) {
      const SpryResizeTap ty = spry_resize_tap(y, sy, p->half_pixel_centers, p->in_h);
      const float dy = spry_resize_tap_fraction(&ty);
      for (int32_t x = 0; x < p->out_w; x++) {
        const SpryResizeTap tx = spry_resize_tap(x, sx, p->half_pixel_centers, p->in_w);
        const float dx = spry_resize_tap_fraction(&tx);
        const size_t i00 = nhwc(p->in_h, p->in_w, p->channels, b, ty.lo, tx.lo);
        const size_t i10 = nhwc(p->in_h, p->in_w, p->channels, b, ty.hi, tx.lo);
        const size_t i01 = nhwc(p->in_h, p->in_w, p->channels, b, ty.lo, tx.hi);
        const size_t i11 = nhwc(p->in_h, p->in_w, p->channels, b, ty.hi, tx.hi);
        const size_t o = nhwc(p->out_h, p->out_w, p->channels, b, y, x);
        for (int32_t c = 0; c < p->channels; c++) {
          float v[4];
          const size_t at[4] = {i00 + (size_t)c, i10 + (size_t)c, i01 + (size_t)c,
                                i11 + (size_t)c};
          for (int k = 0; k < 4; k++)
            v[k] = u8 ? (float)((const uint8_t *)input)[at[k]] : ((const float *)input)[at[k]];
          /* TFLite's expression, evaluated in the same order. */
          const float r = v[0] * (1 - dy) * (1 - dx) + v[1] * dy * (1 - dx) +
                          v[2] * (1 - dy) * dx + v[3] * dy * dx + rounding;
          if (u8) {
            /* Truncation as in TFLite; clamping only guards the conversion. */
            const float clamped = r < 0.0f ? 0.0f : (r > 255.0f ? 255.0f : r);
            ((uint8_t *)output)[o + (size_t)c] = (uint8_t)clamped;
          } else {
            ((float *)output)[o + (size_t)c] = r;
          }
        }
      }
    }
  }
}

void spry_ref_resize_bilinear_f32(const SpryResizeParams *p, const float *input, float *output) {
  bilinear_float_weights(p, input, output, false);
}

void spry_ref_resize_bilinear_u8(const SpryResizeParams *p, const uint8_t *input,
                                 uint8_t *output) {
  bilinear_float_weights(p, input, output, true);
}

int64_t spry_resize_int_scale(int32_t in_size, int32_t out_size, bool align_corners) {
  if (align_corners && out_size > 1)
    return ((int64_t)1024 * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
  return ((int64_t)1024 * in_size + out_size / 2) / out_size;
}

SpryResizeIntTap spry_resize_int_tap(int32_t o, int64_t scale, bool half_pixel, int32_t in_size) {
  SpryResizeIntTap t;
  t.pos = half_pixel ? (int64_t)o * scale + scale / 2 - 512 : (int64_t)o * scale;
  /* The rounded scale can carry an align_corners position past the last
   * pixel (input 2 wide, output 2049: 2048 * 1 = 2048 = 1024 * 2). TFLite
   * then reads beyond the row; between the last pixel and there its result
   * is that pixel's value, which clamping the position gives too, so no
   * defined result changes and weights stay within [-512, 1536]. */
  const int64_t last = (int64_t)1024 * (in_size - 1);
  if (t.pos > last) t.pos = last;
  /* C division truncates toward zero, as TFLite's does. */
  const int64_t lo = t.pos / 1024;
  const int64_t hi = (t.pos + 1023) / 1024;
  t.lo = (int32_t)(lo > 0 ? lo : 0);
  t.hi = (int32_t)(hi < in_size - 1 ? hi : in_size - 1);
  return t;
}

void spry_ref_resize_bilinear_int(const SpryResizeParams *p, SpryQType type, const void *input,
                                  void *output) {
  const int64_t sy = spry_resize_int_scale(p->in_h, p->out_h, p->align_corners);
  const int64_t sx = spry_resize_int_scale(p->in_w, p->out_w, p->align_corners);
  for (int32_t b = 0; b < p->batches; b++) {
    for (int32_t y = 0; y < p->out_h; y++) {
      const SpryResizeIntTap ty = spry_resize_int_tap(y, sy, p->half_pixel_centers, p->in_h);
      const int64_t wy1 = ty.pos - (int64_t)1024 * ty.lo, wy0 = 1024 - wy1;
      for (int32_t x = 0; x < p->out_w; x++) {
        const SpryResizeIntTap tx = spry_resize_int_tap(x, sx, p->half_pixel_centers, p->in_w);
        const int64_t wx1 = tx.pos - (int64_t)1024 * tx.lo, wx0 = 1024 - wx1;
        const size_t i00 = nhwc(p->in_h, p->in_w, p->channels, b, ty.lo, tx.lo);
        const size_t i10 = nhwc(p->in_h, p->in_w, p->channels, b, ty.hi, tx.lo);
        const size_t i01 = nhwc(p->in_h, p->in_w, p->channels, b, ty.lo, tx.hi);
        const size_t i11 = nhwc(p->in_h, p->in_w, p->channels, b, ty.hi, tx.hi);
        const size_t o = nhwc(p->out_h, p->out_w, p->channels, b, y, x);
        for (int32_t c = 0; c < p->channels; c++) {
          const size_t k = (size_t)c;
          /* Weights are within [-512, 1536], values 16-bit: no overflow. */
          const int64_t sum = spry_load_q(input, type, i00 + k) * wy0 * wx0 +
                              spry_load_q(input, type, i10 + k) * wy1 * wx0 +
                              spry_load_q(input, type, i01 + k) * wy0 * wx1 +
                              spry_load_q(input, type, i11 + k) * wy1 * wx1;
          const int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);
          spry_store_q(output, type, o + k, (int32_t)((sum + round) / (1 << 20)));
        }
      }
    }
  }
}

/* Input index nearest to output index o (TFLite's GetNearestNeighbor). */
static int32_t nearest(int32_t o, int32_t in_size, int32_t out_size, bool align_corners,
                       bool half_pixel) {
  const float scale = spry_resize_scale(in_size, out_size, align_corners);
  const float offset = half_pixel ? 0.5f : 0.0f;
  const float pos = ((float)o + offset) * scale;
  /* pos lies in [0, in_size + 1]: the conversions are in range. */
  int32_t v = align_corners ? (int32_t)roundf(pos) : (int32_t)floorf(pos);
  if (v > in_size - 1) v = in_size - 1;
  if (half_pixel && v < 0) v = 0;
  return v;
}

void spry_ref_resize_nearest(const SpryResizeParams *p, size_t element_size, const void *input,
                             void *output) {
  const size_t row = (size_t)p->channels * element_size;
  const uint8_t *in = input;
  uint8_t *out = output;
  for (int32_t b = 0; b < p->batches; b++) {
    for (int32_t y = 0; y < p->out_h; y++) {
      const int32_t iy = nearest(y, p->in_h, p->out_h, p->align_corners, p->half_pixel_centers);
      for (int32_t x = 0; x < p->out_w; x++) {
        const int32_t ix = nearest(x, p->in_w, p->out_w, p->align_corners, p->half_pixel_centers);
        memcpy(out + nhwc(p->out_h, p->out_w, p->channels, b, y, x) * element_size,
               in + nhwc(p->in_h, p->in_w, p->channels, b, iy, ix) * element_size, row);
      }
    }
  }
}
