/* SPDX-License-Identifier: Apache-2.0 */
/* unary_op.c — prepare/invoke glue shared by the unary elementwise ops. */
#include "unary_op.h"

#include "kernel_util.h"
#include "lut.h"

SpryStatus spry_unary_begin_prepare(SpryContext *ctx, const SpryNode *node, bool same_type,
                                    const SpryTensor **in, SpryTensor **out) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, !same_type || (*in)->type == (*out)->type, SPRY_ERROR_INVALID_MODEL,
                  "input is %s but output is %s", spry_type_name((*in)->type),
                  spry_type_name((*out)->type));
  return SPRY_OK;
}

SpryStatus spry_unary_finish_prepare(SpryContext *ctx, const SpryTensor *in, SpryTensor *out,
                                     size_t *count) {
  *count = spry_tensor_elements(in);
  SPRY_ENSURE_MSG(ctx, *count != SIZE_MAX, SPRY_ERROR_INVALID_MODEL, "input is too large");
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

SpryStatus spry_unary_tensors(SpryContext *ctx, const SpryNode *node, size_t count,
                              const SpryTensor **in, SpryTensor **out) {
  *in = spry_node_input(ctx, node, 0);
  *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, *in && *out, SPRY_ERROR_BAD_STATE, "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input", *in, count));
  return spry_op_check_data(ctx, "output", *out, count);
}

void spry_unary_run(const SpryUnaryRun *run, size_t count, const void *in, void *out) {
  switch (run->path) {
    case SPRY_UNARY_F32:
      spry_ref_unary_f32(run->f32, run->f32_params, count, in, out);
      break;
    case SPRY_UNARY_HALF:
      spry_ref_unary_half(run->f32, run->f32_params, run->half_type, count, in, out);
      break;
    case SPRY_UNARY_Q:
      spry_ref_unary_q(run->q, run->q_params, run->qtype, count, in, out);
      break;
    case SPRY_UNARY_LUT:
      spry_lut8_apply(run->lut, count, in, out);
      break;
    case SPRY_UNARY_LUT16:
      spry_lut16_apply(run->lut16, count, in, out);
      break;
    case SPRY_UNARY_OTHER:
      break;
  }
}
