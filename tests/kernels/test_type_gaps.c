/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_type_gaps.c — the edges of the op x type cells that goldens cannot
 * show: models prepare must refuse with a precise message (types TFLite's
 * kernels refuse, or accept only by misreading them; data/type_gap_errors/,
 * data/type_gap2_errors/, data/type_gap3_errors/ and data/half_arith_errors/,
 * listed in the headers of the same names, from
 * tools/goldens/make_type_gap_cases.py, make_type_gap2_cases.py,
 * make_type_gap3_cases.py and make_half_arith_cases.py),
 * and the run-time refusal of negative inputs by quantized SQRT and RSQRT.
 *
 * Usage: test_type_gaps DATA_DIR   (tests/kernels/data)
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

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/half_arith_errors.h"
#include "data/type_gap2_errors.h"
#include "data/type_gap3_errors.h"
#include "data/type_gap_errors.h"
#include "refused_model.h"
#include "spry/spry.h"

static const char *data_dir;

/* Whether model `folder`/`name` of the data directory is refused with `fragment`. */
static bool refused_with(const char *folder, const char *name, const char *fragment) {
  return spry_test_refused_with(data_dir, folder, name, fragment);
}

/* Adds to `failures` one for each model of the table `cases` (models in
 * data/<folder>) not refused with its expected message; the tables differ
 * in type only, hence a macro. */
#define COUNT_UNREFUSED(failures, folder, cases)                       \
  for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases)[0]; i_++) \
  (failures) += !refused_with((folder), (cases)[i_].name, (cases)[i_].fragment)

/* Every error model is refused with its expected message when the
 * interpreter is created: data/type_gap_errors, data/type_gap2_errors and
 * data/type_gap3_errors hold op x type pairs TFLite's kernels refuse; data/half_arith_errors
 * holds bfloat16 arithmetic, versions past the newest and a 16x16
 * FULLY_CONNECTED input zero point. */
static void test_error_models(void **state) {
  (void)state;
  int failures = 0;
  COUNT_UNREFUSED(failures, "type_gap_errors", type_gap_error_cases);
  COUNT_UNREFUSED(failures, "type_gap2_errors", type_gap2_error_cases);
  COUNT_UNREFUSED(failures, "type_gap3_errors", type_gap3_error_cases);
  COUNT_UNREFUSED(failures, "half_arith_errors", half_arith_error_cases);
  assert_int_equal(failures, 0);
}

/* Runs golden case `name` with element `at` of its int8 input set to
 * `value`; returns the invoke status, *message the recorded error. */
static SpryStatus invoke_with(const char *name, size_t at, int8_t value, const char **message) {
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  char path[4096];
  const int n = snprintf(path, sizeof path, "%s/goldens/%s/model.tflite", root, name);
  assert_true(n > 0 && (size_t)n < sizeof path);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  int8_t *x = spry_tensor_data(in);
  const size_t size = spry_tensor_byte_size(in);
  assert_true(at < size);
  memset(x, 127, size);
  x[at] = value;
  const SpryStatus status = spry_interpreter_invoke(interp);
  *message = spry_last_error();
  spry_interpreter_free(interp);
  spry_model_free(model);
  return status;
}

/* Quantized SQRT and RSQRT take no input below the zero point (a negative
 * real value), as TFLite's kernels refuse it at run time; the zero point
 * itself is fine. */
static void test_negative_inputs_fail_at_invoke(void **state) {
  (void)state;
  const char *message = NULL;
  /* op_sqrt_s8_codes: zero point -3; op_rsqrt_s8_codes: zero point -33. */
  assert_int_equal(invoke_with("op_sqrt_s8_codes", 5, -4, &message), SPRY_ERROR_RUNTIME);
  assert_non_null(strstr(message, "SQRT is only defined for non-negative inputs (element 5)"));
  assert_int_equal(invoke_with("op_sqrt_s8_codes", 5, -3, &message), SPRY_OK);
  assert_int_equal(invoke_with("op_rsqrt_s8_codes", 0, -34, &message), SPRY_ERROR_RUNTIME);
  assert_non_null(strstr(message, "RSQRT is only defined for non-negative inputs (element 0)"));
  assert_int_equal(invoke_with("op_rsqrt_s8_codes", 0, -33, &message), SPRY_OK);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_models),
      cmocka_unit_test(test_negative_inputs_fail_at_invoke),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
