/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activations.c — RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, PRELU,
 * ELU, HARD_SWISH and GELU: option parsing, type checks and the quantized
 * parameters each needs, over the reference loops of reference/unary.h.
 *
 * Types and versions, as TFLite's BUILTIN_REF resolver has them:
 *   RELU 1..3, RELU6 1..3   float32, uint8, int8, int16 (symmetric)
 *   RELU_N1_TO_1 1, RELU_0_TO_1 1                  float32, uint8, int8
 *   LEAKY_RELU 1..2        float32, uint8, int8, int16 (symmetric); quantized
 *                          needs alpha >= 0
 *   PRELU 1                float32, uint8, int8, int16 (symmetric) with an int8
 *                          alpha; alpha broadcasts to the input (up to 4-D
 *                          when it must be repeated)
 *   ELU 1                  float32, int8 (lookup table; not in TFLite's
 *                          BUILTIN_REF, goldens from its builtin kernel)
 *   HARD_SWISH 1           float32, uint8, int8 (16-bit fixed point)
 *   GELU 1..3              float32, uint8, int8, int16 (lookup tables; int16:
 *                          TFLite's interpolated 513-entry table), float16
 *                          (every step rounded to float16, as TFLite's
 *                          Eigen::half instantiation; bfloat16 is refused
 *                          as in TFLite)
 * float32 results are within 1e-5 relative of TFLite's; GELU float uses the
 * scalar libm formula where TFLite vectorises it with Eigen (same bound).
 */
#include "reference/activations.h"

#include <math.h>
#include <stdlib.h>

#include "broadcast.h"
#include "fast/activation.h"
#include "kernel_util.h"
#include "lut.h"
#include "quantization.h"
#include "spry/op.h"
#include "unary_op.h"

typedef enum ActKind {
  ACT_RELU,
  ACT_RELU6,
  ACT_RELU_N1_TO_1,
  ACT_RELU_0_TO_1,
  ACT_LEAKY_RELU,
  ACT_ELU,
  ACT_HARD_SWISH,
  ACT_GELU,
  ACT_PRELU,
} ActKind;

typedef struct ActOpData {
  ActKind kind;
  SpryUnaryRun run; /* PRELU: path and qtype only */
  size_t count;
  SpryActF32Params f32;
  union {
    SpryReluQParams relu;
    SpryLeakyReluQParams leaky;
    SpryHardSwishParams hard_swish;
    SpryPreluQParams prelu;
  } q;
  SpryBroadcast bc;      /* PRELU */
  SpryQType alpha_qtype; /* PRELU */
  uint8_t lut[256];
  int16_t lut16[SPRY_LUT16_SIZE]; /* GELU on int16 */
  const SpryFastUnary *fast; /* NULL: the reference run */
} ActOpData;

/* LeakyReluOptions.alpha and GeluOptions.approximate are field 0. */
enum { OPT_LEAKY_ALPHA = 0, OPT_GELU_APPROXIMATE = 0 };

static SpryStatus act_init(SpryContext *ctx, const SpryNode *node, void **user_data, ActKind kind) {
  ActOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->kind = kind;
  /* Each op reads only its own options table (schema defaults: 0, false). */
  if (kind == ACT_LEAKY_RELU) d->f32.alpha = spry_option_f32(node->options, OPT_LEAKY_ALPHA, 0.0f);
  if (kind == ACT_GELU)
    d->f32.approximate = spry_option_bool(node->options, OPT_GELU_APPROXIMATE, false);
  *user_data = d;
  return SPRY_OK;
}

static void act_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryQType qtype_of(SpryType t) {
  return t == SPRY_TYPE_UINT8 ? SPRY_Q_U8 : (t == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16);
}

/* Which input types an op accepts (bit per SpryType). */
static uint32_t supported_types(ActKind kind) {
  const uint32_t f = 1u << SPRY_TYPE_FLOAT32, u8 = 1u << SPRY_TYPE_UINT8, s8 = 1u << SPRY_TYPE_INT8,
                 s16 = 1u << SPRY_TYPE_INT16;
  switch (kind) {
    case ACT_GELU:
      return f | u8 | s8 | s16 | (1u << SPRY_TYPE_FLOAT16);
    case ACT_RELU:
    case ACT_RELU6:
    case ACT_LEAKY_RELU:
    case ACT_PRELU:
      return f | u8 | s8 | s16;
    case ACT_ELU:
      return f | s8;
    default:
      return f | u8 | s8;
  }
}

/* round(x) as an int32, saturating instead of undefined out of range. */
static int32_t round_to_i32(float x) {
  const double r = round((double)x);
  if (!(r > -2147483648.0)) return INT32_MIN;
  return r >= 2147483647.0 ? INT32_MAX : (int32_t)r;
}

/* TFLite's QuantizedReluX bounds: the float bounds on the output's scale,
 * inside the type's range; +inf means the type's maximum. */
static void relu_bounds(const SpryTensor *out, float lo, float hi, SpryReluQParams *p) {
  int32_t qmin = 0, qmax = 0;
  spry_quantized_type_range(out->type, &qmin, &qmax);
  const int64_t zp = out->quant.zero_point;
  const int64_t q_lo = zp + round_to_i32(lo / out->quant.scale);
  p->act_min = q_lo > qmin ? (int32_t)q_lo : qmin;
  if (isinf(hi)) {
    p->act_max = qmax;
  } else {
    const int64_t q_hi = zp + round_to_i32(hi / out->quant.scale);
    p->act_max = q_hi < qmax ? (int32_t)q_hi : qmax;
  }
}

static void relu_float_bounds(ActKind kind, float *lo, float *hi) {
  *lo = kind == ACT_RELU_N1_TO_1 ? -1.0f : 0.0f;
  *hi = kind == ACT_RELU6 ? 6.0f : (kind == ACT_RELU ? INFINITY : 1.0f);
}

static SpryStatus multiplier(SpryContext *ctx, float real, int32_t *m, int *shift) {
  SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier((double)real, m, shift), SPRY_ERROR_UNSUPPORTED,
                  "quantization gives an unsupported multiplier %g", (double)real);
  return SPRY_OK;
}

