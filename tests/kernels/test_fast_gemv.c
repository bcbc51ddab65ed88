/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_gemv.c — the recurrent steps' fast matrix x vector products
 * (kernels/fast/gemv.h), every variant this CPU runs, against the reference:
 * float rows over 1..70 rows and columns (every vector tail) and batches 1-3
 * within 1e-5 * (1 + max |reference|); int8 dot products exactly, with
 * extreme values and sums that wrap past int32; the hybrid product through
 * spry_ref_hybrid_gemv_acc_dot bit for bit. A corrupted result must be
 * caught by the same comparisons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_isa.h"
#include "fast/gemv.h"
#include "reference/hybrid_gemv.h"

#define FLOAT_TOLERANCE 1e-5
#define MAX_DIM 70
#define MAX_BATCH 3
/* Columns whose all -128 * -128 sum passes INT32_MAX (131072 * 16384 = 2^31). */
#define WRAP_COLS 140003

static uint64_t next_random(uint64_t *state) {
  /* splitmix64: a fixed seed gives the same data on every run. */
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static float random_float(uint64_t *state) {
  return -1.0f + 2.0f * (float)(next_random(state) >> 40) / (float)(UINT64_C(1) << 24);
}

static int8_t random_s8(uint64_t *state) { return (int8_t)(next_random(state) & 0xFF); }

/* The variants to check: every fast one this build and CPU run. */
static int fast_variants(const SpryMatvecOps **out) {
  int n = 0;
  for (int isa = SPRY_ISA_PORTABLE; isa < SPRY_ISA_COUNT; isa++)
    if (spry_isa_supported((SpryIsa)isa)) out[n++] = spry_gemv_ops((SpryIsa)isa);
  return n;
}

/* ---- float ----------------------------------------------------------------------- */

/* Values of `got` outside the tolerance around `want`. */
static size_t float_mismatches(const float *want, const float *got, size_t n) {
  double max_abs = 0.0;
  for (size_t i = 0; i < n; i++) max_abs = fmax(max_abs, fabs((double)want[i]));
  const double tol = FLOAT_TOLERANCE * (1.0 + max_abs);
  size_t bad = 0;
  for (size_t i = 0; i < n; i++)
    if (!(fabs((double)want[i] - (double)got[i]) <= tol)) bad++;
  return bad;
}

typedef struct F32Case {
  float matrix[MAX_DIM * MAX_DIM];
  float vectors[MAX_BATCH * MAX_DIM];
  float want[MAX_BATCH * MAX_DIM];
  float got[MAX_BATCH * MAX_DIM];
} F32Case;

/* Random operands and a nonzero starting result (the products accumulate). */
static void fill_f32(F32Case *c, int32_t rows, int32_t cols, int32_t batch, uint64_t *seed) {
  for (int32_t i = 0; i < rows * cols; i++) c->matrix[i] = random_float(seed);
  for (int32_t i = 0; i < batch * cols; i++) c->vectors[i] = random_float(seed);
  for (int32_t i = 0; i < batch * rows; i++) c->want[i] = c->got[i] = random_float(seed);
}

static void test_f32_matches_reference(void **state) {
  (void)state;
  const SpryMatvecOps *ops[SPRY_ISA_COUNT];
  const int n_ops = fast_variants(ops);
  assert_true(n_ops >= 1);
  F32Case *c = malloc(sizeof *c);
  assert_non_null(c);
  uint64_t seed = 1;
  for (int v = 0; v < n_ops; v++)
    for (int32_t batch = 1; batch <= MAX_BATCH; batch++)
      for (int32_t rows = 1; rows <= MAX_DIM; rows++)
        for (int32_t cols = 1; cols <= MAX_DIM; cols++) {
          fill_f32(c, rows, cols, batch, &seed);
          spry_ref_gemv_acc_f32(c->matrix, rows, cols, c->vectors, batch, c->want);
          ops[v]->gemv_acc_f32(c->matrix, rows, cols, c->vectors, batch, c->got);
          assert_int_equal(float_mismatches(c->want, c->got, (size_t)(batch * rows)), 0);
        }
  free(c);
}

static void test_f32_corruption_caught(void **state) {
  (void)state;
  const SpryMatvecOps *ops[SPRY_ISA_COUNT];
  const int n_ops = fast_variants(ops);
  F32Case *c = malloc(sizeof *c);
  assert_non_null(c);
  uint64_t seed = 7;
  for (int v = 0; v < n_ops; v++) {
    fill_f32(c, 33, 45, 2, &seed);
    spry_ref_gemv_acc_f32(c->matrix, 33, 45, c->vectors, 2, c->want);
    ops[v]->gemv_acc_f32(c->matrix, 33, 45, c->vectors, 2, c->got);
    assert_int_equal(float_mismatches(c->want, c->got, 66), 0);
    c->got[40] += 1e-3f;
    assert_int_equal(float_mismatches(c->want, c->got, 66), 1);
  }
  free(c);
}

/* ---- int8 ------------------------------------------------------------------------ */

/* The int32 sum TFLite computes, independently of the code under test. */
static int32_t dot_s8_wrapped(const int8_t *a, const int8_t *b, int32_t n) {
  int64_t acc = 0;
  for (int32_t i = 0; i < n; i++) acc += (int32_t)a[i] * b[i];
  return (int32_t)(uint32_t)(uint64_t)acc;
}

static void check_dots(const SpryMatvecOps *ops, const int8_t *a, const int8_t *b, int32_t n) {
  for (int32_t len = 0; len <= n; len++) assert_int_equal(ops->dot_s8(a, b, len),
                                                          dot_s8_wrapped(a, b, len));
}

static void test_s8_dot_exact(void **state) {
  (void)state;
  const SpryMatvecOps *ops[SPRY_ISA_COUNT];
  const int n_ops = fast_variants(ops);
  int8_t a[4 * MAX_DIM], b[4 * MAX_DIM];
  uint64_t seed = 3;
  for (int v = 0; v < n_ops; v++) {
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 4 * MAX_DIM; i++) a[i] = random_s8(&seed), b[i] = random_s8(&seed);
      check_dots(ops[v], a, b, 4 * MAX_DIM);
    }
    /* The extremes: -128 * -128, -128 * 127, 127 * 127. */
    const int8_t ext[3][2] = {{-128, -128}, {-128, 127}, {127, 127}};
    for (int e = 0; e < 3; e++) {
      memset(a, ext[e][0], sizeof a);
      memset(b, ext[e][1], sizeof b);
      check_dots(ops[v], a, b, 4 * MAX_DIM);
    }
  }
}

