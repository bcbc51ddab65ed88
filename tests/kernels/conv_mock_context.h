/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_mock_context.h — a minimal stand-in for the engine's kernel context, so
 * that the convolution ops' init/prepare/invoke can be unit-tested without the
 * interpreter: tensors live in a caller's array, options in a small
 * field-id -> value table, persistent memory is tracked and freed by the mock.
 */
#ifndef SPRY_TESTS_CONV_MOCK_CONTEXT_H
#define SPRY_TESTS_CONV_MOCK_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu_isa.h"
#include "spry/op.h"

#define MOCK_MAX_OPTIONS 16
#define MOCK_MAX_ALLOCS 64
#define MOCK_MAX_SCRATCH 8

struct SpryOptionsTable {
  int32_t count;
  int32_t fields[MOCK_MAX_OPTIONS];
  int64_t values[MOCK_MAX_OPTIONS];
  bool is_real[MOCK_MAX_OPTIONS]; /* set with mock_options_set_f32: read reals[] */
  float reals[MOCK_MAX_OPTIONS];
};

struct SpryContext {
  SpryTensor *tensors;
  int32_t num_tensors;
  char message[512];
  void *allocs[MOCK_MAX_ALLOCS];
  int32_t num_allocs;
  void *scratch[MOCK_MAX_SCRATCH];
  int32_t num_scratch;
  SpryIsa isa;     /* kernel variant (default: reference) */
  int32_t threads; /* spry_context_num_threads (default 1); parallel loops run in reverse */
  int32_t parallel_loops; /* spry_context_parallel_for calls so far */
};

void mock_context_init(SpryContext *ctx, SpryTensor *tensors, int32_t num_tensors);
/* Frees the persistent allocations and scratch buffers (as the engine does
 * before a re-prepare). */
void mock_context_release(SpryContext *ctx);
/* Sets (or replaces) an option. */
void mock_options_set(SpryOptionsTable *table, int32_t field, int64_t value);
/* Sets (or replaces) a float option, which spry_option_f32 returns as is. */
void mock_options_set_f32(SpryOptionsTable *table, int32_t field, float value);

#endif /* SPRY_TESTS_CONV_MOCK_CONTEXT_H */
