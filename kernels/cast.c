/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cast.c — the CAST op: converts every element to the output's type.
 *
 * Versions (TFLite defines 1..9): each adds types (int16, uint16, uint32,
 * float16, float64, int4, bfloat16, ...); all those of reference/cast.h are
 * taken at any version. int4 and smaller, string and complex are not
 * supported. The
 * CastOptions types are advisory in TFLite (the tensors decide) and are not
 * read.
 */
#include "reference/cast.h"

#include <stdlib.h>

#include "kernel_util.h"
#include "spry/op.h"
#include "unary_op.h"

typedef struct CastOpData {
  size_t count;
} CastOpData;

static SpryStatus cast_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  CastOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static void cast_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryStatus cast_prepare(SpryContext *ctx, SpryNode *node) {
  CastOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_begin_prepare(ctx, node, false, &in, &out));
  SPRY_ENSURE_MSG(ctx, spry_cast_input_type_ok(in->type) && spry_cast_output_type_ok(out->type),
                  SPRY_ERROR_UNSUPPORTED, "cannot cast %s to %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  return spry_unary_finish_prepare(ctx, in, out, &d->count);
}

static SpryStatus cast_invoke(SpryContext *ctx, SpryNode *node) {
  const CastOpData *d = node->user_data;
  const SpryTensor *in;
  SpryTensor *out;
  SPRY_TRY(spry_unary_tensors(ctx, node, d->count, &in, &out));
  spry_ref_cast(in->type, in->data, out->type, out->data, d->count);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_cast = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 53, /* BuiltinOperator CAST */
    .min_version = 1,
    .max_version = 9,
    .builtin_options_type = 37, /* CastOptions */
    .init = cast_init,
    .free = cast_free,
    .prepare = cast_prepare,
    .invoke = cast_invoke,
};
