/* SPDX-License-Identifier: Apache-2.0 */
/*
 * persistent_pool.h — the pages behind the persistent buffers that kernels
 * allocate while an interpreter is prepared (prepacked weights, mostly).
 *
 * A model's packed weights are megabytes written once, at prepare, into
 * fresh memory: from the heap, each 4 KB page of them cost a page fault,
 * and those faults were half of a large model's load time. The pool hands
 * the buffers out of 2 MB chunks that it may ask the kernel to back with
 * transparent huge pages (one fault per chunk).
 *
 * Buffers are carved one after the other from a chunk and never reused
 * inside it; a chunk is returned to the system once every buffer carved
 * from it is released. So a node prepared again gives its old buffers back
 * to the system when the buffers around them go too (a model prepared
 * again for new input shapes releases every chunk of the old prepare).
 */
#ifndef SPRY_ENGINE_PERSISTENT_POOL_H
#define SPRY_ENGINE_PERSISTENT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SpryPersistentPool SpryPersistentPool;

/* Which chunks the pool advises transparent huge pages for, where the
 * system has them of a chunk's size. A huge page is resident as a whole:
 * every chunk is worth it only when the buffers fill a chunk or more. */
typedef enum SpryHugePages {
  SPRY_HUGE_PAGES_NONE,  /* base pages only */
  SPRY_HUGE_PAGES_FILLED, /* the huge pages that a buffer larger than a chunk fills whole */
  SPRY_HUGE_PAGES_ALL,   /* every chunk (and FILLED's) */
} SpryHugePages;

/* A pool, or NULL when out of memory or when this build does not use one
 * (under AddressSanitizer, whose checks only heap buffers get). */
SpryPersistentPool *spry_persistent_pool_new(SpryHugePages huge_pages);

/* `bytes` (> 0) of zeroed memory, 64-byte aligned, or NULL when out of
 * memory or when bytes is larger than the pool takes. */
void *spry_persistent_pool_alloc(SpryPersistentPool *pool, size_t bytes);

/* Gives back a buffer of the pool; false (doing nothing) when `p` is not
 * one. */
bool spry_persistent_pool_release(SpryPersistentPool *pool, void *p);

/* What the pool advises: its argument, or NONE where the system's huge
 * pages are not a chunk's size (for tests). */
SpryHugePages spry_persistent_pool_huge_pages(const SpryPersistentPool *pool);

/* Chunks the pool holds from the system (for tests). */
int32_t spry_persistent_pool_chunks(const SpryPersistentPool *pool);

/* Returns every chunk to the system; NULL is allowed. */
void spry_persistent_pool_free(SpryPersistentPool *pool);

#endif /* SPRY_ENGINE_PERSISTENT_POOL_H */
