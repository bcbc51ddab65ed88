/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cast.c — the CAST op: converts every element to the output's type.
 *
 * Versions (TFLite defines 1..9): each adds types (int16, uint16, uint32,
 * float16, float64, int4, bfloat16, ...); all those of reference/cast.h are
 * taken at any version. The packed sub-byte types (int4, int2, uint4,
 * constants only) cast to float32 alone, as in TFLite, whose kernel refuses
 * their other targets: they are unpacked at prepare (subbyte.h) and cast
 * from the unpacked copy. String and complex are not supported. The
 * CastOptions types are advisory in TFLite (the tensors decide) and are not
 * read.
 */
#include "reference/cast.h"

#include <stdlib.h>

#include "kernel_util.h"
#include "spry/op.h"
#include "subbyte.h"
#include "unary_op.h"

typedef struct CastOpData {
  size_t count;
  SpryTensor unpacked_input; /* a sub-byte input unpacked (subbyte.h) */
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
  if (spry_is_subbyte(in->type) && out->type == SPRY_TYPE_FLOAT32)
    SPRY_TRY(spry_subbyte_unpack_constant(ctx, "input", &d->unpacked_input, &in));
  SPRY_ENSURE_MSG(ctx, spry_cast_input_type_ok(in->type) && spry_cast_output_type_ok(out->type),
                  SPRY_ERROR_UNSUPPORTED, "cannot cast %s to %s", spry_type_name(in->type),
                  spry_type_name(out->type));
  return spry_unary_finish_prepare(ctx, in, out, &d->count);
}

static SpryStatus cast_invoke(SpryContext *ctx, SpryNode *node) {
  const CastOpData *d = node->user_data;
  const SpryTensor *in = spry_subbyte_resolve(spry_node_input(ctx, node, 0), &d->unpacked_input);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", in, d->count));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, d->count));
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
