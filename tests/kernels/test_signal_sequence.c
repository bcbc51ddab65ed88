/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_signal_sequence.c — the audio front end (Signal* custom ops) over a
 * stream: 49 overlapping 30 ms frames of the 1000 ms "yes"/"no" clips fed
 * into one interpreter, every frame's 40 features against TFLite Micro's
 * (tools/goldens/make_signal_cases.py): int8 byte-exact, float32 within
 * 1e-5 (1 + max |ref|). Then spry_interpreter_reset_state() must make the
 * same sequence give the same features again, and the op ABI 1 / 2 rules
 * for `reset` hold. With the argument "micro_speech" (extended suite) it
 * instead feeds the "yes" features to ../shared micro_speech and expects the
 * top class "yes".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four headers above first. */
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spry/op.h"
#include "spry/spry.h"

#define FRAME 480
#define FEATURES 40
#define FRAMES 49

static const char *g_data_dir;   /* tests/kernels/data/signal_sequence */
static const char *g_models_dir; /* tests/data/models */

static void *load(const char *dir, const char *name, size_t expect) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  void *buf = malloc(expect + 1);
  assert_non_null(buf);
  const size_t got = fread(buf, 1, expect + 1, f);
  fclose(f);
  assert_int_equal(got, expect);
  return buf;
}

static SpryInterpreter *open_model(const char *dir, const char *name, SpryModel **model) {
  char path[1024];
  const int length = snprintf(path, sizeof path, "%s/%s", dir, name);
  assert_true(length > 0 && (size_t)length < sizeof path);
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, model), SPRY_OK);
  if (spry_interpreter_new(*model, NULL, &interp) != SPRY_OK) fail_msg("%s", spry_last_error());
  return interp;
}

/* Runs every frame of `input` through interp, writing the features. */
static void run_sequence(SpryInterpreter *interp, const int16_t *input, void *features,
                         size_t feature_bytes) {
  for (int32_t f = 0; f < FRAMES; f++) {
    SpryTensor *in = spry_interpreter_input(interp, 0);
    assert_int_equal(spry_tensor_byte_size(in), FRAME * sizeof(int16_t));
    memcpy(spry_tensor_data(in), input + (size_t)f * FRAME, FRAME * sizeof(int16_t));
    if (spry_interpreter_invoke(interp) != SPRY_OK) fail_msg("%s", spry_last_error());
    const SpryTensor *out = spry_interpreter_output(interp, 0);
    assert_int_equal(spry_tensor_byte_size(out), feature_bytes);
    memcpy((char *)features + (size_t)f * feature_bytes, spry_tensor_data_const(out),
           feature_bytes);
  }
}

static void expect_float_close(const float *got, const float *ref, size_t n) {
  double max_ref = 0, max_err = 0;
  for (size_t i = 0; i < n; i++) {
    if (fabs(ref[i]) > max_ref) max_ref = fabs(ref[i]);
    if (fabs((double)got[i] - ref[i]) > max_err) max_err = fabs((double)got[i] - ref[i]);
  }
  if (max_err > 1e-5 * (1.0 + max_ref)) fail_msg("max abs error %g", max_err);
}

static void check_word(const char *word, bool quantized) {
  char name[64];
  snprintf(name, sizeof name, "%s_input.bin", word);
  int16_t *input = load(g_data_dir, name, (size_t)FRAMES * FRAME * sizeof(int16_t));
  const size_t fbytes = FEATURES * (quantized ? 1 : sizeof(float));
  snprintf(name, sizeof name, "%s_%s.bin", word, quantized ? "int8" : "float");
  void *ref = load(g_data_dir, name, FRAMES * fbytes);
  void *got = calloc(FRAMES, fbytes), *again = calloc(FRAMES, fbytes);
  assert_true(got && again);
  SpryModel *model = NULL;
  SpryInterpreter *interp = open_model(
      g_models_dir,
      quantized ? "audio_preprocessor_int8.tflite" : "audio_preprocessor_float.tflite", &model);
  run_sequence(interp, input, got, fbytes);
  if (quantized)
    assert_memory_equal(got, ref, FRAMES * fbytes);
  else
    expect_float_close(got, ref, (size_t)FRAMES * FEATURES);
  /* Without a reset the noise estimate carries over: frame 0 differs. */
  run_sequence(interp, input, again, fbytes);
  assert_memory_not_equal(again, got, fbytes);
  assert_int_equal(spry_interpreter_reset_state(interp), SPRY_OK);
  run_sequence(interp, input, again, fbytes);
  assert_memory_equal(again, got, FRAMES * fbytes);
  spry_interpreter_free(interp);
  spry_model_free(model);
  free(input);
  free(ref);
  free(got);
  free(again);
}

