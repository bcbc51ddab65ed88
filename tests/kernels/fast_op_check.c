/* SPDX-License-Identifier: Apache-2.0 */
/* fast_op_check.c — one op on the mock context, reference against fast (see fast_op_check.h). */
#include "fast_op_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_util.h"

void fast_op_run(const FastOpNode *n, SpryIsa isa, int32_t threads, FastOpRun *run) {
  SpryTensor tensors[FAST_OP_MAX_TENSORS];
  memcpy(tensors, n->tensors, sizeof tensors);
  const int32_t out = n->num_tensors - 1;
  tensors[out].rank = 0;
  tensors[out].data = NULL;
  SpryOptionsTable options = n->options;
  int32_t inputs[FAST_OP_MAX_TENSORS];
  for (int32_t i = 0; i < out; i++) inputs[i] = i;
  SpryNode node = {.inputs = inputs, .num_inputs = out, .outputs = &out, .num_outputs = 1,
                   .builtin_code = n->builtin_code, .version = n->version, .options = &options};
  SpryContext ctx;
  mock_context_init(&ctx, tensors, n->num_tensors);
  ctx.isa = isa;
  ctx.threads = threads;
  if (n->reg->init) assert_int_equal(n->reg->init(&ctx, &node, &node.user_data), SPRY_OK);
  if (n->reg->prepare(&ctx, &node) != SPRY_OK) fail_msg("prepare failed: %s", ctx.message);
  run->bytes = tensors[out].bytes;
  run->output = malloc(run->bytes + 1);
  assert_non_null(run->output);
  memset(run->output, 0xA5, run->bytes); /* every value must be written */
  tensors[out].data = run->output;
  if (n->reg->invoke(&ctx, &node) != SPRY_OK) fail_msg("invoke failed: %s", ctx.message);
  run->parallel_loops = ctx.parallel_loops;
  if (n->reg->free) n->reg->free(&ctx, node.user_data);
  mock_context_release(&ctx);
}

int32_t fast_op_variants(SpryIsa *out) {
  int32_t n = 0;
  for (int isa = SPRY_ISA_REFERENCE + 1; isa < SPRY_ISA_COUNT; isa++)
    if (spry_isa_supported((SpryIsa)isa)) out[n++] = (SpryIsa)isa;
  return n;
}

static bool same_float(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return memcmp(&a, &b, sizeof a) == 0;
}

static bool floats_match(const float *g, const float *w, size_t n, double tolerance, char *why,
                         size_t why_size) {
  double max_ref = 0, max_err = 0;
  size_t worst = 0;
  for (size_t i = 0; i < n; i++) {
    if (tolerance == 0 ? !same_float(g[i], w[i]) : isnan(g[i]) != isnan(w[i])) {
      snprintf(why, why_size, "element %zu: %.9g, reference %.9g", i, (double)g[i], (double)w[i]);
      return false;
    }
    if (isnan(w[i]) || isinf(w[i])) {
      if (tolerance != 0 && !same_float(g[i], w[i])) {
        snprintf(why, why_size, "element %zu: %g, reference %g", i, (double)g[i], (double)w[i]);
        return false;
      }
      continue;
    }
    max_ref = fmax(max_ref, fabs((double)w[i]));
    const double err = fabs((double)g[i] - (double)w[i]);
    if (!(err <= max_err)) {
      max_err = err;
      worst = i;
    }
  }
  if (max_err <= tolerance * (1.0 + max_ref)) return true;
  snprintf(why, why_size, "element %zu: %.9g, reference %.9g (error %g > %g)", worst,
           (double)g[worst], (double)w[worst], max_err, tolerance * (1.0 + max_ref));
  return false;
}

bool fast_op_outputs_match(SpryType type, const void *got, const void *want, size_t bytes,
                           double tolerance, char *why, size_t why_size) {
  if (type == SPRY_TYPE_FLOAT32)
    return floats_match(got, want, bytes / sizeof(float), tolerance, why, why_size);
  const uint8_t *g = got, *w = want;
  for (size_t i = 0; i < bytes; i++)
    if (g[i] != w[i]) {
      snprintf(why, why_size, "byte %zu is 0x%02x, reference 0x%02x", i, g[i], w[i]);
      return false;
    }
  return true;
}

void fast_op_check(const FastOpNode *n, bool fast, double tolerance, int32_t max_threads,
                   const char *what) {
  const SpryType type = n->tensors[n->num_tensors - 1].type;
  FastOpRun want;
  fast_op_run(n, SPRY_ISA_REFERENCE, 1, &want);
  if (want.parallel_loops != 0) fail_msg("%s: the reference variant ran a fast path", what);
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  for (int32_t i = 0; i < count; i++)
    for (int32_t threads = 1; threads <= max_threads; threads++) {
      FastOpRun got;
      fast_op_run(n, isas[i], threads, &got);
      char why[200] = "";
      const bool taken = got.parallel_loops > 0;
      /* Without the fast path both ran the reference kernel: identical bytes. */
      const bool same =
          got.bytes == want.bytes &&
          fast_op_outputs_match(fast ? type : SPRY_TYPE_UINT8, got.output, want.output,
                                want.bytes, tolerance, why, sizeof why);
      free(got.output);
      if (taken != fast || !same) {
        free(want.output);
        fail_msg("%s, %d threads: %s%s %s", spry_isa_name(isas[i]), (int)threads,
                 taken != fast ? (fast ? "fast path not taken; " : "fast path taken; ") : "",
                 what, why);
      }
    }
  free(want.output);
}

uint64_t fast_op_random(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

int32_t fast_op_random_int(uint64_t *state, int32_t lo, int32_t hi) {
  const uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
  return (int32_t)((int64_t)lo + (int64_t)(fast_op_random(state) % span));
}

float fast_op_random_float(uint64_t *state, float lo, float hi) {
  return lo + (hi - lo) * (float)(fast_op_random(state) >> 40) / (float)(UINT64_C(1) << 24);
}

void fast_op_tensor(SpryTensor *t, SpryType type, int32_t rank, const int32_t *dims) {
  memset(t, 0, sizeof *t);
  t->type = type;
  t->kind = SPRY_TENSOR_ARENA;
  t->rank = rank;
  for (int32_t i = 0; i < rank; i++) t->dims[i] = dims[i];
  t->bytes = spry_shape_element_count(rank, dims) * spry_type_size(type);
  t->data = calloc(1, t->bytes + 1);
  assert_non_null(t->data);
}

void fast_op_set_quant(SpryTensor *t, float scale, int32_t zero_point) {
  t->quant.scale = scale;
  t->quant.zero_point = zero_point;
  t->quant.num_channels = 1;
}
