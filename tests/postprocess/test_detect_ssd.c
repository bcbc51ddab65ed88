/* SPDX-License-Identifier: Apache-2.0 */
/* test_detect_ssd.c — TFLite_Detection_PostProcess outputs: output identification and decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "pp_test.h"

/* Four slots: a clean box, one reaching outside [0,1], an inverted one, and a
 * NaN one; the fifth slot lies beyond the count. */
static const float k_boxes[5][4] = {
  {0.10f, 0.20f, 0.50f, 0.60f},
  {-0.25f, 0.50f, 0.75f, 1.50f},
  {0.60f, 0.10f, 0.40f, 0.30f},
  {NAN, 0.10f, 0.40f, 0.30f},
  {0.0f, 0.0f, 1.0f, 1.0f},
};
static const float k_classes[5] = {3.0f, 0.0f, 1.0f, 2.0f, 7.0f};
static const float k_scores[5] = {0.6f, 0.9f, 0.8f, 0.95f, 0.99f};

typedef struct SsdViews {
  SpryTensorView boxes, classes, scores, count;
  float count_value;
} SsdViews;

static void ssd_views(SsdViews *s, float count)
{
  s->count_value = count;
  s->boxes = pp_view(SPRY_TYPE_FLOAT32, k_boxes, sizeof k_boxes, 3, 1, 5, 4);
  s->classes = pp_view(SPRY_TYPE_FLOAT32, k_classes, sizeof k_classes, 2, 1, 5);
  s->scores = pp_view(SPRY_TYPE_FLOAT32, k_scores, sizeof k_scores, 2, 1, 5);
  s->count = pp_view(SPRY_TYPE_FLOAT32, &s->count_value, 4, 1, 1);
}

static void test_ssd_decode(void **state)
{
  (void)state;
  SsdViews s;
  ssd_views(&s, 4.0f);
  SprySsdOptions o;
  spry_ssd_options_init(&o);
  o.label_offset = 1;
  SpryDetection d[8];
  int32_t n = -1;
  SpryPostError err;
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                   SPRY_OK);
  assert_int_equal(n, 2); /* inverted and NaN boxes dropped, slot 4 beyond count */
  assert_int_equal(d[0].index, 1);
  assert_true(d[0].score == 0.9f);
  /* Clamped: ymin -0.25 → 0, xmax 1.5 → 1. */
  assert_true(d[0].x == 0.5f && d[0].y == 0.0f && d[0].w == 0.5f && d[0].h == 0.75f);
  assert_int_equal(d[1].index, 4);
  assert_float_equal(d[1].x, 0.2f, 1e-7f);
  assert_float_equal(d[1].y, 0.1f, 1e-7f);
  assert_float_equal(d[1].w, 0.4f, 1e-7f);
  assert_float_equal(d[1].h, 0.4f, 1e-7f);
  assert_int_equal(d[1].num_keypoints, 0);
  /* Threshold 0.7 keeps only the 0.9 box; capacity 0 keeps none. */
  o.score_threshold = 0.7f;
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                   SPRY_OK);
  assert_int_equal(n, 1);
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 0, &n, &err),
                   SPRY_OK);
  assert_int_equal(n, 0);
}

static void test_ssd_quantized_scores(void **state)
{
  (void)state;
  SsdViews s;
  ssd_views(&s, 2.0f);
  const uint8_t q[5] = {100, 200, 0, 0, 0};
  s.scores = pp_quant(pp_view(SPRY_TYPE_UINT8, q, 5, 2, 1, 5), 1.0f / 200.0f, 0);
  SprySsdOptions o;
  spry_ssd_options_init(&o);
  SpryDetection d[4];
  int32_t n = 0;
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 4, &n, NULL),
                   SPRY_OK);
  assert_int_equal(n, 2);
  assert_true(d[0].score == 1.0f && d[0].index == 0);  /* sorted: slot 1 first */
  assert_true(d[1].score == 0.5f && d[1].index == 3);
}

