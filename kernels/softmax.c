/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax.c — the SOFTMAX op over the last dimension: reads SoftmaxOptions
 * (beta), derives the fixed-point input scaling, runs the reference kernels.
 *
 * Versions (TFLite defines 1..4):
 *   1  float32, uint8 (-> uint8 or int16)
 *   2  int8 (-> int8 or int16)
 *   3  int16 -> int16 (symmetric; output scale 1/32768, zero point 0)
 *   4  float16
 * float16 -> float16 runs at every version (TFLite's reference takes it at
 * 1..3, its builtin kernel at 4) and is computed in float32 with TFLite's
 * roundings (spry_ref_softmax_float); bfloat16 is refused, as in TFLite.
 * TFLite's reference path (BUILTIN_REF) computes 8-bit softmax in gemmlowp
 * fixed point, not with the lookup tables of its optimized path; this is
 * that reference path. Their outputs are on the fixed scale 1/256 (8-bit) or
 * 1/65536 (int16) with the zero point at the type minimum; TFLite checks this
 * only for int8 -> int8 (zero point -128, scale 1/256 within 0.1%). int16
 * -> int16 is TFLite's table-driven SoftmaxInt16 (both paths share it), on
 * rows of at most 65536 elements.
 *
 * SOFTMAX of float32 (beta > 0) and of 8-bit inputs runs the fast path
 * where it applies (fast/softmax.h), the reference kernels otherwise.
 *
 * LOG_SOFTMAX (TFLite defines 1..2): 1 float32, uint8; 2 int8. Quantized
 * outputs must have scale 16/256 and the zero point 255 (uint8) or 127
 * (int8), as TFLite requires; the fixed-point path is TFLite's reference one.
 */
#include "reference/softmax.h"

#include <math.h>
#include <stdlib.h>

#include "fast/softmax.h"
#include "kernel_util.h"
#include "lut.h"
#include "quantization.h"
#include "spry/op.h"

/* SoftmaxOptions field ids (schema.fbs). */
enum { SOFTMAX_OPT_BETA = 0 };

typedef enum SoftmaxKernel {
  SOFTMAX_KERNEL_F32,
  SOFTMAX_KERNEL_F16,
  SOFTMAX_KERNEL_U8,
  SOFTMAX_KERNEL_S8,
  SOFTMAX_KERNEL_U8_S16,
  SOFTMAX_KERNEL_S8_S16,
  SOFTMAX_KERNEL_S16,
} SoftmaxKernel;

typedef struct SoftmaxOpData {
  bool log; /* LOG_SOFTMAX */
  SoftmaxKernel kernel;
  SprySoftmaxParams params;
  SprySoftmaxS16Params s16;
  int16_t exp_table[SPRY_LUT16_SIZE]; /* int16 -> int16 */
  int16_t reciprocal_table[SPRY_LUT16_SIZE];
  size_t outer; /* rows: product of all but the last dimension */
  size_t depth; /* the last dimension */
  size_t count; /* outer * depth */
  SpryFastSoftmax fast; /* SOFTMAX: the fast path, where it applies */
} SoftmaxOpData;

SPRY_PREPARE_CODE
static SpryStatus softmax_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SoftmaxOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  /* beta has no schema default: absent means 0, as in TFLite. */
  d->params.beta = spry_option_f32(node->options, SOFTMAX_OPT_BETA, 0.0f);
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus log_softmax_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SoftmaxOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  (void)node;
  d->log = true;
  *user_data = d;
  return SPRY_OK;
}

static void softmax_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryStatus select_kernel(SpryContext *ctx, SoftmaxOpData *d, const SpryTensor *in,
                                const SpryTensor *out) {
  const SpryType ti = in->type, to = out->type;
  if (ti == SPRY_TYPE_FLOAT32 && to == SPRY_TYPE_FLOAT32) {
    d->kernel = SOFTMAX_KERNEL_F32;
  } else if (ti == SPRY_TYPE_FLOAT16 && to == SPRY_TYPE_FLOAT16 && !d->log) {
    d->kernel = SOFTMAX_KERNEL_F16;
  } else if (ti == SPRY_TYPE_UINT8 && to == SPRY_TYPE_UINT8) {
    d->kernel = SOFTMAX_KERNEL_U8;
  } else if (ti == SPRY_TYPE_INT8 && to == SPRY_TYPE_INT8) {
    d->kernel = SOFTMAX_KERNEL_S8;
  } else if (ti == SPRY_TYPE_UINT8 && to == SPRY_TYPE_INT16) {
    d->kernel = SOFTMAX_KERNEL_U8_S16;
  } else if (ti == SPRY_TYPE_INT8 && to == SPRY_TYPE_INT16) {
    d->kernel = SOFTMAX_KERNEL_S8_S16;
  } else if (ti == SPRY_TYPE_INT16 && to == SPRY_TYPE_INT16 && !d->log) {
    d->kernel = SOFTMAX_KERNEL_S16;
  } else {
    return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED,
                              "%s input with %s output is not supported", spry_type_name(ti),
                              spry_type_name(to));
  }
  return SPRY_OK;
}

