/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logical.c — LOGICAL_AND and LOGICAL_OR (elementwise binary ops on bool
 * tensors with broadcasting, through binary.h) and LOGICAL_NOT. TFLite
 * defines version 1 of each, on bool only.
 */
#include <stdlib.h>

#include "binary.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/comparison.h"
#include "reference/select.h"
#include "spry/op.h"

typedef struct LogicalOpData {
  SpryBroadcast bc;
  SpryCompareParams params;
} LogicalOpData;

static SpryStatus logical_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  LogicalOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->params.op = node->builtin_code == 86 ? SPRY_CMP_LOGICAL_AND : SPRY_CMP_LOGICAL_OR;
  d->params.type = SPRY_TYPE_BOOL;
  *user_data = d;
  return SPRY_OK;
}

static void logical_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryStatus logical_prepare(SpryContext *ctx, SpryNode *node) {
  LogicalOpData *d = node->user_data;
  const SpryBinarySpec spec = {1u << SPRY_TYPE_BOOL, SPRY_BINARY_SAME_TYPE, false,
                               SPRY_ACTIVATION_NONE, 0};
  SpryBinaryPrep prep;
  SPRY_TRY(spry_binary_prepare_spec(ctx, node, &spec, &prep));
  d->bc = prep.bc;
  return SPRY_OK;
}

static SpryStatus logical_invoke(SpryContext *ctx, SpryNode *node) {
  const LogicalOpData *d = node->user_data;
  const SpryTensor *a, *b;
  SpryTensor *out;
  SPRY_TRY(spry_binary_tensors(ctx, node, &d->bc, &a, &b, &out));
  spry_ref_logical(&d->params, &d->bc, a->data, b->data, out->data);
  return SPRY_OK;
}

static SpryStatus logical_not_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in->type == SPRY_TYPE_BOOL && out->type == SPRY_TYPE_BOOL,
                  SPRY_ERROR_UNSUPPORTED, "needs bool input and output (got %s -> %s)",
                  spry_type_name(in->type), spry_type_name(out->type));
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus logical_not_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t n = spry_tensor_elements(in);
  SPRY_TRY(spry_op_check_data(ctx, "input", in, n));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, n));
  spry_ref_logical_not(in->data, out->data, n);
  return SPRY_OK;
}

#define SPRY_LOGICAL_REGISTRATION(name, code, init_fn, free_fn, prepare_fn, invoke_fn)   \
  const SpryOpRegistration spry_op_##name = {                                               \
      .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = (code), .min_version = 1,         \
      .max_version = 1, .init = (init_fn), .free = (free_fn), .prepare = (prepare_fn),      \
      .invoke = (invoke_fn),                                                                \
  }

/* BuiltinOperator codes: LOGICAL_AND 86, LOGICAL_OR 84, LOGICAL_NOT 87. */
SPRY_LOGICAL_REGISTRATION(logical_and, 86, logical_init, logical_free, logical_prepare,
                          logical_invoke);
SPRY_LOGICAL_REGISTRATION(logical_or, 84, logical_init, logical_free, logical_prepare,
                          logical_invoke);
SPRY_LOGICAL_REGISTRATION(logical_not, 87, NULL, NULL, logical_not_prepare, logical_not_invoke);
