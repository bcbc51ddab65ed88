/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_integer.c — one 8x8_16 integer LSTM time step (see the header). */
#include "lstm_integer.h"

#include <stdbool.h>
#include <string.h>

#include "../fixedpoint.h"
#include "../quantization.h"
#include "lstm_fixed16.h"

enum { GATE_INPUT = 0, GATE_FORGET = 1, GATE_CELL = 2, GATE_OUTPUT = 3 };

/* Two's complement wrap of a 64-bit sum to 32 bits: TFLite sums in int32. */
static int32_t wrap32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

/* bias + w . v in int32; `mv` (NULL: none) supplies a faster dot product,
 * added with the same wraparound. */
static int32_t dot_s8(const SpryMatvecOps *mv, const int8_t *w, const int8_t *v, int32_t n,
                      int32_t bias) {
  if (mv) return (int32_t)((uint32_t)bias + (uint32_t)mv->dot_s8(w, v, n));
  int64_t acc = bias;
  for (int32_t c = 0; c < n; c++) acc += (int32_t)w[c] * v[c];
  return wrap32(acc);
}

/* out[b][r] = sat16(out[b][r] + requant(bias[r] + w[r] . v[b])). The sums
 * after a requantization wrap in int32, as TFLite's do: with a model's
 * extreme multipliers the requantized value reaches the int32 limits. */
static void matmul_acc_s16(const SpryMatvecOps *mv, const int8_t *w, const int32_t *bias,
                           int32_t multiplier, int shift, const int8_t *v, int32_t rows, int32_t cols, int32_t n_batch,
                           int16_t *out) {
  for (int32_t b = 0; b < n_batch; b++)
    for (int32_t r = 0; r < rows; r++) {
      const int32_t acc = spry_multiply_by_quantized_multiplier(
          dot_s8(mv, w + (size_t)r * cols, v + (size_t)b * cols, cols, bias[r]), multiplier,
          shift);
      int16_t *o = &out[(size_t)b * rows + r];
      *o = (int16_t)spry_clamp_i32(spry_fp_add(acc, *o), INT16_MIN, INT16_MAX);
    }
}

/* TFLite passes n_output as the peephole vector length (lstm_eval.cc), so
 * with a projection only the first n_batch * n_output gate values get a
 * peephole term, each from weight index i % n_output; reproduced as is (the
 * glue ensures n_output <= n_cell). */
static void peephole_acc(const SpryLstmQuantGate *g, const SpryLstmShape *s,
                         const int16_t *cell_state, int16_t *gate) {
  for (int32_t b = 0; b < s->n_batch; b++)
    for (int32_t v = 0; v < s->n_output; v++) {
      const size_t i = (size_t)b * s->n_output + v;
      const int32_t prod = spry_multiply_by_quantized_multiplier(
          (int32_t)g->peephole_weights[v] * cell_state[i], g->peephole_multiplier,
          g->peephole_shift);
      gate[i] = (int16_t)spry_clamp_i32(spry_fp_add(prod, gate[i]), INT16_MIN, INT16_MAX);
    }
}

/* Integer layer normalisation of each batch row of `gate`, in place: the
 * mean and variance carry 10 extra fraction bits (the variance is exact only
 * for a power-of-two cell count, as in TFLite), and the normalised value,
 * times the coefficient plus the bias, wraps in 32 bits as TFLite's does. */
static void layer_norm_s16(const SpryLstmQuantGate *g, const SpryLstmShape *s, int16_t *gate) {
  const int32_t n = s->n_cell;
  const int64_t two_pow_20 = INT64_C(1) << 20;
  for (int32_t b = 0; b < s->n_batch; b++) {
    int16_t *row = gate + (size_t)b * n;
    int64_t sum = 0, sum_sq = 0;
    for (int32_t j = 0; j < n; j++) {
      sum += row[j];
      sum_sq += (int32_t)row[j] * row[j];
    }
    const int32_t mean = (int32_t)(sum * 1024 / n);
    const int64_t variance = sum_sq * (two_pow_20 / n) - (int64_t)mean * mean;
    int32_t variance2 = (int32_t)(variance / two_pow_20);
    if (variance2 < 1) variance2 = g->layer_norm_variance_guard;
    int32_t inv_multiplier;
    int inv_right_shift;
    spry_fp_inv_sqrt(variance2, &inv_multiplier, &inv_right_shift);
    for (int32_t j = 0; j < n; j++) {
      const int32_t rescaled = spry_multiply_by_quantized_multiplier(
          1024 * (int32_t)row[j] - mean, inv_multiplier, -inv_right_shift);
      const int64_t weighted = wrap32((int64_t)rescaled * g->layer_norm_weights[j] +
                                      g->layer_norm_bias[j]);
      const int32_t rounded = (int32_t)((weighted > 0 ? weighted + 512 : weighted - 512) / 1024);
      const int32_t v = spry_multiply_by_quantized_multiplier(rounded, g->layer_norm_multiplier,
                                                              g->layer_norm_shift + 12);
      row[j] = (int16_t)spry_clamp_i32(v, INT16_MIN, INT16_MAX);
    }
  }
}

