/* SPDX-License-Identifier: Apache-2.0 */
/* interpreter.c — creating, preparing, running and resetting interpreters. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena_planner.h"
#include "dynamic.h"
#include "interpreter_internal.h"
#include "resolver.h"
#include "resource.h"
#include "status.h"
#include "subgraph.h"

#define SPRY_DEFAULT_MAX_ARENA_BYTES ((size_t)1 << 30)

void spry_options_init(SpryOptions *options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->num_threads = 1;
  options->max_arena_bytes = SPRY_DEFAULT_MAX_ARENA_BYTES;
}

static void init_tensor(SpryTensor *t, const SpryTensorDesc *desc) {
  t->type = desc->type;
  t->rank = desc->rank;
  memcpy(t->dims, desc->dims, sizeof t->dims);
  t->quant = desc->quant;
  t->name = desc->name;
  if (desc->data) {
    t->kind = SPRY_TENSOR_CONSTANT;
    t->data = (void *)desc->data; /* read-only: kernels must not write constants */
    t->bytes = desc->data_size;
  } else {
    t->kind = desc->is_variable ? SPRY_TENSOR_PERSISTENT : SPRY_TENSOR_ARENA;
    t->data = NULL;
    if (!spry_shape_bytes(t->type, t->rank, t->dims, &t->bytes)) t->bytes = 0;
  }
}

static void demote_if_empty(SpryTensor *t) {
  if (t->kind != SPRY_TENSOR_CONSTANT || t->bytes != 0) return;
  t->kind = SPRY_TENSOR_ARENA;
  t->data = NULL;
}

/* A zero-element tensor with a buffer of its own reads as a constant (see
 * attach_data in model_reader.c), but when the graph feeds it or an operator
 * writes it, it is an (empty) activation: converters give every tensor a
 * buffer, and zero-size activations are valid. */
static void demote_empty_constants(SpryInterpreter *interp) {
  const SprySubgraphDesc *g = interp->graph;
  for (int32_t i = 0; i < g->num_inputs; i++) demote_if_empty(&interp->tensors[g->inputs[i]]);
  for (int32_t n = 0; n < g->num_operators; n++) {
    const SpryOperatorDesc *op = &g->operators[n];
    for (int32_t i = 0; i < op->num_outputs; i++) demote_if_empty(&interp->tensors[op->outputs[i]]);
  }
}

/* Records which node writes each tensor and checks the graph is runnable in
 * its stored order: every tensor read is a constant, a variable, a graph
 * input or written by an earlier node; no tensor is written twice; no
 * constant is written. */
static SpryStatus check_dataflow(SpryInterpreter *interp) {
  const SprySubgraphDesc *g = interp->graph;
  for (int32_t t = 0; t < interp->num_tensors; t++) interp->producer[t] = -1;
  bool *available = calloc((size_t)(uint32_t)interp->num_tensors + 1, sizeof *available);
  if (!available) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  SpryStatus status = SPRY_OK;
  for (int32_t t = 0; t < interp->num_tensors; t++)
    available[t] = interp->tensors[t].kind != SPRY_TENSOR_ARENA;
  for (int32_t i = 0; i < g->num_inputs; i++) available[g->inputs[i]] = true;
  for (int32_t n = 0; n < g->num_operators && status == SPRY_OK; n++) {
    const SpryOperatorDesc *op = &g->operators[n];
    for (int32_t i = 0; i < op->num_inputs; i++) {
      const int32_t t = op->inputs[i];
      if (t >= 0 && !available[t]) {
        status = spry_set_error(SPRY_ERROR_INVALID_MODEL,
                                "model: operator %d reads tensor %d ('%s') before any "
                                "operator writes it",
                                (int)n, (int)t, interp->tensors[t].name);
        break;
      }
    }
    for (int32_t i = 0; i < op->num_outputs && status == SPRY_OK; i++) {
      const int32_t t = op->outputs[i];
      if (interp->tensors[t].kind == SPRY_TENSOR_CONSTANT) {
        status = spry_set_error(SPRY_ERROR_INVALID_MODEL,
                                "model: operator %d writes constant tensor %d ('%s')", (int)n,
                                (int)t, interp->tensors[t].name);
      } else if (interp->producer[t] >= 0) {
        status = spry_set_error(SPRY_ERROR_INVALID_MODEL,
                                "model: tensor %d ('%s') is written by operators %d and %d",
                                (int)t, interp->tensors[t].name, (int)interp->producer[t], (int)n);
      } else {
        interp->producer[t] = n;
        available[t] = true;
      }
    }
  }
  for (int32_t i = 0; i < g->num_outputs && status == SPRY_OK; i++) {
    if (!available[g->outputs[i]])
      status = spry_set_error(SPRY_ERROR_INVALID_MODEL,
                              "model: graph output %d (tensor %d) is never written", (int)i,
                              (int)g->outputs[i]);
  }
  free(available);
  return status;
}

