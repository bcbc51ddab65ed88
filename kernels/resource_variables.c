/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resource_variables.c — VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE: the
 * state of models converted from TensorFlow variables, kept in the
 * interpreter's table of resource variables (engine/resource.h) across
 * invokes and shared by all its subgraphs.
 *
 * Version 1 of each, the only one TFLite defines.
 *
 * VAR_HANDLE (VarHandleOptions container, shared_name): outputs the handle
 * of the variable named by that pair (a RESOURCE scalar holding the
 * variable's id, given out when the node is initialised).
 *
 * ASSIGN_VARIABLE (handle, value; no output): the variable takes a copy of
 * the value: its type, shape and bytes. The variable's buffer is allocated
 * by its first assignment, and again only when a larger value comes.
 *
 * READ_VARIABLE (handle; one output): copies the variable's value into the
 * output. TFLite gives this output the variable's shape when it runs (a
 * dynamic tensor); here shapes are fixed at prepare, so the output keeps the
 * type and shape the model declares for it (converters write the variable's
 * shape there), and a variable holding another type or shape when read, or
 * no value yet, fails the invoke with a message naming the variable.
 *
 * A handle may be a RESOURCE or an INT32 tensor of one element, as TFLite
 * allows; a handle that names no variable fails the invoke.
 */
#include <stdint.h>
#include <string.h>

#include "kernel_util.h"
#include "model.h"
#include "resource.h"
#include "spry/op.h"

/* VarHandleOptions field ids (schema.fbs) and BuiltinOptions union types. */
enum { VAR_HANDLE_OPT_CONTAINER = 0, VAR_HANDLE_OPT_SHARED_NAME = 1 };
enum { OPTIONS_VAR_HANDLE = 111, OPTIONS_READ_VARIABLE = 112, OPTIONS_ASSIGN_VARIABLE = 113 };

static SpryStatus check_handle(SpryContext *ctx, const SpryTensor *handle) {
  SPRY_ENSURE_MSG(ctx, spry_resource_is_handle(handle), SPRY_ERROR_INVALID_MODEL,
                  "the variable handle must be one resource (or int32) element, not %s of "
                  "%zu bytes",
                  handle ? spry_type_name(handle->type) : "nothing", handle ? handle->bytes : 0);
  return SPRY_OK;
}

/* ---- VAR_HANDLE ---- */

static SpryStatus var_handle_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  int32_t *id = spry_context_alloc_persistent(ctx, sizeof *id);
  if (!id) return SPRY_ERROR_OUT_OF_MEMORY; /* message recorded by the allocator */
  const char *container, *shared_name;
  size_t container_length, shared_name_length;
  spry_option_string(node->options, VAR_HANDLE_OPT_CONTAINER, &container, &container_length);
  spry_option_string(node->options, VAR_HANDLE_OPT_SHARED_NAME, &shared_name, &shared_name_length);
  SPRY_TRY(spry_resource_id(ctx, container, container_length, shared_name, shared_name_length, id));
  *user_data = id;
  return SPRY_OK;
}

static SpryStatus var_handle_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 0, 0, 1));
  const SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_RESOURCE && out->bytes == sizeof(int32_t),
                  SPRY_ERROR_INVALID_MODEL,
                  "the output must be one resource element, not %s of %zu bytes",
                  spry_type_name(out->type), out->bytes);
  return SPRY_OK;
}

static SpryStatus var_handle_invoke(SpryContext *ctx, SpryNode *node) {
  const int32_t *id = node->user_data;
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, out && out->data && out->bytes == sizeof *id, SPRY_ERROR_BAD_STATE,
                  "the output has no buffer");
  memcpy(out->data, id, sizeof *id);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_var_handle = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 142, /* BuiltinOperator VAR_HANDLE */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = OPTIONS_VAR_HANDLE,
    .init = var_handle_init,
    .prepare = var_handle_prepare,
    .invoke = var_handle_invoke,
};

/* ---- READ_VARIABLE ---- */

static SpryStatus read_variable_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  SPRY_TRY(check_handle(ctx, spry_node_input(ctx, node, 0)));
  const SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, spry_type_size(out->type) != 0, SPRY_ERROR_UNSUPPORTED,
                  "variables of type %s are not supported", spry_type_name(out->type));
  return SPRY_OK;
}

static SpryStatus read_variable_invoke(SpryContext *ctx, SpryNode *node) {
  return spry_resource_read(ctx, spry_node_input(ctx, node, 0), spry_node_output(ctx, node, 0));
}

const SpryOpRegistration spry_op_read_variable = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 143, /* BuiltinOperator READ_VARIABLE */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = OPTIONS_READ_VARIABLE,
    .prepare = read_variable_prepare,
    .invoke = read_variable_invoke,
};

/* ---- ASSIGN_VARIABLE ---- */

static SpryStatus assign_variable_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 0));
  SPRY_TRY(check_handle(ctx, spry_node_input(ctx, node, 0)));
  const SpryTensor *value = spry_node_input(ctx, node, 1);
  SPRY_ENSURE_MSG(ctx, spry_type_size(value->type) != 0, SPRY_ERROR_UNSUPPORTED,
                  "variables of type %s are not supported", spry_type_name(value->type));
  return SPRY_OK;
}

static SpryStatus assign_variable_invoke(SpryContext *ctx, SpryNode *node) {
  return spry_resource_assign(ctx, spry_node_input(ctx, node, 0), spry_node_input(ctx, node, 1));
}

const SpryOpRegistration spry_op_assign_variable = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 144, /* BuiltinOperator ASSIGN_VARIABLE */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = OPTIONS_ASSIGN_VARIABLE,
    .prepare = assign_variable_prepare,
    .invoke = assign_variable_invoke,
};
