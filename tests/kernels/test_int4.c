/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_int4.c — int4 weights: the nibble unpacking (order and sign
 * extension) against its definition, and the models that opening or
 * preparing must refuse with a precise message (data/int4_errors/, listed in
 * data/int4_errors.h, from tools/goldens/make_int4_cases.py).
 *
 * Also the engine's byte sizes of int4 tensors (packed bytes, ceil(n / 2)),
 * and the depthwise goldens again as version 7 models (data/int4_v7/: the
 * version converters give int4 depthwise weights; TFLite's reference
 * resolver registers only up to 6, so the goldens are version 6).
 *
 * Usage: test_int4 DATA_DIR   (tests/kernels/data)
 * The seed model is read from $SPRY_TEST_DATA/models/.
 */
/* cmocka needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/int4_errors.h"
#include "int4.h"
#include "interpreter_internal.h"
#include "spry/spry.h"

static const char *data_dir;

/* The value a nibble encodes, by the definition of two's complement. */
static int expected_value(unsigned nibble) { return nibble < 8 ? (int)nibble : (int)nibble - 16; }

/* Every byte value: element 2i is the low nibble of byte i, 2i + 1 the high. */
static void test_unpack_every_byte(void **state) {
  (void)state;
  uint8_t packed[256];
  int8_t values[512];
  for (int i = 0; i < 256; i++) packed[i] = (uint8_t)i;
  spry_int4_unpack(packed, 512, values);
  for (int i = 0; i < 256; i++) {
    assert_int_equal(values[2 * i], expected_value((unsigned)i & 0x0Fu));
    assert_int_equal(values[2 * i + 1], expected_value((unsigned)i >> 4));
  }
}

/* An odd count reads only the low nibble of the last byte and writes no
 * further than `count` values. */
static void test_unpack_odd_count(void **state) {
  (void)state;
  const uint8_t packed[3] = {0x8F, 0x70, 0xA9}; /* -1, -8, 0, 7, -7 (high nibble unused) */
  int8_t values[6];
  memset(values, 42, sizeof values);
  spry_int4_unpack(packed, 5, values);
  const int8_t expected[6] = {-1, -8, 0, 7, -7, 42};
  assert_memory_equal(values, expected, sizeof expected);
  assert_int_equal(spry_int4_packed_bytes(5), 3);
  assert_int_equal(spry_int4_packed_bytes(6), 3);
  assert_int_equal(spry_int4_packed_bytes(0), 0);
}

/* Shapes of int4 tensors take ceil(elements / 2) bytes. */
static void test_shape_bytes(void **state) {
  (void)state;
  size_t bytes = 99;
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 2, (const int32_t[]){3, 3}, &bytes));
  assert_int_equal(bytes, 5);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 2, (const int32_t[]){2, 4}, &bytes));
  assert_int_equal(bytes, 4);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 1, (const int32_t[]){0}, &bytes));
  assert_int_equal(bytes, 0);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 0, NULL, &bytes));
  assert_int_equal(bytes, 1);
}

/* An interpreter's int4 weights keep their packed size, and their element
 * count comes from the shape (7 x 9 = 63 values in 32 bytes). */
static void test_interpreter_sizes(void **state) {
  (void)state;
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  char path[4096];
  const int n = snprintf(path, sizeof path,
                         "%s/models/fully_connected_int4_per_channel_relu_b2.tflite", root);
  assert_true(n > 0 && (size_t)n < sizeof path);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  const SpryTensor *weights = &interp->tensors[1];
  assert_int_equal(spry_tensor_type(weights), SPRY_TYPE_INT4);
  assert_int_equal(spry_tensor_byte_size(weights), 32);
  assert_int_equal(spry_tensor_element_count(weights), 63);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

/* Reads a whole file into a buffer of `capacity` bytes; returns its size. */
static size_t read_file(const char *path, void *buffer, size_t capacity) {
  FILE *f = fopen(path, "rb");
  if (!f) fail_msg("cannot open %s", path);
  const size_t size = fread(buffer, 1, capacity, f);
  assert_int_equal(fgetc(f), EOF);
  fclose(f);
  return size;
}

/* Version 7 depthwise models give the version 6 goldens' outputs. */
static void test_depthwise_version_7(void **state) {
  (void)state;
  static const char *const names[] = {"depthwise_conv_2d_int4_same",
                                      "depthwise_conv_2d_int4_valid_stride2",
                                      "depthwise_conv_2d_int4_mult5"};
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  static uint8_t input[4096], expected[4096];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/goldens/op_%s/input_0.bin", root, names[i]);
    const size_t input_size = read_file(path, input, sizeof input);
    snprintf(path, sizeof path, "%s/goldens/op_%s/output_0.bin", root, names[i]);
    const size_t output_size = read_file(path, expected, sizeof expected);
    snprintf(path, sizeof path, "%s/int4_v7/%s.tflite", data_dir, names[i]);
    SpryModel *model = NULL;
    SpryInterpreter *interp = NULL;
    assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
    assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
    SpryTensor *in = spry_interpreter_input(interp, 0);
    assert_int_equal(spry_tensor_byte_size(in), input_size);
    memcpy(spry_tensor_data(in), input, input_size);
    assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
    const SpryTensor *out = spry_interpreter_output(interp, 0);
    assert_int_equal(spry_tensor_byte_size(out), output_size);
    assert_memory_equal(spry_tensor_data_const(out), expected, output_size);
    spry_interpreter_free(interp);
    spry_model_free(model);
  }
}

/* Every model of data/int4_errors fails to open or to prepare, naming why. */
static void test_error_models(void **state) {
  (void)state;
  int failures = 0;
  for (size_t i = 0; i < sizeof int4_error_cases / sizeof int4_error_cases[0]; i++) {
    const Int4ErrorCase *c = &int4_error_cases[i];
    char path[4096];
    const int n = snprintf(path, sizeof path, "%s/int4_errors/%s.tflite", data_dir, c->name);
    assert_true(n > 0 && (size_t)n < sizeof path);
    SpryModel *model = NULL;
    SpryInterpreter *interp = NULL;
    SpryStatus status = spry_model_open_file(path, &model);
    if (status == SPRY_OK) status = spry_interpreter_new(model, NULL, &interp);
    const char *message = spry_last_error();
    if (status == SPRY_OK || !message || !strstr(message, c->fragment)) {
      print_error("%s: status %d, message \"%s\" (expected \"%s\")\n", c->name, (int)status,
                  message ? message : "", c->fragment);
      failures++;
    }
    spry_interpreter_free(interp);
    spry_model_free(model);
  }
  assert_int_equal(failures, 0);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unpack_every_byte),
      cmocka_unit_test(test_unpack_odd_count),
      cmocka_unit_test(test_shape_bytes),
      cmocka_unit_test(test_interpreter_sizes),
      cmocka_unit_test(test_depthwise_version_7),
      cmocka_unit_test(test_error_models),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
