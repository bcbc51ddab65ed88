/* SPDX-License-Identifier: Apache-2.0 */
/* softmax.c — SOFTMAX rows: the float row kernels, the 8-bit exponential table (see softmax.h). */
#include "softmax.h"

#include <math.h>
#include <string.h>

#include "fixedpoint.h"
#include "kernel_util.h"
#include "work_share.h"

/* 8-bit inputs differ from their row maximum by 0..255. */
#define TABLE_SIZE 256

SprySoftmaxF32Fn spry_f32_softmax_kernel(SpryIsa isa) {
  static const SpryAnyFn variants[SPRY_ISA_COUNT] = {
      [SPRY_ISA_PORTABLE] = (SpryAnyFn)spry_f32_softmax__portable,
      [SPRY_ISA_AVX2] = SPRY_AVX2_VARIANT((SpryAnyFn)spry_f32_softmax__avx2),
      [SPRY_ISA_NEON] = SPRY_NEON_VARIANT((SpryAnyFn)spry_f32_softmax__neon),
  };
  return (SprySoftmaxF32Fn)spry_isa_fn_variant(isa, variants);
}

static bool is_8bit(SpryType t) { return t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8; }

/* enum kAccumulationIntegerBits of the reference: the sum's format, Q12.19. */
#define SUM_INTEGER_BITS 12

/* For every difference -k (k = max - x): its exponential in Q0, 0 where the
 * reference skips it (below diff_min), and that term of the sum (the
 * exponential rescaled to Q12.19). */
static SpryStatus prepare_tables(SpryContext *ctx, SpryFastSoftmax *f,
                                 const SprySoftmaxParams *params) {
  int32_t *table = spry_context_alloc_persistent(ctx, 2 * TABLE_SIZE * sizeof *table);
  if (!table) return SPRY_ERROR_OUT_OF_MEMORY;
  for (int32_t k = 0; k < TABLE_SIZE; k++) {
    table[k] = -k >= params->diff_min ? spry_softmax_scaled_exp(params, -k) : 0;
    table[TABLE_SIZE + k] = spry_rounding_divide_by_pot(table[k], SUM_INTEGER_BITS);
  }
  f->exp_table = table;
  f->sum_table = table + TABLE_SIZE;
  return SPRY_OK;
}

SPRY_PREPARE_CODE
SpryStatus spry_fast_softmax_prepare(SpryContext *ctx, SpryFastSoftmax *f, SpryType in_type,
                                     SpryType out_type, const SprySoftmaxParams *params,
                                     size_t outer, size_t depth) {
  memset(f, 0, sizeof *f);
  const SprySoftmaxF32Fn f32 = spry_f32_softmax_kernel(spry_context_isa(ctx));
  if (!f32 || outer == 0 || depth == 0) return SPRY_OK;
  if (in_type == SPRY_TYPE_FLOAT32) {
    /* The exponential covers arguments <= 0 (and NaN) only. */
    if (!(params->beta > 0.0f && isfinite(params->beta))) return SPRY_OK;
    f->f32 = f32;
    f->beta = params->beta;
  } else {
    if (!is_8bit(in_type) || (!is_8bit(out_type) && out_type != SPRY_TYPE_INT16)) return SPRY_OK;
    SPRY_TRY(prepare_tables(ctx, f, params));
    f->in_u8 = in_type == SPRY_TYPE_UINT8;
    f->out_type = out_type;
  }
  f->outer = outer;
  f->depth = depth;
  f->threads = spry_context_num_threads(ctx);
  f->active = true;
  return SPRY_OK;
}

/* ---- 8-bit rows ---------------------------------------------------------------- */

/* The largest and smallest value of a row of int8 or uint8 values. */
static void row_range(const void *row, bool u8, size_t depth, int32_t *max, int32_t *min) {
  int32_t hi = INT32_MIN, lo = INT32_MAX;
  if (u8) {
    const uint8_t *x = row;
    for (size_t c = 0; c < depth; c++) {
      hi = x[c] > hi ? x[c] : hi;
      lo = x[c] < lo ? x[c] : lo;
    }
  } else {
    const int8_t *x = row;
    for (size_t c = 0; c < depth; c++) {
      hi = x[c] > hi ? x[c] : hi;
      lo = x[c] < lo ? x[c] : lo;
    }
  }
  *max = hi;
  *min = lo;
}

