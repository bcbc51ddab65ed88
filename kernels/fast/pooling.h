/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pooling.h — the fast AVERAGE_POOL_2D and MAX_POOL_2D (NHWC), and the
 * channel-wise window kernels they share with the fast MEAN (fast/mean.h).
 *
 * A pixel's channels are contiguous in NHWC, so every kernel works on one
 * output pixel at a time with a vector of channels per register: it walks
 * the window's pixels in the reference's order (rows, then columns) and
 * combines them lane by lane. Results are those of the reference kernels
 * (kernels/reference/pooling.h), bit for bit, floats included:
 *   - float average: the same sum in the same order per channel, divided by
 *     the same count (a division, not a multiplication by its inverse);
 *   - float maximum: "keep unless the new value compares greater", so NaN
 *     inputs are skipped as by the reference, and the same clamp (NaN
 *     passes it);
 *   - 8-bit average: the exact int32 sum, then the reference's rounding,
 *     which is symmetric: sign(sum) * ((|sum| + count / 2) / count). The SIMD
 *     kernels divide in float, which is exact here: for integers
 *     0 <= n < 2^24 and 0 < c, n / c rounded to float never reaches the next
 *     integer above floor(n / c) (the gap, at least 1/c, exceeds half an
 *     ulp of n / c), so truncating gives floor(n / c). Windows are limited to
 *     65535 pixels, so n <= 255 * 65535 + 32767 < 2^24;
 *   - 8-bit maximum: byte-wise, from the type's lowest value.
 *
 * Covered: float32, int8 and uint8; any filter, stride, padding, fused
 * activation and batch. L2_POOL_2D, int16 and windows of more than 65535
 * pixels (average, 8-bit) keep the reference kernel, and so does every node
 * under SPRY_ISA=reference. Output rows are split over the interpreter's
 * threads (work_share.h); no memory is needed beyond the op data.
 */
#ifndef SPRY_KERNELS_FAST_POOLING_H
#define SPRY_KERNELS_FAST_POOLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu_isa.h"
#include "reference/pooling.h"
#include "spry/op.h"

/* For the kernels' shared bodies, which take the type and the operation as
 * constant arguments: inlining them into each entry point turns those tests
 * into straight code. */
#if defined(__GNUC__)
#define SPRY_POOL_INLINE static inline __attribute__((always_inline))
#else
#define SPRY_POOL_INLINE static inline
#endif

/* What a kernel's shared body computes. */
typedef enum SpryPoolOp { SPRY_POOL_AVG, SPRY_POOL_MAX, SPRY_POOL_SUM } SpryPoolOp;

/* The part of a window inside the input, seen from one channel range:
 * `rows` x `cols` pixels (either may be 0: an empty maximum), the first at
 * `origin`, `row_stride` bytes from a pixel to the one below and
 * `pixel_stride` to the next on its row. A kernel reads `channels` values
 * at each pixel and writes `channels` results. */
typedef struct SpryPoolWindow {
  const uint8_t *origin;
  size_t row_stride, pixel_stride;
  int32_t rows, cols;
  int32_t channels;
} SpryPoolWindow;

/* Average or maximum of a window into `out` (the element type's values),
 * clamped to the fused activation range of `p` (its f_min/f_max or
 * q_min/q_max; the rest of `p` is not read). Averages need a window of 1 to
 * 65535 pixels. */
typedef void (*SpryPoolFn)(const SpryPoolWindow *w, const SpryPoolParams *p, void *out);

/* Plain sums of a window: floats in the reference's order into float
 * `sums`, 8-bit values exactly into int32 `sums` (at most 2^23 pixels). */
typedef void (*SpryPoolSumFn)(const SpryPoolWindow *w, void *sums);

/* One variant's kernels of one operation, a family: average, maximum
 * (SpryPoolKernels) or sum (SpryPoolSumKernels). Each family has its own
 * tables so that a build without MAX_POOL_2D or MEAN links none of their
 * kernels. `f32_block` and `q8_block` are the channel counts a kernel's
 * `channels` must be a multiple of (the rest of a pixel goes to the
 * portable kernels, whose blocks are 1). */
typedef struct SpryPoolKernels {
  int32_t f32_block, q8_block;
  int32_t max_pixels; /* the largest 8-bit window the kernels take; 0: any */
  SpryPoolFn f32, s8, u8;
} SpryPoolKernels;

typedef struct SpryPoolSumKernels {
  int32_t f32_block, q8_block;
  SpryPoolSumFn f32, s8, u8;
} SpryPoolSumKernels;

/* The per-ISA tables (pooling_<isa>.c, pooling_entries.h). */
extern const SpryPoolKernels spry_pool_avg_portable, spry_pool_max_portable;
extern const SpryPoolKernels spry_pool_avg_avx2, spry_pool_max_avx2;
extern const SpryPoolKernels spry_pool_avg_neon, spry_pool_max_neon;
extern const SpryPoolSumKernels spry_pool_sum_portable, spry_pool_sum_avx2, spry_pool_sum_neon;

/* A family's table of a variant; NULL for SPRY_ISA_REFERENCE. */
typedef const SpryPoolKernels *(*SpryPoolFamily)(SpryIsa isa);
const SpryPoolKernels *spry_pool_avg_kernels(SpryIsa isa);
const SpryPoolKernels *spry_pool_max_kernels(SpryIsa isa);
const SpryPoolSumKernels *spry_pool_sum_kernels(SpryIsa isa);

/* Windows larger than this keep the reference average (see above). */
#define SPRY_POOL_MAX_AVG_PIXELS 65535

/* Channels [0, main) of a pixel run the variant's kernel, the rest the
 * portable one: `main` is `channels` rounded down to a multiple of
 * `block`. */
static inline int32_t spry_pool_main_channels(int32_t channels, int32_t block) {
  return channels - channels % block;
}

/* The window `w` seen from channel `first` on (values of `value_bytes`). */
static inline SpryPoolWindow spry_pool_window_from(const SpryPoolWindow *w, int32_t first,
                                                  size_t value_bytes) {
  SpryPoolWindow rest = *w;
  rest.origin += (size_t)first * value_bytes;
  rest.channels = w->channels - first;
  return rest;
}

/* A prepared node. */
typedef struct SpryFastPool {
  SpryPoolFn fn;   /* the variant's kernel; NULL: the fast path is not used */
  SpryPoolFn tail; /* the portable kernel, for the channels past main_channels */
  int32_t main_channels;
  SpryPoolParams params;
  SpryPoolShape shape;
  size_t value_bytes;
  int32_t threads;
} SpryFastPool;

/* Sets up the fast path for a pooling node of `type` whose reference
 * parameters and shape are prepared, with the kernels of `family`
 * (spry_pool_avg_kernels or spry_pool_max_kernels). Leaves f->fn NULL
 * where the fast path does not apply. */
void spry_fast_pool_prepare(SpryContext *ctx, SpryFastPool *f, SpryPoolFamily family,
                            SpryType type, const SpryPoolParams *params,
                            const SpryPoolShape *shape);

/* Runs a prepared fast path (f->fn non-NULL). */
void spry_fast_pool_run(SpryContext *ctx, const SpryFastPool *f, const void *input, void *output);

#endif /* SPRY_KERNELS_FAST_POOLING_H */
