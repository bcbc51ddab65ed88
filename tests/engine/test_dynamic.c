/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dynamic.c — dynamic tensors (engine/dynamic.h): shapes set at invoke,
 * heap buffers outside the arena that grow and never shrink, nodes prepared
 * at every invoke with scratch and persistent memory of their own, the
 * refusals (resizing a planned tensor at invoke, run-time shapes crossing
 * subgraph boundaries, malformed WHERE nodes) and WHERE of a constant
 * condition folded at prepare. WHERE's values are checked against TFLite in
 * the golden cases (tests/data/goldens/op_where_*, dyn_where_*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "interpreter_internal.h"
#include "spry/op.h"
#include "spry/spry.h"

static char models_dir[2048]; /* tests/engine/models */
static char data_dir[2048];   /* tests/data */

static SpryModel *open_model(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  SpryModel *model = NULL;
  if (spry_model_open_file(path, &model) != SPRY_OK) print_error("%s\n", spry_last_error());
  assert_non_null(model);
  return model;
}

/* ---- Custom ops: Grow (dynamic output) and Twice (prepared at invoke) ---- */

static int twice_prepares;

static int32_t count_input(SpryContext *ctx, const SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  int32_t n;
  memcpy(&n, in->data, sizeof n);
  return n;
}

static SpryStatus grow_prepare(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE(ctx, in && out && in->type == SPRY_TYPE_INT32 && out->type == SPRY_TYPE_FLOAT32);
  /* Only outputs can be dynamic. */
  SPRY_ENSURE(ctx, spry_context_set_dynamic(ctx, (SpryTensor *)in) == SPRY_ERROR_INVALID_ARGUMENT);
  return spry_context_set_dynamic(ctx, out);
}

/* Output: 0, 1, ..., count - 1. */
static SpryStatus grow_invoke(SpryContext *ctx, SpryNode *node) {
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE(ctx, spry_context_set_dynamic(ctx, out) == SPRY_ERROR_BAD_STATE);
  const int32_t n = count_input(ctx, node);
  SPRY_TRY(spry_context_resize_tensor(ctx, out, 1, &n));
  float *y = out->data;
  for (int32_t i = 0; i < n; i++) y[i] = (float)i;
  return SPRY_OK;
}

static const SpryOpRegistration grow = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Grow", .min_version = 1, .max_version = 1,
    .prepare = grow_prepare, .invoke = grow_invoke,
};

/* Grow without marking its output dynamic: resizing at invoke must fail. */
static SpryStatus static_grow_prepare(SpryContext *ctx, SpryNode *node) {
  const int32_t one = 1;
  return spry_context_resize_tensor(ctx, spry_node_output(ctx, node, 0), 1, &one);
}

static const SpryOpRegistration static_grow = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Grow", .min_version = 1, .max_version = 1,
    .prepare = static_grow_prepare, .invoke = grow_invoke,
};

typedef struct TwiceData {
  int32_t scratch;
  float *factor; /* persistent: 2.0 in every element, so that it must be the right size */
} TwiceData;

/* What spry_context_alloc_persistent promises: 64-byte aligned, zeroed. */
static bool fresh_persistent(const void *p, size_t bytes) {
  if (!p || (uintptr_t)p % 64 != 0) return false;
  const uint8_t *b = p;
  for (size_t i = 0; i < bytes; i++)
    if (b[i] != 0) return false;
  return true;
}

static SpryStatus twice_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  (void)node;
  *user_data = spry_context_alloc_persistent(ctx, sizeof(TwiceData));
  if (!*user_data) return SPRY_ERROR_OUT_OF_MEMORY;
  return fresh_persistent(*user_data, sizeof(TwiceData)) ? SPRY_OK : SPRY_ERROR_BAD_STATE;
}

