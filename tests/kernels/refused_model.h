/* SPDX-License-Identifier: Apache-2.0 */
/* refused_model.h — checks that a model is refused with an expected message
 * (the error-model tables of tests/kernels). */
#ifndef SPRY_TESTS_REFUSED_MODEL_H
#define SPRY_TESTS_REFUSED_MODEL_H

#include <stdbool.h>

/* Whether model `data_dir`/`folder`/`name`.tflite fails to open or to
 * prepare with a message containing `fragment`; prints why when not. */
bool spry_test_refused_with(const char *data_dir, const char *folder, const char *name,
                            const char *fragment);

/* Asserts (cmocka) that the model opens and that creating its interpreter
 * (prepare) fails with a message containing `fragment`; prints the message
 * it got otherwise. */
void expect_prepare_error(const char *data_dir, const char *folder, const char *name,
                          const char *fragment);

#endif /* SPRY_TESTS_REFUSED_MODEL_H */
