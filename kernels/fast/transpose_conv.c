/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transpose_conv.c — TRANSPOSE_CONV on the GEMM micro-kernels with a col2im
 * scatter-add (see transpose_conv.h).
 */
#include "transpose_conv.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_isa.h"
#include "kernel_util.h"
#include "work_share.h"

/* Target size of one thread's A tile: small enough to stay in L1/L2 next
 * to a block of weights while every column block runs over it. */
#define TILE_BYTES (64 * 1024)
#define MAX_TILE_PIXELS 64

static int32_t column_blocks(int32_t n) { return (n + SPRY_GEMM_NR - 1) / SPRY_GEMM_NR; }

static int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

static bool quantized(const SpryTconvFast *f) { return f->type != SPRY_CONV_KERNEL_F32; }

/* ---- prepare ------------------------------------------------------------------ */

/* B from the OHWI weights: reordered tap-major ([filter_y][filter_x][oc]
 * rows of input_c values) in a temporary copy, then packed. The copy is
 * freed before prepare returns; only the packed form stays. */
static SpryStatus pack_weights(SpryContext *ctx, SpryTconvFast *f, const SpryGemmKernels *kernels,
                               const SpryTensor *filter) {
  const SpryConvShapes *s = &f->shapes;
  const int32_t k = s->input_c, taps = s->filter_h * s->filter_w;
  const size_t value_bytes = quantized(f) ? 1 : sizeof(float);
  const size_t row_bytes = (size_t)k * value_bytes;
  f->packed =
      spry_context_alloc_persistent(ctx, quantized(f) ? spry_qgemm_packed_bytes(f->columns, k)
                                                      : spry_fgemm_packed_bytes(f->columns, k));
  if (!f->packed) return SPRY_ERROR_OUT_OF_MEMORY;
  uint8_t *tap_major = malloc((size_t)f->columns * row_bytes);
  if (!tap_major) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const uint8_t *ohwi = filter->data;
  for (int32_t oc = 0; oc < s->output_c; oc++)
    for (int32_t t = 0; t < taps; t++)
      memcpy(tap_major + ((size_t)t * (size_t)s->output_c + (size_t)oc) * row_bytes,
             ohwi + ((size_t)oc * (size_t)taps + (size_t)t) * row_bytes, row_bytes);
  const SpryGemmLayout layout = {(size_t)k, 1};
  if (quantized(f)) {
    const bool u8 = f->type == SPRY_CONV_KERNEL_U8;
    /* As in the reference, only uint8 weights have an offset. */
    spry_qgemm_pack(kernels, f->columns, k, tap_major, layout, u8,
                    u8 ? f->params.filter_offset : 0, f->packed);
  } else {
    spry_fgemm_pack(f->columns, k, (const float *)tap_major, layout, f->packed);
  }
  free(tap_major);
  return SPRY_OK;
}

/* How many accumulators one run of the requantization covers: a pixel's
 * channels, or, with fewer channels than a vector, whole pixels up to a
 * multiple of NR (the least common multiple), so that small channel counts
 * still requantize NR values per call. */
static int32_t requant_span(int32_t channels) {
  if (channels >= SPRY_GEMM_NR) return channels;
  int32_t span = channels;
  while (span % SPRY_GEMM_NR) span += channels;
  return span;
}

/* The output stage of CONV_2D's fast path, per requantization column j
 * (channel j % output_c): bias, multiplier and shift (uint8's single ones
 * repeated), zero-padded to whole blocks. */
static SpryStatus prepare_quantized_output(SpryContext *ctx, SpryTconvFast *f,
                                           const SpryTensor *bias) {
  const int32_t channels = f->shapes.output_c;
  f->requant_span = requant_span(channels);
  const size_t padded = (size_t)column_blocks(f->requant_span) * SPRY_GEMM_NR;
  int32_t *table = spry_context_alloc_persistent(ctx, 3 * padded * sizeof *table);
  if (!table) return SPRY_ERROR_OUT_OF_MEMORY;
  int32_t *bias32 = table, *multiplier = table + padded, *shift = table + 2 * padded;
  const SpryConvParams *p = &f->params;
  const bool per_tensor = f->type == SPRY_CONV_KERNEL_U8;
  for (int32_t j = 0; j < f->requant_span; j++) {
    const int32_t c = j % channels;
    bias32[j] = bias ? ((const int32_t *)bias->data)[c] : 0;
    multiplier[j] = per_tensor ? p->output_multiplier : p->channel_multiplier[c];
    shift[j] = per_tensor ? p->output_shift : p->channel_shift[c];
  }
  f->output = (SpryQgemmOutput){.bias = bias32,
                                .multiplier = multiplier,
                                .shift = shift,
                                .output_offset = p->output_offset,
                                .act_min = p->act_min,
                                .act_max = p->act_max,
                                .is_u8 = per_tensor};
  return SPRY_OK;
}

