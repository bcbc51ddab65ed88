/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_control_flow.c — WHILE, IF, CALL_ONCE and resource variables on the
 * models of tools/goldens/make_control_flow_cases.py: loop counts (zero
 * iterations included) against values computed here, nesting both ways,
 * CALL_ONCE running once, variables kept across invokes and reset, a loop
 * body that swaps its variables, callees shared by two callers with other
 * shapes, re-preparing after an input resize, threads, the loop budget, and
 * malformed models refused with a message naming node, op and reason
 * (tests/data/control_flow/, listed in control_flow_errors.h).
 *
 * Models are read from $SPRY_TEST_DATA (goldens/<case>/model.tflite,
 * models/, control_flow/).
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
#include <stdlib.h>
#include <string.h>

#include "control_flow_errors.h"
#include "spry/spry.h"
#include "subgraph.h"

typedef struct Fixture {
  SpryModel *model;
  SpryInterpreter *interp;
} Fixture;

static void data_path(char *dst, size_t size, const char *relative) {
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  const int n = snprintf(dst, size, "%s/%s", root, relative);
  assert_true(n > 0 && (size_t)n < size);
}

/* Opens $SPRY_TEST_DATA/<relative> and creates an interpreter on it. */
static void open_model(Fixture *f, const char *relative, int32_t threads) {
  char path[4096];
  data_path(path, sizeof path, relative);
  if (spry_model_open_file(path, &f->model) != SPRY_OK) {
    print_error("open %s: %s\n", path, spry_last_error());
    fail();
  }
  SpryOptions options;
  spry_options_init(&options);
  options.num_threads = threads;
  if (spry_interpreter_new(f->model, &options, &f->interp) != SPRY_OK) {
    print_error("interpreter for %s: %s\n", path, spry_last_error());
    fail();
  }
}

static int setup(void **state) {
  *state = calloc(1, sizeof(Fixture));
  return *state ? 0 : -1;
}

static int teardown(void **state) {
  Fixture *f = *state;
  spry_interpreter_free(f->interp);
  spry_model_free(f->model);
  free(f);
  return 0;
}

/* Whether a tensor name is `name`: "x", or "serving_default_x:0" in models
 * converted from a tf.Module. */
static bool input_is(const char *tensor_name, const char *name) {
  static const char prefix[] = "serving_default_";
  const char *n = tensor_name;
  if (strncmp(n, prefix, sizeof prefix - 1) == 0) n += sizeof prefix - 1;
  const size_t len = strlen(name);
  return strncmp(n, name, len) == 0 && (n[len] == '\0' || strcmp(n + len, ":0") == 0);
}

/* The input named `name` (the converter may reorder inputs). */
static SpryTensor *input_named(SpryInterpreter *interp, const char *name) {
  for (int32_t i = 0; i < spry_interpreter_input_count(interp); i++) {
    SpryTensor *t = spry_interpreter_input(interp, i);
    if (input_is(spry_tensor_name(t), name)) return t;
  }
  print_error("no input named %s\n", name);
  fail();
  return NULL;
}

static void set_input(SpryInterpreter *interp, const char *name, const void *data, size_t bytes) {
  SpryTensor *t = input_named(interp, name);
  assert_int_equal(spry_tensor_byte_size(t), bytes);
  memcpy(spry_tensor_data(t), data, bytes);
}

static void set_i32(SpryInterpreter *interp, const char *name, int32_t value) {
  set_input(interp, name, &value, sizeof value);
}

static void set_bool(SpryInterpreter *interp, const char *name, bool value) {
  const uint8_t byte = value ? 1 : 0;
  set_input(interp, name, &byte, 1);
}

static void invoke_ok(SpryInterpreter *interp) {
  if (spry_interpreter_invoke(interp) != SPRY_OK) {
    print_error("invoke: %s\n", spry_last_error());
    fail();
  }
}

static void expect_floats(const SpryTensor *t, const float *want, size_t count) {
  assert_int_equal(spry_tensor_type(t), SPRY_TYPE_FLOAT32);
  assert_int_equal(spry_tensor_byte_size(t), count * sizeof(float));
  const float *got = spry_tensor_data_const(t);
  for (size_t i = 0; i < count; i++) {
    /* The same float operations in the same order: equal to the last bit. */
    if (got[i] != want[i]) {
      print_error("element %zu: got %.9g, expected %.9g\n", i, (double)got[i], (double)want[i]);
      fail();
    }
  }
}

/* ---- WHILE ---- */

