/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_float.c — one float32 or hybrid LSTM time step (see the header). */
#include "lstm_float.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "../quantization.h"
#include "hybrid_gemv.h"
#include "rnn.h"

enum { GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3 };

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* Mean/stddev normalisation of each row, then coefficients and bias. */
static void layer_norm(float *gate, const float *coeff, const float *bias, int32_t n_cell,
                       int32_t n_batch) {
  for (int32_t b = 0; b < n_batch; b++) {
    float *row = gate + (size_t)b * n_cell;
    float sum = 0.0f, sum_sq = 0.0f;
    for (int32_t i = 0; i < n_cell; i++) sum += row[i];
    const float mean = sum / (float)n_cell;
    for (int32_t i = 0; i < n_cell; i++) sum_sq += (row[i] - mean) * (row[i] - mean);
    const float inv = 1.0f / sqrtf(sum_sq / (float)n_cell + 1e-8f);
    for (int32_t i = 0; i < n_cell; i++) row[i] = (row[i] - mean) * inv * coeff[i] + bias[i];
  }
}

/* out[b][r] += W x[b] for one weight matrix: float `w`, or the hybrid `hw`
 * when the cell is hybrid. */
static void matrix_term(const SpryLstmFloatParams *p, const float *w, const SpryHybridWeights *hw,
                        int32_t rows, int32_t cols, const float *x, int32_t n_batch, float *out) {
  if (p->hybrid)
    spry_ref_hybrid_accumulate_dot(hw, rows, cols, x, n_batch, p->hybrid->asymmetric,
                                   &p->hybrid->scratch, p->matvec ? p->matvec->dot_s8 : NULL,
                                   out);
  else if (p->matvec)
    p->matvec->gemv_acc_f32(w, rows, cols, x, n_batch, out);
  else
    spry_ref_gemv_acc_f32(w, rows, cols, x, n_batch, out);
}

/* out[b][i] += v[i] * x[b][i] over n_batch rows of n values. */
static void cwise_acc(const float *v, int32_t n, const float *x, int32_t n_batch, float *out) {
  for (int32_t b = 0; b < n_batch; b++)
    for (int32_t i = 0; i < n; i++) out[(size_t)b * n + i] += v[i] * x[(size_t)b * n + i];
}

static bool has_aux_weights(const SpryLstmFloatParams *p, int g) {
  return p->hybrid ? p->hybrid->aux_input[g].data != NULL : p->aux_input_weights[g] != NULL;
}

static bool is_cifg(const SpryLstmFloatParams *p) {
  return p->hybrid ? p->hybrid->input[GATE_INPUT].data == NULL
                   : p->input_weights[GATE_INPUT] == NULL;
}

static void gate_f32(const SpryLstmFloatParams *p, const SpryLstmShape *s, int g,
                     const float *input, const float *aux_input, const float *output_state,
                     const float *cell_state, float *gate) {
  const int32_t n = s->n_cell;
  const bool ln = p->layer_norm[g] != NULL;
  const SpryLstmHybrid *h = p->hybrid;
  for (int32_t b = 0; b < s->n_batch; b++)
    for (int32_t i = 0; i < n; i++) gate[(size_t)b * n + i] = ln ? 0.0f : p->bias[g][i];
  matrix_term(p, p->input_weights[g], h ? &h->input[g] : NULL, n, s->n_input, input, s->n_batch,
              gate);
  if (aux_input && has_aux_weights(p, g))
    matrix_term(p, p->aux_input_weights[g], h ? &h->aux_input[g] : NULL, n, s->n_aux_input,
                aux_input, s->n_batch, gate);
  if (p->diagonal_recurrent)
    cwise_acc(p->recurrent_weights[g], n, output_state, s->n_batch, gate);
  else
    matrix_term(p, p->recurrent_weights[g], h ? &h->recurrent[g] : NULL, n, s->n_output,
                output_state, s->n_batch, gate);
  if (g != GATE_CELL && p->peephole_weights[g])
    cwise_acc(p->peephole_weights[g], n, cell_state, s->n_batch, gate);
  if (ln) layer_norm(gate, p->layer_norm[g], p->bias[g], n, s->n_batch);
  const size_t count = (size_t)s->n_batch * n;
  for (size_t i = 0; i < count; i++)
    gate[i] = g == GATE_CELL ? spry_ref_activate_f32(gate[i], p->activation) : sigmoid(gate[i]);
}

static float clip(float x, float limit) {
  return limit > 0.0f ? fminf(fmaxf(x, -limit), limit) : x;
}

void spry_ref_lstm_step_f32(const SpryLstmFloatParams *p, const SpryLstmShape *s,
                            const float *input, float *output_state, float *cell_state,
                            float *scratch) {
  spry_ref_lstm_step_aux_f32(p, s, input, NULL, output_state, cell_state, scratch);
}

void spry_ref_lstm_step_aux_f32(const SpryLstmFloatParams *p, const SpryLstmShape *s,
                                const float *input, const float *aux_input, float *output_state,
                                float *cell_state, float *scratch) {
  const size_t count = (size_t)s->n_batch * s->n_cell;
  float *gates[4] = {scratch, scratch + count, scratch + 2 * count, scratch + 3 * count};
  const bool cifg = is_cifg(p);
  if (!cifg)
    gate_f32(p, s, GATE_INPUT, input, aux_input, output_state, cell_state, gates[GATE_INPUT]);
  gate_f32(p, s, GATE_FORGET, input, aux_input, output_state, cell_state, gates[GATE_FORGET]);
  gate_f32(p, s, GATE_CELL, input, aux_input, output_state, cell_state, gates[GATE_CELL]);
  for (size_t i = 0; i < count; i++) {
    const float in_gate = cifg ? 1.0f - gates[GATE_FORGET][i] : gates[GATE_INPUT][i];
    const float c = gates[GATE_FORGET][i] * cell_state[i] + in_gate * gates[GATE_CELL][i];
    cell_state[i] = clip(c, p->cell_clip);
  }
  /* The output gate's peephole sees the updated cell state. */
  gate_f32(p, s, GATE_OUTPUT, input, aux_input, output_state, cell_state, gates[GATE_OUTPUT]);
  float *hidden = gates[GATE_FORGET]; /* free once the cell state is updated */
  for (size_t i = 0; i < count; i++)
    hidden[i] = gates[GATE_OUTPUT][i] * spry_ref_activate_f32(cell_state[i], p->activation);
  const bool projection =
      p->hybrid ? p->hybrid->projection.data != NULL : p->projection_weights != NULL;
  if (!projection) {
    memcpy(output_state, hidden, count * sizeof *hidden);
    return;
  }
  const size_t out_count = (size_t)s->n_batch * s->n_output;
  for (int32_t b = 0; b < s->n_batch; b++)
    for (int32_t o = 0; o < s->n_output; o++)
      output_state[(size_t)b * s->n_output + o] = p->projection_bias ? p->projection_bias[o] : 0.0f;
  matrix_term(p, p->projection_weights, p->hybrid ? &p->hybrid->projection : NULL, s->n_output,
              s->n_cell, hidden, s->n_batch, output_state);
  for (size_t i = 0; i < out_count; i++) output_state[i] = clip(output_state[i], p->proj_clip);
}