/* The sum of table[max - x] over a row (wrapping). */
static uint32_t row_sum(const int32_t *table, const void *row, bool u8, size_t depth,
                        int32_t max) {
  uint32_t sum = 0;
  if (u8) {
    const uint8_t *x = row;
    for (size_t c = 0; c < depth; c++) sum += (uint32_t)table[max - x[c]];
  } else {
    const int8_t *x = row;
    for (size_t c = 0; c < depth; c++) sum += (uint32_t)table[max - x[c]];
  }
  return sum;
}

/* out[c] = bytes[max - x[c]] over a row. */
static void row_lookup(const uint8_t *bytes, const void *row, bool u8, size_t depth, int32_t max,
                       uint8_t *out) {
  if (u8) {
    const uint8_t *x = row;
    for (size_t c = 0; c < depth; c++) out[c] = bytes[max - x[c]];
  } else {
    const int8_t *x = row;
    for (size_t c = 0; c < depth; c++) out[c] = bytes[max - x[c]];
  }
}

/* Stores v saturated to the output type, as the reference's store does. */
static void store_out(void *p, SpryType t, size_t i, int32_t v) {
  if (t == SPRY_TYPE_UINT8)
    ((uint8_t *)p)[i] = (uint8_t)spry_clamp_i32(v, 0, UINT8_MAX);
  else if (t == SPRY_TYPE_INT8)
    ((int8_t *)p)[i] = (int8_t)spry_clamp_i32(v, INT8_MIN, INT8_MAX);
  else
    ((int16_t *)p)[i] = (int16_t)spry_clamp_i32(v, INT16_MIN, INT16_MAX);
}

/* The reference's softmax_quantized for one row, with the exponential and
 * its term of the sum looked up by the difference k = max - x. A row of
 * more values than it has differences (a classifier's 1001 values against
 * at most 256 differences) looks its 8-bit outputs up too, worked out once
 * per difference. */
static void q8_row(const SpryFastSoftmax *f, const void *input, void *output) {
  const size_t depth = f->depth;
  const bool u8 = f->in_u8;
  const int out_bits = f->out_type == SPRY_TYPE_INT16 ? 16 : 8;
  const int32_t out_min = f->out_type == SPRY_TYPE_UINT8  ? 0
                          : f->out_type == SPRY_TYPE_INT8 ? INT8_MIN
                                                          : INT16_MIN;
  int32_t max, min;
  row_range(input, u8, depth, &max, &min);
  const uint32_t sum = row_sum(f->sum_table, input, u8, depth, max); /* Q12.19 */
  int num_bits_over_unit = 0;
  const int32_t reciprocal =
      spry_fp_reciprocal((int32_t)sum, SUM_INTEGER_BITS, &num_bits_over_unit);
  const int shift = num_bits_over_unit + 31 - out_bits;
  const int32_t differences = max - min + 1;
  const bool lookup = f->out_type != SPRY_TYPE_INT16 && depth > (size_t)differences;
  uint8_t bytes[TABLE_SIZE];
  /* Each difference's output (lookup), or each value's. */
  for (size_t i = 0, n = lookup ? (size_t)differences : depth; i < n; i++) {
    const int32_t k = lookup ? (int32_t)i
                             : max - (u8 ? (int32_t)((const uint8_t *)input)[i]
                                         : (int32_t)((const int8_t *)input)[i]);
    const int32_t probability = spry_fp_mul(reciprocal, f->exp_table[k]);
    store_out(lookup ? (void *)bytes : output, f->out_type, i,
              spry_softmax_rounding_shift(probability, shift) + out_min);
  }
  if (lookup) row_lookup(bytes, input, u8, depth, max, output);
}

/* ---- rows over threads ------------------------------------------------------------ */

typedef struct SoftmaxJob {
  const SpryFastSoftmax *f;
  const void *input;
  void *output;
} SoftmaxJob;

static void softmax_share(void *arg, int32_t t) {
  const SoftmaxJob *job = arg;
  const SpryFastSoftmax *f = job->f;
  size_t first, last;
  spry_work_share(f->outer, t, f->threads, &first, &last);
  const size_t out_bytes = f->out_type == SPRY_TYPE_INT16 ? sizeof(int16_t) : 1;
  for (size_t r = first; r < last; r++) {
    const size_t at = r * f->depth;
    if (f->f32)
      f->f32((const float *)job->input + at, (float *)job->output + at, f->depth, f->beta);
    else
      q8_row(f, (const uint8_t *)job->input + at, (uint8_t *)job->output + at * out_bytes);
  }
}

void spry_fast_softmax_run(SpryContext *ctx, const SpryFastSoftmax *f, const void *input,
                           void *output) {
  SoftmaxJob job = {.f = f, .input = input, .output = output};
  spry_context_parallel_for(ctx, f->threads, softmax_share, &job);
}
