/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm.c — the UNIDIRECTIONAL_SEQUENCE_LSTM and LSTM ops: validates the 24
 * (or legacy 20) inputs, derives the integer path's effective scales and
 * zero-point folded biases, and runs the reference step over the sequence.
 * LSTM (the full kernel, one step per invoke) is the time-major sequence op
 * with a single time step: input [batch, in], output [batch, out].
 *
 * Inputs (TFLite lstm_shared.h): 0 input [batch, time, in] (or [time, batch,
 * in] when time_major); 1-4 input-to-{input,forget,cell,output} weights; 5-8
 * recurrent-to-gate weights; 9-11 peephole {input,forget,output} weights;
 * 12-15 gate biases; 16-17 projection weights and bias; 18 output state and
 * 19 cell state (variable tensors, kept across invokes as in TFLite); 20-23
 * layer-norm coefficients. Optional inputs are -1: CIFG (no input gate),
 * no peephole, no projection, no layer norm.
 *
 * Three forms, chosen by the input and input-to-output weight types:
 *   float32   float weights.
 *   hybrid    float32 activations, biases and layer-norm coefficients, int8
 *             (or uint8, read as int8 as TFLite does) constant weights and
 *             peepholes quantized per tensor; inputs quantized per row at
 *             run time, symmetric or, with asymmetric_quantize_inputs,
 *             asymmetric (TFLite's lstm_eval.cc EvalHybrid; lstm_hybrid.h).
 *   integer   int8 activations with int16 cell state (the full-integer
 *             "8x8_16" path, 5 intermediates: with layer normalisation the
 *             first four give each gate's pre-normalisation scale, otherwise
 *             gates are Q3.12; the fifth is the hidden state).
 * Refused as unsupported: the LSTM op's
 * "8x8_8" form (12 intermediates), whose TFLite kernel reads past the end
 * of its scale table; int16 activations ("16x8"), which TFLite's builtin
 * kernels do not run (they take an int16 input for a float one). float32
 * and hybrid results are within 1e-5 * (1 + max |ref|) of TFLite; int8 is
 * bit-exact with BUILTIN_REF. The state carries over between invokes,
 * exactly as TFLite's does.
 *
 * UNIDIRECTIONAL_SEQUENCE_LSTM versions (TFLite register.cc: 1..4): 1
 * float32; 2 hybrid; 3 asymmetric hybrid inputs or integer; 4 adds
 * diagonal recurrent weights (diagonal_recurrent_tensors): each recurrent
 * weight is a float32 vector [n_cell] multiplied elementwise with the
 * previous output state (so n_output = n_cell), in float32 and hybrid cells
 * alike (a hybrid cell's input and projection weights stay 8-bit). Refused:
 * 8-bit diagonal weights, which TFLite reads as float32 bytes, and the
 * diagonal form with int8 activations.
 * LSTM versions (register_ref.cc: 1..4): 1 float32; 2 the BASIC kernel type
 * (LSTMOptions.kernel_type BASIC: 5 inputs, 4 outputs, float32 or the uint8
 * gemmlowp cell; lstm_basic.h); 3 hybrid; 4 asymmetric hybrid inputs or
 * integer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_isa.h"
#include "fast/gemv.h"
#include "kernel_util.h"
#include "lstm_basic.h"
#include "lstm_hybrid.h"
#include "quantization.h"
#include "reference/lstm_float.h"
#include "reference/lstm_integer.h"
#include "spry/op.h"

/* UnidirectionalSequenceLSTMOptions field ids (schema.fbs). */
enum {
  OPT_ACTIVATION = 0,
  OPT_CELL_CLIP = 1,
  OPT_PROJ_CLIP = 2,
  OPT_TIME_MAJOR = 3,
  OPT_ASYMMETRIC = 4, /* asymmetric_quantize_inputs: the same id in LSTMOptions */
  OPT_DIAGONAL_RECURRENT = 5,
};
/* LSTMOptions: the first three fields as above, then kernel_type (3). */
enum { OPT_KERNEL_TYPE = 3, KERNEL_TYPE_FULL = 0, KERNEL_TYPE_BASIC = 1 };

enum {
  IN_INPUT = 0,
  IN_INPUT_WEIGHTS = 1,     /* + gate */
  IN_RECURRENT_WEIGHTS = 5, /* + gate */
  IN_PEEPHOLE_INPUT = 9,
  IN_PEEPHOLE_FORGET = 10,
  IN_PEEPHOLE_OUTPUT = 11,
  IN_BIAS = 12,             /* + gate */
  IN_PROJ_WEIGHTS = 16,
  IN_PROJ_BIAS = 17,
  IN_OUTPUT_STATE = 18,
  IN_CELL_STATE = 19,
  IN_LAYER_NORM = 20,       /* + gate */
};

enum { GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3 };

typedef struct LstmOpData {
  int activation;
  float cell_clip, proj_clip;
  bool time_major;
  bool sequence;            /* false: the LSTM op, one step per invoke */
  int kernel_type;
  bool diagonal_recurrent;
  bool asymmetric;          /* hybrid: asymmetric run-time input quantization */
  bool integer, hybrid;
  int32_t n_batch, max_time;
  SpryLstmShape shape;      /* n_batch here is the rows per step */
  SpryLstmQuantParams qp;
  SpryLstmHybrid hybrid_cell; /* scratch filled in at invoke */
  const float *hybrid_peepholes[4];
  int32_t scratch, scratch8;
  SpryHybridScratchIndex hybrid_scratch;
  const SpryMatvecOps *matvec; /* the variant's matrix products; NULL: reference */
  SpryLstmBasic basic;      /* the BASIC kernel type's cell (lstm_basic.h) */
} LstmOpData;

static SpryStatus lstm_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  LstmOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->activation = spry_option_i8(node->options, OPT_ACTIVATION, 0);
  d->cell_clip = spry_option_f32(node->options, OPT_CELL_CLIP, 0.0f);
  d->proj_clip = spry_option_f32(node->options, OPT_PROJ_CLIP, 0.0f);
  d->time_major = spry_option_bool(node->options, OPT_TIME_MAJOR, false);
  d->asymmetric = spry_option_bool(node->options, OPT_ASYMMETRIC, false);
  d->diagonal_recurrent = spry_option_bool(node->options, OPT_DIAGONAL_RECURRENT, false);
  d->sequence = true;
  *user_data = d;
  return SPRY_OK;
}

/* The LSTM op: LSTMOptions share the first three fields; one time step. */
static SpryStatus lstm_step_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_TRY(lstm_init(ctx, node, user_data));
  LstmOpData *d = *user_data;
  d->sequence = false;
  d->time_major = true;
  d->diagonal_recurrent = false; /* LSTMOptions has no such field */
  d->kernel_type = spry_option_i8(node->options, OPT_KERNEL_TYPE, KERNEL_TYPE_FULL);
  return SPRY_OK;
}

