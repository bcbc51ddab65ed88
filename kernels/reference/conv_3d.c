/* SPDX-License-Identifier: Apache-2.0 */
/* conv_3d.c — reference float32 CONV_3D and CONV_3D_TRANSPOSE loops (see the header). */
#include "conv_3d.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* Row-major offset of (b, d, h, w) in a [*, dims[0], dims[1], dims[2], c]
 * array, in elements of `c` values. */
static size_t voxel(const int32_t dims[3], int32_t c, int32_t b, int32_t d, int32_t h,
                    int32_t w) {
  return ((((size_t)b * dims[0] + d) * dims[1] + h) * dims[2] + w) * (size_t)c;
}

/* Filter tap (d, h, w) of a [fd, fh, fw, inner, outer] array. */
static size_t tap(const int32_t dims[3], size_t inner_outer, int32_t d, int32_t h, int32_t w) {
  return (((size_t)d * dims[1] + h) * dims[2] + w) * inner_outer;
}

/* Coordinate `k` taps from the window origin; false when outside [0, size). */
static bool coordinate(int64_t origin, int32_t dilation, int32_t k, int32_t size, int32_t *out) {
  const int64_t x = origin + (int64_t)dilation * k;
  if (x < 0 || x >= size) return false;
  *out = (int32_t)x;
  return true;
}

static float clamp(float x, float lo, float hi) { return fminf(fmaxf(x, lo), hi); }

/* Sum over the window of output voxel `pos` (depth, height, width) for
 * output channel oc. */
static float window_sum(const SpryConv3dParams *p, const SpryConv3dShape *s, const float *input,
                        const float *filter, int32_t b, const int32_t pos[3], int32_t oc) {
  int64_t origin[3];
  for (int a = 0; a < 3; a++) origin[a] = (int64_t)pos[a] * p->stride[a] - p->padding[a];
  const size_t io = (size_t)s->in_c * s->out_c;
  float total = 0.0f;
  for (int32_t fd = 0; fd < s->filter[0]; fd++) {
    int32_t d, h, w;
    if (!coordinate(origin[0], p->dilation[0], fd, s->in[0], &d)) continue;
    for (int32_t fh = 0; fh < s->filter[1]; fh++) {
      if (!coordinate(origin[1], p->dilation[1], fh, s->in[1], &h)) continue;
      for (int32_t fw = 0; fw < s->filter[2]; fw++) {
        if (!coordinate(origin[2], p->dilation[2], fw, s->in[2], &w)) continue;
        const float *x = input + voxel(s->in, s->in_c, b, d, h, w);
        const float *f = filter + tap(s->filter, io, fd, fh, fw) + oc;
        for (int32_t ic = 0; ic < s->in_c; ic++) total += x[ic] * f[(size_t)ic * s->out_c];
      }
    }
  }
  return total;
}

void spry_ref_conv3d_f32(const SpryConv3dParams *p, const SpryConv3dShape *s, const float *input,
                         const float *filter, const float *bias, float *output) {
  for (int32_t b = 0; b < s->batches; b++)
    for (int32_t d = 0; d < s->out[0]; d++)
      for (int32_t h = 0; h < s->out[1]; h++)
        for (int32_t w = 0; w < s->out[2]; w++) {
          const int32_t pos[3] = {d, h, w};
          float *y = output + voxel(s->out, s->out_c, b, d, h, w);
          for (int32_t oc = 0; oc < s->out_c; oc++) {
            const float sum = window_sum(p, s, input, filter, b, pos, oc);
            y[oc] = clamp(sum + (bias ? bias[oc] : 0.0f), p->act_min, p->act_max);
          }
        }
}

/* Adds input voxel `x` (in_c values at input position pos) times the filter
 * into every output voxel its window covers. */
static void scatter(const SpryConv3dParams *p, const SpryConv3dShape *s, const float *x,
                    const float *filter, int32_t b, const int32_t pos[3], float *output) {
  int64_t origin[3];
  for (int a = 0; a < 3; a++) origin[a] = (int64_t)pos[a] * p->stride[a] - p->padding[a];
  const size_t oi = (size_t)s->out_c * s->in_c;
  for (int32_t ic = 0; ic < s->in_c; ic++)
    for (int32_t fd = 0; fd < s->filter[0]; fd++) {
      int32_t d, h, w;
      if (!coordinate(origin[0], p->dilation[0], fd, s->out[0], &d)) continue;
      for (int32_t fh = 0; fh < s->filter[1]; fh++) {
        if (!coordinate(origin[1], p->dilation[1], fh, s->out[1], &h)) continue;
        for (int32_t fw = 0; fw < s->filter[2]; fw++) {
          if (!coordinate(origin[2], p->dilation[2], fw, s->out[2], &w)) continue;
          float *y = output + voxel(s->out, s->out_c, b, d, h, w);
          const float *f = filter + tap(s->filter, oi, fd, fh, fw) + ic;
          for (int32_t oc = 0; oc < s->out_c; oc++) y[oc] += x[ic] * f[(size_t)oc * s->in_c];
        }
      }
    }
}

void spry_ref_conv3d_transpose_f32(const SpryConv3dParams *p, const SpryConv3dShape *s,
                                   const float *input, const float *filter, const float *bias,
                                   float *output) {
  const size_t voxels = (size_t)s->batches * s->out[0] * s->out[1] * s->out[2];
  const size_t count = voxels * (size_t)s->out_c;
  for (size_t i = 0; i < count; i++) output[i] = 0.0f;
  for (int32_t b = 0; b < s->batches; b++)
    for (int32_t d = 0; d < s->in[0]; d++)
      for (int32_t h = 0; h < s->in[1]; h++)
        for (int32_t w = 0; w < s->in[2]; w++) {
          const int32_t pos[3] = {d, h, w};
          scatter(p, s, input + voxel(s->in, s->in_c, b, d, h, w), filter, b, pos, output);
        }
  for (size_t v = 0; v < voxels; v++)
    for (int32_t oc = 0; oc < s->out_c; oc++) {
      float *y = output + v * (size_t)s->out_c + oc;
      *y = clamp(*y + (bias ? bias[oc] : 0.0f), p->act_min, p->act_max);
    }
}
