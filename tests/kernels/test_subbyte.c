/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_subbyte.c — the packed sub-byte types (int4, int2, uint4): their
 * unpacking (order and sign extension) against its definition for every
 * byte value, the engine's byte sizes (packed bytes), and the models that
 * opening or preparing must refuse with a precise message (data/int4_errors/
 * and data/subbyte_errors/, listed in data/int4_errors.h and
 * data/subbyte_errors.h, from tools/goldens/make_int4_cases.py and
 * make_subbyte_cases.py).
 *
 * Also the depthwise int4 goldens again as version 7 models (data/int4_v7/:
 * the version converters give int4 depthwise weights; TFLite's reference
 * resolver registers only up to 6, so the goldens are version 6).
 *
 * Usage: test_subbyte DATA_DIR   (tests/kernels/data)
 * The seed models are read from $SPRY_TEST_DATA/models/.
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
#include "data/subbyte_errors.h"
#include "subbyte.h"
#include "interpreter_internal.h"
#include "refused_model.h"
#include "spry/spry.h"

static const char *data_dir;

/* The value of a `bits`-bit field, by the definition of two's complement
 * (or unsigned). */
static int expected_value(unsigned field, unsigned bits, bool is_signed) {
  const unsigned half = 1u << (bits - 1u);
  return is_signed && field >= half ? (int)field - (int)(2u * half) : (int)field;
}

/* Every byte value: element i of byte b is bits [i * bits, (i + 1) * bits),
 * from the least significant up. */
static void check_every_byte(SpryType type, unsigned bits, bool is_signed) {
  const unsigned per_byte = 8u / bits;
  uint8_t packed[256];
  uint8_t values[1024];
  for (int i = 0; i < 256; i++) packed[i] = (uint8_t)i;
  spry_subbyte_unpack(type, packed, 256u * per_byte, values);
  for (unsigned b = 0; b < 256; b++) {
    for (unsigned k = 0; k < per_byte; k++) {
      const unsigned field = (b >> (k * bits)) & ((1u << bits) - 1u);
      const uint8_t v = values[b * per_byte + k];
      assert_int_equal(is_signed ? (int)(int8_t)v : (int)v,
                       expected_value(field, bits, is_signed));
    }
  }
}

static void test_unpack_every_byte_int4(void **state) {
  (void)state;
  check_every_byte(SPRY_TYPE_INT4, 4, true);
}

static void test_unpack_every_byte_int2(void **state) {
  (void)state;
  check_every_byte(SPRY_TYPE_INT2, 2, true);
}

static void test_unpack_every_byte_uint4(void **state) {
  (void)state;
  check_every_byte(SPRY_TYPE_UINT4, 4, false);
}

/* int2: a count that does not fill the last byte reads only its low fields
 * and writes no further than `count` values. */
static void test_unpack_int2_partial(void **state) {
  (void)state;
  const uint8_t packed[2] = {0x1B, 0xE6}; /* -1, -2, 1, 0 | -2, 1 (bits 4-7 unused) */
  int8_t values[8];
  memset(values, 42, sizeof values);
  spry_subbyte_unpack(SPRY_TYPE_INT2, packed, 6, (uint8_t *)values);
  const int8_t expected[8] = {-1, -2, 1, 0, -2, 1, 42, 42};
  assert_memory_equal(values, expected, sizeof expected);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT2, 5), 2);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT2, 8), 2);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT2, 9), 3);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_UINT4, 7), 4);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT8, 7), 0);
  assert_int_equal(spry_subbyte_unpacked_type(SPRY_TYPE_UINT4), SPRY_TYPE_UINT8);
  assert_int_equal(spry_subbyte_unpacked_type(SPRY_TYPE_INT2), SPRY_TYPE_INT8);
}

/* An odd count reads only the low nibble of the last byte and writes no
 * further than `count` values. */
static void test_unpack_odd_count(void **state) {
  (void)state;
  const uint8_t packed[3] = {0x8F, 0x70, 0xA9}; /* -1, -8, 0, 7, -7 (high nibble unused) */
  int8_t values[6];
  memset(values, 42, sizeof values);
  spry_subbyte_unpack(SPRY_TYPE_INT4, packed, 5, (uint8_t *)values);
  const int8_t expected[6] = {-1, -8, 0, 7, -7, 42};
  assert_memory_equal(values, expected, sizeof expected);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT4, 5), 3);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT4, 6), 3);
  assert_int_equal(spry_packed_bytes(SPRY_TYPE_INT4, 0), 0);
}

