/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_opsa_ops.c — the spatial and normalisation ops beyond their goldens:
 * models prepare must reject with a precise message (data/opsa_errors/,
 * listed in data/opsa_errors.h, from tools/goldens/make_opsa_cases.py) and
 * the accuracy of the fixed-point log and inverse square root that the
 * quantized LOG_SOFTMAX and L2_NORMALIZATION build on.
 *
 * Usage: test_opsa_ops DATA_DIR   (tests/kernels/data)
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/opsa_errors.h"
#include "refused_model.h"
#include "fixedpoint.h"
#include "spry/spry.h"

static const char *data_dir;

static void test_error_case(void **state) {
  const OpsaErrorCase *c = *state;
  expect_prepare_error(data_dir, "opsa_errors", c->name, c->fragment);
}

/* log(x) of Q12 inputs from 1 to 4096, read back as Q5: within 2^-20. */
static void test_fixed_point_log(void **state) {
  (void)state;
  const double one_q12 = (double)(1 << 19), one_q5 = (double)(1 << 26);
  const double xs[] = {1.0, 1.0001, 1.5, 2.0, 2.718281828, 10.0, 100.5, 4095.0};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    const int32_t raw = (int32_t)lround(xs[i] * one_q12);
    const double got = spry_fp_log(raw, 12, 5) / one_q5;
    const double want = log(raw / one_q12);
    if (fabs(got - want) > 1.0 / (1 << 20)) print_error("log(%g): %.9f vs %.9f\n", xs[i], got, want);
    assert_true(fabs(got - want) <= 1.0 / (1 << 20));
  }
}

/* 1/sqrt(x) as multiplier * 2^-right_shift (Q0): relative error below 2^-20;
 * 0 and 1 map to (INT32_MAX, 0). */
static void test_fixed_point_inv_sqrt(void **state) {
  (void)state;
  const int32_t xs[] = {2, 3, 4, 17, 1000, 65025, 1 << 28, (1 << 29) + 5, INT32_MAX};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    int32_t m = 0;
    int shift = 0;
    spry_fp_inv_sqrt(xs[i], &m, &shift);
    assert_true(shift >= 0 && shift <= 31);
    const double got = ldexp((double)m, -31 - shift); /* m is Q0.31 */
    const double want = 1.0 / sqrt((double)xs[i]);
    const double rel = fabs(got - want) / want;
    if (rel > 1e-4) print_error("1/sqrt(%d): %.9g vs %.9g\n", (int)xs[i], got, want);
    assert_true(rel <= 1e-4);
  }
  int32_t m = 0;
  int shift = -1;
  spry_fp_inv_sqrt(0, &m, &shift);
  assert_int_equal(m, INT32_MAX);
  assert_int_equal(shift, 0);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  enum { ERRORS = sizeof opsa_error_cases / sizeof opsa_error_cases[0] };
  struct CMUnitTest tests[ERRORS + 2];
  for (size_t i = 0; i < ERRORS; i++)
    tests[i] = (struct CMUnitTest){opsa_error_cases[i].name, test_error_case, NULL, NULL,
                                   (void *)&opsa_error_cases[i]};
  tests[ERRORS] = (struct CMUnitTest)cmocka_unit_test(test_fixed_point_log);
  tests[ERRORS + 1] = (struct CMUnitTest)cmocka_unit_test(test_fixed_point_inv_sqrt);
  return _cmocka_run_group_tests("opsa_ops", tests, ERRORS + 2, NULL, NULL);
}
