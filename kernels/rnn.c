/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rnn.c — the RNN (one step per invoke) and UNIDIRECTIONAL_SEQUENCE_RNN ops:
 * h = activation(W x + R h + bias), with the hidden state h a variable
 * tensor kept across invokes.
 *
 * Inputs (TFLite basic_rnn.cc, unidirectional_sequence_rnn.cc): 0 input
 * ([batch, in]; sequence: [batch, time, in], or [time, batch, in] when
 * time_major), 1 weights [units, in], 2 recurrent weights [units, units],
 * 3 bias [units], 4 hidden state [batch, units] (variable). Output [batch,
 * units] (sequence: [batch, time, units] or time-major).
 *
 * Versions (TFLite 1..3 for both): 1 float32; 2 hybrid (int8 weights with a
 * per-tensor scale, float input, bias and state); 3 hybrid with
 * asymmetric_quantize_inputs. float32 is within 1e-5 * (1 + max |ref|) of
 * BUILTIN_REF; hybrid runs TFLite's float operations in the same order and
 * meets the same bound. uint8 weights (read as int8 by TFLite) are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/rnn.h"
#include "spry/op.h"

enum { IN_INPUT = 0, IN_WEIGHTS = 1, IN_RECURRENT = 2, IN_BIAS = 3, IN_HIDDEN = 4 };

typedef struct RnnOpData {
  bool sequence;
  bool time_major;
  bool asymmetric;
  int activation;
  int32_t n_batch, max_time;
  SpryRnnParams params;  /* n_batch here is the rows per step */
  bool hybrid;
  SpryHybridScratchIndex scratch;
} RnnOpData;

static SpryStatus rnn_alloc(SpryContext *ctx, void **user_data, RnnOpData **out) {
  RnnOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  *user_data = d;
  *out = d;
  return SPRY_OK;
}

/* RNNOptions: fused_activation_function (0), asymmetric_quantize_inputs (1). */
static SpryStatus rnn_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  RnnOpData *d = NULL;
  SPRY_TRY(rnn_alloc(ctx, user_data, &d));
  d->activation = spry_option_i8(node->options, 0, SPRY_ACTIVATION_NONE);
  d->asymmetric = spry_option_bool(node->options, 1, false);
  return SPRY_OK;
}

/* SequenceRNNOptions: time_major (0), fused_activation_function (1),
 * asymmetric_quantize_inputs (2). */
static SpryStatus sequence_rnn_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  RnnOpData *d = NULL;
  SPRY_TRY(rnn_alloc(ctx, user_data, &d));
  d->sequence = true;
  d->time_major = spry_option_bool(node->options, 0, false);
  d->activation = spry_option_i8(node->options, 1, SPRY_ACTIVATION_NONE);
  d->asymmetric = spry_option_bool(node->options, 2, false);
  return SPRY_OK;
}

static void rnn_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* A tensor of the given type and 1-D ([rows]) or 2-D ([rows, cols]) shape. */
static SpryStatus check_tensor(SpryContext *ctx, const SpryTensor *t, const char *role,
                               SpryType type, int32_t rows, int32_t cols) {
  const bool shape_ok = cols < 0 ? (t->rank == 1 && t->dims[0] == rows)
                                 : (t->rank == 2 && t->dims[0] == rows && t->dims[1] == cols);
  SPRY_ENSURE_MSG(ctx, shape_ok, SPRY_ERROR_INVALID_MODEL, "%s must have shape [%d%s%d]", role,
                  (int)rows, cols < 0 ? "" : ", ", cols < 0 ? 0 : (int)cols);
  SPRY_ENSURE_MSG(ctx, t->type == type, SPRY_ERROR_INVALID_MODEL, "%s is %s, expected %s", role,
                  spry_type_name(t->type), spry_type_name(type));
  return SPRY_OK;
}

/* Batch and time extents from the input shape. */
static SpryStatus read_input_shape(SpryContext *ctx, RnnOpData *d, const SpryTensor *in) {
  SPRY_ENSURE_MSG(ctx, in->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "input must be float32, is %s", spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, in->rank == (d->sequence ? 3 : 2), SPRY_ERROR_INVALID_MODEL,
                  "input must be %d-D, is %d-D", d->sequence ? 3 : 2, (int)in->rank);
  d->n_batch = d->sequence && d->time_major ? in->dims[1] : in->dims[0];
  d->max_time = !d->sequence ? 1 : d->time_major ? in->dims[0] : in->dims[1];
  d->params.n_input = in->dims[in->rank - 1];
  /* Batch-major sequences run one row at a time over the whole sequence. */
  d->params.n_batch = d->sequence && !d->time_major ? 1 : d->n_batch;
  return SPRY_OK;
}

