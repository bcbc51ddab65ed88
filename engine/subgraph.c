/* SPDX-License-Identifier: Apache-2.0 */
/* subgraph.c — callee runtimes: creating, preparing and running the subgraphs
 * that control-flow ops call (see subgraph.h). */
#include "subgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource.h"
#include "status.h"

/* ---- The table ---- */

SpryStatus spry_subgraph_table_new(SpryInterpreter *root) {
  SprySubgraphTable *table = calloc(1, sizeof *table);
  if (!table) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  root->subgraphs = table;
  table->count = root->model->num_subgraphs;
  table->creating = true;
  table->loop_budget = -1;
  const size_t n = (size_t)(uint32_t)table->count + 1;
  table->runtimes = calloc(n, sizeof *table->runtimes);
  table->initialized = calloc(n, sizeof *table->initialized);
  if (!table->runtimes || !table->initialized)
    return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  return SPRY_OK;
}

void spry_subgraph_table_seal(SpryInterpreter *root) {
  if (root->subgraphs) root->subgraphs->creating = false;
}

void spry_subgraph_table_free(SpryInterpreter *root) {
  SprySubgraphTable *table = root->subgraphs;
  if (!table) return;
  for (int32_t i = 1; table->runtimes && i < table->count; i++)
    spry_interpreter_free(table->runtimes[i]);
  free(table->runtimes);
  free(table->initialized);
  free(table);
  root->subgraphs = NULL;
}

SpryStatus spry_subgraph_reset_state(SpryInterpreter *root) {
  SprySubgraphTable *table = root->subgraphs;
  for (int32_t i = 1; i < table->count; i++) {
    if (!table->runtimes[i]) continue;
    const SpryStatus status = spry_runtime_reset_state(table->runtimes[i]);
    if (status != SPRY_OK)
      return spry_prefix_error(status, "subgraph %d ('%s')", (int)i,
                               root->model->subgraphs[i].name);
  }
  memset(table->initialized, 0, (size_t)(uint32_t)table->count * sizeof *table->initialized);
  spry_resource_table_reset(root->resources);
  return SPRY_OK;
}

const SpryInterpreter *spry_subgraph_runtime(const SpryInterpreter *root, int32_t index) {
  if (!root || index < 0) return NULL;
  if (index == 0) return root;
  return root->subgraphs && index < root->subgraphs->count ? root->subgraphs->runtimes[index]
                                                           : NULL;
}

void spry_interpreter_set_loop_budget(SpryInterpreter *interp, int64_t iterations) {
  if (interp && interp->root->subgraphs)
    interp->root->subgraphs->loop_budget = iterations < 0 ? -1 : iterations;
}

/* ---- Finding, entering and leaving a callee ---- */

static const char *subgraph_name(const SpryContext *ctx, int32_t index) {
  return ctx->interpreter->model->subgraphs[index].name;
}

/* Turns a callee's failure into the caller's, its message kept as the reason.
 * Nested calls prefix the message once per level: past a few levels only its
 * end is kept, which names the innermost node and what went wrong. */
static SpryStatus callee_failed(SpryContext *ctx, SpryStatus status, const char *role,
                                int32_t index) {
  enum { KEEP = 240 };
  char reason[KEEP + 8];
  const char *last = spry_last_error();
  const size_t length = strlen(last);
  snprintf(reason, sizeof reason, "%s%s", length > KEEP ? "... " : "",
           length > KEEP ? last + length - KEEP : last);
  return spry_context_error(ctx, status, "%s subgraph %d ('%s'): %s", role, (int)index,
                            subgraph_name(ctx, index),
                            reason[0] ? reason : spry_status_name(status));
}

/* The runtime of subgraph `index`, created on first use when `create`. */
static SpryStatus callee_runtime(SpryContext *ctx, const char *role, int32_t index, bool create,
                                 SpryInterpreter **out) {
  SpryInterpreter *root = ctx->interpreter->root;
  SprySubgraphTable *table = root->subgraphs;
  *out = NULL;
  if (index < 0 || index >= table->count)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph index %d is out of range (the model has %d subgraphs)",
                              role, (int)index, (int)table->count);
  if (index == 0 || (table->runtimes[index] && table->runtimes[index]->busy))
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph %d ('%s') would run recursively: subgraph %d calls it "
                              "while it is running",
                              role, (int)index, subgraph_name(ctx, index),
                              (int)ctx->interpreter->subgraph_index);
  if (!table->runtimes[index]) {
    if (!create || !table->creating)
      return spry_context_error(ctx, SPRY_ERROR_BAD_STATE,
                                "%s subgraph %d ('%s') was not prepared when the interpreter "
                                "was created",
                                role, (int)index, subgraph_name(ctx, index));
    const SpryStatus status = spry_interpreter_new_callee(root, index, &table->runtimes[index]);
    if (status != SPRY_OK) return callee_failed(ctx, status, role, index);
  }
  *out = table->runtimes[index];
  return SPRY_OK;
}

