/* SPDX-License-Identifier: Apache-2.0 */
/* quant_sweep.c — quantization parameters for the fast-kernel sweeps (see quant_sweep.h). */
#include "quant_sweep.h"

#include <math.h>
#include <stddef.h>

#include "fast_op_check.h"

/* Powers of two make the rounding steps meet exact ties (which round away
 * from zero); they get no per-channel spread, so that they stay exact. */
static const double k_multipliers[] = {0.0021, 0.37,          3.0,  1.2 * 0x1p-31,
                                       0.25,   1.1 * 0x1p+29, 41.0, 0x1p-7};
#define NUM_MULTIPLIERS (sizeof k_multipliers / sizeof k_multipliers[0])

int32_t quant_sweep_zero_point(bool is_s8, uint64_t *rng, int32_t pick) {
  const int32_t lo = is_s8 ? -128 : 0, hi = is_s8 ? 127 : 255;
  switch (pick % 4) {
    case 0:
      return lo;
    case 1:
      return hi;
    case 2:
      return (lo + hi + 1) / 2;
    default:
      return fast_op_random_int(rng, lo, hi);
  }
}

QuantSweep quant_sweep_case(int32_t index, bool is_s8, uint64_t *rng) {
  QuantSweep q = {0};
  const double real = k_multipliers[(size_t)index % NUM_MULTIPLIERS];
  q.input_scale = index % 3 == 0 ? 0.5f : 0.0078125f;
  q.filter_scale = index % 2 ? 0.01f : 0.37f;
  int exponent = 0;
  const bool power_of_two = frexp(real, &exponent) == 0.5;
  q.channel_spread = is_s8 && !power_of_two ? 1.5f : 1.0f;
  /* Per-channel spreads scale the multipliers by [1, 1.5): divide by 1.2 to
   * centre them, which keeps the extremes within the fixed-point range. */
  const double centre = q.channel_spread > 1.0f ? 1.2 : 1.0;
  q.output_scale = (float)((double)q.input_scale * q.filter_scale * centre / real);
  q.input_zp = quant_sweep_zero_point(is_s8, rng, index);
  q.output_zp = quant_sweep_zero_point(is_s8, rng, index / 4 + 1);
  q.filter_zp = is_s8 ? 0 : quant_sweep_zero_point(false, rng, index / 2 + 2);
  q.extreme_bias = index % 7 == 3;
  return q;
}