/* Long rows whose sums pass INT32_MAX or INT32_MIN must wrap as TFLite's do. */
static void test_s8_dot_wraps(void **state) {
  (void)state;
  const SpryMatvecOps *ops[SPRY_ISA_COUNT];
  const int n_ops = fast_variants(ops);
  int8_t *a = malloc(WRAP_COLS), *b = malloc(WRAP_COLS);
  assert_true(a && b);
  const int8_t signs[2] = {-128, 127};
  for (int s = 0; s < 2; s++) {
    memset(a, -128, WRAP_COLS);
    memset(b, signs[s], WRAP_COLS);
    const int64_t exact = (int64_t)WRAP_COLS * -128 * signs[s];
    const int32_t want = dot_s8_wrapped(a, b, WRAP_COLS);
    assert_true((int64_t)want != exact); /* the sum really wraps */
    for (int v = 0; v < n_ops; v++) {
      assert_int_equal(ops[v]->dot_s8(a, b, WRAP_COLS), want);
      assert_int_equal(ops[v]->dot_s8(a, b, WRAP_COLS - 5), dot_s8_wrapped(a, b, WRAP_COLS - 5));
    }
  }
  free(a);
  free(b);
}

/* A wrong sum must not pass the exact comparison, and a changed operand
 * must change the sum. */
