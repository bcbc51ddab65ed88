/* SPDX-License-Identifier: Apache-2.0 */
/*
 * concat_split.c — CONCATENATION and PACK (join tensors along an axis) and
 * SPLIT, SPLIT_V and UNPACK (cut one tensor along an axis).
 *
 * Versions (TFLite's register.cc): CONCATENATION 1–7, PACK 1–5, SPLIT 1–5,
 * SPLIT_V 1–3, UNPACK 1–6; the newest ones name types Spry refuses (int4 and
 * smaller) or none. Types, TFLite's (elements are moved by their size):
 *   CONCATENATION  float32, float16, bfloat16, int32, int64, uint32, bool,
 *                  uint8, int8, int16
 *   PACK           float32, int32, int64, uint32, uint8, int8, int16
 *   SPLIT, SPLIT_V float32, int32, int64, uint8, int8, int16
 *   UNPACK         float32, float16, bfloat16, int32, bool, uint8, int8, int16
 * Axes (SPLIT's axis input, SPLIT_V's size_splits and axis) must be
 * constant.
 *
 * CONCATENATION quantization follows TFLite: uint8 parts whose scale or zero
 * point differ from the output's are requantized (ConcatenationWithScaling);
 * int8 parts are too, where TFLite refuses the model; int16 needs zero
 * points 0 and moves raw values, as TFLite does. A fused activation other
 * than NONE is refused, like TFLite ("activation != kTfLiteActNone").
 */
#include <math.h>
#include <stdlib.h>

#include "data_movement.h"
#include "fast/work_share.h"
#include "kernel_util.h"
#include "reference/concat_split.h"

/* Option field ids (schema.fbs). */
enum { CONCAT_OPT_AXIS = 0, CONCAT_OPT_ACTIVATION = 1 };
enum { PACK_OPT_COUNT = 0, PACK_OPT_AXIS = 1 };
enum { UNPACK_OPT_NUM = 0, UNPACK_OPT_AXIS = 1 };
enum { SPLIT_OPT_NUM = 0 };

#define DM(t) SPRY_DM_TYPE(SPRY_TYPE_##t)
#define CONCAT_TYPES (SPRY_DM_TYPES_COMMON | DM(FLOAT16) | DM(BFLOAT16) | DM(UINT32) | DM(BOOL))
#define PACK_TYPES (SPRY_DM_TYPES_COMMON | DM(UINT32))
#define SPLIT_TYPES SPRY_DM_TYPES_COMMON
#define UNPACK_TYPES                                                                     \
  (DM(FLOAT32) | DM(FLOAT16) | DM(BFLOAT16) | DM(INT32) | DM(BOOL) | DM(UINT8) | DM(INT8) | \
   DM(INT16))

typedef struct JoinData {
  SpryConcatParams params;
  SpryConcatPart *parts; /* one per input (persistent) */
} JoinData;

typedef struct CutData {
  size_t outer, elem_size;
  size_t *blocks;  /* one per output (persistent) */
  void **outputs;  /* filled at invoke */
} CutData;

/* One init for both kinds: a zeroed block that holds either. */
static SpryStatus data_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  void *d = calloc(1, sizeof(JoinData) > sizeof(CutData) ? sizeof(JoinData) : sizeof(CutData));
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

/* Product of dims [from, to). */
static size_t dims_product(const int32_t *dims, int32_t from, int32_t to) {
  return spry_shape_element_count(to - from, dims + from);
}

static SpryQType qtype_of(SpryType t) {
  return t == SPRY_TYPE_UINT8 ? SPRY_Q_U8 : (t == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16);
}

/* Decides whether part i copies or rescales (uint8/int8 with other params). */
static SpryStatus concat_quant(SpryContext *ctx, const SpryTensor *in, const SpryTensor *out,
                               SpryConcatPart *part) {
  part->rescale = false;
  if (out->type == SPRY_TYPE_INT16) {
    SPRY_ENSURE_MSG(ctx, in->quant.zero_point == 0 && out->quant.zero_point == 0,
                    SPRY_ERROR_INVALID_MODEL, "int16 zero points must be 0");
    return SPRY_OK;
  }
  if (out->type != SPRY_TYPE_UINT8 && out->type != SPRY_TYPE_INT8) return SPRY_OK;
  if (in->quant.scale == out->quant.scale && in->quant.zero_point == out->quant.zero_point)
    return SPRY_OK;
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  part->scale = in->quant.scale * (1.0f / out->quant.scale);
  part->bias = (float)-in->quant.zero_point * part->scale;
  SPRY_ENSURE_MSG(ctx, isfinite(part->scale) && isfinite(part->bias), SPRY_ERROR_UNSUPPORTED,
                  "input/output scale ratio is not representable");
  part->rescale = true;
  return SPRY_OK;
}

