/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_unary_ops.c — the unary and activation ops beyond their goldens:
 * models prepare must reject with a precise message (data/unary_errors/,
 * listed in data/unary_errors.h, from tools/goldens/make_unary_cases.py),
 * re-prepare after a resize, and the edge semantics of the reference
 * functions (ROUND ties, CAST wrap-around and NaN, lookup-table saturation).
 *
 * Usage: test_unary_ops DATA_DIR   (tests/kernels/data)
 * Golden models are read from $SPRY_TEST_DATA/goldens/.
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
#include <stdlib.h>
#include <string.h>

#include "data/unary_errors.h"
#include "lut.h"
#include "reference/cast.h"
#include "reference/elementwise_unary.h"
#include "spry/spry.h"

static const char *data_dir;

/* Opens one error model and returns the status of preparing it; *message
 * receives the recorded error. */
static SpryStatus prepare_status(const char *name, const char **message) {
  char path[4096];
  const int n = snprintf(path, sizeof path, "%s/unary_errors/%s.tflite", data_dir, name);
  assert_true(n > 0 && (size_t)n < sizeof path);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  const SpryStatus status = spry_interpreter_new(model, NULL, &interp);
  *message = spry_last_error();
  spry_interpreter_free(interp);
  spry_model_free(model);
  return status;
}

/* Every model of data/unary_errors is refused with its expected message. */
static void test_error_models(void **state) {
  (void)state;
  int failures = 0;
  for (size_t i = 0; i < sizeof unary_error_cases / sizeof unary_error_cases[0]; i++) {
    const UnaryErrorCase *c = &unary_error_cases[i];
    const char *message = NULL;
    const SpryStatus status = prepare_status(c->name, &message);
    if (status == SPRY_OK || !message || !strstr(message, c->fragment)) {
      print_error("%s: status %d, message \"%s\" (expected \"%s\")\n", c->name, (int)status,
                  message ? message : "", c->fragment);
      failures++;
    }
  }
  assert_int_equal(failures, 0);
}

static void read_file(const char *path, void *dst, size_t size) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fread(dst, 1, size, f), size);
  fclose(f);
}

/* LOGISTIC uint8 over all 256 codes, resized to twice that: the table built
 * in prepare serves the new shape, and both halves match the golden. */
static void test_logistic_lut_after_resize(void **state) {
  (void)state;
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  char path[4096];
  snprintf(path, sizeof path, "%s/goldens/op_logistic_u8/model.tflite", root);
  uint8_t input[256], expected[256];
  char data[4096];
  snprintf(data, sizeof data, "%s/goldens/op_logistic_u8/input_0.bin", root);
  read_file(data, input, sizeof input);
  snprintf(data, sizeof data, "%s/goldens/op_logistic_u8/output_0.bin", root);
  read_file(data, expected, sizeof expected);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  const int32_t dims[] = {2, 256};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 2, dims), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
  uint8_t *x = spry_tensor_data(spry_interpreter_input(interp, 0));
  memcpy(x, input, 256);
  memcpy(x + 256, input, 256);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  const uint8_t *y = spry_tensor_data_const(spry_interpreter_output(interp, 0));
  assert_memory_equal(y, expected, 256);
  assert_memory_equal(y + 256, expected, 256);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

/* RSQRT int16 refuses a negative input at run time, as TFLite does. */
static void test_rsqrt_negative_input_fails(void **state) {
  (void)state;
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  char path[4096];
  snprintf(path, sizeof path, "%s/goldens/op_rsqrt_s16/model.tflite", root);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  int16_t *x = spry_tensor_data(in);
  memset(x, 0, spry_tensor_byte_size(in));
  x[3] = -1;
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_ERROR_RUNTIME);
  assert_non_null(strstr(spry_last_error(), "non-negative"));
  x[3] = 1;
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_round_ties_to_even(void **state) {
  (void)state;
  const float in[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.49f, -0.4f, 1e10f};
  const float want[] = {0.0f, 2.0f, 2.0f, 0.0f, -2.0f, -2.0f, 2.0f, 0.0f, 1e10f};
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
    assert_true(spry_round_f32(in[i], NULL) == want[i]);
  /* -0.4 rounds to +0 as TFLite's floor-then-increment does. */
  assert_false(signbit(spry_round_f32(-0.4f, NULL)));
  assert_true(isnan(spry_round_f32(NAN, NULL)));
}

