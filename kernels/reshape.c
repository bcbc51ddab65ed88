/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reshape.c — the RESHAPE op: same data, new shape.
 *
 * Version 1 only (TFLite defines no other); any element type.
 *
 * The new shape comes, as in TFLite, from the second input when it is a 1-D
 * int32 tensor (an empty one means a scalar), and otherwise from
 * ReshapeOptions.new_shape, where the legacy value [0] also means a scalar
 * and an absent field means rank 0. At most one dimension may be -1: it is
 * inferred from the element count, which must then match the input's.
 *
 * TFLite reads a computed (non-constant) shape tensor at invoke time; the
 * engine fixes shapes in prepare, so such a node uses new_shape when the
 * model stores it, else the output shape the model declares, provided it
 * holds as many elements as the input.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_util.h"
#include "spry/op.h"

/* ReshapeOptions field ids (schema.fbs). */
enum { RESHAPE_OPT_NEW_SHAPE = 0 };

typedef struct ReshapeOpData {
  int32_t option_rank; /* length of new_shape; -1 when absent */
  int32_t option_dims[SPRY_MAX_RANK];
  size_t bytes; /* bytes copied at invoke */
} ReshapeOpData;

static SpryStatus reshape_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  ReshapeOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->option_rank =
      spry_option_i32_vector(node->options, RESHAPE_OPT_NEW_SHAPE, d->option_dims, SPRY_MAX_RANK);
  *user_data = d;
  return SPRY_OK;
}

static void reshape_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* The requested shape from ReshapeOptions.new_shape. */
static SpryStatus shape_from_options(SpryContext *ctx, const ReshapeOpData *d, int32_t *rank,
                                     int32_t *dims) {
  SPRY_ENSURE_MSG(ctx, d->option_rank <= SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED,
                  "new_shape has %d dimensions (max %d)", (int)d->option_rank, SPRY_MAX_RANK);
  *rank = d->option_rank < 0 ? 0 : d->option_rank;
  if (*rank == 1 && d->option_dims[0] == 0) *rank = 0; /* legacy scalar marker */
  memcpy(dims, d->option_dims, sizeof d->option_dims);
  return SPRY_OK;
}

/* The requested shape from a constant 1-D int32 shape tensor. */
static SpryStatus shape_from_tensor(SpryContext *ctx, const SpryTensor *shape, int32_t *rank,
                                    int32_t *dims) {
  const int32_t n = shape->dims[0];
  SPRY_ENSURE_MSG(ctx, n >= 0 && n <= SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED,
                  "shape tensor has %d elements (max rank %d)", (int)n, SPRY_MAX_RANK);
  SPRY_TRY(spry_op_check_data(ctx, "shape", shape, (size_t)n));
  if (n > 0) memcpy(dims, shape->data, (size_t)n * sizeof(int32_t));
  *rank = n;
  return SPRY_OK;
}

/* Replaces a -1 dimension by what makes the element counts agree (TFLite's
 * rule: zero dimensions are skipped when inferring) and checks the counts. */
static SpryStatus resolve_shape(SpryContext *ctx, size_t in_count, const SpryTensor *in,
                                int32_t rank, int32_t *dims) {
  uint64_t in_nonzero = 1, out_nonzero = 1, out_count = 1;
  for (int32_t i = 0; i < in->rank; i++) {
    if (in->dims[i] <= 0) continue;
    SPRY_ENSURE_MSG(ctx, in_nonzero <= UINT64_MAX / (uint64_t)in->dims[i], SPRY_ERROR_INVALID_MODEL,
                    "input shape is too large");
    in_nonzero *= (uint64_t)in->dims[i];
  }
  int32_t stretch = -1;
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] == -1) {
      SPRY_ENSURE_MSG(ctx, stretch < 0, SPRY_ERROR_INVALID_MODEL,
                      "new shape has more than one -1 dimension");
      stretch = i;
      continue;
    }
    SPRY_ENSURE_MSG(ctx, dims[i] >= 0, SPRY_ERROR_INVALID_MODEL,
                    "new shape has a negative dimension %d", (int)dims[i]);
    if (dims[i] > 0) {
      SPRY_ENSURE_MSG(ctx, out_nonzero <= UINT64_MAX / (uint64_t)dims[i], SPRY_ERROR_INVALID_MODEL,
                      "new shape is too large");
      out_nonzero *= (uint64_t)dims[i];
    }
    out_count = dims[i] == 0 ? 0 : out_count * (uint64_t)dims[i];
  }
  if (stretch >= 0) {
    const uint64_t inferred = (in_count == 0 && out_count != 0) ? 0 : in_nonzero / out_nonzero;
    SPRY_ENSURE_MSG(ctx, inferred <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                    "inferred dimension is too large");
    dims[stretch] = (int32_t)inferred;
    out_count *= inferred;
  }
  SPRY_ENSURE_MSG(ctx, out_count == (uint64_t)in_count, SPRY_ERROR_INVALID_MODEL,
                  "cannot reshape %zu elements into %llu", in_count, (unsigned long long)out_count);
  return SPRY_OK;
}

SPRY_PREPARE_CODE
static SpryStatus reshape_prepare(SpryContext *ctx, SpryNode *node) {
  ReshapeOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *shape = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in->type == out->type, SPRY_ERROR_INVALID_MODEL,
                  "input is %s but output is %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  const size_t in_count = spry_tensor_elements(in);
  const size_t elem = spry_type_size(in->type);
  SPRY_ENSURE_MSG(ctx, elem != 0 && in_count <= SIZE_MAX / elem, SPRY_ERROR_UNSUPPORTED,
                  "cannot reshape a %s tensor", spry_type_name(in->type));
  int32_t rank = 0, dims[SPRY_MAX_RANK] = {0};
  const bool shape_vector = shape && shape->rank == 1 && shape->type == SPRY_TYPE_INT32;
  if (shape_vector && shape->kind == SPRY_TENSOR_CONSTANT) {
    SPRY_TRY(shape_from_tensor(ctx, shape, &rank, dims));
  } else if (!shape_vector || d->option_rank >= 0) {
    SPRY_TRY(shape_from_options(ctx, d, &rank, dims));
  } else {
    /* Computed shape tensor without new_shape: keep the declared output. */
    SPRY_ENSURE_MSG(ctx, spry_tensor_elements(out) == in_count, SPRY_ERROR_UNSUPPORTED,
                    "the shape input is computed at run time and the declared output shape "
                    "does not hold the input's %zu elements",
                    in_count);
    rank = out->rank;
    memcpy(dims, out->dims, sizeof dims);
  }
  SPRY_TRY(resolve_shape(ctx, in_count, in, rank, dims));
  d->bytes = in_count * elem;
  return spry_context_resize_tensor(ctx, out, rank, dims);
}

static SpryStatus reshape_invoke(SpryContext *ctx, SpryNode *node) {
  const ReshapeOpData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  if (d->bytes == 0 || in->data == out->data) return SPRY_OK;
  SPRY_ENSURE_MSG(ctx, in->data && out->data && in->bytes >= d->bytes && out->bytes >= d->bytes,
                  SPRY_ERROR_RUNTIME, "tensor buffers are smaller than %zu bytes", d->bytes);
  memmove(out->data, in->data, d->bytes); /* memmove: the engine may let them overlap */
  return SPRY_OK;
}

const SpryOpRegistration spry_op_reshape = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 22, /* BuiltinOperator RESHAPE */
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = 17, /* BuiltinOptions ReshapeOptions */
    .init = reshape_init,
    .free = reshape_free,
    .prepare = reshape_prepare,
    .invoke = reshape_invoke,
};
