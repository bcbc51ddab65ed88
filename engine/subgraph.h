/* SPDX-License-Identifier: Apache-2.0 */
/*
 * subgraph.h — running other subgraphs of the model from a kernel: the engine
 * side of the control-flow ops (WHILE, IF, CALL_ONCE). Private to the engine
 * and its builtin kernels.
 *
 * Every subgraph that some node calls gets one runtime of its own (tensors,
 * nodes, plan and a separate arena, see interpreter_internal.h), shared by
 * all the nodes that call it, owned by the public interpreter (subgraph 0).
 * A runtime is created the first time a caller prepares it — that is while
 * spry_interpreter_new() runs its first prepare, the only time the resolver
 * may be used — and lives, arena included, as long as the interpreter.
 *
 * A caller names the values it passes by tensor index in its own runtime
 * (node->inputs, node->outputs, or a part of them):
 *
 *   prepare  spry_subgraph_prepare(): checks the index and the callee's input
 *            and output counts and input types, gives the callee's inputs
 *            the shapes of the caller's tensors and prepares the callee (again
 *            only when a shape changed). Output shapes are then readable with
 *            spry_subgraph_output().
 *   invoke   spry_subgraph_invoke() copies the caller's tensors into the
 *            callee's inputs and runs it; spry_subgraph_copy_outputs() copies
 *            its outputs into caller tensors. Should another caller have
 *            prepared the callee for other shapes meanwhile, it is prepared
 *            again first.
 *
 * Recursion is refused: a subgraph that is being prepared or run cannot be
 * called before it returns, and subgraph 0 can never be called. Nesting is
 * limited to SPRY_MAX_SUBGRAPH_DEPTH calls, which bounds the C stack an
 * untrusted model can make the engine use.
 *
 * Every failure is reported through spry_context_error(): the message names
 * the calling node and op, the callee's role ("cond", "body", ...), index
 * and name, and the reason (the callee's own message for its failures).
 */
#ifndef SPRY_ENGINE_SUBGRAPH_H
#define SPRY_ENGINE_SUBGRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "interpreter_internal.h"
#include "spry/op.h"

#define SPRY_MAX_SUBGRAPH_DEPTH 64

struct SprySubgraphTable {
  SpryInterpreter **runtimes; /* by subgraph index; NULL until called; [0] unused */
  bool *initialized;          /* by subgraph index: CALL_ONCE has run it */
  int32_t count;              /* subgraphs in the model */
  int32_t depth;              /* nested calls in progress */
  bool creating;              /* runtimes may still be created */
  int64_t loop_budget;        /* WHILE iterations left; -1: unlimited */
};

/* ---- The interpreter's side ---- */

/* The root's (empty) table; runtimes may be created until it is sealed. */
SpryStatus spry_subgraph_table_new(SpryInterpreter *root);
void spry_subgraph_table_seal(SpryInterpreter *root);
/* Frees every callee runtime and the table. */
void spry_subgraph_table_free(SpryInterpreter *root);
/* spry_interpreter_reset_state() beyond subgraph 0: every callee's state,
 * the resource variables (unassigned again) and the CALL_ONCE flags (their
 * subgraphs run again on the next invoke). */
SpryStatus spry_subgraph_reset_state(SpryInterpreter *root);
/* Runtime of subgraph `index` (0: the root), NULL when none exists. */
const SpryInterpreter *spry_subgraph_runtime(const SpryInterpreter *root, int32_t index);

/* A bound on the WHILE iterations the interpreter may still run over its
 * lifetime (-1, the default: none, as in TFLite). Once spent, WHILE fails
 * with SPRY_ERROR_RUNTIME. For harnesses that run hostile models (the fuzz
 * target, the corruption sweep), where a corrupted loop could spin forever. */
void spry_interpreter_set_loop_budget(SpryInterpreter *interpreter, int64_t iterations);

/* ---- The kernels' side ---- */

/* From prepare: readies subgraph `index` (in its `role`, for messages) to be
 * called with the caller's tensors `inputs` (num_inputs of them, none
 * absent) and to give num_outputs outputs. */
SpryStatus spry_subgraph_prepare(SpryContext *ctx, const char *role, int32_t index,
                                 const int32_t *inputs, int32_t num_inputs, int32_t num_outputs);
/* Output i of a prepared subgraph; NULL when out of range or not prepared. */
const SpryTensor *spry_subgraph_output(SpryContext *ctx, int32_t index, int32_t i);
/* From invoke: copies `inputs` into the subgraph's inputs and runs it. */
SpryStatus spry_subgraph_invoke(SpryContext *ctx, const char *role, int32_t index,
                                const int32_t *inputs, int32_t num_inputs);
/* Copies the subgraph's outputs into the caller's tensors `outputs`, which
 * must have the same byte sizes. */
SpryStatus spry_subgraph_copy_outputs(SpryContext *ctx, const char *role, int32_t index,
                                      const int32_t *outputs, int32_t num_outputs);

/* CALL_ONCE's record of subgraphs that have run (cleared by a reset). */
bool spry_subgraph_initialized(const SpryContext *ctx, int32_t index);
void spry_subgraph_set_initialized(SpryContext *ctx, int32_t index);

/* Takes one WHILE iteration from the loop budget; fails once it is spent. */
SpryStatus spry_subgraph_loop_step(SpryContext *ctx);

#endif /* SPRY_ENGINE_SUBGRAPH_H */
