/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thread_pool.h — the worker threads an interpreter splits a kernel's work
 * over (spry_context_parallel_for). The calling thread works too, so a pool
 * of N threads starts N-1 workers. Between jobs they spin for a fraction of
 * a millisecond, then sleep.
 */
#ifndef SPRY_ENGINE_THREAD_POOL_H
#define SPRY_ENGINE_THREAD_POOL_H

#include <stdint.h>

#include "spry/spry.h"

typedef struct SpryThreadPool SpryThreadPool;

/* A pool running jobs on `threads` threads (the caller included; >= 2). */
SpryStatus spry_thread_pool_new(int32_t threads, SpryThreadPool **out);

/* Stops and joins the workers. NULL is ignored. */
void spry_thread_pool_free(SpryThreadPool *pool);

/* Runs fn(arg, i) for every i in [0, count) on the pool's threads and returns
 * when all are done. Which thread runs which i is not fixed. A call made from
 * inside a job runs sequentially on its thread. */
void spry_thread_pool_run(SpryThreadPool *pool, int32_t count, void (*fn)(void *arg, int32_t i),
                          void *arg);

#endif /* SPRY_ENGINE_THREAD_POOL_H */
