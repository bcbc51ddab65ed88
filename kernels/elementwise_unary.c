/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise_unary.c — the math ops ABS, NEG, SQUARE, SIN, COS, EXP, LOG,
 * SQRT, RSQRT, FLOOR, CEIL, ROUND and SIGN: one table row per op (its float
 * function, the integer types it takes, how it is quantized), one prepare
 * and one invoke for all.
 *
 * Types (TFLite's builtin kernels; versions up to those of its resolver):
 *   all           float32
 *   ABS 1..5      int8 and int16 quantized (requantized |x - zp|), int16
 *                 without quantization, int32
 *   NEG 1         int8, int16 (quantized or not: the stored integer is
 *                 negated, wrapping at the minimum, as TFLite does), int32,
 *                 int64
 *   SIGN 1..2     int32, float64
 *   FLOOR, ROUND  float16, bfloat16; SIN, COS float16 (each element widened
 *                 to float32 and the result rounded to nearest even, as
 *                 Eigen's half types compute)
 *   NEG           float16, bfloat16 too: the sign bit flipped, NaN payloads
 *                 kept, as Eigen's half negation does
 *   EXP 1..2, LOG 1..2   int8, int16 quantized (lookup tables; LOG maps
 *                 x <= 0 to the output minimum)
 *   SQRT 1..2     int8, int16 quantized (in float, truncated, as TFLite)
 *   RSQRT 1..3    int8 quantized (fixed point), int16 quantized (lookup
 *                 table; 0 gives the maximum)
 * Quantized SQRT and RSQRT fail at invoke on an input below the zero point
 * (a negative real value), as TFLite's kernels do. Asymmetric int16 is
 * refused in prepare.
 * float32 results are libm's, within 1e-5 relative of TFLite's.
 */
#include "reference/elementwise_unary.h"

#include <math.h>
#include <stdlib.h>

#include "fast/activation.h"
#include "kernel_util.h"
#include "lut.h"
#include "reference/elementwise.h"
#include "spry/op.h"
#include "unary_op.h"

/* How int8/int16 quantized tensors are computed. */
typedef enum MathQuant {
  MQ_NONE,    /* not quantized by TFLite */
  MQ_ABS,     /* requantized |x - zp| */
  MQ_LUT,     /* lookup tables: int8 and int16 */
  MQ_SQRT,    /* float per element, truncated */
  MQ_RSQRT,   /* int8: fixed point; int16: lookup table */
} MathQuant;

typedef struct MathOpInfo {
  SpryUnaryF32Fn f32;
  SpryUnaryIntFn int_fn; /* for plain integer tensors, NULL if none */
  uint32_t int_types;    /* bit per SpryType taken by int_fn */
  uint32_t half_types;   /* float16/bfloat16 bits: f32 on widened values */
  double (*f64)(double); /* float64, NULL if not taken */
  bool half_sign_flip;   /* float16/bfloat16 by flipping the sign bit (NEG) */
  MathQuant quant;       /* quantized int8/int16 handling */
} MathOpInfo;

#define BIT(t) (1u << (t))
#define HALVES (BIT(SPRY_TYPE_FLOAT16) | BIT(SPRY_TYPE_BFLOAT16))
enum {
  OP_ABS,
  OP_NEG,
  OP_SQUARE,
  OP_SIN,
  OP_COS,
  OP_EXP,
  OP_LOG,
  OP_SQRT,
  OP_RSQRT,
  OP_FLOOR,
  OP_CEIL,
  OP_ROUND,
  OP_SIGN,
  OP_COUNT
};

static const MathOpInfo math_ops[OP_COUNT] = {
    [OP_ABS] = {spry_abs_f32, spry_abs_int, BIT(SPRY_TYPE_INT16) | BIT(SPRY_TYPE_INT32), 0, NULL,
                false, MQ_ABS},
    [OP_NEG] = {spry_neg_f32, spry_neg_int,
                BIT(SPRY_TYPE_INT8) | BIT(SPRY_TYPE_INT16) | BIT(SPRY_TYPE_INT32) |
                    BIT(SPRY_TYPE_INT64),
                HALVES, NULL, true, MQ_NONE},
    [OP_SQUARE] = {spry_square_f32, NULL, 0, 0, NULL, false, MQ_NONE},
    [OP_SIN] = {spry_sin_f32, NULL, 0, BIT(SPRY_TYPE_FLOAT16), NULL, false, MQ_NONE},
    [OP_COS] = {spry_cos_f32, NULL, 0, BIT(SPRY_TYPE_FLOAT16), NULL, false, MQ_NONE},
    [OP_EXP] = {spry_exp_f32, NULL, 0, 0, NULL, false, MQ_LUT},
    [OP_LOG] = {spry_log_f32, NULL, 0, 0, NULL, false, MQ_LUT},
    [OP_SQRT] = {spry_sqrt_f32, NULL, 0, 0, NULL, false, MQ_SQRT},
    [OP_RSQRT] = {spry_rsqrt_f32, NULL, 0, 0, NULL, false, MQ_RSQRT},
    [OP_FLOOR] = {spry_floor_f32, NULL, 0, HALVES, NULL, false, MQ_NONE},
    [OP_CEIL] = {spry_ceil_f32, NULL, 0, 0, NULL, false, MQ_NONE},
    [OP_ROUND] = {spry_round_f32, NULL, 0, HALVES, NULL, false, MQ_NONE},
    [OP_SIGN] = {spry_sign_f32, spry_sign_int, BIT(SPRY_TYPE_INT32), 0, spry_sign_f64, false,
                 MQ_NONE},
};

typedef struct MathOpData {
  const MathOpInfo *info;
  SpryUnaryRun run; /* SPRY_UNARY_OTHER: plain integers */
  SpryType type;
  size_t count;
  SpryAbsQParams abs;
  SprySqrtQParams sqrt;
  SpryRsqrtQParams rsqrt;
  int32_t min_input; /* SQRT, RSQRT: smallest valid quantized input */
  float lut_param; /* LOG: the value of x <= 0; RSQRT: the output scale */
  uint8_t lut[256];
  int16_t lut16[SPRY_LUT16_SIZE];
  const SpryFastUnary *fast; /* 8-bit tables: NULL for the reference run */
} MathOpData;

static SpryStatus math_init(SpryContext *ctx, int op, void **user_data) {
  MathOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->info = &math_ops[op];
  *user_data = d;
  return SPRY_OK;
}

static void math_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* LOG's table function: x <= 0 maps to the output's minimum. */
static float log_or_min(float x, const void *params) {
  return x <= 0.0f ? *(const float *)params : spry_log_f32(x, NULL);
}

/* RSQRT's table function: x <= 0 maps to the int16 maximum. */
static float rsqrt_or_max(float x, const void *params) {
  return x <= 0.0f ? (float)INT16_MAX * *(const float *)params : spry_rsqrt_f32(x, NULL);
}

static void prepare_lut(MathOpData *d, const SpryTensor *in, const SpryTensor *out) {
  const bool s16 = in->type == SPRY_TYPE_INT16;
  SpryLutFn fn = d->info->f32;
  if (d->info->f32 == spry_log_f32) {
    fn = log_or_min;
    d->lut_param = (float)((s16 ? INT16_MIN : INT8_MIN) - out->quant.zero_point) * out->quant.scale;
  } else if (d->info->f32 == spry_rsqrt_f32) {
    fn = rsqrt_or_max;
    d->lut_param = out->quant.scale;
  }
  const float si = in->quant.scale, so = out->quant.scale;
  const int32_t zi = in->quant.zero_point, zo = out->quant.zero_point;
  if (s16) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_LUT16, .lut16 = d->lut16};
    spry_lut16_populate(si, zi, so, zo, fn, &d->lut_param, d->lut16);
  } else {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_LUT, .lut = d->lut};
    spry_lut8_populate(in->type, si, zi, so, zo, fn, &d->lut_param, d->lut);
  }
}