static SpryStatus prepare_hard_swish(SpryContext *ctx, ActOpData *d, const SpryTensor *in,
                                     const SpryTensor *out) {
  SpryHardSwishParams *p = &d->q.hard_swish;
  p->input_zero_point = in->quant.zero_point;
  p->output_zero_point = out->quant.zero_point;
  spry_quantized_type_range(out->type, &p->qmin, &p->qmax);
  /* Float arithmetic on purpose: TFLite derives these in float. */
  const float hires_input_scale = (1.0f / 128.0f) * in->quant.scale;
  const float reluish_scale = 3.0f / 32768.0f;
  int32_t m = 0;
  SPRY_TRY(
      multiplier(ctx, hires_input_scale / out->quant.scale, &m, &p->output_multiplier_exponent));
  p->output_multiplier_fixedpoint_int16 = spry_downscale_multiplier_i16(m);
  SPRY_ENSURE_MSG(ctx, p->output_multiplier_exponent <= 0, SPRY_ERROR_UNSUPPORTED,
                  "input scale %g is too large for output scale %g", (double)in->quant.scale,
                  (double)out->quant.scale);
  SPRY_TRY(multiplier(ctx, hires_input_scale / reluish_scale, &m, &p->reluish_multiplier_exponent));
  p->reluish_multiplier_fixedpoint_int16 = spry_downscale_multiplier_i16(m);
  d->run.q = spry_act_hard_swish_q;
  return SPRY_OK;
}

static SpryStatus prepare_leaky(SpryContext *ctx, ActOpData *d, const SpryTensor *in,
                                const SpryTensor *out) {
  SpryLeakyReluQParams *p = &d->q.leaky;
  SPRY_ENSURE_MSG(ctx, d->f32.alpha >= 0.0f, SPRY_ERROR_UNSUPPORTED,
                  "quantized LEAKY_RELU needs alpha >= 0 (has %g)", (double)d->f32.alpha);
  p->input_zero_point = in->quant.zero_point;
  p->output_zero_point = out->quant.zero_point;
  SPRY_TRY(multiplier(ctx, in->quant.scale * d->f32.alpha / out->quant.scale, &p->multiplier_alpha,
                      &p->shift_alpha));
  SPRY_TRY(multiplier(ctx, in->quant.scale / out->quant.scale, &p->multiplier_identity,
                      &p->shift_identity));
  d->run.q = spry_act_leaky_relu_q;
  return SPRY_OK;
}

