/* SPDX-License-Identifier: Apache-2.0 */
/* test_model_labels.c — labels from model metadata and the zip appended to a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "spry/spry.h"

static uint8_t *load(const char *relative, size_t *size) {
  const char *data = getenv("SPRY_TEST_DATA");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", data ? data : "tests/data", relative);
  FILE *f = fopen(path, "rb");
  if (f == NULL) fail_msg("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  assert_true(n > 0);
  /* Room for a zip appended by the tests. */
  uint8_t *buf = malloc((size_t)n + 4096);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *size = (size_t)n;
  return buf;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

typedef struct ZipEntry {
  const char *name;
  const char *data;
  uint16_t method;
} ZipEntry;

/* Appends a zip of `count` entries at buf + *size. Offsets count from the
 * start of the file, or from the start of the zip when `zip_relative`. */
static void append_zip(uint8_t *buf, size_t *size, const ZipEntry *entries, int count,
                       bool zip_relative) {
  size_t start = *size, pos = *size;
  size_t base = zip_relative ? start : 0;
  uint32_t local[8];
  for (int i = 0; i < count; i++) {
    uint16_t n = (uint16_t)strlen(entries[i].name);
    uint32_t len = (uint32_t)strlen(entries[i].data);
    local[i] = (uint32_t)(pos - base);
    uint8_t *h = buf + pos;
    memset(h, 0, 30);
    put32(h, 0x04034b50);
    put16(h + 8, entries[i].method);
    put32(h + 18, len);
    put32(h + 22, len);
    put16(h + 26, n);
    memcpy(h + 30, entries[i].name, n);
    memcpy(h + 30 + n, entries[i].data, len);
    pos += 30 + n + len;
  }
  size_t central = pos;
  for (int i = 0; i < count; i++) {
    uint16_t n = (uint16_t)strlen(entries[i].name);
    uint32_t len = (uint32_t)strlen(entries[i].data);
    uint8_t *h = buf + pos;
    memset(h, 0, 46);
    put32(h, 0x02014b50);
    put16(h + 10, entries[i].method);
    put32(h + 20, len);
    put32(h + 24, len);
    put16(h + 28, n);
    put32(h + 42, local[i]);
    memcpy(h + 46, entries[i].name, n);
    pos += 46 + n;
  }
  uint8_t *e = buf + pos;
  memset(e, 0, 22);
  put32(e, 0x06054b50);
  put16(e + 8, (uint16_t)count);
  put16(e + 10, (uint16_t)count);
  put32(e + 12, (uint32_t)(pos - central));
  put32(e + 16, (uint32_t)(central - base));
  *size = pos + 22;
}

static SpryModel *open_buffer(const uint8_t *buf, size_t size) {
  SpryModel *model = NULL;
  if (spry_model_open_buffer(buf, size, &model) != SPRY_OK) fail_msg("%s", spry_last_error());
  return model;
}

static void test_mobilenet_labels(void **state) {
  (void)state;
  size_t size, expected_size;
  uint8_t *file = load("models/mobilenet_v1_0.25_128_quant.tflite", &size);
  uint8_t *expected = load("models/imagenet_labels.txt", &expected_size);
  SpryModel *model = open_buffer(file, size);
  const char *text;
  size_t n;
  assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_OK);
  assert_int_equal(n, expected_size);
  assert_memory_equal(text, expected, n);
  assert_true((const uint8_t *)text > file && (const uint8_t *)text + n < file + size);
  /* 1001 lines: "background", then the ImageNet classes. */
  int lines = 0;
  const char *line = text, *line_653 = NULL;
  for (size_t i = 0; i < n; i++) {
    if (text[i] != '\n') continue;
    if (lines == 653) line_653 = line;
    lines++;
    line = text + i + 1;
  }
  assert_int_equal(lines, 1001);
  assert_int_equal(text[n - 1], '\n');
  assert_memory_equal(text, "background\n", 11);
  assert_non_null(line_653);
  assert_memory_equal(line_653, "military uniform\n", 17);
  assert_int_equal(spry_model_output_labels(model, 1, &text, &n), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_model_output_labels(model, 0, NULL, &n), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_model_output_labels(NULL, 0, &text, &n), SPRY_ERROR_INVALID_ARGUMENT);
  spry_model_free(model);
  free(expected);
  free(file);
}

