/* SPDX-License-Identifier: Apache-2.0 */
/* depthwise.c — DEPTHWISE_CONV_2D on the fast per-pixel kernels (see depthwise.h). */
#include "depthwise.h"

#include <math.h>
#include <string.h>

#include "kernel_util.h"
#include "small_copy.h"
#include "work_share.h"

/* More taps than this (a 128 x 128 filter) keep the reference kernel: the
 * per-thread tap tables would grow past what scratch memory should hold. */
#define MAX_TAPS 16384

/* Dot products do not help a per-channel sum: NEON's kernels serve the
 * dot-product variant. */
const SpryDwKernels *spry_dw_kernels(SpryIsa isa) {
  static const void *const variants[SPRY_ISA_COUNT] = {
      [SPRY_ISA_PORTABLE] = &spry_dw_portable,
      [SPRY_ISA_AVX2] = SPRY_AVX2_VARIANT(&spry_dw_avx2),
      [SPRY_ISA_AVX512_VNNI] = SPRY_AVX512_VNNI_VARIANT(&spry_dw_avx512vnni),
      [SPRY_ISA_NEON] = SPRY_NEON_VARIANT(&spry_dw_neon),
  };
  return spry_isa_variant(isa, variants);
}

static size_t padded_channels(const SpryDepthwise *d) {
  return (size_t)d->blocks * SPRY_DW_BLOCK;
}

static size_t align64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

/* ---- prepare ------------------------------------------------------------------ */

/* The vector requantizations need shifts within [-31, 31]. The multipliers'
 * derivation keeps them there; checked all the same, as a kernel must never
 * rely on what it did not see checked. */
static bool shifts_in_range(SpryConvKernel type, const SpryConvParams *p, int32_t channels) {
  for (int32_t c = 0; c < (type == SPRY_CONV_KERNEL_U8 ? 1 : channels); c++) {
    const int shift = type == SPRY_CONV_KERNEL_U8 ? p->output_shift : p->channel_shift[c];
    if (shift < -31 || shift > 31) return false;
  }
  return true;
}

/* A pad pixel of zeros contributes 0 * w, which is 0 only for finite w. */
static bool weights_finite(const SpryTensor *filter, size_t count) {
  const float *w = filter->data;
  for (size_t i = 0; i < count; i++)
    if (!isfinite(w[i])) return false;
  return true;
}

/* Whether the node fits the fast path at all. */
static bool applies(SpryConvKernel type, const SpryConvParams *p, const SpryConvShapes *s,
                    const SpryTensor *filter, const SpryTensor *bias) {
  if (type != SPRY_CONV_KERNEL_F32 && type != SPRY_CONV_KERNEL_U8 && type != SPRY_CONV_KERNEL_S8)
    return false;
  if (filter->kind != SPRY_TENSOR_CONSTANT || (bias && bias->kind != SPRY_TENSOR_CONSTANT))
    return false;
  if (s->output_c != s->input_c) return false; /* depth multiplier 1 only */
  if (s->input_c > INT32_MAX - SPRY_DW_BLOCK) return false;
  if ((int64_t)s->filter_h * s->filter_w > MAX_TAPS) return false;
  /* Rows are counted in int32 (batches * output_h). */
  const int64_t rows = (int64_t)s->batches * s->output_h;
  if (rows == 0 || s->output_w == 0 || rows > INT32_MAX) return false;
  const size_t weights = (size_t)s->filter_h * (size_t)s->filter_w * (size_t)s->output_c;
  if (type == SPRY_CONV_KERNEL_F32) return weights_finite(filter, weights);
  return shifts_in_range(type, p, s->output_c);
}

/* Filter value of tap t, channel c, as the reference multiplies it: uint8
 * with the filter offset added, int8 as stored (symmetric weights). */
static int32_t quantized_weight(const SpryDepthwise *d, const void *filter, int32_t t, int32_t c) {
  const size_t i = (size_t)t * (size_t)d->shapes.output_c + (size_t)c;
  if (d->type == SPRY_CONV_KERNEL_U8)
    return ((const uint8_t *)filter)[i] + d->params.filter_offset;
  return ((const int8_t *)filter)[i];
}

/* Index of (tap t, channel c) in the packed quantized weights. */
static size_t quantized_index(const SpryDepthwise *d, int32_t t, int32_t c) {
  const size_t pairs = (size_t)d->tap_slots / 2;
  const size_t pair = (size_t)(c / SPRY_DW_BLOCK) * pairs + (size_t)(t / 2);
  return (pair * SPRY_DW_BLOCK + (size_t)(c % SPRY_DW_BLOCK)) * 2 + (size_t)(t % 2);
}