static void lstm_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

static const SpryTensor *opt_input(SpryContext *ctx, const SpryNode *node, int32_t i) {
  return i < node->num_inputs ? spry_node_input(ctx, node, i) : NULL;
}

/* A present weight/bias tensor of the given rank-1/2 shape and type. */
static SpryStatus check_shape(SpryContext *ctx, const SpryNode *node, int32_t i, int32_t rows,
                              int32_t cols, SpryType type) {
  const SpryTensor *t = opt_input(ctx, node, i);
  SPRY_ENSURE_MSG(ctx, t, SPRY_ERROR_INVALID_MODEL, "input %d is required", (int)i);
  const bool shape_ok = cols < 0 ? (t->rank == 1 && t->dims[0] == rows)
                                 : (t->rank == 2 && t->dims[0] == rows && t->dims[1] == cols);
  SPRY_ENSURE_MSG(ctx, shape_ok, SPRY_ERROR_INVALID_MODEL,
                  "input %d ('%s') must have shape [%d%s%d]", (int)i, t->name, (int)rows,
                  cols < 0 ? "" : ", ", cols < 0 ? 0 : (int)cols);
  SPRY_ENSURE_MSG(ctx, t->type == type, SPRY_ERROR_INVALID_MODEL, "input %d is %s, expected %s",
                  (int)i, spry_type_name(t->type), spry_type_name(type));
  return SPRY_OK;
}

/* Presence rules of the optional inputs (TFLite's CheckInputTensorDimensions). */
static SpryStatus check_optional_inputs(SpryContext *ctx, const SpryNode *node, bool *cifg,
                                        bool *peephole, bool *layer_norm) {
  const bool has_ii = opt_input(ctx, node, IN_INPUT_WEIGHTS) != NULL;
  const bool has_ri = opt_input(ctx, node, IN_RECURRENT_WEIGHTS) != NULL;
  SPRY_ENSURE_MSG(ctx, has_ii == has_ri, SPRY_ERROR_INVALID_MODEL,
                  "input-gate weights must be all present or all absent (CIFG)");
  *cifg = !has_ii;
  const bool pi = opt_input(ctx, node, IN_PEEPHOLE_INPUT) != NULL;
  const bool pf = opt_input(ctx, node, IN_PEEPHOLE_FORGET) != NULL;
  const bool po = opt_input(ctx, node, IN_PEEPHOLE_OUTPUT) != NULL;
  SPRY_ENSURE_MSG(ctx, ((pi || *cifg) && pf && po) || (!pi && !pf && !po),
                  SPRY_ERROR_INVALID_MODEL, "peephole weights must be all present or all absent");
  *peephole = po;
  SPRY_ENSURE_MSG(ctx, !*cifg || opt_input(ctx, node, IN_BIAS + GATE_INPUT) == NULL,
                  SPRY_ERROR_INVALID_MODEL, "a CIFG LSTM must not have an input gate bias");
  SPRY_ENSURE_MSG(ctx,
                  opt_input(ctx, node, IN_PROJ_WEIGHTS) || !opt_input(ctx, node, IN_PROJ_BIAS),
                  SPRY_ERROR_INVALID_MODEL, "projection bias without projection weights");
  *layer_norm = opt_input(ctx, node, IN_LAYER_NORM + GATE_FORGET) != NULL;
  if (*layer_norm)
    SPRY_ENSURE_MSG(ctx, *cifg == (opt_input(ctx, node, IN_LAYER_NORM + GATE_INPUT) == NULL),
                    SPRY_ERROR_INVALID_MODEL,
                    "input layer-norm coefficients must be present exactly when not CIFG");
  return SPRY_OK;
}