/* The quantized input scaling; the int8 -> int8 output check is TFLite's. */
/* LOG_SOFTMAX's fixed output quantization and input scaling. */
static SpryStatus prepare_log_quantized(SpryContext *ctx, SoftmaxOpData *d, const SpryTensor *in,
                                        const SpryTensor *out) {
  SPRY_ENSURE_MSG(ctx, d->kernel == SOFTMAX_KERNEL_U8 || d->kernel == SOFTMAX_KERNEL_S8,
                  SPRY_ERROR_UNSUPPORTED, "log-softmax output must have the input's type");
  const int32_t zero_point = d->kernel == SOFTMAX_KERNEL_U8 ? 255 : 127;
  SPRY_ENSURE_MSG(ctx,
                  out->quant.num_channels >= 1 && out->quant.zero_point == zero_point &&
                      out->quant.scale == 16.0f / 256,
                  SPRY_ERROR_INVALID_MODEL,
                  "log-softmax output must have scale 16/256 and zero point %d (has %g, %d)",
                  (int)zero_point, (double)out->quant.scale, (int)out->quant.zero_point);
  SPRY_ENSURE_MSG(ctx, spry_log_softmax_quant_params(in->quant.scale, &d->params),
                  SPRY_ERROR_UNSUPPORTED, "input scale %g is out of the supported range",
                  (double)in->quant.scale);
  return SPRY_OK;
}

/* int16 -> int16: TFLite's output check, the input rescaling and the tables. */
static SpryStatus prepare_s16(SpryContext *ctx, SoftmaxOpData *d, const SpryTensor *in,
                              const SpryTensor *out) {
  SPRY_ENSURE_MSG(ctx,
                  out->quant.num_channels >= 1 && out->quant.zero_point == 0 &&
                      fabsf(out->quant.scale - 1.0f / 32768) <= 0.001f / 32768,
                  SPRY_ERROR_INVALID_MODEL,
                  "int16 softmax output must have scale 1/32768 and zero point 0 (has %g, %d)",
                  (double)out->quant.scale, (int)out->quant.zero_point);
  const int32_t depth = in->dims[in->rank - 1];
  SPRY_ENSURE_MSG(ctx, depth <= 65536, SPRY_ERROR_UNSUPPORTED,
                  "int16 softmax over rows of %d elements (at most 65536)", (int)depth);
  /* [-65535, 0] onto [-10, 0]; scale * beta is a float product in TFLite. */
  const double real = (double)(in->quant.scale * d->params.beta) / (10.0 / 65535.0);
  SPRY_ENSURE_MSG(ctx,
                  isfinite(real) && real > 0.0 &&
                      spry_quantize_multiplier(real, &d->s16.input_multiplier,
                                               &d->s16.input_shift) &&
                      d->s16.input_shift <= 30,
                  SPRY_ERROR_UNSUPPORTED, "beta %g with input scale %g is out of the supported range",
                  (double)d->params.beta, (double)in->quant.scale);
  spry_softmax_s16_tables(d->exp_table, d->reciprocal_table);
  d->s16.exp_table = d->exp_table;
  d->s16.reciprocal_table = d->reciprocal_table;
  return SPRY_OK;
}

static SpryStatus prepare_quantized(SpryContext *ctx, SoftmaxOpData *d, const SpryTensor *in,
                                    const SpryTensor *out) {
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  if (d->log) return prepare_log_quantized(ctx, d, in, out);
  if (d->kernel == SOFTMAX_KERNEL_S16) return prepare_s16(ctx, d, in, out);
  if (d->kernel == SOFTMAX_KERNEL_S8) {
    SPRY_ENSURE_MSG(ctx,
                    out->quant.num_channels >= 1 && out->quant.zero_point == -128 &&
                        fabsf(out->quant.scale - 1.0f / 256) <= 0.001f / 256,
                    SPRY_ERROR_INVALID_MODEL,
                    "int8 softmax output must have scale 1/256 and zero point -128 (has %g, %d)",
                    (double)out->quant.scale, (int)out->quant.zero_point);
  }
  SPRY_ENSURE_MSG(ctx, spry_softmax_quant_params(d->params.beta, in->quant.scale, &d->params),
                  SPRY_ERROR_UNSUPPORTED,
                  "beta %g with input scale %g is out of the supported range",
                  (double)d->params.beta, (double)in->quant.scale);
  return SPRY_OK;
}