/* Whether the node fits the fast path at all. */
static bool applies(const SpryTconvFast *f, const SpryTensor *filter, const SpryTensor *bias) {
  const SpryConvShapes *s = &f->shapes;
  if (f->type != SPRY_CONV_KERNEL_F32 && f->type != SPRY_CONV_KERNEL_U8 &&
      f->type != SPRY_CONV_KERNEL_S8)
    return false;
  /* Weights are packed, quantized biases folded in, once at prepare. */
  if (filter->kind != SPRY_TENSOR_CONSTANT) return false;
  if (quantized(f) && bias && bias->kind != SPRY_TENSOR_CONSTANT) return false;
  if (s->filter_c != s->input_c) return false;
  if (quantized(f)) {
    /* The vector requantization needs shifts within [-31, 31]. */
    const bool per_tensor = f->type == SPRY_CONV_KERNEL_U8;
    for (int32_t c = 0; c < (per_tensor ? 1 : s->output_c); c++) {
      const int shift = per_tensor ? f->params.output_shift : f->params.channel_shift[c];
      if (shift < -31 || shift > 31) return false;
    }
  }
  const int64_t columns = (int64_t)s->filter_h * s->filter_w * s->output_c;
  const size_t outputs = spry_shape_element_count(
      4, (const int32_t[4]){s->batches, s->output_h, s->output_w, s->output_c});
  return columns <= INT32_MAX && s->input_c <= INT32_MAX / 2 && outputs > 0;
}

/* Input pixels per A tile, a multiple of MR. */
static int32_t tile_pixels(size_t row_bytes) {
  size_t pixels = TILE_BYTES / (row_bytes ? row_bytes : 1);
  if (pixels > MAX_TILE_PIXELS) pixels = MAX_TILE_PIXELS;
  pixels -= pixels % SPRY_GEMM_MR;
  return pixels < SPRY_GEMM_MR ? SPRY_GEMM_MR : (int32_t)pixels;
}

/* Scratch of the 8-bit types: a widened A tile per thread and the int32
 * accumulator plane. Float reads A from the input and adds into the
 * output: it needs none. */
static SpryStatus request_scratch(SpryContext *ctx, SpryTconvFast *f) {
  const SpryConvShapes *s = &f->shapes;
  const size_t row_bytes = spry_qgemm_row_values(s->input_c) * sizeof(int16_t);
  f->slot_bytes = ((size_t)f->tile_pixels * row_bytes + 63) & ~(size_t)63;
  SPRY_TRY(
      spry_context_request_scratch(ctx, f->slot_bytes * (size_t)f->threads, &f->tiles_scratch));
  const size_t outputs = spry_shape_element_count(
      4, (const int32_t[4]){s->batches, s->output_h, s->output_w, s->output_c});
  SPRY_ENSURE_MSG(ctx, outputs <= SIZE_MAX / sizeof(int32_t), SPRY_ERROR_INVALID_MODEL,
                  "output too large");
  return spry_context_request_scratch(ctx, outputs * sizeof(int32_t), &f->plane_scratch);
}

SpryStatus spry_tconv_fast_prepare(SpryContext *ctx, SpryTconvFast *f, SpryConvKernel type,
                                   const SpryConvParams *params, const SpryConvShapes *shapes,
                                   const SpryTensor *filter, const SpryTensor *bias) {
  memset(f, 0, sizeof *f);
  f->type = type;
  f->params = *params;
  f->shapes = *shapes;
  f->tiles_scratch = f->plane_scratch = -1;
  const SpryGemmKernels *kernels = spry_gemm_kernels(spry_context_isa(ctx));
  if (!kernels || !applies(f, filter, bias)) return SPRY_OK;
  f->columns = shapes->filter_h * shapes->filter_w * shapes->output_c;
  f->threads = spry_context_num_threads(ctx);
  SPRY_TRY(pack_weights(ctx, f, kernels, filter));
  if (quantized(f)) {
    SPRY_TRY(prepare_quantized_output(ctx, f, bias));
    f->tile_pixels = tile_pixels(spry_qgemm_row_values(shapes->input_c) * sizeof(int16_t));
    SPRY_TRY(request_scratch(ctx, f));
  } else {
    f->tile_pixels = tile_pixels((size_t)shapes->input_c * sizeof(float));
  }
  f->kernels = kernels;
  f->requant_row = spry_qgemm_requant_kernel(spry_context_isa(ctx));
  return SPRY_OK;
}

