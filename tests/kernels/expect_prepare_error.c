/* SPDX-License-Identifier: Apache-2.0 */
/* expect_prepare_error.c — a model prepare must refuse, with its message (see the header). */
#include "expect_prepare_error.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "spry/spry.h"

void expect_prepare_error(const char *data_dir, const char *dir, const char *name,
                          const char *fragment) {
  char path[4096];
  const int n = snprintf(path, sizeof path, "%s/%s/%s.tflite", data_dir, dir, name);
  assert_true(n > 0 && (size_t)n < sizeof path);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  const SpryStatus status = spry_interpreter_new(model, NULL, &interp);
  const char *message = spry_last_error();
  if (status == SPRY_OK || !strstr(message, fragment))
    print_error("%s: status %d, message \"%s\" (expected \"%s\")\n", name, (int)status, message,
                fragment);
  spry_interpreter_free(interp);
  spry_model_free(model);
  assert_int_not_equal(status, SPRY_OK);
  assert_non_null(strstr(message, fragment));
}
