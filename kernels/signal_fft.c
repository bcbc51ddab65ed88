/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_fft.c — the SignalRfft custom op of the TFLite Micro audio front
 * end (version 1): a real FFT of each row of the input (last dimension,
 * zero-padded to fft_length) into fft_length / 2 + 1 complex bins stored as
 * (re, im) pairs. Options: T (the tensor type) and fft_length (even).
 * int16 and int32 use the fixed-point KISS FFT arithmetic
 * (reference/signal_fft.c), bit-exact. The float32 variant is not
 * implemented yet and fails in prepare with SPRY_ERROR_UNSUPPORTED.
 */
#include "reference/signal_fft.h"

#include <string.h>

#include "kernel_util.h"
#include "signal_common.h"

typedef struct RfftData {
  int32_t type;
  int32_t fft_length;
  int32_t work_index;
  SpryRfftPlan plan;
} RfftData;

static SpryStatus rfft_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  SPRY_TRY(spry_signal_alloc_op_data(ctx, sizeof(RfftData), user_data));
  RfftData *d = *user_data;
  int64_t type = 0, length = 0;
  SPRY_TRY(spry_signal_option(ctx, node, "T", true, 0, 0, INT32_MAX, &type));
  SPRY_TRY(spry_signal_option(ctx, node, "fft_length", true, 0, 2, 1 << 24, &length));
  d->type = (int32_t)type;
  d->fft_length = (int32_t)length;
  return SPRY_OK;
}

static SpryStatus rfft_prepare(SpryContext *ctx, SpryNode *node) {
  RfftData *d = node->user_data;
  SPRY_TRY(spry_op_check_arity(ctx, node, 1, 1, 1));
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, d->type == SPRY_TYPE_INT16 || d->type == SPRY_TYPE_INT32,
                  SPRY_ERROR_UNSUPPORTED, "SignalRfft of type %s is not supported (int16, int32)",
                  spry_type_name((SpryType)d->type));
  SPRY_TRY(spry_signal_check(ctx, "input", in, (SpryType)d->type, -1));
  SPRY_TRY(spry_signal_check(ctx, "output", out, (SpryType)d->type, in->rank));
  size_t plan_bytes = 0, work_bytes = 0;
  SPRY_ENSURE_MSG(ctx, spry_rfft_sizes(d->fft_length, &plan_bytes, &work_bytes),
                  SPRY_ERROR_INVALID_MODEL, "fft_length %d must be even", (int)d->fft_length);
  const int32_t row = in->dims[in->rank - 1];
  SPRY_ENSURE_MSG(ctx, row <= d->fft_length, SPRY_ERROR_INVALID_MODEL,
                  "rows of %d samples do not fit fft_length %d", (int)row, (int)d->fft_length);
  void *tables = spry_context_alloc_persistent(ctx, plan_bytes);
  if (!tables) return SPRY_ERROR_OUT_OF_MEMORY;
  spry_rfft_plan_init(&d->plan, d->fft_length, d->type == SPRY_TYPE_INT16 ? 16 : 32, tables);
  SPRY_TRY(spry_context_request_scratch(ctx, work_bytes, &d->work_index));
  int32_t dims[SPRY_MAX_RANK];
  memcpy(dims, in->dims, sizeof dims);
  dims[in->rank - 1] = d->fft_length + 2;
  return spry_context_resize_tensor(ctx, out, in->rank, dims);
}

static SpryStatus rfft_invoke(SpryContext *ctx, SpryNode *node) {
  const RfftData *d = node->user_data;
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  void *work = spry_context_scratch(ctx, d->work_index);
  SPRY_ENSURE_MSG(ctx, work, SPRY_ERROR_BAD_STATE, "scratch buffer missing");
  const int32_t row = in->dims[in->rank - 1];
  const size_t rows = row > 0 ? spry_tensor_elements(in) / (size_t)row : 0;
  const size_t elem = d->plan.bits / 8, out_row = (size_t)d->fft_length + 2;
  for (size_t r = 0; r < rows; r++)
    spry_rfft_fixed(&d->plan, (const char *)in->data + r * (size_t)row * elem, row,
                    (char *)out->data + r * out_row * elem, work);
  return SPRY_OK;
}

SPRY_SIGNAL_OP(spry_op_signalrfft, "SignalRfft", rfft_init, rfft_prepare, rfft_invoke, NULL);
