/* SPDX-License-Identifier: Apache-2.0 */
/*
 * densify.c — the DENSIFY op: expands a sparse constant tensor (TFLite's
 * SparsityParameters, verified when the model was opened) into its dense
 * output of the same type and shape.
 *
 * Version 1: float32, int8 and float16 (values are copied bit for bit). The
 * input must be a constant with sparsity parameters, as in TFLite. The
 * output lives in the arena, so it is rewritten on every invoke; the cost
 * is one pass over the output plus one over the stored values.
 */
#include <string.h>

#include "kernel_util.h"
#include "sparsity.h"
#include "spry/op.h"

static SpryStatus densify_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_ENSURE_MSG(ctx, node->num_inputs == 1 && node->num_outputs == 1, SPRY_ERROR_INVALID_MODEL,
                  "expects 1 input and 1 output, has %d and %d", (int)node->num_inputs,
                  (int)node->num_outputs);
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_INVALID_MODEL, "missing input or output");
  SPRY_ENSURE_MSG(ctx, in->type == SPRY_TYPE_FLOAT32 || in->type == SPRY_TYPE_INT8 ||
                           in->type == SPRY_TYPE_FLOAT16,
                  SPRY_ERROR_UNSUPPORTED, "input type %s is not supported",
                  spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, out->type == in->type, SPRY_ERROR_INVALID_MODEL,
                  "output type %s differs from input type %s", spry_type_name(out->type),
                  spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, in->kind == SPRY_TENSOR_CONSTANT && spry_tensor_sparsity(ctx, in),
                  SPRY_ERROR_INVALID_MODEL, "input '%s' is not a sparse constant", in->name);
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus densify_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const SprySparsity *sparsity = spry_tensor_sparsity(ctx, in);
  SPRY_ENSURE(ctx, in && out && sparsity && in->data && (out->data || out->bytes == 0));
  if (out->bytes == 0) return SPRY_OK;
  /* The shapes were checked against the sparsity description at open and
   * the output was sized from the same shape in prepare. */
  spry_sparsity_densify(sparsity, in->rank, in->dims, spry_type_size(in->type), in->data,
                        out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_densify = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 124, /* BuiltinOperator DENSIFY */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = 0, /* DensifyOptions has no fields */
    .prepare = densify_prepare,
    .invoke = densify_invoke,
};
