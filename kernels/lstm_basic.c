/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_basic.c — the BASIC LSTM: validation, quantization, dispatch (see the header). */
#include "lstm_basic.h"

#include <math.h>
#include <string.h>

#include "kernel_util.h"
#include "quantization.h"

enum { IN_INPUT, IN_PREV_ACTIV, IN_WEIGHTS, IN_BIAS, IN_PREV_STATE, NUM_INPUTS };
enum { OUT_ACTIV, OUT_STATE, OUT_CONCAT, OUT_ACTIV_TEMP, NUM_OUTPUTS };

static const char *const kInputNames[NUM_INPUTS] = {"input", "prev_activ", "weights", "bias",
                                                    "prev_state"};
static const char *const kOutputNames[NUM_OUTPUTS] = {"activ_output", "state_output",
                                                      "concat_temp", "activ_temp"};

/* Element types of the quantized cell's inputs and outputs. */
static const SpryType kQuantInputTypes[NUM_INPUTS] = {
    SPRY_TYPE_UINT8, SPRY_TYPE_UINT8, SPRY_TYPE_UINT8, SPRY_TYPE_INT32, SPRY_TYPE_INT16};
static const SpryType kQuantOutputTypes[NUM_OUTPUTS] = {SPRY_TYPE_UINT8, SPRY_TYPE_INT16,
                                                        SPRY_TYPE_UINT8, SPRY_TYPE_INT16};

/* The cell's fixed formats: Q0.7 activations around 128 and a Q4.11 state. */
#define ACTIV_ZERO_POINT 128
#define ACTIV_SCALE_LOG2 (-7)
#define STATE_SCALE_LOG2 (-11)

static SpryStatus check_options(SpryContext *ctx, const SpryLstmBasicOptions *o) {
  SPRY_ENSURE_MSG(ctx, o->activation == SPRY_ACTIVATION_TANH, SPRY_ERROR_UNSUPPORTED,
                  "the BASIC LSTM kernel needs a TANH activation (has %d): its cell always "
                  "uses tanh",
                  o->activation);
  SPRY_ENSURE_MSG(ctx, o->cell_clip == 0.0f && o->proj_clip == 0.0f, SPRY_ERROR_UNSUPPORTED,
                  "the BASIC LSTM kernel takes no cell_clip or proj_clip (has %g, %g): its "
                  "cell never clips",
                  (double)o->cell_clip, (double)o->proj_clip);
  return SPRY_OK;
}

/* Input i has shape [rows, cols], or [rows] when cols < 0. */
static SpryStatus check_dims(SpryContext *ctx, const SpryNode *node, int32_t i, int32_t rows,
                             int32_t cols) {
  const SpryTensor *t = spry_node_input(ctx, node, i);
  const bool ok = cols < 0 ? (t->rank == 1 && t->dims[0] == rows)
                           : (t->rank == 2 && t->dims[0] == rows && t->dims[1] == cols);
  if (cols < 0)
    SPRY_ENSURE_MSG(ctx, ok, SPRY_ERROR_INVALID_MODEL, "%s must have shape [%d]",
                    kInputNames[i], (int)rows);
  SPRY_ENSURE_MSG(ctx, ok, SPRY_ERROR_INVALID_MODEL, "%s must have shape [%d, %d]",
                  kInputNames[i], (int)rows, (int)cols);
  return SPRY_OK;
}

/* TFLite's Prepare checks: 2-D input and states of one batch and depth,
 * weights [4 * depth, input depth + depth], bias [4 * depth]. */
static SpryStatus check_shapes(SpryContext *ctx, const SpryNode *node, SpryLstmBasicShape *s) {
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  const SpryTensor *prev = spry_node_input(ctx, node, IN_PREV_ACTIV);
  SPRY_ENSURE_MSG(ctx, in->rank == 2, SPRY_ERROR_INVALID_MODEL, "input must be 2-D, is %d-D",
                  (int)in->rank);
  SPRY_ENSURE_MSG(ctx, prev->rank == 2, SPRY_ERROR_INVALID_MODEL,
                  "prev_activ must be 2-D, is %d-D", (int)prev->rank);
  *s = (SpryLstmBasicShape){
      .batches = in->dims[0], .input_depth = in->dims[1], .output_depth = prev->dims[1]};
  const int32_t n = s->output_depth;
  SPRY_ENSURE_MSG(ctx, n > 0 && n <= INT32_MAX / 4 && s->input_depth <= INT32_MAX - n,
                  SPRY_ERROR_INVALID_MODEL, "prev_activ depth %d is out of range", (int)n);
  SPRY_TRY(check_dims(ctx, node, IN_PREV_ACTIV, s->batches, n));
  SPRY_TRY(check_dims(ctx, node, IN_WEIGHTS, 4 * n, s->input_depth + n));
  SPRY_TRY(check_dims(ctx, node, IN_BIAS, 4 * n, -1));
  return check_dims(ctx, node, IN_PREV_STATE, s->batches, n);
}

