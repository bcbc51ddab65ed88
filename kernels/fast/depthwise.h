/* SPDX-License-Identifier: Apache-2.0 */
/*
 * depthwise.h — the fast DEPTHWISE_CONV_2D path: weights packed once at
 * prepare, output rows split over the interpreter's threads, every output
 * pixel computed by a per-ISA kernel that works on blocks of
 * SPRY_DW_BLOCK channels. Quantized results are bit-exact with the reference
 * kernels (the same int32 sums modulo 2^32, the same requantization); float
 * results differ only by summation order.
 *
 * Covered: float32 (finite weights), int8 with per-channel multipliers and
 * legacy uint8 with one multiplier, depth multiplier 1, constant weights and
 * bias, any filter size, strides, dilations, padding, fused activation and
 * batch. Everything else keeps the reference kernel — in particular depth
 * multipliers other than 1, int16, quantized shifts outside [-31, 31] — and
 * so does every node under SPRY_ISA=reference. Prepare reports whether the
 * fast path is in use (d->fn non-NULL).
 *
 * How a kernel sees a pixel. Each filter tap gets a pointer to its input
 * pixel's first channel; a tap that falls outside the image points to a
 * "pad pixel" instead, which contributes nothing: zeros for float, the input
 * zero point for the quantized types. The quantized sum is
 * sum_t (x_t + input_offset) * w_t; it is computed as sum_t x_t * w_t plus
 * the constant input_offset * sum_t w_t, folded into the bias at prepare, so
 * a pad pixel (x = -input_offset) cancels exactly and the kernels never add
 * offsets (both forms are equal modulo 2^32, which is all the int32
 * accumulator keeps).
 *
 * Packed weights, per block of SPRY_DW_BLOCK channels (the last block and
 * missing taps padded with zeros):
 *   quantized  int16 [blocks][tap_pairs][SPRY_DW_BLOCK][2]: channel c of the
 *              taps 2p and 2p+1 side by side (w + filter_offset for uint8),
 *              ready for a multiply that adds products in pairs;
 *   float      float [blocks][taps][SPRY_DW_BLOCK].
 * Per-channel bias, multiplier and shift arrays are padded the same way.
 */
#ifndef SPRY_KERNELS_FAST_DEPTHWISE_H
#define SPRY_KERNELS_FAST_DEPTHWISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv_common.h"
#include "cpu_isa.h"
#include "gemm.h"

#define SPRY_DW_BLOCK 16

/* For the kernels' shared bodies, which take the activation type as a
 * constant argument: inlining them into each typed entry point is what turns
 * the type tests into straight code. */
#if defined(__GNUC__)
#define SPRY_DW_INLINE static inline __attribute__((always_inline))
#else
#define SPRY_DW_INLINE static inline
#endif

typedef struct SpryDepthwise SpryDepthwise;

/* Channel blocks [first, first + blocks) of one output pixel. taps[t]
 * points to input channel first * SPRY_DW_BLOCK of tap t's pixel (tap_slots
 * pointers; the quantized kernels read them in pairs), out to the output
 * pixel's channel first * SPRY_DW_BLOCK; the kernel reads and writes
 * blocks * SPRY_DW_BLOCK channels there. */
typedef void (*SpryDwFn)(const SpryDepthwise *d, const void *const *taps, int32_t first,
                         int32_t blocks, void *out);

/* Consecutive output pixels of a row whose taps all lie inside the image,
 * channel blocks [0, blocks): pixel k's tap t is taps[t] + k * step bytes
 * and its output starts at out + k * out_step bytes. Every slot of taps
 * must point into the input (an odd tap count's extra slot included: its
 * weights are zero). Runs the first n of `pixels` (the kernel's own
 * multiple), returns n; the caller runs the rest one at a time. Optional: a
 * variant without one runs every pixel alone. Working on several pixels at
 * once shares each weight load between them and gives the multiply-add
 * units independent sums to interleave.
 *
 * A "pixel" is usually one output pixel (step: stride_w input pixels,
 * out_step: one output pixel). Nodes with fewer than 16 channels, a
 * divisor of 16, and stride 1 along x have their weights and constants
 * repeated across the block (group > 1), so that a block holds `group`
 * neighbouring pixels: then a "pixel" of the row kernel is such a group,
 * with step = out_step = 16 bytes.
 *
 * A kernel whose table sets f32_row_partial also runs the partial last
 * block of the pixels it runs (channels blocks * 16 to output_c), reading
 * and writing nothing past the channels; it is then called on nodes of
 * fewer than 16 channels too, with blocks 0. */
