/* SPDX-License-Identifier: Apache-2.0 */
/* interpreter_internal.h — interpreter state shared by the engine's files. */
#ifndef SPRY_ENGINE_INTERPRETER_INTERNAL_H
#define SPRY_ENGINE_INTERPRETER_INTERNAL_H

#include <stdbool.h>

#include "cpu_isa.h"
#include "model.h"
#include "persistent_pool.h"
#include "thread_pool.h"
#include "spry/op.h"

typedef enum SpryPhase {
  SPRY_PHASE_IDLE = 0,
  SPRY_PHASE_INIT,
  SPRY_PHASE_PREPARE,
  SPRY_PHASE_INVOKE,
} SpryPhase;

/* The persistent allocations of one node: heap blocks, and buffers of the
 * root's persistent pool. */
typedef struct SpryAllocList {
  void **items;
  int32_t count;
  int32_t capacity;
  size_t bytes;
} SpryAllocList;

/* Scratch buffers of a node prepared at invoke (see dynamic.h): the arena
 * was planned without them, so they share one heap buffer the node owns,
 * grown when a prepare asks for more (never shrunk). */
typedef struct SpryNodeScratch {
  size_t *offsets;                     /* per request: offset in `buffer` */
  int32_t count;                       /* requests of the current prepare */
  int32_t capacity;
  size_t used;                         /* bytes the current requests need */
  void *buffer;
  size_t buffer_bytes;
} SpryNodeScratch;

typedef struct SpryNodeState {
  SpryNode node;                       /* the view handed to the kernel */
  const SpryOpRegistration *registration;
  const SpryOpCodeDesc *opcode;
  bool initialized;
  bool folded;                         /* run at prepare: its output is constant */
  bool deferred;                       /* reads a dynamic tensor: prepared at each invoke */
  /* fusion.h: an activation offered to this node's kernel (0: none), and
   * whether the kernel took it; for a RELU, the producer that may carry it
   * out (-1: none) and whether it does (the RELU is then skipped). */
  int8_t offered_activation;
  bool took_activation;
  int32_t fused_producer;
  bool fused;
  SpryNodeScratch scratch;             /* a deferred node's scratch buffers */
  SpryAllocList init_allocs;           /* live until the interpreter is freed */
  SpryAllocList prepare_allocs;        /* live until the node is prepared again */
} SpryNodeState;

/* The heap buffer behind one dynamic tensor. */
typedef struct SpryDynamicBuffer {
  void *data;
  size_t capacity;
} SpryDynamicBuffer;

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

typedef struct SprySubgraphTable SprySubgraphTable; /* subgraph.h */
typedef struct SpryResourceTable SpryResourceTable; /* resource.h */

/* The runtime of one subgraph: its tensors, nodes, plan and arena. The
 * public interpreter is the runtime of subgraph 0 (its `root`); the
 * control-flow kernels (WHILE, IF, CALL_ONCE) run other subgraphs through
 * runtimes of their own that the root owns and creates while
 * spry_interpreter_new() runs (see subgraph.h). A callee runtime shares the
 * root's model, options, resolver, ISA and thread pool. */
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
  SpryDynamicBuffer *dynamic;          /* per tensor: buffer of dynamic tensors (dynamic.h) */
  bool needs_prepare;
  SpryContext context;
  SpryProfileEntry *profile;
  SpryIsa isa;                         /* kernel variants (SPRY_ISA or the CPU's best) */
  SpryThreadPool *pool;                /* NULL when single-threaded; the root's */
  SpryInterpreter *root;               /* the public interpreter (itself for subgraph 0) */
  int32_t subgraph_index;              /* the subgraph this runtime runs */
  bool busy;                           /* a callee being prepared or run (cycle guard) */
  SprySubgraphTable *subgraphs;        /* root only: callee runtimes, CALL_ONCE flags */
  SpryResourceTable *resources;        /* root only: resource variables */
  SpryPersistentPool *persistent_pool; /* root only: prepare's persistent buffers (NULL: heap) */
};

/* Creates the runtime of subgraph `index` (> 0) for `root`: tensors, nodes
 * resolved with the root's resolver and initialised; not prepared. */
SpryStatus spry_interpreter_new_callee(SpryInterpreter *root, int32_t index,
                                       SpryInterpreter **out);

/* Returns the state of one runtime (variable tensors, ops' reset) to what it
 * was after prepare (see spry_interpreter_reset_state). */
SpryStatus spry_runtime_reset_state(SpryInterpreter *runtime);

/* Byte size of a shape of the given type (a RESOURCE element is one int32
 * handle); false when a dim is negative or the size would exceed SIZE_MAX / 4. */
bool spry_shape_bytes(SpryType type, int32_t rank, const int32_t *dims, size_t *out_bytes);

/* "[d0, d1, ...]" for messages (truncated to `size`). */
void spry_shape_text(int32_t rank, const int32_t *dims, char *text, size_t size);

/* Gives the arena back (to the persistent pool or the heap); NULL after. */
void spry_arena_release(SpryInterpreter *interp);

/* Releases every allocation in the list: to `pool` those that came from it. */
void spry_alloc_list_clear(SpryAllocList *list, SpryPersistentPool *pool);

#endif /* SPRY_ENGINE_INTERPRETER_INTERNAL_H */
