/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_noise.c — the TFLite Micro audio front-end custom ops after the
 * filter bank: SignalFilterBankSpectralSubtraction (stateful: a running
 * noise estimate per channel, zeroed by prepare and by the `reset`
 * callback), SignalPCAN and SignalFilterBankLog (version 1 each). Loops in
 * reference/signal_noise.c.
 */
#include "reference/signal_noise.h"

#include <string.h>

#include "kernel_util.h"
#include "signal_common.h"

/* ---- SignalFilterBankSpectralSubtraction --------------------------------- */

typedef struct SubtractionData {
  SprySpectralSubtraction params;
  uint32_t *noise; /* state: num_channels entries, persistent */
} SubtractionData;

static SpryStatus subtraction_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_TRY(spry_signal_alloc_op_data(ctx, sizeof(SubtractionData), user_data));
  SprySpectralSubtraction *p = &((SubtractionData *)*user_data)->params;
  static const char *const keys[5] = {"smoothing", "one_minus_smoothing", "alternate_smoothing",
                                      "alternate_one_minus_smoothing", "min_signal_remaining"};
  uint32_t *fields[5] = {&p->smoothing, &p->one_minus_smoothing, &p->alternate_smoothing,
                         &p->alternate_one_minus_smoothing, &p->min_signal_remaining};
  int64_t v = 0;
  /* TFLM reads these as int32 into uint32 fields: negative values wrap. */
  for (int32_t i = 0; i < 5; i++) {
    SPRY_TRY(spry_signal_option(ctx, node, keys[i], true, 0, INT32_MIN, INT32_MAX, &v));
    *fields[i] = (uint32_t)(int32_t)v;
  }
  SPRY_TRY(spry_signal_option(ctx, node, "num_channels", true, 0, 1, INT32_MAX, &v));
  p->num_channels = (int32_t)v;
  SPRY_TRY(spry_signal_option(ctx, node, "smoothing_bits", true, 0, 0, 31, &v));
  p->smoothing_bits = (int32_t)v;
  SPRY_TRY(spry_signal_option(ctx, node, "spectral_subtraction_bits", true, 0, 0, 63, &v));
  p->subtraction_bits = (int32_t)v;
  SPRY_TRY(spry_signal_option(ctx, node, "clamping", false, 0, INT64_MIN, INT64_MAX, &v));
  p->clamping = v != 0;
  return SPRY_OK;
}

static SpryStatus subtraction_prepare(SpryContext *ctx, SpryNode *node) {
  SubtractionData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 2));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0), *noise = spry_node_output(ctx, node, 1);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_UINT32, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_UINT32, 1));
  SPRY_TRY(spry_signal_check(ctx, "noise estimate", noise, SPRY_TYPE_UINT32, 1));
  SPRY_ENSURE_MSG(ctx, in->dims[0] == d->params.num_channels, SPRY_ERROR_INVALID_MODEL,
                  "input has %d channels, num_channels is %d", (int)in->dims[0],
                  (int)d->params.num_channels);
  /* Fresh, zeroed state on every prepare, as TFLM's Prepare resets it. */
  d->noise = spry_context_alloc_persistent(ctx, (size_t)in->dims[0] * sizeof(uint32_t));
  if (!d->noise) return SPRY_ERROR_OUT_OF_MEMORY;
  SPRY_TRY(spry_context_resize_tensor(ctx, noise, 1, in->dims));
  return spry_context_resize_tensor(ctx, out, 1, in->dims);
}

static SpryStatus subtraction_invoke(SpryContext *ctx, SpryNode *node) {
  const SubtractionData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0), *noise = spry_node_output(ctx, node, 1);
  spry_signal_spectral_subtraction(&d->params, in->data, out->data, d->noise);
  memcpy(noise->data, d->noise, (size_t)d->params.num_channels * sizeof(uint32_t));
  return SPRY_OK;
}

