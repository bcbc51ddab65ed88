/* SPDX-License-Identifier: Apache-2.0 */
/*
 * add_q8.h — quantized 8-bit ADD through lookup tables. Each input's
 * rescaling (offset, left shift, multiplier) depends on its 8-bit value
 * alone, so prepare tabulates it for all 256 values; invoke adds two table
 * entries and requantizes the sum exactly as the reference does. Results are
 * identical to the reference kernel's. Elementwise operands run a linear
 * loop split over the threads; broadcasts walk the reference's iterator.
 */
#ifndef SPRY_KERNELS_FAST_ADD_Q8_H
#define SPRY_KERNELS_FAST_ADD_Q8_H

#include <stdbool.h>
#include <stdint.h>

#include "broadcast.h"
#include "reference/add.h"
#include "spry/op.h"

typedef struct SpryAddQ8 {
  const int32_t *scaled1, *scaled2; /* 256 entries, indexed by the stored byte */
  SpryAddParams params;
  bool is_u8;
  bool active; /* false: the reference kernel runs */
} SpryAddQ8;

/* Sets up the tables (persistent memory) unless the variant is reference. */
SpryStatus spry_add_q8_prepare(SpryContext *ctx, SpryAddQ8 *add, const SpryAddParams *params,
                               bool is_u8);

void spry_add_q8_run(SpryContext *ctx, const SpryAddQ8 *add, const SpryBroadcast *bc,
                     const void *input1, const void *input2, void *output);

#endif /* SPRY_KERNELS_FAST_ADD_Q8_H */
