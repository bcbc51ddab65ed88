/* SPDX-License-Identifier: Apache-2.0 */
/* exercise.c — open/prepare/invoke one untrusted model and check the error
 * contract (see exercise.h). */
#include "exercise.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "status.h"
#include "subgraph.h"

/* Deterministic, finite input values: the point is to reach every kernel with
 * ordinary data, not to fuzz the numerics (bool tensors must hold 0 or 1, and
 * floats stay small so no kernel sees NaN from the pattern itself). */
static void spry_exercise_fill(SpryTensor *tensor) {
  uint8_t *data = spry_tensor_data(tensor);
  size_t bytes = spry_tensor_byte_size(tensor);
  if (data == NULL) return;
  switch (spry_tensor_type(tensor)) {
    case SPRY_TYPE_FLOAT32:
      for (size_t i = 0; i < bytes / sizeof(float); i++) {
        float v = (float)((int)(i * 7 % 17) - 8) * 0.125f;
        memcpy(data + i * sizeof v, &v, sizeof v);
      }
      break;
    case SPRY_TYPE_FLOAT64:
      for (size_t i = 0; i < bytes / sizeof(double); i++) {
        double v = (double)((int)(i * 7 % 17) - 8) * 0.125;
        memcpy(data + i * sizeof v, &v, sizeof v);
      }
      break;
    case SPRY_TYPE_FLOAT16: {
      static const uint16_t halves[3] = {0x3C00u /* 1 */, 0x0000u, 0xB800u /* -0.5 */};
      for (size_t i = 0; i < bytes / 2; i++) memcpy(data + 2 * i, &halves[i % 3], 2);
      break;
    }
    case SPRY_TYPE_BOOL:
      for (size_t i = 0; i < bytes; i++) data[i] = (uint8_t)(i & 1u);
      break;
    default:
      for (size_t i = 0; i < bytes; i++) data[i] = (uint8_t)(i * 37u + 11u);
      break;
  }
}

/* Records a failed call and checks that it kept the contract of spry.h. */
static void spry_exercise_fail(SpryExerciseResult *result, SpryExerciseOutcome outcome,
                               SpryStatus status, const char *call) {
  const char *message = spry_last_error();
  result->outcome = outcome;
  result->status = status;
  snprintf(result->message, sizeof result->message, "%s", message);
  if (status < SPRY_ERROR_INVALID_ARGUMENT || status > SPRY_ERROR_RUNTIME)
    result->violation = call;
  else if (message == NULL || message[0] == '\0')
    result->violation = call;
}

void spry_exercise_model(const void *data, size_t size, size_t invoke_max_arena,
                         SpryExerciseResult *result) {
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  memset(result, 0, sizeof *result);

  /* Cleared first so a stale message cannot hide a failure without one. */
  spry_clear_error();
  SpryStatus status = spry_model_open_buffer(data, size, &model);
  if (status != SPRY_OK) {
    spry_exercise_fail(result, SPRY_EXERCISE_OPEN_FAILED, status, "spry_model_open_buffer");
    return;
  }

  SpryOptions options;
  spry_options_init(&options);
  options.max_arena_bytes = SPRY_EXERCISE_MAX_ARENA_BYTES;
  spry_clear_error();
  status = spry_interpreter_new(model, &options, &interp);
  if (status != SPRY_OK) {
    spry_exercise_fail(result, SPRY_EXERCISE_PREPARE_FAILED, status, "spry_interpreter_new");
    goto done;
  }

  result->outcome = SPRY_EXERCISE_PREPARED;
  /* A corrupted loop condition could otherwise spin forever. */
  spry_interpreter_set_loop_budget(interp, SPRY_EXERCISE_MAX_LOOP_ITERATIONS);
  if (invoke_max_arena > 0 && spry_interpreter_arena_bytes(interp) <= invoke_max_arena) {
    int32_t inputs = spry_interpreter_input_count(interp);
    for (int32_t i = 0; i < inputs; i++) {
      SpryTensor *tensor = spry_interpreter_input(interp, i);
      if (tensor != NULL) spry_exercise_fill(tensor);
    }
    spry_clear_error();
    status = spry_interpreter_invoke(interp);
    if (status != SPRY_OK)
      spry_exercise_fail(result, SPRY_EXERCISE_INVOKE_FAILED, status, "spry_interpreter_invoke");
    else
      result->outcome = SPRY_EXERCISE_INVOKED;
  }

done:
  spry_interpreter_free(interp);
  spry_model_free(model);
}

const char *spry_exercise_outcome_name(SpryExerciseOutcome outcome) {
  switch (outcome) {
    case SPRY_EXERCISE_OPEN_FAILED: return "failed-open";
    case SPRY_EXERCISE_PREPARE_FAILED: return "failed-prepare";
    case SPRY_EXERCISE_PREPARED: return "prepared";
    case SPRY_EXERCISE_INVOKE_FAILED: return "failed-invoke";
    case SPRY_EXERCISE_INVOKED: return "invoked";
    case SPRY_EXERCISE_OUTCOME_COUNT: break;
  }
  return "unknown";
}
