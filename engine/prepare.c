/* SPDX-License-Identifier: Apache-2.0 */
/* prepare.c — shape propagation through kernel prepare, then one arena plan. */
#include <stdlib.h>
#include <string.h>

#include "arena_planner.h"
#include "constant_folding.h"
#include "dynamic.h"
#include "fusion.h"
#include "interpreter_internal.h"
#include "status.h"

/* Makes sure a failing callback leaves a message behind. */
static SpryStatus explain_failure(SpryInterpreter *interp, SpryNodeState *state,
                                  SpryStatus status, const char *phase) {
  (void)interp;
  if (spry_last_error()[0] == '\0')
    spry_set_error(status, "%s (node %d): %s failed (%s)", spry_opcode_name(state->opcode),
                   (int)state->node.index, phase, spry_status_name(status));
  return status;
}

static SpryStatus prepare_nodes(SpryInterpreter *interp) {
  SpryContext *ctx = &interp->context;
  /* Every node's persistent memory goes first, then the nodes allocate
   * anew: the pool (persistent_pool.h) returns a chunk only once all of it
   * is released, so a node-by-node turnover left old and new buffers
   * sharing chunks, and the model held up to two more chunks each time it
   * was prepared again. */
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    spry_unfold(interp, &interp->nodes[n]);
    spry_alloc_list_clear(&interp->nodes[n].prepare_allocs, interp->root->persistent_pool);
  }
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *state = &interp->nodes[n];
    /* A node reading a run-time shape is prepared at each invoke instead. */
    SPRY_TRY(spry_dynamic_defer_if_reading(interp, state));
    if (state->deferred || !state->registration->prepare) continue;
    ctx->node = state;
    ctx->phase = SPRY_PHASE_PREPARE;
    spry_clear_error();
    const SpryStatus status = state->registration->prepare(ctx, &state->node);
    ctx->phase = SPRY_PHASE_IDLE;
    ctx->node = NULL;
    if (status != SPRY_OK) return explain_failure(interp, state, status, "prepare");
    const SpryStatus folding = spry_fold_if_constant(interp, state);
    if (folding != SPRY_OK) return explain_failure(interp, state, folding, "constant folding");
  }
  return SPRY_OK;
}

static SpryStatus check_tensor_sizes(SpryInterpreter *interp) {
  for (int32_t t = 0; t < interp->num_tensors; t++) {
    const SpryTensor *tensor = &interp->tensors[t];
    if (tensor->kind == SPRY_TENSOR_CONSTANT) continue;
    if (tensor->bytes > interp->options.max_arena_bytes)
      return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY,
                            "tensor %d ('%s') needs %zu bytes, over the limit of %zu", (int)t,
                            tensor->name, tensor->bytes, interp->options.max_arena_bytes);
  }
  return SPRY_OK;
}

static SpryStatus allocate_variables(SpryInterpreter *interp) {
  for (int32_t t = 0; t < interp->num_tensors; t++) {
    SpryTensor *tensor = &interp->tensors[t];
    if (tensor->kind != SPRY_TENSOR_PERSISTENT) continue;
    free(interp->variable_data[t]);
    /* State starts at zero, as in TFLite; a new shape resets it. */
    interp->variable_data[t] = calloc(1, tensor->bytes ? tensor->bytes : 1);
    if (!interp->variable_data[t])
      return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory for variable tensor '%s'",
                            tensor->name);
    tensor->data = interp->variable_data[t];
    /* TFLite's ResetVariableTensor starts int8 state at its zero point (the
     * quantized 0.0); every other type starts at 0. */
    if (tensor->type == SPRY_TYPE_INT8 && tensor->quant.num_channels > 0)
      memset(tensor->data, (int)(tensor->quant.zero_point & 0xFF), tensor->bytes);
  }
  return SPRY_OK;
}

/* Execution step at which each arena tensor is first and last needed. */
static void tensor_lifetimes(const SpryInterpreter *interp, int32_t *first, int32_t *last) {
  const SprySubgraphDesc *g = interp->graph;
  for (int32_t t = 0; t < interp->num_tensors; t++) {
    first[t] = interp->producer[t];
    last[t] = interp->producer[t];
  }
  /* Inputs stay intact through the whole run, so that invoking again on the
   * same input gives the same result. */
  for (int32_t i = 0; i < g->num_inputs; i++) {
    first[g->inputs[i]] = 0;
    last[g->inputs[i]] = interp->num_nodes;
  }
  for (int32_t n = 0; n < g->num_operators; n++) {
    const SpryOperatorDesc *op = &g->operators[n];
    for (int32_t i = 0; i < op->num_inputs; i++) {
      const int32_t t = op->inputs[i];
      if (t >= 0 && first[t] >= 0 && last[t] < n) last[t] = n;
    }
  }
  for (int32_t i = 0; i < g->num_outputs; i++) {
    const int32_t t = g->outputs[i];
    if (first[t] >= 0) last[t] = interp->num_nodes;
  }
  /* A fused RELU's output shares its input's buffer (fusion.h): the input
   * lives on for as long as the output, which gets no buffer of its own. */
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    const SpryNodeState *state = &interp->nodes[n];
    if (!state->fused) continue;
    const int32_t in = state->node.inputs[0], out = state->node.outputs[0];
    if (last[out] > last[in]) last[in] = last[out];
    first[out] = -1;
  }
}

