/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena_planner.h — places buffers with known lifetimes in one arena.
 *
 * Each buffer is live over an inclusive range of execution steps. Buffers
 * whose ranges overlap must not share bytes. The planner uses greedy-by-size
 * placement: largest first, each at the lowest offset that fits between the
 * already placed buffers it overlaps in time. It also reports the lower bound
 * of any placement: the largest sum of sizes live at one step.
 */
#ifndef SPRY_ENGINE_ARENA_PLANNER_H
#define SPRY_ENGINE_ARENA_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

#define SPRY_ARENA_ALIGNMENT 64

/* `bytes` rounded up to SPRY_ARENA_ALIGNMENT; the caller keeps bytes at
 * most SIZE_MAX - (SPRY_ARENA_ALIGNMENT - 1). */
static inline size_t spry_arena_round_up(size_t bytes) {
  return (bytes + SPRY_ARENA_ALIGNMENT - 1) / SPRY_ARENA_ALIGNMENT * SPRY_ARENA_ALIGNMENT;
}

typedef struct SpryArenaBuffer {
  size_t bytes;       /* requested size (rounded up to the alignment inside) */
  int32_t first_step; /* first step at which the buffer is live */
  int32_t last_step;  /* last step at which it is live (>= first_step) */
  size_t offset;      /* result: offset in the arena */
} SpryArenaBuffer;

/* Assigns offsets; writes the arena size and the lower bound. */
SpryStatus spry_arena_plan(SpryArenaBuffer *buffers, int32_t count, size_t *out_arena_bytes,
                           size_t *out_lower_bound);

#endif /* SPRY_ENGINE_ARENA_PLANNER_H */
