/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_index_ops.c — the index and generator ops' failure paths: prepare-time
 * rejections (data/index_errors from tools/goldens/make_index_cases.py) and
 * the invoke-time checks of SCATTER_ND indices, BROADCAST_ARGS shapes and a
 * computed CUMSUM axis, plus TOPK_V2's tie order on the reference loop.
 * Results themselves are covered by the op_* goldens.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>

#include "data/index_errors.h"
#include "reference/index_ops.h"
#include "spry/spry.h"

static const char *data_dir;

typedef struct Loaded {
  SpryModel *model;
  SpryInterpreter *interp;
} Loaded;

static SpryStatus load(const char *name, Loaded *l) {
  char path[4096];
  const int n = snprintf(path, sizeof path, "%s/index_errors/%s.tflite", data_dir, name);
  assert_true(n > 0 && (size_t)n < sizeof path);
  l->model = NULL;
  l->interp = NULL;
  assert_int_equal(spry_model_open_file(path, &l->model), SPRY_OK);
  return spry_interpreter_new(l->model, NULL, &l->interp);
}

static void unload(Loaded *l) {
  spry_interpreter_free(l->interp);
  spry_model_free(l->model);
}

static void test_error_case(void **state) {
  const IndexErrorCase *c = *state;
  Loaded l;
  const SpryStatus status = load(c->name, &l);
  const char *message = spry_last_error();
  if (status == SPRY_OK || !strstr(message, c->fragment))
    print_error("%s: status %d, message \"%s\" (expected \"%s\")\n", c->name, (int)status, message,
                c->fragment);
  unload(&l);
  assert_int_not_equal(status, SPRY_OK);
  assert_non_null(strstr(message, c->fragment));
}

static void set_input(Loaded *l, int32_t i, const void *data, size_t bytes) {
  SpryTensor *t = spry_interpreter_input(l->interp, i);
  assert_non_null(t);
  assert_int_equal(spry_tensor_byte_size(t), bytes);
  memcpy(spry_tensor_data(t), data, bytes);
}

static const void *output(Loaded *l) {
  return spry_tensor_data_const(spry_interpreter_output(l->interp, 0));
}

/* Each coordinate is checked against its own dimension: [0, 4] would be a
 * valid flat position in a [3, 4] output, but is out of range. */
static void test_scatter_nd_runtime_indices(void **state) {
  (void)state;
  Loaded l;
  assert_int_equal(load("scatter_nd_runtime", &l), SPRY_OK);
  const float updates[2] = {1.5f, -2.0f};
  set_input(&l, 1, updates, sizeof updates);
  const int32_t bad[][4] = {{0, 4, 0, 0}, {-1, 0, 0, 0}, {0, 0, 3, 0}, {0, 0, 2, INT32_MIN}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    set_input(&l, 0, bad[i], sizeof bad[i]);
    assert_int_equal(spry_interpreter_invoke(l.interp), SPRY_ERROR_RUNTIME);
    assert_non_null(strstr(spry_last_error(), "out of range"));
  }
  const int32_t good[4] = {2, 3, 2, 3};
  set_input(&l, 0, good, sizeof good);
  assert_int_equal(spry_interpreter_invoke(l.interp), SPRY_OK);
  float want[12] = {0};
  want[11] = -0.5f; /* duplicates accumulate */
  assert_memory_equal(output(&l), want, sizeof want);
  unload(&l);
}

static void test_broadcast_args_runtime(void **state) {
  (void)state;
  Loaded l;
  assert_int_equal(load("broadcast_args_runtime", &l), SPRY_OK);
  const int32_t a[2] = {2, 3}, b[2] = {3, 3}, c[2] = {1, 3};
  set_input(&l, 0, a, sizeof a);
  set_input(&l, 1, b, sizeof b);
  assert_int_equal(spry_interpreter_invoke(l.interp), SPRY_ERROR_RUNTIME);
  assert_non_null(strstr(spry_last_error(), "incompatible"));
  set_input(&l, 1, c, sizeof c);
  assert_int_equal(spry_interpreter_invoke(l.interp), SPRY_OK);
  assert_memory_equal(output(&l), a, sizeof a);
  unload(&l);
}

static void test_cumsum_runtime_axis(void **state) {
  (void)state;
  Loaded l;
  assert_int_equal(load("cumsum_runtime_axis", &l), SPRY_OK);
  const int32_t in[6] = {1, 2, 3, 4, 5, 6};
  set_input(&l, 0, in, sizeof in);
  const int32_t bad[] = {2, -3, INT32_MIN};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    set_input(&l, 1, &bad[i], sizeof bad[i]);
    assert_int_equal(spry_interpreter_invoke(l.interp), SPRY_ERROR_RUNTIME);
    assert_non_null(strstr(spry_last_error(), "out of range"));
  }
  const int32_t axis = -1; /* exclusive sums along rows */
  set_input(&l, 1, &axis, sizeof axis);
  assert_int_equal(spry_interpreter_invoke(l.interp), SPRY_OK);
  const int32_t want[6] = {0, 1, 3, 0, 4, 9};
  assert_memory_equal(output(&l), want, sizeof want);
  unload(&l);
}

/* Equal values keep their row order; k = row size sorts the whole row. */
static void test_topk_ties(void **state) {
  (void)state;
  const int64_t in[6] = {4, -1, 4, 9, -1, 4};
  int64_t values[6];
  int16_t indices[6];
  spry_ref_topk(SPRY_TYPE_INT64, in, 1, 6, 6, values, SPRY_TYPE_INT16, indices);
  const int64_t want_v[6] = {9, 4, 4, 4, -1, -1};
  const int16_t want_i[6] = {3, 0, 2, 5, 1, 4};
  assert_memory_equal(values, want_v, sizeof want_v);
  assert_memory_equal(indices, want_i, sizeof want_i);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  enum { ERRORS = sizeof index_error_cases / sizeof index_error_cases[0], EXTRA = 4 };
  struct CMUnitTest tests[ERRORS + EXTRA];
  for (size_t i = 0; i < ERRORS; i++)
    tests[i] = (struct CMUnitTest){index_error_cases[i].name, test_error_case, NULL, NULL,
                                   (void *)&index_error_cases[i]};
  tests[ERRORS] = (struct CMUnitTest)cmocka_unit_test(test_scatter_nd_runtime_indices);
  tests[ERRORS + 1] = (struct CMUnitTest)cmocka_unit_test(test_broadcast_args_runtime);
  tests[ERRORS + 2] = (struct CMUnitTest)cmocka_unit_test(test_cumsum_runtime_axis);
  tests[ERRORS + 3] = (struct CMUnitTest)cmocka_unit_test(test_topk_ties);
  return _cmocka_run_group_tests("index_ops", tests, ERRORS + EXTRA, NULL, NULL);
}
