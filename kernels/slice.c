/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slice.c — SLICE (begin/size) and STRIDED_SLICE (begin/end/strides with
 * masks), both as strided views of the input.
 *
 * SLICE versions 1–8 (7: int4, refused; 8 names no type Spry lacks),
 * STRIDED_SLICE versions 1–8; any element type of 1, 2, 4 or 8 bytes, as
 * TFLite's kernels. The begin/size/end/strides inputs must be constant:
 * SLICE's int32 or int64, STRIDED_SLICE's int32 (TFLite refuses int64). A SLICE
 * size of -1 means "to the end". STRIDED_SLICE follows TFLite's
 * BuildStridedSliceParams and strided_slice::StartForAxis/StopForAxis:
 * ellipsis and new_axis masks expand the index spec into an "effective"
 * input shape, then each axis is clamped independently; shrink_axis keeps
 * one element and drops the axis; `offset` makes end relative to begin.
 */
#include <limits.h>

#include "data_movement.h"
#include "kernel_util.h"

/* StridedSliceOptions field ids (schema.fbs). */
enum {
  SS_OPT_BEGIN_MASK = 0,
  SS_OPT_END_MASK = 1,
  SS_OPT_ELLIPSIS_MASK = 2,
  SS_OPT_NEW_AXIS_MASK = 3,
  SS_OPT_SHRINK_AXIS_MASK = 4,
  SS_OPT_OFFSET = 5,
};

static SpryStatus slice_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  int64_t begin[SPRY_MAX_RANK], size[SPRY_MAX_RANK];
  int32_t nb = 0, ns = 0;
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 1), "begin", begin, SPRY_MAX_RANK, &nb));
  SPRY_TRY(spry_dm_const_ints(ctx, spry_node_input(ctx, node, 2), "size", size, SPRY_MAX_RANK, &ns));
  SPRY_ENSURE_MSG(ctx, nb == in->rank && ns == in->rank, SPRY_ERROR_INVALID_MODEL,
                  "begin and size need %d entries (have %d and %d)", (int)in->rank, (int)nb,
                  (int)ns);
  int32_t dims[SPRY_MAX_RANK];
  d->view.rank = in->rank;
  d->view.base = 0;
  spry_row_major_strides(in->rank, in->dims, d->view.strides);
  for (int32_t i = 0; i < in->rank; i++) {
    const int64_t dim = in->dims[i];
    const int64_t len = size[i] == -1 ? dim - begin[i] : size[i];
    SPRY_ENSURE_MSG(ctx, begin[i] >= 0 && len >= 0 && begin[i] + len <= dim,
                    SPRY_ERROR_INVALID_MODEL,
                    "slice [%lld, +%lld) of axis %d is outside its %lld elements",
                    (long long)begin[i], (long long)size[i], (int)i, (long long)dim);
    dims[i] = (int32_t)len;
    d->view.dims[i] = dims[i];
    d->view.base += begin[i] * d->view.strides[i];
  }
  return spry_dm_view_finish(ctx, d, in, out, in->rank, dims);
}

/* One axis of the effective (ellipsis/new-axis expanded) index spec. */
typedef struct SliceAxis {
  int64_t begin, end, stride;
  int64_t dim;        /* size in the effective input shape */
  int64_t in_stride;  /* input elements per step (0 for a new axis) */
  bool begin_masked, end_masked, shrink;
} SliceAxis;

typedef struct SliceSpec {
  int32_t rank; /* effective rank */
  SliceAxis axis[SPRY_MAX_RANK];
} SliceSpec;

static bool bit(int32_t mask, int32_t i) { return i < 31 && ((uint32_t)mask >> i) & 1u; }

/* TFLite's BuildStridedSliceParams: expands the ellipsis (which covers the
 * input axes the spec does not name) and inserts size-1 new axes. */