static SpryStatus subtraction_reset(SpryContext *ctx, SpryNode *node) {
  (void)ctx;
  const SubtractionData *d = node->user_data;
  if (d->noise) memset(d->noise, 0, (size_t)d->params.num_channels * sizeof(uint32_t));
  return SPRY_OK;
}

/* ---- SignalPCAN: per-channel automatic gain from the noise estimate ----- */

/* Op data: snr_shift, an int32_t. */
static SpryStatus pcan_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  return spry_signal_init_int_option(ctx, node, "snr_shift", 0, 63, user_data);
}

static SpryStatus pcan_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 3, 3, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0), *noise = spry_node_input(ctx, node, 1);
  const SpryTensor *lut = spry_node_input(ctx, node, 2);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_UINT32, 1));
  SPRY_TRY(spry_signal_check(ctx, "noise estimate", noise, SPRY_TYPE_UINT32, 1));
  SPRY_TRY(spry_signal_check(ctx, "gain table", lut, SPRY_TYPE_INT16, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_UINT32, 1));
  SPRY_ENSURE_MSG(ctx, noise->dims[0] == in->dims[0], SPRY_ERROR_INVALID_MODEL,
                  "noise estimate has %d channels, input %d", (int)noise->dims[0],
                  (int)in->dims[0]);
  SPRY_ENSURE_MSG(ctx, lut->dims[0] >= SPRY_PCAN_LUT_MIN, SPRY_ERROR_INVALID_MODEL,
                  "gain table has %d entries, needs %d", (int)lut->dims[0], SPRY_PCAN_LUT_MIN);
  return spry_context_resize_tensor(ctx, out, 1, in->dims);
}

static SpryStatus pcan_invoke(SpryContext *ctx, SpryNode *node) {
  const int32_t snr_shift = *(const int32_t *)node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0), *noise = spry_node_input(ctx, node, 1);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  memmove(out->data, in->data, in->bytes);
  spry_signal_pcan(spry_node_input(ctx, node, 2)->data, snr_shift, noise->data, out->data,
                   spry_tensor_elements(in));
  return SPRY_OK;
}

/* ---- SignalFilterBankLog: scaled natural log, saturated to int16 -------- */

typedef struct LogData {
  int32_t correction_bits;
  int32_t output_scale;
} LogData;

static SpryStatus log_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_TRY(spry_signal_alloc_op_data(ctx, sizeof(LogData), user_data));
  LogData *d = *user_data;
  int64_t v = 0;
  SPRY_TRY(spry_signal_option(ctx, node, "input_correction_bits", true, 0, 0, 31, &v));
  d->correction_bits = (int32_t)v;
  SPRY_TRY(spry_signal_option(ctx, node, "output_scale", true, 0, INT32_MIN, INT32_MAX, &v));
  d->output_scale = (int32_t)v;
  return SPRY_OK;
}

static SpryStatus log_prepare(SpryContext *ctx, SpryNode *node) {
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_TRY(spry_signal_check(ctx, "input", in, SPRY_TYPE_UINT32, 1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, SPRY_TYPE_INT16, 1));
  return spry_context_resize_tensor(ctx, out, 1, in->dims);
}

static SpryStatus log_invoke(SpryContext *ctx, SpryNode *node) {
  const LogData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  spry_signal_filter_bank_log(in->data, spry_tensor_elements(in), d->output_scale,
                              d->correction_bits, spry_node_output(ctx, node, 0)->data);
  return SPRY_OK;
}

SPRY_SIGNAL_OP(spry_op_signalfilterbankspectralsubtraction, "SignalFilterBankSpectralSubtraction",
               subtraction_init, subtraction_prepare, subtraction_invoke, subtraction_reset);
SPRY_SIGNAL_OP(spry_op_signalpcan, "SignalPCAN", pcan_init, pcan_prepare, pcan_invoke, NULL);
SPRY_SIGNAL_OP(spry_op_signalfilterbanklog, "SignalFilterBankLog", log_init, log_prepare,
               log_invoke, NULL);
