/* SPDX-License-Identifier: Apache-2.0 */
/* test_tensor_caps.c — other/tensors caps: round trips, trailing-ones equality, sizes, shapes and rejected strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <gst/gst.h>

#include "tensor_caps.h"

static gboolean parse(const gchar *caps_text, SpryTensorsInfo *info, GError **error) {
  GstCaps *caps = gst_caps_from_string(caps_text);
  assert_non_null(caps);
  gboolean ok = spry_tensors_info_from_caps(caps, info, error);
  gst_caps_unref(caps);
  return ok;
}

static void test_round_trip(void **state) {
  (void)state;
  SpryTensorsInfo info, again;
  GError *error = NULL;
  assert_true(parse("other/tensors, format=static, num_tensors=2, "
                    "dimensions=(string)\"3:224:224:1, 1001\", types=(string)\"uint8,float32\", framerate=30/1",
                    &info, &error));
  assert_null(error);
  assert_int_equal(info.num_tensors, 2);
  assert_int_equal(info.tensors[0].type, SPRY_TENSORS_UINT8);
  assert_int_equal(info.tensors[0].rank, 4);
  assert_int_equal(info.tensors[0].dims[0], 3);
  assert_int_equal(info.tensors[0].dims[2], 224);
  assert_int_equal(info.tensors[1].type, SPRY_TENSORS_FLOAT32);
  assert_int_equal(info.tensors[1].rank, 1);
  assert_int_equal(info.rate_n, 30);
  assert_int_equal(info.rate_d, 1);

  GstCaps *caps = spry_tensors_info_to_caps(&info);
  gchar *text = gst_caps_to_string(caps);
  assert_string_equal(text, "other/tensors, format=(string)static, num_tensors=(int)2, "
                            "dimensions=(string)\"3:224:224:1\\,1001\", "
                            "types=(string)\"uint8\\,float32\", framerate=(fraction)30/1");
  assert_true(spry_tensors_info_from_caps(caps, &again, &error));
  assert_true(spry_tensors_info_equal(&info, &again));
  assert_int_equal(again.tensors[0].rank, 4); /* every written dim survives */
  g_free(text);
  gst_caps_unref(caps);

  /* No framerate in, none out; '.' separates tensors as in NNStreamer. */
  assert_true(parse("other/tensors, num_tensors=2, dimensions=(string)\"4.5:6\", types=(string)\"int16.uint64\"",
                    &info, &error));
  assert_int_equal(info.rate_d, 0);
  assert_int_equal(info.tensors[1].dims[1], 6);
  assert_int_equal(info.tensors[1].type, SPRY_TENSORS_UINT64);
  caps = spry_tensors_info_to_caps(&info);
  assert_false(gst_structure_has_field(gst_caps_get_structure(caps, 0), "framerate"));
  assert_string_equal(gst_structure_get_string(gst_caps_get_structure(caps, 0), "dimensions"),
                      "4,5:6");
  gst_caps_unref(caps);
}

static void test_trailing_ones(void **state) {
  (void)state;
  SpryTensorsInfo a, b, c;
  assert_true(parse("other/tensors, num_tensors=1, dimensions=40, types=int16", &a, NULL));
  assert_true(parse("other/tensors, num_tensors=1, dimensions=(string)\"40:1:1:1\", types=int16", &b, NULL));
  assert_true(spry_tensors_info_equal(&a, &b));
  assert_int_equal(spry_tensors_desc_effective_rank(&b.tensors[0]), 1);
  assert_true(parse("other/tensors, num_tensors=1, dimensions=(string)\"40:2\", types=int16", &c, NULL));
  assert_false(spry_tensors_info_equal(&a, &c));
  assert_true(parse("other/tensors, num_tensors=1, dimensions=(string)\"1:40\", types=int16", &c, NULL));
  assert_false(spry_tensors_info_equal(&a, &c)); /* leading 1s matter */
  assert_true(parse("other/tensors, num_tensors=1, dimensions=40, types=uint16", &c, NULL));
  assert_false(spry_tensors_info_equal(&a, &c)); /* so does the type */
  SpryTensorsDesc one = {.type = SPRY_TENSORS_INT8, .rank = 3, .dims = {1, 1, 1}};
  assert_int_equal(spry_tensors_desc_effective_rank(&one), 1);
}

