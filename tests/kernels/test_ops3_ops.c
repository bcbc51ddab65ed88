/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops3_ops.c — BIDIRECTIONAL_SEQUENCE_LSTM, float32 and hybrid, keeps
 * both cells' variable state across invokes exactly as TFLite does (every
 * output of two consecutive invokes against the reference's, output_<i>.bin
 * and output_<i>.second.bin from tools/goldens/make_lstm_bidi_cases.py and
 * make_hybrid_lstm_cases.py, float32 within 1e-5 * (1 + max |ref|)), and
 * models prepare must reject fail with a precise message
 * (data/<family>_errors/, listed in data/<family>_errors.h):
 * BIDIRECTIONAL_SEQUENCE_LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM and LSTM,
 * CONV_3D and CONV_3D_TRANSPOSE.
 *
 * Usage: test_ops3_ops DATA_DIR   (tests/kernels/data; goldens are read from
 * $SPRY_TEST_DATA/goldens)
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

#include "refused_model.h"
#include "spry/spry.h"

typedef struct Ops3ErrorCase {
  const char *name;     /* <dir>/<name>.tflite */
  const char *fragment; /* expected in the error message */
} Ops3ErrorCase;

#include "data/conv3d_errors.h"
#include "data/lstm_bidi_errors.h"
#include "data/lstm_errors.h"

static const char *data_dir;

static const char *const kStateCases[] = {
    "op_bidirectional_sequence_lstm_f32_tm_separate",
    "op_bidirectional_sequence_lstm_f32_bm_merged_peephole_proj_clip",
    "op_bidirectional_sequence_lstm_f32_tm_merged_cifg_aux_bw",
    "op_bidirectional_sequence_lstm_f32_bm_aux_weights_relu",
    "op_bidirectional_sequence_lstm_f32_tm_merged_aux_weights_proj",
    "op_bidirectional_sequence_lstm_hybrid_s8_tm_merged_aux_weights_asym",
    "op_bidirectional_sequence_lstm_hybrid_s8_bm_separate_peephole_proj",
    "op_bidirectional_sequence_lstm_hybrid_s8_tm_merged_cifg_aux_bw_asym",
    "op_bidirectional_sequence_lstm_hybrid_u8_bm_aux_weights_relu",
};

/* The file's bytes, or NULL when it does not exist. */
static void *read_golden(const char *dir, const char *name, size_t *size) {
  char path[4096];
  const int n =
      snprintf(path, sizeof path, "%s/goldens/%s/%s", getenv("SPRY_TEST_DATA"), dir, name);
  assert_true(n > 0 && (size_t)n < sizeof path);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  const long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  assert_true(len >= 0);
  void *data = malloc(len > 0 ? (size_t)len : 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *size = (size_t)len;
  return data;
}

static void expect_float_output(const SpryTensor *out, const char *dir, const char *file) {
  size_t size = 0;
  float *want = read_golden(dir, file, &size);
  assert_non_null(want);
  assert_int_equal(spry_tensor_byte_size(out), size);
  const float *got = spry_tensor_data_const(out);
  float max_ref = 0.0f;
  for (size_t i = 0; i < size / 4; i++) max_ref = fmaxf(max_ref, fabsf(want[i]));
  for (size_t i = 0; i < size / 4; i++) {
    if (!(fabsf(got[i] - want[i]) <= 1e-5f * (1.0f + max_ref)))
      print_error("%s/%s[%zu]: got %g, expected %g\n", dir, file, i, (double)got[i],
                  (double)want[i]);
    assert_true(fabsf(got[i] - want[i]) <= 1e-5f * (1.0f + max_ref));
  }
  free(want);
}

static void feed_inputs(SpryInterpreter *interp, const char *dir) {
  for (int32_t i = 0; i < spry_interpreter_input_count(interp); i++) {
    char name[32];
    snprintf(name, sizeof name, "input_%d.bin", (int)i);
    size_t size = 0;
    void *data = read_golden(dir, name, &size);
    assert_non_null(data);
    SpryTensor *input = spry_interpreter_input(interp, i);
    assert_int_equal(spry_tensor_byte_size(input), size);
    memcpy(spry_tensor_data(input), data, size);
    free(data);
  }
}

/* Two invokes on the same inputs; every output matches the reference's,
 * and the second differs from the first (the state carried over). */
static void run_twice(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/goldens/%s/model.tflite", getenv("SPRY_TEST_DATA"), dir);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  feed_inputs(interp, dir);
  const int32_t outputs = spry_interpreter_output_count(interp);
  for (int invoke = 0; invoke < 2; invoke++) {
    assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
    for (int32_t i = 0; i < outputs; i++) {
      char name[48];
      snprintf(name, sizeof name, invoke ? "output_%d.second.bin" : "output_%d.bin", (int)i);
      const SpryTensor *out = spry_interpreter_output(interp, i);
      expect_float_output(out, dir, name);
      if (invoke == 1) {
        char first_name[48];
        snprintf(first_name, sizeof first_name, "output_%d.bin", (int)i);
        size_t size = 0;
        void *first = read_golden(dir, first_name, &size);
        assert_non_null(first);
        assert_memory_not_equal(spry_tensor_data_const(out), first, size);
        free(first);
      }
    }
  }
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_state_carries_over(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof kStateCases / sizeof kStateCases[0]; i++) run_twice(kStateCases[i]);
}

static void expect_error(const char *dir, const Ops3ErrorCase *c) {
  expect_prepare_error(data_dir, dir, c->name, c->fragment);
}

static void test_lstm_bidi_errors(void **state) {
  (void)state;
  const size_t count = sizeof lstm_bidi_error_cases / sizeof lstm_bidi_error_cases[0];
  for (size_t i = 0; i < count; i++) expect_error("lstm_bidi_errors", &lstm_bidi_error_cases[i]);
}

static void test_lstm_errors(void **state) {
  (void)state;
  const size_t count = sizeof lstm_error_cases / sizeof lstm_error_cases[0];
  for (size_t i = 0; i < count; i++) expect_error("lstm_errors", &lstm_error_cases[i]);
}

static void test_conv3d_errors(void **state) {
  (void)state;
  const size_t count = sizeof conv3d_error_cases / sizeof conv3d_error_cases[0];
  for (size_t i = 0; i < count; i++) expect_error("conv3d_errors", &conv3d_error_cases[i]);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_state_carries_over),
      cmocka_unit_test(test_lstm_bidi_errors),
      cmocka_unit_test(test_lstm_errors),
      cmocka_unit_test(test_conv3d_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