static SpryStatus enter(SpryContext *ctx, const char *role, int32_t index,
                        SpryInterpreter *callee) {
  SprySubgraphTable *table = ctx->interpreter->root->subgraphs;
  if (table->depth >= SPRY_MAX_SUBGRAPH_DEPTH)
    return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED,
                              "%s subgraph %d ('%s'): subgraph calls nest deeper than %d", role,
                              (int)index, subgraph_name(ctx, index), SPRY_MAX_SUBGRAPH_DEPTH);
  callee->busy = true;
  table->depth++;
  return SPRY_OK;
}

static void leave(SpryContext *ctx, SpryInterpreter *callee) {
  callee->busy = false;
  ctx->interpreter->root->subgraphs->depth--;
}

/* ---- Inputs and outputs ---- */

/* Gives the callee's input i the caller tensor's shape (same type required);
 * the callee then needs a prepare when the shape changed. */
static SpryStatus take_input_shape(SpryContext *ctx, const char *role, int32_t index,
                                   SpryInterpreter *callee, int32_t i, int32_t caller_tensor) {
  const SpryTensor *src = spry_context_tensor(ctx, caller_tensor);
  if (!src)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "the value passed as input %d of %s subgraph %d is absent", (int)i,
                              role, (int)index);
  SpryTensor *dst = &callee->tensors[callee->graph->inputs[i]];
  if (src->type != dst->type)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph %d ('%s'): input %d ('%s') is %s but the node passes "
                              "%s ('%s')",
                              role, (int)index, subgraph_name(ctx, index), (int)i, dst->name,
                              spry_type_name(dst->type), spry_type_name(src->type), src->name);
  if (dst->kind != SPRY_TENSOR_ARENA)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph %d ('%s'): input %d ('%s') is a constant or variable "
                              "tensor",
                              role, (int)index, subgraph_name(ctx, index), (int)i, dst->name);
  if (dst->rank == src->rank &&
      memcmp(dst->dims, src->dims, (size_t)(uint32_t)src->rank * sizeof *src->dims) == 0)
    return SPRY_OK;
  size_t bytes = 0;
  if (!spry_shape_bytes(dst->type, src->rank, src->dims, &bytes))
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph %d: the shape for input %d is too large", role,
                              (int)index, (int)i);
  dst->rank = src->rank;
  memset(dst->dims, 0, sizeof dst->dims);
  memcpy(dst->dims, src->dims, (size_t)(uint32_t)src->rank * sizeof *src->dims);
  dst->bytes = bytes;
  callee->needs_prepare = true;
  return SPRY_OK;
}

static SpryStatus take_input_shapes(SpryContext *ctx, const char *role, int32_t index,
                                    SpryInterpreter *callee, const int32_t *inputs,
                                    int32_t num_inputs) {
  if (callee->graph->num_inputs != num_inputs)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph %d ('%s') has %d inputs, the node passes %d", role,
                              (int)index, subgraph_name(ctx, index), (int)callee->graph->num_inputs,
                              (int)num_inputs);
  for (int32_t i = 0; i < num_inputs; i++)
    SPRY_TRY(take_input_shape(ctx, role, index, callee, i, inputs[i]));
  return SPRY_OK;
}

static SpryStatus prepare_callee(SpryContext *ctx, const char *role, int32_t index,
                                 SpryInterpreter *callee) {
  if (!callee->needs_prepare) return SPRY_OK;
  SPRY_TRY(enter(ctx, role, index, callee));
  const SpryStatus status = spry_interpreter_prepare(callee);
  leave(ctx, callee);
  return status == SPRY_OK ? SPRY_OK : callee_failed(ctx, status, role, index);
}

/* The caller sizes its outputs from the callee's at prepare, so these must
 * not depend on run-time values (see dynamic.h). */
static SpryStatus check_static_outputs(SpryContext *ctx, const char *role, int32_t index,
                                       const SpryInterpreter *callee) {
  for (int32_t i = 0; i < callee->graph->num_outputs; i++) {
    const SpryTensor *out = &callee->tensors[callee->graph->outputs[i]];
    if (out->kind == SPRY_TENSOR_DYNAMIC)
      return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED,
                                "%s subgraph %d ('%s'): output %d ('%s') has a shape known only "
                                "at run time (dynamic); subgraphs must return values of static "
                                "shape",
                                role, (int)index, subgraph_name(ctx, index), (int)i, out->name);
  }
  return SPRY_OK;
}

