/* SPDX-License-Identifier: Apache-2.0 */
/* test_detect_raw.c — SSD anchors (MediaPipe semantics), NMS (hard, weighted) and raw box decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pp_test.h"

static void assert_anchor(const SpryAnchor *a, double x, double y, double w, double h)
{
  assert_float_equal(a->x_center, x, 1e-6);
  assert_float_equal(a->y_center, y, 1e-6);
  assert_float_equal(a->w, w, 1e-6);
  assert_float_equal(a->h, h, 1e-6);
}

/* Expected values computed once with an independent Python transcription of
 * MediaPipe's SsdAnchorsCalculator (double precision). */
static void test_anchors_face_short_range(void **state)
{
  (void)state;
  SpryAnchorOptions o;
  spry_anchor_options_face_short_range(&o);
  int32_t count = 0;
  SpryPostError err;
  assert_int_equal(spry_anchors_count(&o, &count, &err), SPRY_OK);
  assert_int_equal(count, 896);
  SpryAnchor a[896];
  assert_int_equal(spry_anchors_generate(&o, a, 896, &count, &err), SPRY_OK);
  assert_int_equal(count, 896);
  assert_anchor(&a[0], 0.03125, 0.03125, 1, 1);
  assert_anchor(&a[1], 0.03125, 0.03125, 1, 1);
  assert_anchor(&a[2], 0.09375, 0.03125, 1, 1);
  assert_anchor(&a[510], 0.96875, 0.96875, 1, 1);
  assert_anchor(&a[511], 0.96875, 0.96875, 1, 1);
  assert_anchor(&a[512], 0.0625, 0.0625, 1, 1); /* the 8x8 grid, 6 per cell */
  assert_anchor(&a[517], 0.0625, 0.0625, 1, 1);
  assert_anchor(&a[518], 0.1875, 0.0625, 1, 1);
  assert_anchor(&a[894], 0.9375, 0.9375, 1, 1);
  assert_anchor(&a[895], 0.9375, 0.9375, 1, 1);
  assert_int_equal(spry_anchors_generate(&o, a, 895, &count, &err), SPRY_ERROR_INVALID_ARGUMENT);
}

/* The classic SSD MobileNet v1 300x300 configuration: reduced lowest layer,
 * five aspect ratios plus the interpolated one, sizes not fixed. */
static void test_anchors_ssd_mobilenet(void **state)
{
  (void)state;
  SpryAnchorOptions o;
  spry_anchor_options_init(&o);
  o.num_layers = 6;
  o.min_scale = 0.2f;
  o.max_scale = 0.95f;
  o.input_width = o.input_height = 300;
  const int32_t strides[6] = {16, 32, 64, 128, 256, 512};
  memcpy(o.strides, strides, sizeof strides);
  const float ratios[5] = {1.0f, 2.0f, 0.5f, 3.0f, 0.3333f};
  memcpy(o.aspect_ratios, ratios, sizeof ratios);
  o.num_aspect_ratios = 5;
  o.reduce_boxes_in_lowest_layer = 1;
  SpryAnchor *a = calloc(1917, sizeof *a);
  assert_non_null(a);
  int32_t count = 0;
  assert_int_equal(spry_anchors_generate(&o, a, 1917, &count, NULL), SPRY_OK);
  assert_int_equal(count, 1917);
  assert_anchor(&a[0], 0.0263157895, 0.0263157895, 0.1, 0.1);
  assert_anchor(&a[1], 0.0263157895, 0.0263157895, 0.282842712, 0.141421356);
  assert_anchor(&a[2], 0.0263157895, 0.0263157895, 0.141421356, 0.282842712);
  assert_anchor(&a[3], 0.0789473684, 0.0263157895, 0.1, 0.1);
  assert_anchor(&a[1082], 0.973684211, 0.973684211, 0.141421356, 0.282842712);
  assert_anchor(&a[1083], 0.05, 0.05, 0.35, 0.35);
  assert_anchor(&a[1087], 0.05, 0.05, 0.20206249, 0.606248096);
  assert_anchor(&a[1088], 0.05, 0.05, 0.418330013, 0.418330013);
  assert_anchor(&a[1916], 0.5, 0.5, 0.974679434, 0.974679434);
  free(a);
}

