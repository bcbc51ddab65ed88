/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resource.h — an interpreter's resource variables (TFLite's VAR_HANDLE,
 * READ_VARIABLE and ASSIGN_VARIABLE), private to the engine and its builtin
 * kernels.
 *
 * A variable is named by the pair (container, shared_name) of the
 * VAR_HANDLE that refers to it; every subgraph of the interpreter sees the
 * same variables. Its id is its position in the table, given out in the
 * order the VAR_HANDLE nodes are initialised; a RESOURCE tensor holds that
 * id as one int32 (see spry_shape_bytes). A variable has no value until
 * it is assigned: the value is a copy of the assigned tensor (type, shape and
 * bytes), kept in a buffer of the variable's own that is allocated by the
 * first assignment and again only when a larger value is assigned.
 * spry_interpreter_reset_state() makes every variable unassigned again.
 */
#ifndef SPRY_ENGINE_RESOURCE_H
#define SPRY_ENGINE_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/op.h"

typedef struct SpryResourceVariable {
  const char *container; /* inside the model (which outlives interpreters) */
  size_t container_length;
  const char *shared_name; /* inside the model */
  size_t shared_name_length;
  bool assigned;
  SpryType type;
  int32_t rank;
  int32_t dims[SPRY_MAX_RANK];
  void *data; /* 64-byte aligned, `capacity` bytes */
  size_t bytes;
  size_t capacity;
} SpryResourceVariable;

struct SpryResourceTable {
  SpryResourceVariable *items;
  int32_t count;
  int32_t capacity;
};
typedef struct SpryResourceTable SpryResourceTable;

SpryStatus spry_resource_table_new(SpryResourceTable **out);
void spry_resource_table_free(SpryResourceTable *table);
/* Every variable loses its value (buffers are kept for reuse). */
void spry_resource_table_reset(SpryResourceTable *table);

/* The id of variable (container, shared_name), created when new. The names
 * (NULL for empty) must live as long as the interpreter. */
SpryStatus spry_resource_id(SpryContext *ctx, const char *container, size_t container_length,
                            const char *shared_name, size_t shared_name_length, int32_t *out_id);

/* A handle tensor is a RESOURCE (or, as TFLite allows, INT32) tensor of one
 * element; false otherwise. */
bool spry_resource_is_handle(const SpryTensor *handle);

/* Copies the value of the variable `handle` names into `out`, which must
 * have its type and shape. */
SpryStatus spry_resource_read(SpryContext *ctx, const SpryTensor *handle, SpryTensor *out);

/* Makes `value` (type, shape and bytes) the value of the variable `handle`
 * names. */
SpryStatus spry_resource_assign(SpryContext *ctx, const SpryTensor *handle,
                                const SpryTensor *value);

#endif /* SPRY_ENGINE_RESOURCE_H */
