/* SPDX-License-Identifier: Apache-2.0 */
/* interpreter_internal.h — interpreter state shared by the engine's files. */
#ifndef SPRY_ENGINE_INTERPRETER_INTERNAL_H
#define SPRY_ENGINE_INTERPRETER_INTERNAL_H

#include <stdbool.h>

#include "cpu_isa.h"
#include "model.h"
#include "thread_pool.h"
#include "spry/op.h"

typedef enum SpryPhase {
  SPRY_PHASE_IDLE = 0,
  SPRY_PHASE_INIT,
  SPRY_PHASE_PREPARE,
  SPRY_PHASE_INVOKE,
} SpryPhase;

/* A list of 64-byte aligned allocations owned by one node. */
typedef struct SpryAllocList {
  void **items;
  int32_t count;
  int32_t capacity;
  size_t bytes;
} SpryAllocList;

typedef struct SpryNodeState {
  SpryNode node;                       /* the view handed to the kernel */
  const SpryOpRegistration *registration;
  const SpryOpCodeDesc *opcode;
  bool initialized;
  bool folded;                         /* run at prepare: its output is constant */
  SpryAllocList init_allocs;           /* live until the interpreter is freed */
  SpryAllocList prepare_allocs;        /* live until the node is prepared again */
} SpryNodeState;

typedef struct SpryScratchRequest {
  size_t bytes;
  int32_t node;
  void *data;
} SpryScratchRequest;

struct SpryContext {
  SpryInterpreter *interpreter;
  SpryNodeState *node;                 /* node being initialised/prepared/run */
  SpryPhase phase;
};

struct SpryInterpreter {
  const SpryModel *model;
  const SprySubgraphDesc *graph;
  SpryOptions options;
  const SpryResolver *resolver;
  SpryTensor *tensors;
  int32_t num_tensors;
  int32_t *producer;                   /* per tensor: producing node or -1 */
  SpryNodeState *nodes;
  int32_t num_nodes;
  SpryScratchRequest *scratch;
  int32_t num_scratch;
  int32_t scratch_capacity;
  void *arena;
  size_t arena_bytes;
  size_t arena_lower_bound;
  void **variable_data;                /* per tensor: buffer of variable tensors */
  bool needs_prepare;
  SpryContext context;
  SpryProfileEntry *profile;
  SpryIsa isa;                         /* kernel variants (SPRY_ISA or the CPU's best) */
  SpryThreadPool *pool;                /* NULL when single-threaded */
};

/* Byte size of a shape of the given type; false when a dim is negative or the
 * size would exceed SIZE_MAX / 4. */
bool spry_shape_bytes(SpryType type, int32_t rank, const int32_t *dims, size_t *out_bytes);

/* Releases every allocation in the list. */
void spry_alloc_list_clear(SpryAllocList *list);

#endif /* SPRY_ENGINE_INTERPRETER_INTERNAL_H */