static void test_ssd_malformed(void **state)
{
  (void)state;
  SsdViews s;
  SprySsdOptions o;
  spry_ssd_options_init(&o);
  SpryDetection d[8];
  int32_t n = 0;
  SpryPostError err;
  const float bad_counts[4] = {6.0f, -1.0f, 2.5f, NAN};
  for (int i = 0; i < 4; i++) {
    ssd_views(&s, bad_counts[i]);
    assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                     SPRY_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "count"));
  }
  /* A class index that is not a whole number >= 0 (also huge ones). */
  const float bad_classes[5] = {-1.0f, 1e20f, 0.5f, INFINITY, 0.0f};
  for (int i = 0; i < 4; i++) {
    ssd_views(&s, 1.0f);
    float cls[5];
    memcpy(cls, k_classes, sizeof cls);
    cls[0] = bad_classes[i];
    s.classes = pp_view(SPRY_TYPE_FLOAT32, cls, sizeof cls, 2, 1, 5);
    assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                     SPRY_ERROR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "class"));
  }
  ssd_views(&s, 1.0f);
  s.boxes = pp_view(SPRY_TYPE_FLOAT32, k_boxes, sizeof k_boxes, 3, 1, 4, 5); /* last dim 5 */
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "[1,4,5]"));
  ssd_views(&s, 1.0f);
  s.scores = pp_view(SPRY_TYPE_FLOAT32, k_scores, 16, 2, 1, 4); /* N disagrees */
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  ssd_views(&s, 1.0f);
  s.count.bytes = 8; /* bytes disagree with the shape */
  assert_int_equal(spry_detect_ssd(&s.boxes, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "ssd count"));
  ssd_views(&s, 1.0f);
  assert_int_equal(spry_detect_ssd(NULL, &s.classes, &s.scores, &s.count, &o, d, 8, &n, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
}

static void test_ssd_identify(void **state)
{
  (void)state;
  SsdViews s;
  ssd_views(&s, 4.0f);
  SprySsdOutputs w;
  SpryPostError err;
  /* TF1 order, no telling names or data: boxes, classes, scores, count. */
  SpryTensorView tf1[4] = {s.boxes, s.classes, s.scores, s.count};
  assert_int_equal(spry_ssd_identify(tf1, 4, &w, &err), SPRY_OK);
  assert_true(w.boxes == 0 && w.classes == 1 && w.scores == 2 && w.count == 3);
  /* TF2 order (scores, boxes, count, classes) told apart by the data: the
   * classes are whole numbers, the scores are not. */
  SpryTensorView tf2[4] = {s.scores, s.boxes, s.count, s.classes};
  assert_int_equal(spry_ssd_identify(tf2, 4, &w, &err), SPRY_OK);
  assert_true(w.boxes == 1 && w.classes == 3 && w.scores == 0 && w.count == 2);
  /* Names win over the data. */
  const float whole[5] = {1, 1, 0, 0, 0};
  tf2[0] = pp_view(SPRY_TYPE_FLOAT32, whole, sizeof whole, 2, 1, 5);
  tf2[0].info.name = "detection_scores";
  assert_int_equal(spry_ssd_identify(tf2, 4, &w, &err), SPRY_OK);
  assert_true(w.scores == 0 && w.classes == 3);
  /* Four boxes in TF2 order: [1,4] scores also end in 4, the [1,4,4] boxes win. */
  SpryTensorView four[4] = {
    pp_view(SPRY_TYPE_FLOAT32, k_scores, 16, 2, 1, 4),
    pp_view(SPRY_TYPE_FLOAT32, k_boxes, 64, 3, 1, 4, 4),
    s.count,
    pp_view(SPRY_TYPE_FLOAT32, k_classes, 16, 2, 1, 4),
  };
  assert_int_equal(spry_ssd_identify(four, 4, &w, &err), SPRY_OK);
  assert_true(w.boxes == 1 && w.classes == 3 && w.scores == 0 && w.count == 2);
  /* One box: [1,1] classes and scores also hold one element; [1] is the count. */
  SpryTensorView one[4] = {
    pp_view(SPRY_TYPE_FLOAT32, k_boxes, 16, 3, 1, 1, 4),
    pp_view(SPRY_TYPE_FLOAT32, k_classes, 4, 2, 1, 1),
    pp_view(SPRY_TYPE_FLOAT32, k_scores, 4, 2, 1, 1),
    s.count,
  };
  assert_int_equal(spry_ssd_identify(one, 4, &w, &err), SPRY_OK);
  assert_true(w.boxes == 0 && w.classes == 1 && w.scores == 2 && w.count == 3);
  /* Wrong count of outputs, or no box-shaped output. */
  assert_int_equal(spry_ssd_identify(tf1, 3, &w, &err), SPRY_ERROR_INVALID_ARGUMENT);
  SpryTensorView nobox[4] = {s.scores, s.scores, s.count, s.classes};
  assert_int_equal(spry_ssd_identify(nobox, 4, &w, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "boxes"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ssd_decode),
    cmocka_unit_test(test_ssd_quantized_scores),
    cmocka_unit_test(test_ssd_malformed),
    cmocka_unit_test(test_ssd_identify),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
