/* SPDX-License-Identifier: Apache-2.0 */
/* persistent_pool.c — chunks of fresh pages for prepare's persistent buffers. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "persistent_pool.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena_planner.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_UNDER_ASAN 1
#endif
#endif

/* One huge page where the base pages are 4 KB (x86-64, most aarch64
 * kernels). Kernels with 16 or 64 KB pages have 32 or 512 MB huge pages,
 * too large to advise for a model's weights: there the chunks keep base
 * pages, of which there are already 4 or 16 times fewer. */
#define CHUNK_BYTES ((size_t)2 << 20)

typedef struct Chunk {
  uint8_t *base; /* CHUNK_BYTES aligned */
  size_t size;   /* a multiple of CHUNK_BYTES */
  size_t used;   /* carved from the start */
  int32_t live;  /* buffers carved and not released */
} Chunk;

struct SpryPersistentPool {
  Chunk *chunks;
  int32_t count;
  int32_t capacity;
  SpryHugePages huge_pages; /* NONE where the system's are not chunk-sized */
};

SpryPersistentPool *spry_persistent_pool_new(SpryHugePages huge_pages) {
#ifdef POOL_UNDER_ASAN
  (void)huge_pages;
  return NULL;
#else
  SpryPersistentPool *pool = calloc(1, sizeof *pool);
  if (!pool) return NULL;
  const long page = sysconf(_SC_PAGESIZE);
  const bool chunk_sized = page > 0 && (size_t)page * ((size_t)page / 8) == CHUNK_BYTES;
  pool->huge_pages = chunk_sized ? huge_pages : SPRY_HUGE_PAGES_NONE;
  return pool;
#endif
}

/* A fresh mapping of `size` bytes (a multiple of CHUNK_BYTES) starting on
 * a CHUNK_BYTES boundary, as a huge page must: mapped one chunk larger,
 * then trimmed at both ends. */
static uint8_t *map_aligned(size_t size) {
  const size_t mapped = size + CHUNK_BYTES;
  uint8_t *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  const size_t head = (CHUNK_BYTES - (uintptr_t)p % CHUNK_BYTES) % CHUNK_BYTES;
  if (head) munmap(p, head);
  if (mapped - head - size) munmap(p + head + size, mapped - head - size);
  return p + head;
}

/* How much of a new chunk of `size` for a buffer of `bytes` to advise
 * huge pages for, from its start. A buffer of more than a chunk (an arena,
 * a classifier's weights) has a chunk of its own, in huge pages where it
 * fills them whole: the rest, which later buffers might never fill, keeps
 * base pages (a 6.4 MB arena had 1.6 MB of its 8 resident for nothing). */
static size_t huge_bytes(const SpryPersistentPool *pool, size_t size, size_t bytes) {
  if (pool->huge_pages == SPRY_HUGE_PAGES_NONE) return 0;
  if (pool->huge_pages == SPRY_HUGE_PAGES_ALL && size == CHUNK_BYTES) return size;
  return bytes / CHUNK_BYTES * CHUNK_BYTES;
}

static Chunk *add_chunk(SpryPersistentPool *pool, size_t bytes) {
  if (pool->count == pool->capacity) {
    const int32_t capacity = pool->capacity ? pool->capacity * 2 : 8;
    Chunk *grown = realloc(pool->chunks, (size_t)capacity * sizeof *grown);
    if (!grown) return NULL;
    pool->chunks = grown;
    pool->capacity = capacity;
  }
  const size_t size = (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES * CHUNK_BYTES;
  uint8_t *base = map_aligned(size);
  if (!base) return NULL;
#ifdef MADV_HUGEPAGE
  /* Advice only: where the system has no huge page free, base pages. */
  const size_t huge = huge_bytes(pool, size, bytes);
  if (huge) madvise(base, huge, MADV_HUGEPAGE);
#endif
  Chunk *chunk = &pool->chunks[pool->count++];
  *chunk = (Chunk){.base = base, .size = size, .used = 0, .live = 0};
  return chunk;
}

void *spry_persistent_pool_alloc(SpryPersistentPool *pool, size_t bytes) {
  if (!pool || bytes == 0 || bytes > SIZE_MAX / 4) return NULL;
  const size_t rounded = spry_arena_round_up(bytes);
  /* First fit: small buffers fill the ends of chunks a large one left. */
  Chunk *chunk = NULL;
  for (int32_t i = 0; i < pool->count && !chunk; i++)
    if (pool->chunks[i].size - pool->chunks[i].used >= rounded) chunk = &pool->chunks[i];
  if (!chunk && !(chunk = add_chunk(pool, rounded))) return NULL;
  uint8_t *p = chunk->base + chunk->used;
  chunk->used += rounded;
  chunk->live++;
  return p; /* never handed out before: zero, as the system maps it */
}

bool spry_persistent_pool_release(SpryPersistentPool *pool, void *p) {
  if (!pool || !p) return false;
  const uintptr_t at = (uintptr_t)p;
  for (int32_t i = 0; i < pool->count; i++) {
    Chunk *chunk = &pool->chunks[i];
    if (at < (uintptr_t)chunk->base || at - (uintptr_t)chunk->base >= chunk->used) continue;
    if (--chunk->live == 0) {
      munmap(chunk->base, chunk->size);
      *chunk = pool->chunks[--pool->count];
    }
    return true;
  }
  return false;
}

SpryHugePages spry_persistent_pool_huge_pages(const SpryPersistentPool *pool) {
  return pool ? pool->huge_pages : SPRY_HUGE_PAGES_NONE;
}

int32_t spry_persistent_pool_chunks(const SpryPersistentPool *pool) {
  return pool ? pool->count : 0;
}

void spry_persistent_pool_free(SpryPersistentPool *pool) {
  if (!pool) return;
  for (int32_t i = 0; i < pool->count; i++) munmap(pool->chunks[i].base, pool->chunks[i].size);
  free(pool->chunks);
  free(pool);
}
