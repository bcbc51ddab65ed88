/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reduce.c — the reduction ops over a constant set of axes: MEAN, SUM,
 * REDUCE_MAX, REDUCE_MIN and REDUCE_PROD share the prepare step (axis
 * resolution, output shape, SpryReduceShape) and add a kernel each.
 * Quantized REDUCE_PROD (int8/int16) follows TFLite's reference
 * QuantizedReduceProd; uint8 with quantization is refused, as in TFLite.
 *
 * MEAN versions (TFLite defines 1..3):
 *   1  float32, uint8, int32, int64 (plain integers: the sum divided with
 *      truncation, as TFLite's reference Mean)
 *   2  int8
 *   3  int16
 * SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN also take bool, as TFLite's
 * reference kernels do (a sum or maximum is an OR, a product or minimum an
 * AND).
 * Axes may be negative (counted from the end) and repeated; an empty axis
 * list makes each output element the mean of one input element: a copy,
 * requantized when the quantization differs, as in TFLite's reference. The
 * quantized kernels follow TFLite's reference QuantizedMeanOrSum for every
 * axis set, including the 4-D mean over height and width. MEAN and SUM over
 * height and width of float32, int8 and uint8 run the fast path where it
 * applies (fast/mean.h), the reference kernels otherwise.
 */
#include "reference/reduce.h"

#include <math.h>
#include <stdlib.h>

#include "fast/mean.h"
#include "kernel_util.h"
#include "quantization.h"
#include "spry/op.h"

/* ReducerOptions field ids (schema.fbs). */
enum { REDUCE_OPT_KEEP_DIMS = 0 };

typedef enum ReduceKind { REDUCE_MEAN, REDUCE_SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN } ReduceKind;

typedef struct ReduceOpData {
  ReduceKind kind;
  bool keep_dims;
  SpryType type;
  int32_t num_axes; /* entries of the axis tensor; 0 means copy */
  SpryReduceShape shape;
  SpryMeanParams mean; /* quantized MEAN */
  bool quantized_sum;  /* SUM of uint8/int8/int16: requantized like MEAN */
  bool quantized_prod; /* REDUCE_PROD of quantized int8/int16 */
  SpryFastMean fast;   /* MEAN and SUM: the fast path, where it applies */
} ReduceOpData;

static SpryStatus reduce_init(SpryContext *ctx, const SpryNode *node, void **user_data,
                              ReduceKind kind) {
  ReduceOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->kind = kind;
  d->keep_dims = spry_option_bool(node->options, REDUCE_OPT_KEEP_DIMS, false);
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus mean_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return reduce_init(ctx, node, user_data, REDUCE_MEAN);
}

static SpryStatus sum_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return reduce_init(ctx, node, user_data, REDUCE_SUM);
}

static SpryStatus prod_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return reduce_init(ctx, node, user_data, REDUCE_PROD);
}

static SpryStatus max_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return reduce_init(ctx, node, user_data, REDUCE_MAX);
}

static SpryStatus min_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return reduce_init(ctx, node, user_data, REDUCE_MIN);
}

static void reduce_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Marks the axes named by the constant int32 axis tensor in `reduced`. */
static SpryStatus resolve_axes(SpryContext *ctx, ReduceOpData *d, const SpryTensor *axis,
                               int32_t rank, bool *reduced) {
  SPRY_ENSURE_MSG(ctx, axis->type == SPRY_TYPE_INT32, SPRY_ERROR_INVALID_MODEL,
                  "axis must be int32, is %s", spry_type_name(axis->type));
  SPRY_ENSURE_MSG(ctx, axis->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "axis computed at run time is not supported (it must be a constant)");
  const size_t n = spry_tensor_elements(axis);
  SPRY_ENSURE_MSG(ctx, n <= 1024, SPRY_ERROR_INVALID_MODEL, "axis has %zu entries", n);
  SPRY_TRY(spry_op_check_data(ctx, "axis", axis, n));
  d->num_axes = (int32_t)n;
  const int32_t *axes = axis->data;
  for (size_t i = 0; i < n && rank > 0; i++) {
    const int32_t a = axes[i];
    SPRY_ENSURE_MSG(ctx, a >= -rank && a < rank, SPRY_ERROR_INVALID_MODEL,
                    "axis %d is out of range for rank %d", (int)a, (int)rank);
    reduced[a < 0 ? a + rank : a] = true;
  }
  return SPRY_OK;
}

static bool same_quant(const SpryTensor *a, const SpryTensor *b) {
  return a->quant.scale == b->quant.scale && a->quant.zero_point == b->quant.zero_point;
}

/* SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN: raw-value reductions, except
 * quantized SUM; the other quantized cases need equal in/out
 * quantization (TFLite's EvalType check). Quantized SUM is requantized on
 * every type (ai-edge-litert saturates it even for equal quantization). */