/* Shared by CONCATENATION and PACK: inputs have `in_rank` dims; the output
 * axis `axis` of a rank-`out_rank` output is where they are joined. */
static SpryStatus join_prepare(SpryContext *ctx, SpryNode *node, int32_t axis, bool stack,
                               uint32_t types) {
  JoinData *d = node->user_data;
  const int32_t n = node->num_inputs;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, n, 1));
  const SpryTensor *t0 = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, t0, out, &d->params.elem_size));
  SPRY_TRY(spry_dm_check_type_in(ctx, t0, types));
  const int32_t out_rank = t0->rank + (stack ? 1 : 0);
  SPRY_ENSURE_MSG(ctx, out_rank <= SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED, "output rank too large");
  SPRY_TRY(spry_dm_axis(ctx, axis, out_rank, &axis));
  d->parts = spry_context_alloc_persistent(ctx, (size_t)n * sizeof *d->parts);
  if (!d->parts) return SPRY_ERROR_OUT_OF_MEMORY;
  int32_t dims[SPRY_MAX_RANK];
  for (int32_t i = 0, j = 0; i < out_rank; i++) dims[i] = (stack && i == axis) ? 1 : t0->dims[j++];
  int64_t axis_sum = 0;
  for (int32_t p = 0; p < n; p++) {
    const SpryTensor *t = spry_node_input(ctx, node, p);
    SPRY_ENSURE_MSG(ctx, t && t->type == t0->type && t->rank == t0->rank,
                    SPRY_ERROR_INVALID_MODEL, "input %d differs in type or rank from input 0",
                    (int)p);
    for (int32_t i = 0; i < t0->rank; i++)
      SPRY_ENSURE_MSG(ctx, t->dims[i] == t0->dims[i] || (!stack && i == axis),
                      SPRY_ERROR_INVALID_MODEL, "input %d: dimension %d is %d, expected %d",
                      (int)p, (int)i, (int)t->dims[i], (int)t0->dims[i]);
    axis_sum += stack ? 1 : t->dims[axis];
    SPRY_TRY(concat_quant(ctx, t, out, &d->parts[p]));
    d->parts[p].block = stack ? dims_product(dims, axis + 1, out_rank)
                              : dims_product(t->dims, axis, t->rank);
  }
  SPRY_ENSURE_MSG(ctx, axis_sum <= INT32_MAX, SPRY_ERROR_INVALID_MODEL, "output is too large");
  dims[axis] = (int32_t)axis_sum;
  d->params.outer = dims_product(dims, 0, axis);
  d->params.qtype = qtype_of(out->type);
  d->params.output_zero_point = out->quant.zero_point;
  return spry_context_resize_tensor(ctx, out, out_rank, dims);
}

/* Outputs from this size on are joined by every thread, each its share of
 * the outer steps: a thread then mostly reads what it wrote itself in the
 * ops before, which split their rows the same way, where one thread alone
 * read half of its inputs from the other core's cache. Smaller joins are
 * not worth waking a thread for. */
#define SHARED_JOIN_BYTES (64 * 1024)

typedef struct JoinJob {
  const JoinData *d;
  int32_t count, shares;
  void *output;
} JoinJob;

static void join_share(void *arg, int32_t t) {
  const JoinJob *job = arg;
  size_t first, last;
  spry_work_share(job->d->params.outer, t, job->shares, &first, &last);
  spry_ref_concat_range(&job->d->params, job->d->parts, job->count, first, last, job->output);
}

static SpryStatus join_invoke(SpryContext *ctx, SpryNode *node) {
  JoinData *d = node->user_data;
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, out != NULL, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  for (int32_t p = 0; p < node->num_inputs; p++) {
    const SpryTensor *t = spry_node_input(ctx, node, p);
    SPRY_ENSURE_MSG(ctx, t != NULL, SPRY_ERROR_BAD_STATE, "input %d missing at invoke", (int)p);
    SPRY_TRY(spry_op_check_data(ctx, "input", t, d->params.outer * d->parts[p].block));
    d->parts[p].data = t->data;
  }
  SPRY_TRY(spry_op_check_data(ctx, "output", out, spry_tensor_elements(out)));
  JoinJob job = {.d = d, .count = node->num_inputs, .shares = 1, .output = out->data};
  if (spry_tensor_elements(out) * d->params.elem_size >= SHARED_JOIN_BYTES)
    job.shares = spry_context_num_threads(ctx);
  spry_context_parallel_for(ctx, job.shares, join_share, &job);
  return SPRY_OK;
}

