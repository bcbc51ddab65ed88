/* SPDX-License-Identifier: Apache-2.0 */
/* test_presence.c — the presence hysteresis on synthetic score sequences: thresholds, hold counts, noise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "presence.h"

/* Feeds `n` scores; writes the event of each into `events`. */
static void feed(SpryPresence *p, const float *scores, int n, SpryPresenceEvent *events)
{
  for (int i = 0; i < n; i++)
    events[i] = spry_presence_push(p, scores[i]);
}

/* The indices of the results that caused an event, as "A3 L7 ..." */
static void expect_events(const SpryPresenceEvent *events, int n, const char *want)
{
  char got[256] = "";
  size_t used = 0;
  for (int i = 0; i < n && used < sizeof got - 8; i++) {
    if (events[i] == SPRY_PRESENCE_NONE)
      continue;
    used += (size_t)snprintf(got + used, sizeof got - used, "%s%c%d", used ? " " : "",
                             events[i] == SPRY_PRESENCE_APPEARED ? 'A' : 'L', i);
  }
  assert_string_equal(got, want);
}

static SpryPresence presence_new(float on, float off, int32_t hold)
{
  SpryPresenceOptions o = {on, off, hold};
  SpryPresence p;
  SpryPostError err;
  assert_int_equal(spry_presence_init(&p, &o, &err), SPRY_OK);
  assert_int_equal(p.present, 0);
  return p;
}

static void test_defaults(void **state)
{
  (void)state;
  SpryPresenceOptions o;
  spry_presence_options_init(&o);
  assert_true(o.on_threshold == 0.7f);
  assert_true(o.off_threshold == 0.3f);
  assert_int_equal(o.hold, 3);
  assert_string_equal(spry_presence_event_name(SPRY_PRESENCE_APPEARED), "appeared");
  assert_string_equal(spry_presence_event_name(SPRY_PRESENCE_LEFT), "left");
  assert_null(spry_presence_event_name(SPRY_PRESENCE_NONE));
}

static void test_appear_and_leave(void **state)
{
  (void)state;
  SpryPresence p = presence_new(0.7f, 0.3f, 3);
  const float s[] = {0.1f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.1f, 0.1f, 0.1f, 0.1f};
  SpryPresenceEvent e[10];
  feed(&p, s, 10, e);
  expect_events(e, 10, "A3 L8");
  assert_int_equal(p.present, 0);
}

/* Thresholds are inclusive: exactly 0.7 counts toward appearing, exactly 0.3
 * toward leaving. */
static void test_threshold_edges(void **state)
{
  (void)state;
  SpryPresence p = presence_new(0.7f, 0.3f, 2);
  const float s[] = {0.69f, 0.7f, 0.7f, 0.31f, 0.3f, 0.3f};
  SpryPresenceEvent e[6];
  feed(&p, s, 6, e);
  expect_events(e, 6, "A2 L5");
}

/* A score between the thresholds, or one outlier, breaks the run; while
 * present, scores between the thresholds keep the state. */
static void test_noise(void **state)
{
  (void)state;
  SpryPresence p = presence_new(0.7f, 0.3f, 3);
  const float s[] = {
      0.8f, 0.8f, 0.5f, 0.8f, 0.8f, 0.2f, /* runs of 2, broken: nothing */
      0.8f, 0.9f, 0.75f,                  /* appeared at 8 */
      0.5f, 0.6f, 0.4f, 0.2f, 0.2f, 0.9f, /* present stays: no run of 3 lows */
      0.1f, 0.0f, NAN, 0.1f, 0.2f, 0.3f,  /* NaN breaks the run; left at 20 */
      0.65f, 0.69f, 0.7f, 0.7f, 0.7f,     /* appeared at 25 */
  };
  const int n = (int)(sizeof s / sizeof s[0]);
  SpryPresenceEvent e[32];
  feed(&p, s, n, e);
  expect_events(e, n, "A8 L20 A25");
  assert_int_equal(p.present, 1);
}

static void test_hold_one_and_equal_thresholds(void **state)
{
  (void)state;
  SpryPresence p = presence_new(0.5f, 0.5f, 1);
  const float s[] = {0.4f, 0.5f, 0.5f, 0.6f, 0.5f, 0.4f, 0.5f};
  SpryPresenceEvent e[7];
  feed(&p, s, 7, e);
  /* 0.5 is on while absent and off while present: it toggles each time. */
  expect_events(e, 7, "A1 L2 A3 L4 A6");
}

static void test_reset(void **state)
{
  (void)state;
  SpryPresence p = presence_new(0.7f, 0.3f, 2);
  assert_int_equal(spry_presence_push(&p, 0.9f), SPRY_PRESENCE_NONE);
  assert_int_equal(spry_presence_push(&p, 0.9f), SPRY_PRESENCE_APPEARED);
  assert_int_equal(spry_presence_push(&p, 0.1f), SPRY_PRESENCE_NONE);
  spry_presence_reset(&p); /* absent again, the run forgotten */
  assert_int_equal(p.present, 0);
  assert_int_equal(spry_presence_push(&p, 0.1f), SPRY_PRESENCE_NONE);
  assert_int_equal(spry_presence_push(&p, 0.9f), SPRY_PRESENCE_NONE);
  assert_int_equal(spry_presence_push(&p, 0.9f), SPRY_PRESENCE_APPEARED);
  spry_presence_reset(NULL);
  assert_int_equal(spry_presence_push(NULL, 1.0f), SPRY_PRESENCE_NONE);
}

static void test_invalid_options(void **state)
{
  (void)state;
  SpryPresence p;
  SpryPostError err;
  SpryPresenceOptions o = {0.3f, 0.7f, 3};
  assert_int_equal(spry_presence_init(&p, &o, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "off threshold"));
  o = (SpryPresenceOptions){0.7f, 0.3f, 0};
  assert_int_equal(spry_presence_init(&p, &o, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "hold"));
  o = (SpryPresenceOptions){NAN, 0.3f, 3};
  assert_int_equal(spry_presence_init(&p, &o, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_presence_init(NULL, &o, &err), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_presence_init(&p, NULL, NULL), SPRY_ERROR_INVALID_ARGUMENT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_appear_and_leave),
      cmocka_unit_test(test_threshold_edges),
      cmocka_unit_test(test_noise),
      cmocka_unit_test(test_hold_one_and_equal_thresholds),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_invalid_options),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
