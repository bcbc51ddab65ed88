/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svdf.c — the SVDF op: validates the node, prepares the float, hybrid or
 * full-integer step and keeps the memory of past activations in the
 * variable state tensor.
 *
 * Inputs (TFLite svdf.cc): 0 input [batch, in], 1 weights_feature
 * [filters, in], 2 weights_time [filters, memory], 3 bias [units] (optional),
 * 4 state [batch, memory * filters] (variable); output [batch, units] with
 * filters = units * rank.
 *
 * Versions (TFLite 1..4): 1 float32; 2 hybrid (int8 feature and time
 * weights, float input, bias and state); 3 full integer (int8 input, feature
 * weights and output, int16 time weights and state, int32 bias; TFLite
 * requires the RELU activation there and applies none); 4 hybrid with
 * asymmetric_quantize_inputs. Integer results are bit-exact with BUILTIN_REF;
 * float32 and hybrid within 1e-5 * (1 + max |ref|).
 */
#include <stdlib.h>

#include "hybrid_util.h"
#include "kernel_util.h"
#include "quantization.h"
#include "reference/svdf.h"
#include "spry/op.h"

enum { IN_INPUT = 0, IN_FEATURE = 1, IN_TIME = 2, IN_BIAS = 3, IN_STATE = 4 };
/* SVDFOptions field ids (schema.fbs). */
enum { OPT_RANK = 0, OPT_ACTIVATION = 1, OPT_ASYMMETRIC = 2 };

typedef enum { SVDF_FLOAT, SVDF_HYBRID, SVDF_INTEGER } SvdfKind;

typedef struct SvdfOpData {
  int32_t rank;
  int activation;
  bool asymmetric;
  SvdfKind kind;
  SprySvdfParams fp;        /* float and hybrid */
  SprySvdfQuantParams qp;   /* integer */
  int32_t scratch;
  SpryHybridScratchIndex quant;
} SvdfOpData;

static SpryStatus svdf_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SvdfOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->rank = spry_option_i32(node->options, OPT_RANK, 0);
  d->activation = spry_option_i8(node->options, OPT_ACTIVATION, SPRY_ACTIVATION_NONE);
  d->asymmetric = spry_option_bool(node->options, OPT_ASYMMETRIC, false);
  *user_data = d;
  return SPRY_OK;
}

static void svdf_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* The node's tensors by role; bias may be NULL. */
typedef struct SvdfTensors {
  SpryTensor *input, *feature, *time, *bias, *state, *output;
} SvdfTensors;

static SvdfTensors svdf_tensors(SpryContext *ctx, const SpryNode *node) {
  return (SvdfTensors){spry_node_input(ctx, node, IN_INPUT), spry_node_input(ctx, node, IN_FEATURE),
                       spry_node_input(ctx, node, IN_TIME), spry_node_input(ctx, node, IN_BIAS),
                       spry_node_input(ctx, node, IN_STATE), spry_node_output(ctx, node, 0)};
}

static SpryStatus expect_type(SpryContext *ctx, const SpryTensor *t, const char *role,
                              SpryType type) {
  SPRY_ENSURE_MSG(ctx, t->type == type, SPRY_ERROR_INVALID_MODEL, "%s is %s, expected %s", role,
                  spry_type_name(t->type), spry_type_name(type));
  return SPRY_OK;
}

/* Shapes of every tensor against the input, the weights and the rank. */
static SpryStatus read_shape(SpryContext *ctx, const SvdfTensors *t, SvdfOpData *d) {
  const SpryTensor *in = t->input, *wf = t->feature, *wt = t->time, *bias = t->bias;
  const SpryTensor *state = t->state;
  SPRY_ENSURE_MSG(ctx, in->rank == 2 && wf->rank == 2 && wt->rank == 2, SPRY_ERROR_INVALID_MODEL,
                  "input, weights_feature and weights_time must be 2-D");
  SprySvdfShape *s = &d->fp.shape;
  *s = (SprySvdfShape){.n_batch = in->dims[0], .n_input = in->dims[1], .n_filters = wf->dims[0],
                       .rank = d->rank, .memory = wt->dims[1]};
  SPRY_ENSURE_MSG(ctx, d->rank > 0 && s->n_filters % d->rank == 0, SPRY_ERROR_INVALID_MODEL,
                  "rank %d must be positive and divide the %d filters", (int)d->rank,
                  (int)s->n_filters);
  s->n_units = s->n_filters / d->rank;
  SPRY_ENSURE_MSG(ctx, wf->dims[1] == s->n_input && wt->dims[0] == s->n_filters,
                  SPRY_ERROR_INVALID_MODEL, "weights do not match input size %d and %d filters",
                  (int)s->n_input, (int)s->n_filters);
  SPRY_ENSURE_MSG(ctx, !bias || (bias->rank == 1 && bias->dims[0] == s->n_units),
                  SPRY_ERROR_INVALID_MODEL, "bias must have shape [%d]", (int)s->n_units);
  const size_t cells = (size_t)s->memory * (size_t)s->n_filters;
  SPRY_ENSURE_MSG(ctx, state->rank == 2 && state->dims[0] == s->n_batch &&
                           (size_t)state->dims[1] == cells,
                  SPRY_ERROR_INVALID_MODEL, "state must have shape [%d, %zu]", (int)s->n_batch,
                  cells);
  SPRY_ENSURE_MSG(ctx, state->kind == SPRY_TENSOR_PERSISTENT, SPRY_ERROR_INVALID_MODEL,
                  "state must be a variable tensor");
  SPRY_ENSURE_MSG(ctx, s->memory > 0, SPRY_ERROR_INVALID_MODEL, "memory size must be positive");
  d->qp.shape = *s;
  return SPRY_OK;
}

