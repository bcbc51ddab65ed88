/* SPDX-License-Identifier: Apache-2.0 */
/* test_keyword.c — the keyword spotter on synthetic score sequences: window edges, minimum count, threshold, suppression, ignored classes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "keyword.h"

#define MS INT64_C(1000000)

/* micro_speech's classes: silence and unknown are ignored. */
static const uint8_t IGNORED[4] = {1, 1, 0, 0};

static SpryKeywordSpotter *spotter_new(const SpryKeywordOptions *o)
{
  SpryKeywordSpotter *k = NULL;
  SpryPostError err;
  assert_int_equal(spry_keyword_create(o, 4, IGNORED, &k, &err), SPRY_OK);
  assert_string_equal(err.message, "");
  return k;
}

/* Pushes (silence, unknown, yes, no) at `ms`; returns 1 when detected. */
static int push(SpryKeywordSpotter *k, int64_t ms, float s0, float s1, float s2, float s3,
                SpryKeywordDetection *d)
{
  const float scores[4] = {s0, s1, s2, s3};
  int detected = -1;
  SpryPostError err;
  memset(d, 0, sizeof *d);
  assert_int_equal(spry_keyword_push(k, ms * MS, scores, 4, d, &detected, &err), SPRY_OK);
  return detected;
}

static void test_minimum_count(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  assert_int_equal(push(k, 0, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 20, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 40, 0, 0, 1, 0, &d), 1); /* the third result */
  assert_int_equal(d.index, 2);
  assert_true(d.score == 1.0f);
  assert_int_equal(d.time, 40 * MS);
  spry_keyword_destroy(k);
}

static void test_defaults(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  assert_int_equal(o.average_window, 1000 * MS);
  assert_true(o.threshold == 0.8f);
  assert_int_equal(o.minimum_count, 3);
  assert_int_equal(o.suppression, 1500 * MS);
}

/* The window is [now - average_window, now]: a result exactly one window old
 * still counts, one nanosecond older does not. */
static void test_window_edges(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  o.minimum_count = 1;
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  assert_int_equal(push(k, 0, 0.75f, 0, 0.25f, 0, &d), 0);
  assert_int_equal(push(k, 1000, 0, 0, 1, 0, &d), 0); /* (0.25 + 1) / 2 = 0.625 */
  const float yes[4] = {0, 0, 1, 0};
  int detected = 0;
  assert_int_equal(spry_keyword_push(k, 1000 * MS + 1, yes, 4, &d, &detected, NULL), SPRY_OK);
  assert_int_equal(detected, 1); /* t=0 left: (1 + 1) / 2 */
  assert_true(d.score == 1.0f);
  assert_int_equal(d.time, 1000 * MS + 1);
  spry_keyword_destroy(k);
}

/* The average must reach the threshold (>=); it is the mean over the window. */
static void test_threshold_and_average(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  o.threshold = 0.75f;
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  assert_int_equal(push(k, 0, 0, 0, 0.5f, 0.5f, &d), 0);
  assert_int_equal(push(k, 100, 0, 0, 0.75f, 0.25f, &d), 0);
  assert_int_equal(push(k, 200, 0, 0, 0.875f, 0.125f, &d), 0); /* 0.708 */
  /* yes: (0.5 + 0.75 + 0.875 + 0.875) / 4 = 0.75 >= 0.75. */
  assert_int_equal(push(k, 300, 0, 0, 0.875f, 0.125f, &d), 1);
  assert_int_equal(d.index, 2);
  assert_true(d.score == 0.75f);
  assert_int_equal(d.time, 300 * MS);
  spry_keyword_destroy(k);
  k = spotter_new(&o);
  assert_int_equal(push(k, 0, 0, 0, 0.75f, 0, &d), 0);
  assert_int_equal(push(k, 100, 0, 0, 0.75f, 0, &d), 0);
  assert_int_equal(push(k, 200, 0, 0, 0.75f, 0, &d), 1); /* exactly the threshold */
  assert_true(d.score == 0.75f);
  spry_keyword_destroy(k);
  o.threshold = 0.8f;
  k = spotter_new(&o);
  assert_int_equal(push(k, 0, 0, 0, 0.75f, 0, &d), 0);
  assert_int_equal(push(k, 100, 0, 0, 0.75f, 0, &d), 0);
  assert_int_equal(push(k, 200, 0, 0, 0.875f, 0, &d), 0); /* 0.7917 */
  assert_int_equal(push(k, 300, 0, 0, 1.0f, 0, &d), 1);   /* 0.84375 */
  assert_int_equal(d.index, 2);
  assert_true(d.score == 0.84375f);
  assert_int_equal(d.time, 300 * MS);
  spry_keyword_destroy(k);
}