static SpryStatus twice_prepare(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  TwiceData *data = node->user_data;
  twice_prepares++;
  const size_t n = in->bytes / sizeof(float);
  data->factor = spry_context_alloc_persistent(ctx, in->bytes);
  /* Sizes 0 to 400 bytes over the test's invokes. */
  SPRY_ENSURE(ctx, fresh_persistent(data->factor, in->bytes));
  for (size_t i = 0; i < n; i++) data->factor[i] = 2.0f;
  SPRY_TRY(spry_context_request_scratch(ctx, in->bytes, &data->scratch));
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

/* Through scratch on purpose: the deferred node's own buffer must hold it. */
static SpryStatus twice_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const TwiceData *data = node->user_data;
  float *tmp = spry_context_scratch(ctx, data->scratch);
  SPRY_ENSURE(ctx, tmp != NULL && out->bytes == in->bytes);
  const float *x = in->data;
  for (size_t i = 0; i < in->bytes / sizeof(float); i++) tmp[i] = data->factor[i] * x[i];
  memcpy(out->data, tmp, in->bytes);
  return SPRY_OK;
}

static const SpryOpRegistration twice = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Twice", .min_version = 1, .max_version = 1,
    .init = twice_init, .prepare = twice_prepare, .invoke = twice_invoke,
};

static SpryInterpreter *new_chain(const SpryModel *model, const SpryOpRegistration *grow_op) {
  SpryResolver *resolver = NULL;
  assert_int_equal(spry_resolver_new(&resolver), SPRY_OK);
  assert_int_equal(spry_resolver_add(resolver, grow_op), SPRY_OK);
  assert_int_equal(spry_resolver_add(resolver, &twice), SPRY_OK);
  SpryOptions options;
  spry_options_init(&options);
  options.resolver = resolver;
  SpryInterpreter *interp = NULL;
  const SpryStatus status = spry_interpreter_new(model, &options, &interp);
  if (status != SPRY_OK) print_error("%s\n", spry_last_error());
  assert_int_equal(status, SPRY_OK);
  spry_resolver_free(resolver);
  return interp;
}

static bool inside_arena(const SpryInterpreter *interp, const void *p) {
  const uintptr_t arena = (uintptr_t)interp->arena, q = (uintptr_t)p;
  return q >= arena && q < arena + interp->arena_bytes;
}

static void run_count(SpryInterpreter *interp, int32_t n) {
  memcpy(spry_tensor_data(spry_interpreter_input(interp, 0)), &n, sizeof n);
  const SpryStatus status = spry_interpreter_invoke(interp);
  if (status != SPRY_OK) print_error("count %d: %s\n", (int)n, spry_last_error());
  assert_int_equal(status, SPRY_OK);
}

static void check_outputs(const SpryInterpreter *interp, int32_t n) {
  for (int32_t o = 0; o < 2; o++) {
    const SpryTensor *t = spry_interpreter_output(interp, o);
    SpryTensorInfo info;
    assert_int_equal(spry_tensor_info(t, &info), SPRY_OK);
    assert_int_equal(info.rank, 1);
    assert_int_equal(info.dims[0], n);
    assert_int_equal(spry_tensor_byte_size(t), (size_t)n * sizeof(float));
    assert_int_equal(spry_tensor_element_count(t), (size_t)n);
    const float *y = spry_tensor_data_const(t);
    assert_non_null(y);
    for (int32_t i = 0; i < n; i++) assert_true(y[i] == (float)(i * (o + 1)));
  }
}