/* ---- invoke ------------------------------------------------------------------- */

typedef struct TconvJob {
  const SpryTconvFast *f;
  const void *input;
  const float *bias;
  void *output;
  uint8_t *tiles;
  uint32_t *plane; /* quantized; unsigned: the sums wrap like TFLite's int32 ones */
} TconvJob;

/* Output rows [y0, y1) of batch b: a work item's accumulators. */
typedef struct Band {
  int32_t b, y0, y1;
} Band;

/* Input row iy's GEMM: `pixels` pixels from x0, the tap-major columns
 * [begin, end) (the taps landing in the band), added to the output from
 * row y0 = iy * stride_h - pad_h on (filter row 0, possibly outside). */
typedef struct RowTile {
  int32_t iy, x0, pixels;
  int32_t begin, end;
  int64_t y0;
} RowTile;

/* The columns of one tap inside a column block: `len` output channels,
 * GEMM values from `src`, added at `offset` from the accumulator of
 * filter tap (0, 0) and channel 0 — the offset of tap (ky, kx) and its
 * first channel. */
typedef struct TapRun {
  int32_t kx, src, len;
  int64_t offset;
} TapRun;

static size_t pixel_index(int32_t h, int32_t w, int32_t b, int64_t y, int64_t x) {
  return ((size_t)b * (size_t)h + (size_t)y) * (size_t)w + (size_t)x;
}

/* Splits columns [j0, j1) of the block from col0 into runs of one tap each;
 * returns how many (at most NR). Computed once per block, so the scatter
 * of every pixel needs no division. */
static int32_t tap_runs(const SpryTconvFast *f, int32_t col0, int32_t j0, int32_t j1,
                        TapRun runs[SPRY_GEMM_NR]) {
  const SpryConvShapes *s = &f->shapes;
  const int32_t channels = s->output_c, t = j0 / channels;
  int32_t ky = t / s->filter_w, kx = t % s->filter_w, oc = j0 - t * channels, n = 0;
  for (int32_t j = j0; j < j1; n++) {
    const int32_t len = min_i32(channels - oc, j1 - j);
    runs[n] = (TapRun){.kx = kx,
                       .src = j - col0,
                       .len = len,
                       .offset = ((int64_t)ky * s->output_w + kx) * channels + oc};
    j += len;
    oc = 0;
    if (++kx == s->filter_w) {
      kx = 0;
      ky++;
    }
  }
  return n;
}

/* Adds one GEMM row (`values`: int32 or float) of input column ix into the
 * accumulators, run by run; a run whose tap lands left or right of the
 * output is dropped (the band's rows always hold it). */
static void scatter(const SpryTconvFast *f, const Band *band, const RowTile *rt, int32_t ix,
                    const TapRun *runs, int32_t n_runs, const void *values, void *acc) {
  const SpryConvShapes *s = &f->shapes;
  const int64_t x0 = (int64_t)ix * f->params.stride_w - f->params.pad_w;
  /* The accumulator of tap (0, 0), channel 0: possibly outside the output. */
  const int64_t base = (((int64_t)band->b * s->output_h + rt->y0) * s->output_w + x0) * s->output_c;
  for (int32_t r = 0; r < n_runs; r++) {
    const TapRun *run = &runs[r];
    if (x0 + run->kx < 0 || x0 + run->kx >= s->output_w) continue;
    const size_t at = (size_t)(base + run->offset);
    if (quantized(f)) {
      const int32_t *v = (const int32_t *)values + run->src;
      uint32_t *dst = (uint32_t *)acc + at;
      for (int32_t i = 0; i < run->len; i++) dst[i] += (uint32_t)v[i];
    } else {
      const float *v = (const float *)values + run->src;
      float *dst = (float *)acc + at;
      for (int32_t i = 0; i < run->len; i++) dst[i] += v[i];
    }
  }
}

/* n values widened to int16 with the input offset added, zero past n up to
 * the pair. */
static void widen_row(const SpryTconvFast *f, const void *input, size_t at, int16_t *dst) {
  const int32_t n = f->shapes.input_c, offset = f->params.input_offset;
  if (f->type == SPRY_CONV_KERNEL_U8) {
    const uint8_t *src = (const uint8_t *)input + at;
    for (int32_t c = 0; c < n; c++) dst[c] = (int16_t)(src[c] + offset);
  } else {
    const int8_t *src = (const int8_t *)input + at;
    for (int32_t c = 0; c < n; c++) dst[c] = (int16_t)(src[c] + offset);
  }
  if (n % 2) dst[n] = 0;
}

