/* SPDX-License-Identifier: Apache-2.0 */
/* binary.c — shared prepare and invoke checks of the elementwise binary ops. */
#include "binary.h"

#include "kernel_util.h"
#include "quantization.h"

/* The largest finite float16. */
#define SPRY_F16_MAX 65504.0f

static bool is_quantized_type(SpryType type) {
  return type == SPRY_TYPE_UINT8 || type == SPRY_TYPE_INT8 || type == SPRY_TYPE_INT16;
}

/* Activation bounds widened to int64: int32's extremes mean "unbounded".
 * An unsigned output wraps a negative bound into its range, as TFLite's
 * CalculateActivationRange<uint32_t> does. */
static void widen_clamp(SpryBinaryPrep *prep) {
  prep->i64_min = prep->q_min == INT32_MIN ? INT64_MIN : prep->q_min;
  prep->i64_max = prep->q_max == INT32_MAX ? INT64_MAX : prep->q_max;
  if (prep->output->type == SPRY_TYPE_UINT32) {
    prep->i64_min = prep->q_min == INT32_MIN ? 0 : (int64_t)(uint32_t)prep->q_min;
    prep->i64_max = prep->q_max == INT32_MAX ? UINT32_MAX : (int64_t)(uint32_t)prep->q_max;
  }
}

static bool plain_type(const SpryBinarySpec *spec, SpryType type) {
  return !spec->quantized || ((unsigned)type < 32u && (spec->plain & (1u << (unsigned)type)));
}

bool spry_binary_is_plain(const SpryBinarySpec *spec, const SpryBinaryPrep *prep) {
  return is_quantized_type(prep->input1->type) && plain_type(spec, prep->input1->type) &&
         prep->input1->quant.num_channels == 0 && prep->output->quant.num_channels == 0;
}

static SpryStatus activation_clamp(SpryContext *ctx, const SpryBinarySpec *spec,
                                   SpryBinaryPrep *prep) {
  const int activation = spec->activation;
  if (prep->output->type == SPRY_TYPE_BOOL) {
    /* No number to clamp: only NONE, unbounded. */
    SPRY_ENSURE_MSG(ctx, activation == SPRY_ACTIVATION_NONE, SPRY_ERROR_UNSUPPORTED,
                    "fused activation %d on a %s output", activation,
                    spry_type_name(prep->output->type));
    prep->f_min = prep->f_max = 0.0f;
    prep->q_min = INT32_MIN;
    prep->q_max = INT32_MAX;
    widen_clamp(prep);
    return SPRY_OK;
  }
  /* Unquantized integers of any width take int32's integer bounds, widened
   * below; quantized ones their quantized bounds. */
  SpryTensor as_int32 = *prep->output;
  const bool plain_small = is_quantized_type(as_int32.type) && plain_type(spec, as_int32.type) &&
                           (!spec->quantized || as_int32.quant.num_channels == 0);
  if (as_int32.type == SPRY_TYPE_INT64 || as_int32.type == SPRY_TYPE_UINT32 || plain_small)
    as_int32.type = SPRY_TYPE_INT32;
  SPRY_TRY(spry_op_activation_range(ctx, activation, &as_int32, &prep->f_min, &prep->f_max,
                                    &prep->q_min, &prep->q_max));
  if (as_int32.type == SPRY_TYPE_FLOAT16) {
    /* TFLite takes the range on Eigen::half, whose limits are finite: a sum
     * or product past 65504 saturates there instead of becoming infinite. */
    prep->f_min = prep->f_min < -SPRY_F16_MAX ? -SPRY_F16_MAX : prep->f_min;
    prep->f_max = prep->f_max > SPRY_F16_MAX ? SPRY_F16_MAX : prep->f_max;
  }
  widen_clamp(prep);
  return SPRY_OK;
}

