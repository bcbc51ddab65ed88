/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cpu_isa.c — choosing the kernel variant: the CPU's best by default,
 * SPRY_ISA naming one, and a clear refusal for a name this CPU cannot run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpu_isa.h"
#include "spry/spry.h"

static char model_path[4096];

/* The variant a new interpreter reports with SPRY_ISA set to `isa` (NULL:
 * unset), or NULL when creation fails (the error is left in spry_last_error). */
static const char *interpreter_isa(const char *isa, char *buffer, size_t size) {
  if (isa)
    setenv("SPRY_ISA", isa, 1);
  else
    unsetenv("SPRY_ISA");
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_file(model_path, &model), SPRY_OK);
  SpryInterpreter *interp = NULL;
  const char *result = NULL;
  if (spry_interpreter_new(model, NULL, &interp) == SPRY_OK) {
    snprintf(buffer, size, "%s", spry_interpreter_kernel_isa(interp));
    result = buffer;
  }
  spry_interpreter_free(interp);
  spry_model_free(model);
  unsetenv("SPRY_ISA");
  return result;
}

static void test_default_is_the_best(void **state) {
  (void)state;
  char name[32];
  const char *got = interpreter_isa(NULL, name, sizeof name);
  assert_non_null(got);
  assert_string_equal(got, spry_isa_name(spry_isa_best()));
  assert_true(spry_isa_best() != SPRY_ISA_REFERENCE);
}

static void test_every_supported_variant_can_be_named(void **state) {
  (void)state;
  char name[32];
  for (int isa = 0; isa < SPRY_ISA_COUNT; isa++) {
    if (!spry_isa_supported((SpryIsa)isa)) continue;
    const char *got = interpreter_isa(spry_isa_name((SpryIsa)isa), name, sizeof name);
    assert_non_null(got);
    assert_string_equal(got, spry_isa_name((SpryIsa)isa));
  }
  assert_true(spry_isa_supported(SPRY_ISA_REFERENCE));
  assert_true(spry_isa_supported(SPRY_ISA_PORTABLE));
}

/* A variant that extends another (avx512vnni AVX2, neondot NEON) needs the
 * other, is preferred to it, and leaves it selectable by name. */
static void test_extended_variants(void **state) {
  (void)state;
  assert_string_equal(spry_isa_name(SPRY_ISA_AVX512_VNNI), "avx512vnni");
  assert_string_equal(spry_isa_name(SPRY_ISA_AVX2), "avx2");
  const SpryIsa pairs[][2] = {{SPRY_ISA_AVX512_VNNI, SPRY_ISA_AVX2},
                              {SPRY_ISA_NEON_DOT, SPRY_ISA_NEON}};
  char name[32];
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    if (!spry_isa_supported(pairs[i][0])) continue;
    assert_true(spry_isa_supported(pairs[i][1]));
    assert_int_equal(spry_isa_best(), pairs[i][0]);
    const char *got = interpreter_isa(spry_isa_name(pairs[i][1]), name, sizeof name);
    assert_non_null(got);
    assert_string_equal(got, spry_isa_name(pairs[i][1]));
    assert_string_equal(interpreter_isa(NULL, name, sizeof name), spry_isa_name(pairs[i][0]));
  }
  for (int a = 0; a < SPRY_ISA_COUNT; a++)
    for (int b = a + 1; b < SPRY_ISA_COUNT; b++)
      assert_string_not_equal(spry_isa_name((SpryIsa)a), spry_isa_name((SpryIsa)b));
}

/* A kernel family runs its own variant for the ISA, else the one the ISA
 * extends, else the portable C; nothing for the reference. */
static void test_family_variants(void **state) {
  (void)state;
  static const int portable = 1, avx2 = 2, vnni = 3, neon = 4;
  const void *const all[SPRY_ISA_COUNT] = {[SPRY_ISA_PORTABLE] = &portable,
                                           [SPRY_ISA_AVX2] = &avx2,
                                           [SPRY_ISA_AVX512_VNNI] = &vnni,
                                           [SPRY_ISA_NEON] = &neon};
  assert_ptr_equal(spry_isa_variant(SPRY_ISA_AVX512_VNNI, all), &vnni);
  assert_ptr_equal(spry_isa_variant(SPRY_ISA_AVX2, all), &avx2);
  assert_ptr_equal(spry_isa_variant(SPRY_ISA_NEON_DOT, all), &neon);
  assert_ptr_equal(spry_isa_variant(SPRY_ISA_PORTABLE, all), &portable);
  assert_null(spry_isa_variant(SPRY_ISA_REFERENCE, all));
  assert_null(spry_isa_variant(SPRY_ISA_COUNT, all));
  assert_null(spry_isa_variant((SpryIsa)-1, all));
  const void *const only_portable[SPRY_ISA_COUNT] = {[SPRY_ISA_PORTABLE] = &portable};
  for (int isa = SPRY_ISA_PORTABLE; isa < SPRY_ISA_COUNT; isa++)
    assert_ptr_equal(spry_isa_variant((SpryIsa)isa, only_portable), &portable);
  assert_int_equal(spry_isa_fallback(SPRY_ISA_AVX512_VNNI), SPRY_ISA_AVX2);
  assert_int_equal(spry_isa_fallback(SPRY_ISA_NEON_DOT), SPRY_ISA_NEON);
  assert_int_equal(spry_isa_fallback(SPRY_ISA_NEON), SPRY_ISA_PORTABLE);
  assert_int_equal(spry_isa_fallback(SPRY_ISA_PORTABLE), SPRY_ISA_REFERENCE);
  const SpryAnyFn fns[SPRY_ISA_COUNT] = {[SPRY_ISA_NEON] = (SpryAnyFn)test_family_variants};
  assert_true(spry_isa_fn_variant(SPRY_ISA_NEON_DOT, fns) == (SpryAnyFn)test_family_variants);
  assert_null(spry_isa_fn_variant(SPRY_ISA_AVX2, fns));
}

static void test_unknown_or_unsupported_name_is_refused(void **state) {
  (void)state;
  char name[32];
  assert_null(interpreter_isa("bogus", name, sizeof name));
  assert_non_null(strstr(spry_last_error(), "SPRY_ISA=bogus"));
  assert_non_null(strstr(spry_last_error(), "reference, portable"));
  /* A real variant of another architecture is refused the same way. */
  for (int isa = 0; isa < SPRY_ISA_COUNT; isa++) {
    if (spry_isa_supported((SpryIsa)isa)) continue;
    assert_null(interpreter_isa(spry_isa_name((SpryIsa)isa), name, sizeof name));
    assert_non_null(strstr(spry_last_error(), "not a kernel variant this CPU runs"));
  }
  assert_null(spry_isa_name(SPRY_ISA_COUNT));
  assert_null(spry_interpreter_kernel_isa(NULL));
}

int main(void) {
  const char *data = getenv("SPRY_TEST_DATA");
  if (!data) {
    fprintf(stderr, "SPRY_TEST_DATA is not set\n");
    return 1;
  }
  snprintf(model_path, sizeof model_path, "%s/models/add_float.tflite", data);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_is_the_best),
      cmocka_unit_test(test_every_supported_variant_can_be_named),
      cmocka_unit_test(test_extended_variants),
      cmocka_unit_test(test_family_variants),
      cmocka_unit_test(test_unknown_or_unsupported_name_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
