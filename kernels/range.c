/* SPDX-License-Identifier: Apache-2.0 */
/*
 * range.c — RANGE (versions 1–2): the 1-D sequence start, start + delta, ...
 * stopping before limit.
 *
 * Types (TFLite's range.cc): int32, float32 and int64 scalars (version 2
 * marks int64; ai-edge-litert's reference resolver registers version 1
 * only, with the same kernel). The length sets the output shape, so start,
 * limit and delta must be constants; computed ones are refused as
 * UNSUPPORTED. As in TFLite, delta must be nonzero and point from start
 * towards limit (start == limit is refused too). float32 values are a
 * running float sum, like TFLite's.
 */
#include <math.h>
#include <string.h>

#include "kernel_util.h"
#include "reference/index_ops.h"

/* Reads a constant scalar as int64 (integer types) or float. */
static SpryStatus read_scalar(SpryContext *ctx, const char *role, const SpryTensor *t,
                              SpryType type, int64_t *i, float *f) {
  SPRY_ENSURE_MSG(ctx, t->type == type, SPRY_ERROR_INVALID_MODEL, "%s type %s != start's %s",
                  role, spry_type_name(t->type), spry_type_name(type));
  SPRY_ENSURE_MSG(ctx, t->rank == 0, SPRY_ERROR_INVALID_MODEL, "%s must be a scalar", role);
  SPRY_ENSURE_MSG(ctx, t->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "%s is computed at run time: the output shape would depend on run-time data "
                  "(only constant start, limit and delta are supported)",
                  role);
  SPRY_TRY(spry_op_check_data(ctx, role, t, 1));
  if (type == SPRY_TYPE_FLOAT32) {
    memcpy(f, t->data, sizeof *f);
  } else if (type == SPRY_TYPE_INT32) {
    int32_t v;
    memcpy(&v, t->data, sizeof v);
    *i = v;
  } else {
    memcpy(i, t->data, sizeof *i);
  }
  return SPRY_OK;
}

static uint64_t magnitude(int64_t v) {
  return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/* TFLite's GetSize for integers: ceil(|limit - start| / |delta|), exact. */
static SpryStatus int_length(SpryContext *ctx, int64_t start, int64_t limit, int64_t delta,
                             uint64_t *length) {
  SPRY_ENSURE_MSG(ctx, (start > limit && delta < 0) || (start < limit && delta > 0),
                  SPRY_ERROR_INVALID_MODEL,
                  "delta %lld does not lead from start %lld towards limit %lld", (long long)delta,
                  (long long)start, (long long)limit);
  const uint64_t span = start < limit ? (uint64_t)limit - (uint64_t)start
                                      : (uint64_t)start - (uint64_t)limit;
  const uint64_t step = magnitude(delta);
  *length = span / step + (span % step != 0);
  return SPRY_OK;
}

/* TFLite's GetSize for floats: ceil(|(limit - start) / delta|) in float. */
static SpryStatus float_length(SpryContext *ctx, float start, float limit, float delta,
                               uint64_t *length) {
  SPRY_ENSURE_MSG(ctx, (start > limit && delta < 0) || (start < limit && delta > 0),
                  SPRY_ERROR_INVALID_MODEL, "delta %g does not lead from start %g towards limit %g",
                  (double)delta, (double)start, (double)limit);
  const float n = ceilf(fabsf((limit - start) / delta));
  SPRY_ENSURE_MSG(ctx, n >= 0.0f && n < 2147483648.0f, SPRY_ERROR_INVALID_MODEL,
                  "range of %g elements is too long", (double)n);
  *length = (uint64_t)n;
  return SPRY_OK;
}

static SpryStatus range_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, 1));
  const SpryTensor *start = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const SpryType t = start->type;
  SPRY_ENSURE_MSG(ctx, t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64 || t == SPRY_TYPE_FLOAT32,
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported (int32, int64, float32)",
                  spry_type_name(t));
  SPRY_ENSURE_MSG(ctx, out->type == t, SPRY_ERROR_INVALID_MODEL, "output type %s != input %s",
                  spry_type_name(out->type), spry_type_name(t));
  int64_t iv[3] = {0, 0, 0};
  float fv[3] = {0, 0, 0};
  static const char *const roles[3] = {"start", "limit", "delta"};
  for (int32_t i = 0; i < 3; i++)
    SPRY_TRY(read_scalar(ctx, roles[i], spry_node_input(ctx, node, i), t, &iv[i], &fv[i]));
  uint64_t length = 0;
  if (t == SPRY_TYPE_FLOAT32)
    SPRY_TRY(float_length(ctx, fv[0], fv[1], fv[2], &length));
  else
    SPRY_TRY(int_length(ctx, iv[0], iv[1], iv[2], &length));
  SPRY_ENSURE_MSG(ctx, length <= INT32_MAX, SPRY_ERROR_INVALID_MODEL,
                  "range of %llu elements is too long", (unsigned long long)length);
  const int32_t dims[1] = {(int32_t)length};
  return spry_context_resize_tensor(ctx, out, 1, dims);
}

static SpryStatus range_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *start = spry_node_input(ctx, node, 0);
  const SpryTensor *delta = spry_node_input(ctx, node, 2);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, start && delta && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t count = spry_tensor_elements(out);
  SPRY_TRY(spry_op_check_data(ctx, "start", start, 1));
  SPRY_TRY(spry_op_check_data(ctx, "delta", delta, 1));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  spry_ref_range(out->type, start->data, delta->data, count, out->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_range = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = 96, /* RANGE */
    .min_version = 1, .max_version = 2, .builtin_options_type = 73, /* RangeOptions */
    .prepare = range_prepare, .invoke = range_invoke,
};
