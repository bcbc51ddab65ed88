/* SPDX-License-Identifier: Apache-2.0 */
/* refused_model.c — models refused with an expected message (see refused_model.h). */
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

#include "refused_model.h"
#include "spry/spry.h"

/* The refusal check; with `must_open`, a refusal when the model is opened
 * does not count: the model must be refused at prepare. */
static bool refused(const char *data_dir, const char *folder, const char *name,
                    const char *fragment, bool must_open) {
  char path[4096];
  const int n = snprintf(path, sizeof path, "%s/%s/%s.tflite", data_dir, folder, name);
  assert_true(n > 0 && (size_t)n < sizeof path);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  const SpryStatus opened = spry_model_open_file(path, &model);
  const SpryStatus status = opened == SPRY_OK ? spry_interpreter_new(model, NULL, &interp) : opened;
  const char *message = spry_last_error();
  const bool ok = (opened == SPRY_OK || !must_open) && status != SPRY_OK && message &&
                  strstr(message, fragment);
  if (!ok)
    print_error("%s: %s status %d, message \"%s\" (expected \"%s\")\n", name,
                opened == SPRY_OK ? "prepare" : "open", (int)status, message ? message : "",
                fragment);
  spry_interpreter_free(interp);
  spry_model_free(model);
  return ok;
}

bool spry_test_refused_with(const char *data_dir, const char *folder, const char *name,
                            const char *fragment) {
  return refused(data_dir, folder, name, fragment, false);
}

void expect_prepare_error(const char *data_dir, const char *folder, const char *name,
                          const char *fragment) {
  assert_true(refused(data_dir, folder, name, fragment, true));
}