/* Points each fused RELU's output at its input's buffer. */
static void alias_fused_outputs(SpryInterpreter *interp) {
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    const SpryNodeState *state = &interp->nodes[n];
    if (state->fused)
      interp->tensors[state->node.outputs[0]].data = interp->tensors[state->node.inputs[0]].data;
  }
}

/* The arena, zeroed so that no kernel can ever observe uninitialised
 * memory: from the persistent pool, whose pages come fresh (zero) and, for
 * a large model, huge (DeepLab's 6.4 MB arena had been 1,600 page faults
 * at load, as memset zeroed it); without a pool, from the heap. */
static void *new_arena(SpryInterpreter *interp, size_t bytes) {
  if (bytes == 0) bytes = SPRY_ARENA_ALIGNMENT;
  void *arena = spry_persistent_pool_alloc(interp->root->persistent_pool, bytes);
  if (arena) return arena;
  arena = aligned_alloc(SPRY_ARENA_ALIGNMENT, spry_arena_round_up(bytes));
  if (arena) memset(arena, 0, bytes);
  return arena;
}

void spry_arena_release(SpryInterpreter *interp) {
  if (!spry_persistent_pool_release(interp->root->persistent_pool, interp->arena))
    free(interp->arena);
  interp->arena = NULL;
}

static SpryStatus plan_arena(SpryInterpreter *interp) {
  const int32_t nt = interp->num_tensors;
  const size_t capacity = (size_t)(uint32_t)nt + (size_t)(uint32_t)interp->num_scratch + 1;
  SpryArenaBuffer *buffers = calloc(capacity, sizeof *buffers);
  int32_t *owner = calloc(capacity, sizeof *owner); /* tensor index, or -1 - scratch index */
  int32_t *first = calloc((size_t)(uint32_t)nt + 1, sizeof *first);
  int32_t *last = calloc((size_t)(uint32_t)nt + 1, sizeof *last);
  SpryStatus status = SPRY_OK;
  if (!buffers || !owner || !first || !last) {
    status = spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory planning the arena");
    goto done;
  }
  tensor_lifetimes(interp, first, last);
  int32_t count = 0;
  /* Constants, variables and dynamic tensors (heap buffers of their own,
   * dynamic.h) stay out of the plan. */
  for (int32_t t = 0; t < nt; t++) {
    SpryTensor *tensor = &interp->tensors[t];
    if (tensor->kind != SPRY_TENSOR_ARENA) continue;
    tensor->data = NULL;
    if (first[t] < 0 || tensor->bytes == 0) continue;
    buffers[count] = (SpryArenaBuffer){.bytes = tensor->bytes, .first_step = first[t],
                                       .last_step = last[t]};
    owner[count++] = t;
  }
  for (int32_t s = 0; s < interp->num_scratch; s++) {
    const int32_t node = interp->scratch[s].node;
    buffers[count] = (SpryArenaBuffer){.bytes = interp->scratch[s].bytes, .first_step = node,
                                       .last_step = node};
    owner[count++] = -1 - s;
  }
  status = spry_arena_plan(buffers, count, &interp->arena_bytes, &interp->arena_lower_bound);
  if (status != SPRY_OK) goto done;
  if (interp->arena_bytes > interp->options.max_arena_bytes) {
    status = spry_set_error(SPRY_ERROR_OUT_OF_MEMORY,
                            "the plan needs an arena of %zu bytes, over the limit of %zu",
                            interp->arena_bytes, interp->options.max_arena_bytes);
    goto done;
  }
  interp->arena = new_arena(interp, interp->arena_bytes);
  if (!interp->arena) {
    status = spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory: arena of %zu bytes",
                            interp->arena_bytes);
    goto done;
  }
  /* Zero-size tensors get a valid pointer too, so that kernels may pass it to
   * memcpy with a length of 0 without special cases. */
  for (int32_t t = 0; t < nt; t++)
    if (interp->tensors[t].kind == SPRY_TENSOR_ARENA && interp->tensors[t].bytes == 0)
      interp->tensors[t].data = interp->arena;
  for (int32_t b = 0; b < count; b++) {
    uint8_t *p = (uint8_t *)interp->arena + buffers[b].offset;
    if (owner[b] >= 0)
      interp->tensors[owner[b]].data = p;
    else
      interp->scratch[-1 - owner[b]].data = p;
  }
  alias_fused_outputs(interp);
done:
  free(buffers);
  free(owner);
  free(first);
  free(last);
  return status;
}

SpryStatus spry_interpreter_prepare(SpryInterpreter *interp) {
  if (!interp) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "interpreter is NULL");
  if (!interp->needs_prepare) return SPRY_OK;
  spry_arena_release(interp);
  interp->arena_bytes = 0;
  interp->arena_lower_bound = 0;
  interp->num_scratch = 0;
  for (int32_t t = 0; t < interp->num_tensors; t++)
    if (interp->tensors[t].kind == SPRY_TENSOR_ARENA) interp->tensors[t].data = NULL;
  spry_dynamic_reset(interp);
  spry_fusion_offer(interp);
  SPRY_TRY(prepare_nodes(interp));
  spry_fusion_confirm(interp);
  SPRY_TRY(check_tensor_sizes(interp));
  SPRY_TRY(allocate_variables(interp));
  SPRY_TRY(plan_arena(interp));
  interp->needs_prepare = false;
  return SPRY_OK;
}
