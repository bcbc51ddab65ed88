/* SPDX-License-Identifier: Apache-2.0 */
/* lstm_hybrid.c — prepare-time setup of a hybrid LSTM cell (see the header). */
#include "lstm_hybrid.h"

#include <stdio.h>

#include "kernel_util.h"

static const SpryTensor *cell_input(SpryContext *ctx, const SpryNode *node, int32_t index) {
  return index >= 0 ? spry_node_input(ctx, node, index) : NULL;
}

static bool is_8bit(SpryType type) { return type == SPRY_TYPE_INT8 || type == SPRY_TYPE_UINT8; }

bool spry_lstm_is_hybrid(const SpryTensor *input, const SpryTensor *weights) {
  return input->type == SPRY_TYPE_FLOAT32 && is_8bit(weights->type);
}

int32_t spry_lstm_hybrid_widest(const SpryLstmShape *s) {
  const int32_t widths[4] = {s->n_input, s->n_aux_input, s->n_output, s->n_cell};
  int32_t widest = 0;
  for (int i = 0; i < 4; i++)
    if (widths[i] > widest) widest = widths[i];
  return widest;
}

/* How error messages name node input `index`. */
static const char *input_role(char role[static 32], int32_t index) {
  snprintf(role, 32, "input %d", (int)index);
  return role;
}

/* One present matrix into *out (left zeroed when the tensor is absent). */
static SpryStatus prepare_matrix(SpryContext *ctx, const SpryNode *node, int32_t index,
                                 bool asymmetric, SpryHybridWeights *out) {
  *out = (SpryHybridWeights){0};
  const SpryTensor *t = cell_input(ctx, node, index);
  if (!t) return SPRY_OK;
  char role[32];
  return spry_hybrid_weights_prepare_u8_as_s8(ctx, input_role(role, index), t, asymmetric, out);
}

SpryStatus spry_lstm_hybrid_prepare(SpryContext *ctx, const SpryNode *node,
                                    const SpryLstmCellTensors *cell, bool asymmetric,
                                    SpryLstmHybrid *out, const float *peepholes[4]) {
  out->asymmetric = asymmetric;
  for (int g = 0; g < 4; g++) {
    SPRY_TRY(prepare_matrix(ctx, node, cell->input[g], asymmetric, &out->input[g]));
    SPRY_TRY(prepare_matrix(ctx, node, cell->aux_input[g], asymmetric, &out->aux_input[g]));
    SPRY_TRY(prepare_matrix(ctx, node, cell->recurrent[g], asymmetric, &out->recurrent[g]));
    peepholes[g] = NULL;
    const SpryTensor *p = cell_input(ctx, node, cell->peephole[g]);
    if (!p) continue;
    char role[32];
    SPRY_TRY(spry_hybrid_vector_dequantize(ctx, input_role(role, cell->peephole[g]), p,
                                           &peepholes[g]));
  }
  return prepare_matrix(ctx, node, cell->projection, asymmetric, &out->projection);
}