static void test_anchors_invalid(void **state)
{
  (void)state;
  SpryAnchorOptions o;
  int32_t count = 0;
  SpryPostError err;
  spry_anchor_options_face_short_range(&o);
  o.num_layers = 9;
  assert_int_equal(spry_anchors_count(&o, &count, &err), SPRY_ERROR_INVALID_ARGUMENT);
  spry_anchor_options_face_short_range(&o);
  o.strides[2] = 0;
  assert_int_equal(spry_anchors_count(&o, &count, &err), SPRY_ERROR_INVALID_ARGUMENT);
  spry_anchor_options_face_short_range(&o);
  o.input_width = INT32_MAX; /* a 2^28-wide grid */
  assert_int_equal(spry_anchors_count(&o, &count, &err), SPRY_ERROR_INVALID_ARGUMENT);
  spry_anchor_options_face_short_range(&o);
  o.aspect_ratios[0] = -1.0f;
  assert_int_equal(spry_anchors_count(&o, &count, &err), SPRY_ERROR_INVALID_ARGUMENT);
  /* Explicit feature maps override the stride. */
  spry_anchor_options_face_short_range(&o);
  for (int l = 0; l < 4; l++)
    o.feature_map_width[l] = o.feature_map_height[l] = 2;
  assert_int_equal(spry_anchors_count(&o, &count, &err), SPRY_OK);
  assert_int_equal(count, 4 * 2 + 4 * 6);
}

static SpryDetection box(float score, float x, float y, float w, float h)
{
  SpryDetection d;
  memset(&d, 0, sizeof d);
  d.score = score;
  d.x = x;
  d.y = y;
  d.w = w;
  d.h = h;
  return d;
}

static void test_nms_hard(void **state)
{
  (void)state;
  SpryDetection d[5] = {
    box(0.7f, 0.6f, 0.6f, 0.3f, 0.3f),   /* disjoint */
    box(0.8f, 0.05f, 0.0f, 0.45f, 0.5f), /* IoU 0.9 with the best */
    box(0.9f, 0.0f, 0.0f, 0.5f, 0.5f),
    box(0.7f, 0.0f, 0.8f, 0.1f, 0.1f), /* disjoint, ties with the first */
    box(NAN, 0.0f, 0.0f, 0.5f, 0.5f),
  };
  d[0].index = 10;
  d[3].index = 13;
  assert_float_equal(spry_box_iou(&d[1], &d[2]), 0.9f, 1e-6f);
  SpryNmsOptions o = {SPRY_NMS_HARD, 0.5f, 0};
  int32_t n = 0;
  assert_int_equal(spry_nms(d, 5, &o, &n, NULL), SPRY_OK);
  assert_int_equal(n, 3); /* the NaN box sorts last and overlaps the best */
  assert_true(d[0].score == 0.9f);
  assert_int_equal(d[1].index, 10); /* equal scores keep their order */
  assert_int_equal(d[2].index, 13);
  SpryDetection e[2] = {box(0.5f, 0, 0, 0.5f, 0.5f), box(0.9f, 0, 0, 0.5f, 0.5f)};
  o.max_detections = 1;
  o.algorithm = SPRY_NMS_NONE;
  assert_int_equal(spry_nms(e, 2, &o, &n, NULL), SPRY_OK);
  assert_int_equal(n, 1);
  assert_true(e[0].score == 0.9f);
  o.algorithm = (SpryNmsAlgorithm)7;
  assert_int_equal(spry_nms(e, 2, &o, &n, NULL), SPRY_ERROR_INVALID_ARGUMENT);
}

