/* SPDX-License-Identifier: Apache-2.0 */
/* exercise.h — run untrusted model bytes through open, prepare and invoke and
 * check the error contract; shared by the libFuzzer target and the corruption
 * sweep test so both judge a model the same way. */
#ifndef SPRY_FUZZ_EXERCISE_H
#define SPRY_FUZZ_EXERCISE_H

#include <stddef.h>

#include "spry/spry.h"

/* Arena cap for hostile models: huge declared shapes fail in prepare instead
 * of allocating gigabytes. */
#define SPRY_EXERCISE_MAX_ARENA_BYTES ((size_t)64 << 20)

/* WHILE iterations an exercised model may run (the engine sets no limit, as
 * TFLite does not):
 * a corrupted loop condition or counter fails the invoke instead of hanging
 * the harness. */
#define SPRY_EXERCISE_MAX_LOOP_ITERATIONS 1000

typedef enum SpryExerciseOutcome {
  SPRY_EXERCISE_OPEN_FAILED = 0,
  SPRY_EXERCISE_PREPARE_FAILED,
  SPRY_EXERCISE_PREPARED,       /* prepared; invoke not requested */
  SPRY_EXERCISE_INVOKE_FAILED,
  SPRY_EXERCISE_INVOKED,
  SPRY_EXERCISE_OUTCOME_COUNT
} SpryExerciseOutcome;

typedef struct SpryExerciseResult {
  SpryExerciseOutcome outcome;
  SpryStatus status;            /* of the failing call, SPRY_OK otherwise */
  char message[160];            /* spry_last_error() of the failing call */
  /* Non-NULL when the library broke its error contract (a failure with an
   * out-of-range status or without a message): names the call. */
  const char *violation;
} SpryExerciseResult;

/* Opens `data` (exactly `size` bytes, used in place) and creates an
 * interpreter capped at SPRY_EXERCISE_MAX_ARENA_BYTES and
 * SPRY_EXERCISE_MAX_LOOP_ITERATIONS. When that succeeds and
 * the planned arena is at most `invoke_max_arena` bytes (0: never invoke,
 * SIZE_MAX: always), fills the inputs with a fixed pattern and invokes once.
 * Everything is freed before returning. */
void spry_exercise_model(const void *data, size_t size, size_t invoke_max_arena,
                         SpryExerciseResult *result);

/* Short name of an outcome ("open failed", ...). */
const char *spry_exercise_outcome_name(SpryExerciseOutcome outcome);

#endif /* SPRY_FUZZ_EXERCISE_H */