static SpryStatus quantize(SpryContext *ctx, float scale, int32_t *multiplier, int *shift) {
  SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier(scale, multiplier, shift),
                  SPRY_ERROR_INVALID_MODEL, "invalid effective scale %g", (double)scale);
  return SPRY_OK;
}

static SpryStatus prepare_integer(SpryContext *ctx, const SvdfTensors *t, SvdfOpData *d) {
  const SpryTensor *in = t->input, *wf = t->feature, *wt = t->time, *bias = t->bias;
  const SpryTensor *state = t->state, *out = t->output;
  SPRY_ENSURE_MSG(ctx, d->activation == SPRY_ACTIVATION_RELU, SPRY_ERROR_UNSUPPORTED,
                  "integer SVDF supports only the RELU activation (as TFLite)");
  SPRY_TRY(expect_type(ctx, wf, "weights_feature", SPRY_TYPE_INT8));
  SPRY_TRY(expect_type(ctx, wt, "weights_time", SPRY_TYPE_INT16));
  SPRY_TRY(expect_type(ctx, state, "state", SPRY_TYPE_INT16));
  SPRY_TRY(expect_type(ctx, out, "output", SPRY_TYPE_INT8));
  if (bias) SPRY_TRY(expect_type(ctx, bias, "bias", SPRY_TYPE_INT32));
  SPRY_TRY(spry_op_check_quant(ctx, "input", in));
  SPRY_TRY(spry_op_check_quant(ctx, "weights_feature", wf));
  SPRY_TRY(spry_op_check_quant(ctx, "weights_time", wt));
  SPRY_TRY(spry_op_check_quant(ctx, "state", state));
  SPRY_TRY(spry_op_check_quant(ctx, "output", out));
  /* Float products, as TFLite forms them before QuantizeMultiplier. */
  const float scale_1 = in->quant.scale * wf->quant.scale / state->quant.scale;
  const float scale_2 = state->quant.scale * wt->quant.scale / out->quant.scale;
  SPRY_TRY(quantize(ctx, scale_1, &d->qp.feature_multiplier, &d->qp.feature_shift));
  SPRY_TRY(quantize(ctx, scale_2, &d->qp.output_multiplier, &d->qp.output_shift));
  d->qp.input_zero_point = in->quant.zero_point;
  d->qp.output_zero_point = out->quant.zero_point;
  return SPRY_OK;
}

/* Hybrid: int8 weights, the time weights dequantized once. */
static SpryStatus prepare_hybrid(SpryContext *ctx, const SvdfTensors *t, SvdfOpData *d) {
  const SpryTensor *wt = t->time;
  SPRY_TRY(spry_hybrid_weights_prepare(ctx, "weights_feature", t->feature, d->asymmetric,
                                       &d->fp.feature_hybrid));
  SpryHybridWeights time;
  SPRY_TRY(spry_hybrid_weights_prepare(ctx, "weights_time", wt, false, &time));
  const size_t n = spry_tensor_elements(wt);
  float *deq = spry_context_alloc_persistent(ctx, n * sizeof *deq + 1);
  if (!deq) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  for (size_t i = 0; i < n; i++) deq[i] = (float)time.data[i] * time.scale;
  d->fp.weights_time = deq;
  d->fp.asymmetric = d->asymmetric;
  return spry_hybrid_scratch_request(ctx, d->fp.shape.n_batch, d->fp.shape.n_input, &d->quant);
}