/* Element types of the weight, bias, peephole and layer-norm tensors. */
typedef struct LstmTypes {
  SpryType weights, bias, peephole, layer_norm;
} LstmTypes;

static LstmTypes lstm_types(const LstmOpData *d, SpryType weight_type) {
  if (d->integer)
    return (LstmTypes){SPRY_TYPE_INT8, SPRY_TYPE_INT32, SPRY_TYPE_INT16, SPRY_TYPE_INT16};
  if (d->hybrid)
    return (LstmTypes){weight_type, SPRY_TYPE_FLOAT32, weight_type, SPRY_TYPE_FLOAT32};
  return (LstmTypes){SPRY_TYPE_FLOAT32, SPRY_TYPE_FLOAT32, SPRY_TYPE_FLOAT32, SPRY_TYPE_FLOAT32};
}

/* A diagonal recurrent weight: a float32 vector [n_cell]. */
static SpryStatus check_diagonal(SpryContext *ctx, const SpryNode *node, int32_t i,
                                 int32_t n_cell) {
  const SpryTensor *t = opt_input(ctx, node, i);
  SPRY_ENSURE_MSG(ctx, t && t->rank == 1 && t->dims[0] == n_cell && t->type == SPRY_TYPE_FLOAT32,
                  SPRY_ERROR_UNSUPPORTED,
                  "diagonal recurrent weights: input %d must be a float32 vector of %d",
                  (int)i, (int)n_cell);
  return SPRY_OK;
}

/* Shapes and types of every present weight, bias and coefficient tensor. */
static SpryStatus check_weights(SpryContext *ctx, const SpryNode *node, const SpryLstmShape *s,
                                const LstmTypes *t, bool layer_norm, bool diagonal) {
  const bool cifg = opt_input(ctx, node, IN_INPUT_WEIGHTS) == NULL;
  for (int g = cifg ? 1 : 0; g < 4; g++) {
    SPRY_TRY(check_shape(ctx, node, IN_INPUT_WEIGHTS + g, s->n_cell, s->n_input, t->weights));
    if (diagonal)
      SPRY_TRY(check_diagonal(ctx, node, IN_RECURRENT_WEIGHTS + g, s->n_cell));
    else
      SPRY_TRY(check_shape(ctx, node, IN_RECURRENT_WEIGHTS + g, s->n_cell, s->n_output,
                           t->weights));
    SPRY_TRY(check_shape(ctx, node, IN_BIAS + g, s->n_cell, -1, t->bias));
    if (layer_norm)
      SPRY_TRY(check_shape(ctx, node, IN_LAYER_NORM + g, s->n_cell, -1, t->layer_norm));
  }
  for (int32_t i = IN_PEEPHOLE_INPUT; i <= IN_PEEPHOLE_OUTPUT; i++)
    if (opt_input(ctx, node, i)) SPRY_TRY(check_shape(ctx, node, i, s->n_cell, -1, t->peephole));
  if (opt_input(ctx, node, IN_PROJ_WEIGHTS))
    SPRY_TRY(check_shape(ctx, node, IN_PROJ_WEIGHTS, s->n_output, s->n_cell, t->weights));
  if (opt_input(ctx, node, IN_PROJ_BIAS))
    SPRY_TRY(check_shape(ctx, node, IN_PROJ_BIAS, s->n_output, -1, t->bias));
  return SPRY_OK;
}

/* The variable state tensors: present, variable, of the right size and type. */
static SpryStatus check_states(SpryContext *ctx, const SpryNode *node, const LstmOpData *d) {
  const SpryTensor *h = opt_input(ctx, node, IN_OUTPUT_STATE);
  const SpryTensor *c = opt_input(ctx, node, IN_CELL_STATE);
  SPRY_ENSURE_MSG(ctx, h && c, SPRY_ERROR_INVALID_MODEL, "output and cell state are required");
  SPRY_ENSURE_MSG(ctx, h->kind == SPRY_TENSOR_PERSISTENT && c->kind == SPRY_TENSOR_PERSISTENT,
                  SPRY_ERROR_INVALID_MODEL, "output and cell state must be variable tensors");
  const size_t n_batch = (size_t)d->n_batch;
  SPRY_ENSURE_MSG(ctx,
                  spry_tensor_elements(h) == n_batch * (size_t)d->shape.n_output &&
                      spry_tensor_elements(c) == n_batch * (size_t)d->shape.n_cell,
                  SPRY_ERROR_INVALID_MODEL, "state sizes do not match batch %d, cells %d, outputs %d",
                  (int)d->n_batch, (int)d->shape.n_cell, (int)d->shape.n_output);
  const SpryType in_type = spry_node_input(ctx, node, IN_INPUT)->type;
  const SpryType cell_type = d->integer ? SPRY_TYPE_INT16 : SPRY_TYPE_FLOAT32;
  SPRY_ENSURE_MSG(ctx, h->type == in_type && c->type == cell_type, SPRY_ERROR_INVALID_MODEL,
                  "states are %s/%s, expected %s/%s", spry_type_name(h->type),
                  spry_type_name(c->type), spry_type_name(in_type), spry_type_name(cell_type));
  return SPRY_OK;
}