static void test_byte_size(void **state) {
  (void)state;
  gsize size = 0;
  SpryTensorsDesc d = {.type = SPRY_TENSORS_FLOAT32, .rank = 2, .dims = {1001, 1}};
  assert_true(spry_tensors_desc_byte_size(&d, &size, NULL));
  assert_int_equal(size, 4004);
  d = (SpryTensorsDesc){.type = SPRY_TENSORS_UINT8, .rank = 4, .dims = {3, 224, 224, 1}};
  assert_true(spry_tensors_desc_byte_size(&d, &size, NULL));
  assert_int_equal(size, 150528);
  d = (SpryTensorsDesc){.type = SPRY_TENSORS_FLOAT64, .rank = 3,
                        .dims = {G_MAXUINT32, G_MAXUINT32, G_MAXUINT32}};
  GError *error = NULL;
  assert_false(spry_tensors_desc_byte_size(&d, &size, &error));
  assert_non_null(strstr(error->message, "too large"));
  g_clear_error(&error);
  /* Parsing rejects it as well: no caps describes a tensor we cannot size. */
  SpryTensorsInfo info;
  assert_false(parse("other/tensors, num_tensors=1, dimensions=(string)\"4294967295:4294967295:65536\", "
                     "types=float64", &info, &error));
  assert_non_null(strstr(error->message, "too large"));
  g_clear_error(&error);
  d.type = SPRY_TENSORS_TYPE_COUNT;
  assert_false(spry_tensors_desc_byte_size(&d, &size, NULL));
}

static void expect_rejected(const gchar *caps_text, const gchar *reason) {
  SpryTensorsInfo info;
  GError *error = NULL;
  if (parse(caps_text, &info, &error)) fail_msg("accepted: %s", caps_text);
  assert_non_null(error);
  if (!strstr(error->message, reason))
    fail_msg("%s\n  gave \"%s\", expected \"%s\"", caps_text, error->message, reason);
  g_clear_error(&error);
}

static void test_malformed(void **state) {
  (void)state;
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"\", types=int16",
                  "dimensions lists 0 tensors");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17\","
                  " types=int16", "17 dimensions");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"3:0:2\", types=int16",
                  "dimension 1 is 0");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"3:x\", types=int16",
                  "dimension 1 (\"x\") is not a number");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"3::4\", types=int16",
                  "dimension 1 (\"\") is not a number");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"-3\", types=int16", "not a number");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"4294967296\", types=int16",
                  "not a number");
  expect_rejected("other/tensors, num_tensors=1, dimensions=3, types=float8",
                  "unknown type \"float8\"");
  expect_rejected("other/tensors, num_tensors=2, dimensions=3, types=(string)\"int16,int16\"",
                  "num_tensors is 2 but dimensions lists 1 tensor");
  expect_rejected("other/tensors, num_tensors=1, dimensions=(string)\"3,4\", types=int16",
                  "num_tensors is 1 but dimensions lists 2 tensors");
  expect_rejected("other/tensors, num_tensors=2, dimensions=(string)\"3,4\", types=int16",
                  "num_tensors is 2 but types lists 1 tensor");
  expect_rejected("other/tensors, num_tensors=0, dimensions=3, types=int16", "num_tensors");
  expect_rejected("other/tensors, num_tensors=17, dimensions=3, types=int16", "num_tensors");
  expect_rejected("other/tensors, dimensions=3, types=int16", "num_tensors");
  expect_rejected("other/tensors, num_tensors=1, types=int16", "\"dimensions\"");
  expect_rejected("other/tensors, num_tensors=1, dimensions=3", "\"types\"");
  expect_rejected("other/tensors, format=flexible, num_tensors=1", "only format=static");
  expect_rejected("other/tensors, num_tensors=1, dimensions=3, types=int16, framerate=-1/1",
                  "framerate");
  expect_rejected("other/tensors, num_tensors=[1,2], dimensions=3, types=int16", "num_tensors");
  expect_rejected("audio/x-raw, num_tensors=1, dimensions=3, types=int16", "got audio/x-raw");
  SpryTensorsInfo info;
  GstCaps *empty = gst_caps_new_empty();
  GError *error = NULL;
  assert_false(spry_tensors_info_from_caps(empty, &info, &error));
  g_clear_error(&error);
  gst_caps_unref(empty);
  /* An invalid info builds no caps. */
  SpryTensorsInfo bad = {.num_tensors = 1, .tensors = {{.type = SPRY_TENSORS_INT8, .rank = 1}}};
  assert_null(spry_tensors_info_to_caps(&bad));
}

static void test_type_names(void **state) {
  (void)state;
  static const gchar *const names[] = {"int8", "uint8", "int16", "uint16", "int32", "uint32",
                                       "int64", "uint64", "float16", "float32", "float64"};
  static const gsize sizes[] = {1, 1, 2, 2, 4, 4, 8, 8, 2, 4, 8};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    SpryTensorsType t, back;
    SpryType spry;
    assert_true(spry_tensors_type_from_name(names[i], &t));
    assert_string_equal(spry_tensors_type_name(t), names[i]);
    assert_int_equal(spry_tensors_type_size(t), sizes[i]);
    assert_true(spry_tensors_type_to_spry(t, &spry));
    assert_true(spry_tensors_type_from_spry(spry, &back));
    assert_int_equal(back, t);
  }
  SpryTensorsType t;
  SpryType spry;
  assert_true(spry_tensors_type_to_spry(SPRY_TENSORS_INT16, &spry));
  assert_int_equal(spry, SPRY_TYPE_INT16);
  assert_false(spry_tensors_type_from_spry(SPRY_TYPE_BOOL, &t));
  assert_false(spry_tensors_type_from_spry(SPRY_TYPE_STRING, &t));
  assert_false(spry_tensors_type_from_name("Float32", &t));
  assert_null(spry_tensors_type_name(SPRY_TENSORS_TYPE_COUNT));
}

