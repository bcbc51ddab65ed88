/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad.c — PAD, PADV2 and MIRROR_PAD.
 *
 * PAD versions 1–6, PADV2 1–6 (5: bool; 6 names no type Spry lacks),
 * MIRROR_PAD 1–3. Types, TFLite's: PAD and PADV2 float32, float16, bfloat16,
 * int32, int64, bool, uint8, int8, int16; MIRROR_PAD those and float64,
 * uint32, uint16. paddings must be a constant [rank, 2] tensor of
 * non-negative int32/int64 values (int16 too for PAD and PADV2, as TFLite
 * reads them). The PAD value is 0, or the output zero point for quantized
 * (uint8/int8/int16) tensors, as in TFLite; PADV2 takes it from its scalar
 * third input (read at invoke). MIRROR_PAD paddings may not exceed
 * dim - 1 (REFLECT) or dim (SYMMETRIC), TFLite's limits.
 */
#include <stdlib.h>
#include <string.h>

#include "data_movement.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/pad.h"

/* MirrorPadOptions field ids (schema.fbs); MirrorPadMode REFLECT = 0, SYMMETRIC = 1. */
enum { MIRROR_OPT_MODE = 0 };

typedef struct PadData {
  SpryPadParams params;
  uint8_t zero_value[8]; /* PAD's fill element */
} PadData;

static SpryStatus pad_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  PadData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  return SPRY_OK;
}

static bool quantized_small(SpryType t) {
  return t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8 || t == SPRY_TYPE_INT16;
}

/* Fill element of PAD: the output zero point stored in the output type. */
static void set_zero_value(PadData *d, const SpryTensor *out) {
  memset(d->zero_value, 0, sizeof d->zero_value);
  if (!quantized_small(out->type) || out->quant.num_channels == 0) return;
  const int32_t zp = out->quant.zero_point;
  if (out->type == SPRY_TYPE_INT16) {
    const int16_t v = (int16_t)spry_clamp_i32(zp, INT16_MIN, INT16_MAX);
    memcpy(d->zero_value, &v, sizeof v);
  } else {
    const int32_t lo = out->type == SPRY_TYPE_UINT8 ? 0 : INT8_MIN;
    const int32_t hi = out->type == SPRY_TYPE_UINT8 ? UINT8_MAX : INT8_MAX;
    const int32_t v = spry_clamp_i32(zp, lo, hi);
    if (out->type == SPRY_TYPE_UINT8) d->zero_value[0] = (uint8_t)v;
    else {
      const int8_t s = (int8_t)v;
      memcpy(d->zero_value, &s, 1);
    }
  }
}