static SpryStatus concat_prepare(SpryContext *ctx, SpryNode *node) {
  const int32_t act = spry_option_i8(node->options, CONCAT_OPT_ACTIVATION, 0);
  SPRY_ENSURE_MSG(ctx, act == 0, SPRY_ERROR_UNSUPPORTED,
                  "fused activation %d is not supported (TFLite supports none)", (int)act);
  return join_prepare(ctx, node, spry_option_i32(node->options, CONCAT_OPT_AXIS, 0), false,
                      CONCAT_TYPES);
}

static SpryStatus pack_prepare(SpryContext *ctx, SpryNode *node) {
  const int32_t count = spry_option_i32(node->options, PACK_OPT_COUNT, node->num_inputs);
  SPRY_ENSURE_MSG(ctx, count == node->num_inputs, SPRY_ERROR_INVALID_MODEL,
                  "values_count %d differs from the %d inputs", (int)count, (int)node->num_inputs);
  return join_prepare(ctx, node, spry_option_i32(node->options, PACK_OPT_AXIS, 0), true,
                      PACK_TYPES);
}

/* Shared by SPLIT, SPLIT_V and UNPACK: cuts `in` along `axis` into the
 * node's outputs of sizes[i] (UNPACK: drops the axis). */
static SpryStatus cut_prepare(SpryContext *ctx, SpryNode *node, const SpryTensor *in,
                              int32_t axis, const int64_t *sizes, bool unstack, uint32_t types) {
  CutData *d = node->user_data;
  const int32_t n = node->num_outputs;
  SPRY_TRY(spry_dm_check_type_in(ctx, in, types));
  d->blocks = spry_context_alloc_persistent(ctx, (size_t)n * sizeof *d->blocks);
  d->outputs = spry_context_alloc_persistent(ctx, (size_t)n * sizeof *d->outputs);
  if (!d->blocks || !d->outputs) return SPRY_ERROR_OUT_OF_MEMORY;
  d->outer = dims_product(in->dims, 0, axis);
  for (int32_t p = 0; p < n; p++) {
    SpryTensor *out = spry_node_output(ctx, node, p);
    SPRY_ENSURE_MSG(ctx, out != NULL, SPRY_ERROR_INVALID_MODEL, "output %d is missing", (int)p);
    SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
    int32_t rank = 0, dims[SPRY_MAX_RANK];
    for (int32_t i = 0; i < in->rank; i++) {
      if (i != axis) dims[rank++] = in->dims[i];
      else if (!unstack) dims[rank++] = (int32_t)sizes[p];
    }
    SPRY_TRY(spry_context_resize_tensor(ctx, out, rank, dims));
    d->blocks[p] = dims_product(in->dims, axis + 1, in->rank) * (size_t)sizes[p];
  }
  return SPRY_OK;
}

static SpryStatus cut_invoke(SpryContext *ctx, SpryNode *node) {
  CutData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, node->builtin_code == 49 ? 1 : 0);
  SPRY_ENSURE_MSG(ctx, in != NULL, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", in, spry_tensor_elements(in)));
  for (int32_t p = 0; p < node->num_outputs; p++) {
    SpryTensor *out = spry_node_output(ctx, node, p);
    SPRY_ENSURE_MSG(ctx, out != NULL, SPRY_ERROR_BAD_STATE, "output %d missing", (int)p);
    SPRY_TRY(spry_op_check_data(ctx, "output", out, d->outer * d->blocks[p]));
    d->outputs[p] = out->data;
  }
  if (spry_tensor_elements(in) == 0) return SPRY_OK;
  spry_ref_split(d->outer, d->elem_size, in->data, d->outputs, d->blocks, node->num_outputs);
  return SPRY_OK;
}

static SpryStatus split_prepare(SpryContext *ctx, SpryNode *node) {
  const int32_t n = spry_option_i32(node->options, SPLIT_OPT_NUM, node->num_outputs);
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, node->num_outputs));
  SPRY_ENSURE_MSG(ctx, n == node->num_outputs && n > 0 && n <= 65536, SPRY_ERROR_INVALID_MODEL,
                  "num_splits %d does not match the %d outputs", (int)n, (int)node->num_outputs);
  const SpryTensor *in = spry_node_input(ctx, node, 1);
  int64_t axis_value = 0;
  int32_t count = 0, axis = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 0), "axis", &axis_value, 1, &count));
  SPRY_ENSURE_MSG(ctx, count == 1, SPRY_ERROR_INVALID_MODEL, "axis must hold one value");
  SPRY_TRY(spry_dm_axis(ctx, axis_value, in->rank, &axis));
  SPRY_ENSURE_MSG(ctx, in->dims[axis] % n == 0, SPRY_ERROR_INVALID_MODEL,
                  "axis size %d is not a multiple of %d splits", (int)in->dims[axis], (int)n);
  int64_t *each = spry_context_alloc_persistent(ctx, (size_t)n * sizeof *each);
  if (!each) return SPRY_ERROR_OUT_OF_MEMORY;
  for (int32_t i = 0; i < n; i++) each[i] = in->dims[axis] / n;
  return cut_prepare(ctx, node, in, axis, each, false, SPLIT_TYPES);
}