/* ---- Integer (8x8_16) parameters ------------------------------------------ */

static SpryStatus quantize(SpryContext *ctx, float scale, int32_t *multiplier, int *shift) {
  SPRY_ENSURE_MSG(ctx, spry_quantize_multiplier(scale, multiplier, shift),
                  SPRY_ERROR_INVALID_MODEL, "invalid effective scale %g", (double)scale);
  return SPRY_OK;
}

/* bias[r] + zero_point * sum(weights[r]): TFLite's PrecomputeZeroPointTimesWeightWithBias. */
static int32_t *fold_bias(SpryContext *ctx, const SpryTensor *w, const SpryTensor *bias,
                          int32_t zero_point) {
  const int32_t rows = w->dims[0], cols = w->dims[1];
  int32_t *out = spry_context_alloc_persistent(ctx, (size_t)rows * sizeof *out);
  if (!out) return NULL;
  const int8_t *wd = w->data;
  for (int32_t r = 0; r < rows; r++) {
    int64_t sum = 0;
    for (int32_t c = 0; c < cols; c++) sum += wd[(size_t)r * cols + c];
    int64_t b = bias ? ((const int32_t *)bias->data)[r] : 0;
    out[r] = (int32_t)(uint32_t)(uint64_t)(b + sum * zero_point);
  }
  return out;
}

static bool is_constant(const SpryTensor *t) { return !t || t->kind == SPRY_TENSOR_CONSTANT; }

static SpryStatus check_integer_tensors(SpryContext *ctx, const SpryNode *node) {
  for (int32_t i = 1; i < node->num_inputs; i++) {
    if (i == IN_OUTPUT_STATE || i == IN_CELL_STATE) continue;
    const SpryTensor *t = opt_input(ctx, node, i);
    SPRY_ENSURE_MSG(ctx, is_constant(t), SPRY_ERROR_UNSUPPORTED,
                    "integer LSTM weights must be constant (input %d is not)", (int)i);
    if (t && t->type != SPRY_TYPE_INT32)
      SPRY_ENSURE_MSG(ctx, t->quant.num_channels == 1 && spry_scale_is_valid(t->quant.scale),
                      SPRY_ERROR_INVALID_MODEL,
                      "input %d must be quantized per tensor with a valid scale", (int)i);
  }
  /* TFLite's "8x8_8" kernel (12 intermediates, LSTM op only) reads its
   * output-gate scale past the end of its 8-entry table: there is no defined
   * result to reproduce. */
  SPRY_ENSURE_MSG(ctx, node->num_intermediates != 12, SPRY_ERROR_UNSUPPORTED,
                  "the 8x8_8 integer LSTM (12 intermediate tensors) is not supported");
  SPRY_ENSURE_MSG(ctx, node->num_intermediates == 5, SPRY_ERROR_INVALID_MODEL,
                  "the integer LSTM needs 5 intermediate tensors, has %d",
                  (int)node->num_intermediates);
  const SpryTensor *hidden = spry_context_tensor(ctx, node->intermediates[4]);
  SPRY_ENSURE_MSG(ctx, hidden && hidden->quant.num_channels >= 1 &&
                           spry_scale_is_valid(hidden->quant.scale),
                  SPRY_ERROR_INVALID_MODEL, "intermediate 4 (hidden) must be quantized");
  SPRY_TRY(spry_op_check_quant(ctx, "input", spry_node_input(ctx, node, IN_INPUT)));
  SPRY_TRY(spry_op_check_quant(ctx, "output state", opt_input(ctx, node, IN_OUTPUT_STATE)));
  SPRY_TRY(spry_op_check_quant(ctx, "cell state", opt_input(ctx, node, IN_CELL_STATE)));
  return SPRY_OK;
}

/* The cell state scale must be 2^k with k in [-15, -9] (TFLite's CheckedLog2
 * and its cell_scale <= -9 check; below -15 its tanh would not be defined). */
