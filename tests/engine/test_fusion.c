/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fusion.c — RELU nodes after float CONV_2D and DEPTHWISE_CONV_2D
 * carried out by the convolutions (engine/fusion.h), on the two golden
 * models of tools/goldens/make_fusion_cases.py: op_conv_relu_separate
 * (both RELUs fusable) and op_conv_relu_kept (the same weights, with the
 * convolutions' own outputs also model outputs, so nothing fuses). Their
 * results against the reference are the golden cases' business; here:
 * which RELUs are skipped, and that fusing changes no bit of the result,
 * for 1 and 2 threads and after a re-prepare; and a RELU whose output the
 * model also lists as an input (tests/engine/models/
 * conv_relu_input_written.tflite, from the same script) is not fused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "spry/spry.h"

static char separate_path[4096], kept_path[4096], written_path[4096];

/* The models' input: 1x12x13x3 floats in [-1, 1), a fixed pattern. */
enum { INPUT_VALUES = 12 * 13 * 3 };

typedef struct Run {
  SpryModel *model;
  SpryInterpreter *interp;
} Run;

static Run open_run(const char *path, int32_t threads) {
  Run r = {0};
  assert_int_equal(spry_model_open_file(path, &r.model), SPRY_OK);
  SpryOptions options;
  spry_options_init(&options);
  options.profile = 1;
  options.num_threads = threads;
  assert_int_equal(spry_interpreter_new(r.model, &options, &r.interp), SPRY_OK);
  return r;
}

static void close_run(Run *r) {
  spry_interpreter_free(r->interp);
  spry_model_free(r->model);
}

static void invoke(const Run *r) {
  SpryTensor *in = spry_interpreter_input(r->interp, 0);
  assert_non_null(in);
  assert_int_equal(spry_tensor_byte_size(in), INPUT_VALUES * sizeof(float));
  float *x = spry_tensor_data(in);
  for (int32_t i = 0; i < INPUT_VALUES; i++) x[i] = (float)((i * 37) % 200 - 100) / 100.0f;
  assert_int_equal(spry_interpreter_invoke(r->interp), SPRY_OK);
}

/* Profile times of the RELU nodes: how many there are, and how many took
 * no time (skipped). */
static int relu_nodes(const Run *r, int *skipped) {
  const SpryProfileEntry *entries;
  int32_t count;
  assert_int_equal(spry_interpreter_profile(r->interp, &entries, &count), SPRY_OK);
  int relus = 0;
  *skipped = 0;
  for (int32_t i = 0; i < count; i++) {
    if (!entries[i].op.name || strcmp(entries[i].op.name, "RELU") != 0) continue;
    relus++;
    if (entries[i].ms == 0.0) (*skipped)++;
  }
  return relus;
}

static bool reference_kernels(const Run *r) {
  return strcmp(spry_interpreter_kernel_isa(r->interp), "reference") == 0;
}

/* The model's two RELU nodes were run, except `fused` of them (none under
 * the reference kernels, which fuse nothing). */
static void assert_fused_relus(const Run *r, int fused) {
  int skipped = -1;
  assert_int_equal(relu_nodes(r, &skipped), 2);
  assert_int_equal(skipped, reference_kernels(r) ? 0 : fused);
}

/* Output 0 of both runs, the same bytes; returns the first one. */
static const SpryTensor *assert_same_output(const Run *a, const Run *b) {
  const SpryTensor *x = spry_interpreter_output(a->interp, 0);
  const SpryTensor *y = spry_interpreter_output(b->interp, 0);
  assert_non_null(x);
  assert_non_null(y);
  const size_t bytes = spry_tensor_byte_size(x);
  assert_int_equal(bytes, spry_tensor_byte_size(y));
  assert_memory_equal(spry_tensor_data_const(x), spry_tensor_data_const(y), bytes);
  return x;
}

/* Both RELUs of the separate model are skipped (none under the reference
 * kernels, which fuse nothing); the kept model runs both. */
static void test_which_relus_are_skipped(void **state) {
  (void)state;
  Run separate = open_run(separate_path, 1), kept = open_run(kept_path, 1);
  invoke(&separate);
  invoke(&kept);
  assert_fused_relus(&separate, 2);
  assert_fused_relus(&kept, 0);
  close_run(&separate);
  close_run(&kept);
}

/* The fused model's output equals the unfused one's bit for bit. */
static void check_same_output(int32_t threads) {
  Run separate = open_run(separate_path, threads), kept = open_run(kept_path, threads);
  invoke(&separate);
  invoke(&kept);
  const SpryTensor *out = assert_same_output(&separate, &kept);
  /* Not all zero: the RELUs let something through. */
  const float *v = spry_tensor_data_const(out);
  size_t nonzero = 0;
  for (size_t i = 0; i < spry_tensor_element_count(out); i++) nonzero += v[i] != 0.0f;
  assert_true(nonzero > 0);
  close_run(&separate);
  close_run(&kept);
}

static void test_fused_results_equal_unfused(void **state) {
  (void)state;
  check_same_output(1);
  check_same_output(2);
}

/* A fused RELU's output shares the convolution's buffer (and under the
 * reference kernels does not). */
static void test_relu_output_shares_buffer(void **state) {
  (void)state;
  Run r = open_run(separate_path, 1);
  invoke(&r);
  const SpryTensor *conv = NULL, *relu = NULL;
  assert_int_equal(spry_interpreter_node_output(r.interp, 0, 0, &conv), SPRY_OK);
  assert_int_equal(spry_interpreter_node_output(r.interp, 1, 0, &relu), SPRY_OK);
  const bool shared = spry_tensor_data_const(conv) == spry_tensor_data_const(relu);
  assert_int_equal(shared, !reference_kernels(&r));
  close_run(&r);
}

/* A re-prepare (the input resized to its own shape) fuses again and keeps
 * the result. */
static void test_fused_again_after_prepare(void **state) {
  (void)state;
  Run r = open_run(separate_path, 1), kept = open_run(kept_path, 1);
  invoke(&kept);
  const int32_t dims[4] = {1, 12, 13, 3};
  assert_int_equal(spry_interpreter_resize_input(r.interp, 0, 4, dims), SPRY_OK);
  invoke(&r);
  assert_fused_relus(&r, 2);
  assert_same_output(&r, &kept);
  close_run(&r);
  close_run(&kept);
}

/* The first RELU's output is also model input 1: the caller's data there
 * must not share a buffer that earlier nodes use, so that RELU runs (the
 * second one fuses), and the result is the same. */
static void test_relu_writing_an_input_is_kept(void **state) {
  (void)state;
  Run r = open_run(written_path, 1), kept = open_run(kept_path, 1);
  assert_int_equal(spry_interpreter_input_count(r.interp), 2);
  SpryTensor *extra = spry_interpreter_input(r.interp, 1);
  float *v = spry_tensor_data(extra);
  for (size_t i = 0; i < spry_tensor_element_count(extra); i++) v[i] = 1e30f;
  invoke(&r);
  invoke(&kept);
  assert_fused_relus(&r, 1);
  assert_same_output(&r, &kept);
  close_run(&r);
  close_run(&kept);
}

int main(void) {
  const char *data = getenv("SPRY_TEST_DATA");
  if (!data) {
    fprintf(stderr, "SPRY_TEST_DATA is not set\n");
    return 1;
  }
  snprintf(separate_path, sizeof separate_path, "%s/goldens/op_conv_relu_separate/model.tflite",
           data);
  snprintf(kept_path, sizeof kept_path, "%s/goldens/op_conv_relu_kept/model.tflite", data);
  const char *models = getenv("SPRY_ENGINE_TEST_MODELS");
  if (!models) {
    fprintf(stderr, "SPRY_ENGINE_TEST_MODELS is not set\n");
    return 1;
  }
  snprintf(written_path, sizeof written_path, "%s/conv_relu_input_written.tflite", models);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_which_relus_are_skipped),
      cmocka_unit_test(test_fused_results_equal_unfused),
      cmocka_unit_test(test_relu_output_shares_buffer),
      cmocka_unit_test(test_fused_again_after_prepare),
      cmocka_unit_test(test_relu_writing_an_input_is_kept),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
