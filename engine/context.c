/* SPDX-License-Identifier: Apache-2.0 */
/* context.c — the services the engine offers kernels during init, prepare and invoke. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena_planner.h"
#include "dynamic.h"
#include "interpreter_internal.h"
#include "status.h"

SpryTensor *spry_context_tensor(SpryContext *ctx, int32_t index) {
  if (!ctx || index < 0 || index >= ctx->interpreter->num_tensors) return NULL;
  return &ctx->interpreter->tensors[index];
}

SpryTensor *spry_node_input(SpryContext *ctx, const SpryNode *node, int32_t i) {
  if (!node || i < 0 || i >= node->num_inputs) return NULL;
  return spry_context_tensor(ctx, node->inputs[i]);
}

SpryTensor *spry_node_output(SpryContext *ctx, const SpryNode *node, int32_t i) {
  if (!node || i < 0 || i >= node->num_outputs) return NULL;
  return spry_context_tensor(ctx, node->outputs[i]);
}

static const char *phase_name(SpryPhase phase) {
  switch (phase) {
    case SPRY_PHASE_INIT: return "init";
    case SPRY_PHASE_PREPARE: return "prepare";
    case SPRY_PHASE_INVOKE: return "invoke";
    default: return "idle";
  }
}

SpryStatus spry_context_error(SpryContext *ctx, SpryStatus code, const char *format, ...) {
  char message[400];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  if (ctx && ctx->node)
    return spry_set_error(code, "%s (node %d): %s", spry_opcode_name(ctx->node->opcode),
                          (int)ctx->node->node.index, message);
  return spry_set_error(code, "%s", message);
}

/* A RESOURCE tensor holds one int32 handle per element (see resource.h),
 * although its type has no data size of its own for spry_type_size(). */
static size_t element_bytes(SpryType type) {
  return type == SPRY_TYPE_RESOURCE ? sizeof(int32_t) : spry_type_size(type);
}

bool spry_shape_bytes(SpryType type, int32_t rank, const int32_t *dims, size_t *out_bytes) {
  /* Sub-byte values are packed: count the values, then their bytes. */
  const bool packed = spry_type_values_per_byte(type) != 0;
  size_t bytes = packed ? 1 : element_bytes(type);
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] < 0) return false;
    const size_t d = (size_t)dims[i];
    if (d != 0 && bytes > (SIZE_MAX / 4) / d) return false;
    bytes *= d;
  }
  *out_bytes = packed ? spry_packed_bytes(type, bytes) : bytes;
  return true;
}

void spry_shape_text(int32_t rank, const int32_t *dims, char *text, size_t size) {
  if (size == 0) return;
  size_t used = (size_t)snprintf(text, size, "[");
  for (int32_t i = 0; i < rank && used < size; i++)
    used += (size_t)snprintf(text + used, size - used, i ? ", %d" : "%d", (int)dims[i]);
  if (used < size) snprintf(text + used, size - used, "]");
}

SpryStatus spry_context_resize_tensor(SpryContext *ctx, SpryTensor *tensor, int32_t rank,
                                      const int32_t *dims) {
  if (!ctx || !tensor || (rank > 0 && !dims))
    return spry_context_error(ctx, SPRY_ERROR_INVALID_ARGUMENT, "resize_tensor: NULL argument");
  /* Dynamic tensors take their shape during invoke (dynamic.h checks which). */
  if (ctx->phase != SPRY_PHASE_PREPARE && ctx->phase != SPRY_PHASE_INVOKE)
    return spry_context_error(ctx, SPRY_ERROR_BAD_STATE,
                              "resize_tensor is only allowed in prepare (called in %s)",
                              phase_name(ctx->phase));
  if (tensor->kind == SPRY_TENSOR_CONSTANT)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "cannot resize constant tensor '%s'", tensor->name);
  if (rank < 0 || rank > SPRY_MAX_RANK)
    return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED, "tensor '%s': rank %d (max %d)",
                              tensor->name, (int)rank, SPRY_MAX_RANK);
  if (element_bytes(tensor->type) == 0)
    return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED, "tensor '%s' has type %s",
                              tensor->name, spry_type_name(tensor->type));
  size_t bytes = 0;
  if (!spry_shape_bytes(tensor->type, rank, dims, &bytes))
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "tensor '%s': shape is negative or too large", tensor->name);
  SPRY_TRY(spry_dynamic_before_resize(ctx, tensor, rank, dims, bytes));
  tensor->rank = rank;
  for (int32_t i = 0; i < rank; i++) tensor->dims[i] = dims[i];
  tensor->bytes = bytes;
  return SPRY_OK;
}

/* A zeroed, 64-byte aligned buffer of `bytes`, recorded in the list: from
 * the pool where one is given and has room, else from the heap. */