/* A's rows for the tile: float reads the input itself (a pixel's channels
 * are a row); 8-bit widens them into the thread's slot. */
static const void *a_rows(const TconvJob *job, const Band *band, const RowTile *rt, int16_t *slot,
                          size_t *a_stride) {
  const SpryTconvFast *f = job->f;
  const SpryConvShapes *s = &f->shapes;
  const size_t first = pixel_index(s->input_h, s->input_w, band->b, rt->iy, rt->x0);
  if (!quantized(f)) {
    *a_stride = (size_t)s->input_c;
    return (const float *)job->input + first * (size_t)s->input_c;
  }
  *a_stride = spry_qgemm_row_values(s->input_c);
  for (int32_t r = 0; r < rt->pixels; r++)
    widen_row(f, job->input, (first + (size_t)r) * (size_t)s->input_c,
              slot + (size_t)r * *a_stride);
  return slot;
}

/* One register tile of GEMM results: float without bias or clamp, or the
 * int32 sums. */
typedef union GemmTile {
  float f[SPRY_GEMM_MR][SPRY_GEMM_NR];
  int32_t q[SPRY_GEMM_MR][SPRY_GEMM_NR];
} GemmTile;

static void multiply_group(const SpryTconvFast *f, int32_t mr, int32_t nr, const void *a,
                           size_t a_stride, int32_t blk, GemmTile *tile) {
  static const float zeros[SPRY_GEMM_NR] = {0};
  const int32_t k = f->shapes.input_c;
  if (quantized(f)) {
    const int32_t k_pairs = (int32_t)(a_stride / 2);
    const size_t block_values = (size_t)k_pairs * SPRY_GEMM_NR * 2;
    const int16_t *b = (const int16_t *)f->packed + (size_t)blk * block_values;
    f->kernels->qgemm_acc(mr, k_pairs, a, a_stride, b, tile->q);
  } else {
    const float *b = (const float *)f->packed + (size_t)blk * (size_t)k * SPRY_GEMM_NR;
    f->kernels->fgemm(mr, nr, k, a, a_stride, 1, 0, b, zeros, -INFINITY, INFINITY,
                      &tile->f[0][0], SPRY_GEMM_NR);
  }
}

/* The tile's GEMM, column block by column block, each result row
 * scattered as soon as it is computed. */
static void multiply(const TconvJob *job, const Band *band, const RowTile *rt, int16_t *slot) {
  const SpryTconvFast *f = job->f;
  size_t a_stride;
  const void *a = a_rows(job, band, rt, slot, &a_stride);
  const size_t value_bytes = quantized(f) ? sizeof(int16_t) : sizeof(float);
  void *acc = quantized(f) ? (void *)job->plane : job->output;
  TapRun runs[SPRY_GEMM_NR];
  GemmTile tile;
  for (int32_t blk = rt->begin / SPRY_GEMM_NR; blk * SPRY_GEMM_NR < rt->end; blk++) {
    const int32_t col0 = blk * SPRY_GEMM_NR, j1 = min_i32(col0 + SPRY_GEMM_NR, rt->end);
    const int32_t n_runs = tap_runs(f, col0, col0 > rt->begin ? col0 : rt->begin, j1, runs);
    for (int32_t r = 0; r < rt->pixels; r += SPRY_GEMM_MR) {
      const int32_t mr = min_i32(SPRY_GEMM_MR, rt->pixels - r);
      multiply_group(f, mr, j1 - col0, (const uint8_t *)a + (size_t)r * a_stride * value_bytes,
                     a_stride, blk, &tile);
      for (int32_t i = 0; i < mr; i++)
        scatter(f, band, rt, rt->x0 + r + i, runs, n_runs,
                quantized(f) ? (const void *)tile.q[i] : (const void *)tile.f[i], acc);
    }
  }
}

/* First accumulator of the band and how many it has. */
static size_t band_start(const SpryTconvFast *f, const Band *band) {
  const SpryConvShapes *s = &f->shapes;
  return pixel_index(s->output_h, s->output_w, band->b, band->y0, 0) * (size_t)s->output_c;
}

static size_t band_values(const SpryTconvFast *f, const Band *band) {
  const SpryConvShapes *s = &f->shapes;
  return (size_t)(band->y1 - band->y0) * (size_t)s->output_w * (size_t)s->output_c;
}