/* Every tensor of the float32 cell is float32; the quantized cell's follow
 * the tables above. */
static SpryStatus check_types(SpryContext *ctx, const SpryNode *node, bool *quantized) {
  const SpryType in = spry_node_input(ctx, node, IN_INPUT)->type;
  SPRY_ENSURE_MSG(ctx, in == SPRY_TYPE_FLOAT32 || in == SPRY_TYPE_UINT8, SPRY_ERROR_UNSUPPORTED,
                  "input type %s is not supported by the BASIC LSTM kernel (float32 or uint8)",
                  spry_type_name(in));
  *quantized = in == SPRY_TYPE_UINT8;
  for (int32_t i = 0; i < NUM_INPUTS + NUM_OUTPUTS; i++) {
    const bool is_in = i < NUM_INPUTS;
    const int32_t k = is_in ? i : i - NUM_INPUTS;
    const SpryTensor *t = is_in ? spry_node_input(ctx, node, k) : spry_node_output(ctx, node, k);
    const SpryType want = !*quantized ? SPRY_TYPE_FLOAT32
                          : is_in     ? kQuantInputTypes[k]
                                      : kQuantOutputTypes[k];
    SPRY_ENSURE_MSG(ctx, t->type == want, SPRY_ERROR_UNSUPPORTED,
                    "%s is %s, expected %s with a %s input", is_in ? kInputNames[k]
                                                                   : kOutputNames[k],
                    spry_type_name(t->type), spry_type_name(want), spry_type_name(in));
  }
  return SPRY_OK;
}

/* Is `scale` 2^log2 (within TFLite's CheckedLog2 tolerance)? */
static bool scale_is_pot(float scale, int log2_scale) {
  if (!spry_scale_is_valid(scale)) return false;
  const double l = log2((double)scale);
  return fabs(l - round(l)) < 1e-3 && (int)round(l) == log2_scale;
}

static SpryStatus check_activ_quant(SpryContext *ctx, const char *role, const SpryTensor *t) {
  SPRY_ENSURE_MSG(ctx, t->quant.num_channels == 1 && t->quant.zero_point == ACTIV_ZERO_POINT &&
                           scale_is_pot(t->quant.scale, ACTIV_SCALE_LOG2),
                  SPRY_ERROR_UNSUPPORTED,
                  "%s must have scale 1/128 and zero point 128 (has %g, %d): the BASIC LSTM "
                  "cell's fixed activation range",
                  role, (double)t->quant.scale, (int)t->quant.zero_point);
  return SPRY_OK;
}

static SpryStatus check_state_quant(SpryContext *ctx, const char *role, const SpryTensor *t) {
  SPRY_ENSURE_MSG(ctx, t->quant.num_channels == 1 && t->quant.zero_point == 0 &&
                           scale_is_pot(t->quant.scale, STATE_SCALE_LOG2),
                  SPRY_ERROR_UNSUPPORTED,
                  "%s must have scale 2^-11 (4 integer bits) and zero point 0 (has %g, %d)",
                  role, (double)t->quant.scale, (int)t->quant.zero_point);
  return SPRY_OK;
}

/* The quantized cell: fixed activation and state formats, per-tensor
 * weights, and the accumulator's multiplier to Q3.12, 4096 * bias scale
 * (TFLite's real_accum_multiplier). */
