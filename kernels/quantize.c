/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize.c — the QUANTIZE and DEQUANTIZE ops (elementwise, shape kept).
 *
 * QUANTIZE versions (TFLite defines 1..6):
 *   1  float32 -> uint8/int8; requantize between uint8 and int8, and from
 *      either to int16 (TFLite's kernel takes these at any version)
 *   2  int16 output (from float32, or requantized int16 -> int16/int8); also
 *      int16 -> int32 and int32 -> int8/int16, as TFLite's reference kernel
 *   3  per-channel output quantization (from float32)
 *   4  int4, 5 uint4, 6 sub-byte types          — refused at prepare
 * DEQUANTIZE versions (TFLite defines 1..9):
 *   1  uint8   2  int8   3  int16, float16   4  (sparse weights, densified by the engine)
 *   5  int8 per-channel
 *   6  int4, 7 int2, 8 uint4 constants (per tensor or per channel),
 *      unpacked at prepare (subbyte.h: int4 and int2 to int8, uint4 to
 *      uint8, its zero point kept) and dequantized as such
 *   9  (any sub-byte type)
 * QUANTIZE to or from a sub-byte type is refused: TFLite's sub-byte outputs
 * would be activations, which the engine does not store (the model reader
 * refuses them).
 */
#include "reference/quantize.h"

#include <stdlib.h>

#include "fast/quantize.h"
#include "subbyte.h"
#include "kernel_util.h"
#include "quantization.h"
#include "spry/op.h"

typedef enum QuantizeKernel {
  QUANTIZE_KERNEL_FLOAT,      /* float32 -> integer */
  QUANTIZE_KERNEL_REQUANTIZE, /* integer -> integer */
  DEQUANTIZE_KERNEL_INT,      /* integer -> float32 */
  DEQUANTIZE_KERNEL_F16,      /* float16 -> float32 */
} QuantizeKernel;

typedef struct QuantizeOpData {
  QuantizeKernel kernel;
  SpryType input_type;
  SpryType output_type;
  size_t count;
  SpryQuantizeParams quant;     /* float <-> integer */
  SpryRequantizeParams requant; /* integer -> integer */
  SpryTensor unpacked_input;    /* DEQUANTIZE's sub-byte input unpacked (subbyte.h) */
  const SpryFastQuantize *fast; /* NULL: the reference kernel */
} QuantizeOpData;

static SpryStatus quantize_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  QuantizeOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static void quantize_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Per-tensor or per-channel parameters of the quantized tensor `t`. */
static SpryStatus load_quant(SpryContext *ctx, const char *role, const SpryTensor *t,
                             bool allow_per_channel, SpryQuantizeParams *q) {
  const SpryQuantization *tq = &t->quant;
  q->scales = NULL;
  q->zero_points = NULL;
  if (tq->num_channels <= 1 || !allow_per_channel) return spry_op_check_quant(ctx, role, t);
  const int32_t dim = tq->quantized_dimension;
  SPRY_ENSURE_MSG(ctx,
                  dim >= 0 && dim < t->rank && t->dims[dim] == tq->num_channels && tq->scales &&
                      tq->zero_points,
                  SPRY_ERROR_INVALID_MODEL,
                  "%s has %d scales, which does not match its quantized dimension %d", role,
                  (int)tq->num_channels, (int)dim);
  int32_t qmin = 0, qmax = 0;
  SPRY_ENSURE_MSG(ctx,
                  spry_quantized_type_range(t->type, &qmin, &qmax) && t->type != SPRY_TYPE_INT32,
                  SPRY_ERROR_UNSUPPORTED, "%s has type %s", role, spry_type_name(t->type));
  for (int32_t c = 0; c < tq->num_channels; c++) {
    SPRY_ENSURE_MSG(ctx, spry_scale_is_valid(tq->scales[c]), SPRY_ERROR_INVALID_MODEL,
                    "%s channel %d has an invalid scale %g", role, (int)c, (double)tq->scales[c]);
    SPRY_ENSURE_MSG(ctx, tq->zero_points[c] >= qmin && tq->zero_points[c] <= qmax,
                    SPRY_ERROR_INVALID_MODEL, "%s channel %d zero point %d is out of range", role,
                    (int)c, (int)tq->zero_points[c]);
  }
  q->scales = tq->scales;
  q->zero_points = tq->zero_points;
  q->layout.channels = (size_t)tq->num_channels;
  q->layout.inner = spry_shape_element_count(t->rank - dim - 1, t->dims + dim + 1);
  return SPRY_OK;
}

static bool is_8bit(SpryType t) { return t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8; }

/* Quantization of one side of a requantize. int32 (TFLite's integer
 * in/outputs of int16 models) must have zero point 0: the reference
 * subtracts and adds zero points in int32, which could overflow otherwise. */
static SpryStatus check_requantize_side(SpryContext *ctx, const char *role, const SpryTensor *t) {
  if (t->type != SPRY_TYPE_INT32) return spry_op_check_quant(ctx, role, t);
  SPRY_ENSURE_MSG(ctx, t->quant.num_channels == 1 && spry_scale_is_valid(t->quant.scale),
                  SPRY_ERROR_INVALID_MODEL, "%s must be quantized per tensor", role);
  SPRY_ENSURE_MSG(ctx, t->quant.zero_point == 0, SPRY_ERROR_UNSUPPORTED,
                  "int32 %s has zero point %d (only 0 is supported)", role,
                  (int)t->quant.zero_point);
  return SPRY_OK;
}

static SpryStatus prepare_quantize(SpryContext *ctx, QuantizeOpData *d, const SpryTensor *in,
                                   const SpryTensor *out) {
  const SpryType ti = in->type, to = out->type;
  if (ti == SPRY_TYPE_FLOAT32) {
    SPRY_ENSURE_MSG(ctx, is_8bit(to) || to == SPRY_TYPE_INT16, SPRY_ERROR_UNSUPPORTED,
                    "cannot quantize float32 to %s", spry_type_name(to));
    d->kernel = QUANTIZE_KERNEL_FLOAT;
    SPRY_TRY(load_quant(ctx, "output", out, true, &d->quant));
    d->quant.scale = out->quant.scale;
    d->quant.zero_point = out->quant.zero_point;
    return SPRY_OK;
  }
  const bool ok = (is_8bit(ti) && (is_8bit(to) || to == SPRY_TYPE_INT16)) ||
                  (ti == SPRY_TYPE_INT16 && (to == SPRY_TYPE_INT8 || to == SPRY_TYPE_INT16 ||
                                             to == SPRY_TYPE_INT32)) ||
                  (ti == SPRY_TYPE_INT32 && (to == SPRY_TYPE_INT8 || to == SPRY_TYPE_INT16));
  SPRY_ENSURE_MSG(ctx, ok, SPRY_ERROR_UNSUPPORTED, "cannot requantize %s to %s", spry_type_name(ti),
                  spry_type_name(to));
  SPRY_TRY(check_requantize_side(ctx, "input", in));
  SPRY_TRY(check_requantize_side(ctx, "output", out));
  d->kernel = QUANTIZE_KERNEL_REQUANTIZE;
  d->requant.input_zero_point = in->quant.zero_point;
  d->requant.output_zero_point = out->quant.zero_point;
  spry_quantize_multiplier((double)in->quant.scale / (double)out->quant.scale,
                           &d->requant.multiplier, &d->requant.shift);
  return SPRY_OK;
}

static SpryStatus prepare_dequantize(SpryContext *ctx, QuantizeOpData *d, const SpryTensor *in,
                                     const SpryTensor *out) {
  SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "output must be float32, is %s", spry_type_name(out->type));
  if (in->type == SPRY_TYPE_FLOAT16) {
    d->kernel = DEQUANTIZE_KERNEL_F16;
    return SPRY_OK;
  }
  SPRY_ENSURE_MSG(ctx, is_8bit(in->type) || in->type == SPRY_TYPE_INT16, SPRY_ERROR_UNSUPPORTED,
                  "cannot dequantize %s", spry_type_name(in->type));
  d->kernel = DEQUANTIZE_KERNEL_INT;
  SPRY_TRY(load_quant(ctx, "input", in, in->type != SPRY_TYPE_INT16, &d->quant));
  d->quant.scale = in->quant.scale;
  d->quant.zero_point = in->quant.zero_point;
  return SPRY_OK;
}

