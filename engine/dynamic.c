/* SPDX-License-Identifier: Apache-2.0 */
/* dynamic.c — dynamic tensors' buffers and the nodes prepared at invoke (see dynamic.h). */
#include "dynamic.h"

#include <stdlib.h>
#include <string.h>

#include "arena_planner.h"
#include "status.h"

enum { BUILTIN_IF = 118, BUILTIN_WHILE = 119 };

/* Rounds up to the arena alignment; false on overflow. */
static bool aligned_size(size_t bytes, size_t *out) {
  if (bytes > SIZE_MAX - SPRY_ARENA_ALIGNMENT) return false;
  *out = spry_arena_round_up(bytes);
  if (*out == 0) *out = SPRY_ARENA_ALIGNMENT; /* even an empty tensor has a valid pointer */
  return true;
}

/* A zeroed, aligned block of `bytes` (already rounded); NULL when out of memory. */
static void *zeroed_block(size_t bytes) {
  void *p = aligned_alloc(SPRY_ARENA_ALIGNMENT, bytes);
  if (p) memset(p, 0, bytes); /* no kernel may ever observe uninitialised memory */
  return p;
}

/* Index of `tensor` among the current node's outputs' tensors, or -1. */
static int32_t own_output(const SpryContext *ctx, const SpryTensor *tensor) {
  if (!ctx->node) return -1;
  const SpryNode *node = &ctx->node->node;
  for (int32_t i = 0; i < node->num_outputs; i++) {
    const int32_t t = node->outputs[i];
    if (t >= 0 && t < ctx->interpreter->num_tensors && &ctx->interpreter->tensors[t] == tensor)
      return t;
  }
  return -1;
}

/* Gives dynamic tensor t room for `bytes` and points its data there. The
 * buffer only grows, so that steady-state invokes allocate nothing; growth
 * at least doubles it (within the limit), so that a slowly growing tensor
 * is not reallocated on every invoke. Contents are not kept: a kernel
 * resizes its output before writing it. */
static SpryStatus reserve(SpryInterpreter *interp, int32_t t, size_t bytes) {
  SpryTensor *tensor = &interp->tensors[t];
  SpryDynamicBuffer *buffer = &interp->dynamic[t];
  const size_t limit = interp->options.max_arena_bytes;
  size_t needed = 0;
  if (bytes > limit || !aligned_size(bytes, &needed))
    return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY,
                          "dynamic tensor %d ('%s') needs %zu bytes, over the limit of %zu",
                          (int)t, tensor->name, bytes, limit);
  if (needed > buffer->capacity) {
    size_t capacity = buffer->capacity <= limit / 2 ? buffer->capacity * 2 : limit;
    if (capacity < needed || !aligned_size(capacity, &capacity)) capacity = needed;
    void *data = zeroed_block(capacity);
    if (!data)
      return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY,
                            "out of memory: %zu bytes for dynamic tensor %d ('%s')", capacity,
                            (int)t, tensor->name);
    free(buffer->data);
    buffer->data = data;
    buffer->capacity = capacity;
  }
  tensor->data = buffer->data;
  return SPRY_OK;
}

static SpryStatus make_dynamic(SpryInterpreter *interp, int32_t t) {
  SpryTensor *tensor = &interp->tensors[t];
  tensor->kind = SPRY_TENSOR_DYNAMIC;
  return reserve(interp, t, tensor->bytes);
}

SpryStatus spry_context_set_dynamic(SpryContext *ctx, SpryTensor *tensor) {
  if (!ctx || !tensor)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_ARGUMENT, "set_dynamic: NULL argument");
  if (ctx->phase != SPRY_PHASE_PREPARE || !ctx->node)
    return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "set_dynamic is only allowed in prepare");
  const int32_t t = own_output(ctx, tensor);
  if (t < 0)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_ARGUMENT,
                              "set_dynamic: tensor '%s' is not an output of this node",
                              tensor->name ? tensor->name : "");
  if (tensor->kind == SPRY_TENSOR_DYNAMIC) return SPRY_OK;
  if (tensor->kind != SPRY_TENSOR_ARENA)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "tensor %d ('%s') is a %s tensor and cannot have a run-time shape",
                              (int)t, tensor->name,
                              tensor->kind == SPRY_TENSOR_CONSTANT ? "constant" : "variable");
  const SpryStatus status = make_dynamic(ctx->interpreter, t);
  return status == SPRY_OK ? SPRY_OK : spry_context_error(ctx, status, "%s", spry_last_error());
}

SpryStatus spry_dynamic_before_resize(SpryContext *ctx, SpryTensor *tensor, int32_t rank,
                                      const int32_t *dims, size_t bytes) {
  if (tensor->kind == SPRY_TENSOR_DYNAMIC) {
    const int32_t t = own_output(ctx, tensor);
    if (t < 0)
      return spry_context_error(ctx, SPRY_ERROR_BAD_STATE,
                                "dynamic tensor '%s' can only be resized by the node writing it",
                                tensor->name);
    const SpryStatus status = reserve(ctx->interpreter, t, bytes);
    return status == SPRY_OK ? SPRY_OK : spry_context_error(ctx, status, "%s", spry_last_error());
  }
  const bool deferred = ctx->node && ctx->node->deferred;
  if (ctx->phase == SPRY_PHASE_PREPARE && !deferred) return SPRY_OK;
  const bool same = tensor->rank == rank &&
                    (rank == 0 || memcmp(tensor->dims, dims, (size_t)rank * sizeof *dims) == 0);
  if (ctx->phase == SPRY_PHASE_PREPARE && same) return SPRY_OK;
  return spry_context_error(ctx, SPRY_ERROR_BAD_STATE,
                            "cannot resize tensor '%s' %s: its buffer was planned at prepare "
                            "(only dynamic tensors, made so with spry_context_set_dynamic() in "
                            "prepare, change shape at run time)",
                            tensor->name,
                            ctx->phase == SPRY_PHASE_INVOKE ? "during invoke"
                                                            : "while preparing at invoke");
}