static SpryStatus prepare_quantized(SpryContext *ctx, const SpryNode *node, SpryLstmBasic *d) {
  SPRY_TRY(check_activ_quant(ctx, "input", spry_node_input(ctx, node, IN_INPUT)));
  SPRY_TRY(check_activ_quant(ctx, "prev_activ", spry_node_input(ctx, node, IN_PREV_ACTIV)));
  SPRY_TRY(check_activ_quant(ctx, "activ_output", spry_node_output(ctx, node, OUT_ACTIV)));
  SPRY_TRY(check_state_quant(ctx, "prev_state", spry_node_input(ctx, node, IN_PREV_STATE)));
  SPRY_TRY(check_state_quant(ctx, "state_output", spry_node_output(ctx, node, OUT_STATE)));
  const SpryTensor *w = spry_node_input(ctx, node, IN_WEIGHTS);
  SPRY_ENSURE_MSG(ctx, w->quant.num_channels == 1 && w->quant.zero_point >= 0 &&
                           w->quant.zero_point <= 255,
                  SPRY_ERROR_INVALID_MODEL,
                  "weights must be quantized per tensor with a zero point in [0, 255]");
  const SpryTensor *bias = spry_node_input(ctx, node, IN_BIAS);
  SPRY_ENSURE_MSG(ctx, bias->quant.num_channels == 1 && spry_scale_is_valid(bias->quant.scale),
                  SPRY_ERROR_INVALID_MODEL, "bias must be quantized per tensor");
  SpryLstmBasicQuant *q = &d->quant;
  /* Beyond these shifts the requantization would shift by 32 bits or more. */
  SPRY_ENSURE_MSG(ctx,
                  spry_quantize_multiplier(4096.0 * bias->quant.scale, &q->accum_multiplier,
                                           &q->accum_shift) &&
                      q->accum_shift >= -31 && q->accum_shift <= 30,
                  SPRY_ERROR_UNSUPPORTED, "bias scale %g is out of range",
                  (double)bias->quant.scale);
  q->weights_zero_point = w->quant.zero_point;
  return SPRY_OK;
}

static SpryStatus resize_outputs(SpryContext *ctx, const SpryNode *node,
                                 const SpryLstmBasicShape *s) {
  const int32_t n = s->output_depth;
  const int32_t depths[NUM_OUTPUTS] = {n, n, s->input_depth + n, 4 * n};
  for (int32_t k = 0; k < NUM_OUTPUTS; k++) {
    const int32_t dims[2] = {s->batches, depths[k]};
    SPRY_TRY(spry_context_resize_tensor(ctx, spry_node_output(ctx, node, k), 2, dims));
  }
  return SPRY_OK;
}

SpryStatus spry_lstm_basic_prepare(SpryContext *ctx, const SpryNode *node,
                                   const SpryLstmBasicOptions *options, SpryLstmBasic *basic) {
  SPRY_TRY(check_options(ctx, options));
  SPRY_TRY(spry_op_check_arity(ctx, node, NUM_INPUTS, NUM_INPUTS, NUM_OUTPUTS));
  SPRY_TRY(check_shapes(ctx, node, &basic->shape));
  SPRY_TRY(check_types(ctx, node, &basic->quantized));
  if (basic->quantized) SPRY_TRY(prepare_quantized(ctx, node, basic));
  return resize_outputs(ctx, node, &basic->shape);
}

/* TFLite copies the new activation and state into the previous ones; here
 * only variable tensors take them (see the header). */
static void carry_state(SpryContext *ctx, const SpryNode *node) {
  const int32_t pairs[2][2] = {{IN_PREV_ACTIV, OUT_ACTIV}, {IN_PREV_STATE, OUT_STATE}};
  for (int p = 0; p < 2; p++) {
    SpryTensor *prev = spry_node_input(ctx, node, pairs[p][0]);
    const SpryTensor *next = spry_node_output(ctx, node, pairs[p][1]);
    if (prev->kind == SPRY_TENSOR_PERSISTENT) memcpy(prev->data, next->data, next->bytes);
  }
}

SpryStatus spry_lstm_basic_invoke(SpryContext *ctx, const SpryNode *node,
                                  const SpryLstmBasic *basic) {
  const SpryLstmBasicTensors t = {
      .input = spry_node_input(ctx, node, IN_INPUT)->data,
      .prev_activ = spry_node_input(ctx, node, IN_PREV_ACTIV)->data,
      .weights = spry_node_input(ctx, node, IN_WEIGHTS)->data,
      .bias = spry_node_input(ctx, node, IN_BIAS)->data,
      .prev_state = spry_node_input(ctx, node, IN_PREV_STATE)->data,
      .output_state = spry_node_output(ctx, node, OUT_STATE)->data,
      .output_activ = spry_node_output(ctx, node, OUT_ACTIV)->data,
      .concat_temp = spry_node_output(ctx, node, OUT_CONCAT)->data,
      .activ_temp = spry_node_output(ctx, node, OUT_ACTIV_TEMP)->data};
  if (basic->quantized)
    spry_ref_lstm_basic_u8(&basic->shape, &basic->quant, &t);
  else
    spry_ref_lstm_basic_f32(&basic->shape, &t);
  carry_state(ctx, node);
  return SPRY_OK;
}