/* x = x * 1.5 + 1, n times (cf_while_counter_f32). */
static void test_while_counts(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_while_counter_f32/model.tflite", 1);
  const int32_t counts[] = {0, 1, 2, 5, 30, -3, 0};
  for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
    float x[2] = {1.0f, -2.0f};
    set_input(f->interp, "x", x, sizeof x);
    set_i32(f->interp, "n", counts[c]);
    invoke_ok(f->interp);
    for (int32_t k = 0; k < counts[c]; k++) {
      for (int i = 0; i < 2; i++) {
        x[i] = x[i] * 1.5f;
        x[i] = x[i] + 1.0f;
      }
    }
    expect_floats(spry_interpreter_output(f->interp, 0), x, 2);
  }
}

/* (a, b) -> (b, a + b), n times: a body output that forwards another loop
 * variable's input (cf_while_fibonacci_i32). */
static void test_while_fibonacci(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_while_fibonacci_i32/model.tflite", 1);
  for (int32_t n = 0; n <= 12; n += 3) {
    const int32_t seed[3] = {0, 1, -4};
    set_input(f->interp, "seed", seed, sizeof seed);
    set_i32(f->interp, "n", n);
    invoke_ok(f->interp);
    int32_t a[3], b[3];
    for (int i = 0; i < 3; i++) {
      a[i] = seed[i];
      b[i] = seed[i] + 1;
      for (int32_t k = 0; k < n; k++) {
        const int32_t next = a[i] + b[i];
        a[i] = b[i];
        b[i] = next;
      }
    }
    /* Outputs a and b, in an order the converter chose: find a by value. */
    const int32_t *o0 = spry_tensor_data_const(spry_interpreter_output(f->interp, 0));
    const int32_t *o1 = spry_tensor_data_const(spry_interpreter_output(f->interp, 1));
    const bool a_first = memcmp(o0, a, sizeof a) == 0;
    assert_memory_equal(a_first ? o0 : o1, a, sizeof a);
    assert_memory_equal(a_first ? o1 : o0, b, sizeof b);
  }
}

/* A body that swaps two loop variables: (a, b) -> (b, a). */
static void test_while_swap(void **state) {
  Fixture *f = *state;
  open_model(f, "control_flow/while_swap_f32.tflite", 1);
  const float a[2] = {1, 2}, b[2] = {3, 4};
  for (int32_t n = 0; n < 5; n++) {
    set_input(f->interp, "a", a, sizeof a);
    set_input(f->interp, "b", b, sizeof b);
    set_i32(f->interp, "n", n);
    invoke_ok(f->interp);
    expect_floats(spry_interpreter_output(f->interp, 0), n % 2 ? b : a, 2);
    expect_floats(spry_interpreter_output(f->interp, 1), n % 2 ? a : b, 2);
  }
}

/* IF inside the body of WHILE: x * 2 on even steps, x - 1 on odd ones. */
static void test_while_if(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_while_if_f32/model.tflite", 1);
  for (int32_t n = 0; n <= 7; n++) {
    float x[4] = {1, 2, -3, 0.5f};
    set_input(f->interp, "x", x, sizeof x);
    set_i32(f->interp, "n", n);
    invoke_ok(f->interp);
    for (int32_t k = 0; k < n; k++)
      for (int i = 0; i < 4; i++) x[i] = k % 2 == 0 ? x[i] * 2.0f : x[i] - 1.0f;
    expect_floats(spry_interpreter_output(f->interp, 0), x, 4);
  }
}

/* WHILE inside the then branch of IF: x + 2.5 n times, else -x. */
static void test_if_while(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_if_while_f32/model.tflite", 1);
  for (int c = 0; c < 2; c++) {
    for (int32_t n = 0; n <= 4; n += 2) {
      float x[2] = {1.25f, -8.0f};
      set_input(f->interp, "x", x, sizeof x);
      set_i32(f->interp, "n", n);
      set_bool(f->interp, "c", c != 0);
      invoke_ok(f->interp);
      for (int i = 0; i < 2; i++) {
        if (!c) x[i] = x[i] * -1.0f;
        for (int32_t k = 0; c && k < n; k++) x[i] = x[i] + 2.5f;
      }
      expect_floats(spry_interpreter_output(f->interp, 0), x, 2);
    }
  }
}

/* One cond/body pair called by two WHILE nodes with inputs of shape [2]
 * and [3]: the callees are prepared again for each caller. */
