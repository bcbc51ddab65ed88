/* SPDX-License-Identifier: Apache-2.0 */
/* conv_gemm.c — CONV_2D / FULLY_CONNECTED on the GEMM micro-kernels (see conv_gemm.h). */
#include "conv_gemm.h"

#include <string.h>

#include "cpu_isa.h"
#include "kernel_util.h"
#include "quantization.h"
#include "small_copy.h"
#include "work_share.h"

/* Target size of one thread's gathered tile: small enough to stay in L2
 * next to a block of weights. */
#define TILE_BYTES (64 * 1024)
/* The same where A is the input itself (no copy, no scratch): each tile
 * reads all of B, which for a large layer lives in L3 (DeepLab's
 * 960 x 320 float weights are 1.2 MB), so a tile of more rows reads it
 * fewer times. */
#define DIRECT_TILE_BYTES (256 * 1024)
#define MAX_TILE_ROWS 64

static int32_t column_blocks(int32_t n) { return (n + SPRY_GEMM_NR - 1) / SPRY_GEMM_NR; }

/* Whether threads share the columns rather than the rows: whichever
 * leaves the busiest thread fewer micro-kernel calls (rows go in whole
 * calls, columns in whole blocks). Columns must win by a sixteenth, as
 * every thread then gathers every patch. At 2 threads a 7x7 layer's 13
 * calls of rows went 7 and 6; its 60 column blocks go 30 and 30. */
static bool split_by_columns(int32_t rows, int32_t row_step, int32_t blocks, int32_t threads) {
  const int64_t calls = ((int64_t)rows + row_step - 1) / row_step;
  const int64_t by_rows = (calls + threads - 1) / threads * blocks;
  const int64_t by_columns = ((int64_t)blocks + threads - 1) / threads * calls;
  return 16 * by_columns < 15 * by_rows;
}

/* Bytes of one A row in the layout of the node's kernels. */
static size_t a_row_bytes(const SpryConvGemm *g) {
  if (g->type == SPRY_CONV_KERNEL_F32) return (size_t)g->depth * sizeof(float);
  if (g->bytes) return spry_qgemm8_row_bytes(g->depth);
  return spry_qgemm_row_values(g->depth) * sizeof(int16_t);
}

/* Whether a quantized node runs on the 8-bit layout: the variant has it,
 * and the input's zero point, which fills the padding, is a value of the
 * input type. */
static bool uses_bytes(const SpryGemmKernels *kernels, SpryConvKernel type,
                       const SpryConvParams *p) {
  if (type == SPRY_CONV_KERNEL_F32 || !kernels->qgemm8_acc) return false;
  const int32_t zero_point = -p->input_offset;
  return type == SPRY_CONV_KERNEL_U8 ? zero_point >= 0 && zero_point <= 255
                                     : zero_point >= -128 && zero_point <= 127;
}

/* Per-column requantization: every column gets its multiplier and shift
 * (uint8's single one repeated), their shift constants and its bias,
 * zero-padded to whole blocks. */
static SpryStatus prepare_quantized_output(SpryContext *ctx, SpryConvGemm *g,
                                           const SpryTensor *bias) {
  const size_t columns = (size_t)column_blocks(g->shapes.output_c) * SPRY_GEMM_NR;
  const size_t values = 3 * columns + spry_qgemm_shifts_values(columns);
  int32_t *table = spry_context_alloc_persistent(ctx, values * sizeof *table);
  if (!table) return SPRY_ERROR_OUT_OF_MEMORY;
  int32_t *bias32 = table, *multiplier = table + columns, *shift = table + 2 * columns;
  const SpryConvParams *p = &g->params;
  for (int32_t c = 0; c < g->shapes.output_c; c++) {
    bias32[c] = bias ? ((const int32_t *)bias->data)[c] : 0;
    if (g->requant == SPRY_GEMM_REQUANT_FIXED_POINT) {
      const bool per_tensor = g->type == SPRY_CONV_KERNEL_U8;
      multiplier[c] = per_tensor ? p->output_multiplier : p->channel_multiplier[c];
      shift[c] = per_tensor ? p->output_shift : p->channel_shift[c];
    }
  }
  g->output = (SpryQgemmOutput){.bias = bias32,
                                .multiplier = multiplier,
                                .shift = shift,
                                .output_offset = p->output_offset,
                                .act_min = p->act_min,
                                .act_max = p->act_max,
                                .is_u8 = g->type == SPRY_CONV_KERNEL_U8};
  if (g->requant == SPRY_GEMM_REQUANT_FIXED_POINT)
    spry_qgemm_shifts_derive(columns, shift, table + 3 * columns, &g->output.shifts);
  return SPRY_OK;
}

