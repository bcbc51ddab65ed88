/* SPDX-License-Identifier: Apache-2.0 */
/* svdf.c — float32, hybrid and integer SVDF steps (see the header). */
#include "svdf.h"

#include <string.h>

#include "../quantization.h"
#include "hybrid_gemv.h"

static size_t state_count(const SprySvdfShape *s) {
  return (size_t)s->n_batch * (size_t)s->n_filters * (size_t)s->memory;
}

/* The whole state moves left by one element; the last slot of every row is
 * rewritten next, so crossing row boundaries is harmless (TFLite does the same). */
static void shift_state(void *state, size_t count, size_t elem) {
  if (count > 1) memmove(state, (char *)state + elem, (count - 1) * elem);
}

static void time_and_output_f32(const SprySvdfParams *p, const float *state, float *scratch,
                                float *output) {
  const SprySvdfShape *s = &p->shape;
  const size_t rows = (size_t)s->n_batch * (size_t)s->n_filters;
  for (size_t i = 0; i < rows; i++) {
    const float *w = p->weights_time + (i % (size_t)s->n_filters) * (size_t)s->memory;
    const float *m = state + i * (size_t)s->memory;
    float dot = 0.0f;
    for (int32_t j = 0; j < s->memory; j++) dot += w[j] * m[j];
    scratch[i] = dot;
  }
  const size_t outputs = (size_t)s->n_batch * (size_t)s->n_units;
  for (size_t o = 0; o < outputs; o++) {
    float sum = 0.0f;
    for (int32_t r = 0; r < s->rank; r++) sum += scratch[o * (size_t)s->rank + (size_t)r];
    output[o] = p->bias ? sum + p->bias[o % (size_t)s->n_units] : sum;
  }
  spry_ref_activate_vector_f32(output, outputs, p->activation);
}

void spry_ref_svdf_f32(const SprySvdfParams *p, const float *input, float *state, float *scratch,
                       const SpryHybridScratch *quant, float *output) {
  const SprySvdfShape *s = &p->shape;
  shift_state(state, state_count(s), sizeof *state);
  const size_t rows = (size_t)s->n_batch * (size_t)s->n_filters;
  memset(scratch, 0, rows * sizeof *scratch);
  if (p->weights_feature)
    spry_ref_gemv_acc_f32(p->weights_feature, s->n_filters, s->n_input, input, s->n_batch,
                          scratch);
  else
    spry_ref_hybrid_accumulate(&p->feature_hybrid, s->n_filters, s->n_input, input, s->n_batch,
                               p->asymmetric, quant, scratch);
  for (size_t i = 0; i < rows; i++)
    state[i * (size_t)s->memory + (size_t)s->memory - 1] = scratch[i];
  time_and_output_f32(p, state, scratch, output);
}

/* Two's complement wrap to 32 bits: TFLite accumulates these sums in int32. */
static int32_t wrap32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

/* New state column: requantized (input - zp) . weights_feature, saturated to int16. */
static void feature_s8(const SprySvdfQuantParams *p, const int8_t *input, int16_t *state) {
  const SprySvdfShape *s = &p->shape;
  for (int32_t b = 0; b < s->n_batch; b++)
    for (int32_t f = 0; f < s->n_filters; f++) {
      const int8_t *w = p->weights_feature + (size_t)f * (size_t)s->n_input;
      const int8_t *x = input + (size_t)b * (size_t)s->n_input;
      int64_t acc = 0;
      for (int32_t c = 0; c < s->n_input; c++) acc += (int32_t)w[c] * (x[c] - p->input_zero_point);
      const int32_t v = spry_multiply_by_quantized_multiplier(wrap32(acc), p->feature_multiplier,
                                                              p->feature_shift);
      const size_t row = (size_t)b * (size_t)s->n_filters + (size_t)f;
      state[row * (size_t)s->memory + (size_t)s->memory - 1] =
          (int16_t)spry_clamp_i32(v, INT16_MIN, INT16_MAX);
    }
}

void spry_ref_svdf_s8(const SprySvdfQuantParams *p, const int8_t *input, int16_t *state,
                      int32_t *scratch, int8_t *output) {
  const SprySvdfShape *s = &p->shape;
  shift_state(state, state_count(s), sizeof *state);
  feature_s8(p, input, state);
  const size_t rows = (size_t)s->n_batch * (size_t)s->n_filters;
  for (size_t i = 0; i < rows; i++) {
    const int16_t *w = p->weights_time + (i % (size_t)s->n_filters) * (size_t)s->memory;
    const int16_t *m = state + i * (size_t)s->memory;
    int64_t acc = 0;
    for (int32_t j = 0; j < s->memory; j++) acc += (int32_t)w[j] * m[j];
    scratch[i] = wrap32(acc);
  }
  const size_t outputs = (size_t)s->n_batch * (size_t)s->n_units;
  for (size_t o = 0; o < outputs; o++) {
    int64_t acc = p->bias ? p->bias[o % (size_t)s->n_units] : 0;
    for (int32_t r = 0; r < s->rank; r++) acc += scratch[o * (size_t)s->rank + (size_t)r];
    const int32_t v = spry_multiply_by_quantized_multiplier(wrap32(acc), p->output_multiplier,
                                                            p->output_shift);
    output[o] = (int8_t)spry_clamp_i32(v + p->output_zero_point, INT8_MIN, INT8_MAX);
  }
}
