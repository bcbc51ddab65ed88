/* SPDX-License-Identifier: Apache-2.0 */
/* test_classify.c — tensor views (checks, dequantization), top-k classification and MoveNet keypoints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "pp_test.h"

static void test_view_check(void **state)
{
  (void)state;
  float f[6] = {0};
  SpryPostError err;
  SpryTensorView v = pp_view(SPRY_TYPE_FLOAT32, f, sizeof f, 2, 2, 3);
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_OK);
  assert_int_equal(spry_tensor_view_count(&v), 6);
  v.bytes = 20; /* one element short */
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "20 bytes"));
  v = pp_view(SPRY_TYPE_FLOAT32, f, sizeof f, 2, -2, -3); /* negative dims */
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_ERROR_INVALID_ARGUMENT);
  v = pp_view(SPRY_TYPE_FLOAT32, f, sizeof f, 4, 0x40000000, 0x40000000, 0x40000000, 4);
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_ERROR_INVALID_ARGUMENT); /* overflow */
  v = pp_view(SPRY_TYPE_FLOAT16, f, 12, 1, 6);
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_ERROR_UNSUPPORTED);
  assert_non_null(strstr(err.message, "float16"));
  v = pp_view(SPRY_TYPE_FLOAT32, NULL, 24, 1, 6);
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_ERROR_INVALID_ARGUMENT);
  v = pp_quant(pp_view(SPRY_TYPE_UINT8, f, 6, 1, 6), -1.0f, 0);
  assert_int_equal(spry_tensor_view_check(&v, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_tensor_view_check(NULL, NULL), SPRY_ERROR_INVALID_ARGUMENT);
}

static void test_view_value_types(void **state)
{
  (void)state;
  const uint8_t u8[3] = {0, 128, 255};
  SpryTensorView v = pp_quant(pp_view(SPRY_TYPE_UINT8, u8, 3, 1, 3), 0.5f, 128);
  assert_true(spry_tensor_view_value(&v, 0) == -64.0f);
  assert_true(spry_tensor_view_value(&v, 1) == 0.0f);
  assert_true(spry_tensor_view_value(&v, 2) == 63.5f);
  assert_true(spry_tensor_view_value(&v, 3) == 0.0f); /* out of range */
  v.info.scale = 0.0f; /* unquantized: raw values */
  assert_true(spry_tensor_view_value(&v, 2) == 255.0f);
  const int8_t s8[2] = {-128, 127};
  v = pp_quant(pp_view(SPRY_TYPE_INT8, s8, 2, 1, 2), 0.25f, -128);
  assert_true(spry_tensor_view_value(&v, 0) == 0.0f);
  assert_true(spry_tensor_view_value(&v, 1) == 63.75f);
  v.info.zero_point = INT32_MIN; /* no overflow in (q - zp) */
  assert_true(spry_tensor_view_value(&v, 0) == (float)((2147483648.0 - 128.0) * 0.25));
  const int16_t s16[1] = {-300};
  v = pp_quant(pp_view(SPRY_TYPE_INT16, s16, 2, 1, 1), 0.5f, 0);
  assert_true(spry_tensor_view_value(&v, 0) == -150.0f);
  const int32_t s32[1] = {-7};
  v = pp_view(SPRY_TYPE_INT32, s32, 4, 1, 1);
  assert_true(spry_tensor_view_value(&v, 0) == -7.0f);
  const int64_t s64[1] = {1234567};
  v = pp_view(SPRY_TYPE_INT64, s64, 8, 0);
  assert_int_equal(spry_tensor_view_check(&v, NULL), SPRY_OK); /* rank 0: one element */
  assert_true(spry_tensor_view_value(&v, 0) == 1234567.0f);
  /* Unaligned float data is read correctly. */
  unsigned char raw[9] = {0};
  float one = 1.5f;
  memcpy(raw + 1, &one, 4);
  v = pp_view(SPRY_TYPE_FLOAT32, raw + 1, 4, 1, 1);
  assert_true(spry_tensor_view_value(&v, 0) == 1.5f);
}

static void test_classify_topk_ties(void **state)
{
  (void)state;
  const float s[6] = {0.1f, 0.7f, 0.3f, 0.7f, NAN, 0.3f};
  SpryTensorView v = pp_view(SPRY_TYPE_FLOAT32, s, sizeof s, 2, 1, 6);
  SpryClassifyOptions o;
  spry_classify_options_init(&o);
  o.top_k = 4;
  SpryClassification out[8];
  int32_t n = -1;
  SpryPostError err;
  assert_int_equal(spry_classify(&v, &o, out, 8, &n, &err), SPRY_OK);
  assert_int_equal(n, 4);
  const int32_t want[4] = {1, 3, 2, 5}; /* ties: lower index first */
  for (int i = 0; i < 4; i++)
    assert_int_equal(out[i].index, want[i]);
  assert_true(out[0].score == 0.7f && out[2].score == 0.3f);
  /* Threshold, label offset, capacity smaller than top_k. */
  o.score_threshold = 0.3f;
  o.label_offset = 1;
  assert_int_equal(spry_classify(&v, &o, out, 3, &n, &err), SPRY_OK);
  assert_int_equal(n, 3);
  assert_int_equal(out[0].index, 2);
  assert_int_equal(out[1].index, 4);
  assert_int_equal(out[2].index, 3);
  /* Negative offset drops position 0 (a background class). */
  o.label_offset = -1;
  o.score_threshold = -FLT_MAX;
  o.top_k = 10;
  assert_int_equal(spry_classify(&v, &o, out, 8, &n, &err), SPRY_OK);
  assert_int_equal(n, 4); /* 6 - background - NaN */
  const int32_t shifted[4] = {0, 2, 1, 4};
  for (int i = 0; i < 4; i++)
    assert_int_equal(out[i].index, shifted[i]);
}