static void test_shapes(void **state) {
  (void)state;
  const int32_t nhwc[] = {1, 224, 224, 3};
  SpryTensorsDesc d;
  assert_true(spry_tensors_desc_from_shape(SPRY_TYPE_UINT8, 4, nhwc, &d, NULL));
  gchar *text = spry_tensors_desc_dims_string(&d);
  assert_string_equal(text, "3:224:224:1");
  g_free(text);
  SpryType type;
  int32_t rank, dims[SPRY_MAX_RANK];
  assert_true(spry_tensors_desc_to_shape(&d, &type, &rank, dims, NULL));
  assert_int_equal(type, SPRY_TYPE_UINT8);
  assert_int_equal(rank, 4);
  assert_memory_equal(dims, nhwc, sizeof nhwc);

  /* "40" matches a model input of shape [1, 40] and [40], not [40, 1]. */
  SpryTensorsInfo info;
  assert_true(parse("other/tensors, num_tensors=1, dimensions=40, types=float32", &info, NULL));
  const int32_t s140[] = {1, 40}, s40[] = {40}, s401[] = {40, 1};
  assert_true(spry_tensors_desc_matches_shape(&info.tensors[0], SPRY_TYPE_FLOAT32, 2, s140));
  assert_true(spry_tensors_desc_matches_shape(&info.tensors[0], SPRY_TYPE_FLOAT32, 1, s40));
  assert_false(spry_tensors_desc_matches_shape(&info.tensors[0], SPRY_TYPE_FLOAT32, 2, s401));
  assert_false(spry_tensors_desc_matches_shape(&info.tensors[0], SPRY_TYPE_INT8, 1, s40));

  /* A scalar is one element; unknown sizes and foreign types are refused. */
  assert_true(spry_tensors_desc_from_shape(SPRY_TYPE_FLOAT32, 0, NULL, &d, NULL));
  assert_int_equal(d.rank, 1);
  assert_int_equal(d.dims[0], 1);
  const int32_t dynamic[] = {-1, 40};
  GError *error = NULL;
  assert_false(spry_tensors_desc_from_shape(SPRY_TYPE_FLOAT32, 2, dynamic, &d, &error));
  assert_non_null(strstr(error->message, "is -1"));
  g_clear_error(&error);
  assert_false(spry_tensors_desc_from_shape(SPRY_TYPE_BOOL, 1, s40, &d, NULL));

  /* Rank 10 fits the engine only when its trailing 1s go. */
  SpryTensorsDesc wide = {.type = SPRY_TENSORS_INT8, .rank = 10, .dims = {2, 3, 1, 1, 1, 1, 1, 1, 1, 1}};
  assert_true(spry_tensors_desc_to_shape(&wide, &type, &rank, dims, NULL));
  assert_int_equal(rank, 2);
  assert_int_equal(dims[0], 3);
  assert_int_equal(dims[1], 2);
  wide.dims[9] = 2;
  assert_false(spry_tensors_desc_to_shape(&wide, &type, &rank, dims, &error));
  assert_non_null(strstr(error->message, "rank 10"));
  g_clear_error(&error);
  wide = (SpryTensorsDesc){.type = SPRY_TENSORS_INT8, .rank = 1, .dims = {3000000000u}};
  assert_false(spry_tensors_desc_to_shape(&wide, &type, &rank, dims, NULL));
}

static void test_buffer_check(void **state) {
  (void)state;
  SpryTensorsInfo info;
  assert_true(parse("other/tensors, num_tensors=2, dimensions=(string)\"3:2,5\", types=(string)\"int16,uint8\"",
                    &info, NULL));
  GstBuffer *buf = gst_buffer_new();
  gst_buffer_append_memory(buf, gst_allocator_alloc(NULL, 12, NULL));
  GError *error = NULL;
  assert_false(spry_tensors_buffer_check(&info, buf, &error));
  assert_non_null(strstr(error->message, "holds 1 memories but the caps announce 2"));
  g_clear_error(&error);
  gst_buffer_append_memory(buf, gst_allocator_alloc(NULL, 5, NULL));
  assert_true(spry_tensors_buffer_check(&info, buf, NULL));
  gst_buffer_resize(buf, 0, 16);
  assert_false(spry_tensors_buffer_check(&info, buf, &error));
  assert_non_null(strstr(error->message, "tensor 1 holds 4 bytes but its caps need 5"));
  g_clear_error(&error);
  gst_buffer_unref(buf);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_trailing_ones),
      cmocka_unit_test(test_byte_size),    cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_type_names),   cmocka_unit_test(test_shapes),
      cmocka_unit_test(test_buffer_check),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
