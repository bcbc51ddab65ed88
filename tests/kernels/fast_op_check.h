/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fast_op_check.h — runs one op's registration on the mock context
 * (conv_mock_context.h) on the reference variant and on every fast variant
 * this CPU runs, at 1 to 3 threads, and compares: the comparison the fast
 * pooling, MEAN and SOFTMAX tests share. A fast path announces itself by
 * splitting its work through spry_context_parallel_for, which no reference
 * kernel calls.
 */
#ifndef SPRY_TESTS_FAST_OP_CHECK_H
#define SPRY_TESTS_FAST_OP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv_mock_context.h"
#include "cpu_isa.h"
#include "spry/op.h"

#define FAST_OP_MAX_TENSORS 3

/* A node to run: its inputs are tensors [0, num_tensors - 1), its output
 * the last tensor (shaped by prepare). Input data belongs to the caller. */
typedef struct FastOpNode {
  const SpryOpRegistration *reg;
  int32_t builtin_code, version;
  SpryTensor tensors[FAST_OP_MAX_TENSORS];
  int32_t num_tensors;
  SpryOptionsTable options;
} FastOpNode;

/* One prepare and invoke. */
typedef struct FastOpRun {
  uint8_t *output; /* malloc'd */
  size_t bytes;
  int32_t parallel_loops; /* > 0: a fast path ran */
} FastOpRun;

void fast_op_run(const FastOpNode *n, SpryIsa isa, int32_t threads, FastOpRun *run);

/* The fast variants this build and CPU run; returns how many. */
int32_t fast_op_variants(SpryIsa *out);

/* Whether `got` matches `want` (`bytes` of `type`): byte for byte for
 * integer types; for float32 exactly (tolerance 0: the same bits, any NaN
 * for a NaN) or within tolerance * (1 + max |want|) (NaN for NaN). Says why
 * not in `why`. */
bool fast_op_outputs_match(SpryType type, const void *got, const void *want, size_t bytes,
                           double tolerance, char *why, size_t why_size);

/* Runs the node on the reference variant and on every fast variant with
 * 1..max_threads threads. `fast`: each fast run must take its fast path and
 * match the reference (as above); otherwise each must keep the reference
 * kernel and give identical bytes. Fails the test naming `what`. */
void fast_op_check(const FastOpNode *n, bool fast, double tolerance, int32_t max_threads,
                   const char *what);

/* Deterministic random numbers (splitmix64). */
uint64_t fast_op_random(uint64_t *state);
int32_t fast_op_random_int(uint64_t *state, int32_t lo, int32_t hi); /* [lo, hi] */
float fast_op_random_float(uint64_t *state, float lo, float hi);

/* A tensor of `type` and shape, with a malloc'd, zeroed buffer. */
void fast_op_tensor(SpryTensor *t, SpryType type, int32_t rank, const int32_t *dims);
void fast_op_set_quant(SpryTensor *t, float scale, int32_t zero_point);

#endif /* SPRY_TESTS_FAST_OP_CHECK_H */