static void test_nms_weighted(void **state)
{
  (void)state;
  SpryDetection d[3] = {
    box(0.6f, 0.1f, 0.0f, 0.4f, 0.4f),
    box(0.5f, 0.7f, 0.7f, 0.2f, 0.2f),
    box(0.9f, 0.0f, 0.0f, 0.4f, 0.4f),
  };
  d[0].num_keypoints = d[2].num_keypoints = 1;
  d[0].keypoints[0] = 0.3f;
  d[0].keypoints[1] = 0.2f;
  d[2].keypoints[0] = 0.2f;
  d[2].keypoints[1] = 0.2f;
  d[2].index = 4;
  SpryNmsOptions o = {SPRY_NMS_WEIGHTED, 0.3f, 0};
  int32_t n = 0;
  assert_int_equal(spry_nms(d, 3, &o, &n, NULL), SPRY_OK);
  assert_int_equal(n, 2);
  /* IoU 0.6: merged with weights 0.9 and 0.6; score and class of the best. */
  assert_int_equal(d[0].index, 4);
  assert_true(d[0].score == 0.9f);
  assert_float_equal(d[0].x, 0.04f, 1e-6f);
  assert_float_equal(d[0].y, 0.0f, 1e-6f);
  assert_float_equal(d[0].w, 0.4f, 1e-6f);
  assert_float_equal(d[0].h, 0.4f, 1e-6f);
  assert_float_equal(d[0].keypoints[0], 0.24f, 1e-6f);
  assert_float_equal(d[0].keypoints[1], 0.2f, 1e-6f);
  /* A group of one is its own weighted mean (up to rounding). */
  assert_true(d[1].score == 0.5f);
  assert_float_equal(d[1].x, 0.7f, 1e-6f);
  assert_float_equal(d[1].w, 0.2f, 1e-6f);
}

/* Three anchors, YXHW rows of 6 (box + one keypoint y, x), two classes. */
static void test_detect_raw_yxhw(void **state)
{
  (void)state;
  const SpryAnchor anchors[3] = {{0.25f, 0.25f, 0.5f, 0.5f}, {0.75f, 0.75f, 0.5f, 0.5f},
                                 {0.5f, 0.5f, 1.0f, 1.0f}};
  const float reg[3][6] = {{1, -1, 2, 4, 2, -2}, {0, 0, -2, 2, 0, 0}, {0, 0, 1, 1, 0, 0}};
  const float scores[3][2] = {{0, 2}, {3, -1}, {-5, -6}};
  SpryTensorView rv = pp_view(SPRY_TYPE_FLOAT32, reg, sizeof reg, 3, 1, 3, 6);
  SpryTensorView sv = pp_view(SPRY_TYPE_FLOAT32, scores, sizeof scores, 3, 1, 3, 2);
  SpryRawDetectOptions o;
  spry_raw_detect_options_init(&o);
  o.x_scale = o.y_scale = 10.0f;
  o.w_scale = o.h_scale = 2.0f;
  o.keypoint_coord_offset = 4;
  o.num_keypoints = 1;
  o.sigmoid_score = 1;
  o.score_clipping_thresh = 1.0f;
  SpryDetection d[4];
  int32_t n = 0;
  SpryPostError err;
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 3, &o, d, 4, &n, &err), SPRY_OK);
  assert_int_equal(n, 1); /* anchor 1 has a negative height, anchor 2 a low score */
  assert_int_equal(d[0].index, 1);
  assert_float_equal(d[0].score, 1.0f / (1.0f + expf(-1.0f)), 1e-6f); /* 2 clipped to 1 */
  assert_float_equal(d[0].x, -0.3f, 1e-6f);
  assert_float_equal(d[0].y, 0.05f, 1e-6f);
  assert_float_equal(d[0].w, 1.0f, 1e-6f);
  assert_float_equal(d[0].h, 0.5f, 1e-6f);
  assert_int_equal(d[0].num_keypoints, 1);
  assert_float_equal(d[0].keypoints[0], 0.15f, 1e-6f);
  assert_float_equal(d[0].keypoints[1], 0.35f, 1e-6f);
  /* Without clipping anchor 1 wins class 0 at sigmoid(3) but is still dropped. */
  o.score_clipping_thresh = 0.0f;
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 3, &o, d, 4, &n, &err), SPRY_OK);
  assert_int_equal(n, 1);
  assert_float_equal(d[0].score, 1.0f / (1.0f + expf(-2.0f)), 1e-6f);
}

