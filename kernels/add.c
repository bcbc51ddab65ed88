/* SPDX-License-Identifier: Apache-2.0 */
/*
 * add.c — the ADD op, first member of the elementwise binary family
 * (binary.h holds the shared validation, broadcasting and activation clamp).
 *
 * Versions (TFLite defines 1..6):
 *   1  float32, uint8, int32
 *   2  int8
 *   3  int16 with general scales (AddOptions.pot_scale_int16 = false)
 *   4  int64
 *   5  int16 without quantization (plain integers)
 *   6  float16
 * int16 with pot_scale_int16 = true (the default) and power-of-two scales
 * takes TFLite's shift-and-saturate path; other int16 scales the general one.
 * Plain int16 and int64 sums wrap around in the element type before the
 * fused activation clamps them, as TFLite's reference Add computes them.
 * float16 runs at every version (TFLite's reference takes it at 1..5, its
 * builtin kernel at 6) through spry_ref_arith_half; bfloat16 is refused.
 * Fast paths (every variant but `reference`): float32 and 8-bit through
 * fast/elementwise.h's vector kernels, 8-bit through fast/add_q8.h's tables
 * where the variant has none.
 */
#include "reference/add.h"
#include "reference/arithmetic.h"

#include <stdlib.h>

#include "binary.h"
#include "fast/add_q8.h"
#include "fast/elementwise.h"
#include "kernel_util.h"
#include "quantization.h"
#include "spry/op.h"

/* AddOptions field ids (schema.fbs). */
enum { ADD_OPT_ACTIVATION = SPRY_BINARY_OPT_ACTIVATION, ADD_OPT_POT_SCALE_INT16 = 1 };

typedef enum AddKernel {
  ADD_KERNEL_F32,
  ADD_KERNEL_S32,
  ADD_KERNEL_U8,
  ADD_KERNEL_S8,
  ADD_KERNEL_S16,
  ADD_KERNEL_S16_POT,
  ADD_KERNEL_INT,  /* int64 and plain int16 */
  ADD_KERNEL_HALF, /* float16 */
} AddKernel;

typedef struct AddOpData {
  int activation;
  bool pot_scale_int16;
  AddKernel kernel;
  SpryBroadcast bc;
  SpryAddParams params;
  SpryArithParams arith;      /* ADD_KERNEL_INT and ADD_KERNEL_HALF */
  SpryAddQ8 fast;             /* 8-bit types: the table-driven path */
  const SpryEltBinary *elt;   /* float32 and 8-bit: the vector path (NULL: not used) */
} AddOpData;

#define ADD_TYPES                                                                  \
  ((1u << SPRY_TYPE_FLOAT32) | (1u << SPRY_TYPE_INT32) | (1u << SPRY_TYPE_UINT8) | \
   (1u << SPRY_TYPE_INT8) | (1u << SPRY_TYPE_INT16) | (1u << SPRY_TYPE_INT64) |        \
   (1u << SPRY_TYPE_FLOAT16))

static SpryStatus add_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  AddOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->activation = spry_option_i8(node->options, ADD_OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  /* TFLite reads false when the options table is absent, true (the schema
   * default) when it is present without the field. */
  d->pot_scale_int16 =
      node->options ? spry_option_bool(node->options, ADD_OPT_POT_SCALE_INT16, true) : false;
  *user_data = d;
  return SPRY_OK;
}

static void add_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* Quantized parameters; int16 prefers the power-of-two path when allowed. */
static SpryStatus add_prepare_quantized(SpryContext *ctx, AddOpData *d, const SpryBinaryPrep *p) {
  const SpryQuantization *q1 = &p->input1->quant, *q2 = &p->input2->quant, *qo = &p->output->quant;
  if (p->output->type == SPRY_TYPE_INT16 && d->pot_scale_int16 &&
      spry_add_pot_params(q1->scale, q2->scale, qo->scale, &d->params)) {
    d->kernel = ADD_KERNEL_S16_POT;
    return SPRY_OK;
  }
  const bool is16 = p->output->type == SPRY_TYPE_INT16;
  d->kernel =
      is16 ? ADD_KERNEL_S16 : (p->output->type == SPRY_TYPE_UINT8 ? ADD_KERNEL_U8 : ADD_KERNEL_S8);
  SPRY_ENSURE_MSG(ctx,
                  spry_add_quant_params(q1->scale, q1->zero_point, q2->scale, q2->zero_point,
                                        qo->scale, qo->zero_point, is16 ? 15 : 20, &d->params),
                  SPRY_ERROR_UNSUPPORTED,
                  "output scale %g is too small for input scales %g and %g (the rescale "
                  "multiplier must stay below 1)",
                  (double)qo->scale, (double)q1->scale, (double)q2->scale);
  if (is16) return SPRY_OK;
  /* Vector kernels where the variant has them, else the tables. */
  const SpryEltParams ep = {.q = d->params};
  const SpryEltKind kind = d->kernel == ADD_KERNEL_U8 ? SPRY_ELT_U8_ADD : SPRY_ELT_S8_ADD;
  SPRY_TRY(spry_elt_binary_prepare(ctx, spry_elt_add_kernels, kind, &ep, &d->bc, &d->elt));
  if (d->elt) return SPRY_OK;
  return spry_add_q8_prepare(ctx, &d->fast, &d->params, d->kernel == ADD_KERNEL_U8);
}