/* Packed weights and, per channel, bias + input_offset * sum of the weights
 * (modulo 2^32, like the accumulator it stands in for) and the multiplier
 * and shift (uint8's single pair repeated). */
static SpryStatus prepare_quantized(SpryContext *ctx, SpryDepthwise *d, const SpryTensor *filter,
                                    const SpryTensor *bias) {
  const size_t channels = padded_channels(d);
  int16_t *packed = spry_context_alloc_persistent(
      ctx, (size_t)d->blocks * (size_t)d->tap_slots * SPRY_DW_BLOCK * sizeof *packed);
  int32_t *table = spry_context_alloc_persistent(
      ctx, (3 * channels + spry_qgemm_shifts_values(channels)) * sizeof *table);
  uint8_t *pad = spry_context_alloc_persistent(ctx, channels);
  if (!packed || !table || !pad) return SPRY_ERROR_OUT_OF_MEMORY;
  int32_t *bias32 = table, *multiplier = table + channels, *shift = table + 2 * channels;
  const SpryConvParams *p = &d->params;
  const bool u8 = d->type == SPRY_CONV_KERNEL_U8;
  /* Lane l holds channel l % output_c: the block's lanes past the channels
   * repeat them when it holds a group of pixels. */
  const int32_t lanes = d->group > 1 ? SPRY_DW_BLOCK : d->shapes.output_c;
  for (int32_t l = 0; l < lanes; l++) {
    const int32_t c = l % d->shapes.output_c;
    uint32_t sum = 0;
    for (int32_t t = 0; t < d->taps; t++) {
      const int32_t w = quantized_weight(d, filter->data, t, c);
      packed[quantized_index(d, t, l)] = (int16_t)w;
      sum += (uint32_t)w;
    }
    const uint32_t b = bias ? (uint32_t)((const int32_t *)bias->data)[c] : 0;
    bias32[l] = spry_wrap_i32(b + (uint32_t)p->input_offset * sum);
    multiplier[l] = u8 ? p->output_multiplier : p->channel_multiplier[c];
    shift[l] = u8 ? p->output_shift : p->channel_shift[c];
  }
  /* The input zero point: x + input_offset = 0. */
  memset(pad, (unsigned char)(-p->input_offset), channels);
  d->weights = packed;
  d->pad = pad;
  d->output = (SpryQgemmOutput){.bias = bias32,
                                .multiplier = multiplier,
                                .shift = shift,
                                .output_offset = p->output_offset,
                                .act_min = p->act_min,
                                .act_max = p->act_max,
                                .is_u8 = u8};
  spry_qgemm_shifts_derive(channels, shift, table + 3 * channels, &d->output.shifts);
  return SPRY_OK;
}

static SpryStatus prepare_float(SpryContext *ctx, SpryDepthwise *d, const SpryTensor *filter,
                                const SpryTensor *bias) {
  const size_t channels = padded_channels(d);
  float *packed = spry_context_alloc_persistent(
      ctx, (size_t)d->blocks * (size_t)d->taps * SPRY_DW_BLOCK * sizeof *packed);
  float *bias_f = spry_context_alloc_persistent(ctx, channels * sizeof *bias_f);
  float *pad = spry_context_alloc_persistent(ctx, channels * sizeof *pad);
  if (!packed || !bias_f || !pad) return SPRY_ERROR_OUT_OF_MEMORY;
  const int32_t n = d->shapes.output_c;
  const float *w = filter->data;
  for (int32_t c = 0; c < n; c++) {
    for (int32_t t = 0; t < d->taps; t++) {
      const size_t at = ((size_t)(c / SPRY_DW_BLOCK) * (size_t)d->taps + (size_t)t) * SPRY_DW_BLOCK;
      packed[at + (size_t)(c % SPRY_DW_BLOCK)] = w[(size_t)t * (size_t)n + (size_t)c];
    }
    bias_f[c] = bias ? ((const float *)bias->data)[c] : 0.0f;
  }
  for (size_t c = 0; c < channels; c++) pad[c] = 0.0f;
  d->weights = packed;
  d->bias_f = bias_f;
  d->pad = pad;
  return SPRY_OK;
}