static SpryStatus prepare_common(SpryContext *ctx, SpryNode *node, bool dequantize) {
  QuantizeOpData *d = node->user_data;
  d->fast = NULL; /* an earlier prepare's is gone with its memory */
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  if (dequantize) {
    SPRY_TRY(spry_subbyte_unpack_constant(ctx, "input", &d->unpacked_input, &in));
    SPRY_TRY(prepare_dequantize(ctx, d, in, out));
  } else {
    SPRY_TRY(prepare_quantize(ctx, d, in, out));
  }
  d->input_type = in->type;
  d->output_type = out->type;
  d->count = spry_tensor_elements(in);
  SPRY_ENSURE_MSG(ctx, d->count != SIZE_MAX, SPRY_ERROR_INVALID_MODEL, "input is too large");
  SPRY_TRY(spry_context_resize_tensor(ctx, out, in->rank, in->dims));
  return spry_fast_quantize_prepare(ctx, &d->quant, &d->requant, d->input_type, d->output_type,
                                    d->count, &d->fast);
}

static SpryStatus quantize_prepare(SpryContext *ctx, SpryNode *node) {
  return prepare_common(ctx, node, false);
}

static SpryStatus dequantize_prepare(SpryContext *ctx, SpryNode *node) {
  return prepare_common(ctx, node, true);
}

static SpryStatus quantize_invoke(SpryContext *ctx, SpryNode *node) {
  const QuantizeOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  in = spry_subbyte_resolve(in, &d->unpacked_input);
  SPRY_TRY(spry_op_check_data(ctx, "input", in, d->count));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, d->count));
  if (d->fast) {
    spry_fast_quantize_run(ctx, d->fast, in->data, out->data);
    return SPRY_OK;
  }
  switch (d->kernel) {
    case QUANTIZE_KERNEL_FLOAT:
      spry_ref_quantize_f32(&d->quant, d->count, in->data, d->output_type, out->data);
      break;
    case QUANTIZE_KERNEL_REQUANTIZE:
      spry_ref_requantize(&d->requant, d->count, d->input_type, in->data, d->output_type,
                          out->data);
      break;
    case DEQUANTIZE_KERNEL_INT:
      spry_ref_dequantize(&d->quant, d->count, d->input_type, in->data, out->data);
      break;
    case DEQUANTIZE_KERNEL_F16:
      spry_ref_dequantize_f16(d->count, in->data, out->data);
      break;
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_quantize = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 114, /* BuiltinOperator QUANTIZE */
    .min_version = 1,
    .max_version = 6,
    .builtin_options_type = 0, /* QuantizeOptions has no fields */
    .init = quantize_init,
    .free = quantize_free,
    .prepare = quantize_prepare,
    .invoke = quantize_invoke,
};

const SpryOpRegistration spry_op_dequantize = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 6, /* BuiltinOperator DEQUANTIZE */
    .min_version = 1,
    .max_version = 9,
    .builtin_options_type = 0, /* DequantizeOptions has no fields */
    .init = quantize_init,
    .free = quantize_free,
    .prepare = dequantize_prepare,
    .invoke = quantize_invoke,
};
