/* SPDX-License-Identifier: Apache-2.0 */
/* resize_bilinear.c — the fast RESIZE_BILINEAR (see resize_bilinear.h). */
#include "resize_bilinear.h"

#include <stddef.h>

#include "cpu_isa.h"
#include "work_share.h"

typedef struct ResizeJob {
  const SpryResizeParams *p;
  bool is_u8;
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

/* Output rows [begin, end) of all batches, counted as batch * out_h + y. */
static void resize_rows(const ResizeJob *job, int32_t begin, int32_t end) {
  const SpryResizeParams *p = job->p;
  const float sy = spry_resize_scale(p->in_h, p->out_h, p->align_corners);
  const float sx = spry_resize_scale(p->in_w, p->out_w, p->align_corners);
  const size_t channels = (size_t)p->channels, elem = job->is_u8 ? 1 : sizeof(float);
  const size_t in_row = (size_t)p->in_w * channels, out_row = (size_t)p->out_w * channels;
  for (int32_t row = begin; row < end; row++) {
    const int32_t b = row / p->out_h, y = row % p->out_h;
    const SpryResizeTap ty = spry_resize_tap(y, sy, p->half_pixel_centers, p->in_h);
    const float dy = ty.pos - (float)ty.lo;
    const size_t image = (size_t)b * (size_t)p->in_h;
    const uint8_t *r0 = (const uint8_t *)job->input + (image + (size_t)ty.lo) * in_row * elem;
    const uint8_t *r1 = (const uint8_t *)job->input + (image + (size_t)ty.hi) * in_row * elem;
    uint8_t *out = (uint8_t *)job->output + (size_t)row * out_row * elem;
    for (int32_t x = 0; x < p->out_w; x++) {
      const SpryResizeTap tx = spry_resize_tap(x, sx, p->half_pixel_centers, p->in_w);
      const float dx = tx.pos - (float)tx.lo;
      const size_t lo = (size_t)tx.lo * channels, hi = (size_t)tx.hi * channels;
      uint8_t *o = out + (size_t)x * channels * elem;
      if (job->is_u8)
        blend_u8(p->channels, r0, r1, lo, hi, dy, dx, o);
      else
        blend_float(p->channels, (const float *)r0, (const float *)r1, lo, hi, dy, dx, (float *)o);
    }
  }
}

static void resize_share(void *arg, int32_t t) {
  const ResizeJob *job = arg;
  size_t first, last;
  spry_work_share((size_t)job->p->batches * (size_t)job->p->out_h, t, job->shares, &first, &last);
  resize_rows(job, (int32_t)first, (int32_t)last);
}

bool spry_fast_resize_bilinear(SpryContext *ctx, const SpryResizeParams *p, bool is_u8,
                               const void *input, void *output) {
  if (spry_context_isa(ctx) == SPRY_ISA_REFERENCE) return false;
  ResizeJob job = {.p = p, .is_u8 = is_u8, .input = input, .output = output,
                   .shares = spry_context_num_threads(ctx)};
  spry_context_parallel_for(ctx, job.shares, resize_share, &job);
  return true;
}