static SpryStatus prepare_float_output(SpryContext *ctx, SpryConvGemm *g, const SpryTensor *bias) {
  const size_t columns = (size_t)column_blocks(g->shapes.output_c) * SPRY_GEMM_NR;
  g->bias_f = spry_context_alloc_persistent(ctx, columns * sizeof *g->bias_f);
  if (!g->bias_f) return SPRY_ERROR_OUT_OF_MEMORY;
  for (int32_t c = 0; bias && c < g->shapes.output_c; c++)
    g->bias_f[c] = ((const float *)bias->data)[c];
  return SPRY_OK;
}

static SpryStatus pack_weights(SpryContext *ctx, SpryConvGemm *g, const SpryGemmKernels *kernels,
                               const SpryTensor *filter) {
  const int32_t n = g->shapes.output_c, k = g->depth;
  const bool quantized = g->type != SPRY_CONV_KERNEL_F32;
  const bool is_u8 = g->type == SPRY_CONV_KERNEL_U8;
  const size_t bytes = !quantized ? spry_fgemm_packed_bytes(n, k)
                       : g->bytes ? spry_qgemm8_packed_bytes(n, k)
                                  : spry_qgemm_packed_bytes(n, k);
  g->packed = spry_context_alloc_persistent(ctx, bytes);
  if (!g->packed) return SPRY_ERROR_OUT_OF_MEMORY;
  /* Depthwise filters with one input channel are [1, H, W, n]. */
  const SpryGemmLayout layout = g->depthwise ? (SpryGemmLayout){1, (size_t)n}
                                             : (SpryGemmLayout){(size_t)k, 1};
  if (!quantized)
    spry_fgemm_pack(n, k, filter->data, layout, g->packed);
  else if (g->bytes)
    spry_qgemm8_pack(n, k, filter->data, layout, is_u8, g->params.filter_offset,
                     g->params.input_offset, g->packed);
  else
    spry_qgemm_pack(kernels, n, k, filter->data, layout, is_u8, g->params.filter_offset,
                    g->packed);
  return SPRY_OK;
}

/* Whether the node fits the fast path at all. */
static bool applies(const SpryConvGemm *g, SpryConvKernel type, const SpryTensor *filter,
                    const SpryTensor *bias) {
  const SpryConvShapes *s = &g->shapes;
  if (type != SPRY_CONV_KERNEL_F32 && type != SPRY_CONV_KERNEL_U8 && type != SPRY_CONV_KERNEL_S8)
    return false;
  if (filter->kind != SPRY_TENSOR_CONSTANT || (bias && bias->kind != SPRY_TENSOR_CONSTANT))
    return false;
  if (s->filter_c != s->input_c) return false; /* grouped convolution */
  if (g->depthwise && s->input_c != 1) return false;
  if (g->requant == SPRY_GEMM_REQUANT_FIXED_POINT && type != SPRY_CONV_KERNEL_F32) {
    /* The vector requantization needs shifts within [-31, 31]. */
    for (int32_t c = 0; c < (type == SPRY_CONV_KERNEL_U8 ? 1 : s->output_c); c++) {
      const int shift = type == SPRY_CONV_KERNEL_U8 ? g->params.output_shift
                                                     : g->params.channel_shift[c];
      if (shift < -31 || shift > 31) return false;
    }
  }
  const int64_t depth = (int64_t)s->filter_h * s->filter_w * s->filter_c;
  const int64_t rows = (int64_t)s->batches * s->output_h * s->output_w;
  return depth <= INT32_MAX / 2 && rows <= INT32_MAX;
}