SPRY_PREPARE_CODE
static SpryStatus softmax_prepare(SpryContext *ctx, SpryNode *node) {
  SoftmaxOpData *d = node->user_data;
  d->fast.active = false; /* until this prepare has set it up again */
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(select_kernel(ctx, d, in, out));
  SPRY_ENSURE_MSG(ctx, in->rank >= 1, SPRY_ERROR_INVALID_MODEL, "input must have rank >= 1");
  if (d->kernel != SOFTMAX_KERNEL_F32 && d->kernel != SOFTMAX_KERNEL_F16)
    SPRY_TRY(prepare_quantized(ctx, d, in, out));
  d->count = spry_tensor_elements(in);
  SPRY_ENSURE_MSG(ctx, d->count != SIZE_MAX, SPRY_ERROR_INVALID_MODEL, "input is too large");
  d->depth = (size_t)(in->dims[in->rank - 1] > 0 ? in->dims[in->rank - 1] : 0);
  d->outer = d->depth ? d->count / d->depth : 0;
  if (!d->log)
    SPRY_TRY(spry_fast_softmax_prepare(ctx, &d->fast, in->type, out->type, &d->params, d->outer,
                                       d->depth));
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

/* The node's tensors at invoke, their data checked against the prepared
 * count. */
static SpryStatus invoke_tensors(SpryContext *ctx, const SpryNode *node, const SoftmaxOpData *d,
                                 const SpryTensor **in, SpryTensor **out) {
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, *in && *out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", *in, d->count));
  return spry_op_check_data(ctx, "output", *out, d->count);
}

/* LOG_SOFTMAX's own entry point, so that a build without LOG_SOFTMAX links
 * none of its kernels. */
static SpryStatus log_softmax_invoke(SpryContext *ctx, SpryNode *node) {
  const SoftmaxOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(invoke_tensors(ctx, node, d, &in, &out));
  if (d->kernel == SOFTMAX_KERNEL_F32)
    spry_ref_log_softmax_f32(d->outer, d->depth, in->data, out->data);
  else if (d->kernel == SOFTMAX_KERNEL_U8)
    spry_ref_log_softmax_u8(&d->params, d->outer, d->depth, in->data, out->data);
  else
    spry_ref_log_softmax_s8(&d->params, d->outer, d->depth, in->data, out->data);
  return SPRY_OK;
}

static SpryStatus softmax_invoke(SpryContext *ctx, SpryNode *node) {
  const SoftmaxOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(invoke_tensors(ctx, node, d, &in, &out));
  const SprySoftmaxParams *p = &d->params;
  if (d->fast.active) {
    spry_fast_softmax_run(ctx, &d->fast, in->data, out->data);
    return SPRY_OK;
  }
  switch (d->kernel) {
    case SOFTMAX_KERNEL_F32:
      spry_ref_softmax_f32(p, d->outer, d->depth, in->data, out->data);
      break;
    case SOFTMAX_KERNEL_F16:
      spry_ref_softmax_float(p, SPRY_TYPE_FLOAT16, d->outer, d->depth, in->data, out->data);
      break;
    case SOFTMAX_KERNEL_U8:
      spry_ref_softmax_u8(p, d->outer, d->depth, in->data, out->data);
      break;
    case SOFTMAX_KERNEL_S8:
      spry_ref_softmax_s8(p, d->outer, d->depth, in->data, out->data);
      break;
    case SOFTMAX_KERNEL_U8_S16:
      spry_ref_softmax_u8_s16(p, d->outer, d->depth, in->data, out->data);
      break;
    case SOFTMAX_KERNEL_S8_S16:
      spry_ref_softmax_s8_s16(p, d->outer, d->depth, in->data, out->data);
      break;
    case SOFTMAX_KERNEL_S16:
      spry_ref_softmax_s16(&d->s16, d->outer, d->depth, in->data, out->data);
      break;
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_softmax = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 25, /* BuiltinOperator SOFTMAX */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 9, /* BuiltinOptions SoftmaxOptions */
    .init = softmax_init,
    .free = softmax_free,
    .prepare = softmax_prepare,
    .invoke = softmax_invoke,
};

const SpryOpRegistration spry_op_log_softmax = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 50, /* BuiltinOperator LOG_SOFTMAX */
    .min_version = 1,
    .max_version = 2,
    .builtin_options_type = 36, /* BuiltinOptions LogSoftmaxOptions */
    .init = log_softmax_init,
    .free = softmax_free,
    .prepare = softmax_prepare,
    .invoke = log_softmax_invoke,
};
