/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hybrid_quantize.c — the run-time row quantization every hybrid op
 * shares (spry_ref_quantize_rows_s8): the asymmetric scale comes from the
 * range taken in float, as TFLite's AsymmetricQuantizeFloats takes it (one
 * ulp matters: it moves every output of the row), and non-finite inputs give
 * defined values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "reference/hybrid_gemv.h"

/* 1 - (-1.5 * 2^-23) rounds to 1 + 2^-22 in float: the scale must be that
 * over 255, one ulp away from the exact range over 255. */
static void test_asymmetric_range_in_float(void **state) {
  (void)state;
  const float row[2] = {1.0f, -0x1.8p-23f};
  int8_t q[2];
  float scale;
  int32_t zero_point;
  spry_ref_quantize_rows_s8(row, 1, 2, q, &scale, &zero_point, true);
  assert_true(scale == (float)((double)(1.0f + 0x1p-22f) / 255.0));
  assert_true(scale != (float)((1.0 + 0x1.8p-23) / 255.0));
  assert_int_equal(zero_point, -128);
  assert_int_equal(q[0], 127);
  assert_int_equal(q[1], -128);
}

/* Infinities make TFLite's zero point NaN (undefined when cast); here the
 * results are defined: the lower zero point, values clamped. */
static void test_non_finite_rows(void **state) {
  (void)state;
  const float row[4] = {INFINITY, -1.0f, NAN, 2.0f};
  int8_t q[4];
  float scale;
  int32_t zero_point;
  spry_ref_quantize_rows_s8(row, 1, 4, q, &scale, &zero_point, true);
  assert_int_equal(zero_point, -128);
  for (int i = 0; i < 4; i++) assert_true(q[i] >= -128 && q[i] <= 127);
  spry_ref_quantize_rows_s8(row, 1, 4, q, &scale, NULL, false);
  assert_int_equal(q[2], 0); /* NaN quantizes to 0 */
}

/* An all-zero row: scale 1, zero point 0, zeros (TFLite's special case). */
static void test_zero_row(void **state) {
  (void)state;
  const float row[3] = {0.0f, 0.0f, 0.0f};
  int8_t q[3] = {1, 2, 3};
  float scale = 0.0f;
  int32_t zero_point = 5;
  spry_ref_quantize_rows_s8(row, 1, 3, q, &scale, &zero_point, true);
  assert_true(scale == 1.0f);
  assert_int_equal(zero_point, 0);
  for (int i = 0; i < 3; i++) assert_int_equal(q[i], 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_asymmetric_range_in_float),
      cmocka_unit_test(test_non_finite_rows),
      cmocka_unit_test(test_zero_row),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