static void test_dynamic_tensor_grows_and_shrinks(void **state) {
  (void)state;
  SpryModel *model = open_model(models_dir, "dynamic_chain.tflite");
  SpryInterpreter *interp = new_chain(model, &grow);
  assert_false(spry_tensor_is_dynamic(spry_interpreter_input(interp, 0)));
  for (int32_t o = 0; o < 2; o++) {
    const SpryTensor *t = spry_interpreter_output(interp, o);
    assert_true(spry_tensor_is_dynamic(t));
    assert_non_null(spry_tensor_data_const(t)); /* provisional shape, valid buffer */
  }
  /* Only the int32 input is planned (64 bytes); Twice's scratch is not. */
  assert_int_equal(spry_interpreter_arena_bytes(interp), 64);
  assert_int_equal(twice_prepares, 0);
  const int32_t counts[] = {3, 100, 2, 0, 50, 100, 1};
  const size_t n_counts = sizeof counts / sizeof counts[0];
  const void *largest = NULL;
  for (size_t k = 0; k < n_counts; k++) {
    run_count(interp, counts[k]);
    check_outputs(interp, counts[k]);
    assert_int_equal(twice_prepares, (int)k + 1); /* prepared at every invoke */
    for (int32_t o = 0; o < 2; o++) {
      const SpryTensor *out = spry_interpreter_output(interp, o);
      assert_false(inside_arena(interp, spry_tensor_data_const(out)));
    }
    /* Persistent memory of the last prepare only: op data plus one factor array. */
    const size_t factor = ((size_t)counts[k] * sizeof(float) + 63) / 64 * 64;
    assert_int_equal(spry_interpreter_persistent_bytes(interp), 64 + factor);
    /* Buffers never shrink: once 100 floats fit, the address stays. */
    const void *data = spry_tensor_data_const(spry_interpreter_output(interp, 1));
    if (k == 1) largest = data;
    if (k > 1) assert_ptr_equal(data, largest);
  }
  /* A re-prepare (the input's plan is redone) keeps everything working. */
  const int32_t one = 1;
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 1, &one), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
  run_count(interp, 7);
  check_outputs(interp, 7);
  spry_interpreter_free(interp);
  spry_model_free(model);
  twice_prepares = 0;
}

static void test_resizing_planned_tensor_at_invoke_fails(void **state) {
  (void)state;
  SpryModel *model = open_model(models_dir, "dynamic_chain.tflite");
  SpryInterpreter *interp = new_chain(model, &static_grow);
  assert_false(spry_tensor_is_dynamic(spry_interpreter_output(interp, 0)));
  int32_t n = 4;
  memcpy(spry_tensor_data(spry_interpreter_input(interp, 0)), &n, sizeof n);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_ERROR_BAD_STATE);
  print_message("%s\n", spry_last_error());
  assert_non_null(strstr(spry_last_error(), "Grow (node 0)"));
  assert_non_null(strstr(spry_last_error(), "cannot resize tensor 'sequence' during invoke"));
  /* Even a same-shape resize: the rule does not depend on the values. */
  n = 1;
  memcpy(spry_tensor_data(spry_interpreter_input(interp, 0)), &n, sizeof n);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_ERROR_BAD_STATE);
  spry_interpreter_free(interp);
  spry_model_free(model);
  twice_prepares = 0;
}

/* ---- WHERE through the builtin resolver ---- */

static SpryInterpreter *new_builtin(const SpryModel *model) {
  SpryInterpreter *interp = NULL;
  const SpryStatus status = spry_interpreter_new(model, NULL, &interp);
  if (status != SPRY_OK) print_error("%s\n", spry_last_error());
  assert_int_equal(status, SPRY_OK);
  return interp;
}

