/* SPDX-License-Identifier: Apache-2.0 */
/* arena_planner.c — greedy-by-size placement of buffers with lifetimes. */
#include "arena_planner.h"

#include <stdbool.h>
#include <stdlib.h>

#include "status.h"

static bool round_up(size_t bytes, size_t *out) {
  if (bytes > SIZE_MAX - (SPRY_ARENA_ALIGNMENT - 1)) return false;
  *out = spry_arena_round_up(bytes);
  return true;
}

typedef struct PlacedRange {
  size_t begin, end;
} PlacedRange;

static int compare_by_size_desc(const void *a, const void *b, void *buffers) {
  const int32_t ia = *(const int32_t *)a, ib = *(const int32_t *)b;
  const SpryArenaBuffer *bufs = buffers;
  if (bufs[ia].bytes != bufs[ib].bytes) return bufs[ia].bytes > bufs[ib].bytes ? -1 : 1;
  /* Ties: earlier first, then by index, so the plan is deterministic. */
  if (bufs[ia].first_step != bufs[ib].first_step)
    return bufs[ia].first_step < bufs[ib].first_step ? -1 : 1;
  return ia < ib ? -1 : (ia > ib);
}

static int compare_ranges(const void *a, const void *b) {
  const PlacedRange *ra = a, *rb = b;
  if (ra->begin != rb->begin) return ra->begin < rb->begin ? -1 : 1;
  return 0;
}

/* Insertion sort with a context: n is small (hundreds) and qsort_r is not C11. */
static void sort_order(int32_t *order, int32_t count, const SpryArenaBuffer *buffers) {
  for (int32_t i = 1; i < count; i++) {
    const int32_t key = order[i];
    int32_t j = i - 1;
    while (j >= 0 && compare_by_size_desc(&order[j], &key, (void *)buffers) > 0) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = key;
  }
}

static bool lifetimes_overlap(const SpryArenaBuffer *a, const SpryArenaBuffer *b) {
  return a->first_step <= b->last_step && b->first_step <= a->last_step;
}

/* Lowest offset where `size` bytes fit between the (sorted) occupied ranges. */
static size_t first_fit(const PlacedRange *ranges, int32_t count, size_t size) {
  size_t candidate = 0;
  for (int32_t i = 0; i < count; i++) {
    if (ranges[i].begin >= candidate && ranges[i].begin - candidate >= size) break;
    if (ranges[i].end > candidate) candidate = ranges[i].end;
  }
  return candidate;
}

static size_t peak_live_bytes(const SpryArenaBuffer *buffers, const size_t *sizes, int32_t count) {
  size_t peak = 0;
  for (int32_t i = 0; i < count; i++) {
    /* The peak is reached at the start of some buffer's lifetime. */
    const int32_t step = buffers[i].first_step;
    size_t live = 0;
    for (int32_t j = 0; j < count; j++)
      if (buffers[j].first_step <= step && step <= buffers[j].last_step)
        live = live > SIZE_MAX - sizes[j] ? SIZE_MAX : live + sizes[j];
    if (live > peak) peak = live;
  }
  return peak;
}

SpryStatus spry_arena_plan(SpryArenaBuffer *buffers, int32_t count, size_t *out_arena_bytes,
                           size_t *out_lower_bound) {
  *out_arena_bytes = 0;
  *out_lower_bound = 0;
  if (count <= 0) return SPRY_OK;
  SpryStatus status = SPRY_OK;
  int32_t *order = malloc((size_t)count * sizeof *order);
  size_t *sizes = malloc((size_t)count * sizeof *sizes);
  PlacedRange *ranges = malloc((size_t)count * sizeof *ranges);
  bool *placed = calloc((size_t)count, sizeof *placed);
  if (!order || !sizes || !ranges || !placed) {
    status = spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory planning the arena");
    goto done;
  }
  for (int32_t i = 0; i < count; i++) {
    order[i] = i;
    if (!round_up(buffers[i].bytes, &sizes[i])) {
      status = spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "buffer of %zu bytes is too large",
                              buffers[i].bytes);
      goto done;
    }
  }
  sort_order(order, count, buffers);
  size_t arena = 0;
  for (int32_t k = 0; k < count; k++) {
    const int32_t i = order[k];
    int32_t n = 0;
    for (int32_t j = 0; j < count; j++) {
      if (!placed[j] || !lifetimes_overlap(&buffers[i], &buffers[j])) continue;
      ranges[n].begin = buffers[j].offset;
      ranges[n].end = buffers[j].offset + sizes[j];
      n++;
    }
    qsort(ranges, (size_t)n, sizeof *ranges, compare_ranges);
    const size_t offset = first_fit(ranges, n, sizes[i]);
    if (offset > SIZE_MAX - sizes[i]) {
      status = spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "arena size overflows");
      goto done;
    }
    buffers[i].offset = offset;
    placed[i] = true;
    if (offset + sizes[i] > arena) arena = offset + sizes[i];
  }
  *out_arena_bytes = arena;
  *out_lower_bound = peak_live_bytes(buffers, sizes, count);
done:
  free(order);
  free(sizes);
  free(ranges);
  free(placed);
  return status;
}
