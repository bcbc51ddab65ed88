/* SPDX-License-Identifier: Apache-2.0 */
/*
 * thread_pool.c — a fixed set of workers that take the indices of one
 * parallel loop at a time.
 *
 * A model's invoke hands the pool one job per op, tens of them a few
 * microseconds apart, and each job is short (often under 100 µs). Waking a
 * sleeping thread costs about as much, so between jobs a worker first spins
 * on the job word for a while (SPIN_NS), and only then sleeps on the
 * condition variable.
 *
 * Each thread (the caller is thread 0) owns a contiguous range of a job's
 * indices, the same range of every job of the same count: a kernel's
 * shares are ranges of rows, so a thread reads the rows that it wrote in
 * the op before, from its own cache (in DeepLab at 2 threads, where
 * threads took indices in turn from one counter, the depthwise layers ran
 * only 1.3-1.4 times as fast as at 1 thread). A thread claims the indices
 * of its range in order, then those left in the others' ranges, by
 * advancing the range's next index with a compare-and-swap on a word that
 * also holds the range's end: a claim needs nothing else of the job, so a
 * worker late for a job claims nothing of it once it is over (its ranges
 * are empty), and one that claims in the next job (whose range words it
 * finds) runs that job's index. The caller waits only for the indices
 * claimed, not for every worker to show up: a worker that is slow to get
 * a CPU (one that shares the caller's, say, until the scheduler moves it)
 * delays nothing, and the caller then runs the whole loop itself.
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
/* A caller waiting for claimed indices spins this long before it also
 * yields its CPU every SPINS_PER_YIELD spins, so that a worker running one
 * on the same CPU can finish it. (An idle worker does not yield: the system
 * call made it slower to see the next job, and small models at 2 threads
 * lost 10-30%.) */
#define YIELD_AFTER_NS 20000
#define SPINS_PER_YIELD 64

typedef void (*SpryPoolFn)(void *arg, int32_t i);

/* One thread's range of the current job: end << 32 | next index to claim.
 * A cache line each, so that claims in one do not slow the others'. */
typedef struct Range {
  atomic_uint_fast64_t word;
  uint8_t pad[64 - sizeof(atomic_uint_fast64_t)];
} Range;

typedef struct Worker {
  pthread_t thread;
  SpryThreadPool *pool;
  int32_t id; /* its range: 1 .. num_workers */
} Worker;

struct SpryThreadPool {
  Worker *workers;
  int32_t num_workers;
  Range *ranges;                /* num_workers + 1 */
  pthread_mutex_t lock;
  pthread_cond_t wake;          /* sleeping workers wait here */
  atomic_uint_fast32_t job;     /* the current job's number */
  atomic_int_fast32_t done;     /* indices of the current job finished */
  atomic_int_fast32_t sleepers; /* workers asleep or about to be */
  atomic_bool stopping;
  /* The current job, written before its number is published. Atomic
   * because a late worker may read them while the next job's are written;
   * it acts on them only once a claim confirms they are its job's. */
  _Atomic(SpryPoolFn) fn;
  _Atomic(void *) arg;
};

/* Set on the threads running a job, so nested loops run in place. */
static _Thread_local bool in_job;

static uint32_t job_number(SpryThreadPool *pool) {
  return (uint32_t)atomic_load_explicit(&pool->job, memory_order_acquire);
}

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

/* Claims the next index of a range: -1 when none is left. On success the
 * range's job cannot end before this index is done, so fn and arg,
 * published before the range, are that job's. */
static int32_t claim(Range *range) {
  uint64_t word = atomic_load_explicit(&range->word, memory_order_acquire);
  for (;;) {
    const uint32_t next = (uint32_t)word, end = (uint32_t)(word >> 32);
    if (next >= end) return -1;
    if (atomic_compare_exchange_weak_explicit(&range->word, &word, word + 1,
                                              memory_order_acquire, memory_order_acquire))
      return (int32_t)next;
  }
}

/* Runs the indices thread `self` claims: its own range's, then the rest
 * of the others'. */
static void run_indices(SpryThreadPool *pool, int32_t self) {
  in_job = true;
  const int32_t ranges = pool->num_workers + 1;
  for (int32_t k = 0; k < ranges; k++) {
    Range *range = &pool->ranges[(self + k) % ranges];
    for (int32_t i; (i = claim(range)) >= 0;) {
      SpryPoolFn fn = atomic_load_explicit(&pool->fn, memory_order_relaxed);
      fn(atomic_load_explicit(&pool->arg, memory_order_relaxed), i);
      atomic_fetch_add_explicit(&pool->done, 1, memory_order_release);
    }
  }
  in_job = false;
}

