/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_matmul.c — the BATCH_MATMUL op: lhs [..., A, B] x rhs [..., B, C]
 * (ranks 2..5, batch dimensions broadcast, adj_x / adj_y transpose the
 * operands' last two dimensions). Constant and run-time operands alike.
 *
 * Versions (TFLite defines 1..4): 1 float32; 2 int8 (-> int8, or -> int32
 * raw sums); 3 int16 (zero points 0); 4 adds asymmetric hybrid inputs. The
 * hybrid float x int8 form (versions 1 and 4) is not supported: prepare
 * refuses it with SPRY_ERROR_UNSUPPORTED. Quantization must be per-tensor.
 */
#include <math.h>
#include <stdlib.h>

#include "kernel_util.h"
#include "quantization.h"
#include "reference/batch_matmul.h"

/* BatchMatMulOptions field ids (schema.fbs). */
enum { BMM_OPT_ADJ_X = 0, BMM_OPT_ADJ_Y = 1 };

typedef struct BmmOpData {
  SpryBatchMatMulShape shape;
  SpryBatchMatMulQuant quant;
  bool is_float;
} BmmOpData;

static SpryStatus bmm_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  BmmOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->shape.adj_x = spry_option_bool(node->options, BMM_OPT_ADJ_X, false);
  d->shape.adj_y = spry_option_bool(node->options, BMM_OPT_ADJ_Y, false);
  *user_data = d;
  return SPRY_OK;
}

static void bmm_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Requantization of the int8/int16 forms (TFLite's
 * GetQuantizedConvolutionMultipler: lhs_scale * rhs_scale / out_scale). */
static SpryStatus prepare_quant(SpryContext *ctx, BmmOpData *d, const SpryTensor *lhs,
                                const SpryTensor *rhs, const SpryTensor *out) {
  SpryBatchMatMulQuant *q = &d->quant;
  SPRY_TRY(spry_op_check_quant(ctx, "lhs", lhs));
  SPRY_TRY(spry_op_check_quant(ctx, "rhs", rhs));
  if (q->kind == SPRY_BMM_S8_S32) return SPRY_OK; /* raw sums: no offsets */
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  q->lhs_offset = -lhs->quant.zero_point;
  q->rhs_offset = -rhs->quant.zero_point;
  q->output_offset = out->quant.zero_point;
  const double real =
      (double)lhs->quant.scale * (double)rhs->quant.scale / (double)out->quant.scale;
  SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier(real, &q->multiplier, &q->shift),
                  SPRY_ERROR_INVALID_MODEL, "bad output multiplier %g", real);
  const int max_shift = q->kind == SPRY_BMM_S16_S16 ? 7 : 30;
  SPRY_ENSURE_MSG(ctx, q->shift >= -31 && q->shift <= max_shift, SPRY_ERROR_UNSUPPORTED,
                  "output multiplier %g is out of the supported range", real);
  return SPRY_OK;
}

static SpryStatus check_types(SpryContext *ctx, BmmOpData *d, const SpryTensor *lhs,
                              const SpryTensor *rhs, const SpryTensor *out) {
  const SpryType tl = lhs->type, tr = rhs->type, to = out->type;
  d->is_float = tl == SPRY_TYPE_FLOAT32 && tr == SPRY_TYPE_FLOAT32 && to == SPRY_TYPE_FLOAT32;
  if (d->is_float) return SPRY_OK;
  if (tl == SPRY_TYPE_INT8 && tr == SPRY_TYPE_INT8 && to == SPRY_TYPE_INT8) {
    d->quant.kind = SPRY_BMM_S8_S8;
  } else if (tl == SPRY_TYPE_INT8 && tr == SPRY_TYPE_INT8 && to == SPRY_TYPE_INT32) {
    d->quant.kind = SPRY_BMM_S8_S32;
  } else if (tl == SPRY_TYPE_INT16 && tr == SPRY_TYPE_INT16 && to == SPRY_TYPE_INT16) {
    d->quant.kind = SPRY_BMM_S16_S16;
    SPRY_ENSURE_MSG(ctx,
                    lhs->quant.zero_point == 0 && rhs->quant.zero_point == 0 &&
                        out->quant.zero_point == 0,
                    SPRY_ERROR_INVALID_MODEL, "int16 operands must have zero point 0");
  } else {
    return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED,
                              "%s x %s -> %s is not supported", spry_type_name(tl),
                              spry_type_name(tr), spry_type_name(to));
  }
  SPRY_ENSURE_MSG(ctx, lhs->quant.num_channels == 1 && rhs->quant.num_channels == 1,
                  SPRY_ERROR_UNSUPPORTED, "operands must be quantized per tensor");
  return prepare_quant(ctx, d, lhs, rhs, out);
}

