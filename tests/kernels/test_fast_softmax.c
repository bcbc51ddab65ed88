/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_softmax.c — the fast SOFTMAX (kernels/fast/softmax.h) against
 * the reference kernel, both run through the op's registration on the mock
 * context for every kernel variant this CPU runs and 1 to 3 threads: rows of
 * 1 to 1001 values (every vector tail), several rows, betas other than 1,
 * NaN, infinities and rows of equal values. 8-bit inputs (to int8, uint8
 * and int16) must match byte for byte; float outputs within 1e-5 * (1 + max
 * |reference|), and the float row kernels' probabilities within a relative
 * 1e-6 of exp computed in double. Nodes the fast path does not cover must
 * keep the reference kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fast/softmax.h"
#include "fast_op_check.h"
#include "kernel_util.h"

extern const SpryOpRegistration spry_op_softmax;

#define FLOAT_TOLERANCE 1e-5
/* The relative error allowed of the exponential (see test_exponential). */
#define RELATIVE_TOLERANCE 1e-6

/* SoftmaxOptions field id (schema.fbs). */
enum { OPT_BETA = 0 };

/* DATA_TINY_TERMS: 0 first, every other value so far below that its exp
 * is under half an ulp of 1 (a vector sum would round these rows
 * differently from the reference's running sum). */
typedef enum Data { DATA_RANDOM, DATA_WIDE, DATA_EQUAL, DATA_SPECIAL, DATA_TINY_TERMS } Data;

typedef struct SoftmaxCase {
  SpryType in_type, out_type;
  int32_t outer, depth;
  float beta, in_scale;
  int32_t in_zp;
  Data data;
  uint64_t seed;
} SoftmaxCase;

/* Row lengths: every one up to 67, then around the larger powers of two
 * and a classifier's 1000 / 1001. */
static const int32_t k_depths[] = {127, 128, 129, 255, 256, 257, 500, 1000, 1001};
#define NUM_DEPTHS (sizeof k_depths / sizeof k_depths[0])

static int32_t depth_at(int32_t i) { return i < 67 ? i + 1 : k_depths[i - 67]; }
#define NUM_ROW_LENGTHS (67 + (int32_t)NUM_DEPTHS)

/* ---- Building a node ----------------------------------------------------------------- */

static float float_value(uint64_t *rng, Data data) {
  static const float specials[] = {NAN, INFINITY, -INFINITY, -FLT_MAX, FLT_MAX};
  switch (data) {
    case DATA_WIDE:
      return fast_op_random_float(rng, -1000.0f, 1000.0f);
    case DATA_EQUAL:
      return 0.75f;
    case DATA_TINY_TERMS:
      return fast_op_random_float(rng, -17.0f, -16.7f);
    case DATA_SPECIAL:
      if (fast_op_random_int(rng, 0, 15) == 0) return specials[fast_op_random_int(rng, 0, 4)];
      return fast_op_random_float(rng, -10.0f, 10.0f);
    default:
      return fast_op_random_float(rng, -10.0f, 10.0f);
  }
}

static int32_t q8_value(uint64_t *rng, Data data, bool u8, int32_t row) {
  const int32_t lo = u8 ? 0 : INT8_MIN, hi = u8 ? UINT8_MAX : INT8_MAX;
  if (data == DATA_EQUAL) return lo + (row * 37) % (hi - lo + 1);
  if (data == DATA_WIDE) return fast_op_random_int(rng, 0, 1) ? lo : hi;
  return fast_op_random_int(rng, lo, hi);
}

static void build_softmax(const SoftmaxCase *c, FastOpNode *n) {
  memset(n, 0, sizeof *n);
  n->reg = &spry_op_softmax;
  n->builtin_code = spry_op_softmax.builtin_code;
  n->version = c->in_type == SPRY_TYPE_INT8 ? 2 : 1;
  n->num_tensors = 2;
  const int32_t dims[2] = {c->outer, c->depth};
  SpryTensor *in = &n->tensors[0], *out = &n->tensors[1];
  fast_op_tensor(in, c->in_type, 2, dims);
  uint64_t rng = c->seed;
  for (int32_t r = 0; r < c->outer; r++)
    for (int32_t i = 0; i < c->depth; i++) {
      const size_t at = (size_t)r * (size_t)c->depth + (size_t)i;
      if (c->in_type == SPRY_TYPE_FLOAT32)
        ((float *)in->data)[at] = c->data == DATA_TINY_TERMS && i == 0 ? 0.0f
                                                                      : float_value(&rng, c->data);
      else if (c->in_type == SPRY_TYPE_UINT8)
        ((uint8_t *)in->data)[at] = (uint8_t)q8_value(&rng, c->data, true, r);
      else
        ((int8_t *)in->data)[at] = (int8_t)q8_value(&rng, c->data, false, r);
    }
  out->type = c->out_type;
  if (c->in_type != SPRY_TYPE_FLOAT32) {
    fast_op_set_quant(in, c->in_scale, c->in_zp);
    if (c->out_type == SPRY_TYPE_INT16)
      fast_op_set_quant(out, 1.0f / 65536, INT16_MIN);
    else
      fast_op_set_quant(out, 1.0f / 256, c->out_type == SPRY_TYPE_INT8 ? INT8_MIN : 0);
  }
  mock_options_set_f32(&n->options, OPT_BETA, c->beta);
}

