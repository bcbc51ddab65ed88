/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gather.c — GATHER (axis, batch_dims) and GATHER_ND.
 *
 * GATHER versions 1–8, GATHER_ND versions 1–6 (the newest name types
 * Spry lacks); params float32, float16, bfloat16, int32, int64, bool,
 * uint8, int8, int16 (TFLite's types, moved by their size), indices
 * int16/int32/int64. GATHER also takes constant int4 params with an int8
 * output, unpacked at prepare (subbyte.h): TFLite's kernel gathers the
 * packed bytes and unpacks the result, which is the gather of the values
 * only when the slice after the axis holds an even number of them (else it
 * copies half a slice's bytes, rounded down, and reads bytes it never
 * wrote), so odd slices are refused. int2 and uint4 params are refused, as
 * TFLite refuses them. The output shape follows
 * TFLite: GATHER gives params[:axis] + indices[batch_dims:] +
 * params[axis+1:], GATHER_ND indices[:-1] + params[indices[-1]:]. Indices
 * are run-time data: one out of range fails the invoke with
 * SPRY_ERROR_RUNTIME (TFLite also fails), never reads outside params.
 */
#include "data_movement.h"
#include "kernel_util.h"
#include "reference/gather.h"
#include "subbyte.h"

#include <stdlib.h>

#define GATHER_TYPES                                                     \
  (SPRY_DM_TYPES_COMMON | SPRY_DM_TYPE(SPRY_TYPE_FLOAT16) |                \
   SPRY_DM_TYPE(SPRY_TYPE_BFLOAT16) | SPRY_DM_TYPE(SPRY_TYPE_BOOL))

/* GatherOptions field ids (schema.fbs). */
enum { GATHER_OPT_AXIS = 0, GATHER_OPT_BATCH_DIMS = 1 };

typedef struct GatherData {
  SpryGatherParams gather;
  SpryGatherNdParams nd;
  SpryTensor unpacked_params; /* GATHER's int4 params unpacked to int8 (subbyte.h) */
} GatherData;

static SpryStatus gather_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  GatherData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus check_indices(SpryContext *ctx, const SpryTensor *idx, size_t *index_size) {
  SPRY_ENSURE_MSG(ctx, idx->type == SPRY_TYPE_INT32 || idx->type == SPRY_TYPE_INT64 ||
                           idx->type == SPRY_TYPE_INT16,
                  SPRY_ERROR_UNSUPPORTED, "indices of type %s are not supported",
                  spry_type_name(idx->type));
  *index_size = spry_type_size(idx->type);
  return SPRY_OK;
}

static size_t product(const int32_t *dims, int32_t from, int32_t to) {
  return spry_shape_element_count(to - from, dims + from);
}

static SpryStatus gather_prepare(SpryContext *ctx, SpryNode *node) {
  GatherData *d = node->user_data;
  SpryGatherParams *g = &d->gather;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *idx = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const bool int4 = in->type == SPRY_TYPE_INT4;
  if (int4) SPRY_TRY(spry_subbyte_unpack_constant(ctx, "params", &d->unpacked_params, &in));
  SPRY_TRY(spry_dm_check_type_in(ctx, in, GATHER_TYPES));
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &g->elem_size));
  SPRY_TRY(check_indices(ctx, idx, &g->index_size));
  int32_t axis = 0, batch_dims = spry_option_i32(node->options, GATHER_OPT_BATCH_DIMS, 0);
  SPRY_TRY(spry_dm_axis(ctx, spry_option_i32(node->options, GATHER_OPT_AXIS, 0), in->rank, &axis));
  if (batch_dims < 0) batch_dims += idx->rank;
  SPRY_ENSURE_MSG(ctx, batch_dims >= 0 && batch_dims <= axis && batch_dims <= idx->rank,
                  SPRY_ERROR_INVALID_MODEL, "batch_dims %d is invalid for axis %d", (int)batch_dims,
                  (int)axis);
  for (int32_t i = 0; i < batch_dims; i++)
    SPRY_ENSURE_MSG(ctx, in->dims[i] == idx->dims[i], SPRY_ERROR_INVALID_MODEL,
                    "batch dimension %d differs between params and indices", (int)i);
  const int32_t rank = in->rank - 1 + idx->rank - batch_dims;
  SPRY_ENSURE_MSG(ctx, rank <= SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED, "output rank %d too large",
                  (int)rank);
  int32_t dims[SPRY_MAX_RANK], r = 0;
  for (int32_t i = 0; i < axis; i++) dims[r++] = in->dims[i];
  for (int32_t i = batch_dims; i < idx->rank; i++) dims[r++] = idx->dims[i];
  for (int32_t i = axis + 1; i < in->rank; i++) dims[r++] = in->dims[i];
  g->batch = product(in->dims, 0, batch_dims);
  g->outer = product(in->dims, batch_dims, axis);
  g->axis_size = (size_t)(in->dims[axis] > 0 ? in->dims[axis] : 0);
  g->inner = product(in->dims, axis + 1, in->rank);
  g->coords = product(idx->dims, batch_dims, idx->rank);
  SPRY_ENSURE_MSG(ctx, !int4 || g->inner % 2 == 0, SPRY_ERROR_UNSUPPORTED,
                  "int4 params with %zu values after axis %d are not supported (an odd count; "
                  "TFLite's kernel misreads packed slices of odd size)",
                  g->inner, (int)axis);
  return spry_context_resize_tensor(ctx, out, rank, dims);
}