static SpryStatus expand_spec(SpryContext *ctx, const SpryNode *node, const SpryTensor *in,
                              const int64_t *begin, const int64_t *end, const int64_t *strides,
                              int32_t count, SliceSpec *spec) {
  const SpryOptionsTable *o = node->options;
  const int32_t ellipsis = spry_option_i32(o, SS_OPT_ELLIPSIS_MASK, 0);
  const int32_t new_axis = spry_option_i32(o, SS_OPT_NEW_AXIS_MASK, 0);
  int32_t num_add = 0;
  for (int32_t i = 0; i < count; i++) num_add += !bit(ellipsis, i) && bit(new_axis, i);
  const int32_t eff = in->rank + num_add;
  SPRY_ENSURE_MSG(ctx, eff <= SPRY_MAX_RANK, SPRY_ERROR_UNSUPPORTED,
                  "slice has %d dimensions with new axes (max %d)", (int)eff, SPRY_MAX_RANK);
  uint32_t eff_ellipsis = 0, eff_new = 0;
  int32_t ellipsis_start = eff, expanded = 0;
  for (int32_t i = 0; i < eff;) {
    if (bit(ellipsis, i)) {
      ellipsis_start = i;
      int32_t stop = i + 1 + num_add + in->rank - count;
      if (stop > eff) stop = eff;
      if (stop < i + 1) stop = i + 1;
      expanded = stop - ellipsis_start - 1;
      for (; i < stop; i++) eff_ellipsis |= 1u << i;
      continue;
    }
    if (i - expanded >= 0 && bit(new_axis, i - expanded)) eff_new |= 1u << i;
    i++;
  }
  int64_t in_strides[SPRY_MAX_RANK];
  spry_row_major_strides(in->rank, in->dims, in_strides);
  const int32_t begin_mask = spry_option_i32(o, SS_OPT_BEGIN_MASK, 0);
  const int32_t end_mask = spry_option_i32(o, SS_OPT_END_MASK, 0);
  const int32_t shrink_mask = spry_option_i32(o, SS_OPT_SHRINK_AXIS_MASK, 0);
  int32_t added_ellipsis = 0, added_axes = 0;
  spec->rank = eff;
  for (int32_t i = 0; i < eff; i++) {
    SliceAxis *a = &spec->axis[i];
    *a = (SliceAxis){.stride = 1};
    if (eff_new & (1u << i) && !(eff_ellipsis & (1u << i))) {
      a->end = 1;
      a->dim = 1;
      added_axes++;
      continue;
    }
    const int32_t src = i - added_axes;
    SPRY_ENSURE_MSG(ctx, src >= 0 && src < in->rank, SPRY_ERROR_INVALID_MODEL,
                    "slice spec does not match the input rank %d", (int)in->rank);
    a->dim = in->dims[src];
    a->in_stride = in_strides[src];
    if (eff_ellipsis & (1u << i)) {
      added_ellipsis = i - ellipsis_start;
      a->begin_masked = a->end_masked = true;
    } else if (i >= count + expanded) {
      a->begin_masked = a->end_masked = true;
    } else {
      const int32_t orig = i - added_ellipsis;
      SPRY_ENSURE_MSG(ctx, orig >= 0 && orig < count, SPRY_ERROR_INVALID_MODEL,
                      "slice spec is inconsistent with its masks");
      a->begin = begin[orig];
      a->end = end[orig];
      a->stride = strides[orig];
      a->begin_masked = bit(begin_mask, orig);
      a->end_masked = bit(end_mask, orig);
      a->shrink = bit(shrink_mask, orig);
    }
  }
  return SPRY_OK;
}

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* StartForAxis / StopForAxis: mask overrides, negative indices, clamping. */
static void resolve_axis(const SliceAxis *a, bool offset, int64_t *start, int64_t *stop) {
  if (a->dim == 0) {
    *start = *stop = 0;
    return;
  }
  const bool fwd = a->stride > 0;
  int64_t s = a->begin_masked ? (fwd ? INT32_MIN : INT32_MAX) : a->begin;
  if (s < 0) s += a->dim;
  s = fwd ? clamp64(s, 0, a->dim) : clamp64(s, -1, a->dim - 1);
  *start = s;
  if (a->shrink) {
    *stop = s + 1;
    return;
  }
  int64_t e = a->end_masked ? (fwd ? INT32_MAX : INT32_MIN) : a->end;
  if (offset && !a->end_masked) e += a->begin;
  if (e < 0) e += a->dim;
  *stop = fwd ? clamp64(e, 0, a->dim) : clamp64(e, -1, a->dim - 1);
}

