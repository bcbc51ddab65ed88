/* SPDX-License-Identifier: Apache-2.0 */
/* rnn.c — one float32 or hybrid basic RNN step and the float activation (see the header). */
#include "rnn.h"

#include <math.h>
#include <string.h>

#include "../quantization.h"
#include "hybrid_gemv.h"

float spry_ref_activate_f32(float x, int activation) {
  switch (activation) {
    case SPRY_ACTIVATION_RELU: return x < 0.0f ? 0.0f : x;
    case SPRY_ACTIVATION_RELU_N1_TO_1: return fminf(fmaxf(x, -1.0f), 1.0f);
    case SPRY_ACTIVATION_RELU6: return fminf(fmaxf(x, 0.0f), 6.0f);
    case SPRY_ACTIVATION_TANH: return tanhf(x);
    case SPRY_ACTIVATION_SIGN_BIT: return signbit(x) ? 1.0f : 0.0f;
    default: return x;
  }
}

void spry_ref_activate_vector_f32(float *v, size_t n, int activation) {
  if (activation == SPRY_ACTIVATION_NONE) return;
  for (size_t i = 0; i < n; i++) v[i] = spry_ref_activate_f32(v[i], activation);
}

void spry_ref_hybrid_accumulate(const SpryHybridWeights *w, int32_t rows, int32_t cols,
                                const float *x, int32_t n_batch, bool asymmetric,
                                const SpryHybridScratch *scratch, float *output) {
  spry_ref_hybrid_accumulate_dot(w, rows, cols, x, n_batch, asymmetric, scratch, NULL, output);
}

void spry_ref_hybrid_accumulate_dot(const SpryHybridWeights *w, int32_t rows, int32_t cols,
                                    const float *x, int32_t n_batch, bool asymmetric,
                                    const SpryHybridScratch *scratch, SpryDotS8 dot,
                                    float *output) {
  if (spry_ref_is_zero_f32(x, (size_t)n_batch * (size_t)cols)) return;
  spry_ref_quantize_rows_s8(x, n_batch, cols, scratch->quantized, scratch->scales,
                            scratch->zero_points, asymmetric);
  /* The weight scale folds into the row scale first, in float, as TFLite does. */
  for (int32_t b = 0; b < n_batch; b++) scratch->scales[b] *= w->scale;
  spry_ref_hybrid_gemv_acc_dot(w->data, rows, cols, scratch->quantized, scratch->scales,
                               asymmetric ? scratch->zero_points : NULL, w->row_sums, n_batch,
                               dot, output);
}

void spry_ref_rnn_step_f32(const SpryRnnParams *p, const float *input, float *hidden,
                           float *output, const SpryHybridScratch *scratch) {
  const int32_t units = p->n_units;
  const size_t count = (size_t)p->n_batch * (size_t)units;
  for (int32_t b = 0; b < p->n_batch; b++)
    memcpy(output + (size_t)b * units, p->bias, (size_t)units * sizeof *output);
  if (p->input_weights) {
    spry_ref_gemv_acc_f32(p->input_weights, units, p->n_input, input, p->n_batch, output);
    spry_ref_gemv_acc_f32(p->recurrent_weights, units, units, hidden, p->n_batch, output);
  } else {
    spry_ref_hybrid_accumulate(&p->input_hybrid, units, p->n_input, input, p->n_batch,
                               p->asymmetric, scratch, output);
    spry_ref_hybrid_accumulate(&p->recurrent_hybrid, units, units, hidden, p->n_batch,
                               p->asymmetric, scratch, output);
  }
  spry_ref_activate_vector_f32(output, count, p->activation);
  memcpy(hidden, output, count * sizeof *hidden);
}
