/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_frontend.c — the TFLite Micro audio front-end custom ops that
 * shape the spectrum: SignalWindow, SignalFftAutoScale, SignalEnergy,
 * SignalFilterBank and SignalFilterBankSquareRoot (version 1 each; int16 /
 * uint32 / uint64 tensors as the TFLM kernels require). Loops in
 * reference/signal_frontend.c.
 */
#include "reference/signal_frontend.h"

#include <string.h>

#include "kernel_util.h"
#include "signal_common.h"

/* ---- SignalWindow: int16 frame x int16 window >> shift ------------------- */

/* Op data: the shift, an int32_t. */
static SpryStatus window_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return spry_signal_init_int_option(ctx, node, "shift", 0, 31, user_data);
}

static SpryStatus window_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0), *w = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_INT16, -1));
  SPRY_TRY(spry_signal_check(ctx, "window", w, SPRY_TYPE_INT16, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_INT16, in->rank));
  const size_t n = spry_tensor_elements(in), size = (size_t)w->dims[0];
  /* The window is applied to whole consecutive blocks of its length. */
  SPRY_ENSURE_MSG(ctx, size > 0 && n % size == 0, SPRY_ERROR_INVALID_MODEL,
                  "%zu input samples are not a whole number of %zu-sample windows", n, size);
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus window_invoke(SpryContext *ctx, SpryNode *node) {
  const int32_t shift = *(const int32_t *)node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0), *w = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  spry_signal_window(in->data, spry_tensor_elements(in), w->data, (size_t)w->dims[0], shift,
                     out->data);
  return SPRY_OK;
}

/* ---- SignalFftAutoScale: normalise a frame's peak, report the shift ----- */

static SpryStatus auto_scale_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 2));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0), *bits = spry_node_output(ctx, node, 1);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_INT16, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_INT16, 1));
  SPRY_TRY(spry_signal_check(ctx, "scale bits", bits, SPRY_TYPE_INT32, 0));
  SPRY_TRY(spry_context_resize_tensor(ctx, bits, 0, in->dims));
  return spry_context_resize_tensor(ctx, out, 1, in->dims);
}

static SpryStatus auto_scale_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0), *bits = spry_node_output(ctx, node, 1);
  *(int32_t *)bits->data =
      spry_signal_fft_auto_scale(in->data, spry_tensor_elements(in), out->data);
  return SPRY_OK;
}

/* ---- SignalEnergy: |X[k]|^2 for k in [start_index, end_index) ---------- */

typedef struct EnergyData {
  int32_t start, end;
} EnergyData;

static SpryStatus energy_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_TRY(spry_signal_alloc_op_data(ctx, sizeof(EnergyData), user_data));
  EnergyData *d = *user_data;
  int64_t start = 0, end = 0;
  SPRY_TRY(spry_signal_option(ctx, node, "start_index", true, 0, 0, INT32_MAX, &start));
  SPRY_TRY(spry_signal_option(ctx, node, "end_index", true, 0, 0, INT32_MAX, &end));
  d->start = (int32_t)start;
  d->end = (int32_t)end;
  return SPRY_OK;
}

static SpryStatus energy_prepare(SpryContext *ctx, SpryNode *node) {
  const EnergyData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_INT16, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_UINT32, 1));
  SPRY_ENSURE_MSG(ctx, in->dims[0] % 2 == 0, SPRY_ERROR_INVALID_MODEL,
                  "input holds (re, im) pairs: its length %d must be even", (int)in->dims[0]);
  const int32_t bins = in->dims[0] / 2;
  SPRY_ENSURE_MSG(ctx, d->start <= d->end && d->end <= bins, SPRY_ERROR_INVALID_MODEL,
                  "bins [%d, %d) are not inside the %d-bin spectrum", (int)d->start, (int)d->end,
                  (int)bins);
  return spry_context_resize_tensor(ctx, out, 1, &bins);
}

static SpryStatus energy_invoke(SpryContext *ctx, SpryNode *node) {
  const EnergyData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  /* TFLM leaves bins outside the range unwritten (stale arena bytes); zero
   * them so results never depend on earlier runs. */
  memset(out->data, 0, out->bytes);
  spry_signal_energy(in->data, d->start, d->end, out->data);
  return SPRY_OK;
}

/* ---- SignalFilterBank: triangular mel channels over the energies -------- */

typedef struct FilterBankData {
  int32_t num_channels;
  int32_t work_index;
} FilterBankData;

static SpryStatus filter_bank_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_TRY(spry_signal_alloc_op_data(ctx, sizeof(FilterBankData), user_data));
  int64_t channels = 0;
  SPRY_TRY(spry_signal_option(ctx, node, "num_channels", true, 0, 1, INT32_MAX - 1, &channels));
  ((FilterBankData *)*user_data)->num_channels = (int32_t)channels;
  return SPRY_OK;
}

/* Every channel's frequency and weight range lies inside its tables. */
static bool filter_bank_in_bounds(const SprySignalFilterBank *fb, int32_t num_energies,
                                  int32_t num_weights) {
  for (int32_t c = 0; c <= fb->num_channels; c++) {
    const int32_t freq = fb->freq_starts[c], first = fb->weight_starts[c], width = fb->widths[c];
    if (freq < 0 || first < 0 || width < 0) return false;
    if (width > num_energies - freq || width > num_weights - first) return false;
  }
  return true;
}

