/* SPDX-License-Identifier: Apache-2.0 */
/*
 * one_hot.c — ONE_HOT (version 1): expands int32/int64 indices into one-hot
 * vectors of depth elements along `axis`, holding on_value or off_value.
 *
 * Types (TFLite's one_hot.cc): float32, int32, int64, int8, uint8, bool.
 * TFLite's prepare accepts int16 but its invoke refuses it, so int16 is
 * refused here at prepare. depth must be a constant (it sets the output
 * shape); on_value and off_value may be computed and are read at invoke.
 * Quantization parameters are not used: values are copied as stored.
 */
#include <stdlib.h>

#include "data_movement.h"
#include "kernel_util.h"
#include "reference/index_ops.h"

/* OneHotOptions field ids (schema.fbs). */
enum { ONE_HOT_OPT_AXIS = 0 };

typedef struct OneHotData {
  int32_t axis_option;
  int32_t depth;
  size_t prefix, suffix;
} OneHotData;

static SpryStatus one_hot_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  OneHotData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->axis_option = spry_option_i32(node->options, ONE_HOT_OPT_AXIS, 0);
  *user_data = d;
  return SPRY_OK;
}

static SpryStatus check_value_types(SpryContext *ctx, const SpryTensor *on, const SpryTensor *off,
                                    const SpryTensor *out) {
  const SpryType t = out->type;
  SPRY_ENSURE_MSG(ctx,
                  t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64 ||
                      t == SPRY_TYPE_INT8 || t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_BOOL,
                  SPRY_ERROR_UNSUPPORTED, "output type %s is not supported", spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, on->type == t && off->type == t, SPRY_ERROR_INVALID_MODEL,
                  "on_value (%s) and off_value (%s) must have the output's type %s",
                  spry_type_name(on->type), spry_type_name(off->type), spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, spry_tensor_elements(on) == 1 && spry_tensor_elements(off) == 1,
                  SPRY_ERROR_INVALID_MODEL, "on_value and off_value must hold one element");
  return SPRY_OK;
}

static SpryStatus read_depth(SpryContext *ctx, const SpryTensor *depth, int32_t *out) {
  SPRY_ENSURE_MSG(ctx, depth->type == SPRY_TYPE_INT32, SPRY_ERROR_INVALID_MODEL,
                  "depth must be int32, is %s", spry_type_name(depth->type));
  SPRY_ENSURE_MSG(ctx, spry_tensor_elements(depth) == 1, SPRY_ERROR_INVALID_MODEL,
                  "depth must hold one element");
  int64_t value = 0;
  int32_t n = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, depth, "depth", &value, 1, &n));
  SPRY_ENSURE_MSG(ctx, value >= 0, SPRY_ERROR_INVALID_MODEL, "depth %lld is negative",
                  (long long)value);
  *out = (int32_t)value;
  return SPRY_OK;
}

static SpryStatus one_hot_prepare(SpryContext *ctx, SpryNode *node) {
  OneHotData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 4, 4, 1));
  const SpryTensor *indices = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(check_value_types(ctx, spry_node_input(ctx, node, 2), spry_node_input(ctx, node, 3),
                             out));
  SPRY_ENSURE_MSG(ctx, indices->type == SPRY_TYPE_INT32 || indices->type == SPRY_TYPE_INT64,
                  SPRY_ERROR_INVALID_MODEL, "indices must be int32 or int64, not %s",
                  spry_type_name(indices->type));
  SPRY_ENSURE_MSG(ctx, indices->rank < SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED,
                  "indices of rank %d give an output above rank %d", (int)indices->rank,
                  SPRY_MAX_RANK);
  const int32_t axis = d->axis_option == -1 ? indices->rank : d->axis_option;
  SPRY_ENSURE_MSG(ctx, axis >= 0 && axis <= indices->rank, SPRY_ERROR_INVALID_MODEL,
                  "axis %d is out of range for indices of rank %d", (int)d->axis_option,
                  (int)indices->rank);
  SPRY_TRY(read_depth(ctx, spry_node_input(ctx, node, 1), &d->depth));
  int32_t dims[SPRY_MAX_RANK];
  for (int32_t i = 0, j = 0; i <= indices->rank; i++)
    dims[i] = i == axis ? d->depth : indices->dims[j++];
  d->prefix = spry_shape_element_count(axis, indices->dims);
  d->suffix = spry_shape_element_count(indices->rank - axis, indices->dims + axis);
  return spry_context_resize_tensor(ctx, out, indices->rank + 1, dims);
}

static SpryStatus one_hot_invoke(SpryContext *ctx, SpryNode *node) {
  const OneHotData *d = node->user_data;
  const SpryTensor *indices = spry_node_input(ctx, node, 0);
  const SpryTensor *on = spry_node_input(ctx, node, 2);
  const SpryTensor *off = spry_node_input(ctx, node, 3);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, indices && on && off && out, SPRY_ERROR_BAD_STATE,
                  "tensors missing at invoke");
  const size_t count = spry_tensor_elements(out);
  if (count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "indices", indices, d->prefix * d->suffix));
  SPRY_TRY(spry_op_check_data(ctx, "on_value", on, 1));
  SPRY_TRY(spry_op_check_data(ctx, "off_value", off, 1));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  spry_ref_one_hot(indices->data, indices->type, d->prefix, d->depth, d->suffix, on->data,
                   off->data, spry_type_size(out->type), out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_one_hot = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 85, /* ONE_HOT */
    .min_version = 1, .max_version = 1, .builtin_options_type = 61, /* OneHotOptions */
    .init = one_hot_init, .free = spry_dm_free, .prepare = one_hot_prepare,
    .invoke = one_hot_invoke,
};