SPRY_PREPARE_CODE
SpryStatus spry_conv_gemm_prepare(SpryContext *ctx, SpryConvGemm *g, SpryConvKernel type,
                                  SpryGemmRequant requant, const SpryConvParams *params,
                                  const SpryConvShapes *shapes, const SpryFullyConnectedParams *fc,
                                  const SpryTensor *filter, const SpryTensor *bias) {
  const bool depthwise = g->depthwise;
  memset(g, 0, sizeof *g);
  g->depthwise = depthwise;
  const SpryGemmKernels *kernels = spry_gemm_kernels(spry_context_isa(ctx));
  g->type = type;
  g->requant = requant;
  g->params = *params;
  g->shapes = *shapes;
  g->fc = fc;
  if (!kernels || !applies(g, type, filter, bias)) return SPRY_OK;
  const SpryConvShapes *s = shapes;
  g->depth = s->filter_h * s->filter_w * s->filter_c;
  g->rows = s->batches * s->output_h * s->output_w;
  if (g->rows == 0) return SPRY_OK;
  g->bytes = uses_bytes(kernels, type, params);
  /* A pointwise convolution's patches are the input's pixels: in the float
   * and 8-bit layouts (whole quads) they need no gathering. */
  const bool pointwise = s->filter_h == 1 && s->filter_w == 1 && params->stride_h == 1 &&
                         params->stride_w == 1 && params->pad_h == 0 && params->pad_w == 0;
  g->direct = pointwise && (type == SPRY_CONV_KERNEL_F32 || (g->bytes && g->depth % 4 == 0));
  g->widen_whole = pointwise && type != SPRY_CONV_KERNEL_F32 && !g->bytes && g->depth % 2 == 0;
  SPRY_TRY(pack_weights(ctx, g, kernels, filter));
  if (type == SPRY_CONV_KERNEL_F32)
    SPRY_TRY(prepare_float_output(ctx, g, bias));
  else
    SPRY_TRY(prepare_quantized_output(ctx, g, bias));

  const size_t row_bytes = a_row_bytes(g);
  size_t tile_rows = (g->direct ? DIRECT_TILE_BYTES : TILE_BYTES) / (row_bytes ? row_bytes : 1);
  if (tile_rows > MAX_TILE_ROWS) tile_rows = MAX_TILE_ROWS;
  /* Whole kernel calls: a tile of 64 float rows ended in a call of 4 rows
   * on AVX2 (6 a call), whose fewer independent sums leave the FMA units
   * waiting. */
  const size_t step = (size_t)(type == SPRY_CONV_KERNEL_F32 ? kernels->fgemm_rows : SPRY_GEMM_MR);
  tile_rows -= tile_rows % step;
  if (tile_rows < step) tile_rows = step;
  g->tile_rows = (int32_t)tile_rows;
  g->row_step = (int32_t)step;
  const int32_t threads = spry_context_num_threads(ctx);
  g->shares = spry_work_shares(threads);
  g->split_columns = split_by_columns(g->rows, g->row_step, column_blocks(s->output_c), threads);
  g->slot_bytes = (tile_rows * row_bytes + 63) & ~(size_t)63;
  if (!g->direct)
    SPRY_TRY(spry_context_request_scratch(ctx, g->slot_bytes * (size_t)g->shares, &g->scratch));
  g->kernels = kernels;
  return SPRY_OK;
}

/* ---- invoke ------------------------------------------------------------------ */

typedef struct GemmJob {
  const SpryConvGemm *g;
  const void *input;
  void *output;
  uint8_t *scratch;
} GemmJob;

/* Where output row m's patch starts in the input: the batch and the
 * coordinates of its top-left tap (possibly in the padding). */
typedef struct PatchOrigin {
  size_t batch_offset; /* first value of the batch's image */
  int64_t y, x;
} PatchOrigin;

static PatchOrigin patch_origin(const SpryConvGemm *g, int32_t m) {
  const SpryConvShapes *s = &g->shapes;
  const SpryConvParams *p = &g->params;
  const int32_t ox = m % s->output_w, oy = (m / s->output_w) % s->output_h;
  const int32_t b = m / (s->output_w * s->output_h);
  return (PatchOrigin){
      .batch_offset = (size_t)b * (size_t)s->input_h * (size_t)s->input_w * (size_t)s->input_c,
      .y = (int64_t)oy * p->stride_h - p->pad_h,
      .x = (int64_t)ox * p->stride_w - p->pad_w,
  };
}

/* The origin of row m + 1 from row m's, without patch_origin's divisions
 * (which cost more than the gather of a small patch). */
static void next_origin(const SpryConvGemm *g, PatchOrigin *o) {
  const SpryConvShapes *s = &g->shapes;
  const SpryConvParams *p = &g->params;
  o->x += p->stride_w;
  if (o->x + p->pad_w < (int64_t)s->output_w * p->stride_w) return;
  o->x = -p->pad_w;
  o->y += p->stride_h;
  if (o->y + p->pad_h < (int64_t)s->output_h * p->stride_h) return;
  o->y = -p->pad_h;
  o->batch_offset += (size_t)s->input_h * (size_t)s->input_w * (size_t)s->input_c;
}

/* Whether every tap of the patch lies inside the image, its filter rows
 * contiguous runs of input values (no dilation along x). */
