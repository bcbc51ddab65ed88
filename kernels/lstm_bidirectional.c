/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lstm_bidirectional.c — the BIDIRECTIONAL_SEQUENCE_LSTM op: a forward and a
 * backward LSTM over one sequence, float32 or hybrid, each running the
 * shared step (reference/lstm_float.h), the backward one with time reversed.
 *
 * Inputs (TFLite bidirectional_sequence_lstm.cc, 48 of them): 0 input
 * [time, batch, in] (time_major, the default) or [batch, time, in]; 1-17 the
 * forward cell (4 input-to-gate weights, 4 recurrent-to-gate weights, 3
 * peephole weights, 4 gate biases, projection weights and bias; gate order
 * input, forget, cell, output); 18-34 the backward cell, same layout; 35/36
 * forward output/cell state, 37/38 backward output/cell state (variable
 * tensors, kept across invokes as in TFLite); 39 aux input; 40-43 forward
 * and 44-47 backward aux-input-to-gate weights. Optional inputs are -1.
 *
 * Aux input, as TFLite reads it: with aux weights ("cross links"), both
 * directions read the input and add the aux weights x aux input to each
 * gate; without aux weights, the backward cell reads the aux input instead
 * of the input (stacked bidirectional layers without cross links).
 *
 * Outputs: merge_outputs false: forward [.., n_fw_output] and backward [..,
 * n_bw_output]; true: one output whose rows hold the forward then the
 * backward values.
 *
 * Batch-major input with merged outputs: TFLite offsets row b's output
 * state by b * (merged width), past the end of the state tensor for b >= 1
 * (undefined behaviour there); this kernel keeps row b's state at
 * b * n_output, which agrees with TFLite wherever TFLite is defined (one
 * row, time-major, or separate outputs). TFLite also insists that both
 * cells have the same sizes; here each cell is checked against its own.
 *
 * Hybrid cells (TFLite's EvalHybrid; lstm_hybrid.h): float32 input, aux
 * input, states, biases and outputs; every weight matrix (aux weights
 * included) and peephole int8, or uint8 read as int8, constant and quantized
 * per tensor, all of the type of the forward input-to-output weights (on
 * which TFLite decides the form of both cells). Each matrix term quantizes
 * its operand per row at run time, asymmetrically with
 * asymmetric_quantize_inputs.
 *
 * Versions (TFLite register_ref.cc: 1..3): float32 and hybrid at every
 * version (v2 adds time_major, v3 asymmetric_quantize_inputs of the hybrid
 * path). Results are within 1e-5 * (1 + max |ref|) of TFLite's.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu_isa.h"
#include "fast/gemv.h"
#include "kernel_util.h"
#include "lstm_hybrid.h"
#include "quantization.h"
#include "reference/lstm_float.h"
#include "spry/op.h"

/* BidirectionalSequenceLSTMOptions field ids (schema.fbs). */
enum {
  OPT_ACTIVATION = 0,
  OPT_CELL_CLIP = 1,
  OPT_PROJ_CLIP = 2,
  OPT_MERGE_OUTPUTS = 3,
  OPT_TIME_MAJOR = 4,
  OPT_ASYMMETRIC = 5,
};

enum {
  IN_INPUT = 0,
  IN_FW_BASE = 1,
  IN_BW_BASE = 18,
  IN_FW_STATE = 35, /* output state; the cell state follows */
  IN_BW_STATE = 37,
  IN_AUX_INPUT = 39,
  IN_FW_AUX_WEIGHTS = 40, /* + gate */
  IN_BW_AUX_WEIGHTS = 44, /* + gate */
  NUM_INPUTS = 48,
};

/* Offsets of a cell's tensors from its base input. */
enum {
  REL_INPUT_WEIGHTS = 0,     /* + gate */
  REL_RECURRENT_WEIGHTS = 4, /* + gate */
  REL_PEEPHOLE = 8,          /* input, forget, output */
  REL_BIAS = 11,             /* + gate */
  REL_PROJ_WEIGHTS = 15,
  REL_PROJ_BIAS = 16,
};

enum { GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3 };

typedef struct BidiDirection {
  int32_t base, aux_base, state; /* input indices */
  SpryLstmShape shape;           /* n_batch: rows per step */
  bool cifg;
  SpryLstmHybrid hybrid;         /* hybrid cells; scratch filled in at invoke */
  const float *hybrid_peepholes[4];
} BidiDirection;

typedef struct BidiOpData {
  int activation;
  float cell_clip, proj_clip;
  bool merge_outputs, time_major;
  bool asymmetric;   /* hybrid: asymmetric run-time input quantization */
  bool hybrid;
  SpryType weight_type; /* float32, or the 8-bit type of hybrid weights */
  bool cross_links;  /* aux weights present: both cells add aux terms */
  bool bw_reads_aux; /* aux input without weights: the backward cell's input */
  int32_t n_batch, max_time;
  BidiDirection dir[2];
  int32_t scratch;
  SpryHybridScratchIndex hybrid_scratch;
  const SpryMatvecOps *matvec; /* the variant's matrix products; NULL: reference */
} BidiOpData;

static SpryStatus bidi_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  BidiOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  d->activation = spry_option_i8(node->options, OPT_ACTIVATION, 0);
  d->cell_clip = spry_option_f32(node->options, OPT_CELL_CLIP, 0.0f);
  d->proj_clip = spry_option_f32(node->options, OPT_PROJ_CLIP, 0.0f);
  d->merge_outputs = spry_option_bool(node->options, OPT_MERGE_OUTPUTS, false);
  d->time_major = spry_option_bool(node->options, OPT_TIME_MAJOR, true);
  d->asymmetric = spry_option_bool(node->options, OPT_ASYMMETRIC, false);
  d->dir[0] = (BidiDirection){.base = IN_FW_BASE, .aux_base = IN_FW_AUX_WEIGHTS,
                              .state = IN_FW_STATE};
  d->dir[1] = (BidiDirection){.base = IN_BW_BASE, .aux_base = IN_BW_AUX_WEIGHTS,
                              .state = IN_BW_STATE};
  *user_data = d;
  return SPRY_OK;
}

