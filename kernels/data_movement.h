/* SPDX-License-Identifier: Apache-2.0 */
/*
 * data_movement.h — glue shared by the shape and data-movement ops: element
 * sizes, constant shape-determining inputs, and the "view op" pattern (prepare
 * builds a SpryStridedView, invoke copies it) used by TRANSPOSE, SLICE,
 * STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO, SPACE_TO_DEPTH and
 * DEPTH_TO_SPACE.
 */
#ifndef SPRY_KERNELS_DATA_MOVEMENT_H
#define SPRY_KERNELS_DATA_MOVEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "reference/strided_copy.h"
#include "spry/op.h"

/* Node data of a view op, allocated by spry_dm_view_init. */
typedef struct SpryViewOpData {
  SpryStridedView view;
  size_t elem_size;
} SpryViewOpData;

/* Bytes per element of a type data-movement ops can move (1, 2, 4 or 8);
 * UNSUPPORTED for strings, int4 and other types without a fixed size. */
SpryStatus spry_dm_elem_size(SpryContext *ctx, const SpryTensor *t, size_t *elem_size);

/* Input and output of the same type; *elem_size receives its size. */
SpryStatus spry_dm_check_same_type(SpryContext *ctx, const SpryTensor *in, const SpryTensor *out,
                                   size_t *elem_size);

/* Bit of a type in the type masks below. */
#define SPRY_DM_TYPE(t) (UINT32_C(1) << (t))

/* The types TFLite's data-movement kernels take, most of them, and the
 * narrower sets a few keep (each op names its own in its header). */
#define SPRY_DM_TYPES_COMMON                                                           \
  (SPRY_DM_TYPE(SPRY_TYPE_FLOAT32) | SPRY_DM_TYPE(SPRY_TYPE_INT32) |                     \
   SPRY_DM_TYPE(SPRY_TYPE_INT64) | SPRY_DM_TYPE(SPRY_TYPE_UINT8) |                       \
   SPRY_DM_TYPE(SPRY_TYPE_INT8) | SPRY_DM_TYPE(SPRY_TYPE_INT16))

/* UNSUPPORTED ("type X is not supported") unless t's type is in `types`. */
SpryStatus spry_dm_check_type_in(SpryContext *ctx, const SpryTensor *t, uint32_t types);

/* Magnitude bound of the values spry_dm_const_ints returns. */
#define SPRY_DM_INT_LIMIT (INT64_C(1) << 40)

/* Reads a constant int32/int64 tensor (`role` names it in messages) of at
 * most `capacity` elements into dst and returns the count in *count. A
 * non-constant tensor is UNSUPPORTED: the output shape would depend on
 * run-time data. Values are clamped to +-SPRY_DM_INT_LIMIT. */
SpryStatus spry_dm_const_ints(SpryContext *ctx, const SpryTensor *t, const char *role,
                              int64_t *dst, int32_t capacity, int32_t *count);

/* spry_dm_const_ints for a tensor of any integer type in `types` (a mask of
 * SPRY_DM_TYPE bits among int16, int32 and int64), for operands TFLite reads
 * in other widths (PAD's int16 paddings, TOPK_V2's int16 k) or in int32
 * only. */
SpryStatus spry_dm_const_ints_of(SpryContext *ctx, const SpryTensor *t, const char *role,
                                 uint32_t types, int64_t *dst, int32_t capacity, int32_t *count);

/* Normalizes a negative axis against rank (valid: [-rank, rank)). */
SpryStatus spry_dm_axis(SpryContext *ctx, int64_t axis, int32_t rank, int32_t *out_axis);

/* init/free of every view op. */
SpryStatus spry_dm_view_init(SpryContext *ctx, const SpryNode *node, void **user_data);
void spry_dm_free(SpryContext *ctx, void *user_data);

/* Finishes a view op's prepare: checks the view stays inside the input,
 * simplifies it and sets the output shape. */
SpryStatus spry_dm_view_finish(SpryContext *ctx, SpryViewOpData *d, const SpryTensor *in,
                               SpryTensor *out, int32_t rank, const int32_t *dims);

/* invoke of every view op (input 0 -> output 0). */
SpryStatus spry_dm_view_invoke(SpryContext *ctx, SpryNode *node);

/* invoke of ops whose output holds the input's bytes unchanged (SQUEEZE,
 * EXPAND_DIMS): a memmove, since the engine may alias the two. */
SpryStatus spry_dm_copy_invoke(SpryContext *ctx, SpryNode *node);

#endif /* SPRY_KERNELS_DATA_MOVEMENT_H */