static bool patch_inside(const SpryConvGemm *g, const PatchOrigin *o) {
  const SpryConvShapes *s = &g->shapes;
  const SpryConvParams *p = &g->params;
  if (p->dilation_w != 1 && s->filter_w != 1) return false;
  return o->y >= 0 && o->y + (int64_t)(s->filter_h - 1) * p->dilation_h < s->input_h &&
         o->x >= 0 && o->x + s->filter_w <= s->input_w;
}

/* How many patches from o's on, at most `limit`, lie inside the image
 * along o's output row, given that o's does: counted, not walked patch by
 * patch, which cost a 3-channel first layer a quarter of its time. */
static int32_t inside_run(const SpryConvGemm *g, const PatchOrigin *o, int32_t limit) {
  const SpryConvShapes *s = &g->shapes;
  const int64_t stride = g->params.stride_w;
  const int64_t left_in_row = s->output_w - (o->x + g->params.pad_w) / stride;
  const int64_t fit = (s->input_w - s->filter_w - o->x) / stride + 1;
  int64_t n = left_in_row < fit ? left_in_row : fit;
  return n < limit ? (int32_t)n : limit;
}

/* Index of the first channel of tap (ky, kx) of a patch, or -1 in the padding. */
static int64_t tap_index(const SpryConvGemm *g, const PatchOrigin *o, int32_t ky, int32_t kx) {
  const SpryConvShapes *s = &g->shapes;
  const int64_t iy = o->y + (int64_t)ky * g->params.dilation_h;
  const int64_t ix = o->x + (int64_t)kx * g->params.dilation_w;
  if (iy < 0 || iy >= s->input_h || ix < 0 || ix >= s->input_w) return -1;
  return (int64_t)o->batch_offset + (iy * s->input_w + ix) * s->input_c;
}

/* n values widened to int16 with the input offset added. Short runs (a
 * few channels) stay inline: a call per tap would cost more than the work. */
static void widen(const SpryConvGemm *g, const void *input, size_t at, int32_t n, int16_t *dst) {
  const bool u8 = g->type == SPRY_CONV_KERNEL_U8;
  const int32_t offset = g->params.input_offset;
  if (n >= 8) {
    g->kernels->qgemm_widen(n, (const uint8_t *)input + at, u8, offset, dst);
  } else if (u8) {
    const uint8_t *src = (const uint8_t *)input + at;
    for (int32_t i = 0; i < n; i++) dst[i] = (int16_t)(src[i] + offset);
  } else {
    const int8_t *src = (const int8_t *)input + at;
    for (int32_t i = 0; i < n; i++) dst[i] = (int16_t)(src[i] + offset);
  }
}

/* The taps [first, end) of filter row ky that fall inside the image, and
 * the input index of tap `first`. Without dilation along the row they are
 * one contiguous run of input values (first == end when the row lies in the
 * padding); with it, row_span returns false and the taps go one by one. */
typedef struct TapSpan {
  int32_t first, end;
  int64_t index;
} TapSpan;

static inline bool row_span(const SpryConvGemm *g, const PatchOrigin *o, int32_t ky,
                            TapSpan *span) {
  const SpryConvShapes *s = &g->shapes;
  if (g->params.dilation_w != 1 && s->filter_w != 1) return false;
  const int64_t iy = o->y + (int64_t)ky * g->params.dilation_h;
  span->first = span->end = 0;
  if (iy < 0 || iy >= s->input_h) return true;
  const int64_t first = o->x < 0 ? -o->x : 0;
  const int64_t end = s->input_w - o->x < s->filter_w ? s->input_w - o->x : s->filter_w;
  if (first >= end) return true;
  span->first = (int32_t)first;
  span->end = (int32_t)end;
  span->index = (int64_t)o->batch_offset + (iy * s->input_w + o->x + first) * s->input_c;
  return true;
}

/* A patch with every tap inside the image: one run of input values per
 * filter row. */
static uint8_t *copy_inside_patch(const SpryConvGemm *g, const uint8_t *input,
                                  const PatchOrigin *o, size_t value_size, uint8_t *row) {
  const SpryConvShapes *s = &g->shapes;
  const size_t run = (size_t)s->filter_w * (size_t)s->input_c * value_size;
  const size_t step = (size_t)g->params.dilation_h * (size_t)s->input_w * (size_t)s->input_c *
                      value_size;
  const uint8_t *src =
      input + (o->batch_offset + ((size_t)o->y * (size_t)s->input_w + (size_t)o->x) *
                                     (size_t)s->input_c) * value_size;
  for (int32_t ky = 0; ky < s->filter_h; ky++, row += run, src += step)
    spry_copy_bytes(row, src, run);
  return row;
}

