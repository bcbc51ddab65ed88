/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thread_pool.c — a fixed set of workers that take the indices of one
 * parallel loop at a time from a shared counter.
 *
 * A model's invoke hands the pool one job per op, tens of them a few
 * microseconds apart, and each job is short (often under 100 µs). Waking a
 * sleeping thread costs about as much, and a caller that finds its worker
 * still asleep claims every index itself. So between jobs a worker first
 * spins on the job counter for a while (SPIN_NS), and only then sleeps on
 * the condition variable; the caller likewise spins for its workers to
 * finish. Jobs are published with release/acquire on `generation`, so a
 * worker never misses or repeats one.
 */
#define _POSIX_C_SOURCE 200809L
#include "thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "status.h"

/* How long an idle worker keeps spinning before it sleeps: longer than the
 * gap between two ops of one invoke, short next to the gap between frames. */
#define SPIN_NS 200000

struct SpryThreadPool {
  pthread_t *workers;
  int32_t num_workers;
  pthread_mutex_t lock;
  pthread_cond_t wake;           /* sleeping workers wait here */
  atomic_uint_fast64_t generation; /* bumped after each job is written */
  atomic_int_fast32_t sleepers;    /* workers asleep or about to be */
  atomic_int_fast32_t busy;        /* workers not yet done with this job */
  atomic_bool stopping;
  /* The current job; written before the generation changes. */
  void (*fn)(void *arg, int32_t i);
  void *arg;
  int32_t count;
  atomic_int_fast32_t next; /* next index to claim */
};

/* Set on the threads running a job, so nested loops run in place. */
static _Thread_local bool in_job;

/* A hint that this thread is spinning, so a sibling hyperthread runs. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void run_indices(SpryThreadPool *pool) {
  in_job = true;
  for (;;) {
    const int_fast32_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
    if (i >= pool->count) break;
    pool->fn(pool->arg, (int32_t)i);
  }
  in_job = false;
}

static bool job_after(SpryThreadPool *pool, uint64_t seen) {
  return atomic_load_explicit(&pool->generation, memory_order_acquire) != seen ||
         atomic_load_explicit(&pool->stopping, memory_order_acquire);
}

/* Returns once a job newer than `seen` is published or the pool stops. */
static void wait_for_job(SpryThreadPool *pool, uint64_t seen) {
  const int64_t deadline = now_ns() + SPIN_NS;
  for (uint32_t spins = 1;; spins++) {
    if (job_after(pool, seen)) return;
    cpu_relax();
    if (spins % 64 == 0 && now_ns() > deadline) break;
  }
  /* The sleeper count goes up before the generation is read again, and the
   * caller bumps the generation before it reads the count (both seq_cst):
   * one of the two sees the other, so no wake-up is lost. */
  pthread_mutex_lock(&pool->lock);
  atomic_fetch_add(&pool->sleepers, 1);
  while (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stopping))
    pthread_cond_wait(&pool->wake, &pool->lock);
  atomic_fetch_sub(&pool->sleepers, 1);
  pthread_mutex_unlock(&pool->lock);
}

static void *worker_main(void *opaque) {
  SpryThreadPool *pool = opaque;
  uint64_t seen = 0;
  for (;;) {
    wait_for_job(pool, seen);
    if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) break;
    seen = atomic_load_explicit(&pool->generation, memory_order_acquire);
    run_indices(pool);
    atomic_fetch_sub_explicit(&pool->busy, 1, memory_order_release);
  }
  return NULL;
}

static void wake_sleepers(SpryThreadPool *pool) {
  if (atomic_load(&pool->sleepers) == 0) return;
  pthread_mutex_lock(&pool->lock);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
}

SpryStatus spry_thread_pool_new(int32_t threads, SpryThreadPool **out) {
  *out = NULL;
  if (threads < 2)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "a thread pool needs 2 threads or more");
  SpryThreadPool *pool = calloc(1, sizeof *pool);
  if (!pool) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  pool->workers = calloc((size_t)threads - 1, sizeof *pool->workers);
  if (!pool->workers) {
    free(pool);
    return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->busy, 0);
  atomic_init(&pool->stopping, false);
  atomic_init(&pool->next, 0);
  for (int32_t w = 0; w < threads - 1; w++) {
    if (pthread_create(&pool->workers[w], NULL, worker_main, pool) != 0) {
      spry_thread_pool_free(pool);
      return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "cannot start worker thread %d of %d",
                            (int)w + 1, (int)threads - 1);
    }
    pool->num_workers++;
  }
  *out = pool;
  return SPRY_OK;
}

void spry_thread_pool_free(SpryThreadPool *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->lock);
  atomic_store(&pool->stopping, true);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (int32_t w = 0; w < pool->num_workers; w++) pthread_join(pool->workers[w], NULL);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool);
}

/* Spins until every worker has left the job; yields the CPU after SPIN_NS
 * in case a worker is waiting for one (more threads than cores). */
static void wait_for_workers(SpryThreadPool *pool) {
  const int64_t deadline = now_ns() + SPIN_NS;
  bool yielding = false;
  for (uint32_t spins = 1; atomic_load_explicit(&pool->busy, memory_order_acquire) > 0; spins++) {
    if (yielding) {
      sched_yield();
      continue;
    }
    cpu_relax();
    if (spins % 64 == 0 && now_ns() > deadline) yielding = true;
  }
}

void spry_thread_pool_run(SpryThreadPool *pool, int32_t count, void (*fn)(void *arg, int32_t i),
                          void *arg) {
  if (count <= 0) return;
  if (!pool || in_job || count == 1) {
    for (int32_t i = 0; i < count; i++) fn(arg, i);
    return;
  }
  /* Every worker left the previous job (wait_for_workers), so nothing reads
   * these while they change. */
  pool->fn = fn;
  pool->arg = arg;
  pool->count = count;
  atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
  atomic_store_explicit(&pool->busy, pool->num_workers, memory_order_relaxed);
  atomic_fetch_add(&pool->generation, 1);
  wake_sleepers(pool);

  run_indices(pool);
  wait_for_workers(pool);
}