static SpryStatus cell_scale_log2(SpryContext *ctx, float scale, int *out) {
  const double l = log2((double)scale);
  const double rounded = round(l);
  SPRY_ENSURE_MSG(ctx, fabs(l - rounded) < 1e-3 && rounded >= -15 && rounded <= -9,
                  SPRY_ERROR_UNSUPPORTED,
                  "cell state scale %g must be a power of two in [2^-15, 2^-9]", (double)scale);
  *out = (int)rounded;
  return SPRY_OK;
}

static int32_t quantized_clip(float clip, float scale, float limit) {
  if (!(clip > 0.0f)) return 0;
  const float q = clip / scale;
  return (int32_t)(q > limit ? limit : q); /* clip/scale > 0: truncation is TFLite's cast */
}

/* The scale of gate g before its activation: the gate's intermediate tensor
 * with layer normalisation, Q3.12 otherwise (TFLite's intermediate_scale). */
static SpryStatus gate_scale(SpryContext *ctx, const SpryNode *node, int g, bool layer_norm,
                             float *scale) {
  *scale = 1.0f / 4096.0f;
  if (!layer_norm) return SPRY_OK;
  const SpryTensor *t = spry_context_tensor(ctx, node->intermediates[g]);
  SPRY_ENSURE_MSG(ctx, t && t->quant.num_channels >= 1 && spry_scale_is_valid(t->quant.scale),
                  SPRY_ERROR_INVALID_MODEL,
                  "intermediate %d must be quantized for an integer layer-norm LSTM", g);
  *scale = t->quant.scale;
  return SPRY_OK;
}

/* Layer normalisation of gate g: coefficients, their scale, the gate bias
 * and TFLite's variance guard max(1, (int)(10000 * scale)). */
static SpryStatus prepare_layer_norm(SpryContext *ctx, const SpryNode *node, int g,
                                     SpryLstmQuantGate *q) {
  const SpryTensor *ln = opt_input(ctx, node, IN_LAYER_NORM + g);
  const SpryTensor *bias = opt_input(ctx, node, IN_BIAS + g);
  q->layer_norm_weights = ln->data;
  q->layer_norm_bias = bias->data;
  SPRY_TRY(quantize(ctx, ln->quant.scale, &q->layer_norm_multiplier, &q->layer_norm_shift));
  SPRY_ENSURE_MSG(ctx, q->layer_norm_shift >= -43 && q->layer_norm_shift <= 19,
                  SPRY_ERROR_UNSUPPORTED, "layer-norm coefficient scale %g is out of range",
                  (double)ln->quant.scale);
  const float guard = 10000.0f * ln->quant.scale;
  q->layer_norm_variance_guard = guard < 1.0f           ? 1
                                 : guard < 2147483520.0f ? (int32_t)guard
                                                         : INT32_MAX;
  return SPRY_OK;
}

static SpryStatus prepare_gate(SpryContext *ctx, const SpryNode *node, LstmOpData *d, int g,
                               float input_scale, float state_scale, float cell_scale,
                               bool layer_norm) {
  SpryLstmQuantGate *q = &d->qp.gates[g];
  const SpryTensor *iw = opt_input(ctx, node, IN_INPUT_WEIGHTS + g);
  const SpryTensor *rw = opt_input(ctx, node, IN_RECURRENT_WEIGHTS + g);
  float gscale;
  SPRY_TRY(gate_scale(ctx, node, g, layer_norm, &gscale));
  const float iw_scale = iw->quant.scale * input_scale / gscale;
  const float rw_scale = rw->quant.scale * state_scale / gscale;
  SPRY_TRY(quantize(ctx, iw_scale, &q->input_multiplier, &q->input_shift));
  SPRY_TRY(quantize(ctx, rw_scale, &q->recurrent_multiplier, &q->recurrent_shift));
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  const SpryTensor *h = opt_input(ctx, node, IN_OUTPUT_STATE);
  q->input_weights = iw->data;
  q->recurrent_weights = rw->data;
  /* With layer normalisation the gate bias is added after it, not here. */
  const SpryTensor *bias = layer_norm ? NULL : opt_input(ctx, node, IN_BIAS + g);
  q->input_bias = fold_bias(ctx, iw, bias, -in->quant.zero_point);
  q->recurrent_bias = fold_bias(ctx, rw, NULL, -h->quant.zero_point);
  if (!q->input_bias || !q->recurrent_bias)
    return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const int32_t peep_index[4] = {IN_PEEPHOLE_INPUT, IN_PEEPHOLE_FORGET, -1, IN_PEEPHOLE_OUTPUT};
  const SpryTensor *pw = peep_index[g] < 0 ? NULL : opt_input(ctx, node, peep_index[g]);
  q->peephole_weights = pw ? pw->data : NULL;
  if (pw)
    SPRY_TRY(quantize(ctx, (float)((double)cell_scale * pw->quant.scale) / gscale,
                      &q->peephole_multiplier, &q->peephole_shift));
  q->layer_norm_weights = NULL;
  if (layer_norm) SPRY_TRY(prepare_layer_norm(ctx, node, g, q));
  return SPRY_OK;
}