static void test_where_shapes_follow_the_data(void **state) {
  (void)state;
  SpryModel *model = open_model(data_dir, "goldens/op_where_bool_rank2/model.tflite");
  SpryInterpreter *interp = new_builtin(model);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  assert_true(spry_tensor_is_dynamic(out));
  assert_int_equal(spry_tensor_rank(out), 2); /* provisional: no rows yet */
  assert_int_equal(spry_tensor_dim(out, 0), 0);
  assert_int_equal(spry_tensor_dim(out, 1), 2);
  assert_int_equal(spry_interpreter_arena_bytes(interp), 64); /* the [3, 4] bool input */
  uint8_t *c = spry_tensor_data(in);
  memset(c, 1, 12);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  assert_int_equal(spry_tensor_dim(out, 0), 12);
  assert_int_equal(spry_tensor_byte_size(out), 12 * 2 * sizeof(int64_t));
  memset(c, 0, 12);
  c[7] = 1; /* row 1, column 3 */
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  assert_int_equal(spry_tensor_dim(out, 0), 1);
  assert_int_equal(spry_tensor_byte_size(out), 2 * sizeof(int64_t));
  const int64_t *coords = spry_tensor_data_const(out);
  assert_int_equal(coords[0], 1);
  assert_int_equal(coords[1], 3);
  /* The model has no shape signature: any input shape, same rank of coordinates. */
  const int32_t dims[] = {2, 2, 2};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 3, dims), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
  in = spry_interpreter_input(interp, 0);
  memset(spry_tensor_data(in), 0, 8);
  ((uint8_t *)spry_tensor_data(in))[5] = 1;
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  assert_int_equal(spry_tensor_dim(out, 0), 1);
  assert_int_equal(spry_tensor_dim(out, 1), 3);
  coords = spry_tensor_data_const(out);
  assert_true(coords[0] == 1 && coords[1] == 0 && coords[2] == 1);
  /* A zero-size condition has no true element. */
  const int32_t empty[] = {2, 0, 3};
  assert_int_equal(spry_interpreter_resize_input(interp, 0, 3, empty), SPRY_OK);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  assert_int_equal(spry_tensor_dim(out, 0), 0);
  assert_int_equal(spry_tensor_byte_size(out), 0);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

static void test_constant_condition_is_folded(void **state) {
  (void)state;
  SpryModel *model = open_model(data_dir, "goldens/dyn_where_const_cast/model.tflite");
  SpryInterpreter *interp = new_builtin(model);
  assert_true(interp->nodes[0].folded);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  assert_false(spry_tensor_is_dynamic(out));
  assert_int_equal(spry_tensor_dim(out, 0), 3); /* known before any invoke */
  assert_int_equal(spry_tensor_dim(out, 1), 2);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

typedef struct RefusedModel {
  const char *file;  /* tests/data/where/<file> */
  SpryStatus status; /* of spry_interpreter_new() */
  const char *fragment;
} RefusedModel;

static void test_refused_models(void **state) {
  (void)state;
  static const RefusedModel cases[] = {
      {"while_dynamic_input.tflite", SPRY_ERROR_UNSUPPORTED,
       "values of run-time shape cannot be passed to subgraphs"},
      {"if_dynamic_branch.tflite", SPRY_ERROR_UNSUPPORTED,
       "subgraphs must return values of static shape"},
      {"scalar_condition.tflite", SPRY_ERROR_INVALID_MODEL, "the condition is a scalar"},
      {"int16_condition.tflite", SPRY_ERROR_UNSUPPORTED, "condition type int16 is not supported"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char name[256];
    snprintf(name, sizeof name, "where/%s", cases[i].file);
    SpryModel *model = open_model(data_dir, name);
    SpryInterpreter *interp = NULL;
    const SpryStatus status = spry_interpreter_new(model, NULL, &interp);
    print_message("%s: %s\n", cases[i].file, spry_last_error());
    assert_null(interp);
    assert_int_equal(status, cases[i].status);
    assert_non_null(strstr(spry_last_error(), cases[i].fragment));
    spry_model_free(model);
  }
}

int main(void) {
  const char *engine_models = getenv("SPRY_ENGINE_TEST_MODELS");
  const char *data = getenv("SPRY_TEST_DATA");
  snprintf(models_dir, sizeof models_dir, "%s", engine_models ? engine_models : ".");
  snprintf(data_dir, sizeof data_dir, "%s", data ? data : "tests/data");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dynamic_tensor_grows_and_shrinks),
      cmocka_unit_test(test_resizing_planned_tensor_at_invoke_fails),
      cmocka_unit_test(test_where_shapes_follow_the_data),
      cmocka_unit_test(test_constant_condition_is_folded),
      cmocka_unit_test(test_refused_models),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