static void test_cast_semantics(void **state) {
  (void)state;
  const int32_t wide[] = {300, -1, 255, -129};
  uint8_t narrow[4];
  spry_ref_cast(SPRY_TYPE_INT32, wide, SPRY_TYPE_UINT8, narrow, 4);
  assert_int_equal(narrow[0], 44);
  assert_int_equal(narrow[1], 255);
  assert_int_equal(narrow[2], 255);
  assert_int_equal(narrow[3], 127);
  const float f[] = {-1.9f, NAN, 3e20f, 0.5f};
  int32_t ints[4];
  spry_ref_cast(SPRY_TYPE_FLOAT32, f, SPRY_TYPE_INT32, ints, 4);
  assert_int_equal(ints[0], -1);
  assert_int_equal(ints[1], INT32_MAX); /* floats saturate, NaN to the maximum */
  assert_int_equal(ints[2], INT32_MAX);
  assert_int_equal(ints[3], 0);
  bool b[4];
  spry_ref_cast(SPRY_TYPE_FLOAT32, f, SPRY_TYPE_BOOL, b, 4);
  assert_true(b[0] && b[1] && b[2] && b[3]);
  const int64_t big = INT64_C(16777217);
  float g;
  spry_ref_cast(SPRY_TYPE_INT64, &big, SPRY_TYPE_FLOAT32, &g, 1);
  assert_true(g == 16777216.0f);
  const uint16_t half = 0x3e00; /* 1.5 */
  int8_t h;
  spry_ref_cast(SPRY_TYPE_FLOAT16, &half, SPRY_TYPE_INT8, &h, 1);
  assert_int_equal(h, 1);
  const float neg[2] = {-3.5f, 1e10f};
  uint8_t u[2];
  spry_ref_cast(SPRY_TYPE_FLOAT32, neg, SPRY_TYPE_UINT8, u, 2);
  assert_int_equal(u[0], 0);
  assert_int_equal(u[1], UINT8_MAX);
  /* Half-precision sources saturate into integers as well. */
  const uint16_t halves[3] = {0x5cb2 /* 300.5 */, 0xd8b2 /* -150.25 */, 0x7e00 /* NaN */};
  int8_t hs[3];
  spry_ref_cast(SPRY_TYPE_FLOAT16, halves, SPRY_TYPE_INT8, hs, 3);
  assert_int_equal(hs[0], INT8_MAX);
  assert_int_equal(hs[1], INT8_MIN);
  assert_int_equal(hs[2], INT8_MAX);
  /* float32 to float16 and bfloat16 rounds to nearest even. */
  const float to_half[3] = {1.5f, 65520.0f, 1.00390625f};
  uint16_t hv[3], bv[3];
  spry_ref_cast(SPRY_TYPE_FLOAT32, to_half, SPRY_TYPE_FLOAT16, hv, 3);
  spry_ref_cast(SPRY_TYPE_FLOAT32, to_half, SPRY_TYPE_BFLOAT16, bv, 3);
  assert_int_equal(hv[0], 0x3e00);
  assert_int_equal(hv[1], 0x7c00); /* past the largest half: infinity */
  assert_int_equal(bv[0], 0x3fc0);
  assert_int_equal(bv[2], 0x3f80); /* a tie rounds to the even 1.0 */
  assert_false(spry_cast_output_type_ok(SPRY_TYPE_INT4));
  assert_false(spry_cast_input_type_ok(SPRY_TYPE_STRING));
}

static float times_ten(float x, const void *params) {
  (void)params;
  return x * 10.0f;
}

static void test_lut_saturates_and_indexes_by_byte(void **state) {
  (void)state;
  uint8_t table[256];
  spry_lut8_populate(SPRY_TYPE_INT8, 1.0f, 0, 1.0f, 3, times_ten, NULL, table);
  assert_int_equal((int8_t)table[0], 3);           /* q = 0 */
  assert_int_equal((int8_t)table[1], 13);          /* q = 1 */
  assert_int_equal((int8_t)table[0xff], -7);       /* q = -1 */
  assert_int_equal((int8_t)table[0x80], INT8_MIN); /* q = -128 saturates */
  assert_int_equal((int8_t)table[0x7f], INT8_MAX);
  const uint8_t in[3] = {0x00, 0x01, 0xff};
  uint8_t out[3];
  spry_lut8_apply(table, 3, in, out);
  assert_int_equal(out[2], table[0xff]);
}

static void test_integer_wrap(void **state) {
  (void)state;
  const int32_t in[] = {INT32_MIN, -5, 0, 7};
  int32_t out[4];
  spry_ref_unary_int(spry_abs_int, SPRY_TYPE_INT32, 4, in, out);
  assert_int_equal(out[0], INT32_MIN);
  assert_int_equal(out[1], 5);
  spry_ref_unary_int(spry_neg_int, SPRY_TYPE_INT32, 4, in, out);
  assert_int_equal(out[0], INT32_MIN);
  assert_int_equal(out[3], -7);
  spry_ref_unary_int(spry_sign_int, SPRY_TYPE_INT32, 4, in, out);
  assert_int_equal(out[0], -1);
  assert_int_equal(out[2], 0);
  assert_int_equal(out[3], 1);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_models),
      cmocka_unit_test(test_logistic_lut_after_resize),
      cmocka_unit_test(test_rsqrt_negative_input_fails),
      cmocka_unit_test(test_round_ties_to_even),
      cmocka_unit_test(test_cast_semantics),
      cmocka_unit_test(test_lut_saturates_and_indexes_by_byte),
      cmocka_unit_test(test_integer_wrap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