/* A patch's values, `value_size` bytes each, with `fill` in every byte of a
 * value in the padding; returns the end of what it wrote. A patch that
 * reaches into the padding is filled whole first, then its in-image runs
 * copied over the fill: a few long stores rather than a short fill on
 * either side of every filter row. */
static uint8_t *gather_values(const SpryConvGemm *g, const uint8_t *input,
                              const PatchOrigin *origin, size_t value_size, uint8_t fill,
                              uint8_t *row) {
  if (patch_inside(g, origin)) return copy_inside_patch(g, input, origin, value_size, row);
  const SpryConvShapes *s = &g->shapes;
  const size_t tap_bytes = (size_t)s->input_c * value_size;
  const size_t row_bytes = (size_t)s->filter_w * tap_bytes;
  spry_fill_bytes(row, fill, (size_t)s->filter_h * row_bytes);
  for (int32_t ky = 0; ky < s->filter_h; ky++, row += row_bytes) {
    TapSpan span;
    if (row_span(g, origin, ky, &span)) {
      if (span.end > span.first)
        spry_copy_bytes(row + (size_t)span.first * tap_bytes,
                        input + (size_t)span.index * value_size,
                        (size_t)(span.end - span.first) * tap_bytes);
      continue;
    }
    for (int32_t kx = 0; kx < s->filter_w; kx++) {
      const int64_t tap = tap_index(g, origin, ky, kx);
      if (tap >= 0)
        spry_copy_bytes(row + (size_t)kx * tap_bytes, input + (size_t)tap * value_size, tap_bytes);
    }
  }
  return row;
}

/* A patch in the 8-bit layout: the input's bytes, its zero point in the
 * padding (which adds exactly zero once the offsets are applied), and
 * zeros past the depth to the end of the last quad. */
static void gather_byte_row(const SpryConvGemm *g, const void *input, const PatchOrigin *origin,
                            uint8_t *row) {
  const uint8_t zero_point = (uint8_t)-g->params.input_offset;
  uint8_t *end = gather_values(g, input, origin, 1, zero_point, row);
  spry_fill_bytes(end, 0, spry_qgemm8_row_bytes(g->depth) - (size_t)g->depth);
}

/* A patch in float values, zeros in the padding. */
static void gather_float_row(const SpryConvGemm *g, const void *input, const PatchOrigin *origin,
                             float *row) {
  gather_values(g, input, origin, sizeof(float), 0, (uint8_t *)row);
}

/* Patches of at most this many values are gathered as bytes and widened in
 * one call. */
enum { SMALL_PATCH = 256 };

/* Row m's patch as int16 values with the input offset added, zero in the
 * padding and past the depth. A small patch (a first layer's 3 x 3 x 3,
 * micro_speech's 10 x 8 x 1) is gathered as bytes, the zero point in the
 * padding, and widened in one call: a call per filter row of 8 or 9
 * values cost more than the widening.
 * Otherwise the in-image taps of a filter row are widened in one run,
 * which matters when there are few channels per tap. */
static void gather_quantized_row(const SpryConvGemm *g, const void *input,
                                 const PatchOrigin *origin, int16_t *row) {
  if (g->depth <= SMALL_PATCH) {
    uint8_t bytes[SMALL_PATCH];
    gather_values(g, input, origin, 1, (uint8_t)-g->params.input_offset, bytes);
    widen(g, bytes, 0, g->depth, row);
    if (g->depth % 2) row[g->depth] = 0;
    return;
  }
  const SpryConvShapes *s = &g->shapes;
  const size_t channels = (size_t)s->input_c;
  int16_t *at = row;
  for (int32_t ky = 0; ky < s->filter_h; ky++) {
    TapSpan span;
    if (row_span(g, origin, ky, &span)) {
      const size_t before = (size_t)span.first * channels;
      const size_t inside = (size_t)(span.end - span.first) * channels;
      const size_t after = (size_t)(s->filter_w - span.end) * channels;
      if (before) memset(at, 0, before * sizeof *at);
      if (inside) widen(g, input, (size_t)span.index, (int32_t)inside, at + before);
      if (after) memset(at + before + inside, 0, after * sizeof *at);
      at += before + inside + after;
      continue;
    }
    for (int32_t kx = 0; kx < s->filter_w; kx++, at += channels) {
      const int64_t tap = tap_index(g, origin, ky, kx);
      if (tap < 0)
        memset(at, 0, channels * sizeof *at);
      else
        widen(g, input, (size_t)tap, s->input_c, at);
    }
  }
  if (g->depth % 2) *at = 0;
}