/* The variant's kernels for the node's type (d->type and shapes set). */
static void select_kernels(SpryDepthwise *d, const SpryDwKernels *kernels) {
  const bool f32 = d->type == SPRY_CONV_KERNEL_F32, u8 = d->type == SPRY_CONV_KERNEL_U8;
  d->fn = f32 ? kernels->f32 : u8 ? kernels->u8 : kernels->s8;
  d->row = f32 ? kernels->f32_row : u8 ? kernels->u8_row : kernels->s8_row;
  if (f32 && d->shapes.output_c / SPRY_DW_BLOCK > kernels->f32_row_blocks) d->row = NULL;
  d->tail = f32 ? kernels->f32_tail : u8 ? kernels->u8_tail : kernels->s8_tail;
  d->row_partial = f32 && d->row && kernels->f32_row_partial;
}

/* Output pixels per block in the row kernel (depthwise.h, SpryDwRowFn):
 * 16 / channels where that fills a block with neighbouring pixels, whose
 * input bytes lie side by side (stride 1 along x). Quantized only: the
 * float weights are not packed repeated. */
static int32_t pixel_group(const SpryDepthwise *d) {
  const int32_t channels = d->shapes.output_c;
  if (!d->row || d->type == SPRY_CONV_KERNEL_F32 || d->params.stride_w != 1 ||
      channels >= SPRY_DW_BLOCK || SPRY_DW_BLOCK % channels != 0)
    return 1;
  return SPRY_DW_BLOCK / channels;
}

/* One thread's scratch: row pointers, tap pointers, and copies of the last
 * (partial) channel block of every tap with pointers to them. */
typedef struct DwSlot {
  const uint8_t **rows;   /* filter_h: each tap row's input row, NULL outside the image */
  const void **taps;      /* tap_slots */
  const void **tail_taps; /* tap_slots, into `tail` */
  uint8_t *tail;          /* tap_slots blocks */
  uint8_t *tail_out;      /* one block */
} DwSlot;

static size_t block_bytes(const SpryDepthwise *d) { return SPRY_DW_BLOCK * d->value_bytes; }

/* Slot layout; with base NULL only the size (returned) is computed. */
static size_t slot_layout(const SpryDepthwise *d, uint8_t *base, DwSlot *s) {
  const size_t pointers = (size_t)d->tap_slots * sizeof(void *);
  const size_t parts[5] = {align64((size_t)d->shapes.filter_h * sizeof(void *)), align64(pointers),
                           align64(pointers), align64((size_t)d->tap_slots * block_bytes(d)),
                           align64(block_bytes(d))};
  size_t at[5], total = 0;
  for (int i = 0; i < 5; i++) {
    at[i] = total;
    total += parts[i];
  }
  if (base) {
    s->rows = (const uint8_t **)(void *)(base + at[0]);
    s->taps = (const void **)(void *)(base + at[1]);
    s->tail_taps = (const void **)(void *)(base + at[2]);
    s->tail = base + at[3];
    s->tail_out = base + at[4];
  }
  return total;
}

SPRY_PREPARE_CODE
SpryStatus spry_depthwise_prepare(SpryContext *ctx, SpryDepthwise *d, SpryConvKernel type,
                                  const SpryConvParams *params, const SpryConvShapes *shapes,
                                  const SpryTensor *filter, const SpryTensor *bias) {
  memset(d, 0, sizeof *d);
  const SpryDwKernels *kernels = spry_dw_kernels(spry_context_isa(ctx));
  if (!kernels || !applies(type, params, shapes, filter, bias)) return SPRY_OK;
  d->type = type;
  d->params = *params;
  d->shapes = *shapes;
  d->taps = shapes->filter_h * shapes->filter_w;
  d->tap_slots = d->taps + d->taps % 2;
  d->blocks = (shapes->output_c + SPRY_DW_BLOCK - 1) / SPRY_DW_BLOCK;
  d->value_bytes = type == SPRY_CONV_KERNEL_F32 ? sizeof(float) : 1;
  select_kernels(d, kernels);
  d->group = pixel_group(d);
  if (type == SPRY_CONV_KERNEL_F32)
    SPRY_TRY(prepare_float(ctx, d, filter, bias));
  else
    SPRY_TRY(prepare_quantized(ctx, d, filter, bias));
  d->shares = spry_work_shares(spry_context_num_threads(ctx));
  d->slot_bytes = slot_layout(d, NULL, NULL);
  SPRY_TRY(spry_context_request_scratch(ctx, d->slot_bytes * (size_t)d->shares, &d->scratch));
  return SPRY_OK;
}

/* ---- invoke ------------------------------------------------------------------ */