static void check_softmax(const SoftmaxCase *c, bool fast) {
  FastOpNode n;
  build_softmax(c, &n);
  char text[200];
  snprintf(text, sizeof text, "%s -> %s softmax %dx%d beta %g scale %g zp %d data %d",
           spry_type_name(c->in_type), spry_type_name(c->out_type), (int)c->outer,
           (int)c->depth, (double)c->beta, (double)c->in_scale, (int)c->in_zp, (int)c->data);
  fast_op_check(&n, fast, c->in_type == SPRY_TYPE_FLOAT32 ? FLOAT_TOLERANCE : 0.0, 3, text);
  free(n.tensors[0].data);
}

/* ---- Float --------------------------------------------------------------------- */

static SoftmaxCase float_case(int32_t depth, int32_t index) {
  static const float betas[] = {1.0f, 0.5f, 2.5f, 1e-3f, 30.0f};
  SoftmaxCase c = {.in_type = SPRY_TYPE_FLOAT32, .out_type = SPRY_TYPE_FLOAT32, .depth = depth};
  c.outer = 1 + index % 3;
  c.beta = betas[(index / 3) % 5];
  c.data = (Data)((index / 2) % 5);
  if (c.data == DATA_TINY_TERMS) c.beta = 1.0f;
  c.seed = UINT64_C(0x50F7) + (uint64_t)index * 6151;
  return c;
}

static void test_float_rows(void **state) {
  (void)state;
  int32_t index = 0;
  for (int32_t i = 0; i < NUM_ROW_LENGTHS; i++)
    for (int32_t k = 0; k < 4; k++, index++) {
      const SoftmaxCase c = float_case(depth_at(i), index);
      check_softmax(&c, true);
    }
}

/* Betas the fast exponential does not cover keep the reference. */
static void test_float_fallbacks(void **state) {
  (void)state;
  static const float betas[] = {0.0f, -1.0f, INFINITY, NAN};
  for (int i = 0; i < 4; i++) {
    SoftmaxCase c = float_case(33, i);
    c.beta = betas[i];
    check_softmax(&c, false);
  }
}

/* Each float row kernel's exponential against exp in double, through rows
 * [0, x_1, ..., x_n] sweeping x over [-87.3, 0]: out[i] / out[0] is
 * exp(x_i) up to the two divisions' roundings (both share the sum), so its
 * relative error must stay below RELATIVE_TOLERANCE wherever out[i] is a
 * normal number. Also reports the largest difference to the reference
 * kernel over these rows, against the op's tolerance. */
static void test_exponential(void **state) {
  (void)state;
  enum { DEPTH = 1001 };
  float *in = malloc(DEPTH * sizeof *in), *out = malloc(DEPTH * sizeof *out);
  float *ref = malloc(DEPTH * sizeof *ref);
  assert_true(in && out && ref);
  const SprySoftmaxParams params = {.beta = 1.0f};
  SpryIsa isas[SPRY_ISA_COUNT];
  const int32_t count = fast_op_variants(isas);
  for (int32_t v = 0; v < count; v++) {
    const SprySoftmaxF32Fn row = spry_f32_softmax_kernel(isas[v]);
    assert_non_null(row);
    double worst_exp = 0, worst_ref = 0;
    for (int32_t part = 0; part < 40; part++) {
      const double hi = -87.3 * part / 40, lo = -87.3 * (part + 1) / 40;
      in[0] = 0.0f;
      for (int32_t i = 1; i < DEPTH; i++) in[i] = (float)(hi + (lo - hi) * i / (DEPTH - 1));
      row(in, out, DEPTH, 1.0f);
      spry_ref_softmax_f32(&params, 1, DEPTH, in, ref);
      for (int32_t i = 0; i < DEPTH; i++) {
        const double diff = fabs((double)out[i] - (double)ref[i]);
        worst_ref = diff > worst_ref ? diff : worst_ref;
        if (out[i] < FLT_MIN) continue;
        const double want = exp((double)in[i]);
        const double err = fabs((double)out[i] / (double)out[0] - want) / want;
        worst_exp = err > worst_exp ? err : worst_exp;
      }
    }
    print_message("%s: exponential relative error %.3g, largest difference to the reference %.3g\n",
                  spry_isa_name(isas[v]), worst_exp, worst_ref);
    assert_true(worst_exp <= RELATIVE_TOLERANCE);
    assert_true(worst_ref <= FLOAT_TOLERANCE * 2); /* probabilities are at most 1 */
  }
  free(in);
  free(out);
  free(ref);
}

/* ---- 8-bit --------------------------------------------------------------------- */