static SpryStatus resolve_nodes(SpryInterpreter *interp) {
  const SprySubgraphDesc *g = interp->graph;
  for (int32_t n = 0; n < g->num_operators; n++) {
    const SpryOperatorDesc *op = &g->operators[n];
    SpryNodeState *state = &interp->nodes[n];
    state->opcode = &interp->model->opcodes[op->opcode_index];
    state->registration = spry_resolver_find(interp->resolver, state->opcode);
    if (!state->registration) return SPRY_ERROR_UNSUPPORTED; /* message set by the resolver */
    const SpryOpRegistration *r = state->registration;
    SpryNode *node = &state->node;
    node->index = n;
    node->inputs = op->inputs;
    node->num_inputs = op->num_inputs;
    node->outputs = op->outputs;
    node->num_outputs = op->num_outputs;
    node->intermediates = op->intermediates;
    node->num_intermediates = op->num_intermediates;
    node->builtin_code = state->opcode->builtin_code;
    node->version = state->opcode->version;
    node->options = (r->builtin_options_type != 0 && op->options_type == r->builtin_options_type)
                        ? &op->options
                        : NULL;
    node->custom_options = op->custom_options;
    node->custom_options_size = op->custom_options_size;
  }
  return SPRY_OK;
}

/* Sparse constants hold compressed values that only DENSIFY expands; any
 * other reader would take them for dense data. */
#define SPRY_BUILTIN_DENSIFY 124
static SpryStatus check_sparse_readers(const SpryInterpreter *interp) {
  const SprySubgraphDesc *g = interp->graph;
  for (int32_t n = 0; n < g->num_operators; n++) {
    const SpryOperatorDesc *op = &g->operators[n];
    if (interp->nodes[n].opcode->builtin_code == SPRY_BUILTIN_DENSIFY) continue;
    for (int32_t i = 0; i < op->num_inputs; i++) {
      const int32_t t = op->inputs[i];
      if (t >= 0 && g->tensors[t].is_sparse)
        return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                              "model: operator %d (%s) reads sparse tensor %d ('%s'); only "
                              "DENSIFY reads sparse tensors",
                              (int)n, spry_opcode_name(interp->nodes[n].opcode), (int)t,
                              g->tensors[t].name);
    }
  }
  return SPRY_OK;
}

static SpryStatus init_nodes(SpryInterpreter *interp) {
  SpryContext *ctx = &interp->context;
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *state = &interp->nodes[n];
    ctx->node = state;
    ctx->phase = SPRY_PHASE_INIT;
    SpryStatus status = SPRY_OK;
    if (state->registration->init)
      status = state->registration->init(ctx, &state->node, &state->node.user_data);
    ctx->phase = SPRY_PHASE_IDLE;
    ctx->node = NULL;
    if (status != SPRY_OK) return status;
    state->initialized = true;
  }
  return SPRY_OK;
}

/* Tensors and nodes (resolved, checked and initialised) of the runtime's
 * subgraph; model, graph, options, resolver and context are set. */
