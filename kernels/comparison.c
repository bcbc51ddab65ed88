/* SPDX-License-Identifier: Apache-2.0 */
/*
 * comparison.c — EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL
 * (bool output) and MAXIMUM, MINIMUM: elementwise binary ops that compare
 * two values, sharing binary.h's validation and broadcasting; one
 * init/prepare/invoke serves all, keyed by builtin code.
 *
 * Types and versions (TFLite's register.cc ranges):
 *   EQUAL 1..5, NOT_EQUAL 1..4   bool, float32, int16, int32, int64, uint8, int8
 *   LESS 1..3, LESS_EQUAL 1..2,
 *   GREATER 1..2, GREATER_EQUAL 1..3   float32, int16, int32, int64, uint8, int8
 *   MAXIMUM 1..4, MINIMUM 1..4   float32, uint8, int8, int16, int32, int64
 *   and every one of them float16; LESS, GREATER, MAXIMUM and MINIMUM
 *   bfloat16 too (the others refuse it in TFLite's kernels). 16-bit floats
 *   compare as their float32 values, as Eigen's half types do.
 * uint8/int8 comparisons rescale both inputs (see reference/comparison.h)
 * and need quantization scales in (0, 1), as TFLite's kernel does; int16 is
 * compared raw (NOT_EQUAL: quantized int16 only, as TFLite computes no
 * other). MAXIMUM/MINIMUM select raw values, so quantized inputs and
 * output are expected to share their parameters (TFLite does not check).
 */
#include "reference/comparison.h"

#include <stdlib.h>

#include "binary.h"
#include "kernel_util.h"
#include "quantization.h"
#include "spry/op.h"

#define T(type) (1u << SPRY_TYPE_##type)
#define ORDERED_TYPES \
  (T(FLOAT32) | T(FLOAT16) | T(INT16) | T(INT32) | T(INT64) | T(UINT8) | T(INT8))

typedef struct CompareInfo {
  int32_t code; /* BuiltinOperator */
  SpryCompareOp op;
  uint32_t types;
} CompareInfo;

static const CompareInfo compare_ops[] = {
    {71, SPRY_CMP_EQUAL, ORDERED_TYPES | T(BOOL)},
    {72, SPRY_CMP_NOT_EQUAL, ORDERED_TYPES | T(BOOL)},
    {58, SPRY_CMP_LESS, ORDERED_TYPES | T(BFLOAT16)},
    {63, SPRY_CMP_LESS_EQUAL, ORDERED_TYPES},
    {61, SPRY_CMP_GREATER, ORDERED_TYPES | T(BFLOAT16)},
    {62, SPRY_CMP_GREATER_EQUAL, ORDERED_TYPES},
    {55, SPRY_CMP_MAXIMUM, ORDERED_TYPES | T(BFLOAT16)},
    {57, SPRY_CMP_MINIMUM, ORDERED_TYPES | T(BFLOAT16)},
};

typedef struct CompareOpData {
  SpryBroadcast bc;
  SpryCompareParams params;
  uint32_t types;
} CompareOpData;

static bool is_minmax(SpryCompareOp op) {
  return op == SPRY_CMP_MAXIMUM || op == SPRY_CMP_MINIMUM;
}

static SpryStatus compare_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  const CompareInfo *info = NULL;
  for (size_t i = 0; i < sizeof compare_ops / sizeof compare_ops[0]; i++)
    if (compare_ops[i].code == node->builtin_code) info = &compare_ops[i];
  SPRY_ENSURE_MSG(ctx, info, SPRY_ERROR_BAD_STATE, "not a comparison op (code %d)",
                  (int)node->builtin_code);
  CompareOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->params.op = info->op;
  d->types = info->types;
  *user_data = d;
  return SPRY_OK;
}

static void compare_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static SpryStatus compare_prepare(SpryContext *ctx, SpryNode *node) {
  CompareOpData *d = node->user_data;
  const bool minmax = is_minmax(d->params.op);
  const SpryBinarySpec spec = {d->types, minmax ? SPRY_BINARY_SAME_TYPE : SPRY_TYPE_BOOL, false,
                               SPRY_ACTIVATION_NONE, 0};
  SpryBinaryPrep prep;
  SPRY_TRY(spry_binary_prepare_spec(ctx, node, &spec, &prep));
  d->bc = prep.bc;
  d->params.type = prep.input1->type;
  d->params.rescale = false;
  if (!minmax && (d->params.type == SPRY_TYPE_UINT8 || d->params.type == SPRY_TYPE_INT8)) {
    const SpryQuantization *q1 = &prep.input1->quant, *q2 = &prep.input2->quant;
    SPRY_ENSURE_MSG(
        ctx, spry_compare_quant_params(q1->scale, q1->zero_point, q2->scale, q2->zero_point,
                                       &d->params),
        SPRY_ERROR_UNSUPPORTED,
        "quantized comparison needs input scales in (0, 1) (got %g and %g)", (double)q1->scale,
        (double)q2->scale);
  }
  /* TFLite's NOT_EQUAL takes int16 only quantized; without quantization its
   * kernel returns without writing the output. */
  SPRY_ENSURE_MSG(ctx,
                  d->params.op != SPRY_CMP_NOT_EQUAL || d->params.type != SPRY_TYPE_INT16 ||
                      (prep.input1->quant.num_channels > 0 && prep.input2->quant.num_channels > 0),
                  SPRY_ERROR_UNSUPPORTED, "int16 inputs without quantization are not supported");
  return SPRY_OK;
}

static SpryStatus compare_invoke(SpryContext *ctx, SpryNode *node) {
  const CompareOpData *d = node->user_data;
  const SpryTensor *a, *b;
  SpryTensor *out;
  SPRY_TRY(spry_binary_tensors(ctx, node, &d->bc, &a, &b, &out));
  if (is_minmax(d->params.op))
    spry_ref_maximum_minimum(&d->params, &d->bc, a->data, b->data, out->data);
  else
    spry_ref_compare(&d->params, &d->bc, a->data, b->data, out->data);
  return SPRY_OK;
}

#define SPRY_COMPARE_REGISTRATION(name, code, max)                                          \
  const SpryOpRegistration spry_op_##name = {                                               \
      .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = (code), .min_version = 1,         \
      .max_version = (max), .init = compare_init, .free = compare_free,                     \
      .prepare = compare_prepare, .invoke = compare_invoke,                                 \
  }

SPRY_COMPARE_REGISTRATION(equal, 71, 5);
SPRY_COMPARE_REGISTRATION(not_equal, 72, 4);
SPRY_COMPARE_REGISTRATION(less, 58, 3);
SPRY_COMPARE_REGISTRATION(less_equal, 63, 2);
SPRY_COMPARE_REGISTRATION(greater, 61, 2);
SPRY_COMPARE_REGISTRATION(greater_equal, 62, 3);
SPRY_COMPARE_REGISTRATION(maximum, 55, 4);
SPRY_COMPARE_REGISTRATION(minimum, 57, 4);