typedef int32_t (*SpryDwRowFn)(const SpryDepthwise *d, const void *const *taps, size_t step,
                               int32_t pixels, int32_t blocks, void *out, size_t out_step);

/* The last, partial channel block `block` of one output pixel: its first
 * `channels` (1..15) channels, read from taps[t] + block * 16 bytes (taps
 * point at their pixels' first channels) and written to out (the block's
 * first output channel), nothing past them touched. Optional: a variant
 * without one sends those channels through copies of whole blocks. */
typedef void (*SpryDwTailFn)(const SpryDepthwise *d, const void *const *taps, int32_t block,
                             int32_t channels, void *out);

/* Defines a kernel file's s8_pixel and u8_pixel (SpryDwFn) on its shared
 * quantized body, called as body(d, taps, first, blocks, out, u8) with u8 a
 * constant, so that each entry point gets its own inlined copy. */
#define SPRY_DW_QUANTIZED_ENTRIES(body)                                                        \
  static void s8_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,         \
                       int32_t blocks, void *out) {                                            \
    body(d, taps, first, blocks, out, false);                                                  \
  }                                                                                            \
  static void u8_pixel(const SpryDepthwise *d, const void *const *taps, int32_t first,         \
                       int32_t blocks, void *out) {                                            \
    body(d, taps, first, blocks, out, true);                                                   \
  }

typedef struct SpryDwKernels {
  SpryDwFn f32, s8, u8;
  SpryDwRowFn f32_row, s8_row, u8_row;    /* NULL: per pixel */
  int32_t f32_row_blocks;                  /* f32_row serves nodes of at most this many whole
                                              blocks; wider pixels run alone */
  SpryDwTailFn f32_tail, s8_tail, u8_tail; /* NULL: through copies */
  bool f32_row_partial;                    /* f32_row runs the partial block too */
} SpryDwKernels;

struct SpryDepthwise {
  SpryDwFn fn;           /* NULL: the fast path is not used */
  SpryDwRowFn row;       /* runs of inside pixels; NULL: fn per pixel */
  SpryDwTailFn tail;     /* partial blocks; NULL: fn on copies */
  bool row_partial;      /* row runs the partial block too */
  SpryConvKernel type;   /* F32, U8 or S8 */
  SpryConvParams params; /* geometry (copied; only the scalars are used) */
  SpryConvShapes shapes;
  int32_t taps;          /* filter_h * filter_w */
  int32_t tap_slots;     /* taps rounded up to even: the extra one is the pad pixel */
  int32_t blocks;        /* channel blocks */
  int32_t group;         /* output pixels per block in the row kernel (see SpryDwRowFn) */
  int32_t shares;        /* work items (work_share.h), each with a scratch slot */
  size_t value_bytes;    /* bytes per activation value */
  const void *weights;   /* packed (persistent) */
  const void *pad;       /* the pad pixel, blocks * SPRY_DW_BLOCK values (persistent) */
  SpryQgemmOutput output;   /* quantized: bias (offset folded in), multipliers, range */
  const float *bias_f;      /* float: bias per channel, zero-padded */
  int32_t scratch;          /* per thread: tap pointers and the last block's copies */
  size_t slot_bytes;
};

/* The kernels of a variant; NULL for SPRY_ISA_REFERENCE. */
const SpryDwKernels *spry_dw_kernels(SpryIsa isa);

/* The per-ISA tables (depthwise_<isa>.c). */
extern const SpryDwKernels spry_dw_portable;
extern const SpryDwKernels spry_dw_avx2;
extern const SpryDwKernels spry_dw_avx512vnni;
extern const SpryDwKernels spry_dw_neon;

/* Sets up the fast path for a node whose reference parameters are prepared.
 * Leaves d->fn NULL, and returns SPRY_OK, where the fast path does not
 * apply. */
SpryStatus spry_depthwise_prepare(SpryContext *ctx, SpryDepthwise *d, SpryConvKernel type,
                                  const SpryConvParams *params, const SpryConvShapes *shapes,
                                  const SpryTensor *filter, const SpryTensor *bias);

/* Runs a prepared fast path (d->fn non-NULL). */
void spry_depthwise_run(SpryContext *ctx, const SpryDepthwise *d, const void *input, void *output);

#endif /* SPRY_KERNELS_FAST_DEPTHWISE_H */