static SpryStatus pad_common(SpryContext *ctx, SpryNode *node, SpryPadMode mode) {
  PadData *d = node->user_data;
  SpryPadParams *p = &d->params;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_dm_check_same_type(ctx, in, out, &p->elem_size));
  const uint32_t pad_data_types =
      SPRY_DM_TYPES_COMMON | SPRY_DM_TYPE(SPRY_TYPE_FLOAT16) | SPRY_DM_TYPE(SPRY_TYPE_BFLOAT16) |
      SPRY_DM_TYPE(SPRY_TYPE_BOOL) |
      (mode == SPRY_PAD_CONSTANT ? 0
                                 : SPRY_DM_TYPE(SPRY_TYPE_FLOAT64) |
                                       SPRY_DM_TYPE(SPRY_TYPE_UINT32) |
                                       SPRY_DM_TYPE(SPRY_TYPE_UINT16));
  SPRY_TRY(spry_dm_check_type_in(ctx, in, pad_data_types));
  int64_t pads[2 * SPRY_MAX_RANK];
  int32_t n = 0;
  const SpryTensor *pt = spry_node_input(ctx, node, 1);
  /* PAD and PADV2 also read int16 paddings, as TFLite does; MIRROR_PAD not. */
  const uint32_t pad_types = SPRY_DM_TYPE(SPRY_TYPE_INT32) | SPRY_DM_TYPE(SPRY_TYPE_INT64) |
                             (mode == SPRY_PAD_CONSTANT ? SPRY_DM_TYPE(SPRY_TYPE_INT16) : 0);
  SPRY_TRY(spry_dm_const_ints_of(ctx, pt, "paddings", pad_types, pads, 2 * SPRY_MAX_RANK, &n));
  SPRY_ENSURE_MSG(ctx, pt->rank == 2 && pt->dims[1] == 2 && n == 2 * in->rank,
                  SPRY_ERROR_INVALID_MODEL, "paddings must have shape [%d, 2]", (int)in->rank);
  p->rank = in->rank;
  p->mode = mode;
  int32_t dims[SPRY_MAX_RANK];
  for (int32_t i = 0; i < in->rank; i++) {
    const int64_t before = pads[2 * i], after = pads[2 * i + 1];
    const int64_t limit = mode == SPRY_PAD_REFLECT ? in->dims[i] - 1 : in->dims[i];
    SPRY_ENSURE_MSG(ctx, before >= 0 && after >= 0, SPRY_ERROR_INVALID_MODEL,
                    "negative padding on axis %d", (int)i);
    SPRY_ENSURE_MSG(ctx, mode == SPRY_PAD_CONSTANT || (before <= limit && after <= limit),
                    SPRY_ERROR_INVALID_MODEL, "mirror padding of axis %d exceeds %lld", (int)i,
                    (long long)limit);
    const int64_t total = before + after + in->dims[i];
    SPRY_ENSURE_MSG(ctx, total <= INT32_MAX, SPRY_ERROR_INVALID_MODEL, "output is too large");
    dims[i] = (int32_t)total;
    p->in_dims[i] = in->dims[i];
    p->out_dims[i] = dims[i];
    p->before[i] = (int32_t)before;
  }
  set_zero_value(d, out);
  return spry_context_resize_tensor(ctx, out, in->rank, dims);
}

static SpryStatus pad_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  return pad_common(ctx, node, SPRY_PAD_CONSTANT);
}

static SpryStatus padv2_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 3, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *value = spry_node_input(ctx, node, 2);
  SPRY_ENSURE_MSG(ctx, !value || (value->type == in->type && spry_tensor_elements(value) == 1),
                  SPRY_ERROR_INVALID_MODEL, "constant_values must be one %s element",
                  spry_type_name(in->type));
  return pad_common(ctx, node, SPRY_PAD_CONSTANT);
}

static SpryStatus mirror_pad_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const int32_t mode = spry_option_i8(node->options, MIRROR_OPT_MODE, 0);
  SPRY_ENSURE_MSG(ctx, mode == 0 || mode == 1, SPRY_ERROR_INVALID_MODEL,
                  "unknown mirror pad mode %d", (int)mode);
  return pad_common(ctx, node, mode == 0 ? SPRY_PAD_REFLECT : SPRY_PAD_SYMMETRIC);
}

static SpryStatus pad_invoke(SpryContext *ctx, SpryNode *node) {
  const PadData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  const SpryTensor *value = node->num_inputs > 2 ? spry_node_input(ctx, node, 2) : NULL;
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  const size_t count = spry_tensor_elements(out);
  if (count == 0) return SPRY_OK;
  SPRY_TRY(spry_op_check_data(ctx, "input", in, spry_tensor_elements(in)));
  SPRY_TRY(spry_op_check_data(ctx, "output", out, count));
  const void *fill = d->zero_value;
  if (value) {
    SPRY_TRY(spry_op_check_data(ctx, "constant_values", value, 1));
    fill = value->data;
  }
  spry_ref_pad(&d->params, in->data, fill, out->data);
  return SPRY_OK;
}

#define PAD_OP(name_, code_, max_, options_, prepare_)                                     \
  const SpryOpRegistration spry_op_##name_ = {                                             \
      .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = (code_), .min_version = 1,       \
      .max_version = (max_), .builtin_options_type = (options_), .init = pad_init,         \
      .free = spry_dm_free, .prepare = prepare_, .invoke = pad_invoke}

/* BuiltinOperator codes and BuiltinOptions types from schema.fbs. */
PAD_OP(pad, 34, 6, 22, pad_prepare);
PAD_OP(padv2, 60, 6, 43, padv2_prepare);
PAD_OP(mirror_pad, 100, 3, 77, mirror_pad_prepare);