/* TFLite's reference FULLY_CONNECTED output stage (double scales). */
static void requant_double_scale(const SpryConvGemm *g, int32_t n, const int32_t *acc,
                                 int32_t column, void *out) {
  for (int32_t c = 0; c < n; c++) {
    const int32_t j = column + c;
    const int32_t sum = (int32_t)((uint32_t)acc[c] + (uint32_t)g->output.bias[j]);
    const int32_t v = spry_fully_connected_requantize(g->fc, sum, j);
    if (g->output.is_u8)
      ((uint8_t *)out)[c] = (uint8_t)v;
    else
      ((int8_t *)out)[c] = (int8_t)v;
  }
}

/* Output columns a work item computes: all, or its share of the blocks. */
typedef struct ColumnRange {
  int32_t begin, end;
} ColumnRange;

/* Output rows [m, m + mr), columns [col, col + nr), from a tile's sums. */
static void requantize_tile(const SpryConvGemm *g, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                            int32_t mr, int32_t m, int32_t col, int32_t nr, void *output) {
  const size_t n = (size_t)g->shapes.output_c;
  uint8_t *out = (uint8_t *)output + ((size_t)m * n + (size_t)col);
  if (g->requant == SPRY_GEMM_REQUANT_FIXED_POINT) {
    g->kernels->qgemm_requant_tile(mr, nr, acc, &g->output, col, out, n);
    return;
  }
  for (int32_t i = 0; i < mr; i++) requant_double_scale(g, nr, acc[i], col, out + (size_t)i * n);
}

static void multiply_quantized_tile(const SpryConvGemm *g, const int16_t *a, int32_t m0,
                                    int32_t rows, ColumnRange cols, void *output) {
  const int32_t n = g->shapes.output_c;
  const int32_t k_pairs = (int32_t)(spry_qgemm_row_values(g->depth) / 2);
  const size_t block_values = (size_t)k_pairs * SPRY_GEMM_NR * 2;
  const size_t a_stride = spry_qgemm_row_values(g->depth);
  int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR];
  const bool fused =
      g->kernels->qgemm_column != NULL && g->requant == SPRY_GEMM_REQUANT_FIXED_POINT;
  for (int32_t col = cols.begin; col < cols.end; col += SPRY_GEMM_NR) {
    const int16_t *b = (const int16_t *)g->packed + (size_t)(col / SPRY_GEMM_NR) * block_values;
    const int32_t nr = n - col < SPRY_GEMM_NR ? n - col : SPRY_GEMM_NR;
    if (fused) {
      uint8_t *out = (uint8_t *)output + ((size_t)m0 * (size_t)n + (size_t)col);
      g->kernels->qgemm_column(rows, nr, k_pairs, a, a_stride, b, &g->output, col, out,
                               (size_t)n);
      continue;
    }
    for (int32_t r = 0; r < rows; r += SPRY_GEMM_MR) {
      const int32_t mr = rows - r < SPRY_GEMM_MR ? rows - r : SPRY_GEMM_MR;
      g->kernels->qgemm_acc(mr, k_pairs, a + (size_t)r * a_stride, a_stride, b, acc);
      requantize_tile(g, acc, mr, m0 + r, col, nr, output);
    }
  }
}

/* The same in the 8-bit layout; a_stride is the rows' byte stride. */
static void multiply_byte_tile(const SpryConvGemm *g, const uint8_t *a, size_t a_stride,
                               int32_t m0, int32_t rows, ColumnRange cols, void *output) {
  const int32_t n = g->shapes.output_c;
  const int32_t k_quads = (int32_t)(spry_qgemm8_row_bytes(g->depth) / 4);
  const size_t block_bytes = spry_qgemm8_block_bytes(g->depth);
  int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR];
  uint32_t row_sums[MAX_TILE_ROWS]; /* rows <= tile_rows <= MAX_TILE_ROWS */
  g->kernels->qgemm8_row_sums(rows, 4 * (size_t)k_quads, a, a_stride, g->output.is_u8, row_sums);
  const bool fused =
      g->kernels->qgemm8_column != NULL && g->requant == SPRY_GEMM_REQUANT_FIXED_POINT;
  for (int32_t col = cols.begin; col < cols.end; col += SPRY_GEMM_NR) {
    const uint8_t *b = (const uint8_t *)g->packed + (size_t)(col / SPRY_GEMM_NR) * block_bytes;
    const int32_t nr = n - col < SPRY_GEMM_NR ? n - col : SPRY_GEMM_NR;
    if (fused) {
      uint8_t *out = (uint8_t *)output + ((size_t)m0 * (size_t)n + (size_t)col);
      g->kernels->qgemm8_column(rows, nr, k_quads, a, a_stride, b, row_sums,
                                g->params.filter_offset, &g->output, col, out, (size_t)n);
      continue;
    }
    for (int32_t r = 0; r < rows; r += SPRY_GEMM_MR) {
      const int32_t mr = rows - r < SPRY_GEMM_MR ? rows - r : SPRY_GEMM_MR;
      g->kernels->qgemm8_acc(mr, k_quads, a + (size_t)r * a_stride, a_stride, b, row_sums + r,
                             g->params.filter_offset, g->output.is_u8, acc);
      requantize_tile(g, acc, mr, m0 + r, col, nr, output);
    }
  }
}