/* Row-major element stride of dimension `d` of a tensor right-aligned to
 * `rank` dims, or 0 where it broadcasts (size 1). */
static size_t batch_stride(const SpryTensor *t, int32_t rank, int32_t d) {
  const int32_t td = d - (rank - t->rank);
  if (td < 0 || t->dims[td] == 1) return 0;
  size_t stride = 1;
  for (int32_t i = td + 1; i < t->rank; i++) stride *= (size_t)t->dims[i];
  return stride;
}

static int32_t dim_or_1(const SpryTensor *t, int32_t rank, int32_t d) {
  const int32_t td = d - (rank - t->rank);
  return td < 0 ? 1 : t->dims[td];
}

static SpryStatus set_shape(SpryContext *ctx, BmmOpData *d, const SpryTensor *lhs,
                            const SpryTensor *rhs, SpryTensor *out) {
  SpryBatchMatMulShape *s = &d->shape;
  const int32_t rank = lhs->rank > rhs->rank ? lhs->rank : rhs->rank;
  int32_t dims[5];
  s->batch_rank = rank - 2;
  for (int32_t i = 0; i < rank - 2; i++) {
    const int32_t a = dim_or_1(lhs, rank, i), b = dim_or_1(rhs, rank, i);
    SPRY_ENSURE_MSG(ctx, a == b || a == 1 || b == 1, SPRY_ERROR_INVALID_MODEL,
                    "batch dimension %d does not broadcast (%d vs %d)", (int)i, (int)a, (int)b);
    s->batch[i] = dims[i] = a == 1 ? b : a;
    s->lhs_stride[i] = batch_stride(lhs, rank, i);
    s->rhs_stride[i] = batch_stride(rhs, rank, i);
  }
  const int32_t l0 = lhs->dims[lhs->rank - 2], l1 = lhs->dims[lhs->rank - 1];
  const int32_t r0 = rhs->dims[rhs->rank - 2], r1 = rhs->dims[rhs->rank - 1];
  s->rows = s->adj_x ? l1 : l0;
  s->depth = s->adj_x ? l0 : l1;
  s->cols = s->adj_y ? r0 : r1;
  const int32_t rhs_depth = s->adj_y ? r1 : r0;
  SPRY_ENSURE_MSG(ctx, s->depth == rhs_depth, SPRY_ERROR_INVALID_MODEL,
                  "inner dimensions differ: lhs %d, rhs %d", (int)s->depth, (int)rhs_depth);
  dims[rank - 2] = s->rows;
  dims[rank - 1] = s->cols;
  return spry_context_resize_tensor(ctx, out, rank, dims);
}

static SpryStatus bmm_prepare(SpryContext *ctx, SpryNode *node) {
  BmmOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *lhs = spry_node_input(ctx, node, 0);
  const SpryTensor *rhs = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, lhs->rank >= 2 && lhs->rank <= 5 && rhs->rank >= 2 && rhs->rank <= 5,
                  SPRY_ERROR_UNSUPPORTED, "operands must have rank 2 to 5 (have %d and %d)",
                  (int)lhs->rank, (int)rhs->rank);
  SPRY_TRY(check_types(ctx, d, lhs, rhs, out));
  return set_shape(ctx, d, lhs, rhs, out);
}

static SpryStatus bmm_invoke(SpryContext *ctx, SpryNode *node) {
  const BmmOpData *d = node->user_data;
  const SpryTensor *lhs = spry_node_input(ctx, node, 0);
  const SpryTensor *rhs = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, lhs && rhs && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t n_out = spry_tensor_elements(out);
  if (n_out == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "lhs", lhs, spry_tensor_elements(lhs)));
  SPRY_TRY(spry_op_check_data(ctx, "rhs", rhs, spry_tensor_elements(rhs)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, n_out));
  if (d->is_float)
    spry_ref_batch_matmul_f32(&d->shape, lhs->data, rhs->data, out->data);
  else
    spry_ref_batch_matmul_q(&d->shape, &d->quant, lhs->data, rhs->data, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_batch_matmul = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 126, /* BuiltinOperator BATCH_MATMUL */
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 101, /* BuiltinOptions BatchMatMulOptions */
    .init = bmm_init,
    .free = bmm_free,
    .prepare = bmm_prepare,
    .invoke = bmm_invoke,
};