/* NormalizationOptions of the input: mobilenet's metadata gives one mean and
 * one std (127.5) for every channel; models without metadata give NOT_FOUND. */
static void test_input_normalization(void **state) {
  (void)state;
  size_t size;
  uint8_t *file = load("models/mobilenet_v1_0.25_128_quant.tflite", &size);
  SpryModel *model = open_buffer(file, size);
  SpryNormalization n;
  assert_int_equal(spry_model_input_normalization(model, 0, &n), SPRY_OK);
  assert_int_equal(n.channels, 1);
  assert_true(n.mean[0] == 127.5f && n.std[0] == 127.5f);
  assert_int_equal(spry_model_input_normalization(model, 1, &n), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_model_input_normalization(model, 0, NULL), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_model_input_normalization(NULL, 0, &n), SPRY_ERROR_INVALID_ARGUMENT);
  spry_model_free(model);
  free(file);
  file = load("models/hello_world_int8.tflite", &size);
  model = open_buffer(file, size);
  assert_int_equal(spry_model_input_normalization(model, 0, &n), SPRY_ERROR_NOT_FOUND);
  assert_int_equal(n.channels, 0);
  spry_model_free(model);
  free(file);
}

static void test_no_labels(void **state) {
  (void)state;
  size_t size;
  uint8_t *file = load("models/hello_world_int8.tflite", &size);
  SpryModel *model = open_buffer(file, size);
  const char *text = "x";
  size_t n = 7;
  assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_ERROR_NOT_FOUND);
  assert_null(text);
  assert_int_equal(n, 0);
  assert_non_null(strstr(spry_last_error(), "no labels for output 0"));
  spry_model_free(model);
  free(file);
}

/* Without metadata, a zip holding exactly one .txt file provides the labels,
 * whether its offsets count from the file or from the zip. */
static void test_single_txt_fallback(void **state) {
  (void)state;
  static const ZipEntry one[] = {{"readme.md", "hello", 0}, {"labels.txt", "cat\ndog\n", 0}};
  static const ZipEntry two[] = {{"a.txt", "a\n", 0}, {"b.txt", "b\n", 0}};
  static const ZipEntry deflated[] = {{"labels.txt", "xxxxxxxx", 8}};
  for (int relative = 0; relative < 2; relative++) {
    size_t size;
    uint8_t *file = load("models/hello_world_int8.tflite", &size);
    append_zip(file, &size, one, 2, relative);
    SpryModel *model = open_buffer(file, size);
    const char *text;
    size_t n;
    assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(text, "cat\ndog\n", 8);
    spry_model_free(model);
    free(file);
  }
  size_t size;
  uint8_t *file = load("models/hello_world_int8.tflite", &size);
  append_zip(file, &size, two, 2, false);
  SpryModel *model = open_buffer(file, size);
  const char *text;
  size_t n;
  assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_ERROR_NOT_FOUND);
  spry_model_free(model);
  free(file);
  file = load("models/hello_world_int8.tflite", &size);
  append_zip(file, &size, deflated, 1, false);
  model = open_buffer(file, size);
  assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_ERROR_UNSUPPORTED);
  assert_non_null(strstr(spry_last_error(), "labels.txt is compressed (method 8)"));
  spry_model_free(model);
  free(file);
}

/* Offsets of mobilenet's zip, relative to where they start. */
typedef struct ZipLayout {
  size_t eocd, central, local;
} ZipLayout;