typedef struct DwJob {
  const SpryDepthwise *d;
  const uint8_t *input;
  uint8_t *output;
  uint8_t *scratch;
} DwJob;

static size_t pixel_bytes(const SpryDepthwise *d) {
  return (size_t)d->shapes.input_c * d->value_bytes;
}

/* Each tap's pixel for output column ox, the pad pixel outside the image
 * (and for the odd tap count's extra slot). */
static void gather_taps(const SpryDepthwise *d, const DwSlot *s, int32_t ox) {
  const SpryConvShapes *sh = &d->shapes;
  const SpryConvParams *p = &d->params;
  for (int32_t kx = 0; kx < sh->filter_w; kx++) {
    const int64_t ix = spry_conv_tap_coord(ox, p->stride_w, p->pad_w, kx, p->dilation_w,
                                           sh->input_w);
    for (int32_t ky = 0; ky < sh->filter_h; ky++) {
      const uint8_t *row = s->rows[ky];
      s->taps[ky * sh->filter_w + kx] =
          row && ix >= 0 ? row + (size_t)ix * pixel_bytes(d) : (const uint8_t *)d->pad;
    }
  }
  if (d->tap_slots > d->taps) s->taps[d->taps] = d->pad;
}

/* The output columns [*first, *end) whose taps all lie inside the image
 * along x. */
static void inside_columns(const SpryDepthwise *d, int32_t *first, int32_t *end) {
  const SpryConvShapes *sh = &d->shapes;
  const SpryConvParams *p = &d->params;
  const int64_t stride = p->stride_w;
  const int64_t lo = ((int64_t)p->pad_w + stride - 1) / stride;
  const int64_t last_x =
      (int64_t)sh->input_w - 1 + p->pad_w - (int64_t)(sh->filter_w - 1) * p->dilation_w;
  const int64_t hi = last_x < 0 ? 0 : last_x / stride + 1;
  *first = (int32_t)(lo < sh->output_w ? lo : sh->output_w);
  *end = (int32_t)(hi < *first ? *first : hi < sh->output_w ? hi : sh->output_w);
}

/* The taps of the output column `columns` on, from this one's, when both
 * lie inside the image: every tap moves by that many strides. */
static void advance_taps(const SpryDepthwise *d, const DwSlot *s, int32_t columns) {
  const size_t step = (size_t)columns * (size_t)d->params.stride_w * pixel_bytes(d);
  for (int32_t t = 0; t < d->taps; t++) s->taps[t] = (const uint8_t *)s->taps[t] + step;
}

/* The partial last channel block of one output pixel: by the variant's
 * tail kernel, or through copies (a pixel kernel reads and writes whole
 * blocks, which could run past the input and output tensors). */
static void run_partial_block(const SpryDepthwise *d, const DwSlot *s, uint8_t *out) {
  const int32_t whole = d->shapes.output_c / SPRY_DW_BLOCK;
  const size_t rest = (size_t)(d->shapes.output_c % SPRY_DW_BLOCK) * d->value_bytes;
  const size_t offset = (size_t)whole * block_bytes(d);
  if (d->tail) {
    d->tail(d, s->taps, whole, d->shapes.output_c % SPRY_DW_BLOCK, out + offset);
    return;
  }
  for (int32_t t = 0; t < d->tap_slots; t++)
    spry_copy_bytes(s->tail + (size_t)t * block_bytes(d), (const uint8_t *)s->taps[t] + offset,
                    rest);
  d->fn(d, s->tail_taps, whole, 1, s->tail_out);
  spry_copy_bytes(out + offset, s->tail_out, rest);
}

/* One output pixel: the whole blocks straight from the input, then the
 * partial one. */
static void run_pixel(const SpryDepthwise *d, const DwSlot *s, uint8_t *out) {
  const int32_t whole = d->shapes.output_c / SPRY_DW_BLOCK;
  if (whole > 0) d->fn(d, s->taps, 0, whole, out);
  if (d->shapes.output_c % SPRY_DW_BLOCK) run_partial_block(d, s, out);
}

/* Output columns [ox, end), all inside the image, whose first column's taps
 * are gathered: as many whole blocks (or groups of columns) as the row
 * kernel takes in one call, then each column's partial block unless the
 * row kernel ran it, and the columns it left. */