static SpryStatus build_runtime(SpryInterpreter *interp) {
  interp->num_tensors = interp->graph->num_tensors;
  interp->num_nodes = interp->graph->num_operators;

  const size_t nt = (size_t)(uint32_t)interp->num_tensors + 1;
  const size_t nn = (size_t)(uint32_t)interp->num_nodes + 1;
  interp->tensors = calloc(nt, sizeof *interp->tensors);
  interp->producer = calloc(nt, sizeof *interp->producer);
  interp->variable_data = calloc(nt, sizeof *interp->variable_data);
  interp->dynamic = calloc(nt, sizeof *interp->dynamic);
  interp->nodes = calloc(nn, sizeof *interp->nodes);
  interp->profile = calloc(nn, sizeof *interp->profile);
  if (!interp->tensors || !interp->producer || !interp->variable_data || !interp->dynamic ||
      !interp->nodes || !interp->profile)
    return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  for (int32_t t = 0; t < interp->num_tensors; t++)
    init_tensor(&interp->tensors[t], &interp->graph->tensors[t]);
  demote_empty_constants(interp);
  SPRY_TRY(resolve_nodes(interp));
  SPRY_TRY(check_sparse_readers(interp));
  SPRY_TRY(check_dataflow(interp));
  SPRY_TRY(init_nodes(interp));
  interp->needs_prepare = true;
  return SPRY_OK;
}

/* Models from this size on have all their persistent buffers (packed
 * weights, mostly as large as the model) in huge pages: each 2 MB of them
 * loads over a millisecond faster than in base pages, and smaller models
 * would have most of a huge page resident for nothing. */
#define HUGE_PAGE_MODEL_BYTES ((size_t)2 << 20)

/* SPRY_HUGE_PAGES=0 in the environment keeps base pages: to compare, or
 * where the system's compaction for huge pages stalls a load. */
static SpryHugePages huge_pages_for(const SpryModel *model) {
  const char *env = getenv("SPRY_HUGE_PAGES");
  if (env && strcmp(env, "0") == 0) return SPRY_HUGE_PAGES_NONE;
  return model->size >= HUGE_PAGE_MODEL_BYTES ? SPRY_HUGE_PAGES_ALL : SPRY_HUGE_PAGES_FILLED;
}

SpryStatus spry_interpreter_new(const SpryModel *model, const SpryOptions *options,
                                SpryInterpreter **out_interpreter) {
  if (!out_interpreter)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "out_interpreter is NULL");
  *out_interpreter = NULL;
  if (!model) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (model->num_subgraphs < 1)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "model has no subgraph");
  if (options && (options->num_threads < 0 || options->num_delegates < 0 ||
                  (options->num_delegates > 0 && !options->delegates)))
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "bad interpreter options");
  if (options && options->num_delegates > 0)
    return spry_set_error(SPRY_ERROR_UNSUPPORTED, "delegates are not available in this build");

  SpryInterpreter *interp = calloc(1, sizeof *interp);
  if (!interp) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  interp->root = interp;
  spry_options_init(&interp->options);
  if (options) interp->options = *options;
  if (interp->options.max_arena_bytes == 0)
    interp->options.max_arena_bytes = SPRY_DEFAULT_MAX_ARENA_BYTES;
  interp->model = model;
  interp->graph = &model->subgraphs[0];
  interp->resolver = interp->options.resolver ? interp->options.resolver : spry_builtin_resolver();
  interp->context.interpreter = interp;
  SpryStatus status = spry_isa_select(&interp->isa);
  if (status != SPRY_OK) goto fail;
  if (interp->options.num_threads > 1 &&
      (status = spry_thread_pool_new(interp->options.num_threads, &interp->pool)) != SPRY_OK)
    goto fail;
  /* Without a pool (out of memory, or a sanitizer build), the heap. */
  interp->persistent_pool = spry_persistent_pool_new(huge_pages_for(model));
  if ((status = spry_subgraph_table_new(interp)) != SPRY_OK) goto fail;
  if ((status = spry_resource_table_new(&interp->resources)) != SPRY_OK) goto fail;
  if ((status = build_runtime(interp)) != SPRY_OK) goto fail;
  /* The first prepare creates the runtimes of the subgraphs that control-flow
   * ops call: the resolver may be used only while this function runs. */
  status = spry_interpreter_prepare(interp);
  spry_subgraph_table_seal(interp);
  if (status != SPRY_OK) goto fail;
  *out_interpreter = interp;
  return SPRY_OK;
fail:
  spry_interpreter_free(interp);
  return status;
}

SpryStatus spry_interpreter_new_callee(SpryInterpreter *root, int32_t index,
                                       SpryInterpreter **out) {
  *out = NULL;
  SpryInterpreter *interp = calloc(1, sizeof *interp);
  if (!interp) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  interp->root = root;
  interp->subgraph_index = index;
  interp->options = root->options;
  interp->model = root->model;
  interp->graph = &root->model->subgraphs[index];
  interp->resolver = root->resolver;
  interp->context.interpreter = interp;
  interp->isa = root->isa;
  interp->pool = root->pool;
  const SpryStatus status = build_runtime(interp);
  if (status != SPRY_OK) {
    spry_interpreter_free(interp);
    return status;
  }
  *out = interp;
  return SPRY_OK;
}

