/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logistic_tanh.c — the LOGISTIC and TANH ops.
 *
 * Versions (TFLite defines 1..3 for both): 1 float32, uint8; 2 int8;
 * 3 int16. float16 and bfloat16 go through the float32 function, each
 * element widened and the result rounded to nearest even (Eigen's half
 * types). uint8/int8 run through a 256-entry table built from the float
 * function (TFLite's BUILTIN_REF path; its optional gemmlowp fixed-point
 * kernel is not what the reference resolver runs). LOGISTIC's 8-bit output
 * scale must be 1/256, as TFLite checks. int16 needs zero points of 0 and an
 * output scale of 2^-15.
 */
#include "reference/logistic_tanh.h"

#include <math.h>
#include <stdlib.h>

#include "fast/activation.h"
#include "kernel_util.h"
#include "lut.h"
#include "reference/elementwise.h"
#include "spry/op.h"
#include "unary_op.h"

typedef struct LogisticTanhOpData {
  bool is_tanh;
  SpryUnaryRun run; /* SPRY_UNARY_OTHER: int16 */
  SpryType type;
  size_t count;
  SpryLogisticTanhS16Params s16;
  uint8_t lut[256];
  const SpryFastUnary *fast; /* NULL: the reference run */
} LogisticTanhOpData;

static SpryStatus lt_init(SpryContext *ctx, bool is_tanh, void **user_data) {
  LogisticTanhOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->is_tanh = is_tanh;
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus logistic_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  return lt_init(ctx, false, user_data);
}

static SpryStatus tanh_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  return lt_init(ctx, true, user_data);
}

static void lt_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* TFLite's CheckedLog2: the rounded log2 of x, true when x is a power of two
 * within 1e-3 in the exponent. */
static bool checked_log2(float x, int *out) {
  const float l = logf(x) * (1.0f / logf(2.0f));
  const float r = roundf(l);
  *out = (int)r;
  return fabsf(l - r) < 1e-3f;
}

static SpryStatus prepare_s16(SpryContext *ctx, LogisticTanhOpData *d, const SpryTensor *in,
                              const SpryTensor *out) {
  SpryLogisticTanhS16Params *p = &d->s16;
  int log2_in = 0, log2_out = 0;
  bool pot = checked_log2(in->quant.scale, &log2_in);
  p->input_multiplier = 0;
  p->input_left_shift = (15 - 3) + log2_in;
  pot = pot && (p->input_left_shift == 0 || (d->is_tanh && p->input_left_shift == 1));
  if (!pot) {
    /* Rescale the input to units of 1/(3*4096): +-2^17 is +-10.7. */
    double m = (double)in->quant.scale * 4096.0 * 3.0;
    p->input_left_shift = 0;
    while (m <= 32767.0 / 2.0 && p->input_left_shift <= 30) {
      p->input_left_shift++;
      m *= 2.0;
    }
    SPRY_ENSURE_MSG(ctx, m < 32768.0 * 2, SPRY_ERROR_UNSUPPORTED,
                    "int16 input scale %g is too large", (double)in->quant.scale);
    p->input_multiplier = (int32_t)m;
  }
  SPRY_ENSURE_MSG(ctx, checked_log2(out->quant.scale, &log2_out) && log2_out == -15,
                  SPRY_ERROR_INVALID_MODEL, "int16 output scale must be 2^-15 (has %g)",
                  (double)out->quant.scale);
  return SPRY_OK;
}

static SpryStatus lt_prepare(SpryContext *ctx, SpryNode *node) {
  LogisticTanhOpData *d = node->user_data;
  d->fast = NULL; /* an earlier prepare's is gone with its memory */
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_begin_prepare(ctx, node, false, &in, &out));
  bool quantized = false;
  const bool half = spry_is_half_type(in->type) && in->type == out->type;
  if (!half) SPRY_TRY(spry_op_check_same_type(ctx, in, out, &quantized));
  d->type = in->type;
  d->run =
      (SpryUnaryRun){.path = SPRY_UNARY_F32, .f32 = d->is_tanh ? spry_tanh_f32 : spry_logistic_f32};
  if (half) {
    d->run.path = SPRY_UNARY_HALF;
    d->run.half_type = in->type;
  } else if (in->type == SPRY_TYPE_INT16) {
    d->run.path = SPRY_UNARY_OTHER;
    SPRY_TRY(prepare_s16(ctx, d, in, out));
  } else if (quantized) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_LUT, .lut = d->lut};
    SPRY_ENSURE_MSG(ctx, d->is_tanh || out->quant.scale == 1.0f / 256, SPRY_ERROR_INVALID_MODEL,
                    "output scale must be 1/256 (has %g)", (double)out->quant.scale);
    spry_lut8_populate(in->type, in->quant.scale, in->quant.zero_point, out->quant.scale,
                       out->quant.zero_point, d->is_tanh ? spry_tanh_f32 : spry_logistic_f32, NULL,
                       d->lut);
  }
  SPRY_TRY(spry_unary_finish_prepare(ctx, in, out, &d->count));
  return spry_fast_unary_prepare(ctx, &d->run, in->type, d->count, &d->fast);
}

static SpryStatus lt_invoke(SpryContext *ctx, SpryNode *node) {
  const LogisticTanhOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_tensors(ctx, node, d->count, &in, &out));
  if (d->fast)
    spry_fast_unary_run(ctx, d->fast, in->data, out->data);
  else if (d->run.path != SPRY_UNARY_OTHER)
    spry_unary_run(&d->run, d->count, in->data, out->data);
  else if (d->is_tanh)
    spry_ref_tanh_s16(&d->s16, d->count, in->data, out->data);
  else
    spry_ref_logistic_s16(&d->s16, d->count, in->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_logistic = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 14, /* BuiltinOperator LOGISTIC */
    .min_version = 1,
    .max_version = 3,
    .init = logistic_init,
    .free = lt_free,
    .prepare = lt_prepare,
    .invoke = lt_invoke,
};

const SpryOpRegistration spry_op_tanh = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 28, /* BuiltinOperator TANH */
    .min_version = 1,
    .max_version = 3,
    .init = tanh_init,
    .free = lt_free,
    .prepare = lt_prepare,
    .invoke = lt_invoke,
};