static bool job_after(SpryThreadPool *pool, uint32_t seen) {
  return job_number(pool) != seen ||
         atomic_load_explicit(&pool->stopping, memory_order_acquire);
}

/* Returns once a job after number `seen` is published or the pool stops. */
static void wait_for_job(SpryThreadPool *pool, uint32_t seen) {
  const int64_t start = now_ns();
  for (uint32_t spins = 1;; spins++) {
    if (job_after(pool, seen)) return;
    cpu_relax();
    if (spins % SPINS_PER_YIELD == 0 && now_ns() - start > SPIN_NS) break;
  }
  /* The sleeper count goes up before the job word is read again, and the
   * caller publishes a job before it reads the count (both seq_cst): one of
   * the two sees the other, so no wake-up is lost. */
  pthread_mutex_lock(&pool->lock);
  atomic_fetch_add(&pool->sleepers, 1);
  while ((uint32_t)atomic_load(&pool->job) == seen && !atomic_load(&pool->stopping))
    pthread_cond_wait(&pool->wake, &pool->lock);
  atomic_fetch_sub(&pool->sleepers, 1);
  pthread_mutex_unlock(&pool->lock);
}

static void *worker_main(void *opaque) {
  const Worker *worker = opaque;
  SpryThreadPool *pool = worker->pool;
  uint32_t seen = 0;
  for (;;) {
    wait_for_job(pool, seen);
    if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) break;
    seen = job_number(pool);
    run_indices(pool, worker->id);
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
  pool->ranges = aligned_alloc(64, (size_t)threads * sizeof *pool->ranges);
  if (!pool->workers || !pool->ranges) {
    free(pool->workers);
    free(pool->ranges);
    free(pool);
    return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  for (int32_t r = 0; r < threads; r++) atomic_init(&pool->ranges[r].word, 0);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  atomic_init(&pool->job, 0);
  atomic_init(&pool->done, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->stopping, false);
  atomic_init(&pool->fn, NULL);
  atomic_init(&pool->arg, NULL);
  for (int32_t w = 0; w < threads - 1; w++) {
    pool->workers[w] = (Worker){.pool = pool, .id = w + 1};
    if (pthread_create(&pool->workers[w].thread, NULL, worker_main, &pool->workers[w]) != 0) {
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
  for (int32_t w = 0; w < pool->num_workers; w++) pthread_join(pool->workers[w].thread, NULL);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool->ranges);
  free(pool);
}

/* Spins until all `count` indices are done, yielding after a while (a
 * worker running one may be waiting for this CPU). */
static void wait_for_indices(SpryThreadPool *pool, int32_t count) {
  const int64_t start = now_ns();
  bool yielding = false;
  for (uint32_t spins = 1; atomic_load_explicit(&pool->done, memory_order_acquire) < count;
       spins++) {
    cpu_relax();
    if (spins % SPINS_PER_YIELD != 0) continue;
    if (yielding)
      sched_yield();
    else
      yielding = now_ns() - start > YIELD_AFTER_NS;
  }
}

/* Where range r of `ranges` starts among `count` indices. */
static uint64_t share_begin(int32_t count, int32_t r, int32_t ranges) {
  return (uint64_t)count * (uint64_t)r / (uint64_t)ranges;
}

void spry_thread_pool_run(SpryThreadPool *pool, int32_t count, void (*fn)(void *arg, int32_t i),
                          void *arg) {
  if (count <= 0) return;
  if (!pool || in_job || count == 1) {
    for (int32_t i = 0; i < count; i++) fn(arg, i);
    return;
  }
  /* Every index of the previous job is done (wait_for_indices): its
   * ranges are empty, so no claim can succeed on it any more. The ranges
   * are published after fn and arg (release), which a claim acquires. */
  atomic_store_explicit(&pool->fn, fn, memory_order_relaxed);
  atomic_store_explicit(&pool->arg, arg, memory_order_relaxed);
  atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
  const int32_t ranges = pool->num_workers + 1;
  for (int32_t r = 0; r < ranges; r++) {
    const uint64_t begin = share_begin(count, r, ranges), end = share_begin(count, r + 1, ranges);
    atomic_store_explicit(&pool->ranges[r].word, end << 32 | begin, memory_order_release);
  }
  const uint32_t number = (uint32_t)atomic_load_explicit(&pool->job, memory_order_relaxed) + 1;
  atomic_store(&pool->job, number); /* seq_cst: see wait_for_job */
  wake_sleepers(pool);

  run_indices(pool, 0);
  wait_for_indices(pool, count);
}
