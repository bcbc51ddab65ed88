/* SPDX-License-Identifier: Apache-2.0 */
/*
 * normalization.c — the L2_NORMALIZATION and LOCAL_RESPONSE_NORMALIZATION ops
 * over the last dimension.
 *
 * L2_NORMALIZATION (TFLite defines 1..2): 1 float32, uint8; 2 int8. Input
 * rank at most 4; no fused activation (TFLite rejects one); quantized
 * outputs must have scale 1/128 and zero point 128 (uint8) or 0 (int8).
 * LOCAL_RESPONSE_NORMALIZATION (version 1): float32, 4-D input, options
 * radius, bias, alpha, beta.
 */
#include <stdlib.h>

#include "kernel_util.h"
#include "reference/normalization.h"

/* L2NormOptions / LocalResponseNormalizationOptions field ids (schema.fbs). */
enum { L2_OPT_ACTIVATION = 0 };
enum { LRN_OPT_RADIUS = 0, LRN_OPT_BIAS = 1, LRN_OPT_ALPHA = 2, LRN_OPT_BETA = 3 };

typedef struct NormOpData {
  SpryType type;
  int activation;      /* L2 */
  SpryLrnParams lrn;   /* LRN */
  size_t outer, depth; /* rows of the last dimension */
} NormOpData;

static SpryStatus l2_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  NormOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->activation = spry_option_i8(node->options, L2_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus lrn_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  NormOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const SpryOptionsTable *o = node->options;
  d->lrn.radius = spry_option_i32(o, LRN_OPT_RADIUS, 0);
  d->lrn.bias = spry_option_f32(o, LRN_OPT_BIAS, 0.0f);
  d->lrn.alpha = spry_option_f32(o, LRN_OPT_ALPHA, 0.0f);
  d->lrn.beta = spry_option_f32(o, LRN_OPT_BETA, 0.0f);
  *user_data = d;
  return SPRY_OK;
}

static void norm_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Shared: arity, same type, rows of the last dimension, output shape. */
static SpryStatus norm_shape(SpryContext *ctx, SpryNode *node, NormOpData *d,
                             const SpryTensor **in_out) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in->type == out->type, SPRY_ERROR_INVALID_MODEL,
                  "input is %s but output is %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  SPRY_ENSURE_MSG(ctx, in->rank >= 1, SPRY_ERROR_INVALID_MODEL, "input must have rank >= 1");
  const size_t count = spry_tensor_elements(in);
  SPRY_ENSURE_MSG(ctx, count != SIZE_MAX, SPRY_ERROR_INVALID_MODEL, "input is too large");
  d->type = in->type;
  d->depth = (size_t)(in->dims[in->rank - 1] > 0 ? in->dims[in->rank - 1] : 0);
  d->outer = d->depth ? count / d->depth : 0;
  *in_out = in;
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus l2_prepare(SpryContext *ctx, SpryNode *node) {
  NormOpData *d = node->user_data;
  const SpryTensor *in = NULL;
  SPRY_TRY(norm_shape(ctx, node, d, &in));
  const SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in->rank <= 4, SPRY_ERROR_UNSUPPORTED,
                  "input must have rank <= 4 (has %d)", (int)in->rank);
  SPRY_ENSURE_MSG(ctx, d->activation == SPRY_ACTIVATION_NONE, SPRY_ERROR_UNSUPPORTED,
                  "fused activation %d is not supported", d->activation);
  if (d->type == SPRY_TYPE_FLOAT32) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, d->type == SPRY_TYPE_UINT8 || d->type == SPRY_TYPE_INT8,
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(d->type));
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  const int32_t zero_point = d->type == SPRY_TYPE_UINT8 ? 128 : 0;
  SPRY_ENSURE_MSG(ctx,
                  out->quant.num_channels >= 1 && out->quant.scale == 1.0f / 128 &&
                      out->quant.zero_point == zero_point,
                  SPRY_ERROR_INVALID_MODEL,
                  "output must have scale 1/128 and zero point %d (has %g, %d)", (int)zero_point,
                  (double)out->quant.scale, (int)out->quant.zero_point);
  return SPRY_OK;
}

static SpryStatus lrn_prepare(SpryContext *ctx, SpryNode *node) {
  NormOpData *d = node->user_data;
  const SpryTensor *in = NULL;
  SPRY_TRY(norm_shape(ctx, node, d, &in));
  SPRY_ENSURE_MSG(ctx, in->rank == 4, SPRY_ERROR_INVALID_MODEL,
                  "input must have rank 4 (has %d)", (int)in->rank);
  SPRY_ENSURE_MSG(ctx, d->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "type %s is not supported (float32 only)", spry_type_name(d->type));
  return SPRY_OK;
}

static SpryStatus norm_tensors(SpryContext *ctx, SpryNode *node, const SpryTensor **in,
                               SpryTensor **out) {
  const NormOpData *d = node->user_data;
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, *in && *out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", *in, d->outer * d->depth));
  return spry_op_check_data(ctx, "output", *out, d->outer * d->depth);
}

static SpryStatus l2_invoke(SpryContext *ctx, SpryNode *node) {
  const NormOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(norm_tensors(ctx, node, &in, &out));
  if (d->type == SPRY_TYPE_FLOAT32)
    spry_ref_l2_norm_f32(d->outer, d->depth, in->data, out->data);
  else
    spry_ref_l2_norm_q(d->type == SPRY_TYPE_UINT8 ? SPRY_Q_U8 : SPRY_Q_S8, in->quant.zero_point,
                       d->outer, d->depth, in->data, out->data);
  return SPRY_OK;
}

static SpryStatus lrn_invoke(SpryContext *ctx, SpryNode *node) {
  const NormOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(norm_tensors(ctx, node, &in, &out));
  spry_ref_local_response_norm_f32(&d->lrn, d->outer, d->depth, in->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_l2_normalization = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 11, /* BuiltinOperator L2_NORMALIZATION */
    .min_version = 1,
    .max_version = 2,
    .builtin_options_type = 12, /* BuiltinOptions L2NormOptions */
    .init = l2_init,
    .free = norm_free,
    .prepare = l2_prepare,
    .invoke = l2_invoke,
};

const SpryOpRegistration spry_op_local_response_normalization = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 13, /* BuiltinOperator LOCAL_RESPONSE_NORMALIZATION */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = 13, /* BuiltinOptions LocalResponseNormalizationOptions */
    .init = lrn_init,
    .free = norm_free,
    .prepare = lrn_prepare,
    .invoke = lrn_invoke,
};
