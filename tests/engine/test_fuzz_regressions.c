/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fuzz_regressions.c — inputs the fuzzer (fuzz/, docs/fuzzing.md) once
 * found a fault with, kept in $SPRY_TEST_DATA/fuzz_regressions and run the
 * way the fuzzer runs them: each must be invoked or refused with a message
 * and a valid status, breaking no error contract. Under the sanitizer build
 * (halt_on_error) any undefined behaviour they hit fails the test too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"

static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  void *data = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    const long end = ftell(f);
    if (end > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)end)) != NULL) {
      *size = fread(data, 1, (size_t)end, f);
      if (*size != (size_t)end) {
        free(data);
        data = NULL;
      }
    }
  }
  fclose(f);
  return data;
}

static void test_regressions_run_cleanly(void **state) {
  (void)state;
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/fuzz_regressions", root);
  DIR *d = opendir(dir);
  assert_non_null(d);
  int count = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.') continue;
    char path[4352];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t size = 0;
    void *data = read_file(path, &size);
    if (!data) fail_msg("cannot read %s", path);
    SpryExerciseResult result;
    spry_exercise_model(data, size, SIZE_MAX, &result);
    free(data);
    if (result.violation) fail_msg("%s: error contract broken by %s", path, result.violation);
    printf("%s: %s%s%s\n", e->d_name, spry_exercise_outcome_name(result.outcome),
           result.message[0] ? ": " : "", result.message);
    count++;
  }
  closedir(d);
  assert_true(count > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_regressions_run_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
