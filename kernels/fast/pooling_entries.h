/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling_entries.h — the pooling tables of one instruction set, built
 * from its three window functions. Each pooling_<isa>.c defines
 *
 *   f32_window(w, p, out, op)          float32 average, max or sum
 *   q8_sum_window(w, p, out, op, u8)   8-bit average or sum
 *   q8_max_window(w, p, out, u8)       8-bit max
 *
 * and ends with SPRY_POOL_ENTRIES(isa, f32_block, q8_block), which defines
 * the entry points (the op and type bound as constants, so each inlined
 * window loop is specialised) and the family tables spry_pool_avg_<isa>,
 * spry_pool_max_<isa> and spry_pool_sum_<isa>.
 */
#ifndef SPRY_KERNELS_FAST_POOLING_ENTRIES_H
#define SPRY_KERNELS_FAST_POOLING_ENTRIES_H

#include "pooling.h"

#define SPRY_POOL_ENTRIES(isa, f32_blk, q8_blk)                                                \
  static void avg_f32(const SpryPoolWindow *w, const SpryPoolParams *p, void *out) {           \
    f32_window(w, p, out, SPRY_POOL_AVG);                                                      \
  }                                                                                            \
  static void max_f32(const SpryPoolWindow *w, const SpryPoolParams *p, void *out) {           \
    f32_window(w, p, out, SPRY_POOL_MAX);                                                      \
  }                                                                                            \
  static void sum_f32(const SpryPoolWindow *w, void *sums) {                                   \
    f32_window(w, NULL, sums, SPRY_POOL_SUM);                                                  \
  }                                                                                            \
  static void avg_s8(const SpryPoolWindow *w, const SpryPoolParams *p, void *out) {            \
    q8_sum_window(w, p, out, SPRY_POOL_AVG, false);                                            \
  }                                                                                            \
  static void avg_u8(const SpryPoolWindow *w, const SpryPoolParams *p, void *out) {            \
    q8_sum_window(w, p, out, SPRY_POOL_AVG, true);                                             \
  }                                                                                            \
  static void sum_s8(const SpryPoolWindow *w, void *sums) {                                    \
    q8_sum_window(w, NULL, sums, SPRY_POOL_SUM, false);                                        \
  }                                                                                            \
  static void sum_u8(const SpryPoolWindow *w, void *sums) {                                    \
    q8_sum_window(w, NULL, sums, SPRY_POOL_SUM, true);                                         \
  }                                                                                            \
  static void max_s8(const SpryPoolWindow *w, const SpryPoolParams *p, void *out) {            \
    q8_max_window(w, p, out, false);                                                           \
  }                                                                                            \
  static void max_u8(const SpryPoolWindow *w, const SpryPoolParams *p, void *out) {            \
    q8_max_window(w, p, out, true);                                                            \
  }                                                                                            \
  const SpryPoolKernels spry_pool_avg_##isa = {(f32_blk), (q8_blk), SPRY_POOL_MAX_AVG_PIXELS,  \
                                               avg_f32, avg_s8, avg_u8};                       \
  const SpryPoolKernels spry_pool_max_##isa = {(f32_blk), (q8_blk), 0, max_f32, max_s8,        \
                                               max_u8};                                        \
  const SpryPoolSumKernels spry_pool_sum_##isa = {(f32_blk), (q8_blk), sum_f32, sum_s8, sum_u8}

#endif /* SPRY_KERNELS_FAST_POOLING_ENTRIES_H */