static SpryStatus split_v_prepare(SpryContext *ctx, SpryNode *node) {
  const int32_t n = node->num_outputs;
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, n));
  SPRY_ENSURE_MSG(ctx, n > 0 && n <= 65536, SPRY_ERROR_INVALID_MODEL, "bad output count %d", (int)n);
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  int64_t axis_value = 0;
  int32_t count = 0, axis = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 2), "axis", &axis_value, 1, &count));
  SPRY_ENSURE_MSG(ctx, count == 1, SPRY_ERROR_INVALID_MODEL, "axis must hold one value");
  SPRY_TRY(spry_dm_axis(ctx, axis_value, in->rank, &axis));
  int64_t *sizes = spry_context_alloc_persistent(ctx, (size_t)n * sizeof *sizes);
  if (!sizes) return SPRY_ERROR_OUT_OF_MEMORY;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 1), "size_splits", sizes, n, &count));
  SPRY_ENSURE_MSG(ctx, count == n, SPRY_ERROR_INVALID_MODEL,
                  "size_splits has %d entries for %d outputs", (int)count, (int)n);
  int64_t sum = 0;
  int32_t infer = -1;
  for (int32_t i = 0; i < n; i++) {
    if (sizes[i] == -1 && infer < 0) {
      infer = i;
      continue;
    }
    SPRY_ENSURE_MSG(ctx, sizes[i] >= 0, SPRY_ERROR_INVALID_MODEL, "split size %lld is invalid",
                    (long long)sizes[i]);
    sum += sizes[i];
  }
  if (infer >= 0) sizes[infer] = in->dims[axis] - sum;
  SPRY_ENSURE_MSG(ctx, (infer < 0 ? sum : sum + sizes[infer]) == in->dims[axis] &&
                           (infer < 0 || sizes[infer] >= 0),
                  SPRY_ERROR_INVALID_MODEL, "split sizes do not add up to the axis size %d",
                  (int)in->dims[axis]);
  return cut_prepare(ctx, node, in, axis, sizes, false, SPLIT_TYPES);
}

static SpryStatus unpack_prepare(SpryContext *ctx, SpryNode *node) {
  const int32_t n = node->num_outputs;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, n));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  int32_t axis = 0;
  SPRY_TRY(spry_dm_axis(ctx, spry_option_i32(node->options, UNPACK_OPT_AXIS, 0), in->rank, &axis));
  const int32_t num = spry_option_i32(node->options, UNPACK_OPT_NUM, n);
  SPRY_ENSURE_MSG(ctx, num == n && n == in->dims[axis], SPRY_ERROR_INVALID_MODEL,
                  "unpacking axis %d of size %d into %d outputs", (int)axis, (int)in->dims[axis],
                  (int)n);
  int64_t *ones = spry_context_alloc_persistent(ctx, (size_t)(n > 0 ? n : 1) * sizeof *ones);
  if (!ones) return SPRY_ERROR_OUT_OF_MEMORY;
  for (int32_t i = 0; i < n; i++) ones[i] = 1;
  return cut_prepare(ctx, node, in, axis, ones, true, UNPACK_TYPES);
}

#define JOIN_OP(name_, code_, max_, options_, prepare_)                                        \
  const SpryOpRegistration spry_op_##name_ = {                                                 \
      .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = (code_), .min_version = 1,           \
      .max_version = (max_), .builtin_options_type = (options_), .init = data_init,            \
      .free = spry_dm_free, .prepare = prepare_, .invoke = join_invoke}
#define CUT_OP(name_, code_, max_, options_, prepare_)                                         \
  const SpryOpRegistration spry_op_##name_ = {                                                 \
      .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = (code_), .min_version = 1,           \
      .max_version = (max_), .builtin_options_type = (options_), .init = data_init,            \
      .free = spry_dm_free, .prepare = prepare_, .invoke = cut_invoke}

/* BuiltinOperator codes and BuiltinOptions types from schema.fbs. */
JOIN_OP(concatenation, 2, 7, 10, concat_prepare);
JOIN_OP(pack, 83, 5, 59, pack_prepare);
CUT_OP(split, 49, 5, 35, split_prepare);
CUT_OP(split_v, 102, 3, 79, split_v_prepare);
CUT_OP(unpack, 88, 6, 64, unpack_prepare);
