/* SPDX-License-Identifier: Apache-2.0 */
/* test_sparsity.c — broken sparse tensors are refused at open with a message naming the fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spry/spry.h"

/* The models come from tools/goldens/make_densify_cases.py (tests/data/sparsity):
 * one float32 [4, 8] sparse constant, each broken in one way. */
typedef struct SparsityCase {
  const char *file;
  SpryStatus status;
  const char *message; /* must appear in spry_last_error() */
} SparsityCase;

static const SparsityCase kCases[] = {
    {"segment_decreasing", SPRY_ERROR_INVALID_MODEL, "segments must not decrease"},
    {"segment_end", SPRY_ERROR_INVALID_MODEL, "but array_indices has"},
    {"segment_start", SPRY_ERROR_INVALID_MODEL, "array_segments[0] is 1 (must be 0)"},
    {"segment_count", SPRY_ERROR_INVALID_MODEL, "array_segments has 4 entries, expected 5"},
    {"index_range", SPRY_ERROR_INVALID_MODEL, "array_indices[0] is 8, outside [0, 8)"},
    {"index_negative", SPRY_ERROR_INVALID_MODEL, "array_indices[0] is -1"},
    {"dense_size", SPRY_ERROR_INVALID_MODEL, "dense_size is 5 but the dimension has size 4"},
    {"traversal_repeat", SPRY_ERROR_INVALID_MODEL, "not a permutation"},
    {"metadata_count", SPRY_ERROR_INVALID_MODEL, "dim_metadata 1 for 2 traversed"},
    {"segments_missing", SPRY_ERROR_INVALID_MODEL, "array_segments: missing"},
    {"values_count", SPRY_ERROR_INVALID_MODEL, "expected 9 float32 values"},
    {"block_size", SPRY_ERROR_INVALID_MODEL, "block size 3 does not divide"},
    {"block_map", SPRY_ERROR_INVALID_MODEL, "block_map[0] is 2"},
};

static void model_path(const char *name, char *path, size_t size) {
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  snprintf(path, size, "%s/sparsity/%s.tflite", root, name);
}

static void test_broken_sparsity_is_refused(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof kCases / sizeof kCases[0]; i++) {
    char path[1024];
    model_path(kCases[i].file, path, sizeof path);
    SpryModel *model = NULL;
    const SpryStatus status = spry_model_open_file(path, &model);
    if (status != kCases[i].status || !strstr(spry_last_error(), kCases[i].message))
      fail_msg("%s: status %d, message \"%s\"; expected \"%s\"", kCases[i].file, (int)status,
               spry_last_error(), kCases[i].message);
    assert_null(model);
    /* The message says where: the tensor and the sparsity table. */
    assert_non_null(strstr(spry_last_error(), "tensor 1: sparsity"));
  }
}

/* A valid sparse tensor read by anything but DENSIFY would be taken for
 * dense data: the interpreter refuses the model. */
static void test_sparse_tensor_needs_densify(void **state) {
  (void)state;
  char path[1024];
  model_path("read_by_add", path, sizeof path);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_ERROR_UNSUPPORTED);
  assert_null(interp);
  assert_non_null(strstr(spry_last_error(), "only DENSIFY reads sparse tensors"));
  spry_model_free(model);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_broken_sparsity_is_refused),
      cmocka_unit_test(test_sparse_tensor_needs_densify),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
