/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_flow.c — WHILE, IF and CALL_ONCE: ops that run other subgraphs of
 * the model, through the engine's callee runtimes (engine/subgraph.h: one
 * runtime and arena per called subgraph, recursion refused at prepare).
 *
 * Version 1 of each, the only one TFLite defines. Every type may flow
 * through (the values are copied byte for byte, quantization untouched).
 *
 * WHILE (WhileOptions cond_subgraph_index, body_subgraph_index): one output
 * per input (the loop variables). The cond subgraph takes the loop
 * variables and gives one bool, a scalar or of shape [1]; the body takes
 * them and gives their next values, of the same types and shapes. A body
 * whose outputs have other shapes than its inputs (shapes that change from
 * one iteration to the next, dynamic tensors in TFLite) is refused at
 * prepare. The outputs of the node hold the loop state: they start as the
 * inputs, and each iteration passes them to cond, then (while cond gives
 * true) to the body, whose outputs become the new state. A body output that
 * forwards another loop variable's input (a swap, a rotation) therefore gets
 * exactly that input's value, as the model defines; TFLite's reference WHILE
 * copies the body's outputs into its inputs one by one, so from the second
 * iteration on it can read a value it has already overwritten — the one
 * case where results differ. Zero iterations give the inputs. There is no
 * iteration limit (nor in TFLite): a condition that stays true loops
 * forever, unless a harness set spry_interpreter_set_loop_budget().
 *
 * IF (IfOptions then_subgraph_index, else_subgraph_index): input 0 is the
 * condition, a bool tensor of one element (TFLite accepts no other type);
 * the other inputs go to the branch it selects, whose outputs become the
 * node's. Both branches must give outputs of the same types and shapes.
 *
 * CALL_ONCE (CallOnceOptions init_subgraph_index): no inputs or outputs;
 * runs its subgraph (no inputs or outputs either) on the interpreter's first
 * invoke and never again — typically to give resource variables their
 * initial values. spry_interpreter_reset_state() forgets that it ran (and
 * the variables' values), so the next invoke runs it again: a reset
 * interpreter behaves as a fresh one. The subgraph is prepared with the
 * node, so its errors show when the interpreter is created.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel_util.h"
#include "spry/op.h"
#include "subgraph.h"

/* Option field ids (schema.fbs) and BuiltinOptions union types. */
enum { WHILE_OPT_COND = 0, WHILE_OPT_BODY = 1 };
enum { IF_OPT_THEN = 0, IF_OPT_ELSE = 1 };
enum { CALL_ONCE_OPT_INIT = 0 };
enum { OPTIONS_IF = 92, OPTIONS_WHILE = 93, OPTIONS_CALL_ONCE = 103 };

typedef struct CalleeIndices {
  int32_t first;  /* cond, then, init */
  int32_t second; /* body, else */
} CalleeIndices;

static SpryStatus read_indices(SpryContext *ctx, const SpryNode *node, void **user_data,
                               int first_field, int second_field) {
  CalleeIndices *d = spry_context_alloc_persistent(ctx, sizeof *d);
  if (!d) return SPRY_ERROR_OUT_OF_MEMORY; /* message recorded by the allocator */
  d->first = spry_option_i32(node->options, first_field, 0);
  d->second = second_field >= 0 ? spry_option_i32(node->options, second_field, 0) : 0;
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus check_same_shape(SpryContext *ctx, const char *what, const SpryTensor *a,
                                   const SpryTensor *b) {
  if (spry_same_shape(a, b)) return SPRY_OK;
  char sa[128], sb[128];
  spry_shape_text(a->rank, a->dims, sa, sizeof sa);
  spry_shape_text(b->rank, b->dims, sb, sizeof sb);
  return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED, "%s: shapes %s and %s differ", what, sa,
                            sb);
}

/* Sets a node output to the shape of `like` (its type must be the same). */
static SpryStatus take_shape(SpryContext *ctx, SpryTensor *out, const SpryTensor *like) {
  if (spry_same_shape(out, like)) return SPRY_OK;
  return spry_context_resize_tensor(ctx, out, like->rank, like->dims);
}

static SpryStatus copy_tensor(SpryContext *ctx, SpryTensor *dst, const SpryTensor *src) {
  SPRY_ENSURE_MSG(ctx, dst->bytes == src->bytes, SPRY_ERROR_RUNTIME, "'%s' has %zu bytes, '%s' %zu",
                  src->name, src->bytes, dst->name, dst->bytes);
  if (src->bytes == 0) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, dst->data && src->data, SPRY_ERROR_BAD_STATE, "tensor without buffer");
  memcpy(dst->data, src->data, src->bytes);
  return SPRY_OK;
}

/* A bool condition: true when its first byte is nonzero. */
static SpryStatus read_condition(SpryContext *ctx, const SpryTensor *cond, bool *value) {
  SPRY_ENSURE_MSG(ctx, cond && cond->data && cond->bytes >= 1, SPRY_ERROR_BAD_STATE,
                  "the condition has no value");
  *value = *(const uint8_t *)cond->data != 0;
  return SPRY_OK;
}

