/* SPDX-License-Identifier: Apache-2.0 */
/*
 * broadcast_args.c — BROADCAST_ARGS (version 1): the shape two shapes
 * broadcast to, computed from two int32 or int64 shape vectors.
 *
 * The output's length is the longer input's, so it is known at prepare even
 * when the shape values are computed; incompatible constant shapes fail at
 * prepare, incompatible computed ones at invoke (SPRY_ERROR_RUNTIME), as in
 * TFLite's broadcast_args.cc.
 */
#include "kernel_util.h"
#include "reference/index_ops.h"

static SpryStatus check_shape_input(SpryContext *ctx, const char *role, const SpryTensor *t,
                                    SpryType type) {
  SPRY_ENSURE_MSG(ctx, t->type == type, SPRY_ERROR_INVALID_MODEL, "%s type %s != %s", role,
                  spry_type_name(t->type), spry_type_name(type));
  SPRY_ENSURE_MSG(ctx, t->rank == 1, SPRY_ERROR_INVALID_MODEL, "%s must be 1-D (rank %d)", role,
                  (int)t->rank);
  return SPRY_OK;
}

/* Computes the output from the inputs' data; `code` is the status of an
 * incompatible pair. */
static SpryStatus broadcast(SpryContext *ctx, const SpryTensor *s0, const SpryTensor *s1,
                            SpryTensor *out, SpryStatus code) {
  SPRY_TRY(spry_op_check_data(ctx, "shape 0", s0, (size_t)s0->dims[0]));
  SPRY_TRY(spry_op_check_data(ctx, "shape 1", s1, (size_t)s1->dims[0]));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, (size_t)out->dims[0]));
  SPRY_ENSURE_MSG(ctx,
                  spry_ref_broadcast_args(s0->type, s0->data, s0->dims[0], s1->data, s1->dims[0],
                                          out->data, out->dims[0]),
                  code, "shapes are incompatible for broadcasting");
  return SPRY_OK;
}

static SpryStatus broadcast_args_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *s0 = spry_node_input(ctx, node, 0);
  const SpryTensor *s1 = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, s0->type == SPRY_TYPE_INT32 || s0->type == SPRY_TYPE_INT64,
                  SPRY_ERROR_INVALID_MODEL, "shapes must be int32 or int64, not %s",
                  spry_type_name(s0->type));
  SPRY_TRY(check_shape_input(ctx, "shape 1", s1, s0->type));
  SPRY_TRY(check_shape_input(ctx, "shape 0", s0, s0->type));
  SPRY_ENSURE_MSG(ctx, out->type == s0->type, SPRY_ERROR_INVALID_MODEL,
                  "output type %s != input %s", spry_type_name(out->type),
                  spry_type_name(s0->type));
  const int32_t len = s0->dims[0] > s1->dims[0] ? s0->dims[0] : s1->dims[0];
  SPRY_TRY(spry_context_resize_tensor(ctx, out, 1, &len));
  if (s0->kind != SPRY_TENSOR_CONSTANT || s1->kind != SPRY_TENSOR_CONSTANT) return SPRY_OK;
  /* Check constant shapes now (the output's data is not there yet). */
  int64_t scratch[64];
  SpryTensor probe = *out;
  SPRY_ENSURE_MSG(ctx, (size_t)len <= sizeof scratch / sizeof scratch[0], SPRY_ERROR_UNSUPPORTED,
                  "shapes of %d dimensions are too long", (int)len);
  probe.data = scratch;
  probe.bytes = sizeof scratch;
  return broadcast(ctx, s0, s1, &probe, SPRY_ERROR_INVALID_MODEL);
}

static SpryStatus broadcast_args_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *s0 = spry_node_input(ctx, node, 0);
  const SpryTensor *s1 = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, s0 && s1 && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  return broadcast(ctx, s0, s1, out, SPRY_ERROR_RUNTIME);
}

const SpryOpRegistration spry_op_broadcast_args = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 145, /* BROADCAST_ARGS */
    .min_version = 1, .max_version = 1,
    .prepare = broadcast_args_prepare, .invoke = broadcast_args_invoke,
};