static SpryStatus prepare_quantized(SpryContext *ctx, ActOpData *d, const SpryTensor *in,
                                    const SpryTensor *out) {
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  d->run.qtype = qtype_of(in->type);
  d->run.path = SPRY_UNARY_Q;
  d->run.q_params = &d->q;
  switch (d->kind) {
    case ACT_GELU:
    case ACT_ELU:
      if (in->type == SPRY_TYPE_INT16) { /* GELU only */
        d->run.path = SPRY_UNARY_LUT16;
        d->run.lut16 = d->lut16;
        spry_lut16_populate(in->quant.scale, in->quant.zero_point, out->quant.scale,
                            out->quant.zero_point, d->run.f32, &d->f32, d->lut16);
        return SPRY_OK;
      }
      d->run.path = SPRY_UNARY_LUT;
      d->run.lut = d->lut;
      spry_lut8_populate(in->type, in->quant.scale, in->quant.zero_point, out->quant.scale,
                         out->quant.zero_point, d->run.f32, &d->f32, d->lut);
      return SPRY_OK;
    case ACT_HARD_SWISH:
      return prepare_hard_swish(ctx, d, in, out);
    case ACT_LEAKY_RELU:
      return prepare_leaky(ctx, d, in, out);
    default: {
      SpryReluQParams *p = &d->q.relu;
      float lo, hi;
      relu_float_bounds(d->kind, &lo, &hi);
      relu_bounds(out, lo, hi, p);
      p->input_zero_point = in->quant.zero_point;
      p->output_zero_point = out->quant.zero_point;
      d->run.q = spry_act_relu_q;
      return multiplier(ctx, in->quant.scale / out->quant.scale, &p->multiplier, &p->shift);
    }
  }
}

static SpryUnaryF32Fn float_fn(ActKind kind) {
  switch (kind) {
    case ACT_LEAKY_RELU:
      return spry_act_leaky_relu_f32;
    case ACT_ELU:
      return spry_act_elu_f32;
    case ACT_HARD_SWISH:
      return spry_act_hard_swish_f32;
    case ACT_GELU:
      return spry_act_gelu_f32;
    default:
      return spry_act_clamp_f32;
  }
}

static SpryStatus act_prepare(SpryContext *ctx, SpryNode *node) {
  ActOpData *d = node->user_data;
  d->fast = NULL; /* an earlier prepare's is gone with its memory */
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_begin_prepare(ctx, node, true, &in, &out));
  SPRY_ENSURE_MSG(ctx, (unsigned)in->type < 32 && (supported_types(d->kind) >> in->type) & 1u,
                  SPRY_ERROR_UNSUPPORTED, "%s input is not supported", spry_type_name(in->type));
  relu_float_bounds(d->kind, &d->f32.lo, &d->f32.hi);
  d->run.path = SPRY_UNARY_F32;
  d->run.f32 = float_fn(d->kind);
  d->run.f32_params = &d->f32;
  if (in->type == SPRY_TYPE_FLOAT16) {
    d->run.path = SPRY_UNARY_HALF;
    d->run.half_type = in->type;
    d->run.f32 = spry_act_gelu_f16;
  } else if (in->type != SPRY_TYPE_FLOAT32) {
    SPRY_TRY(prepare_quantized(ctx, d, in, out));
  }
  SPRY_TRY(spry_unary_finish_prepare(ctx, in, out, &d->count));
  return spry_fast_unary_prepare(ctx, &d->run, in->type, d->count, &d->fast);
}

static SpryStatus act_invoke(SpryContext *ctx, SpryNode *node) {
  const ActOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_tensors(ctx, node, d->count, &in, &out));
  if (d->fast)
    spry_fast_unary_run(ctx, d->fast, in->data, out->data);
  else
    spry_unary_run(&d->run, d->count, in->data, out->data);
  return SPRY_OK;
}

/* ---- PRELU ---- */

static SpryStatus prelu_prepare_quantized(SpryContext *ctx, ActOpData *d, const SpryTensor *in,
                                          const SpryTensor *alpha, const SpryTensor *out) {
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "alpha", alpha));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  SpryPreluQParams *p = &d->q.prelu;
  p->input_zero_point = in->quant.zero_point;
  p->alpha_zero_point = alpha->quant.zero_point;
  p->output_zero_point = out->quant.zero_point;
  d->run.qtype = qtype_of(in->type);
  d->alpha_qtype = qtype_of(alpha->type);
  d->run.path = SPRY_UNARY_Q;
  SPRY_TRY(multiplier(ctx, in->quant.scale / out->quant.scale, &p->multiplier_1, &p->shift_1));
  return multiplier(ctx, in->quant.scale * alpha->quant.scale / out->quant.scale, &p->multiplier_2,
                    &p->shift_2);
}

