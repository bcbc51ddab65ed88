/* SPDX-License-Identifier: Apache-2.0 */
/* test_interpreter.c — custom ops from outside, resolving errors, resize and re-plan, profiling,
 * node outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "spry/op.h"
#include "spry/spry.h"

static int prepare_calls;
static size_t seen_custom_options_size;

static SpryStatus twice_prepare(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE(ctx, in && out && in->type == SPRY_TYPE_FLOAT32);
  prepare_calls++;
  if (node->index == 0) seen_custom_options_size = node->custom_options_size;
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus twice_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const float *x = in->data;
  float *y = out->data;
  for (size_t i = 0; i < in->bytes / sizeof(float); i++) y[i] = 2.0f * x[i];
  return SPRY_OK;
}

static const SpryOpRegistration twice = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Twice",
    .min_version = 1,
    .max_version = 1,
    .prepare = twice_prepare,
    .invoke = twice_invoke,
};

static SpryStatus failing_invoke(SpryContext *ctx, SpryNode *node) {
  (void)node;
  return spry_context_error(ctx, SPRY_ERROR_RUNTIME, "boom %d", 42);
}

static char model_path[1024];

static SpryModel *open_twice_model(void) {
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_file(model_path, &model), SPRY_OK);
  return model;
}

static SpryInterpreter *new_with(const SpryModel *model, const SpryOpRegistration *reg,
                                 SpryStatus expected) {
  SpryResolver *resolver = NULL;
  assert_int_equal(spry_resolver_new(&resolver), SPRY_OK);
  if (reg) assert_int_equal(spry_resolver_add(resolver, reg), SPRY_OK);
  SpryOptions options;
  spry_options_init(&options);
  options.resolver = resolver;
  options.profile = 1;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(model, &options, &interp), expected);
  /* The resolver is only needed while the interpreter is created. */
  spry_resolver_free(resolver);
  return interp;
}

static void test_custom_op_from_outside(void **state) {
  (void)state;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = new_with(model, &twice, SPRY_OK);
  assert_non_null(interp);
  assert_int_equal(seen_custom_options_size, 3);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  float *x = spry_tensor_data(in);
  for (int i = 0; i < 4; i++) x[i] = (float)(i + 1);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  const float *y = spry_tensor_data_const(out);
  for (int i = 0; i < 4; i++) assert_true(y[i] == 4.0f * (float)(i + 1));
  /* Inputs survive the run. */
  for (int i = 0; i < 4; i++) assert_true(x[i] == (float)(i + 1));

  const SpryProfileEntry *entries = NULL;
  int32_t count = 0;
  assert_int_equal(spry_interpreter_profile(interp, &entries, &count), SPRY_OK);
  assert_int_equal(count, 2);
  assert_string_equal(entries[1].op.name, "Twice");
  assert_true(entries[1].op.custom);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_unsupported_op_is_named(void **state) {
  (void)state;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_ERROR_UNSUPPORTED);
  assert_null(interp);
  assert_string_equal(spry_last_error(), "unsupported op Twice (custom)");
  spry_model_free(model);
}

static void test_version_outside_range_is_named(void **state) {
  (void)state;
  SpryOpRegistration v2 = twice;
  v2.min_version = 2;
  v2.max_version = 3;
  SpryModel *model = open_twice_model();
  assert_null(new_with(model, &v2, SPRY_ERROR_UNSUPPORTED));
  assert_string_equal(spry_last_error(), "Twice version 1 is not supported (supported from 2)");
  spry_model_free(model);
}

static void test_bad_registrations_are_refused(void **state) {
  (void)state;
  SpryResolver *resolver = NULL;
  assert_int_equal(spry_resolver_new(&resolver), SPRY_OK);
  SpryOpRegistration bad = twice;
  bad.abi_version = 99;
  assert_int_equal(spry_resolver_add(resolver, &bad), SPRY_ERROR_INVALID_ARGUMENT);
  bad = twice;
  bad.invoke = NULL;
  assert_int_equal(spry_resolver_add(resolver, &bad), SPRY_ERROR_INVALID_ARGUMENT);
  bad = twice;
  bad.custom_name = NULL;
  assert_int_equal(spry_resolver_add(resolver, &bad), SPRY_ERROR_INVALID_ARGUMENT);
  bad = twice;
  bad.max_version = 0;
  assert_int_equal(spry_resolver_add(resolver, &bad), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_resolver_add(NULL, &twice), SPRY_ERROR_INVALID_ARGUMENT);
  spry_resolver_free(resolver);
  spry_resolver_free(NULL);
}

