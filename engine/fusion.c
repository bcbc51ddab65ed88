/* SPDX-License-Identifier: Apache-2.0 */
/* fusion.c — RELU carried out by the convolution before it (see fusion.h). */
#include "fusion.h"

#include "interpreter_internal.h"

/* Builtin operator codes (TFLite's BuiltinOperator) and the activation. */
enum { BUILTIN_CONV_2D = 3, BUILTIN_DEPTHWISE_CONV_2D = 4, BUILTIN_RELU = 19 };
enum { ACTIVATION_NONE = 0, ACTIVATION_RELU = 1 };

static bool listed(const int32_t *list, int32_t count, int32_t t) {
  for (int32_t i = 0; i < count; i++)
    if (list[i] == t) return true;
  return false;
}

/* How many node inputs read tensor t. */
static int32_t readers(const SpryInterpreter *interp, int32_t t) {
  int32_t count = 0;
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    const SpryNode *node = &interp->nodes[n].node;
    for (int32_t i = 0; i < node->num_inputs; i++) count += node->inputs[i] == t;
  }
  return count;
}

/* The convolution whose output RELU node `relu` may take over, or -1. */
static int32_t fusable_producer(const SpryInterpreter *interp, const SpryNodeState *relu) {
  const SpryNode *node = &relu->node;
  if (relu->opcode->builtin_code != BUILTIN_RELU || node->num_inputs != 1 ||
      node->num_outputs != 1)
    return -1;
  const int32_t in = node->inputs[0], out = node->outputs[0];
  if (in < 0 || interp->tensors[in].type != SPRY_TYPE_FLOAT32 ||
      interp->tensors[out].type != SPRY_TYPE_FLOAT32)
    return -1;
  const int32_t p = interp->producer[in];
  if (p < 0) return -1;
  const int32_t code = interp->nodes[p].opcode->builtin_code;
  if (code != BUILTIN_CONV_2D && code != BUILTIN_DEPTHWISE_CONV_2D) return -1;
  if (interp->nodes[p].node.outputs[0] != in) return -1;
  /* The convolution's result must be for the RELU alone. A subgraph input
   * on either side (written by a node all the same) keeps its own buffer:
   * earlier nodes may read the caller's data there. */
  const SprySubgraphDesc *g = interp->graph;
  if (listed(g->outputs, g->num_outputs, in) || listed(g->inputs, g->num_inputs, in) ||
      listed(g->inputs, g->num_inputs, out) || readers(interp, in) != 1)
    return -1;
  return p;
}

void spry_fusion_offer(SpryInterpreter *interp) {
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *state = &interp->nodes[n];
    state->offered_activation = ACTIVATION_NONE;
    state->took_activation = false;
    state->fused_producer = -1;
    state->fused = false;
  }
  if (interp->isa == SPRY_ISA_REFERENCE) return;
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *relu = &interp->nodes[n];
    const int32_t p = fusable_producer(interp, relu);
    if (p < 0) continue;
    relu->fused_producer = p;
    interp->nodes[p].offered_activation = ACTIVATION_RELU;
  }
}

bool spry_context_fuse_activation(SpryContext *ctx, int *activation) {
  if (!ctx || !ctx->node || !activation || ctx->phase != SPRY_PHASE_PREPARE) return false;
  SpryNodeState *state = ctx->node;
  if (state->offered_activation == ACTIVATION_NONE || *activation != ACTIVATION_NONE)
    return false;
  *activation = state->offered_activation;
  state->took_activation = true;
  return true;
}

void spry_fusion_confirm(SpryInterpreter *interp) {
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *relu = &interp->nodes[n];
    if (relu->fused_producer < 0) continue;
    const SpryNodeState *producer = &interp->nodes[relu->fused_producer];
    const SpryTensor *in = &interp->tensors[relu->node.inputs[0]];
    const SpryTensor *out = &interp->tensors[relu->node.outputs[0]];
    relu->fused = producer->took_activation && !producer->deferred && !producer->folded &&
                  !relu->deferred && !relu->folded && in->kind == SPRY_TENSOR_ARENA &&
                  out->kind == SPRY_TENSOR_ARENA && in->bytes == out->bytes;
  }
}