/* Bias and activation as the reference applies them: the bias (0 without
 * one) added to every sum, then the clamp. */
static void finish_f32(const TconvJob *job, const Band *band) {
  const SpryTconvFast *f = job->f;
  const int32_t channels = f->shapes.output_c;
  const float lo = f->params.act_min_f, hi = f->params.act_max_f;
  float *out = (float *)job->output + band_start(f, band);
  const size_t count = band_values(f, band);
  int32_t c = 0;
  for (size_t i = 0; i < count; i++) {
    out[i] = spry_clamp_f32(out[i] + (job->bias ? job->bias[c] : 0.0f), lo, hi);
    if (++c == channels) c = 0;
  }
}

/* CONV_2D's requantization, NR values at a time over rows of
 * f->requant_span values (whole pixels, see prepare_quantized_output). */
static void finish_q(const TconvJob *job, const Band *band) {
  const SpryTconvFast *f = job->f;
  const size_t start = band_start(f, band), count = band_values(f, band);
  const size_t span = (size_t)f->requant_span;
  uint8_t *out = (uint8_t *)job->output + start;
  const int32_t *acc = (const int32_t *)(job->plane + start);
  for (size_t p = 0; p < count; p += span)
    for (size_t c = 0; c < span && p + c < count; c += SPRY_GEMM_NR) {
      const size_t left = span - c < count - p - c ? span - c : count - p - c;
      f->requant_row(left < SPRY_GEMM_NR ? (int32_t)left : SPRY_GEMM_NR, acc + p + c,
                     &f->output, (int32_t)c, out + p + c);
    }
}

/* Every input row with taps in the band, a tile of pixels at a time, then
 * the output stage. */
static void run_band(const TconvJob *job, const Band *band, int16_t *slot) {
  const SpryTconvFast *f = job->f;
  const SpryConvShapes *s = &f->shapes;
  const size_t start = band_start(f, band), count = band_values(f, band);
  if (quantized(f))
    memset(job->plane + start, 0, count * sizeof *job->plane);
  else
    memset((float *)job->output + start, 0, count * sizeof(float));
  const int32_t tap_row = s->filter_w * s->output_c; /* columns per filter row */
  for (int32_t iy = 0; iy < s->input_h; iy++) {
    const int64_t y0 = (int64_t)iy * f->params.stride_h - f->params.pad_h;
    const int64_t ky0 = band->y0 - y0 > 0 ? band->y0 - y0 : 0;
    const int64_t ky1 = band->y1 - y0 < s->filter_h ? band->y1 - y0 : s->filter_h;
    if (ky0 >= ky1) continue;
    RowTile rt = {
        .iy = iy, .begin = (int32_t)ky0 * tap_row, .end = (int32_t)ky1 * tap_row, .y0 = y0};
    for (rt.x0 = 0; rt.x0 < s->input_w; rt.x0 += f->tile_pixels) {
      rt.pixels = min_i32(f->tile_pixels, s->input_w - rt.x0);
      multiply(job, band, &rt, slot);
    }
  }
  if (quantized(f))
    finish_q(job, band);
  else
    finish_f32(job, band);
}

/* Work item t: its share of all batches' output rows, a band per batch. */
static void run_share(void *arg, int32_t t) {
  const TconvJob *job = arg;
  const SpryTconvFast *f = job->f;
  const int32_t height = f->shapes.output_h;
  size_t row, end;
  spry_work_share((size_t)f->shapes.batches * (size_t)height, t, f->threads, &row, &end);
  int16_t *slot = job->tiles ? (int16_t *)(job->tiles + (size_t)t * f->slot_bytes) : NULL;
  while (row < end) {
    Band band = {.b = (int32_t)(row / (size_t)height), .y0 = (int32_t)(row % (size_t)height)};
    const size_t left = end - row, room = (size_t)(height - band.y0);
    band.y1 = band.y0 + (int32_t)(left < room ? left : room);
    run_band(job, &band, slot);
    row += (size_t)(band.y1 - band.y0);
  }
}

void spry_tconv_fast_run(SpryContext *ctx, const SpryTconvFast *f, const void *input,
                         const float *bias, void *output) {
  TconvJob job = {.f = f, .input = input, .bias = bias, .output = output};
  if (quantized(f)) {
    job.tiles = spry_context_scratch(ctx, f->tiles_scratch);
    job.plane = spry_context_scratch(ctx, f->plane_scratch);
  }
  spry_context_parallel_for(ctx, f->threads, run_share, &job);
}