static SpryStatus prepare_integer(SpryContext *ctx, const SpryNode *node, LstmOpData *d,
                                  bool layer_norm, bool peephole) {
  SPRY_TRY(check_integer_tensors(ctx, node));
  /* TFLite sizes the peephole term by n_output; beyond n_cell it would read
   * past the weights. */
  SPRY_ENSURE_MSG(ctx, !peephole || d->shape.n_output <= d->shape.n_cell, SPRY_ERROR_UNSUPPORTED,
                  "integer peephole LSTM needs n_output <= n_cell");
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  const SpryTensor *h = opt_input(ctx, node, IN_OUTPUT_STATE);
  const SpryTensor *c = opt_input(ctx, node, IN_CELL_STATE);
  const SpryTensor *out = spry_node_output(ctx, node, 0);
  const SpryTensor *hidden = spry_context_tensor(ctx, node->intermediates[4]);
  SpryLstmQuantParams *qp = &d->qp;
  SPRY_TRY(cell_scale_log2(ctx, c->quant.scale, &qp->cell_scale_log2));
  const float cell_scale = ldexpf(1.0f, qp->cell_scale_log2);
  for (int g = opt_input(ctx, node, IN_INPUT_WEIGHTS) ? 0 : 1; g < 4; g++)
    SPRY_TRY(prepare_gate(ctx, node, d, g, in->quant.scale, h->quant.scale, cell_scale,
                          layer_norm));
  qp->cell_clip = (int16_t)quantized_clip(d->cell_clip, c->quant.scale, 32767.0f);
  qp->proj_clip = (int8_t)quantized_clip(d->proj_clip, out->quant.scale, 127.0f);
  const float hidden_scale = (float)(ldexp(1.0, -15) / hidden->quant.scale * ldexp(1.0, -15));
  SPRY_TRY(quantize(ctx, hidden_scale, &qp->hidden_multiplier, &qp->hidden_shift));
  qp->hidden_zero_point = hidden->quant.zero_point;
  qp->output_state_zero_point = h->quant.zero_point;
  const SpryTensor *pw = opt_input(ctx, node, IN_PROJ_WEIGHTS);
  qp->projection_weights = pw ? pw->data : NULL;
  if (pw) {
    SPRY_TRY(quantize(ctx, pw->quant.scale * hidden->quant.scale / h->quant.scale,
                      &qp->projection_multiplier, &qp->projection_shift));
    /* TFLite folds +hidden_zp (not -hidden_zp) into the projection bias. */
    qp->projection_bias =
        fold_bias(ctx, pw, opt_input(ctx, node, IN_PROJ_BIAS), hidden->quant.zero_point);
    if (!qp->projection_bias)
      return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  return SPRY_OK;
}

/* ---- Hybrid (8-bit weights, float activations) -------------------------------- */

static SpryStatus prepare_hybrid(SpryContext *ctx, const SpryNode *node, LstmOpData *d) {
  SpryLstmCellTensors cell = {.projection = IN_PROJ_WEIGHTS,
                              .peephole = {IN_PEEPHOLE_INPUT, IN_PEEPHOLE_FORGET, -1,
                                           IN_PEEPHOLE_OUTPUT}};
  for (int g = 0; g < 4; g++) {
    cell.input[g] = IN_INPUT_WEIGHTS + g;
    cell.aux_input[g] = -1;
    /* Diagonal recurrent weights are float32 and read directly. */
    cell.recurrent[g] = d->diagonal_recurrent ? -1 : IN_RECURRENT_WEIGHTS + g;
  }
  return spry_lstm_hybrid_prepare(ctx, node, &cell, d->asymmetric, &d->hybrid_cell,
                                  d->hybrid_peepholes);
}

/* ---- Prepare / invoke -------------------------------------------------------- */

static SpryStatus request_scratch(SpryContext *ctx, LstmOpData *d) {
  size_t count = (size_t)d->n_batch * (size_t)d->shape.n_cell;
  const size_t elem = d->integer ? sizeof(int16_t) : sizeof(float);
  SPRY_ENSURE_MSG(ctx, count <= SIZE_MAX / 4 / elem, SPRY_ERROR_INVALID_MODEL,
                  "LSTM scratch size overflows");
  SPRY_TRY(spry_context_request_scratch(ctx, count * 4 * elem + 1, &d->scratch));
  d->scratch8 = -1;
  if (d->integer) SPRY_TRY(spry_context_request_scratch(ctx, count + 1, &d->scratch8));
  if (!d->hybrid) return SPRY_OK;
  return spry_hybrid_scratch_request(ctx, d->shape.n_batch, spry_lstm_hybrid_widest(&d->shape),
                                     &d->hybrid_scratch);
}

static SpryStatus lstm_prepare(SpryContext *ctx, SpryNode *node) {
  LstmOpData *d = node->user_data;
  if (d->kernel_type == KERNEL_TYPE_BASIC) {
    const SpryLstmBasicOptions options = {d->activation, d->cell_clip, d->proj_clip};
    return spry_lstm_basic_prepare(ctx, node, &options, &d->basic);
  }
  SPRY_ENSURE_MSG(ctx, d->kernel_type == KERNEL_TYPE_FULL, SPRY_ERROR_INVALID_MODEL,
                  "unknown LSTM kernel type %d", d->kernel_type);
  SPRY_ENSURE_MSG(ctx, node->num_inputs == 24 || node->num_inputs == 20,
                  SPRY_ERROR_INVALID_MODEL, "expects 20 or 24 inputs, has %d",
                  (int)node->num_inputs);
  SPRY_ENSURE_MSG(ctx, node->num_outputs == 1, SPRY_ERROR_INVALID_MODEL, "expects 1 output");
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  const SpryTensor *w_out = opt_input(ctx, node, IN_INPUT_WEIGHTS + GATE_OUTPUT);
  const SpryTensor *r_out = opt_input(ctx, node, IN_RECURRENT_WEIGHTS + GATE_OUTPUT);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, in && w_out && r_out && out, SPRY_ERROR_INVALID_MODEL,
                  "input, output-gate weights and output are required");
  const int32_t in_rank = d->sequence ? 3 : 2;
  SPRY_ENSURE_MSG(ctx, in->rank == in_rank, SPRY_ERROR_INVALID_MODEL,
                  "input must be %d-D, is %d-D", (int)in_rank, (int)in->rank);
  SPRY_ENSURE_MSG(ctx, w_out->rank == 2 && r_out->rank == (d->diagonal_recurrent ? 1 : 2),
                  SPRY_ERROR_INVALID_MODEL,
                  d->diagonal_recurrent
                      ? "input weights must be 2-D and diagonal recurrent weights 1-D"
                      : "weights must be 2-D");
  SPRY_ENSURE_MSG(ctx, d->cell_clip >= 0.0f && d->proj_clip >= 0.0f, SPRY_ERROR_INVALID_MODEL,
                  "cell_clip and proj_clip must be >= 0");
  SPRY_ENSURE_MSG(ctx, d->activation >= SPRY_ACTIVATION_NONE &&
                           d->activation <= SPRY_ACTIVATION_TANH,
                  SPRY_ERROR_UNSUPPORTED, "unsupported LSTM activation %d", d->activation);
  d->integer = in->type == SPRY_TYPE_INT8;
  SPRY_ENSURE_MSG(ctx, !d->diagonal_recurrent || !d->integer, SPRY_ERROR_UNSUPPORTED,
                  "diagonal recurrent weights are not supported with int8 activations");
  d->hybrid = spry_lstm_is_hybrid(in, w_out);
  SPRY_ENSURE_MSG(ctx, in->type == SPRY_TYPE_FLOAT32 || d->integer, SPRY_ERROR_UNSUPPORTED,
                  "input type %s is not supported", spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, d->integer || d->hybrid || w_out->type == SPRY_TYPE_FLOAT32,
                  SPRY_ERROR_UNSUPPORTED, "%s weights with a float32 input are not supported",
                  spry_type_name(w_out->type));
  d->n_batch = d->sequence && d->time_major ? in->dims[1] : in->dims[0];
  d->max_time = !d->sequence ? 1 : d->time_major ? in->dims[0] : in->dims[1];
  d->shape = (SpryLstmShape){.n_batch = d->time_major ? d->n_batch : 1,
                             .n_input = in->dims[in_rank - 1],
                             .n_cell = w_out->dims[0],
                             .n_output = d->diagonal_recurrent ? w_out->dims[0]
                                                               : r_out->dims[1]};
  bool cifg = false, peephole = false, layer_norm = false;
  SPRY_TRY(check_optional_inputs(ctx, node, &cifg, &peephole, &layer_norm));
  const LstmTypes types = lstm_types(d, w_out->type);
  SPRY_TRY(check_weights(ctx, node, &d->shape, &types, layer_norm, d->diagonal_recurrent));
  SPRY_TRY(check_states(ctx, node, d));
  SPRY_ENSURE_MSG(ctx, out->type == in->type, SPRY_ERROR_INVALID_MODEL,
                  "output type must match the input");
  int32_t dims[3] = {in->dims[0], in->dims[1], d->shape.n_output};
  if (!d->sequence) dims[1] = d->shape.n_output;
  SPRY_TRY(spry_context_resize_tensor(ctx, out, in_rank, dims));
  if (d->integer) {
    SPRY_TRY(spry_op_check_quant(ctx, "output", out));
    SPRY_TRY(prepare_integer(ctx, node, d, layer_norm, peephole));
  }
  if (d->hybrid) SPRY_TRY(prepare_hybrid(ctx, node, d));
  d->matvec = spry_gemv_ops(spry_context_isa(ctx));
  d->qp.matvec = d->matvec;
  return request_scratch(ctx, d);
}

