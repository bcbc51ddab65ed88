/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dynamic.h — tensors whose shape is known only at invoke, and the nodes that
 * read them (the kernels' side is in <spry/op.h>, "Dynamic tensors").
 *
 * A kernel makes one of its outputs dynamic in prepare
 * (spry_context_set_dynamic); the tensor then leaves the arena for a heap
 * buffer of its own (interp->dynamic[t]), which resizes grow and nothing
 * shrinks. A full prepare turns every dynamic tensor back into an arena
 * tensor first, so that kernels decide again with the new shapes, and then
 * defers every node that reads a dynamic tensor: its prepare is not run with
 * the others, its outputs become dynamic (which defers their readers in
 * turn) and it is prepared right before each of its invokes, with the shapes
 * of that run. The arena is planned without deferred nodes' scratch, which
 * comes from a heap buffer the node owns (SpryNodeScratch).
 *
 * Subgraphs (WHILE, IF) exchange values of static shape only: a node that
 * calls a subgraph cannot be deferred, and a callee's output cannot be
 * dynamic; both are refused at prepare.
 */
#ifndef SPRY_ENGINE_DYNAMIC_H
#define SPRY_ENGINE_DYNAMIC_H

#include <stdbool.h>

#include "interpreter_internal.h"

/* Start of a full prepare: dynamic tensors become arena tensors again
 * (their buffers are kept for reuse) and no node is deferred. */
void spry_dynamic_reset(SpryInterpreter *interp);

/* During a full prepare, before the prepare of node `state`: when the node
 * reads a dynamic tensor, defers it (state->deferred) and makes its arena
 * outputs dynamic. Fails for nodes that call subgraphs. */
SpryStatus spry_dynamic_defer_if_reading(SpryInterpreter *interp, SpryNodeState *state);

/* Runs a deferred node's prepare from invoke, its scratch laid out in the
 * node's own buffer. The context's phase is INVOKE again on return. */
SpryStatus spry_dynamic_prepare_node(SpryInterpreter *interp, SpryNodeState *state);

/* spry_context_resize_tensor()'s check before `tensor` takes a shape of
 * `bytes` bytes: a dynamic tensor (only the node's own output) gets room
 * for them; a static tensor may not change shape during invoke, nor while
 * a deferred node is prepared at invoke. */
SpryStatus spry_dynamic_before_resize(SpryContext *ctx, SpryTensor *tensor, int32_t rank,
                                      const int32_t *dims, size_t bytes);

/* A deferred node's scratch: a request during its prepare, and the buffer
 * during its invoke (NULL for an unknown index). */
SpryStatus spry_node_scratch_request(SpryContext *ctx, size_t bytes, int32_t *out_index);
void *spry_node_scratch(const SpryNodeState *state, int32_t index);

/* Releases a node's scratch, and every dynamic buffer of a runtime. */
void spry_node_scratch_free(SpryNodeScratch *scratch);
void spry_dynamic_free(SpryInterpreter *interp);

#endif /* SPRY_ENGINE_DYNAMIC_H */