static SpryStatus gather_nd_prepare(SpryContext *ctx, SpryNode *node) {
  GatherData *d = node->user_data;
  SpryGatherNdParams *g = &d->nd;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *idx = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_type_in(ctx, in, GATHER_TYPES));
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &g->elem_size));
  SPRY_TRY(check_indices(ctx, idx, &g->index_size));
  SPRY_ENSURE_MSG(ctx, idx->rank >= 1, SPRY_ERROR_INVALID_MODEL, "indices must have rank >= 1");
  const int32_t depth = idx->dims[idx->rank - 1];
  SPRY_ENSURE_MSG(ctx, depth >= 0 && depth <= in->rank, SPRY_ERROR_INVALID_MODEL,
                  "index depth %d exceeds the params rank %d", (int)depth, (int)in->rank);
  const int32_t rank = idx->rank - 1 + in->rank - depth;
  SPRY_ENSURE_MSG(ctx, rank <= SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED, "output rank %d too large",
                  (int)rank);
  int32_t dims[SPRY_MAX_RANK], r = 0;
  for (int32_t i = 0; i + 1 < idx->rank; i++) dims[r++] = idx->dims[i];
  for (int32_t i = depth; i < in->rank; i++) dims[r++] = in->dims[i];
  g->depth = depth;
  g->count = product(idx->dims, 0, idx->rank - 1);
  g->inner = product(in->dims, depth, in->rank);
  spry_row_major_strides(depth, in->dims, g->strides);
  for (int32_t k = 0; k < depth; k++) g->dims[k] = in->dims[k];
  return spry_context_resize_tensor(ctx, out, rank, dims);
}

static SpryStatus gather_invoke(SpryContext *ctx, SpryNode *node) {
  GatherData *d = node->user_data;
  const SpryTensor *in = spry_subbyte_resolve(spry_node_input(ctx, node, 0), &d->unpacked_params);
  const SpryTensor *idx = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && idx && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t out_count = spry_tensor_elements(out);
  if (out_count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "params", in, spry_tensor_elements(in)));
  SPRY_TRY(spry_op_check_data(ctx, "indices", idx, spry_tensor_elements(idx)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, out_count));
  int64_t bad = 0;
  const bool nd = node->builtin_code == 107;
  const bool ok = nd ? spry_ref_gather_nd(&d->nd, in->data, idx->data, out->data, &bad)
                     : spry_ref_gather(&d->gather, in->data, idx->data, out->data, &bad);
  SPRY_ENSURE_MSG(ctx, ok, SPRY_ERROR_RUNTIME, "index %lld is out of range", (long long)bad);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_gather = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 36, /* BuiltinOperator GATHER */
    .min_version = 1,
    .max_version = 8,
    .builtin_options_type = 23, /* BuiltinOptions GatherOptions */
    .init = gather_init,
    .free = spry_dm_free,
    .prepare = gather_prepare,
    .invoke = gather_invoke,
};

const SpryOpRegistration spry_op_gather_nd = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 107, /* BuiltinOperator GATHER_ND */
    .min_version = 1,
    .max_version = 6,
    .builtin_options_type = 83, /* BuiltinOptions GatherNdOptions */
    .init = gather_init,
    .free = spry_dm_free,
    .prepare = gather_nd_prepare,
    .invoke = gather_invoke,
};