/* Float and hybrid share the float state, bias and output. */
static SpryStatus prepare_float(SpryContext *ctx, const SvdfTensors *t, SvdfOpData *d) {
  SPRY_TRY(expect_type(ctx, t->state, "state", SPRY_TYPE_FLOAT32));
  SPRY_TRY(expect_type(ctx, t->output, "output", SPRY_TYPE_FLOAT32));
  if (t->bias) SPRY_TRY(expect_type(ctx, t->bias, "bias", SPRY_TYPE_FLOAT32));
  SPRY_ENSURE_MSG(ctx, d->activation >= SPRY_ACTIVATION_NONE &&
                           d->activation <= SPRY_ACTIVATION_SIGN_BIT,
                  SPRY_ERROR_UNSUPPORTED, "unsupported fused activation %d", d->activation);
  d->fp.activation = d->activation;
  if (d->kind == SVDF_HYBRID) return prepare_hybrid(ctx, t, d);
  return expect_type(ctx, t->time, "weights_time", SPRY_TYPE_FLOAT32);
}

static SpryStatus svdf_prepare(SpryContext *ctx, SpryNode *node) {
  SvdfOpData *d = node->user_data;
  SPRY_ENSURE_MSG(ctx, node->num_inputs == 5 && node->num_outputs == 1,
                  SPRY_ERROR_INVALID_MODEL, "expects 5 inputs and 1 output, has %d and %d",
                  (int)node->num_inputs, (int)node->num_outputs);
  /* Only the bias is optional. */
  for (int32_t i = 0; i < 5; i++)
    SPRY_ENSURE_MSG(ctx, i == IN_BIAS || spry_node_input(ctx, node, i), SPRY_ERROR_INVALID_MODEL,
                    "input %d is required", (int)i);
  SPRY_ENSURE_MSG(ctx, spry_node_output(ctx, node, 0), SPRY_ERROR_INVALID_MODEL,
                  "output is required");
  const SvdfTensors t = svdf_tensors(ctx, node);
  SPRY_TRY(read_shape(ctx, &t, d));
  if (t.input->type == SPRY_TYPE_INT8)
    d->kind = SVDF_INTEGER;
  else if (t.input->type == SPRY_TYPE_FLOAT32)
    d->kind = t.feature->type == SPRY_TYPE_FLOAT32 ? SVDF_FLOAT : SVDF_HYBRID;
  else
    return spry_context_error(ctx, SPRY_ERROR_UNSUPPORTED, "input type %s is not supported",
                              spry_type_name(t.input->type));
  SPRY_TRY(d->kind == SVDF_INTEGER ? prepare_integer(ctx, &t, d) : prepare_float(ctx, &t, d));
  const SprySvdfShape *s = &d->fp.shape;
  const size_t rows = (size_t)s->n_batch * (size_t)s->n_filters;
  SPRY_ENSURE_MSG(ctx, rows <= SIZE_MAX / 4 - 1, SPRY_ERROR_INVALID_MODEL, "scratch overflows");
  SPRY_TRY(spry_context_request_scratch(ctx, rows * 4 + 1, &d->scratch));
  const int32_t dims[2] = {s->n_batch, s->n_units};
  return spry_context_resize_tensor(ctx, t.output, 2, dims);
}

static SpryStatus svdf_invoke(SpryContext *ctx, SpryNode *node) {
  const SvdfOpData *d = node->user_data;
  const SvdfTensors t = svdf_tensors(ctx, node);
  const SpryTensor *bias = t.bias;
  void *scratch = spry_context_scratch(ctx, d->scratch);
  if (d->kind == SVDF_INTEGER) {
    SprySvdfQuantParams qp = d->qp;
    qp.weights_feature = t.feature->data;
    qp.weights_time = t.time->data;
    qp.bias = bias ? bias->data : NULL;
    spry_ref_svdf_s8(&qp, t.input->data, t.state->data, scratch, t.output->data);
    return SPRY_OK;
  }
  SprySvdfParams fp = d->fp;
  fp.bias = bias ? bias->data : NULL;
  SpryHybridScratch quant = {0};
  if (d->kind == SVDF_FLOAT) {
    fp.weights_feature = t.feature->data;
    fp.weights_time = t.time->data;
  } else {
    quant = spry_hybrid_scratch_get(ctx, &d->quant);
  }
  spry_ref_svdf_f32(&fp, t.input->data, t.state->data, scratch, &quant, t.output->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_svdf = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 27,
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 6, /* SVDFOptions */
    .init = svdf_init,
    .free = svdf_free,
    .prepare = svdf_prepare,
    .invoke = svdf_invoke,
};