static void bidi_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* A present tensor of shape [rows] (cols < 0) or [rows, cols] and the given type. */
static SpryStatus check_shape(SpryContext *ctx, const SpryNode *node, int32_t i, int32_t rows,
                              int32_t cols, SpryType type) {
  const SpryTensor *t = spry_node_input(ctx, node, i);
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

static bool present(SpryContext *ctx, const SpryNode *node, int32_t i) {
  return spry_node_input(ctx, node, i) != NULL;
}

/* Presence rules of a cell's optional inputs (TFLite's
 * CheckLstmTensorDimensionsAndTypes): CIFG drops the whole input gate,
 * peepholes come all or none, projection bias needs projection weights. */
static SpryStatus check_presence(SpryContext *ctx, const SpryNode *node, BidiDirection *dir) {
  const int32_t b = dir->base;
  const bool has_ii = present(ctx, node, b + REL_INPUT_WEIGHTS + GATE_INPUT);
  const bool has_ri = present(ctx, node, b + REL_RECURRENT_WEIGHTS + GATE_INPUT);
  SPRY_ENSURE_MSG(ctx, has_ii == has_ri, SPRY_ERROR_INVALID_MODEL,
                  "input-gate weights (inputs %d, %d) must be both present or both absent",
                  (int)(b + REL_INPUT_WEIGHTS), (int)(b + REL_RECURRENT_WEIGHTS));
  dir->cifg = !has_ii;
  const bool pi = present(ctx, node, b + REL_PEEPHOLE);
  const bool pf = present(ctx, node, b + REL_PEEPHOLE + 1);
  const bool po = present(ctx, node, b + REL_PEEPHOLE + 2);
  SPRY_ENSURE_MSG(ctx, ((pi || dir->cifg) && pf && po) || (!pi && !pf && !po),
                  SPRY_ERROR_INVALID_MODEL,
                  "peephole weights (inputs %d-%d) must be all present or all absent",
                  (int)(b + REL_PEEPHOLE), (int)(b + REL_PEEPHOLE + 2));
  SPRY_ENSURE_MSG(ctx, dir->cifg != present(ctx, node, b + REL_BIAS + GATE_INPUT),
                  SPRY_ERROR_INVALID_MODEL,
                  "input gate bias (input %d) must be present exactly when not CIFG",
                  (int)(b + REL_BIAS));
  SPRY_ENSURE_MSG(ctx,
                  present(ctx, node, b + REL_PROJ_WEIGHTS) ||
                      !present(ctx, node, b + REL_PROJ_BIAS),
                  SPRY_ERROR_INVALID_MODEL, "projection bias (input %d) without projection weights",
                  (int)(b + REL_PROJ_BIAS));
  return SPRY_OK;
}

/* Shapes and types of every present weight and bias of one cell. */
static SpryStatus check_cell(SpryContext *ctx, const SpryNode *node, const BidiOpData *d,
                             const BidiDirection *dir) {
  const SpryLstmShape *s = &dir->shape;
  const int32_t b = dir->base;
  const SpryType wt = d->weight_type, ft = SPRY_TYPE_FLOAT32;
  for (int g = dir->cifg ? GATE_FORGET : GATE_INPUT; g <= GATE_OUTPUT; g++) {
    SPRY_TRY(check_shape(ctx, node, b + REL_INPUT_WEIGHTS + g, s->n_cell, s->n_input, wt));
    SPRY_TRY(check_shape(ctx, node, b + REL_RECURRENT_WEIGHTS + g, s->n_cell, s->n_output, wt));
    SPRY_TRY(check_shape(ctx, node, b + REL_BIAS + g, s->n_cell, -1, ft));
    if (d->cross_links)
      SPRY_TRY(check_shape(ctx, node, dir->aux_base + g, s->n_cell, s->n_aux_input, wt));
  }
  for (int32_t i = b + REL_PEEPHOLE; i < b + REL_PEEPHOLE + 3; i++)
    if (present(ctx, node, i)) SPRY_TRY(check_shape(ctx, node, i, s->n_cell, -1, wt));
  if (present(ctx, node, b + REL_PROJ_WEIGHTS))
    SPRY_TRY(check_shape(ctx, node, b + REL_PROJ_WEIGHTS, s->n_output, s->n_cell, wt));
  if (present(ctx, node, b + REL_PROJ_BIAS))
    SPRY_TRY(check_shape(ctx, node, b + REL_PROJ_BIAS, s->n_output, -1, ft));
  return SPRY_OK;
}

/* A cell's variable state tensors: float32, of n_batch x n_output and
 * n_batch x n_cell elements (any shape, as in TFLite). */
static SpryStatus check_states(SpryContext *ctx, const SpryNode *node, const BidiOpData *d,
                               const BidiDirection *dir) {
  const SpryTensor *h = spry_node_input(ctx, node, dir->state);
  const SpryTensor *c = spry_node_input(ctx, node, dir->state + 1);
  SPRY_ENSURE_MSG(ctx, h && c, SPRY_ERROR_INVALID_MODEL, "state inputs %d and %d are required",
                  (int)dir->state, (int)(dir->state + 1));
  SPRY_ENSURE_MSG(ctx, h->kind == SPRY_TENSOR_PERSISTENT && c->kind == SPRY_TENSOR_PERSISTENT,
                  SPRY_ERROR_INVALID_MODEL, "state inputs %d and %d must be variable tensors",
                  (int)dir->state, (int)(dir->state + 1));
  SPRY_ENSURE_MSG(ctx, h->type == SPRY_TYPE_FLOAT32 && c->type == SPRY_TYPE_FLOAT32,
                  SPRY_ERROR_INVALID_MODEL, "state inputs %d and %d must be float32",
                  (int)dir->state, (int)(dir->state + 1));
  const size_t n_batch = (size_t)d->n_batch;
  SPRY_ENSURE_MSG(ctx,
                  spry_tensor_elements(h) == n_batch * (size_t)dir->shape.n_output &&
                      spry_tensor_elements(c) == n_batch * (size_t)dir->shape.n_cell,
                  SPRY_ERROR_INVALID_MODEL,
                  "state sizes of inputs %d/%d do not match batch %d, cells %d, outputs %d",
                  (int)dir->state, (int)(dir->state + 1), (int)d->n_batch,
                  (int)dir->shape.n_cell, (int)dir->shape.n_output);
  return SPRY_OK;
}

/* The 8-bit matrices (aux ones with cross links) and peepholes of a hybrid cell. */
static SpryStatus prepare_hybrid(SpryContext *ctx, const SpryNode *node, const BidiOpData *d,
                                 BidiDirection *dir) {
  const int32_t b = dir->base;
  SpryLstmCellTensors cell = {
      .peephole = {b + REL_PEEPHOLE, b + REL_PEEPHOLE + 1, -1, b + REL_PEEPHOLE + 2},
      .projection = b + REL_PROJ_WEIGHTS};
  for (int g = GATE_INPUT; g <= GATE_OUTPUT; g++) {
    cell.input[g] = b + REL_INPUT_WEIGHTS + g;
    cell.recurrent[g] = b + REL_RECURRENT_WEIGHTS + g;
    cell.aux_input[g] = d->cross_links ? dir->aux_base + g : -1;
  }
  return spry_lstm_hybrid_prepare(ctx, node, &cell, d->asymmetric, &dir->hybrid,
                                  dir->hybrid_peepholes);
}

/* Sizes of one cell from its output-gate weights, then every check. */
static SpryStatus prepare_direction(SpryContext *ctx, const SpryNode *node, BidiOpData *d,
                                    BidiDirection *dir, int32_t n_input, int32_t n_aux_input) {
  const SpryTensor *w = spry_node_input(ctx, node, dir->base + REL_INPUT_WEIGHTS + GATE_OUTPUT);
  const SpryTensor *r = spry_node_input(ctx, node, dir->base + REL_RECURRENT_WEIGHTS + GATE_OUTPUT);
  SPRY_ENSURE_MSG(ctx, w && r && w->rank == 2 && r->rank == 2, SPRY_ERROR_INVALID_MODEL,
                  "output-gate weights (inputs %d, %d) must be present and 2-D",
                  (int)(dir->base + REL_INPUT_WEIGHTS + GATE_OUTPUT),
                  (int)(dir->base + REL_RECURRENT_WEIGHTS + GATE_OUTPUT));
  dir->shape = (SpryLstmShape){.n_batch = d->time_major ? d->n_batch : 1,
                               .n_input = n_input,
                               .n_cell = w->dims[0],
                               .n_output = r->dims[1],
                               .n_aux_input = d->cross_links ? n_aux_input : 0};
  SPRY_ENSURE_MSG(ctx, dir->shape.n_cell > 0 && dir->shape.n_output > 0,
                  SPRY_ERROR_INVALID_MODEL, "cell and output sizes must be positive");
  SPRY_TRY(check_presence(ctx, node, dir));
  SPRY_TRY(check_cell(ctx, node, d, dir));
  SPRY_TRY(check_states(ctx, node, d, dir));
  return d->hybrid ? prepare_hybrid(ctx, node, d, dir) : SPRY_OK;
}

/* The aux input's role: cross-link weights need it (rank 3, the input's
 * batch and time); without weights it replaces the backward cell's input,
 * so it must have the input's shape. */
static SpryStatus prepare_aux(SpryContext *ctx, const SpryNode *node, BidiOpData *d,
                              int32_t *n_aux_input) {
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  const SpryTensor *aux = spry_node_input(ctx, node, IN_AUX_INPUT);
  int weights = 0;
  for (int g = GATE_FORGET; g <= GATE_OUTPUT; g++)
    weights +=
        present(ctx, node, IN_FW_AUX_WEIGHTS + g) + present(ctx, node, IN_BW_AUX_WEIGHTS + g);
  SPRY_ENSURE_MSG(ctx, weights == 0 || weights == 6, SPRY_ERROR_INVALID_MODEL,
                  "aux forget/cell/output weights must be all present or all absent");
  d->cross_links = weights == 6;
  d->bw_reads_aux = aux && !d->cross_links;
  *n_aux_input = 0;
  if (!aux) {
    SPRY_ENSURE_MSG(ctx, !d->cross_links, SPRY_ERROR_INVALID_MODEL,
                    "aux weights need an aux input (input %d)", (int)IN_AUX_INPUT);
    return SPRY_OK;
  }
  SPRY_ENSURE_MSG(ctx, aux->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_INVALID_MODEL,
                  "aux input must be float32, is %s", spry_type_name(aux->type));
  if (d->bw_reads_aux) {
    SPRY_ENSURE_MSG(ctx, spry_same_shape(aux, in), SPRY_ERROR_INVALID_MODEL,
                    "without aux weights the aux input feeds the backward cell and must have "
                    "the input's shape");
    return SPRY_OK;
  }
  SPRY_ENSURE_MSG(ctx, aux->rank == 3 && aux->dims[0] == in->dims[0] &&
                           aux->dims[1] == in->dims[1] && aux->dims[2] > 0,
                  SPRY_ERROR_INVALID_MODEL,
                  "aux input must be 3-D with the input's first two dimensions");
  *n_aux_input = aux->dims[2];
  return SPRY_OK;
}

static SpryStatus check_options(SpryContext *ctx, const SpryNode *node, const BidiOpData *d) {
  SPRY_ENSURE_MSG(ctx, node->num_inputs == NUM_INPUTS, SPRY_ERROR_INVALID_MODEL,
                  "expects 48 inputs, has %d", (int)node->num_inputs);
  const int32_t outputs = d->merge_outputs ? 1 : 2;
  SPRY_ENSURE_MSG(ctx, node->num_outputs == outputs, SPRY_ERROR_INVALID_MODEL,
                  "expects %d output(s) with merge_outputs %s, has %d", (int)outputs,
                  d->merge_outputs ? "true" : "false", (int)node->num_outputs);
  SPRY_ENSURE_MSG(ctx, d->cell_clip >= 0.0f && d->proj_clip >= 0.0f, SPRY_ERROR_INVALID_MODEL,
                  "cell_clip and proj_clip must be >= 0");
  SPRY_ENSURE_MSG(ctx, d->activation >= SPRY_ACTIVATION_NONE &&
                           d->activation <= SPRY_ACTIVATION_TANH,
                  SPRY_ERROR_UNSUPPORTED, "unsupported LSTM activation %d", d->activation);
  return SPRY_OK;
}

static SpryStatus resize_outputs(SpryContext *ctx, const SpryNode *node, const BidiOpData *d) {
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  for (int32_t i = 0; i < node->num_outputs; i++) {
    SpryTensor *out = spry_node_output(ctx, node, i);
    SPRY_ENSURE_MSG(ctx, out, SPRY_ERROR_INVALID_MODEL, "output %d is required", (int)i);
    SPRY_ENSURE_MSG(ctx, out->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_INVALID_MODEL,
                    "output %d must be float32, is %s", (int)i, spry_type_name(out->type));
    int32_t width = d->dir[i].shape.n_output;
    if (d->merge_outputs) width += d->dir[1].shape.n_output;
    const int32_t dims[3] = {in->dims[0], in->dims[1], width};
    SPRY_TRY(spry_context_resize_tensor(ctx, out, 3, dims));
  }
  return SPRY_OK;
}

/* One set of scratch buffers serves both cells: they run one after the other. */
static SpryStatus request_scratch(SpryContext *ctx, BidiOpData *d) {
  size_t count = 0;
  int32_t widest = 0;
  for (int i = 0; i < 2; i++) {
    const size_t n = (size_t)d->dir[i].shape.n_batch * (size_t)d->dir[i].shape.n_cell;
    if (n > count) count = n;
    const int32_t w = spry_lstm_hybrid_widest(&d->dir[i].shape);
    if (w > widest) widest = w;
  }
  SPRY_ENSURE_MSG(ctx, count <= SIZE_MAX / 4 / sizeof(float), SPRY_ERROR_INVALID_MODEL,
                  "LSTM scratch size overflows");
  SPRY_TRY(spry_context_request_scratch(ctx, count * 4 * sizeof(float) + 1, &d->scratch));
  if (!d->hybrid) return SPRY_OK;
  return spry_hybrid_scratch_request(ctx, d->dir[0].shape.n_batch, widest, &d->hybrid_scratch);
}

/* Float32 or hybrid, from the input and the forward input-to-output weights
 * (TFLite decides on the latter's type for both cells). */
static SpryStatus choose_form(SpryContext *ctx, const SpryNode *node, BidiOpData *d,
                              const SpryTensor *in) {
  const int32_t index = IN_FW_BASE + REL_INPUT_WEIGHTS + GATE_OUTPUT;
  const SpryTensor *w = spry_node_input(ctx, node, index);
  SPRY_ENSURE_MSG(ctx, w, SPRY_ERROR_INVALID_MODEL, "input %d is required", (int)index);
  d->hybrid = spry_lstm_is_hybrid(in, w);
  d->weight_type = d->hybrid ? w->type : SPRY_TYPE_FLOAT32;
  SPRY_ENSURE_MSG(ctx, d->hybrid || w->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "%s weights are not supported (float32, int8 or uint8)",
                  spry_type_name(w->type));
  return SPRY_OK;
}

static SpryStatus bidi_prepare(SpryContext *ctx, SpryNode *node) {
  BidiOpData *d = node->user_data;
  SPRY_TRY(check_options(ctx, node, d));
  const SpryTensor *in = spry_node_input(ctx, node, IN_INPUT);
  SPRY_ENSURE_MSG(ctx, in, SPRY_ERROR_INVALID_MODEL, "input 0 is required");
  SPRY_ENSURE_MSG(ctx, in->type == SPRY_TYPE_FLOAT32, SPRY_ERROR_UNSUPPORTED,
                  "input type %s is not supported (float32 only)", spry_type_name(in->type));
  SPRY_ENSURE_MSG(ctx, in->rank == 3, SPRY_ERROR_INVALID_MODEL, "input must be 3-D, is %d-D",
                  (int)in->rank);
  d->max_time = d->time_major ? in->dims[0] : in->dims[1];
  d->n_batch = d->time_major ? in->dims[1] : in->dims[0];
  SPRY_TRY(choose_form(ctx, node, d, in));
  int32_t n_aux_input = 0;
  SPRY_TRY(prepare_aux(ctx, node, d, &n_aux_input));
  for (int i = 0; i < 2; i++)
    SPRY_TRY(prepare_direction(ctx, node, d, &d->dir[i], in->dims[2], n_aux_input));
  SPRY_TRY(resize_outputs(ctx, node, d));
  d->matvec = spry_gemv_ops(spry_context_isa(ctx));
  return request_scratch(ctx, d);
}

static const float *data_or_null(SpryContext *ctx, const SpryNode *node, int32_t i) {
  const SpryTensor *t = spry_node_input(ctx, node, i);
  return t ? t->data : NULL;
}

/* The step's parameters; a hybrid cell's matrices come from `hybrid`. */
static void float_params(SpryContext *ctx, const SpryNode *node, const BidiOpData *d,
                         const BidiDirection *dir, const SpryLstmHybrid *hybrid,
                         SpryLstmFloatParams *p) {
  memset(p, 0, sizeof *p);
  const int32_t b = dir->base;
  const int32_t peephole[4] = {b + REL_PEEPHOLE, b + REL_PEEPHOLE + 1, -1, b + REL_PEEPHOLE + 2};
  for (int g = dir->cifg ? GATE_FORGET : GATE_INPUT; g <= GATE_OUTPUT; g++) {
    p->bias[g] = data_or_null(ctx, node, b + REL_BIAS + g);
    if (hybrid) {
      p->peephole_weights[g] = dir->hybrid_peepholes[g];
      continue;
    }
    p->input_weights[g] = data_or_null(ctx, node, b + REL_INPUT_WEIGHTS + g);
    p->recurrent_weights[g] = data_or_null(ctx, node, b + REL_RECURRENT_WEIGHTS + g);
    p->peephole_weights[g] = peephole[g] < 0 ? NULL : data_or_null(ctx, node, peephole[g]);
    if (d->cross_links) p->aux_input_weights[g] = data_or_null(ctx, node, dir->aux_base + g);
  }
  p->hybrid = hybrid;
  p->matvec = d->matvec;
  p->projection_weights = hybrid ? NULL : data_or_null(ctx, node, b + REL_PROJ_WEIGHTS);
  p->projection_bias = data_or_null(ctx, node, b + REL_PROJ_BIAS);
  p->activation = d->activation;
  p->cell_clip = d->cell_clip;
  p->proj_clip = d->proj_clip;
}

/* Where one direction reads and writes: y rows are `y_width` wide (both
 * directions when merged) and this direction's values start at y_offset. */
typedef struct BidiPass {
  const float *x, *aux;
  float *h, *c, *y;
  int32_t y_width, y_offset;
  bool forward;
} BidiPass;

/* Runs one cell over the sequence. Batch-major input goes one row at a time
 * over the whole sequence, time-major all rows per step, as TFLite does. */
static void run_pass(const BidiOpData *d, const SpryLstmFloatParams *p, const SpryLstmShape *s,
                     const BidiPass *pass, float *scratch) {
  const int32_t outer = d->time_major ? 1 : d->n_batch;
  for (int32_t b = 0; b < outer; b++) {
    float *h = pass->h + (size_t)b * s->n_output;
    float *c = pass->c + (size_t)b * s->n_cell;
    for (int32_t step = 0; step < d->max_time; step++) {
      const int32_t t = pass->forward ? step : d->max_time - 1 - step;
      const size_t row = d->time_major ? (size_t)t * d->n_batch : (size_t)b * d->max_time + t;
      const float *aux = pass->aux ? pass->aux + row * s->n_aux_input : NULL;
      spry_ref_lstm_step_aux_f32(p, s, pass->x + row * s->n_input, aux, h, c, scratch);
      for (int32_t r = 0; r < s->n_batch; r++)
        memcpy(pass->y + (row + r) * pass->y_width + pass->y_offset, h + (size_t)r * s->n_output,
               (size_t)s->n_output * sizeof(float));
    }
  }
}

static SpryStatus bidi_invoke(SpryContext *ctx, SpryNode *node) {
  const BidiOpData *d = node->user_data;
  const float *x = spry_node_input(ctx, node, IN_INPUT)->data;
  const float *aux = data_or_null(ctx, node, IN_AUX_INPUT);
  SpryTensor *fw_out = spry_node_output(ctx, node, 0);
  SpryTensor *bw_out = spry_node_output(ctx, node, d->merge_outputs ? 0 : 1);
  const int32_t fw_width = fw_out->dims[2];
  for (int i = 0; i < 2; i++) {
    const BidiDirection *dir = &d->dir[i];
    SpryLstmHybrid hybrid = dir->hybrid;
    if (d->hybrid) hybrid.scratch = spry_hybrid_scratch_get(ctx, &d->hybrid_scratch);
    SpryLstmFloatParams p;
    float_params(ctx, node, d, dir, d->hybrid ? &hybrid : NULL, &p);
    const bool backward_on_aux = i == 1 && d->bw_reads_aux;
    const BidiPass pass = {
        .x = backward_on_aux ? aux : x,
        .aux = d->cross_links ? aux : NULL,
        .h = spry_node_input(ctx, node, dir->state)->data,
        .c = spry_node_input(ctx, node, dir->state + 1)->data,
        .y = (i == 0 ? fw_out : bw_out)->data,
        .y_width = i == 0 ? fw_width : bw_out->dims[2],
        .y_offset = i == 1 && d->merge_outputs ? d->dir[0].shape.n_output : 0,
        .forward = i == 0,
    };
    run_pass(d, &p, &dir->shape, &pass, spry_context_scratch(ctx, d->scratch));
  }
  return SPRY_OK;
}

const SpryOpRegistration spry_op_bidirectional_sequence_lstm = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 52,
    .min_version = 1,
    .max_version = 3,
    .builtin_options_type = 69, /* BidirectionalSequenceLSTMOptions */
    .init = bidi_init,
    .free = bidi_free,
    .prepare = bidi_prepare,
    .invoke = bidi_invoke,
};