/* How a float tile's A rows lie (SpryFgemmFn): a_stride apart, each in
 * `segments` runs segment_stride apart. */
typedef struct FloatRows {
  const float *a;
  size_t a_stride;
  int32_t segments;
  size_t segment_stride;
} FloatRows;

static void multiply_float_tile(const SpryConvGemm *g, FloatRows a, int32_t m0, int32_t rows,
                                ColumnRange cols, float *output) {
  const int32_t n = g->shapes.output_c;
  const size_t block_values = (size_t)g->depth * SPRY_GEMM_NR;
  const SpryConvParams *p = &g->params;
  const int32_t width = SPRY_GEMM_NR * g->kernels->fgemm_blocks; /* columns a call */
  for (int32_t col = cols.begin; col < cols.end; col += width) {
    const float *b = (const float *)g->packed + (size_t)(col / SPRY_GEMM_NR) * block_values;
    const int32_t nr = cols.end - col < width ? cols.end - col : width;
    const int32_t step = g->kernels->fgemm_rows;
    for (int32_t r = 0; r < rows; r += step) {
      const int32_t mr = rows - r < step ? rows - r : step;
      g->kernels->fgemm(mr, nr, g->depth, a.a + (size_t)r * a.a_stride, a.a_stride, a.segments,
                        a.segment_stride, b, g->bias_f + col, p->act_min_f, p->act_max_f,
                        output + (size_t)(m0 + r) * (size_t)n + col, (size_t)n);
    }
  }
}

/* Gathered rows of a float tile: `count` rows from output row m0 on. */
static void multiply_gathered(const GemmJob *job, const float *slot, int32_t m0, int32_t count,
                              ColumnRange cols) {
  if (count == 0) return;
  const FloatRows a = {slot, (size_t)job->g->depth, 1, 0};
  multiply_float_tile(job->g, a, m0, count, cols, job->output);
}

/* Float output rows [m0, m0 + rows): patches inside the image straight
 * from the input, one run per filter row (no copy: a 3-channel first layer
 * spent more time gathering than multiplying); the others gathered into
 * the slot. */
static void run_float_tile(const GemmJob *job, float *slot, int32_t m0, int32_t rows,
                           ColumnRange cols) {
  const SpryConvGemm *g = job->g;
  const SpryConvShapes *s = &g->shapes;
  const size_t channels = (size_t)s->input_c;
  PatchOrigin origin = patch_origin(g, m0);
  int32_t gathered = 0, gathered_from = m0;
  for (int32_t r = 0; r < rows;) {
    if (!patch_inside(g, &origin)) {
      if (gathered == 0) gathered_from = m0 + r;
      gather_float_row(g, job->input, &origin, slot + (size_t)gathered * (size_t)g->depth);
      gathered++;
      next_origin(g, &origin);
      r++;
      continue;
    }
    multiply_gathered(job, slot, gathered_from, gathered, cols);
    gathered = 0;
    /* The patches inside the image from here along this output row: one
     * stride apart in the input. */
    const PatchOrigin start = origin;
    const int32_t n = inside_run(g, &origin, rows - r);
    origin.x += (int64_t)(n - 1) * g->params.stride_w;
    next_origin(g, &origin);
    const size_t first =
        start.batch_offset + ((size_t)start.y * (size_t)s->input_w + (size_t)start.x) * channels;
    const FloatRows a = {(const float *)job->input + first,
                         (size_t)g->params.stride_w * channels, s->filter_h,
                         (size_t)g->params.dilation_h * (size_t)s->input_w * channels};
    multiply_float_tile(g, a, m0 + r, n, cols, job->output);
    r += n;
  }
  multiply_gathered(job, slot, gathered_from, gathered, cols);
}