static const void *data_or_null(SpryContext *ctx, const SpryNode *node, int32_t i) {
  const SpryTensor *t = i >= 0 ? opt_input(ctx, node, i) : NULL;
  return t ? t->data : NULL;
}

/* The step's parameters; a hybrid cell's matrices come from `hybrid`. */
static void float_params(SpryContext *ctx, const SpryNode *node, const LstmOpData *d,
                         const SpryLstmHybrid *hybrid, SpryLstmFloatParams *p) {
  memset(p, 0, sizeof *p);
  const int32_t peep_index[4] = {IN_PEEPHOLE_INPUT, IN_PEEPHOLE_FORGET, -1, IN_PEEPHOLE_OUTPUT};
  for (int g = 0; g < 4; g++) {
    p->bias[g] = data_or_null(ctx, node, IN_BIAS + g);
    p->layer_norm[g] = data_or_null(ctx, node, IN_LAYER_NORM + g);
    if (d->diagonal_recurrent)
      p->recurrent_weights[g] = data_or_null(ctx, node, IN_RECURRENT_WEIGHTS + g);
    if (hybrid) {
      p->peephole_weights[g] = d->hybrid_peepholes[g];
      continue;
    }
    p->input_weights[g] = data_or_null(ctx, node, IN_INPUT_WEIGHTS + g);
    p->recurrent_weights[g] = data_or_null(ctx, node, IN_RECURRENT_WEIGHTS + g);
    p->peephole_weights[g] = data_or_null(ctx, node, peep_index[g]);
  }
  p->hybrid = hybrid;
  p->diagonal_recurrent = d->diagonal_recurrent;
  p->matvec = d->matvec;
  p->projection_weights = hybrid ? NULL : data_or_null(ctx, node, IN_PROJ_WEIGHTS);
  p->projection_bias = data_or_null(ctx, node, IN_PROJ_BIAS);
  p->activation = d->activation;
  p->cell_clip = d->cell_clip;
  p->proj_clip = d->proj_clip;
}

