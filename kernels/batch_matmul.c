/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch_matmul.c — the BATCH_MATMUL op: lhs [..., A, B] x rhs [..., B, C]
 * (ranks 2..5, batch dimensions broadcast, adj_x / adj_y transpose the
 * operands' last two dimensions). Constant and run-time operands alike.
 *
 * Versions (TFLite defines 1..4): 1 float32, and hybrid (float32 lhs and
 * output, int8 rhs weights) with symmetric run-time quantization; 2 int8
 * (-> int8, or -> int32 raw sums); 3 int16 (zero points 0); 4 hybrid with
 * asymmetric_quantize_inputs. int8 and int16 quantization must be per
 * tensor. Hybrid weights must be constant (their column sums and layout
 * are prepared once) and quantized per tensor or per output column.
 *
 * Hybrid shapes as TFLite's Eval sees them: when both operands have rank > 2
 * and the rhs has a 1 just before its matrix, TFLite folds that dimension
 * away and merges the lhs's last batch dimension into its rows, which moves
 * where it looks up row scales (reference/batch_matmul.h); the same view is
 * used here. TFLite also folds with adj_x; when the merged lhs dimension is
 * not 1, its rows then no longer match the transposed data and most of the
 * output is left at zero. There this kernel keeps the unfolded shapes and
 * looks every row's scale up where it is: the product itself.
 */
#include <math.h>
#include <stdlib.h>

#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/batch_matmul.h"
#include "reference/hybrid_gemv.h"

/* BatchMatMulOptions field ids (schema.fbs). */
enum { BMM_OPT_ADJ_X = 0, BMM_OPT_ADJ_Y = 1, BMM_OPT_ASYMMETRIC = 2 };

typedef struct BmmOpData {
  SpryBatchMatMulShape shape;
  SpryBatchMatMulQuant quant;
  bool is_float, hybrid;
  SpryBatchMatMulHybrid hy;
  SpryHybridScratchIndex scratch;
  int32_t transposed_lhs; /* scratch index (adj_x), else -1 */
} BmmOpData;

/* An operand's shape (up to rank 5). */
typedef struct BmmDims {
  int32_t rank;
  int32_t dims[5];
} BmmDims;

static SpryStatus bmm_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  BmmOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->shape.adj_x = spry_option_bool(node->options, BMM_OPT_ADJ_X, false);
  d->shape.adj_y = spry_option_bool(node->options, BMM_OPT_ADJ_Y, false);
  d->hy.asymmetric = spry_option_bool(node->options, BMM_OPT_ASYMMETRIC, false);
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
  d->hybrid = tl == SPRY_TYPE_FLOAT32 && tr == SPRY_TYPE_INT8 && to == SPRY_TYPE_FLOAT32;
  if (d->is_float || d->hybrid) return SPRY_OK;
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

static BmmDims dims_of(const SpryTensor *t) {
  BmmDims d = {t->rank, {0}};
  for (int32_t i = 0; i < t->rank; i++) d.dims[i] = t->dims[i];
  return d;
}

/* Row-major element stride of dimension `d` of a shape right-aligned to
 * `rank` dims, or 0 where it broadcasts (size 1). */
static size_t batch_stride(const BmmDims *t, int32_t rank, int32_t d) {
  const int32_t td = d - (rank - t->rank);
  if (td < 0 || t->dims[td] == 1) return 0;
  size_t stride = 1;
  for (int32_t i = td + 1; i < t->rank; i++) stride *= (size_t)t->dims[i];
  return stride;
}

static int32_t dim_or_1(const BmmDims *t, int32_t rank, int32_t d) {
  const int32_t td = d - (rank - t->rank);
  return td < 0 ? 1 : t->dims[td];
}

/* Fills the shape from the operands' dims (broadcast batch dimensions,
 * strides, matrix sizes) and *out with the output's dims. */
static SpryStatus plan_shape(SpryContext *ctx, SpryBatchMatMulShape *s, const BmmDims *lhs,
                             const BmmDims *rhs, BmmDims *out) {
  const int32_t rank = lhs->rank > rhs->rank ? lhs->rank : rhs->rank;
  out->rank = rank;
  s->batch_rank = rank - 2;
  for (int32_t i = 0; i < rank - 2; i++) {
    const int32_t a = dim_or_1(lhs, rank, i), b = dim_or_1(rhs, rank, i);
    SPRY_ENSURE_MSG(ctx, a == b || a == 1 || b == 1, SPRY_ERROR_INVALID_MODEL,
                    "batch dimension %d does not broadcast (%d vs %d)", (int)i, (int)a, (int)b);
    s->batch[i] = out->dims[i] = a == 1 ? b : a;
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
  out->dims[rank - 2] = s->rows;
  out->dims[rank - 1] = s->cols;
  return SPRY_OK;
}

static SpryStatus set_shape(SpryContext *ctx, BmmOpData *d, const SpryTensor *lhs,
                            const SpryTensor *rhs, SpryTensor *out) {
  const BmmDims l = dims_of(lhs), r = dims_of(rhs);
  BmmDims o;
  SPRY_TRY(plan_shape(ctx, &d->shape, &l, &r, &o));
  return spry_context_resize_tensor(ctx, out, o.rank, o.dims);
}

/* ---- Hybrid (float32 lhs, int8 weights) ------------------------------------ */

/* True when TFLite folds the operands (see the top of the file): both of
 * rank > 2, and a 1 just before the rhs matrix. */
static bool tflite_folds(const BmmDims *lhs, const BmmDims *rhs) {
  return lhs->rank > 2 && rhs->rank > 2 && rhs->dims[rhs->rank - 3] == 1;
}

/* TFLite's view of the operands: where it folds (without adj_x, where the
 * fold is sound), the rhs loses its 1 and the lhs's last batch dimension
 * merges into its rows. */
static SpryStatus hybrid_view(SpryContext *ctx, const SpryBatchMatMulShape *s, BmmDims *lhs,
                              BmmDims *rhs) {
  if (s->adj_x || !tflite_folds(lhs, rhs)) return SPRY_OK;
  const int32_t l = lhs->rank;
  const int64_t merged = (int64_t)lhs->dims[l - 3] * lhs->dims[l - 2];
  SPRY_ENSURE_MSG(ctx, merged <= INT32_MAX, SPRY_ERROR_INVALID_MODEL, "lhs has too many rows");
  lhs->dims[l - 3] = (int32_t)merged;
  lhs->dims[l - 2] = lhs->dims[l - 1];
  lhs->rank--;
  const int32_t r = rhs->rank;
  rhs->dims[r - 3] = rhs->dims[r - 2];
  rhs->dims[r - 2] = rhs->dims[r - 1];
  rhs->rank--;
  return SPRY_OK;
}

/* The weight scales: one per tensor, or one per output column along the
 * rhs's column axis. */
static SpryStatus hybrid_scales(SpryContext *ctx, BmmOpData *d, const SpryTensor *rhs) {
  const SpryQuantization *q = &rhs->quant;
  if (q->num_channels == 1) {
    SPRY_ENSURE_MSG(ctx, spry_scale_is_valid(q->scale), SPRY_ERROR_INVALID_MODEL,
                    "hybrid rhs scale %g is not valid", (double)q->scale);
    d->hy.scale = q->scale;
    d->hy.channel_scales = NULL;
    return SPRY_OK;
  }
  const int32_t axis = d->shape.adj_y ? rhs->rank - 2 : rhs->rank - 1;
  SPRY_ENSURE_MSG(ctx, q->num_channels > 1, SPRY_ERROR_INVALID_MODEL,
                  "hybrid rhs must be quantized (per tensor or per output column)");
  SPRY_ENSURE_MSG(ctx, q->quantized_dimension == axis && q->num_channels == d->shape.cols,
                  SPRY_ERROR_INVALID_MODEL,
                  "hybrid rhs per-channel scales must run along its output columns "
                  "(dimension %d, %d scales), not dimension %d with %d",
                  (int)axis, (int)d->shape.cols, (int)q->quantized_dimension,
                  (int)q->num_channels);
  for (int32_t i = 0; i < q->num_channels; i++)
    SPRY_ENSURE_MSG(ctx, spry_scale_is_valid(q->scales[i]), SPRY_ERROR_INVALID_MODEL,
                    "hybrid rhs scale %d (%g) is not valid", (int)i, (double)q->scales[i]);
  d->hy.channel_scales = q->scales;
  return SPRY_OK;
}

/* Weights as [matrices][cols][depth] and, for asymmetric inputs, their
 * column sums, both once: the weights are constant. */
static SpryStatus hybrid_weights(SpryContext *ctx, BmmOpData *d, const SpryTensor *rhs) {
  const size_t matrix = (size_t)d->shape.depth * (size_t)d->shape.cols;
  const size_t elements = spry_tensor_elements(rhs);
  SPRY_TRY(spry_op_check_data(ctx, "rhs", rhs, elements));
  const size_t matrices = matrix ? elements / matrix : 0;
  SPRY_ENSURE_MSG(ctx, matrices * (size_t)d->shape.cols <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                  "rhs has too many columns");
  d->hy.weights = rhs->data;
  if (!d->shape.adj_y) {
    int8_t *packed = spry_context_alloc_persistent(ctx, elements + 1);
    if (!packed) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
    spry_ref_batch_matmul_pack_weights(&d->shape, (int32_t)matrices, rhs->data, packed);
    d->hy.weights = packed;
  }
  d->hy.column_sums = NULL;
  if (!d->hy.asymmetric) return SPRY_OK;
  const int32_t columns = (int32_t)matrices * d->shape.cols;
  int32_t *sums = spry_context_alloc_persistent(ctx, (size_t)columns * sizeof *sums + 1);
  if (!sums) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  spry_ref_row_sums_s8(d->hy.weights, columns, d->shape.depth, sums);
  d->hy.column_sums = sums;
  return SPRY_OK;
}

/* TFLite's index steps of row scales (rows per step of a batch dimension the
 * lhs has) and column sums (cols per step of one the rhs has), or, where
 * TFLite's fold garbles the rows, the true ones; and the number of lhs rows
 * to quantize. */
static SpryStatus hybrid_strides(SpryContext *ctx, BmmOpData *d, const BmmDims *lhs,
                                 const BmmDims *rhs) {
  const SpryBatchMatMulShape *s = &d->shape;
  const int32_t rank = s->batch_rank + 2;
  const bool true_positions = s->adj_x && tflite_folds(lhs, rhs) &&
                              lhs->dims[lhs->rank - 3] != 1 && s->depth > 0;
  for (int32_t i = 0; i < s->batch_rank; i++) {
    if (true_positions) {
      d->hy.scale_stride[i] = s->lhs_stride[i] / (size_t)s->depth;
      d->hy.column_sum_stride[i] = s->rhs_stride[i] / (size_t)s->depth;
      continue;
    }
    d->hy.scale_stride[i] = dim_or_1(lhs, rank, i) != 1 ? (size_t)s->rows : 0;
    d->hy.column_sum_stride[i] = dim_or_1(rhs, rank, i) != 1 ? (size_t)s->cols : 0;
  }
  const size_t matrices = spry_shape_element_count(lhs->rank - 2, lhs->dims);
  SPRY_ENSURE_MSG(ctx, s->rows == 0 || matrices <= (size_t)INT32_MAX / (size_t)s->rows,
                  SPRY_ERROR_INVALID_MODEL, "lhs has too many rows");
  d->hy.lhs_rows = (int32_t)(matrices * (size_t)s->rows);
  return SPRY_OK;
}

static SpryStatus prepare_hybrid(SpryContext *ctx, BmmOpData *d, const SpryTensor *lhs,
                                 const SpryTensor *rhs) {
  SPRY_ENSURE_MSG(ctx, rhs->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "hybrid rhs (int8 weights with a float32 lhs) must be constant");
  BmmDims l = dims_of(lhs), r = dims_of(rhs), o;
  SPRY_TRY(hybrid_view(ctx, &d->shape, &l, &r));
  SPRY_TRY(plan_shape(ctx, &d->shape, &l, &r, &o));
  SPRY_TRY(hybrid_scales(ctx, d, rhs));
  SPRY_TRY(hybrid_weights(ctx, d, rhs));
  SPRY_TRY(hybrid_strides(ctx, d, &l, &r));
  SPRY_TRY(spry_hybrid_scratch_request(ctx, d->hy.lhs_rows, d->shape.depth, &d->scratch));
  d->transposed_lhs = -1;
  if (!d->shape.adj_x) return SPRY_OK;
  const size_t elements = spry_tensor_elements(lhs);
  SPRY_ENSURE_MSG(ctx, elements <= SIZE_MAX / sizeof(float) - 1, SPRY_ERROR_INVALID_MODEL,
                  "lhs is too large");
  return spry_context_request_scratch(ctx, elements * sizeof(float) + 1, &d->transposed_lhs);
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
  SPRY_TRY(set_shape(ctx, d, lhs, rhs, out));
  return d->hybrid ? prepare_hybrid(ctx, d, lhs, rhs) : SPRY_OK;
}

static void invoke_hybrid(SpryContext *ctx, const BmmOpData *d, const float *lhs, float *out) {
  const SpryHybridScratch q = spry_hybrid_scratch_get(ctx, &d->scratch);
  const SpryBatchMatMulHybridScratch scratch = {
      .lhs_transposed = d->transposed_lhs >= 0 ? spry_context_scratch(ctx, d->transposed_lhs)
                                               : NULL,
      .quantized = q.quantized,
      .scales = q.scales,
      .zero_points = q.zero_points,
  };
  spry_ref_batch_matmul_hybrid(&d->shape, &d->hy, lhs, &scratch, out);
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
  else if (d->hybrid)
    invoke_hybrid(ctx, d, lhs->data, out->data);
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