void spry_dynamic_reset(SpryInterpreter *interp) {
  for (int32_t t = 0; t < interp->num_tensors; t++) {
    SpryTensor *tensor = &interp->tensors[t];
    if (tensor->kind != SPRY_TENSOR_DYNAMIC) continue;
    tensor->kind = SPRY_TENSOR_ARENA;
    tensor->data = NULL;
  }
  for (int32_t n = 0; n < interp->num_nodes; n++) interp->nodes[n].deferred = false;
}

/* The first dynamic tensor the node reads, or -1. */
static int32_t dynamic_input(const SpryInterpreter *interp, const SpryNode *node) {
  for (int32_t i = 0; i < node->num_inputs; i++) {
    const int32_t t = node->inputs[i];
    if (t >= 0 && interp->tensors[t].kind == SPRY_TENSOR_DYNAMIC) return t;
  }
  return -1;
}

SpryStatus spry_dynamic_defer_if_reading(SpryInterpreter *interp, SpryNodeState *state) {
  const SpryNode *node = &state->node;
  const int32_t input = dynamic_input(interp, node);
  if (input < 0) return SPRY_OK;
  if (node->builtin_code == BUILTIN_IF || node->builtin_code == BUILTIN_WHILE)
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "%s (node %d): tensor %d ('%s') has a shape known only at run time "
                          "(dynamic); values of run-time shape cannot be passed to subgraphs",
                          spry_opcode_name(state->opcode), (int)node->index, (int)input,
                          interp->tensors[input].name);
  state->deferred = true;
  for (int32_t i = 0; i < node->num_outputs; i++) {
    const int32_t t = node->outputs[i];
    if (t < 0 || interp->tensors[t].kind != SPRY_TENSOR_ARENA) continue;
    SPRY_TRY(make_dynamic(interp, t));
  }
  return SPRY_OK;
}

/* ---- Scratch of deferred nodes ---- */

SpryStatus spry_node_scratch_request(SpryContext *ctx, size_t bytes, int32_t *out_index) {
  SpryNodeScratch *s = &ctx->node->scratch;
  const size_t limit = ctx->interpreter->options.max_arena_bytes;
  size_t rounded = 0;
  if (bytes > limit || !aligned_size(bytes, &rounded) || s->used > limit - rounded)
    return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY,
                              "scratch buffers of this node exceed the limit of %zu bytes", limit);
  if (s->count == s->capacity) {
    const int32_t capacity = s->capacity ? s->capacity * 2 : 4;
    size_t *grown = realloc(s->offsets, (size_t)capacity * sizeof *grown);
    if (!grown) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
    s->offsets = grown;
    s->capacity = capacity;
  }
  s->offsets[s->count] = s->used;
  s->used += rounded;
  *out_index = s->count++;
  return SPRY_OK;
}

void *spry_node_scratch(const SpryNodeState *state, int32_t index) {
  const SpryNodeScratch *s = &state->scratch;
  if (index < 0 || index >= s->count || !s->buffer) return NULL;
  return (uint8_t *)s->buffer + s->offsets[index];
}

/* One buffer for the requests of the prepare that just ran, grown only. */
static SpryStatus lay_out_scratch(SpryNodeScratch *s) {
  if (s->count == 0 || s->used <= s->buffer_bytes) return SPRY_OK;
  void *buffer = zeroed_block(s->used);
  if (!buffer)
    return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory: %zu bytes of scratch",
                          s->used);
  free(s->buffer);
  s->buffer = buffer;
  s->buffer_bytes = s->used;
  return SPRY_OK;
}

SpryStatus spry_dynamic_prepare_node(SpryInterpreter *interp, SpryNodeState *state) {
  SpryContext *ctx = &interp->context;
  /* Persistent memory lives until the node is prepared again: now. */
  spry_alloc_list_clear(&state->prepare_allocs, interp->root->persistent_pool);
  state->scratch.count = 0;
  state->scratch.used = 0;
  SpryStatus status = SPRY_OK;
  if (state->registration->prepare) {
    ctx->node = state;
    ctx->phase = SPRY_PHASE_PREPARE;
    spry_clear_error(); /* so that a failure without a message gets one below */
    status = state->registration->prepare(ctx, &state->node);
    ctx->phase = SPRY_PHASE_INVOKE;
    ctx->node = NULL;
  }
  if (status == SPRY_OK) status = lay_out_scratch(&state->scratch);
  if (status != SPRY_OK && spry_last_error()[0] == '\0')
    spry_set_error(status, "%s (node %d): prepare at invoke failed (%s)",
                   spry_opcode_name(state->opcode), (int)state->node.index,
                   spry_status_name(status));
  return status;
}

void spry_node_scratch_free(SpryNodeScratch *scratch) {
  free(scratch->offsets);
  free(scratch->buffer);
  memset(scratch, 0, sizeof *scratch);
}

void spry_dynamic_free(SpryInterpreter *interp) {
  for (int32_t t = 0; interp->dynamic && t < interp->num_tensors; t++)
    free(interp->dynamic[t].data);
  free(interp->dynamic);
  interp->dynamic = NULL;
}