/* Rows [m0, m0 + rows) of the output: gathered into the slot, multiplied. */
static void run_tile(const GemmJob *job, uint8_t *slot, int32_t m0, int32_t rows,
                     ColumnRange cols) {
  const SpryConvGemm *g = job->g;
  if (g->type == SPRY_CONV_KERNEL_F32) {
    if (g->direct) {
      const FloatRows a = {(const float *)job->input + (size_t)m0 * (size_t)g->depth,
                           (size_t)g->depth, 1, 0};
      multiply_float_tile(g, a, m0, rows, cols, job->output);
      return;
    }
    run_float_tile(job, (float *)slot, m0, rows, cols);
    return;
  }
  if (g->bytes) {
    const size_t stride = spry_qgemm8_row_bytes(g->depth);
    if (g->direct) {
      const uint8_t *a = (const uint8_t *)job->input + (size_t)m0 * stride;
      multiply_byte_tile(g, a, stride, m0, rows, cols, job->output);
      return;
    }
    PatchOrigin origin = patch_origin(g, m0);
    for (int32_t r = 0; r < rows; r++, next_origin(g, &origin))
      gather_byte_row(g, job->input, &origin, slot + (size_t)r * stride);
    multiply_byte_tile(g, slot, stride, m0, rows, cols, job->output);
    return;
  }
  int16_t *a = (int16_t *)slot;
  const size_t a_stride = spry_qgemm_row_values(g->depth);
  if (g->widen_whole) {
    /* One call for the tile: a call per row cost more than widening its
     * few values. */
    g->kernels->qgemm_widen(rows * g->depth,
                            (const uint8_t *)job->input + (size_t)m0 * (size_t)g->depth,
                            g->type == SPRY_CONV_KERNEL_U8, g->params.input_offset, a);
    multiply_quantized_tile(g, a, m0, rows, cols, job->output);
    return;
  }
  PatchOrigin origin = patch_origin(g, m0);
  for (int32_t r = 0; r < rows; r++, next_origin(g, &origin))
    gather_quantized_row(g, job->input, &origin, a + (size_t)r * a_stride);
  multiply_quantized_tile(g, a, m0, rows, cols, job->output);
}

/* Work item t, in its own scratch slot: its share of the rows, in tiles,
 * or, where split_by_columns chose the columns, every tile for its share
 * of the column blocks. Rows are shared in whole micro-kernel calls, not
 * in tiles: 1089 rows in 19 tiles of up to 60 gave 4 threads 300 and 249. */
static void run_share(void *arg, int32_t t) {
  const GemmJob *job = arg;
  const SpryConvGemm *g = job->g;
  const int32_t n = g->shapes.output_c;
  int32_t first = 0, last = g->rows;
  ColumnRange cols = {0, n};
  if (g->split_columns) {
    size_t b0, b1;
    spry_work_share((size_t)column_blocks(n), t, g->shares, &b0, &b1);
    if (b0 == b1) return;
    cols.begin = (int32_t)b0 * SPRY_GEMM_NR;
    cols.end = (int32_t)b1 * SPRY_GEMM_NR < n ? (int32_t)b1 * SPRY_GEMM_NR : n;
  } else {
    const size_t calls = ((size_t)g->rows + (size_t)g->row_step - 1) / (size_t)g->row_step;
    size_t c0, c1;
    spry_work_share(calls, t, g->shares, &c0, &c1);
    first = (int32_t)c0 * g->row_step;
    last = (int32_t)c1 * g->row_step < g->rows ? (int32_t)c1 * g->row_step : g->rows;
  }
  uint8_t *slot = job->scratch ? job->scratch + (size_t)t * g->slot_bytes : NULL;
  for (int32_t m0 = first; m0 < last; m0 += g->tile_rows) {
    const int32_t rows = last - m0 < g->tile_rows ? last - m0 : g->tile_rows;
    run_tile(job, slot, m0, rows, cols);
  }
}

void spry_conv_gemm_run(SpryContext *ctx, const SpryConvGemm *g, const void *input, void *output) {
  GemmJob job = {.g = g, .input = input, .output = output, .scratch = NULL};
  if (!g->direct) job.scratch = spry_context_scratch(ctx, g->scratch);
  spry_context_parallel_for(ctx, g->shares, run_share, &job);
}