static void test_s8_corruption_caught(void **state) {
  (void)state;
  const SpryMatvecOps *ops[SPRY_ISA_COUNT];
  const int n_ops = fast_variants(ops);
  int8_t a[37], b[37];
  uint64_t seed = 11;
  for (int i = 0; i < 37; i++) a[i] = random_s8(&seed), b[i] = random_s8(&seed);
  a[36] = 1;
  const int32_t want = dot_s8_wrapped(a, b, 37);
  for (int v = 0; v < n_ops; v++) {
    const int32_t got = ops[v]->dot_s8(a, b, 37);
    assert_int_equal(got, want);
    assert_int_not_equal((int32_t)((uint32_t)got + 1u), want);
    const int8_t kept = b[36];
    b[36] = (int8_t)(kept ^ 1); /* the sum moves by a[36] = 1 */
    assert_int_not_equal(ops[v]->dot_s8(a, b, 37), want);
    b[36] = kept;
  }
}

/* ---- hybrid ---------------------------------------------------------------------- */

typedef struct HybridCase {
  int8_t matrix[MAX_DIM * MAX_DIM];
  int8_t vectors[MAX_BATCH * MAX_DIM];
  float scales[MAX_BATCH];
  int32_t zero_points[MAX_BATCH];
  int32_t row_sums[MAX_DIM];
  float want[MAX_BATCH * MAX_DIM];
  float got[MAX_BATCH * MAX_DIM];
} HybridCase;

static void fill_hybrid(HybridCase *c, int32_t rows, int32_t cols, int32_t batch, uint64_t *seed) {
  for (int32_t i = 0; i < rows * cols; i++) c->matrix[i] = random_s8(seed);
  for (int32_t i = 0; i < batch * cols; i++) c->vectors[i] = random_s8(seed);
  for (int32_t b = 0; b < batch; b++) {
    c->scales[b] = 1e-3f * (1.0f + random_float(seed));
    c->zero_points[b] = random_s8(seed);
  }
  spry_ref_row_sums_s8(c->matrix, rows, cols, c->row_sums);
  for (int32_t i = 0; i < batch * rows; i++) c->want[i] = c->got[i] = random_float(seed);
}

/* Integer sums are exact, so the float results must be identical. */
static void test_hybrid_bit_exact(void **state) {
  (void)state;
  const SpryMatvecOps *ops[SPRY_ISA_COUNT];
  const int n_ops = fast_variants(ops);
  HybridCase *c = malloc(sizeof *c);
  assert_non_null(c);
  uint64_t seed = 5;
  for (int v = 0; v < n_ops; v++)
    for (int32_t batch = 1; batch <= MAX_BATCH; batch++)
      for (int32_t rows = 1; rows <= MAX_DIM; rows += 3)
        for (int32_t cols = 1; cols <= MAX_DIM; cols++) {
          fill_hybrid(c, rows, cols, batch, &seed);
          const int32_t *zps = (cols & 1) ? c->zero_points : NULL;
          spry_ref_hybrid_gemv_acc(c->matrix, rows, cols, c->vectors, c->scales, zps,
                                   c->row_sums, batch, c->want);
          spry_ref_hybrid_gemv_acc_dot(c->matrix, rows, cols, c->vectors, c->scales, zps,
                                       c->row_sums, batch, ops[v]->dot_s8, c->got);
          assert_memory_equal(c->want, c->got, (size_t)(batch * rows) * sizeof(float));
        }
  free(c);
}

static void test_reference_keeps_reference(void **state) {
  (void)state;
  assert_null(spry_gemv_ops(SPRY_ISA_REFERENCE));
  assert_non_null(spry_gemv_ops(SPRY_ISA_PORTABLE));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference_keeps_reference),
      cmocka_unit_test(test_f32_matches_reference),
      cmocka_unit_test(test_f32_corruption_caught),
      cmocka_unit_test(test_s8_dot_exact),
      cmocka_unit_test(test_s8_dot_wraps),
      cmocka_unit_test(test_s8_corruption_caught),
      cmocka_unit_test(test_hybrid_bit_exact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
