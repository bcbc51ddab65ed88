/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_basic.c — one step of the BASIC LSTM cell, float32 and uint8 (see the header). */
#include "lstm_basic.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "../quantization.h"
#include "fully_connected.h"
#include "lstm_fixed16.h"

enum { GATE_INPUT = 0, GATE_NEW_INPUT = 1, GATE_FORGET = 2, GATE_OUTPUT = 3 };

/* Each row of `a` followed by the same row of `b` (row sizes in bytes). */
static void concat_rows(const void *a, size_t a_row, const void *b, size_t b_row,
                        int32_t rows, void *out) {
  uint8_t *dst = out;
  for (int32_t r = 0; r < rows; r++) {
    if (a_row) memcpy(dst, (const uint8_t *)a + (size_t)r * a_row, a_row);
    memcpy(dst + a_row, (const uint8_t *)b + (size_t)r * b_row, b_row);
    dst += a_row + b_row;
  }
}

static float logistic(float x) { return 1.0f / (1.0f + expf(-x)); }

void spry_ref_lstm_basic_f32(const SpryLstmBasicShape *s, const SpryLstmBasicTensors *t) {
  const int32_t n = s->output_depth, depth = s->input_depth + n;
  concat_rows(t->input, (size_t)s->input_depth * sizeof(float), t->prev_activ,
              (size_t)n * sizeof(float), s->batches, t->concat_temp);
  const SpryFullyConnectedParams fc = {.batches = s->batches,
                                       .accum_depth = depth,
                                       .output_depth = 4 * n,
                                       .act_min_f = -FLT_MAX,
                                       .act_max_f = FLT_MAX};
  spry_ref_fully_connected_f32(&fc, t->concat_temp, t->weights, t->bias, t->activ_temp);
  const float *prev_state = t->prev_state;
  float *output_state = t->output_state, *output_activ = t->output_activ;
  for (int32_t b = 0; b < s->batches; b++) {
    const float *gates = (const float *)t->activ_temp + (size_t)b * 4 * n;
    for (int32_t c = 0; c < n; c++) {
      const size_t i = (size_t)b * n + c;
      const float *g = gates + c;
      const float state = logistic(g[GATE_INPUT * n]) * tanhf(g[GATE_NEW_INPUT * n]) +
                          logistic(g[GATE_FORGET * n]) * prev_state[i];
      output_state[i] = state;
      output_activ[i] = logistic(g[GATE_OUTPUT * n]) * tanhf(state);
    }
  }
}

/* The fully-connected node: int32 sums of (input - 128) * (weights - zero
 * point) plus bias, wrapping as TFLite's do, requantized to Q3.12 and
 * saturated to int16. TFLite runs this product through its optimized GEMM
 * even with the reference kernels, so ties round up as there. */
static void fully_connected_q3(const SpryLstmBasicShape *s, const SpryLstmBasicQuant *q,
                               const uint8_t *concat, const uint8_t *weights,
                               const int32_t *bias, int16_t *out) {
  const int32_t depth = s->input_depth + s->output_depth, rows = 4 * s->output_depth;
  for (int32_t b = 0; b < s->batches; b++) {
    const uint8_t *x = concat + (size_t)b * depth;
    for (int32_t r = 0; r < rows; r++) {
      const uint8_t *w = weights + (size_t)r * depth;
      uint32_t acc = (uint32_t)bias[r];
      for (int32_t d = 0; d < depth; d++)
        acc += (uint32_t)(((int32_t)x[d] - 128) * ((int32_t)w[d] - q->weights_zero_point));
      out[(size_t)b * rows + r] = spry_fp16_saturate(spry_multiply_by_quantized_multiplier_ties_up(
          (int32_t)acc, q->accum_multiplier, q->accum_shift));
    }
  }
}

/* One cell: gates in Q3.12, their activations in Q0.15, the state in Q4.11. */
static void cell_q(const int16_t *gates, int32_t n, int16_t prev_state, int16_t *state,
                   uint8_t *activ) {
  const int16_t input_gate = spry_fp16_logistic_q3(gates[GATE_INPUT * n]);
  const int16_t new_input = spry_fp16_tanh(gates[GATE_NEW_INPUT * n], 3);
  const int16_t forget_gate = spry_fp16_logistic_q3(gates[GATE_FORGET * n]);
  const int16_t output_gate = spry_fp16_logistic_q3(gates[GATE_OUTPUT * n]);
  /* Q0.15 -> Q4.11 is a rounding shift; Q0.15 * Q4.11 is already Q4.11. */
  const int16_t added = spry_fp16_rounding_divide_by_pot(spry_fp16_mul(input_gate, new_input), 4);
  const int16_t new_state =
      spry_fp16_saturating_add(added, spry_fp16_mul(forget_gate, prev_state));
  /* tanh takes the state as Q3.12: beyond +-8 it saturates, costing < 3e-7. */
  const int16_t state_q3 = spry_fp16_saturating_shl(new_state, 1);
  const int16_t out = spry_fp16_mul(output_gate, spry_fp16_tanh(state_q3, 3));
  *state = new_state;
  /* Q0.15 -> Q0.7 bytes around 128. */
  *activ = (uint8_t)(128 + spry_clamp_i32(spry_fp16_rounding_divide_by_pot(out, 8), -128, 127));
}

void spry_ref_lstm_basic_u8(const SpryLstmBasicShape *s, const SpryLstmBasicQuant *q,
                            const SpryLstmBasicTensors *t) {
  const int32_t n = s->output_depth;
  concat_rows(t->input, (size_t)s->input_depth, t->prev_activ, (size_t)n, s->batches,
              t->concat_temp);
  int16_t *gates = t->activ_temp;
  fully_connected_q3(s, q, t->concat_temp, t->weights, t->bias, gates);
  const int16_t *prev_state = t->prev_state;
  int16_t *output_state = t->output_state;
  uint8_t *output_activ = t->output_activ;
  for (int32_t b = 0; b < s->batches; b++) {
    for (int32_t c = 0; c < n; c++) {
      const size_t i = (size_t)b * n + c;
      cell_q(gates + (size_t)b * 4 * n + c, n, prev_state[i], &output_state[i], &output_activ[i]);
    }
  }
}