static SpryStatus prepare_quantized(SpryContext *ctx, MathOpData *d, const SpryTensor *in,
                                    const SpryTensor *out) {
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  if (d->info->quant == MQ_ABS) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_Q,
                            .q = spry_abs_q,
                            .q_params = &d->abs,
                            .qtype = in->type == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16};
    d->abs.input_zero_point = in->quant.zero_point;
    d->abs.output_zero_point = out->quant.zero_point;
    d->abs.rescale = in->quant.scale != out->quant.scale;
    if (d->abs.rescale)
      spry_quantize_multiplier((double)(in->quant.scale / out->quant.scale), &d->abs.multiplier,
                               &d->abs.shift);
    return SPRY_OK;
  }
  const SpryQType qtype = in->type == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16;
  d->min_input = in->quant.zero_point;
  if (d->info->quant == MQ_SQRT) {
    d->sqrt = (SprySqrtQParams){in->quant.zero_point, out->quant.zero_point, in->quant.scale,
                                out->quant.scale};
    d->run = (SpryUnaryRun){
        .path = SPRY_UNARY_Q, .q = spry_sqrt_q, .q_params = &d->sqrt, .qtype = qtype};
    return SPRY_OK;
  }
  if (d->info->quant == MQ_RSQRT && qtype == SPRY_Q_S8) {
    d->rsqrt.input_zero_point = in->quant.zero_point;
    d->rsqrt.output_zero_point = out->quant.zero_point;
    /* 1 / (sqrt(s_in) * s_out), the product in float as TFLite forms it. */
    const double real = 1.0 / (double)(sqrtf(in->quant.scale) * out->quant.scale);
    SPRY_ENSURE_MSG(ctx,
                    spry_quantize_multiplier(real, &d->rsqrt.multiplier, &d->rsqrt.shift) &&
                        d->rsqrt.shift >= -11,
                    SPRY_ERROR_UNSUPPORTED,
                    "scales %g -> %g give an RSQRT multiplier out of range",
                    (double)in->quant.scale, (double)out->quant.scale);
    d->run = (SpryUnaryRun){
        .path = SPRY_UNARY_Q, .q = spry_rsqrt_q, .q_params = &d->rsqrt, .qtype = qtype};
    return SPRY_OK;
  }
  prepare_lut(d, in, out);
  return SPRY_OK;
}