static SpryStatus check_generic_types(SpryContext *ctx, ReduceOpData *d, const SpryTensor *in,
                                      const SpryTensor *out) {
  const SpryType t = in->type;
  SPRY_ENSURE_MSG(ctx, out->type == t, SPRY_ERROR_INVALID_MODEL, "output type %s != input %s",
                  spry_type_name(out->type), spry_type_name(t));
  SPRY_ENSURE_MSG(ctx,
                  t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64 ||
                      t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 || t == SPRY_TYPE_INT16 ||
                      t == SPRY_TYPE_BOOL,
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(t));
  const bool small = t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 || t == SPRY_TYPE_INT16;
  if (!small) return SPRY_OK;
  if (d->kind == REDUCE_PROD) {
    if (in->quant.num_channels == 0) return SPRY_OK; /* raw int8/int16 product */
    /* TFLite's quantized product exists for int8 and int16 only. */
    SPRY_ENSURE_MSG(ctx, t != SPRY_TYPE_UINT8, SPRY_ERROR_UNSUPPORTED,
                    "quantized %s product is not supported", spry_type_name(t));
    SPRY_TRY(spry_op_check_quant(ctx, "input", in));
    SPRY_TRY(spry_op_check_quant(ctx, "output", out));
    d->quantized_prod = true;
    d->mean.input_zero_point = in->quant.zero_point;
    d->mean.output_zero_point = out->quant.zero_point;
    return SPRY_OK;
  }
  if (d->kind == REDUCE_SUM && in->quant.num_channels > 0) {
    d->quantized_sum = true;
    SPRY_TRY(spry_op_check_quant(ctx, "input", in));
    SPRY_TRY(spry_op_check_quant(ctx, "output", out));
    d->mean.input_zero_point = in->quant.zero_point;
    d->mean.output_zero_point = out->quant.zero_point;
    spry_quantize_multiplier((double)in->quant.scale / (double)out->quant.scale,
                             &d->mean.multiplier, &d->mean.shift);
    return SPRY_OK;
  }
  SPRY_ENSURE_MSG(ctx, same_quant(in, out), SPRY_ERROR_INVALID_MODEL,
                  "input and output quantization must be equal");
  return SPRY_OK;
}

static SpryStatus check_types(SpryContext *ctx, ReduceOpData *d, const SpryTensor *in,
                              const SpryTensor *out) {
  d->type = in->type;
  if (d->kind != REDUCE_MEAN) return check_generic_types(ctx, d, in, out);
  if (in->type == SPRY_TYPE_INT32 || in->type == SPRY_TYPE_INT64) {
    SPRY_ENSURE_MSG(ctx, out->type == in->type, SPRY_ERROR_INVALID_MODEL,
                    "output type %s != input %s", spry_type_name(out->type),
                    spry_type_name(in->type));
    return SPRY_OK;
  }
  bool quantized = false;
  SPRY_TRY(spry_op_check_same_type(ctx, in, out, &quantized));
  if (!quantized) return SPRY_OK;
  d->mean.input_zero_point = in->quant.zero_point;
  d->mean.output_zero_point = out->quant.zero_point;
  spry_quantize_multiplier((double)in->quant.scale / (double)out->quant.scale, &d->mean.multiplier,
                           &d->mean.shift);
  return SPRY_OK;
}

/* Each product step is rescaled by input_scale / output_scale^(1/n) (TFLite's
 * GetQuantProdScaling), n elements per output, so n steps give
 * input_scale^n / output_scale overall without overflowing the accumulator. */
static SpryStatus prod_multiplier(SpryContext *ctx, ReduceOpData *d, const SpryTensor *in,
                                  const SpryTensor *out) {
  if (d->shape.reduce_count == 0 || d->shape.output_count == 0) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, d->shape.reduce_count <= INT32_MAX, SPRY_ERROR_UNSUPPORTED,
                  "reducing %zu elements per output is not supported", d->shape.reduce_count);
  const double scaling = (double)in->quant.scale /
                         pow((double)out->quant.scale, 1.0 / (double)d->shape.reduce_count);
  SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier(scaling, &d->mean.multiplier, &d->mean.shift) &&
                      d->mean.shift <= 14,
                  SPRY_ERROR_UNSUPPORTED,
                  "product rescaling %g is outside the supported range (at most 2^14)", scaling);
  return SPRY_OK;
}

/* MEAN of any type, SUM of floats or quantized values (not raw integers). */
static SpryStatus prepare_fast(SpryContext *ctx, ReduceOpData *d, const SpryTensor *in,
                               const bool *reduced) {
  if (d->kind != REDUCE_MEAN && d->kind != REDUCE_SUM) return SPRY_OK;
  const bool quantized = d->kind == REDUCE_MEAN ? d->type != SPRY_TYPE_FLOAT32 : d->quantized_sum;
  return spry_fast_mean_prepare(ctx, &d->fast, d->kind == REDUCE_MEAN, d->type,
                                quantized ? &d->mean : NULL, in->rank, in->dims, reduced);
}