static void test_kernel_error_is_reported_with_node(void **state) {
  (void)state;
  SpryOpRegistration failing = twice;
  failing.invoke = failing_invoke;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = new_with(model, &failing, SPRY_OK);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_ERROR_RUNTIME);
  assert_string_equal(spry_last_error(), "Twice (node 0): boom 42");
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_resize_dynamic_batch_replans(void **state) {
  (void)state;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = new_with(model, &twice, SPRY_OK);
  const size_t small_arena = spry_interpreter_arena_bytes(interp);
  /* input (kept to the end) + middle + output, each 16 bytes rounded to 64;
   * output reuses nothing it overlaps with: the plan equals the lower bound. */
  assert_int_equal(small_arena, 3 * 64);
  assert_int_equal(spry_interpreter_arena_lower_bound(interp), 3 * 64);

  const int32_t batch3[] = {3, 4};
  const int before = prepare_calls;
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 2, batch3), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
  assert_int_equal(prepare_calls, before + 2);
  const SpryTensor *middle = NULL;
  assert_int_equal(spry_interpreter_node_output(interp, 0, 0, &middle), SPRY_OK);
  assert_int_equal(spry_tensor_dim(middle, 0), 3);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  assert_int_equal(spry_tensor_dim(in, 0), 3);
  assert_int_equal(spry_tensor_byte_size(in), 48);
  float *x = spry_tensor_data(in);
  for (int i = 0; i < 12; i++) x[i] = (float)i - 5.5f;
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  assert_int_equal(spry_tensor_dim(out, 0), 3);
  assert_int_equal(spry_tensor_element_count(out), 12);
  const float *y = spry_tensor_data_const(out);
  for (int i = 0; i < 12; i++) assert_true(y[i] == 4.0f * ((float)i - 5.5f));

  /* Only the dynamic dimension may change. */
  const int32_t wider[] = {3, 5};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 2, wider),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(spry_last_error(), "fixed at 4"));
  const int32_t rank3[] = {1, 2, 2};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 3, rank3),
                   SPRY_ERROR_INVALID_ARGUMENT);
  const int32_t negative[] = {-2, 4};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 2, negative),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_interpreter_resize_input(interp, 1, 2, batch3),
                   SPRY_ERROR_INVALID_ARGUMENT);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_arena_limit_fails_cleanly(void **state) {
  (void)state;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = new_with(model, &twice, SPRY_OK);
  const int32_t huge[] = {1 << 28, 4};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 2, huge), SPRY_OK);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_ERROR_OUT_OF_MEMORY);
  assert_non_null(strstr(spry_last_error(), "over the limit"));
  spry_interpreter_free(interp);
  spry_model_free(model);
}

/* A node's outputs are the interpreter's own tensors (shaped by the last
 * prepare: see the resize test); the last node's output is the model's. */
static void test_node_output(void **state) {
  (void)state;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = new_with(model, &twice, SPRY_OK);
  const SpryTensor *first = NULL, *last = NULL;
  assert_int_equal(spry_interpreter_node_output(interp, 0, 0, &first), SPRY_OK);
  assert_int_equal(spry_tensor_rank(first), 2);
  assert_int_equal(spry_tensor_dim(first, 0), 1);
  assert_int_equal(spry_tensor_dim(first, 1), 4);
  assert_int_equal(spry_interpreter_node_output(interp, 1, 0, &last), SPRY_OK);
  assert_ptr_equal(last, spry_interpreter_output(interp, 0));
  assert_ptr_not_equal(first, last);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_node_output_errors(void **state) {
  (void)state;
  SpryModel *model = open_twice_model();
  SpryInterpreter *interp = new_with(model, &twice, SPRY_OK);
  const SpryTensor *t = NULL;
  assert_int_equal(spry_interpreter_node_output(NULL, 0, 0, &t), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_interpreter_node_output(interp, 0, 0, NULL), SPRY_ERROR_INVALID_ARGUMENT);
  t = spry_interpreter_output(interp, 0);
  assert_int_equal(spry_interpreter_node_output(interp, 2, 0, &t), SPRY_ERROR_INVALID_ARGUMENT);
  assert_null(t);
  assert_string_equal(spry_last_error(), "node 2 out of range (2 nodes)");
  assert_int_equal(spry_interpreter_node_output(interp, -1, 0, &t), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_interpreter_node_output(interp, 0, 1, &t), SPRY_ERROR_NOT_FOUND);
  assert_string_equal(spry_last_error(), "node 0 has no output 1 (1 outputs)");
  assert_int_equal(spry_interpreter_node_output(interp, 0, -1, &t), SPRY_ERROR_NOT_FOUND);
  assert_null(t);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_null_arguments(void **state) {
  (void)state;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(NULL, NULL, &interp), SPRY_ERROR_INVALID_ARGUMENT);
  assert_true(strlen(spry_last_error()) > 0);
  assert_int_equal(spry_interpreter_invoke(NULL), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_interpreter_prepare(NULL), SPRY_ERROR_INVALID_ARGUMENT);
  assert_null(spry_interpreter_input(NULL, 0));
  assert_int_equal(spry_interpreter_input_count(NULL), 0);
  spry_interpreter_free(NULL);
  spry_model_free(NULL);
  SpryModel *model = open_twice_model();
  interp = new_with(model, &twice, SPRY_OK);
  assert_null(spry_interpreter_input(interp, 1));
  assert_null(spry_interpreter_output(interp, -1));
  spry_interpreter_free(interp);
  spry_model_free(model);
}

int main(void) {
  const char *dir = getenv("SPRY_ENGINE_TEST_MODELS");
  snprintf(model_path, sizeof model_path, "%s/twice_chain.tflite", dir ? dir : ".");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_custom_op_from_outside),
      cmocka_unit_test(test_unsupported_op_is_named),
      cmocka_unit_test(test_version_outside_range_is_named),
      cmocka_unit_test(test_bad_registrations_are_refused),
      cmocka_unit_test(test_kernel_error_is_reported_with_node),
      cmocka_unit_test(test_resize_dynamic_batch_replans),
      cmocka_unit_test(test_arena_limit_fails_cleanly),
      cmocka_unit_test(test_node_output),
      cmocka_unit_test(test_node_output_errors),
      cmocka_unit_test(test_null_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