void spry_interpreter_free(SpryInterpreter *interp) {
  if (!interp) return;
  const bool is_root = interp->root == interp;
  if (is_root) spry_subgraph_table_free(interp); /* callees first: they share the pool */
  SpryContext *ctx = &interp->context;
  for (int32_t n = 0; interp->nodes && n < interp->num_nodes; n++) {
    SpryNodeState *state = &interp->nodes[n];
    if (state->initialized && state->registration->free) {
      ctx->node = state;
      state->registration->free(ctx, state->node.user_data);
      ctx->node = NULL;
    }
    spry_alloc_list_clear(&state->init_allocs, interp->root->persistent_pool);
    spry_alloc_list_clear(&state->prepare_allocs, interp->root->persistent_pool);
    spry_node_scratch_free(&state->scratch);
  }
  spry_dynamic_free(interp);
  for (int32_t t = 0; interp->variable_data && t < interp->num_tensors; t++)
    free(interp->variable_data[t]);
  free(interp->variable_data);
  spry_arena_release(interp);
  free(interp->scratch);
  free(interp->nodes);
  free(interp->producer);
  free(interp->tensors);
  free(interp->profile);
  if (is_root) {
    spry_resource_table_free(interp->resources);
    spry_thread_pool_free(interp->pool);
    spry_persistent_pool_free(interp->persistent_pool);
  }
  free(interp);
}

/* ---- Restarting a stream ---------------------------------------------------- */

typedef SpryStatus (*SpryResetFn)(SpryContext *ctx, SpryNode *node);

/* A registration built against op ABI version 1 ends after `invoke`, so its
 * `reset` field may only be read from version 2 on. */
static SpryResetFn registration_reset(const SpryOpRegistration *r) {
  if (!r || r->abi_version < 2) return NULL;
  return r->reset;
}

/* TFLite's ResetVariableTensor: every byte becomes 0, or the zero point for
 * int8 tensors (a quantized zero). */
static void reset_variable_tensor(SpryTensor *tensor) {
  if (!tensor->data || tensor->bytes == 0) return;
  int value = 0;
  if (tensor->type == SPRY_TYPE_INT8) value = (int)(uint8_t)(int8_t)tensor->quant.zero_point;
  memset(tensor->data, value, tensor->bytes);
}

static SpryStatus reset_nodes(SpryInterpreter *interp) {
  SpryContext *ctx = &interp->context;
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *state = &interp->nodes[n];
    const SpryResetFn reset = registration_reset(state->registration);
    if (!reset) continue;
    ctx->node = state;
    ctx->phase = SPRY_PHASE_IDLE;
    const SpryStatus status = reset(ctx, &state->node);
    ctx->node = NULL;
    if (status != SPRY_OK) {
      if (spry_last_error()[0] == '\0')
        spry_set_error(status, "%s (node %d): reset failed (%s)", spry_opcode_name(state->opcode),
                       (int)n, spry_status_name(status));
      return status;
    }
  }
  return SPRY_OK;
}

SpryStatus spry_runtime_reset_state(SpryInterpreter *interp) {
  for (int32_t t = 0; t < interp->num_tensors; t++) {
    SpryTensor *tensor = &interp->tensors[t];
    if (tensor->kind == SPRY_TENSOR_PERSISTENT) reset_variable_tensor(tensor);
  }
  return reset_nodes(interp);
}

SpryStatus spry_interpreter_reset_state(SpryInterpreter *interp) {
  if (!interp) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "interpreter is NULL");
  /* State lives in memory that prepare allocates; a pending prepare creates
   * it fresh (and zeroed) anyway, but must succeed before we can touch it. */
  if (interp->needs_prepare) SPRY_TRY(spry_interpreter_prepare(interp));
  spry_clear_error();
  SPRY_TRY(spry_runtime_reset_state(interp));
  /* Callees' state, resource variables and CALL_ONCE: back to unrun. */
  return spry_subgraph_reset_state(interp);
}