static void test_shared_callees(void **state) {
  Fixture *f = *state;
  open_model(f, "control_flow/while_shared_callees_f32.tflite", 1);
  for (int32_t n = 0; n < 4; n++) {
    float x[2] = {1, 2}, y[3] = {-1, 0.5f, 4};
    set_input(f->interp, "x", x, sizeof x);
    set_input(f->interp, "y", y, sizeof y);
    set_i32(f->interp, "n", n);
    invoke_ok(f->interp);
    for (int32_t k = 0; k < n; k++) {
      for (int i = 0; i < 3; i++) {
        if (i < 2) x[i] = x[i] * 1.5f;
        if (i < 2) x[i] = x[i] + 1.0f;
        y[i] = y[i] * 1.5f;
        y[i] = y[i] + 1.0f;
      }
    }
    expect_floats(spry_interpreter_output(f->interp, 0), x, 2);
    expect_floats(spry_interpreter_output(f->interp, 1), y, 3);
  }
}

/* Resizing the loop variable re-prepares cond and body for the new shape. */
static void test_while_resize(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_while_counter_f32/model.tflite", 1);
  SpryTensor *x_in = input_named(f->interp, "x");
  int32_t index = -1;
  for (int32_t i = 0; i < spry_interpreter_input_count(f->interp); i++)
    if (spry_interpreter_input(f->interp, i) == x_in) index = i;
  const int32_t dims[1] = {5};
  assert_int_equal(spry_interpreter_resize_input(f->interp, index, 1, dims), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(f->interp), SPRY_OK);
  float x[5] = {0, 1, 2, 3, 4};
  set_input(f->interp, "x", x, sizeof x);
  set_i32(f->interp, "n", 2);
  invoke_ok(f->interp);
  for (int i = 0; i < 5; i++) {
    for (int k = 0; k < 2; k++) {
      x[i] = x[i] * 1.5f;
      x[i] = x[i] + 1.0f;
    }
  }
  expect_floats(spry_interpreter_output(f->interp, 0), x, 5);
  assert_true(spry_interpreter_arena_bytes(f->interp) >=
              spry_interpreter_arena_lower_bound(f->interp));
}

/* The callees share the root's thread pool. */
static void test_while_threads(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_while_if_f32/model.tflite", 2);
  float x[4] = {1, 2, 3, 4};
  set_input(f->interp, "x", x, sizeof x);
  set_i32(f->interp, "n", 3);
  invoke_ok(f->interp);
  const float want[4] = {2, 6, 10, 14}; /* (x * 2 - 1) * 2 */
  expect_floats(spry_interpreter_output(f->interp, 0), want, 4);
}

/* The engine-private loop budget of harnesses that run hostile models. */
static void test_loop_budget(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_while_counter_f32/model.tflite", 1);
  spry_interpreter_set_loop_budget(f->interp, 5);
  const float x[2] = {0, 0};
  set_input(f->interp, "x", x, sizeof x);
  set_i32(f->interp, "n", 3);
  invoke_ok(f->interp);
  set_i32(f->interp, "n", 3); /* 2 iterations left */
  assert_int_equal(spry_interpreter_invoke(f->interp), SPRY_ERROR_RUNTIME);
  assert_non_null(strstr(spry_last_error(), "WHILE (node 0)"));
  assert_non_null(strstr(spry_last_error(), "budget of loop iterations is spent"));
}

/* ---- CALL_ONCE and resource variables ---- */

/* cf_variables_f32 returns total * 2 (float [3]), calls (float) and steps
 * (int32); it starts from total = (0.5, -1, 2), calls = 0, steps = 10. */
typedef struct CounterOutputs {
  const float *total2;
  float calls;
  int32_t steps;
} CounterOutputs;

static CounterOutputs counter_outputs(SpryInterpreter *interp) {
  CounterOutputs o = {0};
  for (int32_t i = 0; i < spry_interpreter_output_count(interp); i++) {
    const SpryTensor *t = spry_interpreter_output(interp, i);
    if (spry_tensor_type(t) == SPRY_TYPE_INT32)
      memcpy(&o.steps, spry_tensor_data_const(t), sizeof o.steps);
    else if (spry_tensor_element_count(t) == 1)
      memcpy(&o.calls, spry_tensor_data_const(t), sizeof o.calls);
    else
      o.total2 = spry_tensor_data_const(t);
  }
  assert_non_null(o.total2);
  return o;
}