/* Element offsets of step (b, t): batch-major runs one row at a time over
 * the whole sequence, time-major all rows per step, as TFLite does. */
static size_t row_offset(const LstmOpData *d, int32_t b, int32_t t, int32_t width) {
  const size_t row = d->time_major ? (size_t)t * d->n_batch : (size_t)b * d->max_time + t;
  return row * (size_t)width;
}

static SpryStatus lstm_invoke(SpryContext *ctx, SpryNode *node) {
  const LstmOpData *d = node->user_data;
  if (d->kernel_type == KERNEL_TYPE_BASIC) return spry_lstm_basic_invoke(ctx, node, &d->basic);
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  SpryTensor *h = spry_node_input(ctx, node, IN_OUTPUT_STATE);
  SpryTensor *c = spry_node_input(ctx, node, IN_CELL_STATE);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const SpryLstmShape *s = &d->shape;
  const int32_t outer = d->time_major ? 1 : d->n_batch;
  SpryLstmFloatParams fp;
  SpryLstmHybrid hybrid = d->hybrid_cell;
  if (d->hybrid) hybrid.scratch = spry_hybrid_scratch_get(ctx, &d->hybrid_scratch);
  if (!d->integer) float_params(ctx, node, d, d->hybrid ? &hybrid : NULL, &fp);
  for (int32_t b = 0; b < outer; b++) {
    for (int32_t t = 0; t < d->max_time; t++) {
      const size_t xo = row_offset(d, b, t, s->n_input), yo = row_offset(d, b, t, s->n_output);
      const size_t ho = (size_t)b * s->n_output, co = (size_t)b * s->n_cell;
      const size_t rows_out = (size_t)s->n_batch * s->n_output;
      if (d->integer) {
        int8_t *state = (int8_t *)h->data + ho;
        spry_ref_lstm_step_s8(&d->qp, s, (const int8_t *)in->data + xo, state,
                              (int16_t *)c->data + co, spry_context_scratch(ctx, d->scratch),
                              spry_context_scratch(ctx, d->scratch8));
        memcpy((int8_t *)out->data + yo, state, rows_out);
      } else {
        float *state = (float *)h->data + ho;
        spry_ref_lstm_step_f32(&fp, s, (const float *)in->data + xo, state,
                               (float *)c->data + co, spry_context_scratch(ctx, d->scratch));
        memcpy((float *)out->data + yo, state, rows_out * sizeof(float));
      }
    }
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_unidirectional_sequence_lstm = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 44,
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 71, /* UnidirectionalSequenceLSTMOptions */
    .init = lstm_init,
    .free = lstm_free,
    .prepare = lstm_prepare,
    .invoke = lstm_invoke,
};

const SpryOpRegistration spry_op_lstm = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 16,
    .min_version = 1,
    .max_version = 4,
    .builtin_options_type = 14, /* LSTMOptions */
    .init = lstm_step_init,
    .free = lstm_free,
    .prepare = lstm_prepare,
    .invoke = lstm_invoke,
};
