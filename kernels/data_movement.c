/* SPDX-License-Identifier: Apache-2.0 */
/* data_movement.c — element sizes, constant shape inputs and the view-op prepare/invoke. */
#include "data_movement.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_util.h"

SpryStatus spry_dm_elem_size(SpryContext *ctx, const SpryTensor *t, size_t *elem_size) {
  const size_t size = spry_type_size(t->type);
  SPRY_ENSURE_MSG(ctx, size == 1 || size == 2 || size == 4 || size == 8, SPRY_ERROR_UNSUPPORTED,
                  "type %s is not supported", spry_type_name(t->type));
  *elem_size = size;
  return SPRY_OK;
}

SpryStatus spry_dm_check_same_type(SpryContext *ctx, const SpryTensor *in, const SpryTensor *out,
                                   size_t *elem_size) {
  SPRY_ENSURE_MSG(ctx, in->type == out->type, SPRY_ERROR_INVALID_MODEL,
                  "input is %s but output is %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  return spry_dm_elem_size(ctx, in, elem_size);
}

SpryStatus spry_dm_check_type_in(SpryContext *ctx, const SpryTensor *t, uint32_t types) {
  SPRY_ENSURE_MSG(ctx, (unsigned)t->type < 32u && (types & SPRY_DM_TYPE(t->type)),
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(t->type));
  return SPRY_OK;
}

SpryStatus spry_dm_const_ints(SpryContext *ctx, const SpryTensor *t, const char *role,
                              int64_t *dst, int32_t capacity, int32_t *count) {
  return spry_dm_const_ints_of(ctx, t, role,
                               SPRY_DM_TYPE(SPRY_TYPE_INT32) | SPRY_DM_TYPE(SPRY_TYPE_INT64), dst,
                               capacity, count);
}

/* "int32", "int16 or int32", ... for the messages. */
static const char *int_types_text(uint32_t types) {
  const bool s16 = types & SPRY_DM_TYPE(SPRY_TYPE_INT16);
  const bool s64 = types & SPRY_DM_TYPE(SPRY_TYPE_INT64);
  if (s16 && s64) return "int16, int32 or int64";
  if (s16) return "int16 or int32";
  if (s64) return "int32 or int64";
  return "int32";
}

SpryStatus spry_dm_const_ints_of(SpryContext *ctx, const SpryTensor *t, const char *role,
                                 uint32_t types, int64_t *dst, int32_t capacity, int32_t *count) {
  SPRY_ENSURE_MSG(ctx, t != NULL, SPRY_ERROR_INVALID_MODEL, "%s input is missing", role);
  types &= SPRY_DM_TYPE(SPRY_TYPE_INT16) | SPRY_DM_TYPE(SPRY_TYPE_INT32) |
           SPRY_DM_TYPE(SPRY_TYPE_INT64);
  SPRY_ENSURE_MSG(ctx, (unsigned)t->type < 32u && (types & SPRY_DM_TYPE(t->type)),
                  SPRY_ERROR_INVALID_MODEL, "%s must be %s, not %s", role, int_types_text(types),
                  spry_type_name(t->type));
  SPRY_ENSURE_MSG(ctx, t->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "%s is computed at run time: the output shape would depend on run-time data "
                  "(only constant %s is supported)",
                  role, role);
  const size_t n = spry_tensor_elements(t);
  SPRY_ENSURE_MSG(ctx, n <= (size_t)capacity, SPRY_ERROR_UNSUPPORTED,
                  "%s has %zu elements (at most %d supported)", role, n, (int)capacity);
  SPRY_TRY(spry_op_check_data(ctx, role, t, n));
  for (size_t i = 0; i < n; i++) {
    if (t->type == SPRY_TYPE_INT16) {
      int16_t v;
      memcpy(&v, (const uint8_t *)t->data + i * sizeof v, sizeof v);
      dst[i] = v;
    } else if (t->type == SPRY_TYPE_INT32) {
      int32_t v;
      memcpy(&v, (const uint8_t *)t->data + i * sizeof v, sizeof v);
      dst[i] = v;
    } else {
      memcpy(&dst[i], (const uint8_t *)t->data + i * sizeof dst[i], sizeof dst[i]);
    }
    /* Beyond 2^40 every use (an index, a size, a count) is out of range
     * anyway; the bound keeps the callers' arithmetic from overflowing. */
    if (dst[i] > SPRY_DM_INT_LIMIT) dst[i] = SPRY_DM_INT_LIMIT;
    if (dst[i] < -SPRY_DM_INT_LIMIT) dst[i] = -SPRY_DM_INT_LIMIT;
  }
  *count = (int32_t)n;
  return SPRY_OK;
}

SpryStatus spry_dm_axis(SpryContext *ctx, int64_t axis, int32_t rank, int32_t *out_axis) {
  SPRY_ENSURE_MSG(ctx, axis >= -(int64_t)rank && axis < rank, SPRY_ERROR_INVALID_MODEL,
                  "axis %lld is out of range for rank %d", (long long)axis, (int)rank);
  *out_axis = (int32_t)(axis < 0 ? axis + rank : axis);
  return SPRY_OK;
}

SpryStatus spry_dm_view_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  SpryViewOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

void spry_dm_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

SpryStatus spry_dm_view_finish(SpryContext *ctx, SpryViewOpData *d, const SpryTensor *in,
                               SpryTensor *out, int32_t rank, const int32_t *dims) {
  SPRY_ENSURE_MSG(ctx, spry_view_count(&d->view) != SIZE_MAX, SPRY_ERROR_INVALID_MODEL,
                  "output is too large");
  SPRY_ENSURE_MSG(ctx, spry_view_in_bounds(&d->view, spry_tensor_elements(in)),
                  SPRY_ERROR_INVALID_MODEL, "the requested elements lie outside the input");
  spry_view_simplify(&d->view);
  SPRY_TRY(spry_context_resize_tensor(ctx, out, rank, dims));
  SPRY_ENSURE_MSG(ctx, spry_tensor_elements(out) == spry_view_count(&d->view),
                  SPRY_ERROR_INVALID_MODEL, "output shape does not match the copied elements");
  return SPRY_OK;
}

SpryStatus spry_dm_view_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryViewOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t count = spry_view_count(&d->view);
  if (count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "input", in, spry_tensor_elements(in)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  spry_ref_strided_copy(&d->view, in->data, out->data, d->elem_size);
  return SPRY_OK;
}

SpryStatus spry_dm_copy_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t bytes = spry_tensor_elements(in) * spry_type_size(in->type);
  if (bytes == 0 || in->data == out->data) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, in->data && out->data && in->bytes >= bytes && out->bytes >= bytes,
                  SPRY_ERROR_RUNTIME, "tensor buffers are smaller than %zu bytes", bytes);
  memmove(out->data, in->data, bytes);
  return SPRY_OK;
}
