/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_lstm.c — the recurrent ops (UNIDIRECTIONAL_SEQUENCE_LSTM, LSTM, RNN,
 * UNIDIRECTIONAL_SEQUENCE_RNN, SVDF) keep their variable state across
 * invokes exactly as TFLite does: each golden below is invoked twice on the
 * same input and both outputs are compared with the reference's two
 * consecutive invokes (output_0.bin, output_0.second.bin from
 * tools/goldens/make_lstm_cases.py, make_rnn_cases.py,
 * make_hybrid_lstm_cases.py and make_lstm_integer_ln_cases.py); int8 byte for
 * byte, float32 within 1e-5 * (1 + max |ref|). Also checks that the second
 * output differs from the first (the state really carried over), that
 * the 16-bit fixed-point gate functions hit their exact end points, and that
 * prepare refuses the LSTM op's BASIC kernel type with options, types or
 * shapes it cannot run (data/lstm_basic_errors from
 * tools/goldens/make_lstm_basic_cases.py), with a message saying why.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refused_model.h"
#include "reference/lstm_fixed16.h"
#include "spry/spry.h"

/* A model (DATA_DIR/<dir>/<name>.tflite) whose prepare must fail with a
 * message containing `fragment`. */
typedef struct LstmErrorCase {
  const char *name;
  const char *fragment;
} LstmErrorCase;

#include "data/lstm_basic_errors.h"

static const char *data_dir;

static const char *const kCases[] = {
    "op_unidirectional_sequence_lstm_f32_basic",
    "op_unidirectional_sequence_lstm_f32_peephole_proj_clip_tm",
    "op_unidirectional_sequence_lstm_f32_cifg_layernorm_relu",
    "op_unidirectional_sequence_lstm_s8_basic",
    "op_unidirectional_sequence_lstm_s8_cifg_peephole_proj_clip_tm",
    "op_lstm_f32_basic",
    "op_lstm_f32_cifg_layernorm",
    "op_lstm_f32_peephole_proj_clip",
    "op_lstm_s8_basic",
    "op_unidirectional_sequence_lstm_hybrid_s8_basic",
    "op_unidirectional_sequence_lstm_hybrid_s8_cifg_tm_asym",
    "op_unidirectional_sequence_lstm_hybrid_s8_peephole_proj_clip_asym",
    "op_unidirectional_sequence_lstm_hybrid_s8_layernorm_peephole_tm",
    "op_unidirectional_sequence_lstm_hybrid_s8_cifg_layernorm_proj_asym",
    "op_unidirectional_sequence_lstm_hybrid_u8_peephole_tm",
    "op_unidirectional_sequence_lstm_hybrid_s8_zero_step_tm_asym",
    "op_unidirectional_sequence_lstm_f32_diagonal",
    "op_unidirectional_sequence_lstm_f32_diagonal_cifg_peephole_proj_clip_tm",
    "op_unidirectional_sequence_lstm_f32_diagonal_layernorm_relu",
    "op_unidirectional_sequence_lstm_hybrid_s8_diagonal_peephole_proj_asym",
    "op_unidirectional_sequence_lstm_hybrid_s8_diagonal_cifg_layernorm_tm",
    "op_lstm_hybrid_s8_basic",
    "op_lstm_hybrid_s8_peephole_proj_clip_asym",
    "op_lstm_hybrid_s8_cifg_layernorm",
    "op_unidirectional_sequence_lstm_s8_layernorm",
    "op_unidirectional_sequence_lstm_s8_cifg_layernorm_peephole_proj_clip_tm",
    "op_lstm_s8_layernorm_peephole",
    "op_lstm_s8_cifg_layernorm_proj",
    "op_rnn_f32_none",
    "op_rnn_f32_relu",
    "op_rnn_f32_relu6",
    "op_rnn_f32_relu_n1_to_1",
    "op_rnn_f32_sign_bit",
    "op_rnn_f32_tanh",
    "op_rnn_hybrid_asym_tanh",
    "op_rnn_hybrid_relu",
    "op_svdf_f32_rank1_relu",
    "op_svdf_f32_rank1_relu6",
    "op_svdf_f32_rank2_none_nobias",
    "op_svdf_f32_rank3_tanh",
    "op_svdf_hybrid_asym_rank1_tanh",
    "op_svdf_hybrid_rank2_relu",
    "op_svdf_s8_rank1_relu",
    "op_svdf_s8_rank2_relu_nobias",
    "op_unidirectional_sequence_rnn_f32_relu_tm",
    "op_unidirectional_sequence_rnn_f32_tanh",
    "op_unidirectional_sequence_rnn_hybrid_asym_relu6",
    "op_unidirectional_sequence_rnn_hybrid_tanh_tm",
};

