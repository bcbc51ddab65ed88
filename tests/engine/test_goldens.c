/* SPDX-License-Identifier: Apache-2.0 */
/* test_goldens.c — runs one golden case directory (model + input_<i>.bin) and compares every output_<i>.bin with the reference. */
/*
 * Usage: test_goldens CASE
 *   CASE is a directory, or a name under $SPRY_TEST_DATA/goldens/. It holds
 *   model.tflite, or model.txt naming a file looked up in
 *   $SPRY_TEST_DATA/models/ and then $SPRY_SHARED_DIR/models/ (exit 77, a
 *   skip for meson, when neither has it), plus input_<i>.bin and
 *   output_<i>.bin in the tensors' raw little-endian form.
 *   Stateful models may add further invokes on the same interpreter:
 *   step1/, step2/, ... each with its own input_<i>.bin and output_<i>.bin.
 *   After the last step, the interpreter's state is reset
 *   (spry_interpreter_reset_state) and the first invoke must give its
 *   outputs again.
 * Integer and quantized outputs must match byte for byte; float32 outputs
 * within 1e-5 * (1 + max |reference|) absolute error. Whole models (cases
 * naming a model in model.txt) on the fast kernels get 1e-4 instead: their
 * float GEMMs sum in another order and with fused multiply-adds, and the
 * last-bit differences compound over dozens of layers (selfie segmentation:
 * 8.5e-5 after 54 convolutions). Single-op cases keep 1e-5 on every variant.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <spry/spry.h>

#define PATH_CAPACITY 4096
#define SKIP_EXIT 77
#define FLOAT_TOLERANCE 1e-5
#define FLOAT_TOLERANCE_FAST_MODEL 1e-4

static bool whole_model;            /* the case names its model in model.txt */
static double float_tolerance = FLOAT_TOLERANCE;

static char case_dir[PATH_CAPACITY];
static char step_dir[PATH_CAPACITY]; /* case_dir, or its step<k> folder */
static char model_path[PATH_CAPACITY];

/* Everything a failing assertion (a longjmp) would otherwise leak; freed by
 * the teardown. */
typedef struct GoldenState {
  SpryModel *model;
  SpryInterpreter *interp;
  uint8_t *file; /* the case file being compared */
} GoldenState;

static bool file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool join(char *dst, const char *a, const char *b) {
  int n = snprintf(dst, PATH_CAPACITY, "%s/%s", a, b);
  return n > 0 && n < PATH_CAPACITY;
}

/* Reads a whole file; false when it is missing or unreadable. */
static bool read_file(const char *path, uint8_t **out, size_t *size) {
  *out = NULL;
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  bool ok = fseek(f, 0, SEEK_END) == 0;
  long length = ok ? ftell(f) : -1;
  ok = ok && length >= 0 && fseek(f, 0, SEEK_SET) == 0;
  uint8_t *data = ok ? malloc((size_t)length + 1) : NULL;
  ok = data && fread(data, 1, (size_t)length, f) == (size_t)length;
  fclose(f);
  if (!ok) {
    free(data);
    return false;
  }
  *out = data;
  *size = (size_t)length;
  return true;
}

static void case_file(char *dst, const char *kind, int32_t index) {
  char name[64];
  snprintf(name, sizeof name, "%s_%d.bin", kind, (int)index);
  assert_true(join(dst, step_dir, name));
}