static SpryStatus prepare_weights(SpryContext *ctx, const SpryNode *node, RnnOpData *d) {
  const SpryTensor *w = spry_node_input(ctx, node, IN_WEIGHTS);
  const SpryTensor *r = spry_node_input(ctx, node, IN_RECURRENT);
  SPRY_ENSURE_MSG(ctx, w->rank == 2, SPRY_ERROR_INVALID_MODEL, "weights must be 2-D");
  const int32_t units = w->dims[0];
  d->params.n_units = units;
  d->hybrid = w->type != SPRY_TYPE_FLOAT32;
  SPRY_TRY(check_tensor(ctx, w, "weights", w->type, units, d->params.n_input));
  SPRY_TRY(check_tensor(ctx, r, "recurrent weights", w->type, units, units));
  SPRY_TRY(check_tensor(ctx, spry_node_input(ctx, node, IN_BIAS), "bias", SPRY_TYPE_FLOAT32,
                        units, -1));
  if (!d->hybrid) return SPRY_OK;
  SPRY_TRY(spry_hybrid_weights_prepare(ctx, "weights", w, d->asymmetric, &d->params.input_hybrid));
  SPRY_TRY(spry_hybrid_weights_prepare(ctx, "recurrent weights", r, d->asymmetric,
                                       &d->params.recurrent_hybrid));
  const int32_t widest = d->params.n_input > units ? d->params.n_input : units;
  return spry_hybrid_scratch_request(ctx, d->params.n_batch, widest, &d->scratch);
}

static SpryStatus rnn_prepare(SpryContext *ctx, SpryNode *node) {
  RnnOpData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 5, 5, 1));
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  const SpryTensor *h = spry_node_input(ctx, node, IN_HIDDEN);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, d->activation >= SPRY_ACTIVATION_NONE &&
                           d->activation <= SPRY_ACTIVATION_SIGN_BIT,
                  SPRY_ERROR_UNSUPPORTED, "unsupported fused activation %d", d->activation);
  d->params.activation = d->activation;
  d->params.asymmetric = d->asymmetric;
  SPRY_TRY(read_input_shape(ctx, d, in));
  SPRY_TRY(prepare_weights(ctx, node, d));
  SPRY_ENSURE_MSG(ctx, h->kind == SPRY_TENSOR_PERSISTENT, SPRY_ERROR_INVALID_MODEL,
                  "hidden state must be a variable tensor");
  SPRY_TRY(check_tensor(ctx, h, "hidden state", SPRY_TYPE_FLOAT32, d->n_batch,
                        d->params.n_units));
  SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_INVALID_MODEL,
                  "output must be float32");
  int32_t dims[3] = {in->dims[0], in->dims[1], d->params.n_units};
  if (!d->sequence) dims[1] = d->params.n_units;
  return spry_context_resize_tensor(ctx, out, d->sequence ? 3 : 2, dims);
}

static SpryStatus rnn_invoke(SpryContext *ctx, SpryNode *node) {
  const RnnOpData *d = node->user_data;
  const float *in = spry_node_input(ctx, node, IN_INPUT)->data;
  float *hidden = spry_node_input(ctx, node, IN_HIDDEN)->data;
  float *out = spry_node_output(ctx, node, 0)->data;
  SpryRnnParams p = d->params;
  p.bias = spry_node_input(ctx, node, IN_BIAS)->data;
  if (!d->hybrid) {
    p.input_weights = spry_node_input(ctx, node, IN_WEIGHTS)->data;
    p.recurrent_weights = spry_node_input(ctx, node, IN_RECURRENT)->data;
  }
  const SpryHybridScratch scratch =
      d->hybrid ? spry_hybrid_scratch_get(ctx, &d->scratch) : (SpryHybridScratch){0};
  /* Time-major (and the single-step op): all rows per step; batch-major:
   * each row over its whole sequence, as TFLite orders the work. */
  const int32_t outer = p.n_batch == d->n_batch ? 1 : d->n_batch;
  const size_t x_rows = (size_t)p.n_batch * (size_t)p.n_input;
  const size_t y_rows = (size_t)p.n_batch * (size_t)p.n_units;
  for (int32_t b = 0; b < outer; b++)
    for (int32_t t = 0; t < d->max_time; t++) {
      const size_t step = (size_t)b * (size_t)d->max_time + (size_t)t;
      spry_ref_rnn_step_f32(&p, in + step * x_rows, hidden + (size_t)b * y_rows,
                            out + step * y_rows, &scratch);
    }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_rnn = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 24,
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 7, /* RNNOptions */
    .init = rnn_init,
    .free = rnn_free,
    .prepare = rnn_prepare,
    .invoke = rnn_invoke,
};

const SpryOpRegistration spry_op_unidirectional_sequence_rnn = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 35,
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 31, /* SequenceRNNOptions */
    .init = sequence_rnn_init,
    .free = rnn_free,
    .prepare = rnn_prepare,
    .invoke = rnn_invoke,
};
