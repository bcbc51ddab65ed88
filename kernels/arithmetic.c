/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arithmetic.c — SUB, MUL, DIV, SQUARED_DIFFERENCE, POW, FLOOR_DIV and
 * FLOOR_MOD: elementwise binary ops sharing binary.h's validation and
 * broadcasting; one init/prepare/invoke serves all, keyed by builtin code.
 *
 * Types and versions (TFLite's register.cc ranges):
 *   SUB 1..5                 float32, int32, int64, uint8, int8, int16 (general
 *                            scales, or power-of-two scales when SubOptions.
 *                            pot_scale_int16 is set, as for ADD)
 *   MUL 1..8                 float32, int32, int64, uint8, int8, int16 (quantized,
 *                            or without quantization as plain integers:
 *                            version 7), uint32 (version 7), float16
 *                            (version 8 in TFLite's builtin kernel; its
 *                            reference takes it at 1..7 as well)
 *   DIV 1..2                 float32, int32, uint8, int8, int16 (quantized)
 *   SQUARED_DIFFERENCE 1..2  float32, int32, int8
 *   POW 1                    float32, int32
 *   FLOOR_DIV 1..3           float32, int32, int16, int8 (plain integers)
 *   FLOOR_MOD 1..2           float32, int32, int64, int16, int8 (plain integers)
 * Integer division by zero and negative integer exponents fail at invoke
 * with SPRY_ERROR_RUNTIME (TFLite's kernels check the same). SUB and MUL on
 * float32, uint8 and int8 have fast paths (arith_prepare_fast). Float POW uses
 * powf, so results may differ from TFLite's std::pow by a few ULP.
 */
#include "reference/arithmetic.h"

#include <math.h>
#include <stdlib.h>

#include "binary.h"
#include "fast/add_q8.h"
#include "fast/elementwise.h"
#include "kernel_util.h"
#include "quantization.h"
#include "spry/op.h"

#define T(type) (1u << SPRY_TYPE_##type)

/* BuiltinOperator codes and BuiltinOptions types (schema.fbs). */
enum { SUB_CODE = 41, MUL_CODE = 18, DIV_CODE = 42, SQUARED_DIFFERENCE_CODE = 99, POW_CODE = 78,
       FLOOR_DIV_CODE = 90, FLOOR_MOD_CODE = 95 };
/* SubOptions field 1. */
enum { SUB_OPT_POT_SCALE_INT16 = 1 };

typedef struct ArithInfo {
  int32_t code;
  SpryArithOp op;
  uint32_t types;
  bool quantized;      /* uint8/int8/int16 are quantized (else plain integers) */
  bool has_activation; /* options field 0 is a fused activation */
  uint32_t plain;      /* with `quantized`: types that may come unquantized (binary.h) */
} ArithInfo;

static const ArithInfo arith_ops[] = {
    {SUB_CODE, SPRY_ARITH_SUB,
     T(FLOAT32) | T(INT32) | T(INT64) | T(UINT8) | T(INT8) | T(INT16), true, true, 0},
    {MUL_CODE, SPRY_ARITH_MUL,
     T(FLOAT32) | T(INT32) | T(INT64) | T(UINT32) | T(UINT8) | T(INT8) | T(INT16) | T(FLOAT16),
     true, true, T(INT16)},
    {DIV_CODE, SPRY_ARITH_DIV, T(FLOAT32) | T(INT32) | T(UINT8) | T(INT8) | T(INT16), true, true,
     0},
    {SQUARED_DIFFERENCE_CODE, SPRY_ARITH_SQUARED_DIFFERENCE, T(FLOAT32) | T(INT32) | T(INT8), true,
     false, 0},
    {POW_CODE, SPRY_ARITH_POW, T(FLOAT32) | T(INT32), false, false, 0},
    {FLOOR_DIV_CODE, SPRY_ARITH_FLOOR_DIV, T(FLOAT32) | T(INT32) | T(INT16) | T(INT8), false,
     false, 0},
    {FLOOR_MOD_CODE, SPRY_ARITH_FLOOR_MOD,
     T(FLOAT32) | T(INT32) | T(INT64) | T(INT16) | T(INT8), false, false, 0},
};

typedef enum ArithKernel {
  ARITH_KERNEL_F32,
  ARITH_KERNEL_INT,
  ARITH_KERNEL_HALF, /* float16 (MUL) */
  ARITH_KERNEL_SUB_Q, /* ADD's quantized kernels, input 2 negated */
  ARITH_KERNEL_SUB_S16_POT,
  ARITH_KERNEL_MUL_Q,
  ARITH_KERNEL_SQUARED_DIFFERENCE_Q,
  ARITH_KERNEL_DIV_Q,
} ArithKernel;

typedef struct ArithOpData {
  const ArithInfo *info;
  int activation;
  bool pot_scale_int16;
  ArithKernel kernel;
  SpryBroadcast bc;
  SpryArithParams params;
  const SpryEltBinary *elt; /* SUB and MUL on float32 and 8-bit: the vector path, or NULL */
  SpryAddQ8 sub_q8;         /* 8-bit SUB without vector kernels: ADD's tables */
} ArithOpData;

static const ArithInfo *arith_info(int32_t code) {
  for (size_t i = 0; i < sizeof arith_ops / sizeof arith_ops[0]; i++)
    if (arith_ops[i].code == code) return &arith_ops[i];
  return NULL;
}

static SpryStatus arith_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  const ArithInfo *info = arith_info(node->builtin_code);
  SPRY_ENSURE_MSG(ctx, info, SPRY_ERROR_BAD_STATE, "not an arithmetic op (code %d)",
                  (int)node->builtin_code);
  ArithOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->info = info;
  d->activation = info->has_activation ? spry_option_i8(node->options, SPRY_BINARY_OPT_ACTIVATION,
                                                        SPRY_ACTIVATION_NONE)
                                       : SPRY_ACTIVATION_NONE;
  /* As for ADD: false without an options table, the schema's true without the field. */
  d->pot_scale_int16 = info->code == SUB_CODE && node->options &&
                       spry_option_bool(node->options, SUB_OPT_POT_SCALE_INT16, true);
  *user_data = d;
  return SPRY_OK;
}

static void arith_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryQType qtype_of(SpryType type) {
  return type == SPRY_TYPE_UINT8 ? SPRY_Q_U8 : (type == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16);
}

/* SUB: ADD's parameters (left shift 20, or 15 for int16) with input 2's
 * multiplier negated; int16 with power-of-two scales takes the shift path. */
static bool sub_quant_params(ArithOpData *d, const SpryQuantization *q1,
                             const SpryQuantization *q2, const SpryQuantization *qo, bool is16) {
  SpryAddParams *p = &d->params.q;
  if (is16 && d->pot_scale_int16 && spry_add_pot_params(q1->scale, q2->scale, qo->scale, p)) {
    d->kernel = ARITH_KERNEL_SUB_S16_POT;
    return true;
  }
  d->kernel = ARITH_KERNEL_SUB_Q;
  if (!spry_add_quant_params(q1->scale, q1->zero_point, q2->scale, q2->zero_point, qo->scale,
                             qo->zero_point, is16 ? 15 : 20, p))
    return false;
  p->input2_multiplier = -p->input2_multiplier;
  return true;
}

/* MUL and DIV: one output multiplier, s1 * s2 / so or s1 / (s2 * so),
 * evaluated in float as TFLite does. */
static bool product_quant_params(ArithOpData *d, const SpryQuantization *q1,
                                 const SpryQuantization *q2, const SpryQuantization *qo) {
  SpryAddParams *p = &d->params.q;
  const bool mul = d->info->op == SPRY_ARITH_MUL;
  const float real = mul ? q1->scale * q2->scale / qo->scale : q1->scale / (q2->scale * qo->scale);
  d->kernel = mul ? ARITH_KERNEL_MUL_Q : ARITH_KERNEL_DIV_Q;
  p->input1_offset = -q1->zero_point;
  p->input2_offset = -q2->zero_point;
  p->output_offset = qo->zero_point;
  return isfinite(real) && real > 0.0f &&
         spry_quantize_multiplier((double)real, &p->output_multiplier, &p->output_shift) &&
         p->output_shift >= -31 && p->output_shift <= 30;
}

/* A real multiplier in (0, 1) as TFLite's QuantizeMultiplierSmallerThanOneExp. */
static bool multiplier_below_one(double real, int32_t *multiplier, int *shift) {
  return real > 0.0 && real < 1.0 && spry_quantize_multiplier(real, multiplier, shift) &&
         *shift <= 0;
}

/* SQUARED_DIFFERENCE: inputs to a common scale of twice the larger input
 * scale with left shift 7, the output multiplier for the squared value
 * (TFLite's squared_difference.cc). */
static bool squared_difference_quant_params(ArithOpData *d, const SpryQuantization *q1,
                                            const SpryQuantization *q2,
                                            const SpryQuantization *qo) {
  SpryAddParams *p = &d->params.q;
  d->kernel = ARITH_KERNEL_SQUARED_DIFFERENCE_Q;
  p->left_shift = 7;
  p->input1_offset = -q1->zero_point;
  p->input2_offset = -q2->zero_point;
  p->output_offset = qo->zero_point;
  const double twice_max = (double)(2.0f * fmaxf(q1->scale, q2->scale));
  const double real_out = twice_max * twice_max / ((double)(1 << 14) * (double)qo->scale);
  return multiplier_below_one((double)q1->scale / twice_max, &p->input1_multiplier,
                              &p->input1_shift) &&
         multiplier_below_one((double)q2->scale / twice_max, &p->input2_multiplier,
                              &p->input2_shift) &&
         multiplier_below_one(real_out, &p->output_multiplier, &p->output_shift);
}

static SpryStatus arith_prepare_quantized(SpryContext *ctx, ArithOpData *d,
                                          const SpryBinaryPrep *prep) {
  const SpryQuantization *q1 = &prep->input1->quant, *q2 = &prep->input2->quant;
  const SpryQuantization *qo = &prep->output->quant;
  const bool is16 = prep->output->type == SPRY_TYPE_INT16;
  bool ok = false;
  switch (d->info->op) {
    case SPRY_ARITH_SUB:
      ok = sub_quant_params(d, q1, q2, qo, is16);
      break;
    case SPRY_ARITH_MUL:
    case SPRY_ARITH_DIV:
      ok = product_quant_params(d, q1, q2, qo);
      break;
    default:
      ok = squared_difference_quant_params(d, q1, q2, qo);
      break;
  }
  SPRY_ENSURE_MSG(ctx, ok, SPRY_ERROR_UNSUPPORTED,
                  "quantization scales %g, %g -> %g give a rescale multiplier out of range",
                  (double)q1->scale, (double)q2->scale, (double)qo->scale);
  d->params.qtype = qtype_of(prep->output->type);
  d->params.q.q_min = prep->q_min;
  d->params.q.q_max = prep->q_max;
  return SPRY_OK;
}

/* Clamp of ops without a fused activation: none at all for floats (an
 * infinite POW result stays infinite), the type's range for integers. */
static void arith_clamp(ArithOpData *d, const SpryBinaryPrep *prep) {
  SpryArithParams *p = &d->params;
  if (d->info->has_activation) {
    p->f_min = prep->f_min;
    p->f_max = prep->f_max;
  } else {
    p->f_min = -INFINITY;
    p->f_max = INFINITY;
  }
  p->i_min = prep->i64_min;
  p->i_max = prep->i64_max;
}

/* The fast path of float32 SUB and MUL and of their 8-bit quantized
 * kernels. Quantized SUB is ADD with input 2's multiplier negated, so it
 * runs ADD's vector kernels, or ADD's tables where the variant has none. */
static SpryStatus arith_prepare_fast(SpryContext *ctx, ArithOpData *d) {
  const SpryArithParams *p = &d->params;
  const SpryEltParams ep = {.f_min = p->f_min, .f_max = p->f_max, .q = p->q};
  const bool sub = d->info->op == SPRY_ARITH_SUB, u8 = p->type == SPRY_TYPE_UINT8;
  SpryEltKind kind;
  if (d->kernel == ARITH_KERNEL_F32 && (sub || d->info->op == SPRY_ARITH_MUL))
    kind = sub ? SPRY_ELT_F32_SUB : SPRY_ELT_F32_MUL;
  else if (d->kernel == ARITH_KERNEL_SUB_Q && p->qtype != SPRY_Q_S16)
    kind = u8 ? SPRY_ELT_U8_ADD : SPRY_ELT_S8_ADD;
  else if (d->kernel == ARITH_KERNEL_MUL_Q && p->qtype != SPRY_Q_S16)
    kind = u8 ? SPRY_ELT_U8_MUL : SPRY_ELT_S8_MUL;
  else
    return SPRY_OK;
  const SpryEltFamily family = sub ? spry_elt_add_kernels : spry_elt_mul_kernels;
  SPRY_TRY(spry_elt_binary_prepare(ctx, family, kind, &ep, &d->bc, &d->elt));
  if (d->elt || d->kernel != ARITH_KERNEL_SUB_Q) return SPRY_OK;
  return spry_add_q8_prepare(ctx, &d->sub_q8, &p->q, u8);
}

static SpryStatus arith_prepare(SpryContext *ctx, SpryNode *node) {
  ArithOpData *d = node->user_data;
  /* Fast-path state of an earlier prepare is gone with its memory. */
  d->elt = NULL;
  d->sub_q8.active = false;
  const SpryBinarySpec spec = {d->info->types, SPRY_BINARY_SAME_TYPE, d->info->quantized,
                               d->activation, d->info->plain};
  SpryBinaryPrep prep;
  SPRY_TRY(spry_binary_prepare_spec(ctx, node, &spec, &prep));
  d->bc = prep.bc;
  d->params.op = d->info->op;
  d->params.type = prep.output->type;
  arith_clamp(d, &prep);
  if (prep.output->type == SPRY_TYPE_FLOAT32) {
    d->kernel = ARITH_KERNEL_F32;
    return arith_prepare_fast(ctx, d);
  }
  if (prep.output->type == SPRY_TYPE_FLOAT16) {
    d->kernel = ARITH_KERNEL_HALF;
    return SPRY_OK;
  }
  const bool small = prep.output->type == SPRY_TYPE_UINT8 || prep.output->type == SPRY_TYPE_INT8 ||
                     prep.output->type == SPRY_TYPE_INT16;
  if (small && d->info->quantized && !spry_binary_is_plain(&spec, &prep)) {
    SPRY_TRY(arith_prepare_quantized(ctx, d, &prep));
    return arith_prepare_fast(ctx, d);
  }
  d->kernel = ARITH_KERNEL_INT;
  return SPRY_OK;
}

static SpryStatus arith_invoke_quantized(SpryContext *ctx, const ArithOpData *d,
                                         const SpryTensor *a, const SpryTensor *b,
                                         SpryTensor *out) {
  const SpryArithParams *p = &d->params;
  switch (d->kernel) {
    case ARITH_KERNEL_SUB_Q:
      if (p->qtype == SPRY_Q_U8)
        spry_ref_add_u8(&p->q, &d->bc, a->data, b->data, out->data);
      else if (p->qtype == SPRY_Q_S8)
        spry_ref_add_s8(&p->q, &d->bc, a->data, b->data, out->data);
      else
        spry_ref_add_s16(&p->q, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    case ARITH_KERNEL_SUB_S16_POT:
      spry_ref_sub_s16_pot(p, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    case ARITH_KERNEL_MUL_Q:
      spry_ref_mul_quantized(p, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    case ARITH_KERNEL_SQUARED_DIFFERENCE_Q:
      spry_ref_squared_difference_quantized(p, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    default:
      SPRY_ENSURE_MSG(ctx, spry_ref_div_quantized(p, &d->bc, a->data, b->data, out->data),
                      SPRY_ERROR_RUNTIME, "division by zero");
      return SPRY_OK;
  }
}

static SpryStatus arith_invoke(SpryContext *ctx, SpryNode *node) {
  const ArithOpData *d = node->user_data;
  const SpryTensor *a, *b;
  SpryTensor *out;
  SPRY_TRY(spry_binary_tensors(ctx, node, &d->bc, &a, &b, &out));
  if (d->elt) {
    spry_elt_binary_run(ctx, d->elt, a->data, b->data, out->data);
    return SPRY_OK;
  }
  if (d->sub_q8.active) {
    spry_add_q8_run(ctx, &d->sub_q8, &d->bc, a->data, b->data, out->data);
    return SPRY_OK;
  }
  switch (d->kernel) {
    case ARITH_KERNEL_F32:
      spry_ref_arith_f32(&d->params, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    case ARITH_KERNEL_HALF:
      spry_ref_arith_half(&d->params, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    case ARITH_KERNEL_INT:
      SPRY_ENSURE_MSG(ctx,
                      spry_ref_arith_int_check(&d->params, b->data,
                                               spry_binary_operand_extent(&d->bc, d->bc.stride_b)),
                      SPRY_ERROR_RUNTIME, "%s",
                      d->info->op == SPRY_ARITH_POW ? "integer power with a negative exponent"
                                                    : "division by zero");
      spry_ref_arith_int(&d->params, &d->bc, a->data, b->data, out->data);
      return SPRY_OK;
    default:
      return arith_invoke_quantized(ctx, d, a, b, out);
  }
}

#define SPRY_ARITH_REGISTRATION(name, code, max, options)                                   \
  const SpryOpRegistration spry_op_##name = {                                               \
      .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = (code), .min_version = 1,         \
      .max_version = (max), .builtin_options_type = (options), .init = arith_init,          \
      .free = arith_free, .prepare = arith_prepare, .invoke = arith_invoke,                 \
  }

/* Options types: MulOptions 21, SubOptions 28, DivOptions 29; the others
 * have empty options tables. */
SPRY_ARITH_REGISTRATION(sub, SUB_CODE, 5, 28);
SPRY_ARITH_REGISTRATION(mul, MUL_CODE, 8, 21);
SPRY_ARITH_REGISTRATION(div, DIV_CODE, 2, 29);
SPRY_ARITH_REGISTRATION(squared_difference, SQUARED_DIFFERENCE_CODE, 2, 0);
SPRY_ARITH_REGISTRATION(pow, POW_CODE, 1, 0);
SPRY_ARITH_REGISTRATION(floor_div, FLOOR_DIV_CODE, 3, 0);
SPRY_ARITH_REGISTRATION(floor_mod, FLOOR_MOD_CODE, 2, 0);