static SpryStatus strided_slice_prepare(SpryContext *ctx, SpryNode *node) {
  SpryViewOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 4, 4, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &d->elem_size));
  int64_t begin[SPRY_MAX_RANK], end[SPRY_MAX_RANK], strides[SPRY_MAX_RANK];
  int32_t nb = 0, ne = 0, ns = 0;
  /* int32 only: TFLite's strided_slice.cc refuses int64 begin/end/strides. */
  const uint32_t i32 = SPRY_DM_TYPE(SPRY_TYPE_INT32);
  SPRY_TRY(spry_dm_const_ints_of(ctx, spry_node_input(ctx, node, 1), "begin", i32, begin,
                                 SPRY_MAX_RANK, &nb));
  SPRY_TRY(spry_dm_const_ints_of(ctx, spry_node_input(ctx, node, 2), "end", i32, end,
                                 SPRY_MAX_RANK, &ne));
  SPRY_TRY(spry_dm_const_ints_of(ctx, spry_node_input(ctx, node, 3), "strides", i32, strides,
                                 SPRY_MAX_RANK, &ns));
  SPRY_ENSURE_MSG(ctx, nb == ne && nb == ns, SPRY_ERROR_INVALID_MODEL,
                  "begin, end and strides have %d, %d and %d entries", (int)nb, (int)ne, (int)ns);
  SliceSpec spec = {0};
  SPRY_TRY(expand_spec(ctx, node, in, begin, end, strides, nb, &spec));
  const bool offset = spry_option_bool(node->options, SS_OPT_OFFSET, false);
  int32_t rank = 0, dims[SPRY_MAX_RANK];
  d->view.rank = spec.rank;
  d->view.base = 0;
  for (int32_t i = 0; i < spec.rank; i++) {
    const SliceAxis *a = &spec.axis[i];
    SPRY_ENSURE_MSG(ctx, a->stride != 0, SPRY_ERROR_INVALID_MODEL, "stride of axis %d is 0", (int)i);
    SPRY_ENSURE_MSG(ctx, !a->shrink || a->dim == 0 || (a->begin >= -a->dim && a->begin < a->dim),
                    SPRY_ERROR_INVALID_MODEL, "shrunk axis %d: begin %lld is out of range",
                    (int)i, (long long)a->begin);
    int64_t start = 0, stop = 0;
    resolve_axis(a, offset, &start, &stop);
    /* ceil((stop - start) / stride), at least 0, for either sign of stride. */
    const int64_t span = stop - start;
    int64_t len = a->stride > 0 ? (span + a->stride - 1) / a->stride
                                : (-span + -a->stride - 1) / -a->stride;
    if (len < 0) len = 0;
    d->view.dims[i] = (int32_t)len;
    /* A single step never moves; a longer walk has |stride| < dim. */
    d->view.strides[i] = len > 1 ? a->in_stride * a->stride : 0;
    if (len > 0) d->view.base += start * a->in_stride;
    if (!a->shrink) dims[rank++] = (int32_t)len;
  }
  return spry_dm_view_finish(ctx, d, in, out, rank, dims);
}

const SpryOpRegistration spry_op_slice = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 65, /* BuiltinOperator SLICE */
    .min_version = 1,
    .max_version = 8,
    .builtin_options_type = 48, /* BuiltinOptions SliceOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = slice_prepare,
    .invoke = spry_dm_view_invoke,
};

const SpryOpRegistration spry_op_strided_slice = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 45, /* BuiltinOperator STRIDED_SLICE */
    .min_version = 1,
    .max_version = 8,
    .builtin_options_type = 32, /* BuiltinOptions StridedSliceOptions */
    .init = spry_dm_view_init,
    .free = spry_dm_free,
    .prepare = strided_slice_prepare,
    .invoke = spry_dm_view_invoke,
};