/* Copies n bytes between tensors of equal size; false when a buffer is missing. */
static bool copy_bytes(void *dst, const void *src, size_t n) {
  if (n == 0) return true;
  if (!dst || !src) return false;
  memcpy(dst, src, n);
  return true;
}

/* ---- The kernels' side ---- */

SpryStatus spry_subgraph_prepare(SpryContext *ctx, const char *role, int32_t index,
                                 const int32_t *inputs, int32_t num_inputs, int32_t num_outputs) {
  SpryInterpreter *callee;
  SPRY_TRY(callee_runtime(ctx, role, index, true, &callee));
  if (callee->graph->num_outputs != num_outputs)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL,
                              "%s subgraph %d ('%s') has %d outputs, the node needs %d", role,
                              (int)index, subgraph_name(ctx, index),
                              (int)callee->graph->num_outputs, (int)num_outputs);
  SPRY_TRY(take_input_shapes(ctx, role, index, callee, inputs, num_inputs));
  SPRY_TRY(prepare_callee(ctx, role, index, callee));
  return check_static_outputs(ctx, role, index, callee);
}

const SpryTensor *spry_subgraph_output(SpryContext *ctx, int32_t index, int32_t i) {
  const SpryInterpreter *callee = spry_subgraph_runtime(ctx->interpreter->root, index);
  if (!callee || index == 0 || callee->needs_prepare || i < 0 || i >= callee->graph->num_outputs)
    return NULL;
  return &callee->tensors[callee->graph->outputs[i]];
}

SpryStatus spry_subgraph_invoke(SpryContext *ctx, const char *role, int32_t index,
                                const int32_t *inputs, int32_t num_inputs) {
  SpryInterpreter *callee;
  SPRY_TRY(callee_runtime(ctx, role, index, false, &callee));
  SPRY_TRY(take_input_shapes(ctx, role, index, callee, inputs, num_inputs));
  SPRY_TRY(prepare_callee(ctx, role, index, callee));
  for (int32_t i = 0; i < num_inputs; i++) {
    const SpryTensor *src = spry_context_tensor(ctx, inputs[i]);
    SpryTensor *dst = &callee->tensors[callee->graph->inputs[i]];
    if (!copy_bytes(dst->data, src->data, src->bytes))
      return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "%s subgraph %d: input %d has no buffer",
                                role, (int)index, (int)i);
  }
  SPRY_TRY(enter(ctx, role, index, callee));
  const SpryStatus status = spry_interpreter_invoke(callee);
  leave(ctx, callee);
  return status == SPRY_OK ? SPRY_OK : callee_failed(ctx, status, role, index);
}

SpryStatus spry_subgraph_copy_outputs(SpryContext *ctx, const char *role, int32_t index,
                                      const int32_t *outputs, int32_t num_outputs) {
  const SpryInterpreter *callee = spry_subgraph_runtime(ctx->interpreter->root, index);
  if (!callee || index == 0 || callee->graph->num_outputs != num_outputs)
    return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "%s subgraph %d is not prepared", role,
                              (int)index);
  for (int32_t i = 0; i < num_outputs; i++) {
    const SpryTensor *src = &callee->tensors[callee->graph->outputs[i]];
    SpryTensor *dst = spry_context_tensor(ctx, outputs[i]);
    if (!dst || dst->bytes != src->bytes)
      return spry_context_error(ctx, SPRY_ERROR_RUNTIME,
                                "%s subgraph %d: output %d has %zu bytes, the node's output has "
                                "%zu",
                                role, (int)index, (int)i, src->bytes, dst ? dst->bytes : 0);
    if (!copy_bytes(dst->data, src->data, src->bytes))
      return spry_context_error(ctx, SPRY_ERROR_BAD_STATE,
                                "%s subgraph %d: output %d has no buffer", role, (int)index,
                                (int)i);
  }
  return SPRY_OK;
}

bool spry_subgraph_initialized(const SpryContext *ctx, int32_t index) {
  const SprySubgraphTable *table = ctx->interpreter->root->subgraphs;
  return index >= 0 && index < table->count && table->initialized[index];
}

void spry_subgraph_set_initialized(SpryContext *ctx, int32_t index) {
  SprySubgraphTable *table = ctx->interpreter->root->subgraphs;
  if (index >= 0 && index < table->count) table->initialized[index] = true;
}

SpryStatus spry_subgraph_loop_step(SpryContext *ctx) {
  SprySubgraphTable *table = ctx->interpreter->root->subgraphs;
  if (table->loop_budget < 0) return SPRY_OK;
  if (table->loop_budget == 0)
    return spry_context_error(ctx, SPRY_ERROR_RUNTIME,
                              "the interpreter's budget of loop iterations is spent");
  table->loop_budget--;
  return SPRY_OK;
}