static SpryStatus math_prepare(SpryContext *ctx, SpryNode *node) {
  MathOpData *d = node->user_data;
  d->fast = NULL; /* an earlier prepare's is gone with its memory */
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_begin_prepare(ctx, node, true, &in, &out));
  d->type = in->type;
  const bool has_quant = in->quant.num_channels > 0;
  const uint32_t type_bit = (unsigned)in->type < 32 ? BIT(in->type) : 0;
  if (in->type == SPRY_TYPE_FLOAT32) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_F32, .f32 = d->info->f32};
  } else if (d->info->half_sign_flip && spry_is_half_type(in->type)) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_OTHER};
  } else if (d->info->half_types & type_bit) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_HALF, .f32 = d->info->f32, .half_type = in->type};
  } else if (in->type == SPRY_TYPE_FLOAT64 && d->info->f64) {
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_OTHER};
  } else if ((in->type == SPRY_TYPE_INT8 || (in->type == SPRY_TYPE_INT16 && has_quant)) &&
             d->info->quant != MQ_NONE) {
    SPRY_TRY(prepare_quantized(ctx, d, in, out));
  } else {
    SPRY_ENSURE_MSG(ctx, d->info->int_types & type_bit,
                    SPRY_ERROR_UNSUPPORTED, "%s input is not supported", spry_type_name(in->type));
    d->run = (SpryUnaryRun){.path = SPRY_UNARY_OTHER};
  }
  SPRY_TRY(spry_unary_finish_prepare(ctx, in, out, &d->count));
  return spry_fast_unary_prepare(ctx, &d->run, in->type, d->count, &d->fast);
}

static SpryStatus math_invoke(SpryContext *ctx, SpryNode *node) {
  const MathOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_tensors(ctx, node, d->count, &in, &out));
  if ((d->info->quant == MQ_SQRT || d->info->quant == MQ_RSQRT) &&
      d->run.path != SPRY_UNARY_F32) {
    /* TFLite refuses inputs below the zero point (negative reals) at run time. */
    const SpryQType qtype = d->type == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16;
    for (size_t i = 0; i < d->count; i++)
      SPRY_ENSURE_MSG(ctx, spry_load_q(in->data, qtype, i) >= d->min_input, SPRY_ERROR_RUNTIME,
                      "%s is only defined for non-negative inputs (element %zu)",
                      d->info->quant == MQ_SQRT ? "SQRT" : "RSQRT", i);
  }
  if (d->fast)
    spry_fast_unary_run(ctx, d->fast, in->data, out->data);
  else if (d->run.path == SPRY_UNARY_OTHER && spry_is_half_type(d->type))
    spry_ref_half_sign_flip(d->count, in->data, out->data);
  else if (d->run.path == SPRY_UNARY_OTHER && d->type == SPRY_TYPE_FLOAT64)
    spry_ref_unary_f64(d->info->f64, d->count, in->data, out->data);
  else if (d->run.path == SPRY_UNARY_OTHER)
    spry_ref_unary_int(d->info->int_fn, d->type, d->count, in->data, out->data);
  else
    spry_unary_run(&d->run, d->count, in->data, out->data);
  return SPRY_OK;
}

/* Registrations: builtin code and max version repeat the table row (a
 * static initializer cannot read it). */
#define MATH_OP(name, op, code, max_ver)                                                    \
  static SpryStatus name##_init(SpryContext *ctx, const SpryNode *node, void **user_data) { \
    (void)node;                                                                             \
    return math_init(ctx, op, user_data);                                                   \
  }                                                                                         \
  const SpryOpRegistration spry_op_##name = {                                               \
      .abi_version = SPRY_OP_ABI_VERSION,                                                   \
      .builtin_code = (code),                                                               \
      .min_version = 1,                                                                     \
      .max_version = (max_ver),                                                             \
      .init = name##_init,                                                                  \
      .free = math_free,                                                                    \
      .prepare = math_prepare,                                                              \
      .invoke = math_invoke,                                                                \
  }

MATH_OP(abs, OP_ABS, 101, 5);
MATH_OP(neg, OP_NEG, 59, 1);
MATH_OP(square, OP_SQUARE, 92, 1);
MATH_OP(sin, OP_SIN, 66, 2);
MATH_OP(cos, OP_COS, 108, 2);
MATH_OP(exp, OP_EXP, 47, 2);
MATH_OP(log, OP_LOG, 73, 2);
MATH_OP(sqrt, OP_SQRT, 75, 2);
MATH_OP(rsqrt, OP_RSQRT, 76, 3);
MATH_OP(floor, OP_FLOOR, 8, 1);
MATH_OP(ceil, OP_CEIL, 104, 1);
MATH_OP(round, OP_ROUND, 116, 1);
MATH_OP(sign, OP_SIGN, 158, 2);
