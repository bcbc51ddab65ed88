/* SPDX-License-Identifier: Apache-2.0 */
/* constant_folding.c — DEQUANTIZE of constant weights and WHERE of a constant condition, run once (see constant_folding.h). */
#include "constant_folding.h"

#include <stdbool.h>

#include "status.h"

enum { BUILTIN_DEQUANTIZE = 6, BUILTIN_WHERE = 109 };

/* A graph output stays an ordinary tensor: applications may write outputs'
 * memory, and constants must never be written. */
static bool is_graph_output(const SpryInterpreter *interp, int32_t tensor) {
  for (int32_t i = 0; i < interp->graph->num_outputs; i++)
    if (interp->graph->outputs[i] == tensor) return true;
  return false;
}

static bool foldable(const SpryInterpreter *interp, const SpryNodeState *state) {
  const SpryNode *node = &state->node;
  const int32_t code = state->opcode->builtin_code;
  if (code != BUILTIN_DEQUANTIZE && code != BUILTIN_WHERE) return false;
  if (node->num_inputs != 1 || node->num_outputs != 1) return false;
  const int32_t in = node->inputs[0], out = node->outputs[0];
  if (in < 0 || out < 0) return false;
  return interp->tensors[in].kind == SPRY_TENSOR_CONSTANT &&
         interp->tensors[out].kind == SPRY_TENSOR_ARENA && !is_graph_output(interp, out);
}

SpryStatus spry_fold_if_constant(SpryInterpreter *interp, SpryNodeState *state) {
  state->folded = false;
  if (!foldable(interp, state)) return SPRY_OK;
  SpryContext *ctx = &interp->context;
  SpryTensor *out = &interp->tensors[state->node.outputs[0]];
  ctx->node = state;
  ctx->phase = SPRY_PHASE_PREPARE;
  void *data = spry_context_alloc_persistent(ctx, out->bytes ? out->bytes : 1);
  SpryStatus status = data ? SPRY_OK : SPRY_ERROR_OUT_OF_MEMORY;
  if (status == SPRY_OK) {
    out->data = data;
    ctx->phase = SPRY_PHASE_INVOKE;
    status = state->registration->invoke(ctx, &state->node);
  }
  ctx->phase = SPRY_PHASE_IDLE;
  ctx->node = NULL;
  if (status != SPRY_OK) {
    out->data = NULL;
    return status;
  }
  out->kind = SPRY_TENSOR_CONSTANT;
  state->folded = true;
  return SPRY_OK;
}

void spry_unfold(SpryInterpreter *interp, SpryNodeState *state) {
  if (!state->folded) return;
  SpryTensor *out = &interp->tensors[state->node.outputs[0]];
  out->kind = SPRY_TENSOR_ARENA;
  out->data = NULL;
  state->folded = false;
}
