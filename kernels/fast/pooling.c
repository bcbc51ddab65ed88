/* SPDX-License-Identifier: Apache-2.0 */
/* pooling.c — AVERAGE_POOL_2D and MAX_POOL_2D on the per-pixel window kernels (see pooling.h). */
#include "pooling.h"

#include <string.h>

#include "kernel_util.h"
#include "work_share.h"

/* Each family's table for a variant: AVX-512 VNNI runs the AVX2 kernels
 * and NEON with dot products the NEON ones (neither instruction helps a
 * sum or a maximum). */
const SpryPoolKernels *spry_pool_avg_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_pool_avg);
}

const SpryPoolKernels *spry_pool_max_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_pool_max);
}

const SpryPoolSumKernels *spry_pool_sum_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_pool_sum);
}

/* Whether the node fits the fast path: sizes the row split and the
 * kernels' counters hold, a clamp range inside the type. */
static bool applies(const SpryPoolKernels *k, SpryType type, const SpryPoolParams *p,
                    const SpryPoolShape *s) {
  if (type != SPRY_TYPE_FLOAT32 && type != SPRY_TYPE_INT8 && type != SPRY_TYPE_UINT8) return false;
  const int64_t rows = (int64_t)s->batches * s->out_h;
  if (rows == 0 || rows > INT32_MAX || s->out_w == 0 || s->channels == 0) return false;
  if (type == SPRY_TYPE_FLOAT32) return true;
  if (k->max_pixels && (int64_t)p->filter_h * p->filter_w > k->max_pixels) return false;
  int32_t lo = 0, hi = 0;
  spry_quantized_type_range(type, &lo, &hi);
  return lo <= p->q_min && p->q_min <= p->q_max && p->q_max <= hi;
}

static SpryPoolFn pick(const SpryPoolKernels *k, SpryType type) {
  return type == SPRY_TYPE_FLOAT32 ? k->f32 : type == SPRY_TYPE_INT8 ? k->s8 : k->u8;
}

SPRY_PREPARE_CODE
void spry_fast_pool_prepare(SpryContext *ctx, SpryFastPool *f, SpryPoolFamily family,
                            SpryType type, const SpryPoolParams *params,
                            const SpryPoolShape *shape) {
  memset(f, 0, sizeof *f);
  const SpryPoolKernels *k = family(spry_context_isa(ctx));
  if (!k || !applies(k, type, params, shape)) return;
  const bool is_float = type == SPRY_TYPE_FLOAT32;
  f->fn = pick(k, type);
  f->tail = pick(family(SPRY_ISA_PORTABLE), type);
  const int32_t block = is_float ? k->f32_block : k->q8_block;
  f->main_channels = spry_pool_main_channels(shape->channels, block);
  f->params = *params;
  f->shape = *shape;
  f->value_bytes = is_float ? sizeof(float) : 1;
  f->threads = spry_context_num_threads(ctx);
}

typedef struct PoolJob {
  const SpryFastPool *f;
  const uint8_t *input;
  uint8_t *output;
} PoolJob;

/* [*lo, *hi): the window's extent along one axis, clipped to the input, as
 * the reference clips it. */
static void clip_window(int32_t out, int32_t stride, int32_t pad, int32_t filter, int32_t size,
                        int32_t *lo, int32_t *hi) {
  const int64_t origin = (int64_t)out * stride - pad, end = origin + filter;
  *lo = origin < 0 ? 0 : (origin > size ? size : (int32_t)origin);
  *hi = end < 0 ? 0 : (end > size ? size : (int32_t)end);
}

/* One output pixel: the variant's kernel on its whole blocks of channels,
 * the portable one on the rest. */
static void run_pixel(const SpryFastPool *f, const SpryPoolWindow *w, uint8_t *out) {
  const int32_t main = f->main_channels;
  if (main < w->channels) {
    const SpryPoolWindow rest = spry_pool_window_from(w, main, f->value_bytes);
    f->tail(&rest, &f->params, out + (size_t)main * f->value_bytes);
  }
  if (main == 0) return;
  SpryPoolWindow whole = *w;
  whole.channels = main;
  f->fn(&whole, &f->params, out);
}

/* Output row r (batch-major over batches * out_h). */
static void pool_row(const PoolJob *job, int32_t r) {
  const SpryFastPool *f = job->f;
  const SpryPoolShape *s = &f->shape;
  const SpryPoolParams *p = &f->params;
  const size_t pixel = (size_t)s->channels * f->value_bytes;
  const int32_t b = r / s->out_h, oy = r % s->out_h;
  int32_t y0, y1;
  clip_window(oy, p->stride_h, p->pad_h, p->filter_h, s->in_h, &y0, &y1);
  const uint8_t *image = job->input + (size_t)b * (size_t)s->in_h * (size_t)s->in_w * pixel;
  uint8_t *out = job->output + (size_t)r * (size_t)s->out_w * pixel;
  SpryPoolWindow w = {.row_stride = (size_t)s->in_w * pixel, .pixel_stride = pixel,
                      .rows = y1 - y0, .channels = s->channels};
  for (int32_t ox = 0; ox < s->out_w; ox++, out += pixel) {
    int32_t x0, x1;
    clip_window(ox, p->stride_w, p->pad_w, p->filter_w, s->in_w, &x0, &x1);
    w.cols = x1 - x0;
    /* An empty window (maximum only) reads nothing: its origin may lie
     * past the image, so point it at the image instead. */
    w.origin = w.rows > 0 && w.cols > 0
                   ? image + ((size_t)y0 * (size_t)s->in_w + (size_t)x0) * pixel
                   : image;
    run_pixel(f, &w, out);
  }
}

/* Work item t: its static share of the output rows. */
static void pool_share(void *arg, int32_t t) {
  const PoolJob *job = arg;
  const SpryPoolShape *s = &job->f->shape;
  size_t first, last;
  spry_work_share((size_t)s->batches * (size_t)s->out_h, t, job->f->threads, &first, &last);
  for (size_t r = first; r < last; r++) pool_row(job, (int32_t)r);
}

void spry_fast_pool_run(SpryContext *ctx, const SpryFastPool *f, const void *input, void *output) {
  PoolJob job = {.f = f, .input = input, .output = output};
  spry_context_parallel_for(ctx, f->threads, pool_share, &job);
}
