/* SPDX-License-Identifier: Apache-2.0 */
/* resource.c — the table of resource variables and their values (see resource.h). */
#include "resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena_planner.h"
#include "interpreter_internal.h"
#include "status.h"

SpryStatus spry_resource_table_new(SpryResourceTable **out) {
  *out = calloc(1, sizeof **out);
  return *out ? SPRY_OK : spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
}

void spry_resource_table_free(SpryResourceTable *table) {
  if (!table) return;
  for (int32_t i = 0; i < table->count; i++) free(table->items[i].data);
  free(table->items);
  free(table);
}

void spry_resource_table_reset(SpryResourceTable *table) {
  for (int32_t i = 0; table && i < table->count; i++) {
    SpryResourceVariable *v = &table->items[i];
    v->assigned = false;
    v->rank = 0;
    v->bytes = 0;
  }
}

static bool same_name(const char *a, size_t a_length, const char *b, size_t b_length) {
  return a_length == b_length && (a_length == 0 || memcmp(a, b, a_length) == 0);
}

SpryStatus spry_resource_id(SpryContext *ctx, const char *container, size_t container_length,
                            const char *shared_name, size_t shared_name_length, int32_t *out_id) {
  SpryResourceTable *table = ctx->interpreter->root->resources;
  for (int32_t i = 0; i < table->count; i++) {
    const SpryResourceVariable *v = &table->items[i];
    if (same_name(v->container, v->container_length, container, container_length) &&
        same_name(v->shared_name, v->shared_name_length, shared_name, shared_name_length)) {
      *out_id = i;
      return SPRY_OK;
    }
  }
  if (table->count == table->capacity) {
    if (table->capacity > INT32_MAX / 2)
      return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "too many resource variables");
    const int32_t capacity = table->capacity ? table->capacity * 2 : 8;
    SpryResourceVariable *grown = realloc(table->items, (size_t)capacity * sizeof *grown);
    if (!grown) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
    table->items = grown;
    table->capacity = capacity;
  }
  table->items[table->count] = (SpryResourceVariable){
      .container = container,
      .container_length = container ? container_length : 0,
      .shared_name = shared_name,
      .shared_name_length = shared_name ? shared_name_length : 0,
  };
  *out_id = table->count++;
  return SPRY_OK;
}

bool spry_resource_is_handle(const SpryTensor *handle) {
  return handle && (handle->type == SPRY_TYPE_RESOURCE || handle->type == SPRY_TYPE_INT32) &&
         handle->bytes == sizeof(int32_t);
}

/* "'container/shared_name'" (or "'shared_name'") for messages. */
static void variable_label(const SpryResourceVariable *v, char *label, size_t size) {
  const int c = v->container_length > 64 ? 64 : (int)v->container_length;
  const int s = v->shared_name_length > 64 ? 64 : (int)v->shared_name_length;
  if (c > 0)
    snprintf(label, size, "'%.*s/%.*s'", c, v->container, s, v->shared_name ? v->shared_name : "");
  else
    snprintf(label, size, "'%.*s'", s, v->shared_name ? v->shared_name : "");
}

static SpryStatus lookup(SpryContext *ctx, const SpryTensor *handle, SpryResourceVariable **out) {
  if (!spry_resource_is_handle(handle) || !handle->data)
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME, "the variable handle is not readable");
  int32_t id;
  memcpy(&id, handle->data, sizeof id);
  SpryResourceTable *table = ctx->interpreter->root->resources;
  if (id < 0 || id >= table->count)
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME,
                              "handle '%s' holds %d, which names no variable (there are %d)",
                              handle->name, (int)id, (int)table->count);
  *out = &table->items[id];
  return SPRY_OK;
}

SpryStatus spry_resource_read(SpryContext *ctx, const SpryTensor *handle, SpryTensor *out) {
  SpryResourceVariable *v = NULL;
  SPRY_TRY(lookup(ctx, handle, &v));
  char label[160], have[128], want[128];
  variable_label(v, label, sizeof label);
  if (!v->assigned)
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME,
                              "variable %s is read before any value was assigned to it", label);
  if (v->type != out->type)
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME,
                              "variable %s holds %s values, the output '%s' is %s", label,
                              spry_type_name(v->type), out->name, spry_type_name(out->type));
  if (v->rank != out->rank ||
      memcmp(v->dims, out->dims, (size_t)(uint32_t)v->rank * sizeof *v->dims) != 0 ||
      v->bytes != out->bytes) {
    spry_shape_text(v->rank, v->dims, have, sizeof have);
    spry_shape_text(out->rank, out->dims, want, sizeof want);
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME,
                              "variable %s holds shape %s, the model declares %s for '%s'", label,
                              have, want, out->name);
  }
  if (v->bytes > 0) {
    if (!out->data)
      return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "output '%s' has no buffer", out->name);
    memcpy(out->data, v->data, v->bytes);
  }
  return SPRY_OK;
}

/* Makes room for `bytes` in the variable's buffer (allocating only to grow). */
static SpryStatus reserve(SpryContext *ctx, SpryResourceVariable *v, size_t bytes) {
  if (bytes <= v->capacity) return SPRY_OK;
  if (bytes > ctx->interpreter->options.max_arena_bytes)
    return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY,
                              "a value of %zu bytes exceeds the limit of %zu", bytes,
                              ctx->interpreter->options.max_arena_bytes);
  const size_t rounded = spry_arena_round_up(bytes);
  void *data = aligned_alloc(SPRY_ARENA_ALIGNMENT, rounded);
  if (!data)
    return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory (%zu bytes)", bytes);
  free(v->data);
  v->data = data;
  v->capacity = rounded;
  return SPRY_OK;
}

SpryStatus spry_resource_assign(SpryContext *ctx, const SpryTensor *handle,
                                const SpryTensor *value) {
  SpryResourceVariable *v = NULL;
  SPRY_TRY(lookup(ctx, handle, &v));
  if (value->bytes > 0 && !value->data)
    return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "value '%s' has no buffer", value->name);
  SPRY_TRY(reserve(ctx, v, value->bytes));
  if (value->bytes > 0) memcpy(v->data, value->data, value->bytes);
  v->type = value->type;
  v->rank = value->rank;
  memcpy(v->dims, value->dims, sizeof v->dims);
  v->bytes = value->bytes;
  v->assigned = true;
  return SPRY_OK;
}