static void test_classify_quantized_softmax(void **state)
{
  (void)state;
  const uint8_t q[4] = {10, 200, 30, 200};
  SpryTensorView v = pp_quant(pp_view(SPRY_TYPE_UINT8, q, 4, 1, 4), 1.0f / 256.0f, 0);
  SpryClassifyOptions o;
  spry_classify_options_init(&o);
  o.top_k = 2;
  SpryClassification out[2];
  int32_t n = 0;
  assert_int_equal(spry_classify(&v, &o, out, 2, &n, NULL), SPRY_OK);
  assert_int_equal(n, 2);
  assert_int_equal(out[0].index, 1);
  assert_int_equal(out[1].index, 3);
  assert_float_equal(out[0].score, 200.0f / 256.0f, 0.0f);
  /* Softmax of logits (0, ln 2, ln 3): 1/6, 2/6, 3/6. */
  const float logits[3] = {0.0f, (float)log(2.0), (float)log(3.0)};
  v = pp_view(SPRY_TYPE_FLOAT32, logits, sizeof logits, 1, 3);
  o.softmax = 1;
  o.top_k = 3;
  SpryClassification sm[3];
  assert_int_equal(spry_classify(&v, &o, sm, 3, &n, NULL), SPRY_OK);
  assert_int_equal(n, 3);
  assert_int_equal(sm[0].index, 2);
  assert_float_equal(sm[0].score, 0.5f, 1e-6f);
  assert_float_equal(sm[1].score, 1.0f / 3.0f, 1e-6f);
  assert_float_equal(sm[2].score, 1.0f / 6.0f, 1e-6f);
}

static void test_classify_malformed(void **state)
{
  (void)state;
  float s[6] = {0};
  SpryTensorView v = pp_view(SPRY_TYPE_FLOAT32, s, sizeof s, 2, 2, 3);
  SpryClassifyOptions o;
  spry_classify_options_init(&o);
  SpryClassification out[4];
  int32_t n = 0;
  SpryPostError err;
  assert_int_equal(spry_classify(&v, &o, out, 4, &n, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "[2,3]"));
  v = pp_view(SPRY_TYPE_FLOAT32, s, 8, 2, 1, 6); /* bytes do not match */
  assert_int_equal(spry_classify(&v, &o, out, 4, &n, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "classify scores"));
  v = pp_view(SPRY_TYPE_FLOAT32, s, sizeof s, 2, 1, 6);
  assert_int_equal(spry_classify(&v, NULL, out, 4, &n, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_classify(&v, &o, NULL, 4, &n, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_classify(&v, &o, out, 0, &n, &err), SPRY_OK);
  assert_int_equal(n, 0);
}

static void test_pose_movenet(void **state)
{
  (void)state;
  int8_t q[17 * 3];
  for (int i = 0; i < 17 * 3; i++)
    q[i] = (int8_t)(i - 20);
  SpryTensorView v = pp_quant(pp_view(SPRY_TYPE_INT8, q, sizeof q, 4, 1, 1, 17, 3), 0.5f, 4);
  SpryKeypoint kp[SPRY_MOVENET_KEYPOINTS];
  int32_t n = 0;
  SpryPostError err;
  assert_int_equal(spry_pose_movenet(&v, kp, 17, &n, &err), SPRY_OK);
  assert_int_equal(n, 17);
  /* Keypoint 5: raw (y, x, score) = (-5, -4, -3) → ((q - 4) / 2). */
  assert_true(kp[5].y == -4.5f && kp[5].x == -4.0f && kp[5].score == -3.5f);
  assert_true(kp[16].y == 12.0f && kp[16].x == 12.5f && kp[16].score == 13.0f);
  assert_int_equal(spry_pose_movenet(&v, kp, 16, &n, &err), SPRY_ERROR_INVALID_ARGUMENT);
  v = pp_view(SPRY_TYPE_INT8, q, sizeof q, 3, 1, 17, 3);
  assert_int_equal(spry_pose_movenet(&v, kp, 17, &n, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "[1,17,3]"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_view_check),
    cmocka_unit_test(test_view_value_types),
    cmocka_unit_test(test_classify_topk_ties),
    cmocka_unit_test(test_classify_quantized_softmax),
    cmocka_unit_test(test_classify_malformed),
    cmocka_unit_test(test_pose_movenet),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
