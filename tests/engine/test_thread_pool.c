/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_thread_pool.c — the interpreter's worker pool: every index of a loop
 * runs exactly once whatever the thread count, back-to-back jobs are never
 * missed or repeated, workers that fell asleep wake for the next job, a
 * job's indices really run on two threads at once, and a loop started
 * inside a job runs in place.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "thread_pool.h"

#define MAX_COUNT 1000

typedef struct Tally {
  atomic_int hits[MAX_COUNT];
} Tally;

static void count_index(void *arg, int32_t i) {
  Tally *t = arg;
  atomic_fetch_add(&t->hits[i], 1);
}

static void expect_each_once(Tally *t, int32_t count) {
  for (int32_t i = 0; i < MAX_COUNT; i++) {
    const int hits = atomic_load(&t->hits[i]);
    if (hits != (i < count ? 1 : 0)) fail_msg("index %d ran %d times (count %d)", i, hits, count);
  }
}

static void test_every_index_once(void **state) {
  (void)state;
  const int32_t counts[] = {0, 1, 2, 3, 7, 64, 999, MAX_COUNT};
  for (int32_t threads = 2; threads <= 5; threads++) {
    SpryThreadPool *pool = NULL;
    assert_int_equal(spry_thread_pool_new(threads, &pool), SPRY_OK);
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
      Tally *t = calloc(1, sizeof *t);
      assert_non_null(t);
      spry_thread_pool_run(pool, counts[c], count_index, t);
      expect_each_once(t, counts[c]);
      free(t);
    }
    spry_thread_pool_free(pool);
  }
}

/* Many short jobs in a row: a worker that missed a generation, or ran one
 * twice, shows up as a wrong total. */
static void add_one(void *arg, int32_t i) {
  (void)i;
  atomic_fetch_add((atomic_long *)arg, 1);
}

static void test_back_to_back_jobs(void **state) {
  (void)state;
  SpryThreadPool *pool = NULL;
  assert_int_equal(spry_thread_pool_new(3, &pool), SPRY_OK);
  atomic_long total;
  atomic_init(&total, 0);
  for (int job = 0; job < 5000; job++) spry_thread_pool_run(pool, 3, add_one, &total);
  assert_int_equal(atomic_load(&total), 15000);
  spry_thread_pool_free(pool);
}

/* Jobs far enough apart that idle workers stop spinning and sleep: each must
 * still be run once, and the pool must wake for it. */
static void test_jobs_after_workers_sleep(void **state) {
  (void)state;
  SpryThreadPool *pool = NULL;
  assert_int_equal(spry_thread_pool_new(3, &pool), SPRY_OK);
  atomic_long total;
  atomic_init(&total, 0);
  const struct timespec pause = {0, 5 * 1000 * 1000}; /* well past the spin time */
  for (int job = 0; job < 20; job++) {
    nanosleep(&pause, NULL);
    spry_thread_pool_run(pool, 7, add_one, &total);
  }
  assert_int_equal(atomic_load(&total), 140);
  spry_thread_pool_free(pool);
}

/* Each index waits (up to 10 s) for the other to start: a pool that ran a
 * job's indices one after another on a single thread fails here. */
typedef struct Rendezvous {
  atomic_int arrived[2];
  atomic_int met;
} Rendezvous;

static int64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void meet(void *arg, int32_t i) {
  Rendezvous *r = arg;
  atomic_store(&r->arrived[i], 1);
  const int64_t give_up = monotonic_ms() + 10000;
  while (!atomic_load(&r->arrived[1 - i]))
    if (monotonic_ms() > give_up) return;
  atomic_fetch_add(&r->met, 1);
}

static void test_two_indices_run_at_once(void **state) {
  (void)state;
  SpryThreadPool *pool = NULL;
  assert_int_equal(spry_thread_pool_new(2, &pool), SPRY_OK);
  const struct timespec pause = {0, 5 * 1000 * 1000};
  for (int job = 0; job < 3; job++) {
    if (job == 2) nanosleep(&pause, NULL); /* once more with the worker asleep */
    Rendezvous r = {0};
    spry_thread_pool_run(pool, 2, meet, &r);
    assert_int_equal(atomic_load(&r.met), 2);
  }
  spry_thread_pool_free(pool);
}

/* Thread r starts on range r of the job, the same rows of every op: with
 * the caller held in index 0 until the worker has run one, the worker's
 * first index is the first of its own range (2 of 4), where threads that
 * took indices in turn from one counter would run 1. */
typedef struct Owners {
  pthread_t caller;
  atomic_int worker_first; /* -1 until the worker runs an index */
} Owners;

static void note_owner(void *arg, int32_t i) {
  Owners *o = arg;
  if (!pthread_equal(pthread_self(), o->caller)) {
    int none = -1;
    atomic_compare_exchange_strong(&o->worker_first, &none, i);
    return;
  }
  if (i != 0) return;
  const int64_t give_up = monotonic_ms() + 10000;
  while (atomic_load(&o->worker_first) < 0 && monotonic_ms() <= give_up) sched_yield();
}

static void test_threads_start_on_their_own_range(void **state) {
  (void)state;
  SpryThreadPool *pool = NULL;
  assert_int_equal(spry_thread_pool_new(2, &pool), SPRY_OK);
  for (int job = 0; job < 3; job++) {
    Owners o = {.caller = pthread_self()};
    atomic_init(&o.worker_first, -1);
    spry_thread_pool_run(pool, 4, note_owner, &o);
    assert_int_equal(atomic_load(&o.worker_first), 2);
  }
  spry_thread_pool_free(pool);
}

typedef struct Nested {
  SpryThreadPool *pool;
  Tally inner[4];
} Nested;

static void run_inner(void *arg, int32_t i) {
  Nested *n = arg;
  spry_thread_pool_run(n->pool, 10, count_index, &n->inner[i]);
}

static void test_nested_loop_runs_in_place(void **state) {
  (void)state;
  Nested *n = calloc(1, sizeof *n);
  assert_non_null(n);
  assert_int_equal(spry_thread_pool_new(2, &n->pool), SPRY_OK);
  spry_thread_pool_run(n->pool, 4, run_inner, n);
  for (int i = 0; i < 4; i++) expect_each_once(&n->inner[i], 10);
  spry_thread_pool_free(n->pool);
  free(n);
}

static void test_bad_arguments(void **state) {
  (void)state;
  SpryThreadPool *pool = (SpryThreadPool *)&pool;
  assert_int_equal(spry_thread_pool_new(1, &pool), SPRY_ERROR_INVALID_ARGUMENT);
  assert_null(pool);
  spry_thread_pool_free(NULL);
  /* No pool: the loop runs on the caller. */
  Tally *t = calloc(1, sizeof *t);
  assert_non_null(t);
  spry_thread_pool_run(NULL, 5, count_index, t);
  expect_each_once(t, 5);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_index_once),
      cmocka_unit_test(test_back_to_back_jobs),
      cmocka_unit_test(test_jobs_after_workers_sleep),
      cmocka_unit_test(test_two_indices_run_at_once),
      cmocka_unit_test(test_threads_start_on_their_own_range),
      cmocka_unit_test(test_nested_loop_runs_in_place),
      cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