/* Shapes of sub-byte tensors take their packed bytes. */
static void test_shape_bytes(void **state) {
  (void)state;
  size_t bytes = 99;
  assert_true(spry_shape_bytes(SPRY_TYPE_INT2, 2, (const int32_t[]){3, 3}, &bytes));
  assert_int_equal(bytes, 3);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT2, 2, (const int32_t[]){2, 4}, &bytes));
  assert_int_equal(bytes, 2);
  assert_true(spry_shape_bytes(SPRY_TYPE_UINT4, 2, (const int32_t[]){3, 3}, &bytes));
  assert_int_equal(bytes, 5);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT2, 0, NULL, &bytes));
  assert_int_equal(bytes, 1);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 2, (const int32_t[]){3, 3}, &bytes));
  assert_int_equal(bytes, 5);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 2, (const int32_t[]){2, 4}, &bytes));
  assert_int_equal(bytes, 4);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 1, (const int32_t[]){0}, &bytes));
  assert_int_equal(bytes, 0);
  assert_true(spry_shape_bytes(SPRY_TYPE_INT4, 0, NULL, &bytes));
  assert_int_equal(bytes, 1);
}

/* An interpreter's sub-byte weights keep their packed size, and their
 * element count comes from the shape. */
static void check_interpreter_sizes(const char *seed, SpryType type, size_t bytes,
                                    size_t count) {
  const char *root = getenv("SPRY_TEST_DATA");
  assert_non_null(root);
  char path[4096];
  const int n = snprintf(path, sizeof path, "%s/models/%s.tflite", root, seed);
  assert_true(n > 0 && (size_t)n < sizeof path);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  const SpryTensor *weights = &interp->tensors[1];
  assert_int_equal(spry_tensor_type(weights), type);
  assert_int_equal(spry_tensor_byte_size(weights), bytes);
  assert_int_equal(spry_tensor_element_count(weights), count);
  spry_interpreter_free(interp);
  spry_model_free(model);
}

/* 7 x 9 = 63 values: 32 bytes of int4, 16 of int2. */
static void test_interpreter_sizes(void **state) {
  (void)state;
  check_interpreter_sizes("fully_connected_int4_per_channel_relu_b2", SPRY_TYPE_INT4, 32, 63);
  check_interpreter_sizes("fully_connected_int2_per_channel_relu_b2", SPRY_TYPE_INT2, 16, 63);
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

/* Whether model `dir`/`name` of the data directory is refused with `fragment`. */
static bool refused_with(const char *dir, const char *name, const char *fragment) {
  return spry_test_refused_with(data_dir, dir, name, fragment);
}

/* Every model of data/int4_errors fails to open or to prepare, naming why. */
static void test_int4_error_models(void **state) {
  (void)state;
  int failures = 0;
  for (size_t i = 0; i < sizeof int4_error_cases / sizeof int4_error_cases[0]; i++)
    failures += !refused_with("int4_errors", int4_error_cases[i].name, int4_error_cases[i].fragment);
  assert_int_equal(failures, 0);
}

/* Likewise data/subbyte_errors (int2, uint4, int4 GATHER and CAST). */
static void test_subbyte_error_models(void **state) {
  (void)state;
  int failures = 0;
  for (size_t i = 0; i < sizeof subbyte_error_cases / sizeof subbyte_error_cases[0]; i++)
    failures += !refused_with("subbyte_errors", subbyte_error_cases[i].name,
                              subbyte_error_cases[i].fragment);
  assert_int_equal(failures, 0);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unpack_every_byte_int4),
      cmocka_unit_test(test_unpack_every_byte_int2),
      cmocka_unit_test(test_unpack_every_byte_uint4),
      cmocka_unit_test(test_unpack_odd_count),
      cmocka_unit_test(test_unpack_int2_partial),
      cmocka_unit_test(test_shape_bytes),
      cmocka_unit_test(test_interpreter_sizes),
      cmocka_unit_test(test_depthwise_version_7),
      cmocka_unit_test(test_int4_error_models),
      cmocka_unit_test(test_subbyte_error_models),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