static void test_detect_raw_xywh_exp(void **state)
{
  (void)state;
  const SpryAnchor anchor = {0.5f, 0.5f, 0.2f, 0.4f};
  const float reg[4] = {0.5f, -0.5f, (float)log(2.0), 0.0f};
  const float score = 0.7f;
  SpryTensorView rv = pp_view(SPRY_TYPE_FLOAT32, reg, sizeof reg, 2, 1, 4);
  SpryTensorView sv = pp_view(SPRY_TYPE_FLOAT32, &score, 4, 2, 1, 1);
  SpryRawDetectOptions o;
  spry_raw_detect_options_init(&o);
  o.box_format = SPRY_BOX_XYWH;
  o.apply_exponential_on_box_size = 1;
  SpryDetection d[1];
  int32_t n = 0;
  assert_int_equal(spry_detect_raw(&rv, &sv, &anchor, 1, &o, d, 1, &n, NULL), SPRY_OK);
  assert_int_equal(n, 1);
  assert_true(d[0].score == 0.7f && d[0].index == 0 && d[0].num_keypoints == 0);
  assert_float_equal(d[0].x, 0.4f, 1e-6f);
  assert_float_equal(d[0].y, 0.1f, 1e-6f);
  assert_float_equal(d[0].w, 0.4f, 1e-6f);
  assert_float_equal(d[0].h, 0.4f, 1e-6f);
}

static void test_detect_raw_malformed(void **state)
{
  (void)state;
  const SpryAnchor anchors[2] = {{0.5f, 0.5f, 1, 1}, {0.5f, 0.5f, 1, 1}};
  const float reg[2][4] = {{0, 0, 1, 1}, {0, 0, 1, 1}};
  const float scores[2] = {0.9f, 0.9f};
  SpryTensorView rv = pp_view(SPRY_TYPE_FLOAT32, reg, sizeof reg, 3, 1, 2, 4);
  SpryTensorView sv = pp_view(SPRY_TYPE_FLOAT32, scores, sizeof scores, 2, 1, 2);
  SpryRawDetectOptions o;
  spry_raw_detect_options_init(&o);
  SpryDetection d[2];
  int32_t n = 0;
  SpryPostError err;
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 2, &o, d, 2, &n, &err), SPRY_OK);
  assert_int_equal(n, 1); /* identical boxes: hard NMS keeps the first */
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 1, &o, d, 2, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "anchors"));
  o.num_keypoints = 1; /* keypoint 0 at offset 0 fits, at offset 3 it does not */
  o.keypoint_coord_offset = 3;
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 2, &o, d, 2, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "coordinates"));
  spry_raw_detect_options_init(&o);
  o.box_coord_offset = INT32_MAX;
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 2, &o, d, 2, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  spry_raw_detect_options_init(&o);
  o.w_scale = 0.0f;
  assert_int_equal(spry_detect_raw(&rv, &sv, anchors, 2, &o, d, 2, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  spry_raw_detect_options_init(&o);
  SpryTensorView bad = pp_view(SPRY_TYPE_FLOAT32, scores, sizeof scores, 2, 2, 1);
  bad.info.dims[0] = 1;
  bad.info.dims[1] = 3; /* 3 scores claimed, 2 present */
  assert_int_equal(spry_detect_raw(&rv, &bad, anchors, 2, &o, d, 2, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  SpryTensorView wrong = pp_view(SPRY_TYPE_FLOAT32, reg, sizeof reg, 3, 1, 4, 2);
  assert_int_equal(spry_detect_raw(&rv, &wrong, anchors, 2, &o, d, 2, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "[1,2,C]"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_anchors_face_short_range),
    cmocka_unit_test(test_anchors_ssd_mobilenet),
    cmocka_unit_test(test_anchors_invalid),
    cmocka_unit_test(test_nms_hard),
    cmocka_unit_test(test_nms_weighted),
    cmocka_unit_test(test_detect_raw_yxhw),
    cmocka_unit_test(test_detect_raw_xywh_exp),
    cmocka_unit_test(test_detect_raw_malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