static SoftmaxCase q8_case(SpryType in_type, SpryType out_type, int32_t depth, int32_t index) {
  static const float scales[] = {1.0f / 256, 0.05f, 0.2f, 1.0f, 10.0f};
  static const float betas[] = {1.0f, 0.5f, 2.0f, 1e-3f};
  SoftmaxCase c = {.in_type = in_type, .out_type = out_type, .depth = depth};
  c.outer = 1 + index % 3;
  c.in_scale = scales[(index / 3) % 5];
  c.beta = betas[(index / 2) % 4];
  c.in_zp = in_type == SPRY_TYPE_UINT8 ? 128 : 0;
  c.data = (Data)((index / 5) % 3); /* random, the type's ends, equal values */
  c.seed = UINT64_C(0x0A8) + (uint64_t)index * 3571;
  return c;
}

static void q8_sweep(SpryType in_type, SpryType out_type) {
  int32_t index = 0;
  for (int32_t i = 0; i < NUM_ROW_LENGTHS; i++)
    for (int32_t k = 0; k < 3; k++, index++) {
      const SoftmaxCase c = q8_case(in_type, out_type, depth_at(i), index);
      check_softmax(&c, true);
    }
}

static void test_u8(void **state) {
  (void)state;
  q8_sweep(SPRY_TYPE_UINT8, SPRY_TYPE_UINT8);
}

static void test_s8(void **state) {
  (void)state;
  q8_sweep(SPRY_TYPE_INT8, SPRY_TYPE_INT8);
}

static void test_u8_to_s16(void **state) {
  (void)state;
  q8_sweep(SPRY_TYPE_UINT8, SPRY_TYPE_INT16);
}

static void test_s8_to_s16(void **state) {
  (void)state;
  q8_sweep(SPRY_TYPE_INT8, SPRY_TYPE_INT16);
}

/* mobilenet_v2_1.0_224_quant's classifier: 1001 uint8 values. */
static void test_classifier(void **state) {
  (void)state;
  SoftmaxCase c = q8_case(SPRY_TYPE_UINT8, SPRY_TYPE_UINT8, 1001, 0);
  c.outer = 1;
  c.in_scale = 0.0988f;
  c.in_zp = 58;
  c.beta = 1.0f;
  c.data = DATA_RANDOM;
  check_softmax(&c, true);
}

/* ---- The checks themselves ------------------------------------------------------------ */

static void test_compare_catches_differences(void **state) {
  (void)state;
  char why[200];
  const float want[3] = {0.25f, 0.7f, 0.05f};
  float got[3] = {0.25f, 0.7f, 0.05f};
  got[2] += 1.5e-5f; /* within 1e-5 * 1.7 */
  assert_true(fast_op_outputs_match(SPRY_TYPE_FLOAT32, got, want, sizeof want, FLOAT_TOLERANCE,
                                    why, sizeof why));
  got[2] += 2e-5f;
  assert_false(fast_op_outputs_match(SPRY_TYPE_FLOAT32, got, want, sizeof want, FLOAT_TOLERANCE,
                                     why, sizeof why));
  got[2] = NAN;
  assert_false(fast_op_outputs_match(SPRY_TYPE_FLOAT32, got, want, sizeof want, FLOAT_TOLERANCE,
                                     why, sizeof why));
}

/* A fast output with one value changed is caught. */
static void test_corrupted_fast_output_fails(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  for (int t = 0; t < 3; t++) {
    const SoftmaxCase c = types[t] == SPRY_TYPE_FLOAT32
                              ? float_case(77, 1)
                              : q8_case(types[t], types[t], 77, 1);
    FastOpNode n;
    build_softmax(&c, &n);
    const double tolerance = types[t] == SPRY_TYPE_FLOAT32 ? FLOAT_TOLERANCE : 0.0;
    FastOpRun want, got;
    char why[200];
    fast_op_run(&n, SPRY_ISA_REFERENCE, 1, &want);
    fast_op_run(&n, SPRY_ISA_PORTABLE, 3, &got);
    assert_true(got.parallel_loops > 0);
    assert_true(fast_op_outputs_match(types[t], got.output, want.output, want.bytes, tolerance,
                                      why, sizeof why));
    if (types[t] == SPRY_TYPE_FLOAT32)
      ((float *)got.output)[got.bytes / sizeof(float) / 2] += 1e-3f;
    else
      got.output[got.bytes / 2] ^= 1;
    assert_false(fast_op_outputs_match(types[t], got.output, want.output, want.bytes, tolerance,
                                       why, sizeof why));
    free(want.output);
    free(got.output);
    free(n.tensors[0].data);
  }
}

int main(void) {
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compare_catches_differences),
      cmocka_unit_test(test_corrupted_fast_output_fails),
      cmocka_unit_test(test_float_rows),
      cmocka_unit_test(test_float_fallbacks),
      cmocka_unit_test(test_exponential),
      cmocka_unit_test(test_u8),
      cmocka_unit_test(test_s8),
      cmocka_unit_test(test_u8_to_s16),
      cmocka_unit_test(test_s8_to_s16),
      cmocka_unit_test(test_classifier),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