static void test_yes_int8(void **state) {
  (void)state;
  check_word("yes", true);
}
static void test_no_int8(void **state) {
  (void)state;
  check_word("no", true);
}
static void test_yes_float(void **state) {
  (void)state;
  check_word("yes", false);
}
static void test_no_float(void **state) {
  (void)state;
  check_word("no", false);
}

static void test_reset_argument(void **state) {
  (void)state;
  assert_int_equal(spry_interpreter_reset_state(NULL), SPRY_ERROR_INVALID_ARGUMENT);
  assert_true(strlen(spry_last_error()) > 0);
}

/* ---- op ABI: version 1 registrations (no `reset` field) stay accepted ---- */

static int g_resets;
static SpryStatus counting_invoke(SpryContext *ctx, SpryNode *node) {
  (void)ctx;
  (void)node;
  return SPRY_OK;
}
static SpryStatus counting_reset(SpryContext *ctx, SpryNode *node) {
  (void)ctx;
  (void)node;
  g_resets++;
  return SPRY_OK;
}

static void test_abi_versions(void **state) {
  (void)state;
  SpryResolver *resolver = NULL;
  assert_int_equal(spry_resolver_new(&resolver), SPRY_OK);
  SpryOpRegistration r = {.abi_version = 1,
                          .builtin_code = SPRY_BUILTIN_CUSTOM,
                          .custom_name = "X",
                          .min_version = 1,
                          .max_version = 1,
                          .invoke = counting_invoke,
                          .reset = counting_reset};
  assert_int_equal(spry_resolver_add(resolver, &r), SPRY_OK);
  static SpryOpRegistration v2;
  v2 = r;
  v2.abi_version = 2;
  assert_int_equal(spry_resolver_add(resolver, &v2), SPRY_OK);
  static SpryOpRegistration v3;
  v3 = r;
  v3.abi_version = 3;
  assert_int_equal(spry_resolver_add(resolver, &v3), SPRY_ERROR_INVALID_ARGUMENT);
  v3.abi_version = 0;
  assert_int_equal(spry_resolver_add(resolver, &v3), SPRY_ERROR_INVALID_ARGUMENT);
  spry_resolver_free(resolver);
  assert_int_equal(SPRY_OP_ABI_VERSION, 2);
}

/* ---- micro_speech end to end (extended suite) ---------------------------- */

static void test_micro_speech_yes(void **state) {
  (void)state;
  const char *shared = getenv("SPRY_SHARED_DIR");
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/models", shared ? shared : "../shared");
  char probe[1100];
  snprintf(probe, sizeof probe, "%s/micro_speech_int8.tflite", dir);
  FILE *f = fopen(probe, "rb");
  if (!f) skip();
  fclose(f);
  int16_t *input = load(g_data_dir, "yes_input.bin", (size_t)FRAMES * FRAME * sizeof(int16_t));
  int8_t features[FRAMES * FEATURES];
  SpryModel *pre_model = NULL, *kws_model = NULL;
  SpryInterpreter *pre = open_model(dir, "audio_preprocessor_int8.tflite", &pre_model);
  run_sequence(pre, input, features, FEATURES);
  SpryInterpreter *kws = open_model(dir, "micro_speech_int8.tflite", &kws_model);
  SpryTensor *in = spry_interpreter_input(kws, 0);
  assert_int_equal(spry_tensor_byte_size(in), sizeof features);
  memcpy(spry_tensor_data(in), features, sizeof features);
  assert_int_equal(spry_interpreter_invoke(kws), SPRY_OK);
  const int8_t *scores = spry_tensor_data_const(spry_interpreter_output(kws, 0));
  int32_t best = 0;
  for (int32_t i = 1; i < 4; i++)
    if (scores[i] > scores[best]) best = i;
  print_message("scores silence %d unknown %d yes %d no %d\n", scores[0], scores[1], scores[2],
                scores[3]);
  assert_int_equal(best, 2); /* silence, unknown, yes, no */
  spry_interpreter_free(kws);
  spry_interpreter_free(pre);
  spry_model_free(kws_model);
  spry_model_free(pre_model);
  free(input);
}

int main(int argc, char **argv) {
  static char models[1024];
  const char *data = getenv("SPRY_TEST_DATA");
  snprintf(models, sizeof models, "%s/models", data ? data : "tests/data");
  g_models_dir = models;
  g_data_dir = argc > 1 ? argv[1] : "tests/kernels/data/signal_sequence";
  if (argc > 2 && strcmp(argv[2], "micro_speech") == 0) {
    const struct CMUnitTest e2e[] = {cmocka_unit_test(test_micro_speech_yes)};
    return cmocka_run_group_tests(e2e, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_yes_int8),       cmocka_unit_test(test_no_int8),
      cmocka_unit_test(test_yes_float),      cmocka_unit_test(test_no_float),
      cmocka_unit_test(test_reset_argument), cmocka_unit_test(test_abi_versions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