static SpryStatus filter_bank_config(SpryContext *ctx, const SpryNode *node,
                                     SprySignalFilterBank *fb, int32_t *num_weights) {
  const FilterBankData *d = node->user_data;
  const SpryTensor *t[5];
  static const char *const roles[5] = {"weights", "unweights", "channel frequency starts",
                                       "channel weight starts", "channel widths"};
  for (int32_t i = 0; i < 5; i++) {
    t[i] = spry_node_input(ctx, node, i + 1);
    SPRY_TRY(spry_signal_check(ctx, roles[i], t[i], SPRY_TYPE_INT16, 1));
    SPRY_ENSURE_MSG(ctx, i < 2 || t[i]->dims[0] > d->num_channels, SPRY_ERROR_INVALID_MODEL,
                    "%s has %d entries, %d channels need %d", roles[i], (int)t[i]->dims[0],
                    (int)d->num_channels, (int)d->num_channels + 1);
  }
  *num_weights = t[0]->dims[0] < t[1]->dims[0] ? t[0]->dims[0] : t[1]->dims[0];
  *fb = (SprySignalFilterBank){d->num_channels, t[0]->data, t[1]->data,
                               t[2]->data,      t[3]->data, t[4]->data};
  return SPRY_OK;
}

static bool all_constant(SpryContext *ctx, const SpryNode *node) {
  for (int32_t i = 1; i < 6; i++)
    if (spry_node_input(ctx, node, i)->kind != SPRY_TENSOR_CONSTANT) return false;
  return true;
}

static SpryStatus filter_bank_prepare(SpryContext *ctx, SpryNode *node) {
  FilterBankData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 6, 6, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_UINT32, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_UINT64, 1));
  SprySignalFilterBank fb;
  int32_t num_weights = 0;
  SPRY_TRY(filter_bank_config(ctx, node, &fb, &num_weights));
  /* Constant tables (the usual case) are checked once here; others at invoke. */
  SPRY_ENSURE_MSG(
      ctx, !all_constant(ctx, node) || filter_bank_in_bounds(&fb, in->dims[0], num_weights),
      SPRY_ERROR_INVALID_MODEL, "a channel reaches outside the %d energies or %d weights",
      (int)in->dims[0], (int)num_weights);
  SPRY_TRY(spry_context_request_scratch(ctx, ((size_t)d->num_channels + 1) * sizeof(uint64_t),
                                        &d->work_index));
  return spry_context_resize_tensor(ctx, out, 1, &d->num_channels);
}

static SpryStatus filter_bank_invoke(SpryContext *ctx, SpryNode *node) {
  const FilterBankData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SprySignalFilterBank fb;
  int32_t num_weights = 0;
  SPRY_TRY(filter_bank_config(ctx, node, &fb, &num_weights));
  SPRY_ENSURE_MSG(ctx, filter_bank_in_bounds(&fb, in->dims[0], num_weights), SPRY_ERROR_RUNTIME,
                  "a channel reaches outside the %d energies or %d weights", (int)in->dims[0],
                  (int)num_weights);
  uint64_t *work = spry_context_scratch(ctx, d->work_index);
  SPRY_ENSURE_MSG(ctx, work, SPRY_ERROR_BAD_STATE, "scratch buffer missing");
  spry_signal_filter_bank(&fb, in->data, work, spry_node_output(ctx, node, 0)->data);
  return SPRY_OK;
}

/* ---- SignalFilterBankSquareRoot: sqrt, then undo the FFT auto-scale ----- */

static SpryStatus sqrt_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 2, 2, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0), *bits = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_UINT64, 1));
  SPRY_TRY(spry_signal_check(ctx, "scale bits", bits, SPRY_TYPE_INT32, 0));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_UINT32, 1));
  return spry_context_resize_tensor(ctx, out, 1, in->dims);
}

static SpryStatus sqrt_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0), *bits = spry_node_input(ctx, node, 1);
  const int32_t shift = *(const int32_t *)bits->data;
  SPRY_ENSURE_MSG(ctx, shift >= 0 && shift < 32, SPRY_ERROR_RUNTIME,
                  "scale bits %d are outside [0, 31]", (int)shift);
  spry_signal_filter_bank_sqrt(in->data, spry_tensor_elements(in), shift,
                               spry_node_output(ctx, node, 0)->data);
  return SPRY_OK;
}

SPRY_SIGNAL_OP(spry_op_signalwindow, "SignalWindow", window_init, window_prepare, window_invoke,
               NULL);
SPRY_SIGNAL_OP(spry_op_signalfftautoscale, "SignalFftAutoScale", NULL, auto_scale_prepare,
               auto_scale_invoke, NULL);
SPRY_SIGNAL_OP(spry_op_signalenergy, "SignalEnergy", energy_init, energy_prepare, energy_invoke,
               NULL);
SPRY_SIGNAL_OP(spry_op_signalfilterbank, "SignalFilterBank", filter_bank_init, filter_bank_prepare,
               filter_bank_invoke, NULL);
SPRY_SIGNAL_OP(spry_op_signalfilterbanksquareroot, "SignalFilterBankSquareRoot", NULL, sqrt_prepare,
               sqrt_invoke, NULL);
