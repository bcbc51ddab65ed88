/* SPDX-License-Identifier: Apache-2.0 */
/*
 * work_share.h — the static split every fast kernel uses to hand its work
 * to spry_context_parallel_for: item t of `shares` gets a fixed, contiguous
 * range, so which thread runs an item never changes the result.
 */
#ifndef SPRY_KERNELS_FAST_WORK_SHARE_H
#define SPRY_KERNELS_FAST_WORK_SHARE_H

#include <stddef.h>
#include <stdint.h>

/* [*begin, *end) of share t (0 <= t < shares) of `count` things. Computed
 * without the product count * t, which could overflow for large counts. */
static inline void spry_work_share(size_t count, int32_t t, int32_t shares, size_t *begin,
                                   size_t *end) {
  const size_t n = (size_t)shares, i = (size_t)t;
  const size_t whole = count / n, rest = count % n;
  *begin = whole * i + rest * i / n;
  *end = whole * (i + 1) + rest * (i + 1) / n;
}

/* How many shares a kernel splits its work into for `threads` threads:
 * several a thread. Each thread runs its own contiguous range of them,
 * then takes what is left of the others' (spry_context_parallel_for), so
 * that one slowed down (its CPU taken by another process a while) leaves
 * the rest of its work to the others instead of holding the op up. One
 * for one thread. */
#define SPRY_SHARES_PER_THREAD 4
static inline int32_t spry_work_shares(int32_t threads) {
  return threads > 1 ? threads * SPRY_SHARES_PER_THREAD : 1;
}

#endif /* SPRY_KERNELS_FAST_WORK_SHARE_H */
