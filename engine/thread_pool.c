/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thread_pool.c — a fixed set of workers that take the indices of one
 * parallel loop at a time from a shared counter. Jobs are handed over under a
 * mutex and a generation number, so a worker never misses or repeats a job;
 * the indices themselves are claimed with an atomic counter.
 */
#include "thread_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "status.h"

struct SpryThreadPool {
  pthread_t *workers;
  int32_t num_workers;
  pthread_mutex_t lock;
  pthread_cond_t job_ready; /* workers wait here for a new generation */
  pthread_cond_t job_done;  /* the caller waits here for busy == 0 */
  uint64_t generation;      /* bumped for each job (under lock) */
  int32_t busy;             /* workers still in the current job (under lock) */
  bool stopping;            /* under lock */
  /* The current job; written under lock before the generation changes. */
  void (*fn)(void *arg, int32_t i);
  void *arg;
  int32_t count;
  atomic_int_fast32_t next; /* next index to claim */
};

/* Set on the threads running a job, so nested loops run in place. */
static _Thread_local bool in_job;

static void run_indices(SpryThreadPool *pool) {
  in_job = true;
  for (;;) {
    const int_fast32_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
    if (i >= pool->count) break;
    pool->fn(pool->arg, (int32_t)i);
  }
  in_job = false;
}

static void *worker_main(void *opaque) {
  SpryThreadPool *pool = opaque;
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->lock);
  for (;;) {
    while (!pool->stopping && pool->generation == seen)
      pthread_cond_wait(&pool->job_ready, &pool->lock);
    if (pool->stopping) break;
    seen = pool->generation;
    pthread_mutex_unlock(&pool->lock);
    run_indices(pool);
    pthread_mutex_lock(&pool->lock);
    if (--pool->busy == 0) pthread_cond_signal(&pool->job_done);
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
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
  pthread_cond_init(&pool->job_ready, NULL);
  pthread_cond_init(&pool->job_done, NULL);
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
  pool->stopping = true;
  pthread_cond_broadcast(&pool->job_ready);
  pthread_mutex_unlock(&pool->lock);
  for (int32_t w = 0; w < pool->num_workers; w++) pthread_join(pool->workers[w], NULL);
  pthread_cond_destroy(&pool->job_done);
  pthread_cond_destroy(&pool->job_ready);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool);
}

void spry_thread_pool_run(SpryThreadPool *pool, int32_t count, void (*fn)(void *arg, int32_t i),
                          void *arg) {
  if (count <= 0) return;
  if (!pool || in_job || count == 1) {
    for (int32_t i = 0; i < count; i++) fn(arg, i);
    return;
  }
  pthread_mutex_lock(&pool->lock);
  pool->fn = fn;
  pool->arg = arg;
  pool->count = count;
  atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
  pool->busy = pool->num_workers;
  pool->generation++;
  pthread_cond_broadcast(&pool->job_ready);
  pthread_mutex_unlock(&pool->lock);

  run_indices(pool);

  pthread_mutex_lock(&pool->lock);
  while (pool->busy > 0) pthread_cond_wait(&pool->job_done, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
}