static ZipLayout find_layout(const uint8_t *file, size_t size) {
  ZipLayout z;
  z.eocd = size - 22;
  assert_int_equal(get32(file + z.eocd), 0x06054b50);
  z.central = get32(file + z.eocd + 16);
  assert_int_equal(get32(file + z.central), 0x02014b50);
  z.local = get32(file + z.central + 42);
  assert_int_equal(get32(file + z.local), 0x04034b50);
  return z;
}

static void test_mobilenet_zip_variants(void **state) {
  (void)state;
  size_t size;
  uint8_t *file = load("models/mobilenet_v1_0.25_128_quant.tflite", &size);
  ZipLayout z = find_layout(file, size);
  /* Rewrite the offsets relative to the zip's start, as a zip that was
   * built alone and appended to the model would have them. */
  put32(file + z.eocd + 16, (uint32_t)(z.central - z.local));
  put32(file + z.central + 42, 0);
  SpryModel *model = open_buffer(file, size);
  const char *text;
  size_t n;
  assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_OK);
  assert_int_equal(n, 21686);
  assert_memory_equal(text, "background\n", 11);
  /* The metadata names imagenet_labels.txt; rename the zip entry. */
  file[z.central + 46] = 'X';
  assert_int_equal(spry_model_output_labels(model, 0, &text, &n), SPRY_ERROR_NOT_FOUND);
  assert_non_null(strstr(spry_last_error(), "imagenet_labels.txt named in the model metadata"));
  spry_model_free(model);
  free(file);
}

/* Corrupting any byte of the metadata or the zip records never crashes and
 * never yields text outside the file. The model itself stays valid (these
 * bytes are buffer data or lie past the FlatBuffer), so it is opened once. */
static void test_corrupted_metadata_and_zip(void **state) {
  (void)state;
  static const uint8_t masks[] = {0x01, 0x80, 0xff};
  size_t size;
  uint8_t *file = load("models/mobilenet_v1_0.25_128_quant.tflite", &size);
  ZipLayout z = find_layout(file, size);
  SpryModel *model = open_buffer(file, size);
  const void *meta;
  size_t meta_size;
  assert_int_equal(spry_model_metadata(model, "TFLITE_METADATA", &meta, &meta_size), SPRY_OK);
  size_t ranges[3][2] = {{(size_t)((const uint8_t *)meta - file), meta_size},
                         {z.local, 30 + 19},
                         {z.central, size - z.central}};
  int ok = 0, failed = 0;
  for (int r = 0; r < 3; r++) {
    for (size_t i = ranges[r][0]; i < ranges[r][0] + ranges[r][1]; i++) {
      for (size_t m = 0; m < sizeof masks; m++) {
        file[i] ^= masks[m];
        const char *text;
        size_t n;
        SpryStatus status = spry_model_output_labels(model, 0, &text, &n);
        if (status == SPRY_OK) {
          assert_true((const uint8_t *)text >= file && n <= size &&
                      (const uint8_t *)text - file <= (ptrdiff_t)(size - n));
          ok++;
        } else {
          assert_true(strlen(spry_last_error()) > 0);
          failed++;
        }
        /* The same bytes read for the input normalisation: a status, never a crash. */
        SpryNormalization norm;
        status = spry_model_input_normalization(model, 0, &norm);
        if (status == SPRY_OK)
          assert_true(norm.channels >= 1 && norm.channels <= SPRY_MAX_NORMALIZATION_CHANNELS &&
                      norm.std[0] != 0.0f);
        else
          assert_true(status == SPRY_ERROR_NOT_FOUND || strlen(spry_last_error()) > 0);
        file[i] ^= masks[m];
      }
    }
  }
  assert_true(ok > 0);
  assert_true(failed > 0);
  spry_model_free(model);
  free(file);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mobilenet_labels),
      cmocka_unit_test(test_input_normalization),
      cmocka_unit_test(test_no_labels),
      cmocka_unit_test(test_single_txt_fallback),
      cmocka_unit_test(test_mobilenet_zip_variants),
      cmocka_unit_test(test_corrupted_metadata_and_zip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