/* Points step_dir at step `k` (0: the case folder); false when it does not exist. */
static bool select_step(int k) {
  if (k == 0) return snprintf(step_dir, sizeof step_dir, "%s", case_dir) < PATH_CAPACITY;
  char name[32];
  snprintf(name, sizeof name, "step%d", k);
  struct stat st;
  return join(step_dir, case_dir, name) && stat(step_dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static void print_value(const char *label, SpryType type, const uint8_t *p) {
  switch (type) {
    case SPRY_TYPE_INT8: print_error("%s %d", label, (int)*(const int8_t *)p); break;
    case SPRY_TYPE_UINT8:
    case SPRY_TYPE_BOOL: print_error("%s %u", label, (unsigned)*p); break;
    case SPRY_TYPE_INT16: {
      int16_t v;
      memcpy(&v, p, sizeof v);
      print_error("%s %d", label, (int)v);
      break;
    }
    case SPRY_TYPE_INT32: {
      int32_t v;
      memcpy(&v, p, sizeof v);
      print_error("%s %d", label, (int)v);
      break;
    }
    case SPRY_TYPE_INT64: {
      int64_t v;
      memcpy(&v, p, sizeof v);
      print_error("%s %lld", label, (long long)v);
      break;
    }
    case SPRY_TYPE_FLOAT16:
    case SPRY_TYPE_BFLOAT16: {
      uint16_t v;
      memcpy(&v, p, sizeof v);
      print_error("%s 0x%04x", label, (unsigned)v);
      break;
    }
    default: print_error("%s 0x%02x (first byte)", label, (unsigned)*p); break;
  }
}

/* Whether a float16 or bfloat16 element is a NaN. */
static bool is_half_nan(SpryType type, const uint8_t *p) {
  uint16_t bits;
  memcpy(&bits, p, sizeof bits);
  if (type == SPRY_TYPE_FLOAT16) return (bits & 0x7C00u) == 0x7C00u && (bits & 0x03FFu) != 0;
  if (type == SPRY_TYPE_BFLOAT16) return (bits & 0x7F80u) == 0x7F80u && (bits & 0x007Fu) != 0;
  return false;
}

/* Byte-exact comparison, reported per element. A NaN matches any NaN, as
 * in compare_float: the sign and payload of the NaN an invalid operation
 * (inf - inf, sin(inf)) makes are the CPU's (x86's default NaN is negative,
 * Arm's positive), and the reference ran on x86. */
static void compare_exact(int32_t index, SpryType type, const uint8_t *got, const uint8_t *want,
                          size_t bytes) {
  size_t element = spry_type_size(type) ? spry_type_size(type) : 1;
  size_t count = bytes / element, differing = 0, first = 0;
  for (size_t i = 0; i < count; i++) {
    if (memcmp(got + i * element, want + i * element, element) == 0) continue;
    if (is_half_nan(type, got + i * element) && is_half_nan(type, want + i * element)) continue;
    if (differing++ == 0) first = i;
  }
  if (differing == 0) return;
  print_error("output %d (%s): %zu of %zu elements differ; first at %zu:", (int)index,
              spry_type_name(type), differing, count, first);
  print_value(" got", type, got + first * element);
  print_value(" expected", type, want + first * element);
  print_error("\n");
  fail();
}

static void compare_float(int32_t index, const uint8_t *got_bytes, const uint8_t *want_bytes,
                          size_t bytes) {
  size_t count = bytes / sizeof(float);
  double max_ref = 0.0, max_err = 0.0;
  size_t worst = 0, mismatched_special = 0;
  for (size_t i = 0; i < count; i++) {
    float g, w;
    memcpy(&g, got_bytes + i * sizeof g, sizeof g);
    memcpy(&w, want_bytes + i * sizeof w, sizeof w);
    if (!isfinite(w) || !isfinite(g)) {
      /* NaN must stay NaN, infinities must match exactly. */
      bool same = (isnan(w) && isnan(g)) || (!isnan(w) && !isnan(g) && g == w);
      mismatched_special += !same;
      continue;
    }
    if (fabs((double)w) > max_ref) max_ref = fabs((double)w);
    double err = fabs((double)g - (double)w);
    if (err > max_err) {
      max_err = err;
      worst = i;
    }
  }
  double tolerance = float_tolerance * (1.0 + max_ref);
  print_message("output %d (float32): max abs error %g (tolerance %g)\n", (int)index, max_err,
                tolerance);
  if (mismatched_special > 0) {
    print_error("output %d: %zu NaN/inf elements do not match\n", (int)index, mismatched_special);
    fail();
  }
  if (max_err > tolerance) {
    float g, w;
    memcpy(&g, got_bytes + worst * sizeof g, sizeof g);
    memcpy(&w, want_bytes + worst * sizeof w, sizeof w);
    print_error("output %d: max abs error %g > %g at element %zu: got %.9g expected %.9g\n",
                (int)index, max_err, tolerance, worst, (double)g, (double)w);
    fail();
  }
}

static void load_inputs(GoldenState *g) {
  SpryInterpreter *interp = g->interp;
  char path[PATH_CAPACITY];
  int32_t count = spry_interpreter_input_count(interp);
  for (int32_t i = 0; i < count; i++) {
    SpryTensor *t = spry_interpreter_input(interp, i);
    assert_non_null(t);
    size_t size;
    case_file(path, "input", i);
    if (!read_file(path, &g->file, &size)) {
      print_error("missing or unreadable %s\n", path);
      fail();
    }
    if (size != spry_tensor_byte_size(t)) {
      print_error("%s has %zu bytes, input %d needs %zu\n", path, size, (int)i,
                  spry_tensor_byte_size(t));
      fail();
    }
    if (size > 0) memcpy(spry_tensor_data(t), g->file, size);
    free(g->file);
    g->file = NULL;
  }
  case_file(path, "input", count);
  if (file_exists(path)) {
    print_error("%s exists but the model has only %d inputs\n", path, (int)count);
    fail();
  }
}

static void check_outputs(GoldenState *g) {
  const SpryInterpreter *interp = g->interp;
  char path[PATH_CAPACITY];
  int32_t count = spry_interpreter_output_count(interp);
  assert_true(count > 0);
  for (int32_t i = 0; i < count; i++) {
    const SpryTensor *t = spry_interpreter_output(interp, i);
    assert_non_null(t);
    size_t size;
    case_file(path, "output", i);
    if (!read_file(path, &g->file, &size)) {
      print_error("missing or unreadable %s\n", path);
      fail();
    }
    const uint8_t *want = g->file;
    size_t bytes = spry_tensor_byte_size(t);
    if (size != bytes) {
      print_error("output %d has %zu bytes, %s has %zu\n", (int)i, bytes, path, size);
      fail();
    }
    const uint8_t *got = spry_tensor_data_const(t);
    assert_true(bytes == 0 || got != NULL);
    if (spry_tensor_type(t) == SPRY_TYPE_FLOAT32)
      compare_float(i, got, want, bytes);
    else
      compare_exact(i, spry_tensor_type(t), got, want, bytes);
    free(g->file);
    g->file = NULL;
  }
  case_file(path, "output", count);
  if (file_exists(path)) {
    print_error("%s exists but the model has only %d outputs\n", path, (int)count);
    fail();
  }
}

static int setup(void **state) {
  *state = calloc(1, sizeof(GoldenState));
  return *state ? 0 : -1;
}

static int teardown(void **state) {
  GoldenState *g = *state;
  spry_interpreter_free(g->interp);
  spry_model_free(g->model);
  free(g->file);
  free(g);
  return 0;
}

static void run_step(GoldenState *g, int step) {
  if (step > 0) print_message("step %d\n", step);
  load_inputs(g);
  if (spry_interpreter_invoke(g->interp) != SPRY_OK) {
    print_error("invoke %s (step %d): %s\n", model_path, step, spry_last_error());
    fail();
  }
  check_outputs(g);
}

static void test_golden_case(void **state) {
  GoldenState *g = *state;
  if (spry_model_open_file(model_path, &g->model) != SPRY_OK) {
    print_error("open %s: %s\n", model_path, spry_last_error());
    fail();
  }
  /* SPRY_TEST_THREADS runs the case on a thread pool (results must not change). */
  SpryOptions options;
  spry_options_init(&options);
  const char *threads = getenv("SPRY_TEST_THREADS");
  if (threads) options.num_threads = atoi(threads);
  if (spry_interpreter_new(g->model, &options, &g->interp) != SPRY_OK) {
    print_error("interpreter for %s: %s\n", model_path, spry_last_error());
    fail();
  }
  if (whole_model && strcmp(spry_interpreter_kernel_isa(g->interp), "reference") != 0)
    float_tolerance = FLOAT_TOLERANCE_FAST_MODEL;
  int steps = 0;
  while (select_step(steps)) {
    run_step(g, steps);
    steps++;
  }
  if (steps == 1) return;
  /* A reset interpreter must behave as a fresh one. */
  if (spry_interpreter_reset_state(g->interp) != SPRY_OK) {
    print_error("reset %s: %s\n", model_path, spry_last_error());
    fail();
  }
  assert_true(select_step(0));
  run_step(g, 0);
}

/* model.tflite in the case, else the name in model.txt. Returns 0, or the
 * exit status to stop with (SKIP_EXIT when only the shared folder lacks it). */
static int resolve_model(void) {
  if (!join(model_path, case_dir, "model.tflite")) return 1;
  if (file_exists(model_path)) return 0;
  char txt[PATH_CAPACITY];
  uint8_t *data;
  size_t size;
  if (!join(txt, case_dir, "model.txt") || !read_file(txt, &data, &size)) {
    fprintf(stderr, "%s: neither model.tflite nor model.txt\n", case_dir);
    return 1;
  }
  data[size] = '\0';
  whole_model = true;
  char *name = (char *)data;
  name[strcspn(name, "\r\n")] = '\0';
  if (name[0] == '\0' || strchr(name, '/') || strcmp(name, "..") == 0) {
    fprintf(stderr, "%s: bad model name '%s'\n", txt, name);
    free(data);
    return 1;
  }
  const char *repo = getenv("SPRY_TEST_DATA");
  const char *shared = getenv("SPRY_SHARED_DIR");
  char dir[PATH_CAPACITY];
  int status = SKIP_EXIT;
  if (repo && join(dir, repo, "models") && join(model_path, dir, name) && file_exists(model_path))
    status = 0;
  else if (shared && join(dir, shared, "models") && join(model_path, dir, name) &&
           file_exists(model_path))
    status = 0;
  if (status == SKIP_EXIT)
    printf("SKIP: model %s is neither in $SPRY_TEST_DATA/models nor in $SPRY_SHARED_DIR/models\n",
           name);
  free(data);
  return status;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CASE_DIR_OR_NAME\n", argv[0]);
    return 1;
  }
  const char *data_dir = getenv("SPRY_TEST_DATA");
  int n = strchr(argv[1], '/') || !data_dir
              ? snprintf(case_dir, sizeof case_dir, "%s", argv[1])
              : snprintf(case_dir, sizeof case_dir, "%s/goldens/%s", data_dir, argv[1]);
  if (n < 0 || n >= (int)sizeof case_dir) return 1;
  int status = resolve_model();
  if (status != 0) return status;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_golden_case, setup, teardown),
  };
  return cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
}