static void *alloc_list_add(SpryAllocList *list, SpryPersistentPool *pool, size_t bytes) {
  if (list->count == list->capacity) {
    const int32_t capacity = list->capacity ? list->capacity * 2 : 4;
    void **grown = realloc(list->items, (size_t)capacity * sizeof *grown);
    if (!grown) return NULL;
    list->items = grown;
    list->capacity = capacity;
  }
  if (bytes > SIZE_MAX - 2 * SPRY_ARENA_ALIGNMENT) return NULL;
  const size_t rounded = spry_arena_round_up(bytes);
  const size_t size = rounded ? rounded : SPRY_ARENA_ALIGNMENT; /* a valid pointer for 0 */
  void *pooled = spry_persistent_pool_alloc(pool, size);
  if (pooled) {
    list->items[list->count++] = pooled;
    list->bytes += rounded;
    return pooled;
  }
  /* calloc, aligned by hand: a large block comes straight from the system,
   * zero already, where aligned_alloc and memset wrote every page once
   * more before prepare filled it (a model's packed weights are MBs). */
  uint8_t *block = calloc(1, size + SPRY_ARENA_ALIGNMENT);
  if (!block) return NULL;
  list->items[list->count++] = block;
  list->bytes += rounded;
  const uintptr_t misalign = (uintptr_t)block % SPRY_ARENA_ALIGNMENT;
  return block + (SPRY_ARENA_ALIGNMENT - misalign);
}

void spry_alloc_list_clear(SpryAllocList *list, SpryPersistentPool *pool) {
  for (int32_t i = 0; i < list->count; i++)
    if (!spry_persistent_pool_release(pool, list->items[i])) free(list->items[i]);
  free(list->items);
  memset(list, 0, sizeof *list);
}

void *spry_context_alloc_persistent(SpryContext *ctx, size_t bytes) {
  if (!ctx || !ctx->node) return NULL;
  SpryAllocList *list;
  SpryPersistentPool *pool = NULL;
  if (ctx->phase == SPRY_PHASE_INIT) {
    list = &ctx->node->init_allocs;
  } else if (ctx->phase == SPRY_PHASE_PREPARE) {
    list = &ctx->node->prepare_allocs;
    /* Not for a node prepared at every invoke: the pool does not reuse
     * memory inside a chunk, and that node's buffers are short-lived. */
    if (!ctx->node->deferred) pool = ctx->interpreter->root->persistent_pool;
  } else {
    spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "alloc_persistent called in %s",
                       phase_name(ctx->phase));
    return NULL;
  }
  if (bytes > ctx->interpreter->options.max_arena_bytes) {
    spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY,
                       "persistent buffer of %zu bytes exceeds the limit of %zu", bytes,
                       ctx->interpreter->options.max_arena_bytes);
    return NULL;
  }
  void *p = alloc_list_add(list, pool, bytes);
  if (!p) spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory (%zu bytes)", bytes);
  return p;
}

SpryStatus spry_context_request_scratch(SpryContext *ctx, size_t bytes, int32_t *out_index) {
  if (!ctx || !out_index || !ctx->node)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_ARGUMENT, "request_scratch: NULL argument");
  if (ctx->phase != SPRY_PHASE_PREPARE)
    return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "request_scratch called in %s",
                              phase_name(ctx->phase));
  /* The arena was planned without the nodes prepared at invoke. */
  if (ctx->node->deferred) return spry_node_scratch_request(ctx, bytes, out_index);
  SpryInterpreter *interp = ctx->interpreter;
  if (bytes > interp->options.max_arena_bytes)
    return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY,
                              "scratch buffer of %zu bytes exceeds the limit of %zu", bytes,
                              interp->options.max_arena_bytes);
  if (interp->num_scratch == interp->scratch_capacity) {
    const int32_t capacity = interp->scratch_capacity ? interp->scratch_capacity * 2 : 8;
    SpryScratchRequest *grown = realloc(interp->scratch, (size_t)capacity * sizeof *grown);
    if (!grown) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
    interp->scratch = grown;
    interp->scratch_capacity = capacity;
  }
  interp->scratch[interp->num_scratch] =
      (SpryScratchRequest){.bytes = bytes, .node = ctx->node->node.index, .data = NULL};
  *out_index = interp->num_scratch++;
  return SPRY_OK;
}

void *spry_context_scratch(SpryContext *ctx, int32_t index) {
  if (!ctx || !ctx->node) return NULL;
  if (ctx->node->deferred) return spry_node_scratch(ctx->node, index);
  if (index < 0 || index >= ctx->interpreter->num_scratch) return NULL;
  const SpryScratchRequest *request = &ctx->interpreter->scratch[index];
  /* A node may only use its own scratch: others' may overlap in the arena. */
  if (request->node != ctx->node->node.index) return NULL;
  return request->data;
}

int32_t spry_context_num_threads(const SpryContext *ctx) {
  if (!ctx) return 1;
  const int32_t n = ctx->interpreter->options.num_threads;
  return n > 1 ? n : 1;
}

void spry_context_parallel_for(SpryContext *ctx, int32_t count, void (*fn)(void *arg, int32_t i),
                               void *arg) {
  if (!fn) return;
  spry_thread_pool_run(ctx ? ctx->interpreter->pool : NULL, count, fn, arg);
}

SpryIsa spry_context_isa(const SpryContext *ctx) {
  return ctx ? ctx->interpreter->isa : SPRY_ISA_REFERENCE;
}