static void check_counter_run(SpryInterpreter *interp, int run, float total[3], const float x[3]) {
  set_input(interp, "x", x, 3 * sizeof(float));
  invoke_ok(interp);
  const CounterOutputs o = counter_outputs(interp);
  /* CALL_ONCE initialised the variables on the first run only. */
  assert_true(o.calls == (float)run);
  assert_int_equal(o.steps, 10 + 2 * run);
  for (int i = 0; i < 3; i++) {
    total[i] += x[i];
    assert_true(o.total2[i] == total[i] * 2.0f);
  }
}

static void test_call_once_and_variables(void **state) {
  Fixture *f = *state;
  open_model(f, "models/cf_variables_f32.tflite", 1);
  const float xs[3][3] = {{1, 2, 3}, {0.25f, -4, 1}, {-1.5f, 8, 2}};
  float total[3] = {0.5f, -1, 2};
  for (int run = 1; run <= 3; run++) check_counter_run(f->interp, run, total, xs[run - 1]);
  /* A reset unassigns the variables and re-arms CALL_ONCE: a fresh start. */
  assert_int_equal(spry_interpreter_reset_state(f->interp), SPRY_OK);
  float fresh[3] = {0.5f, -1, 2};
  for (int run = 1; run <= 2; run++) check_counter_run(f->interp, run, fresh, xs[run - 1]);
}

/* A variable assigned inside a loop body: acc = acc * 0.5 + x per iteration,
 * kept across invokes. */
static void test_variable_in_loop(void **state) {
  Fixture *f = *state;
  open_model(f, "goldens/cf_variable_in_loop_f32/model.tflite", 1);
  float acc[2] = {0, 0};
  const int32_t counts[] = {2, 0, 3, 1};
  for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
    const float x[2] = {1.0f + (float)c, -0.5f};
    set_input(f->interp, "x", x, sizeof x);
    set_i32(f->interp, "n", counts[c]);
    invoke_ok(f->interp);
    for (int32_t k = 0; k < counts[c]; k++)
      for (int i = 0; i < 2; i++) {
        acc[i] = acc[i] * 0.5f;
        acc[i] = acc[i] + x[i];
      }
    expect_floats(spry_interpreter_output(f->interp, 0), acc, 2);
  }
}

/* ---- Malformed models ---- */

static void test_error_case(void **state) {
  const ControlFlowErrorCase *c = *state;
  char relative[256], path[4096];
  snprintf(relative, sizeof relative, "control_flow/%s.tflite", c->name);
  data_path(path, sizeof path, relative);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  SpryStatus status = spry_interpreter_new(model, NULL, &interp);
  if (c->at_invoke && status == SPRY_OK) {
    for (int32_t i = 0; i < spry_interpreter_input_count(interp); i++) {
      SpryTensor *t = spry_interpreter_input(interp, i);
      memset(spry_tensor_data(t), 0, spry_tensor_byte_size(t));
    }
    status = spry_interpreter_invoke(interp);
  }
  char message[512];
  snprintf(message, sizeof message, "%s", spry_last_error());
  spry_interpreter_free(interp);
  spry_model_free(model);
  if (status == SPRY_OK || !strstr(message, c->fragment)) {
    print_error("%s: status %d, message \"%s\" (expected \"%s\")\n", c->name, (int)status, message,
                c->fragment);
    fail();
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_while_counts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_while_fibonacci, setup, teardown),
      cmocka_unit_test_setup_teardown(test_while_swap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_while_if, setup, teardown),
      cmocka_unit_test_setup_teardown(test_if_while, setup, teardown),
      cmocka_unit_test_setup_teardown(test_shared_callees, setup, teardown),
      cmocka_unit_test_setup_teardown(test_while_resize, setup, teardown),
      cmocka_unit_test_setup_teardown(test_while_threads, setup, teardown),
      cmocka_unit_test_setup_teardown(test_loop_budget, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_once_and_variables, setup, teardown),
      cmocka_unit_test_setup_teardown(test_variable_in_loop, setup, teardown),
  };
  enum { ERRORS = sizeof control_flow_error_cases / sizeof control_flow_error_cases[0] };
  struct CMUnitTest errors[ERRORS];
  for (int i = 0; i < ERRORS; i++) {
    errors[i] = (struct CMUnitTest){control_flow_error_cases[i].name, test_error_case, NULL, NULL,
                                    (void *)&control_flow_error_cases[i]};
  }
  const int failed = cmocka_run_group_tests_name("control_flow", tests, NULL, NULL);
  return failed + _cmocka_run_group_tests("control_flow_errors", errors, ERRORS, NULL, NULL);
}