SPRY_PREPARE_CODE
SpryStatus spry_binary_prepare_spec(SpryContext *ctx, SpryNode *node, const SpryBinarySpec *spec,
                                    SpryBinaryPrep *prep) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  prep->input1 = spry_node_input(ctx, node, 0);
  prep->input2 = spry_node_input(ctx, node, 1);
  prep->output = spry_node_output(ctx, node, 0);
  const SpryType type = prep->input1->type;
  const SpryType out_type =
      spec->output_type == SPRY_BINARY_SAME_TYPE ? type : (SpryType)spec->output_type;
  SPRY_ENSURE_MSG(ctx, prep->input2->type == type && prep->output->type == out_type,
                  SPRY_ERROR_INVALID_MODEL, "input and output types differ (%s, %s -> %s)",
                  spry_type_name(type), spry_type_name(prep->input2->type),
                  spry_type_name(prep->output->type));
  SPRY_ENSURE_MSG(ctx, (unsigned)type < 32u && (spec->allowed & (1u << (unsigned)type)),
                  SPRY_ERROR_UNSUPPORTED, "type %s is not supported", spry_type_name(type));
  const bool plain = plain_type(spec, type) && prep->input1->quant.num_channels == 0 &&
                     prep->input2->quant.num_channels == 0 &&
                     prep->output->quant.num_channels == 0;
  if (spec->quantized && is_quantized_type(type) && !plain) {
    SPRY_TRY(spry_op_check_quant(ctx, "input 1", prep->input1));
    SPRY_TRY(spry_op_check_quant(ctx, "input 2", prep->input2));
    if (is_quantized_type(out_type)) SPRY_TRY(spry_op_check_quant(ctx, "output", prep->output));
  }
  SPRY_ENSURE_MSG(ctx,
                  spry_broadcast_init(&prep->bc, prep->input1->rank, prep->input1->dims,
                                      prep->input2->rank, prep->input2->dims),
                  SPRY_ERROR_INVALID_MODEL, "input shapes (rank %d and rank %d) do not broadcast",
                  (int)prep->input1->rank, (int)prep->input2->rank);
  SPRY_TRY(spry_context_resize_tensor(ctx, prep->output, prep->bc.rank, prep->bc.dims));
  return activation_clamp(ctx, spec, prep);
}

SpryStatus spry_binary_prepare(SpryContext *ctx, SpryNode *node, uint32_t allowed, int activation,
                               SpryBinaryPrep *prep) {
  const SpryBinarySpec spec = {allowed, SPRY_BINARY_SAME_TYPE, true, activation, 0};
  return spry_binary_prepare_spec(ctx, node, &spec, prep);
}

size_t spry_binary_operand_extent(const SpryBroadcast *bc, const size_t *strides) {
  if (bc->count == 0) return 0;
  size_t last = 0;
  for (int32_t d = 0; d < bc->rank; d++) last += strides[d] * (size_t)(bc->dims[d] - 1);
  return last + 1;
}

SpryStatus spry_binary_tensors(SpryContext *ctx, const SpryNode *node, const SpryBroadcast *bc,
                               const SpryTensor **input1, const SpryTensor **input2,
                               SpryTensor **output) {
  *input1 = spry_node_input(ctx, node, 0);
  *input2 = spry_node_input(ctx, node, 1);
  *output = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, *input1 && *input2 && *output, SPRY_ERROR_BAD_STATE,
                  "tensors missing at invoke");
  SPRY_TRY(spry_op_check_data(ctx, "input 1", *input1,
                              spry_binary_operand_extent(bc, bc->stride_a)));
  SPRY_TRY(spry_op_check_data(ctx, "input 2", *input2,
                              spry_binary_operand_extent(bc, bc->stride_b)));
  return spry_op_check_data(ctx, "output", *output, bc->count);
}

void spry_binary_walk(const SpryBroadcast *bc, SpryBinaryElementFn fn, const void *params,
                      const void *a, const void *b, void *out) {
  SpryBroadcastIter it;
  spry_broadcast_iter_start(&it);
  for (size_t i = 0; i < bc->count; i++, spry_broadcast_iter_next(bc, &it))
    fn(params, a, it.a, b, it.b, out, i);
}