/* ---- WHILE ---- */

static SpryStatus while_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return read_indices(ctx, node, user_data, WHILE_OPT_COND, WHILE_OPT_BODY);
}

static SpryStatus check_loop_variables(SpryContext *ctx, const SpryNode *node) {
  SPRY_ENSURE_MSG(ctx, node->num_outputs == node->num_inputs, SPRY_ERROR_INVALID_MODEL,
                  "has %d inputs but %d outputs (one output per loop variable)",
                  (int)node->num_inputs, (int)node->num_outputs);
  for (int32_t i = 0; i < node->num_inputs; i++) {
    const SpryTensor *in = spry_node_input(ctx, node, i);
    const SpryTensor *out = spry_node_output(ctx, node, i);
    SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_INVALID_MODEL, "loop variable %d is absent", (int)i);
    SPRY_ENSURE_MSG(ctx, in->type == out->type, SPRY_ERROR_INVALID_MODEL,
                    "loop variable %d is %s but output %d is %s", (int)i, spry_type_name(in->type),
                    (int)i, spry_type_name(out->type));
  }
  return SPRY_OK;
}

static SpryStatus check_cond_output(SpryContext *ctx, int32_t cond) {
  const SpryTensor *c = spry_subgraph_output(ctx, cond, 0);
  SPRY_ENSURE_MSG(ctx, c && c->type == SPRY_TYPE_BOOL, SPRY_ERROR_INVALID_MODEL,
                  "cond subgraph %d gives %s, not bool", (int)cond,
                  c ? spry_type_name(c->type) : "nothing");
  SPRY_ENSURE_MSG(ctx, c->rank == 0 || (c->rank == 1 && c->dims[0] == 1), SPRY_ERROR_INVALID_MODEL,
                  "cond subgraph %d gives a bool of rank %d, not a single value", (int)cond,
                  (int)c->rank);
  return SPRY_OK;
}

static SpryStatus check_body_outputs(SpryContext *ctx, const SpryNode *node, int32_t body) {
  for (int32_t i = 0; i < node->num_inputs; i++) {
    const SpryTensor *in = spry_node_input(ctx, node, i);
    const SpryTensor *next = spry_subgraph_output(ctx, body, i);
    SPRY_ENSURE_MSG(ctx, next && next->type == in->type, SPRY_ERROR_INVALID_MODEL,
                    "body subgraph %d gives %s for loop variable %d, which is %s", (int)body,
                    next ? spry_type_name(next->type) : "nothing", (int)i,
                    spry_type_name(in->type));
    char what[96];
    snprintf(what, sizeof what,
             "loop variable %d would change shape from one iteration to the next (not supported)",
             (int)i);
    SPRY_TRY(check_same_shape(ctx, what, in, next));
  }
  return SPRY_OK;
}

static SpryStatus while_prepare(SpryContext *ctx, SpryNode *node) {
  const CalleeIndices *d = node->user_data;
  SPRY_ENSURE_MSG(ctx, node->options, SPRY_ERROR_INVALID_MODEL, "has no WhileOptions");
  SPRY_ENSURE_MSG(ctx, d->first != d->second, SPRY_ERROR_INVALID_MODEL,
                  "cond and body are the same subgraph (%d)", (int)d->first);
  SPRY_TRY(check_loop_variables(ctx, node));
  const int32_t n = node->num_inputs;
  SPRY_TRY(spry_subgraph_prepare(ctx, "cond", d->first, node->inputs, n, 1));
  SPRY_TRY(check_cond_output(ctx, d->first));
  SPRY_TRY(spry_subgraph_prepare(ctx, "body", d->second, node->inputs, n, n));
  SPRY_TRY(check_body_outputs(ctx, node, d->second));
  for (int32_t i = 0; i < n; i++)
    SPRY_TRY(take_shape(ctx, spry_node_output(ctx, node, i), spry_node_input(ctx, node, i)));
  return SPRY_OK;
}

static SpryStatus while_invoke(SpryContext *ctx, SpryNode *node) {
  const CalleeIndices *d = node->user_data;
  const int32_t n = node->num_inputs;
  for (int32_t i = 0; i < n; i++)
    SPRY_TRY(copy_tensor(ctx, spry_node_output(ctx, node, i), spry_node_input(ctx, node, i)));
  for (;;) {
    bool again = false;
    SPRY_TRY(spry_subgraph_invoke(ctx, "cond", d->first, node->outputs, n));
    SPRY_TRY(read_condition(ctx, spry_subgraph_output(ctx, d->first, 0), &again));
    if (!again) return SPRY_OK;
    SPRY_TRY(spry_subgraph_loop_step(ctx));
    SPRY_TRY(spry_subgraph_invoke(ctx, "body", d->second, node->outputs, n));
    SPRY_TRY(spry_subgraph_copy_outputs(ctx, "body", d->second, node->outputs, n));
  }
}

const SpryOpRegistration spry_op_while = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 119, /* BuiltinOperator WHILE */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = OPTIONS_WHILE,
    .init = while_init,
    .prepare = while_prepare,
    .invoke = while_invoke,
};