static void run_inside(const SpryDepthwise *d, const DwSlot *s, int32_t ox, int32_t end,
                       uint8_t *out) {
  const int32_t whole = d->shapes.output_c / SPRY_DW_BLOCK;
  uint8_t *first_out = out + (size_t)ox * pixel_bytes(d);
  /* The extra slot's pad pixel would not move along with the others. */
  if (d->tap_slots > d->taps) s->taps[d->taps] = s->taps[0];
  int32_t done = 0;
  if (d->group > 1) {
    const int32_t groups = (end - ox) / d->group;
    done = d->group * d->row(d, s->taps, SPRY_DW_BLOCK, groups, 1, first_out, SPRY_DW_BLOCK);
  } else if (whole > 0 || d->row_partial) {
    const size_t step = (size_t)d->params.stride_w * pixel_bytes(d);
    done = d->row(d, s->taps, step, end - ox, whole, first_out, pixel_bytes(d));
  }
  const bool partial =
      d->group == 1 && !d->row_partial && d->shapes.output_c % SPRY_DW_BLOCK != 0;
  /* Without a partial block the row kernel's columns are finished: the
   * taps jump past them (moving them column by column cost tf2's
   * 112 x 112 x 32 layer an eighth of its time). */
  int32_t at = ox; /* the column the taps are at */
  for (int32_t x = partial ? ox : ox + done; x < end; x++) {
    if (x > at) advance_taps(d, s, x - at);
    at = x;
    uint8_t *pixel_out = out + (size_t)x * pixel_bytes(d);
    if (x >= ox + done)
      run_pixel(d, s, pixel_out);
    else
      run_partial_block(d, s, pixel_out);
  }
}

/* Output row r (batch-major over batches * output_h). */
static void run_row(const DwJob *job, const DwSlot *s, int32_t r) {
  const SpryDepthwise *d = job->d;
  const SpryConvShapes *sh = &d->shapes;
  const SpryConvParams *p = &d->params;
  const int32_t b = r / sh->output_h, oy = r % sh->output_h;
  for (int32_t ky = 0; ky < sh->filter_h; ky++) {
    const int64_t iy = spry_conv_tap_coord(oy, p->stride_h, p->pad_h, ky, p->dilation_h,
                                           sh->input_h);
    s->rows[ky] = iy < 0 ? NULL
                         : job->input + ((size_t)b * (size_t)sh->input_h + (size_t)iy) *
                                            (size_t)sh->input_w * pixel_bytes(d);
  }
  bool rows_inside = true;
  for (int32_t ky = 0; ky < sh->filter_h; ky++) rows_inside = rows_inside && s->rows[ky];
  int32_t first = 0, end = 0;
  if (rows_inside) inside_columns(d, &first, &end);
  uint8_t *out = job->output + (size_t)r * (size_t)sh->output_w * pixel_bytes(d);
  for (int32_t ox = 0; ox < sh->output_w; ox++) {
    if (d->row && ox == first && end - first > 1) {
      gather_taps(d, s, ox);
      run_inside(d, s, first, end, out);
      ox = end - 1;
      continue;
    }
    /* Working out 9 tap pointers with their bounds cost as much as a
     * block of 16 channels; inside the image they just move on. */
    if (ox > first && ox < end)
      advance_taps(d, s, 1);
    else
      gather_taps(d, s, ox);
    run_pixel(d, s, out + (size_t)ox * pixel_bytes(d));
  }
}

/* Work item t: its static share of the output rows, in its own slot. */
static void run_share(void *arg, int32_t t) {
  const DwJob *job = arg;
  const SpryDepthwise *d = job->d;
  size_t first, last;
  spry_work_share((size_t)d->shapes.batches * (size_t)d->shapes.output_h, t, d->shares, &first,
                  &last);
  if (first == last) return;
  DwSlot s = {0};
  slot_layout(d, job->scratch + (size_t)t * d->slot_bytes, &s);
  /* The copies of partial blocks (unused with a tail kernel): values past
   * the channels meet zero weights; zeroing them once keeps them finite
   * (and defined). */
  if (!d->tail) {
    memset(s.tail, 0, (size_t)d->tap_slots * block_bytes(d));
    for (int32_t i = 0; i < d->tap_slots; i++)
      s.tail_taps[i] = s.tail + (size_t)i * block_bytes(d);
  }
  for (size_t r = first; r < last; r++) run_row(job, &s, (int32_t)r);
}

void spry_depthwise_run(SpryContext *ctx, const SpryDepthwise *d, const void *input, void *output) {
  DwJob job = {.d = d, .input = input, .output = output,
               .scratch = spry_context_scratch(ctx, d->scratch)};
  spry_context_parallel_for(ctx, d->shares, run_share, &job);
}