static void *read_file(const char *dir, const char *name, size_t *size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/goldens/%s/%s", getenv("SPRY_TEST_DATA"), dir, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = malloc(n > 0 ? (size_t)n : 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *size = (size_t)n;
  return data;
}

static void expect_output(const SpryTensor *out, const char *dir, const char *file) {
  size_t size;
  void *want = read_file(dir, file, &size);
  SpryTensorInfo info;
  assert_int_equal(spry_tensor_info(out, &info), SPRY_OK);
  assert_int_equal(spry_tensor_byte_size(out), size);
  const void *got = spry_tensor_data_const(out);
  if (info.type == SPRY_TYPE_FLOAT32) {
    const float *g = got, *w = want;
    float max_ref = 0.0f;
    for (size_t i = 0; i < size / 4; i++) max_ref = fmaxf(max_ref, fabsf(w[i]));
    for (size_t i = 0; i < size / 4; i++)
      assert_true(fabsf(g[i] - w[i]) <= 1e-5f * (1.0f + max_ref));
  } else {
    assert_memory_equal(got, want, size);
  }
  free(want);
}

static void run_twice(const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/goldens/%s/model.tflite", getenv("SPRY_TEST_DATA"), dir);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  size_t in_size;
  void *in = read_file(dir, "input_0.bin", &in_size);
  SpryTensor *input = spry_interpreter_input(interp, 0);
  assert_int_equal(spry_tensor_byte_size(input), in_size);
  memcpy(spry_tensor_data(input), in, in_size);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  expect_output(out, dir, "output_0.bin");
  size_t first_size;
  void *first = read_file(dir, "output_0.bin", &first_size);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  expect_output(out, dir, "output_0.second.bin");
  /* Same input, different result: the state carried over. */
  assert_memory_not_equal(spry_tensor_data_const(out), first, first_size);
  free(first);
  free(in);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_state_carries_over(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof kCases / sizeof kCases[0]; i++) run_twice(kCases[i]);
}

/* End points of the gemmlowp 16-bit functions: logistic(0) = 1/2, tanh(0) =
 * 0, odd/complementary symmetry, and saturation near +-1 at the extremes. */
static void test_fixed16_end_points(void **state) {
  (void)state;
  assert_int_equal(spry_fp16_logistic_q3(0), 16384);
  assert_int_equal(spry_fp16_tanh(0, 3), 0);
  for (int x = -32768; x <= 32767; x += 97) {
    const int16_t v = (int16_t)x;
    const double want_sig = 1.0 / (1.0 + exp(-x / 4096.0));
    assert_true(fabs(spry_fp16_logistic_q3(v) / 32768.0 - want_sig) < 2e-3);
    for (int bits = 0; bits <= 6; bits++) {
      const double want = tanh(x / (double)(1 << (15 - bits)));
      assert_true(fabs(spry_fp16_tanh(v, bits) / 32768.0 - want) < 2e-3);
    }
  }
}

static void test_basic_kernel_refusals(void **state) {
  (void)state;
  const size_t count = sizeof lstm_basic_error_cases / sizeof lstm_basic_error_cases[0];
  for (size_t i = 0; i < count; i++)
    expect_prepare_error(data_dir, "lstm_basic_errors", lstm_basic_error_cases[i].name,
                         lstm_basic_error_cases[i].fragment);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_state_carries_over),
      cmocka_unit_test(test_fixed16_end_points),
      cmocka_unit_test(test_basic_kernel_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