static SpryStatus prelu_prepare(SpryContext *ctx, SpryNode *node) {
  ActOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *alpha = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  /* int16 inputs take an int8 alpha (TFLite's int16 PRELU). */
  const SpryType alpha_type = in->type == SPRY_TYPE_INT16 ? SPRY_TYPE_INT8 : in->type;
  SPRY_ENSURE_MSG(ctx, alpha->type == alpha_type && in->type == out->type,
                  SPRY_ERROR_INVALID_MODEL,
                  "input, alpha and output types must be %s, %s, %s (are %s, %s, %s)",
                  spry_type_name(in->type), spry_type_name(alpha_type), spry_type_name(in->type),
                  spry_type_name(in->type), spry_type_name(alpha->type),
                  spry_type_name(out->type));
  SPRY_ENSURE_MSG(ctx, (supported_types(ACT_PRELU) >> in->type) & 1u, SPRY_ERROR_UNSUPPORTED,
                  "%s input is not supported", spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, spry_broadcast_init(&d->bc, in->rank, in->dims, alpha->rank, alpha->dims),
                  SPRY_ERROR_INVALID_MODEL, "alpha does not broadcast to the input");
  bool same = d->bc.rank == in->rank;
  for (int32_t i = 0; same && i < in->rank; i++) same = d->bc.dims[i] == in->dims[i];
  SPRY_ENSURE_MSG(ctx, same, SPRY_ERROR_INVALID_MODEL,
                  "alpha must broadcast to the input's shape, not enlarge it");
  SPRY_ENSURE_MSG(ctx, spry_broadcast_is_elementwise(&d->bc) || in->rank <= 4,
                  SPRY_ERROR_UNSUPPORTED, "broadcasting alpha over a %d-D input (max 4-D)",
                  (int)in->rank);
  d->run.path = SPRY_UNARY_F32;
  if (in->type != SPRY_TYPE_FLOAT32) SPRY_TRY(prelu_prepare_quantized(ctx, d, in, alpha, out));
  d->count = d->bc.count;
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus prelu_invoke(SpryContext *ctx, SpryNode *node) {
  const ActOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *alpha = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && alpha && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", in, d->count));
  SPRY_TRY(spry_op_check_data(ctx, "alpha", alpha, spry_tensor_elements(alpha)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, d->count));
  if (d->run.path == SPRY_UNARY_F32)
    spry_ref_prelu_f32(&d->bc, in->data, alpha->data, out->data);
  else
    spry_ref_prelu_q(&d->q.prelu, &d->bc, d->run.qtype, d->alpha_qtype, in->data, alpha->data,
                     out->data);
  return SPRY_OK;
}

/* ---- Registrations ---- */

#define ACT_INIT(name, kind)                                                         \
  static SpryStatus name##_init(SpryContext *ctx, const SpryNode *node, void **ud) { \
    return act_init(ctx, node, ud, kind);                                            \
  }
ACT_INIT(relu, ACT_RELU)
ACT_INIT(relu6, ACT_RELU6)
ACT_INIT(relu_n1_to_1, ACT_RELU_N1_TO_1)
ACT_INIT(relu_0_to_1, ACT_RELU_0_TO_1)
ACT_INIT(leaky_relu, ACT_LEAKY_RELU)
ACT_INIT(elu, ACT_ELU)
ACT_INIT(hard_swish, ACT_HARD_SWISH)
ACT_INIT(gelu, ACT_GELU)
ACT_INIT(prelu, ACT_PRELU)

#define ACT_REGISTRATION(name, code, max_ver, options_type) \
  const SpryOpRegistration spry_op_##name = {               \
      .abi_version = SPRY_OP_ABI_VERSION,                   \
      .builtin_code = (code),                               \
      .min_version = 1,                                     \
      .max_version = (max_ver),                             \
      .builtin_options_type = (options_type),               \
      .init = name##_init,                                  \
      .free = act_free,                                     \
      .prepare = act_prepare,                               \
      .invoke = act_invoke,                                 \
  }

/* Builtin codes and BuiltinOptions types from schema.fbs. */
ACT_REGISTRATION(relu, 19, 3, 0);
ACT_REGISTRATION(relu6, 21, 3, 0);
ACT_REGISTRATION(relu_n1_to_1, 20, 1, 0);
ACT_REGISTRATION(relu_0_to_1, 152, 1, 0);
ACT_REGISTRATION(leaky_relu, 98, 2, 75); /* LeakyReluOptions */
ACT_REGISTRATION(elu, 111, 1, 0);
ACT_REGISTRATION(hard_swish, 117, 1, 91); /* HardSwishOptions */
ACT_REGISTRATION(gelu, 150, 3, 116);      /* GeluOptions */

const SpryOpRegistration spry_op_prelu = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 54, /* BuiltinOperator PRELU */
    .min_version = 1,
    .max_version = 1,
    .init = prelu_init,
    .free = act_free,
    .prepare = prelu_prepare,
    .invoke = prelu_invoke,
};