static void gate_s8(const SpryLstmQuantParams *p, const SpryLstmShape *s, int index,
                    const int8_t *input, const int8_t *output_state, const int16_t *cell_state,
                    int16_t *gate) {
  const SpryLstmQuantGate *g = &p->gates[index];
  const size_t count = (size_t)s->n_batch * s->n_cell;
  memset(gate, 0, count * sizeof *gate);
  matmul_acc_s16(p->matvec, g->input_weights, g->input_bias, g->input_multiplier,
                 g->input_shift, input, s->n_cell, s->n_input, s->n_batch, gate);
  matmul_acc_s16(p->matvec, g->recurrent_weights, g->recurrent_bias, g->recurrent_multiplier,
                 g->recurrent_shift, output_state, s->n_cell, s->n_output, s->n_batch, gate);
  if (g->peephole_weights) peephole_acc(g, s, cell_state, gate);
  if (g->layer_norm_weights) layer_norm_s16(g, s, gate);
  for (size_t i = 0; i < count; i++)
    gate[i] = index == GATE_CELL ? spry_fp16_tanh(gate[i], 3) : spry_fp16_logistic_q3(gate[i]);
}

/* (a * b) / 2^shift rounded, truncated to int16 as TFLite's CwiseMul does. */
static int16_t mul_shift(int16_t a, int16_t b, int shift) {
  const int32_t v = spry_rounding_divide_by_pot((int32_t)a * b, shift);
  return (int16_t)(uint16_t)((uint32_t)v & 0xFFFFu);
}

static void update_cell(const SpryLstmQuantParams *p, size_t count, int16_t *cell_state,
                        const int16_t *input_gate, const int16_t *forget_gate,
                        const int16_t *cell_gate) {
  const int shift = 30 + p->cell_scale_log2;
  for (size_t i = 0; i < count; i++) {
    const int16_t kept = mul_shift(forget_gate[i], cell_state[i], 15);
    const int16_t in_gate = input_gate ? input_gate[i] : (int16_t)(INT16_MAX - forget_gate[i]);
    const int16_t added = mul_shift(in_gate, cell_gate[i], shift);
    int32_t c = spry_clamp_i32((int32_t)kept + added, INT16_MIN, INT16_MAX);
    if (p->cell_clip > 0) c = spry_clamp_i32(c, -p->cell_clip, p->cell_clip);
    cell_state[i] = (int16_t)c;
  }
}

static void project(const SpryLstmQuantParams *p, const SpryLstmShape *s, const int8_t *hidden,
                    int8_t *output_state) {
  for (int32_t b = 0; b < s->n_batch; b++)
    for (int32_t r = 0; r < s->n_output; r++) {
      int32_t acc = spry_multiply_by_quantized_multiplier(
          dot_s8(p->matvec, p->projection_weights + (size_t)r * s->n_cell,
                 hidden + (size_t)b * s->n_cell, s->n_cell, p->projection_bias[r]),
          p->projection_multiplier, p->projection_shift);
      acc = spry_clamp_i32(spry_fp_add(acc, p->output_state_zero_point), INT8_MIN, INT8_MAX);
      if (p->proj_clip > 0) acc = spry_clamp_i32(acc, -p->proj_clip, p->proj_clip);
      output_state[(size_t)b * s->n_output + r] = (int8_t)acc;
    }
}

void spry_ref_lstm_step_s8(const SpryLstmQuantParams *p, const SpryLstmShape *s,
                           const int8_t *input, int8_t *output_state, int16_t *cell_state,
                           int16_t *scratch16, int8_t *scratch8) {
  const size_t count = (size_t)s->n_batch * s->n_cell;
  int16_t *gates[4] = {scratch16, scratch16 + count, scratch16 + 2 * count,
                       scratch16 + 3 * count};
  const bool cifg = p->gates[GATE_INPUT].input_weights == NULL;
  if (!cifg) gate_s8(p, s, GATE_INPUT, input, output_state, cell_state, gates[GATE_INPUT]);
  gate_s8(p, s, GATE_FORGET, input, output_state, cell_state, gates[GATE_FORGET]);
  gate_s8(p, s, GATE_CELL, input, output_state, cell_state, gates[GATE_CELL]);
  update_cell(p, count, cell_state, cifg ? NULL : gates[GATE_INPUT], gates[GATE_FORGET],
              gates[GATE_CELL]);
  gate_s8(p, s, GATE_OUTPUT, input, output_state, cell_state, gates[GATE_OUTPUT]);
  /* hidden = output_gate * tanh(cell), requantized to int8. */
  const int tanh_bits = 15 + p->cell_scale_log2;
  for (size_t i = 0; i < count; i++) {
    const int32_t prod = (int32_t)gates[GATE_OUTPUT][i] * spry_fp16_tanh(cell_state[i], tanh_bits);
    const int32_t h = spry_multiply_by_quantized_multiplier(prod, p->hidden_multiplier,
                                                            p->hidden_shift);
    scratch8[i] = (int8_t)spry_clamp_i32(spry_fp_add(h, p->hidden_zero_point), INT8_MIN, INT8_MAX);
  }
  if (p->projection_weights)
    project(p, s, scratch8, output_state);
  else
    memcpy(output_state, scratch8, count);
}