/* ---- IF ---- */

static SpryStatus if_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return read_indices(ctx, node, user_data, IF_OPT_THEN, IF_OPT_ELSE);
}

/* Output i of both branches: the node's type, one shape, which the node's
 * output takes. */
static SpryStatus join_branch_output(SpryContext *ctx, const CalleeIndices *d, SpryNode *node,
                                     int32_t i) {
  SpryTensor *out = spry_node_output(ctx, node, i);
  const SpryTensor *then_out = spry_subgraph_output(ctx, d->first, i);
  const SpryTensor *else_out = spry_subgraph_output(ctx, d->second, i);
  SPRY_ENSURE_MSG(ctx, out && then_out && else_out, SPRY_ERROR_INVALID_MODEL, "output %d is absent",
                  (int)i);
  SPRY_ENSURE_MSG(
      ctx, then_out->type == out->type && else_out->type == out->type, SPRY_ERROR_INVALID_MODEL,
      "output %d is %s but the then branch gives %s and the else branch %s", (int)i,
      spry_type_name(out->type), spry_type_name(then_out->type), spry_type_name(else_out->type));
  char what[96];
  snprintf(what, sizeof what,
           "the then and else branches give output %d different shapes (not supported)", (int)i);
  SPRY_TRY(check_same_shape(ctx, what, then_out, else_out));
  return take_shape(ctx, out, then_out);
}

static SpryStatus if_prepare(SpryContext *ctx, SpryNode *node) {
  const CalleeIndices *d = node->user_data;
  SPRY_ENSURE_MSG(ctx, node->options, SPRY_ERROR_INVALID_MODEL, "has no IfOptions");
  SPRY_ENSURE_MSG(ctx, node->num_inputs >= 1, SPRY_ERROR_INVALID_MODEL, "has no condition input");
  const SpryTensor *cond = spry_node_input(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, cond && cond->type == SPRY_TYPE_BOOL, SPRY_ERROR_INVALID_MODEL,
                  "the condition is %s, not bool", cond ? spry_type_name(cond->type) : "absent");
  SPRY_ENSURE_MSG(ctx, spry_tensor_elements(cond) == 1, SPRY_ERROR_INVALID_MODEL,
                  "the condition has %zu elements, not 1", spry_tensor_elements(cond));
  const int32_t n_in = node->num_inputs - 1, n_out = node->num_outputs;
  SPRY_TRY(spry_subgraph_prepare(ctx, "then", d->first, node->inputs + 1, n_in, n_out));
  SPRY_TRY(spry_subgraph_prepare(ctx, "else", d->second, node->inputs + 1, n_in, n_out));
  for (int32_t i = 0; i < n_out; i++) SPRY_TRY(join_branch_output(ctx, d, node, i));
  return SPRY_OK;
}

static SpryStatus if_invoke(SpryContext *ctx, SpryNode *node) {
  const CalleeIndices *d = node->user_data;
  bool value = false;
  SPRY_TRY(read_condition(ctx, spry_node_input(ctx, node, 0), &value));
  const char *role = value ? "then" : "else";
  const int32_t branch = value ? d->first : d->second;
  SPRY_TRY(spry_subgraph_invoke(ctx, role, branch, node->inputs + 1, node->num_inputs - 1));
  return spry_subgraph_copy_outputs(ctx, role, branch, node->outputs, node->num_outputs);
}

const SpryOpRegistration spry_op_if = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 118, /* BuiltinOperator IF */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = OPTIONS_IF,
    .init = if_init,
    .prepare = if_prepare,
    .invoke = if_invoke,
};

/* ---- CALL_ONCE ---- */

static SpryStatus call_once_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return read_indices(ctx, node, user_data, CALL_ONCE_OPT_INIT, -1);
}

static SpryStatus call_once_prepare(SpryContext *ctx, SpryNode *node) {
  const CalleeIndices *d = node->user_data;
  SPRY_ENSURE_MSG(ctx, node->options, SPRY_ERROR_INVALID_MODEL, "has no CallOnceOptions");
  SPRY_ENSURE_MSG(ctx, node->num_inputs == 0 && node->num_outputs == 0, SPRY_ERROR_INVALID_MODEL,
                  "has %d inputs and %d outputs, expected none", (int)node->num_inputs,
                  (int)node->num_outputs);
  return spry_subgraph_prepare(ctx, "init", d->first, NULL, 0, 0);
}

static SpryStatus call_once_invoke(SpryContext *ctx, SpryNode *node) {
  const CalleeIndices *d = node->user_data;
  if (spry_subgraph_initialized(ctx, d->first)) return SPRY_OK;
  SPRY_TRY(spry_subgraph_invoke(ctx, "init", d->first, NULL, 0));
  spry_subgraph_set_initialized(ctx, d->first);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_call_once = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 129, /* BuiltinOperator CALL_ONCE */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = OPTIONS_CALL_ONCE,
    .init = call_once_init,
    .prepare = call_once_prepare,
    .invoke = call_once_invoke,
};
