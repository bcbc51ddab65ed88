/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_constant_folding.c — DEQUANTIZE nodes of float16 weights run once at
 * prepare: invoke skips them, their results count as persistent memory, and
 * a re-prepare after an input resize folds them again (the results are
 * checked against the reference in the golden case op_fp16_weights_conv).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "spry/spry.h"

static char model_path[4096];

static SpryInterpreter *open_interpreter(SpryModel **model) {
  assert_int_equal(spry_model_open_file(model_path, model), SPRY_OK);
  SpryOptions options;
  spry_options_init(&options);
  options.profile = 1;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(*model, &options, &interp), SPRY_OK);
  return interp;
}

/* Number of DEQUANTIZE nodes in the last profile, and whether any took time. */
static int folded_nodes(SpryInterpreter *interp, int *timed) {
  const SpryProfileEntry *entries;
  int32_t count;
  assert_int_equal(spry_interpreter_profile(interp, &entries, &count), SPRY_OK);
  int dequantize = 0;
  *timed = 0;
  for (int32_t i = 0; i < count; i++) {
    if (!entries[i].op.name || strcmp(entries[i].op.name, "DEQUANTIZE") != 0) continue;
    dequantize++;
    if (entries[i].ms != 0.0) (*timed)++;
  }
  return dequantize;
}

static void test_dequantize_of_constants_is_folded(void **state) {
  (void)state;
  SpryModel *model = NULL;
  SpryInterpreter *interp = open_interpreter(&model);
  /* The folded float weights (17*27 + 17 + ... floats) live in persistent memory. */
  assert_true(spry_interpreter_persistent_bytes(interp) >= (17 * 27 + 17 * 9 + 5 * 17) * 4);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  int timed = -1;
  assert_int_equal(folded_nodes(interp, &timed), 5);
  assert_int_equal(timed, 0);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_refolded_after_resize(void **state) {
  (void)state;
  SpryModel *model = NULL;
  SpryInterpreter *interp = open_interpreter(&model);
  const int32_t dims[4] = {1, 12, 6, 3};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 4, dims), SPRY_OK);
  /* The new plan (and the input's memory) exists once prepared. */
  assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  assert_non_null(in);
  float *x = spry_tensor_data(in);
  assert_non_null(x);
  for (size_t i = 0; i < spry_tensor_byte_size(in) / sizeof *x; i++) x[i] = (float)(i % 7) * 0.25f;
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  assert_int_equal(spry_tensor_dim(out, 1), 10);
  assert_int_equal(spry_tensor_dim(out, 2), 4);
  int timed = -1;
  assert_int_equal(folded_nodes(interp, &timed), 5);
  assert_int_equal(timed, 0);
  /* A second interpreter prepared directly at this size agrees exactly. */
  SpryModel *model2 = NULL;
  SpryInterpreter *fresh = open_interpreter(&model2);
  assert_int_equal(spry_interpreter_resize_input(fresh, 0, 4, dims), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(fresh), SPRY_OK);
  memcpy(spry_tensor_data(spry_interpreter_input(fresh, 0)), x, spry_tensor_byte_size(in));
  assert_int_equal(spry_interpreter_invoke(fresh), SPRY_OK);
  const SpryTensor *out2 = spry_interpreter_output(fresh, 0);
  assert_memory_equal(spry_tensor_data_const(out), spry_tensor_data_const(out2),
                      spry_tensor_byte_size(out));
  spry_interpreter_free(fresh);
  spry_model_free(model2);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

int main(void) {
  const char *data = getenv("SPRY_TEST_DATA");
  if (!data) {
    fprintf(stderr, "SPRY_TEST_DATA is not set\n");
    return 1;
  }
  snprintf(model_path, sizeof model_path, "%s/goldens/op_fp16_weights_conv/model.tflite", data);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dequantize_of_constants_is_folded),
      cmocka_unit_test(test_refolded_after_resize),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