static SpryStatus reduce_prepare(SpryContext *ctx, SpryNode *node) {
  ReduceOpData *d = node->user_data;
  d->fast.sum = NULL; /* until this prepare has set it up again */
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *axis = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(check_types(ctx, d, in, out));
  bool reduced[SPRY_MAX_RANK] = {false};
  SPRY_TRY(resolve_axes(ctx, d, axis, in->rank, reduced));
  SPRY_ENSURE_MSG(ctx, spry_reduce_shape_init(&d->shape, in->rank, in->dims, reduced),
                  SPRY_ERROR_INVALID_MODEL, "input shape is invalid or too large");
  if (d->quantized_prod) SPRY_TRY(prod_multiplier(ctx, d, in, out));
  SPRY_TRY(prepare_fast(ctx, d, in, reduced));
  int32_t rank = 0, dims[SPRY_MAX_RANK];
  for (int32_t i = 0; i < in->rank; i++) {
    if (!reduced[i])
      dims[rank++] = in->dims[i];
    else if (d->keep_dims)
      dims[rank++] = 1;
  }
  return spry_context_resize_tensor(ctx, out, rank, dims);
}

static void run_reduce(const ReduceOpData *d, const void *in, void *out) {
  static const SpryReduceOp ops[] = {[REDUCE_SUM] = SPRY_REDUCE_SUM,
                                     [REDUCE_PROD] = SPRY_REDUCE_PROD,
                                     [REDUCE_MAX] = SPRY_REDUCE_MAX,
                                     [REDUCE_MIN] = SPRY_REDUCE_MIN};
  if (d->kind != REDUCE_MEAN) {
    if (d->quantized_sum)
      spry_ref_sum_quantized(&d->mean, d->type, &d->shape, in, out);
    else if (d->quantized_prod)
      spry_ref_prod_quantized(&d->mean, d->type, &d->shape, in, out);
    else if (d->type == SPRY_TYPE_FLOAT32)
      spry_ref_reduce_f32(ops[d->kind], &d->shape, in, out);
    else
      spry_ref_reduce_int(ops[d->kind], d->type, &d->shape, in, out);
    return;
  }
  switch (d->type) {
    case SPRY_TYPE_FLOAT32:
      spry_ref_mean_f32(&d->shape, in, out);
      break;
    case SPRY_TYPE_UINT8:
      spry_ref_mean_u8(&d->mean, &d->shape, in, out);
      break;
    case SPRY_TYPE_INT8:
      spry_ref_mean_s8(&d->mean, &d->shape, in, out);
      break;
    case SPRY_TYPE_INT32:
    case SPRY_TYPE_INT64:
      spry_ref_mean_int(d->type, &d->shape, in, out);
      break;
    default:
      spry_ref_mean_s16(&d->mean, &d->shape, in, out);
      break;
  }
}

static SpryStatus reduce_invoke(SpryContext *ctx, SpryNode *node) {
  const ReduceOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", in, d->shape.input_count));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, d->shape.output_count));
  if (d->fast.sum)
    spry_fast_mean_run(ctx, &d->fast, in->data, out->data);
  else
    run_reduce(d, in->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_mean = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 40, /* BuiltinOperator MEAN */
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 27, /* BuiltinOptions ReducerOptions */
    .init = mean_init,
    .free = reduce_free,
    .prepare = reduce_prepare,
    .invoke = reduce_invoke,
};

#define SPRY_REDUCE_REGISTRATION(name, code, max_v, init_fn) \
  const SpryOpRegistration name = {                          \
      .abi_version = SPRY_OP_ABI_VERSION,                    \
      .builtin_code = (code),                                \
      .min_version = 1,                                      \
      .max_version = (max_v),                                \
      .builtin_options_type = 27,                            \
      .init = (init_fn),                                     \
      .free = reduce_free,                                   \
      .prepare = reduce_prepare,                             \
      .invoke = reduce_invoke,                               \
  }

/* Versions: SUM 1 float/int32/int64/uint8/bool, 2 int8 (int16 with equal
 * quantization); REDUCE_PROD 1 float/int32/int64/bool, 2 int8/int16 (raw or
 * quantized);
 * REDUCE_MAX / REDUCE_MIN 1 float/uint8, 2 int8, 3 int16. */
SPRY_REDUCE_REGISTRATION(spry_op_sum, 74, 2, sum_init);
SPRY_REDUCE_REGISTRATION(spry_op_reduce_prod, 81, 2, prod_init);
SPRY_REDUCE_REGISTRATION(spry_op_reduce_max, 82, 3, max_init);
SPRY_REDUCE_REGISTRATION(spry_op_reduce_min, 89, 3, min_init);