/* After a detection, nothing (of any class) for `suppression`; at exactly
 * `suppression` later the next one is allowed. */
static void test_suppression(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  int64_t found[8];
  int n = 0;
  for (int64_t t = 0; t <= 3300; t += 100) {
    if (push(k, t, 0, 0, 1, 0, &d)) {
      assert_true(n < 8);
      found[n++] = d.time / MS;
    }
  }
  assert_int_equal(n, 3);
  assert_int_equal(found[0], 200);
  assert_int_equal(found[1], 1700);
  assert_int_equal(found[2], 3200);
  spry_keyword_destroy(k);

  /* Across classes: a "no" 1 s after a "yes" is suppressed, 1.5 s after is not. */
  k = spotter_new(&o);
  assert_int_equal(push(k, 0, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 100, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 200, 0, 0, 1, 0, &d), 1);
  for (int64_t t = 1300; t <= 1600; t += 100) /* window (300..1600] holds only "no" */
    assert_int_equal(push(k, t, 0, 0, 0, 1, &d), 0);
  assert_int_equal(push(k, 1700, 0, 0, 0, 1, &d), 1);
  assert_int_equal(d.index, 3);
  assert_int_equal(d.time, 1700 * MS);
  spry_keyword_destroy(k);
}

static void test_ignored_classes(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  for (int64_t t = 0; t < 500; t += 100)
    assert_int_equal(push(k, t, 1, 0, 0, 0, &d), 0); /* silence */
  for (int64_t t = 500; t < 2000; t += 100)
    assert_int_equal(push(k, t, 0, 1, 0, 0, &d), 0); /* unknown */
  /* The best class that is not ignored wins even when an ignored one is higher. */
  o.threshold = 0.25f;
  spry_keyword_destroy(k);
  k = spotter_new(&o);
  assert_int_equal(push(k, 0, 0.5f, 0.125f, 0.125f, 0.25f, &d), 0);
  assert_int_equal(push(k, 10, 0.5f, 0.125f, 0.125f, 0.25f, &d), 0);
  assert_int_equal(push(k, 20, 0.5f, 0.125f, 0.125f, 0.25f, &d), 1);
  assert_int_equal(d.index, 3);
  assert_true(d.score == 0.25f);
  spry_keyword_destroy(k);
  /* Every class ignored: never a detection. */
  const uint8_t all[2] = {1, 1};
  const float s[2] = {1, 1};
  int detected = 0;
  assert_int_equal(spry_keyword_create(&o, 2, all, &k, NULL), SPRY_OK);
  for (int i = 0; i < 5; i++) {
    assert_int_equal(spry_keyword_push(k, i * MS, s, 2, &d, &detected, NULL), SPRY_OK);
    assert_int_equal(detected, 0);
  }
  spry_keyword_destroy(k);
  /* No flags: every class may be detected; ties go to the lower index. */
  assert_int_equal(spry_keyword_create(&o, 2, NULL, &k, NULL), SPRY_OK);
  for (int i = 0; i < 3; i++)
    assert_int_equal(spry_keyword_push(k, i * MS, s, 2, &d, &detected, NULL), SPRY_OK);
  assert_int_equal(detected, 1);
  assert_int_equal(d.index, 0);
  spry_keyword_destroy(k);
}

/* Scores are clamped to [0, 1]; NaN counts as 0. */
static void test_clamping(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  assert_int_equal(push(k, 0, 0, 0, 8.0f, -3.0f, &d), 0);
  assert_int_equal(push(k, 10, 0, 0, NAN, 0, &d), 0);
  assert_int_equal(push(k, 20, 0, 0, 1.0f, 0, &d), 0); /* (1 + 0 + 1) / 3 */
  assert_int_equal(push(k, 30, 0, 0, 1.0f, 0, &d), 0); /* 0.75 */
  assert_int_equal(push(k, 40, 0, 0, 1.0f, 0, &d), 1); /* 0.8 */
  assert_true(d.score == 0.8f);
  spry_keyword_destroy(k);
}

/* A result older than the previous one, or reset(), starts a new stream:
 * the window and the suppression are forgotten. */
