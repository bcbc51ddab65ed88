/* SPDX-License-Identifier: Apache-2.0 */
/* invoke.c — running the prepared plan, with optional per-operator timing. */
#include <time.h>

#include "dynamic.h"
#include "interpreter_internal.h"
#include "status.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void record_time(SpryInterpreter *interp, const SpryNodeState *state, double ms) {
  SpryProfileEntry *entry = &interp->profile[state->node.index];
  entry->node = state->node.index;
  entry->op.builtin_code = state->opcode->builtin_code;
  entry->op.version = state->opcode->version;
  entry->op.name = spry_opcode_name(state->opcode);
  entry->op.custom = state->opcode->builtin_code == SPRY_BUILTIN_CUSTOM;
  entry->ms = ms;
}

static SpryStatus invoke_node(SpryInterpreter *interp, SpryNodeState *state) {
  SpryContext *ctx = &interp->context;
  /* A folded node's output was computed at prepare; a fused RELU's by the
   * convolution before it (fusion.h). */
  if (state->folded || state->fused) {
    if (interp->options.profile) record_time(interp, state, 0.0);
    return SPRY_OK;
  }
  const double start = interp->options.profile ? now_ms() : 0.0;
  /* A node reading run-time shapes is prepared for this run's shapes. */
  if (state->deferred) SPRY_TRY(spry_dynamic_prepare_node(interp, state));
  ctx->node = state;
  const SpryStatus status = state->registration->invoke(ctx, &state->node);
  if (interp->options.profile) record_time(interp, state, now_ms() - start);
  ctx->node = NULL;
  return status;
}

SpryStatus spry_interpreter_invoke(SpryInterpreter *interp) {
  if (!interp) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "interpreter is NULL");
  if (interp->needs_prepare) SPRY_TRY(spry_interpreter_prepare(interp));
  SpryContext *ctx = &interp->context;
  ctx->phase = SPRY_PHASE_INVOKE;
  spry_clear_error();
  for (int32_t n = 0; n < interp->num_nodes; n++) {
    SpryNodeState *state = &interp->nodes[n];
    const SpryStatus status = invoke_node(interp, state);
    if (status != SPRY_OK) {
      ctx->phase = SPRY_PHASE_IDLE;
      if (spry_last_error()[0] == '\0')
        spry_set_error(status, "%s (node %d): invoke failed (%s)", spry_opcode_name(state->opcode),
                       (int)n, spry_status_name(status));
      return status;
    }
  }
  ctx->phase = SPRY_PHASE_IDLE;
  return SPRY_OK;
}

SpryStatus spry_interpreter_profile(const SpryInterpreter *interp,
                                    const SpryProfileEntry **out_entries, int32_t *out_count) {
  if (!interp || !out_entries || !out_count)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "NULL argument");
  if (!interp->options.profile)
    return spry_set_error(SPRY_ERROR_BAD_STATE,
                          "profiling is off: set SpryOptions.profile when creating the interpreter");
  *out_entries = interp->profile;
  *out_count = interp->num_nodes;
  return SPRY_OK;
}
