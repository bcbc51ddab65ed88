/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expect_prepare_error.h — the check behind the kernel tests' refusal
 * tables: a model whose interpreter creation (prepare) must fail with a
 * message saying why.
 */
#ifndef SPRY_TESTS_KERNELS_EXPECT_PREPARE_ERROR_H
#define SPRY_TESTS_KERNELS_EXPECT_PREPARE_ERROR_H

/* Opens data_dir/dir/name.tflite and asserts (cmocka) that creating its
 * interpreter fails with a message containing `fragment`; prints the
 * message it got otherwise. */
void expect_prepare_error(const char *data_dir, const char *dir, const char *name,
                          const char *fragment);

#endif /* SPRY_TESTS_KERNELS_EXPECT_PREPARE_ERROR_H */
