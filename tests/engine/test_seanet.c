/* SPDX-License-Identifier: Apache-2.0 */
/* test_seanet.c — runs TFLite Micro's int16x8 "seanet" integration vectors and compares every output value exactly. */
/*
 * Usage: test_seanet OP
 *   Runs every $SPRY_SHARED_DIR/conformance/seanet/OP/<model>.tflite with
 *   <model>_input<i>_<type>.csv as input i and compares the output with
 *   <model>_golden_<type>.csv value by value. Each CSV holds one
 *   comma-separated line, flattened in row-major order. Exit 77 (a skip for
 *   meson) when the shared folder is absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spry/spry.h>

#define PATH_CAPACITY 4096
#define SKIP_EXIT 77
/* Mismatches printed per model before the rest are only counted. */
#define MAX_REPORTED 5

static char op_dir[PATH_CAPACITY];

/* Everything a failing assertion (a longjmp) would otherwise leak. */
typedef struct SeanetState {
  SpryModel *model;
  SpryInterpreter *interp;
  int64_t *values;
  size_t count;
  char *names[256]; /* model files of the op, sorted */
  size_t models;
} SeanetState;

/* The CSV suffixes the vectors use, tried in this order for each file. */
static const SpryType csv_types[] = {SPRY_TYPE_INT16, SPRY_TYPE_INT32, SPRY_TYPE_INT8,
                                     SPRY_TYPE_UINT8, SPRY_TYPE_INT64};

static bool fits(SpryType type, int64_t v) {
  switch (type) {
    case SPRY_TYPE_INT8: return v >= INT8_MIN && v <= INT8_MAX;
    case SPRY_TYPE_UINT8: return v >= 0 && v <= UINT8_MAX;
    case SPRY_TYPE_INT16: return v >= INT16_MIN && v <= INT16_MAX;
    case SPRY_TYPE_INT32: return v >= INT32_MIN && v <= INT32_MAX;
    case SPRY_TYPE_INT64: return true;
    default: return false;
  }
}

/* Parses integers separated by commas and/or whitespace; false (with a
 * message) on anything else, so a truncated or garbled file cannot pass. */
static bool parse_csv(const char *path, int64_t **out, size_t *out_count) {
  *out = NULL;
  *out_count = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  size_t count = 0, capacity = 0;
  int64_t *values = NULL;
  char token[32];
  size_t len = 0;
  bool ok = true;
  for (int c = fgetc(f);; c = fgetc(f)) {
    bool separator = c == EOF || c == ',' || isspace(c);
    if (!separator) {
      ok = len + 1 < sizeof token && (isdigit(c) || c == '-' || c == '+');
      if (!ok) break;
      token[len++] = (char)c;
      continue;
    }
    if (len > 0) {
      token[len] = '\0';
      len = 0;
      char *end;
      errno = 0;
      long long v = strtoll(token, &end, 10);
      ok = errno == 0 && *end == '\0';
      if (ok && count == capacity) {
        capacity = capacity ? capacity * 2 : 256;
        int64_t *grown = realloc(values, capacity * sizeof *values);
        ok = grown != NULL;
        if (ok) values = grown;
      }
      if (!ok) break;
      values[count++] = (int64_t)v;
    }
    if (c == EOF) break;
  }
  fclose(f);
  if (!ok) {
    print_error("%s: malformed value near '%.*s'\n", path, (int)len, token);
    free(values);
    return false;
  }
  *out = values;
  *out_count = count;
  return true;
}

/* Finds "<dir>/<model>_<kind>_<type>.csv" for one of the known types. */
static bool find_csv(const char *model, const char *kind, char *path, SpryType *type) {
  for (size_t i = 0; i < sizeof csv_types / sizeof csv_types[0]; i++) {
    int n = snprintf(path, PATH_CAPACITY, "%s/%s_%s_%s.csv", op_dir, model, kind,
                     spry_type_name(csv_types[i]));
    FILE *f = n > 0 && n < PATH_CAPACITY ? fopen(path, "rb") : NULL;
    if (f) {
      fclose(f);
      *type = csv_types[i];
      return true;
    }
  }
  return false;
}

static int64_t load_element(SpryType type, const uint8_t *p) {
  switch (type) {
    case SPRY_TYPE_INT8: return *(const int8_t *)p;
    case SPRY_TYPE_UINT8: return *p;
    case SPRY_TYPE_INT16: { int16_t v; memcpy(&v, p, sizeof v); return v; }
    case SPRY_TYPE_INT32: { int32_t v; memcpy(&v, p, sizeof v); return v; }
    default: { int64_t v; memcpy(&v, p, sizeof v); return v; }
  }
}

static void store_element(SpryType type, uint8_t *p, int64_t v) {
  switch (type) {
    case SPRY_TYPE_INT8: { int8_t x = (int8_t)v; memcpy(p, &x, 1); break; }
    case SPRY_TYPE_UINT8: *p = (uint8_t)v; break;
    case SPRY_TYPE_INT16: { int16_t x = (int16_t)v; memcpy(p, &x, sizeof x); break; }
    case SPRY_TYPE_INT32: { int32_t x = (int32_t)v; memcpy(p, &x, sizeof x); break; }
    default: memcpy(p, &v, sizeof v); break;
  }
}