static void test_reset_and_time_going_back(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  assert_int_equal(push(k, 1000, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 1100, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 1200, 0, 0, 1, 0, &d), 1);
  assert_int_equal(push(k, 0, 0, 0, 1, 0, &d), 0); /* back in time: count 1 */
  assert_int_equal(push(k, 100, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 200, 0, 0, 1, 0, &d), 1); /* not suppressed */
  assert_int_equal(d.time, 200 * MS);
  spry_keyword_reset(k);
  assert_int_equal(push(k, 300, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 400, 0, 0, 1, 0, &d), 0);
  assert_int_equal(push(k, 500, 0, 0, 1, 0, &d), 1);
  /* Equal times are the same moment, not a new stream. */
  assert_int_equal(push(k, 500, 0, 0, 1, 0, &d), 0); /* suppressed */
  spry_keyword_destroy(k);
}

/* More results than the first ring holds, and more than the maximum. */
static void test_many_results(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  o.average_window = INT64_C(1) << 40;
  o.minimum_count = SPRY_KEYWORD_MAX_RESULTS;
  o.suppression = 0;
  SpryKeywordSpotter *k = spotter_new(&o);
  SpryKeywordDetection d;
  int first = -1, count = 0;
  for (int i = 0; i < SPRY_KEYWORD_MAX_RESULTS + 100; i++) {
    /* Only the newest MAX results are averaged: the first 100 (zeros) leave. */
    float yes = i < 100 ? 0.0f : 1.0f;
    if (push(k, i, 0, 0, yes, 0, &d)) {
      if (first < 0)
        first = i;
      count++;
      if (i == SPRY_KEYWORD_MAX_RESULTS + 99)
        assert_true(d.score == 1.0f);
    }
  }
  /* The first chance is the MAX-th result: (MAX - 100) / MAX >= 0.8. */
  assert_int_equal(first, SPRY_KEYWORD_MAX_RESULTS - 1);
  assert_int_equal(count, 101);
  spry_keyword_destroy(k);
}

static void test_errors(void **state)
{
  (void)state;
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  SpryKeywordSpotter *k = NULL;
  SpryPostError err;
  assert_int_equal(spry_keyword_create(&o, 0, NULL, &k, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_null(k);
  assert_non_null(strstr(err.message, "0 classes"));
  assert_int_equal(spry_keyword_create(NULL, 4, NULL, &k, &err), SPRY_ERROR_INVALID_ARGUMENT);
  o.threshold = 1.5f;
  assert_int_equal(spry_keyword_create(&o, 4, NULL, &k, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "threshold"));
  o.threshold = NAN;
  assert_int_equal(spry_keyword_create(&o, 4, NULL, &k, &err), SPRY_ERROR_INVALID_ARGUMENT);
  spry_keyword_options_init(&o);
  o.minimum_count = 0;
  assert_int_equal(spry_keyword_create(&o, 4, NULL, &k, &err), SPRY_ERROR_INVALID_ARGUMENT);
  spry_keyword_options_init(&o);
  o.average_window = -1;
  assert_int_equal(spry_keyword_create(&o, 4, NULL, &k, &err), SPRY_ERROR_INVALID_ARGUMENT);
  spry_keyword_options_init(&o);
  assert_int_equal(spry_keyword_create(&o, 4, NULL, NULL, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_keyword_create(&o, 4, NULL, &k, &err), SPRY_OK);
  assert_int_equal(spry_keyword_num_classes(k), 4);
  const float s[5] = {0};
  SpryKeywordDetection d;
  int detected = 7;
  assert_int_equal(spry_keyword_push(k, 0, s, 5, &d, &detected, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(detected, 0);
  assert_non_null(strstr(err.message, "5 scores"));
  assert_int_equal(spry_keyword_push(k, 0, NULL, 4, &d, &detected, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_keyword_push(NULL, 0, s, 4, &d, &detected, &err),
                   SPRY_ERROR_INVALID_ARGUMENT);
  spry_keyword_destroy(k);
  spry_keyword_destroy(NULL);
  spry_keyword_reset(NULL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_minimum_count),
      cmocka_unit_test(test_window_edges),
      cmocka_unit_test(test_threshold_and_average),
      cmocka_unit_test(test_suppression),
      cmocka_unit_test(test_ignored_classes),
      cmocka_unit_test(test_clamping),
      cmocka_unit_test(test_reset_and_time_going_back),
      cmocka_unit_test(test_many_results),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