SPRY_PREPARE_CODE
static SpryStatus add_prepare(SpryContext *ctx, SpryNode *node) {
  AddOpData *d = node->user_data;
  const SpryBinarySpec spec = {ADD_TYPES, SPRY_BINARY_SAME_TYPE, true, d->activation,
                               1u << SPRY_TYPE_INT16};
  /* Fast-path state of an earlier prepare is gone with its memory. */
  d->elt = NULL;
  d->fast.active = false;
  SpryBinaryPrep prep;
  SPRY_TRY(spry_binary_prepare_spec(ctx, node, &spec, &prep));
  d->bc = prep.bc;
  d->params.f_min = prep.f_min;
  d->params.f_max = prep.f_max;
  d->params.q_min = prep.q_min;
  d->params.q_max = prep.q_max;
  switch (prep.output->type) {
    case SPRY_TYPE_FLOAT32: {
      d->kernel = ADD_KERNEL_F32;
      const SpryEltParams ep = {.f_min = prep.f_min, .f_max = prep.f_max};
      return spry_elt_binary_prepare(ctx, spry_elt_add_kernels, SPRY_ELT_F32_ADD, &ep, &d->bc,
                                     &d->elt);
    }
    case SPRY_TYPE_INT32:
      d->kernel = ADD_KERNEL_S32;
      return SPRY_OK;
    case SPRY_TYPE_FLOAT16:
      d->kernel = ADD_KERNEL_HALF;
      d->arith = (SpryArithParams){.op = SPRY_ARITH_ADD,
                                   .type = SPRY_TYPE_FLOAT16,
                                   .f_min = prep.f_min,
                                   .f_max = prep.f_max};
      return SPRY_OK;
    default:
      break;
  }
  if (prep.output->type == SPRY_TYPE_INT64 || spry_binary_is_plain(&spec, &prep)) {
    d->kernel = ADD_KERNEL_INT;
    d->arith = (SpryArithParams){.op = SPRY_ARITH_ADD,
                                 .type = prep.output->type,
                                 .i_min = prep.i64_min,
                                 .i_max = prep.i64_max};
    return SPRY_OK;
  }
  return add_prepare_quantized(ctx, d, &prep);
}

static SpryStatus add_invoke(SpryContext *ctx, SpryNode *node) {
  const AddOpData *d = node->user_data;
  const SpryTensor *a, *b;
  SpryTensor *out;
  SPRY_TRY(spry_binary_tensors(ctx, node, &d->bc, &a, &b, &out));
  const SpryAddParams *p = &d->params;
  if (d->elt) {
    spry_elt_binary_run(ctx, d->elt, a->data, b->data, out->data);
    return SPRY_OK;
  }
  switch (d->kernel) {
    case ADD_KERNEL_F32:
      spry_ref_add_f32(p, &d->bc, a->data, b->data, out->data);
      break;
    case ADD_KERNEL_S32:
      spry_ref_add_s32(p, &d->bc, a->data, b->data, out->data);
      break;
    case ADD_KERNEL_U8:
    case ADD_KERNEL_S8:
      if (d->fast.active)
        spry_add_q8_run(ctx, &d->fast, &d->bc, a->data, b->data, out->data);
      else if (d->kernel == ADD_KERNEL_U8)
        spry_ref_add_u8(p, &d->bc, a->data, b->data, out->data);
      else
        spry_ref_add_s8(p, &d->bc, a->data, b->data, out->data);
      break;
    case ADD_KERNEL_S16:
      spry_ref_add_s16(p, &d->bc, a->data, b->data, out->data);
      break;
    case ADD_KERNEL_S16_POT:
      spry_ref_add_s16_pot(p, &d->bc, a->data, b->data, out->data);
      break;
    case ADD_KERNEL_INT:
      spry_ref_arith_int(&d->arith, &d->bc, a->data, b->data, out->data);
      break;
    case ADD_KERNEL_HALF:
      spry_ref_arith_half(&d->arith, &d->bc, a->data, b->data, out->data);
      break;
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_add = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 0, /* BuiltinOperator ADD */
    .min_version = 1,
    .max_version = 6,
    .builtin_options_type = 11, /* BuiltinOptions AddOptions */
    .init = add_init,
    .free = add_free,
    .prepare = add_prepare,
    .invoke = add_invoke,
};