/* Reads the CSV of `kind` into s->values; checks its type against the tensor's. */
static void read_vector(SeanetState *s, const char *model, const char *kind,
                        const SpryTensor *t) {
  char path[PATH_CAPACITY];
  SpryType type = SPRY_TYPE_INT16;
  if (!find_csv(model, kind, path, &type)) {
    print_error("%s/%s: no %s CSV\n", op_dir, model, kind);
    fail();
  }
  free(s->values);
  s->values = NULL;
  if (!parse_csv(path, &s->values, &s->count)) fail();
  SpryType want = spry_tensor_type(t);
  if (type != want || s->count != spry_tensor_element_count(t)) {
    print_error("%s: %zu %s values, tensor is %s with %zu elements\n", path, s->count,
                spry_type_name(type), spry_type_name(want), spry_tensor_element_count(t));
    fail();
  }
  for (size_t i = 0; i < s->count; i++) {
    if (!fits(type, s->values[i])) {
      print_error("%s: value %lld at %zu is out of range\n", path, (long long)s->values[i], i);
      fail();
    }
  }
}

static void load_inputs(SeanetState *s, const char *model) {
  int32_t inputs = spry_interpreter_input_count(s->interp);
  for (int32_t i = 0; i < inputs; i++) {
    SpryTensor *t = spry_interpreter_input(s->interp, i);
    assert_non_null(t);
    char kind[32];
    snprintf(kind, sizeof kind, "input%d", (int)i);
    read_vector(s, model, kind, t);
    size_t element = spry_type_size(spry_tensor_type(t));
    uint8_t *data = spry_tensor_data(t);
    assert_true(s->count == 0 || data != NULL);
    for (size_t k = 0; k < s->count; k++) store_element(spry_tensor_type(t), data + k * element,
                                                        s->values[k]);
  }
}

/* Compares output 0 with the golden; returns the number of values checked. */
static size_t check_output(SeanetState *s, const char *model) {
  assert_int_equal(spry_interpreter_output_count(s->interp), 1);
  const SpryTensor *t = spry_interpreter_output(s->interp, 0);
  assert_non_null(t);
  read_vector(s, model, "golden", t);
  SpryType type = spry_tensor_type(t);
  size_t element = spry_type_size(type), differing = 0;
  const uint8_t *data = spry_tensor_data_const(t);
  assert_true(s->count == 0 || data != NULL);
  for (size_t k = 0; k < s->count; k++) {
    int64_t got = load_element(type, data + k * element);
    if (got == s->values[k]) continue;
    if (differing++ < MAX_REPORTED)
      print_error("%s: element %zu: got %lld, expected %lld\n", model, k, (long long)got,
                  (long long)s->values[k]);
  }
  if (differing > 0) {
    print_error("%s: %zu of %zu values differ\n", model, differing, s->count);
    fail();
  }
  return s->count;
}

static size_t run_model(SeanetState *s, const char *file) {
  char path[PATH_CAPACITY], model[256];
  size_t stem = strlen(file) - strlen(".tflite");
  assert_true(stem < sizeof model);
  memcpy(model, file, stem);
  model[stem] = '\0';
  assert_true(snprintf(path, sizeof path, "%s/%s", op_dir, file) < (int)sizeof path);
  if (spry_model_open_file(path, &s->model) != SPRY_OK ||
      spry_interpreter_new(s->model, NULL, &s->interp) != SPRY_OK) {
    print_error("%s: %s\n", path, spry_last_error());
    fail();
  }
  load_inputs(s, model);
  if (spry_interpreter_invoke(s->interp) != SPRY_OK) {
    print_error("invoke %s: %s\n", path, spry_last_error());
    fail();
  }
  size_t checked = check_output(s, model);
  print_message("%-24s %6zu values match\n", model, checked);
  spry_interpreter_free(s->interp);
  spry_model_free(s->model);
  s->interp = NULL;
  s->model = NULL;
  return checked;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_seanet_op(void **state) {
  SeanetState *s = *state;
  DIR *dir = opendir(op_dir);
  assert_non_null(dir);
  const size_t capacity = sizeof s->names / sizeof s->names[0];
  for (struct dirent *e; (e = readdir(dir)) != NULL && s->models < capacity;) {
    size_t n = strlen(e->d_name);
    if (n <= 7 || strcmp(e->d_name + n - 7, ".tflite") != 0) continue;
    s->names[s->models] = strdup(e->d_name);
    if (s->names[s->models]) s->models++;
  }
  closedir(dir);
  assert_true(s->models > 0);
  qsort(s->names, s->models, sizeof s->names[0], compare_names);
  size_t values = 0;
  for (size_t i = 0; i < s->models; i++) values += run_model(s, s->names[i]);
  print_message("%s: %zu models, %zu values, all exact\n", op_dir, s->models, values);
}

static int setup(void **state) {
  *state = calloc(1, sizeof(SeanetState));
  return *state ? 0 : -1;
}

static int teardown(void **state) {
  SeanetState *s = *state;
  spry_interpreter_free(s->interp);
  spry_model_free(s->model);
  free(s->values);
  for (size_t i = 0; i < s->models; i++) free(s->names[i]);
  free(s);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2 || strchr(argv[1], '/')) {
    fprintf(stderr, "usage: %s OP\n", argv[0]);
    return 1;
  }
  const char *shared = getenv("SPRY_SHARED_DIR");
  int n = snprintf(op_dir, sizeof op_dir, "%s/conformance/seanet/%s",
                   shared ? shared : "../shared", argv[1]);
  if (n < 0 || n >= (int)sizeof op_dir) return 1;
  DIR *dir = opendir(op_dir);
  if (!dir) {
    printf("SKIP: %s not found\n", op_dir);
    return SKIP_EXIT;
  }
  closedir(dir);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_seanet_op, setup, teardown),
  };
  return cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
}
