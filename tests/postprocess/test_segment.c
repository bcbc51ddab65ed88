/* SPDX-License-Identifier: Apache-2.0 */
/* test_segment.c — class maps from score tensors, class-id tensors and probability masks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "pp_test.h"

static void test_segment_scores_argmax(void **state)
{
  (void)state;
  /* [1,2,3,3] uint8 scores: per pixel (c0, c1, c2). */
  const uint8_t q[2][3][3] = {
    {{1, 5, 2}, {7, 7, 7}, {0, 3, 3}},
    {{9, 0, 0}, {0, 0, 1}, {4, 4, 5}},
  };
  SpryTensorView v = pp_quant(pp_view(SPRY_TYPE_UINT8, q, sizeof q, 4, 1, 2, 3, 3), 0.1f, 3);
  uint8_t map[6];
  SprySegmentation seg = {map, sizeof map, 0, 0, 0};
  SpryPostError err;
  assert_int_equal(spry_segment_scores(&v, &seg, &err), SPRY_OK);
  assert_int_equal(seg.width, 3);
  assert_int_equal(seg.height, 2);
  assert_int_equal(seg.num_classes, 3);
  const uint8_t want[6] = {1, 0, 1, 0, 2, 2}; /* ties → lower class */
  assert_memory_equal(map, want, 6);
  float frac[4];
  assert_int_equal(spry_segment_fractions(&seg, frac, 4, &err), SPRY_OK);
  assert_float_equal(frac[0], 2.0f / 6.0f, 1e-7f);
  assert_float_equal(frac[1], 2.0f / 6.0f, 1e-7f);
  assert_float_equal(frac[2], 2.0f / 6.0f, 1e-7f);
  assert_true(frac[3] == 0.0f);
  /* The dispatcher picks the argmax for several channels. */
  memset(map, 0xff, sizeof map);
  SprySegmentOptions o;
  spry_segment_options_init(&o);
  assert_int_equal(spry_segment(&v, &o, &seg, &err), SPRY_OK);
  assert_memory_equal(map, want, 6);
  /* A buffer one byte short. */
  seg.capacity = 5;
  assert_int_equal(spry_segment_scores(&v, &seg, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "needs 6 bytes"));
}

static void test_segment_ids(void **state)
{
  (void)state;
  const int64_t ids[2][2] = {{0, 12}, {20, 3}};
  SpryTensorView v = pp_view(SPRY_TYPE_INT64, ids, sizeof ids, 3, 1, 2, 2);
  uint8_t map[4];
  SprySegmentation seg = {map, sizeof map, 0, 0, 0};
  SpryPostError err;
  assert_int_equal(spry_segment_ids(&v, 21, &seg, &err), SPRY_OK);
  const uint8_t want[4] = {0, 12, 20, 3};
  assert_memory_equal(map, want, 4);
  assert_int_equal(seg.num_classes, 21);
  assert_int_equal(spry_segment_ids(&v, 20, &seg, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "class 20"));
  /* Huge and negative ids are rejected, not truncated. */
  const int64_t huge[4] = {0, (int64_t)1 << 40, 1, 1};
  v = pp_view(SPRY_TYPE_INT64, huge, sizeof huge, 4, 1, 2, 2, 1);
  assert_int_equal(spry_segment_ids(&v, 0, &seg, &err), SPRY_ERROR_INVALID_ARGUMENT);
  const int32_t neg[4] = {0, 1, -1, 1};
  v = pp_view(SPRY_TYPE_INT32, neg, sizeof neg, 4, 1, 2, 2, 1);
  assert_int_equal(spry_segment_ids(&v, 0, &seg, &err), SPRY_ERROR_INVALID_ARGUMENT);
  const uint8_t u8[4] = {255, 1, 0, 7};
  v = pp_view(SPRY_TYPE_UINT8, u8, sizeof u8, 4, 1, 2, 2, 1);
  SprySegmentOptions o;
  spry_segment_options_init(&o); /* unquantized uint8, one channel → ids */
  assert_int_equal(spry_segment(&v, &o, &seg, &err), SPRY_OK);
  assert_memory_equal(map, u8, 4);
  const float f[4] = {0};
  v = pp_view(SPRY_TYPE_FLOAT32, f, sizeof f, 3, 1, 2, 2);
  assert_int_equal(spry_segment_ids(&v, 0, &seg, &err), SPRY_ERROR_UNSUPPORTED);
  v = pp_view(SPRY_TYPE_INT32, neg, sizeof neg, 3, 2, 2, 1); /* batch 2 */
  assert_int_equal(spry_segment_ids(&v, 0, &seg, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "[2,2,1]"));
}

static void test_segment_mask(void **state)
{
  (void)state;
  const float p[6] = {0.1f, 0.5f, 0.9f, NAN, 0.49f, 1.0f};
  SpryTensorView v = pp_view(SPRY_TYPE_FLOAT32, p, sizeof p, 4, 1, 2, 3, 1);
  uint8_t map[6];
  SprySegmentation seg = {map, sizeof map, 0, 0, 0};
  SpryPostError err;
  assert_int_equal(spry_segment_mask(&v, 0.5f, &seg, &err), SPRY_OK);
  const uint8_t want[6] = {0, 1, 1, 0, 0, 1};
  assert_memory_equal(map, want, 6);
  assert_int_equal(seg.num_classes, 2);
  float frac[2];
  assert_int_equal(spry_segment_fractions(&seg, frac, 2, &err), SPRY_OK);
  assert_float_equal(frac[1], 0.5f, 1e-7f);
  /* A quantized uint8 probability goes through the mask path. */
  const uint8_t q[6] = {0, 128, 255, 127, 200, 10};
  v = pp_quant(pp_view(SPRY_TYPE_UINT8, q, sizeof q, 3, 1, 2, 3), 1.0f / 256.0f, 0);
  SprySegmentOptions o;
  spry_segment_options_init(&o);
  assert_int_equal(spry_segment(&v, &o, &seg, &err), SPRY_OK);
  const uint8_t want_q[6] = {0, 1, 1, 0, 1, 0};
  assert_memory_equal(map, want_q, 6);
  /* Two channels are not a mask. */
  v = pp_view(SPRY_TYPE_FLOAT32, p, sizeof p, 4, 1, 1, 3, 2);
  assert_int_equal(spry_segment_mask(&v, 0.5f, &seg, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_segment_mask(&v, 0.5f, NULL, &err), SPRY_ERROR_INVALID_ARGUMENT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_segment_scores_argmax),
    cmocka_unit_test(test_segment_ids),
    cmocka_unit_test(test_segment_mask),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
