/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resize.h — reference RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR kernels
 * on NHWC tensors.
 *
 * Bit-exact with TFLite's BUILTIN_REF kernels:
 *   bilinear f32, u8   reference_ops::ResizeBilinear<T>: float weights, the
 *                      same evaluation order; integer outputs add 0.5 and
 *                      truncate.
 *   bilinear s8, s16   reference_ops::ResizeBilinearInteger: 10-bit fixed
 *                      point positions, products in 64 bits, rounding away
 *                      from zero at 2^20.
 *   nearest (any type) reference_ops::ResizeNearestNeighbor: a pure copy of
 *                      the element nearest to each output position.
 */
#ifndef SPRY_KERNELS_REFERENCE_RESIZE_H
#define SPRY_KERNELS_REFERENCE_RESIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quant_access.h"

/* Geometry and options; sizes > 0 (checked by prepare). */
typedef struct SpryResizeParams {
  bool align_corners;
  bool half_pixel_centers;
  int32_t batches, channels;
  int32_t in_h, in_w;
  int32_t out_h, out_w;
} SpryResizeParams;

/* Source position of output row/column `o` in float (TFLite's
 * ComputeInterpolationValues): the scaled position and the two neighbours
 * it lies between, clamped to the input. Shared with the fast kernel, which
 * must compute it identically. */
typedef struct SpryResizeTap {
  float pos;
  int32_t lo, hi;
} SpryResizeTap;

/* The scale from output to input positions along one axis. */
float spry_resize_scale(int32_t in_size, int32_t out_size, bool align_corners);
SpryResizeTap spry_resize_tap(int32_t o, float scale, bool half_pixel, int32_t in_size);

/* How far past its lower neighbour a tap lies: the blend's weight of the
 * upper one. */
static inline float spry_resize_tap_fraction(const SpryResizeTap *tap) {
  return tap->pos - (float)tap->lo;
}

/* The same in 1/1024 steps (TFLite's ComputeInterpolationValuesInteger),
 * for the int8 and int16 kernels: the position, clamped to the last pixel,
 * and its neighbours. */
typedef struct SpryResizeIntTap {
  int64_t pos;
  int32_t lo, hi;
} SpryResizeIntTap;

int64_t spry_resize_int_scale(int32_t in_size, int32_t out_size, bool align_corners);
SpryResizeIntTap spry_resize_int_tap(int32_t o, int64_t scale, bool half_pixel, int32_t in_size);

void spry_ref_resize_bilinear_f32(const SpryResizeParams *p, const float *input, float *output);
void spry_ref_resize_bilinear_u8(const SpryResizeParams *p, const uint8_t *input, uint8_t *output);
/* int8 and int16 (type SPRY_Q_S8 / SPRY_Q_S16). */
void spry_ref_resize_bilinear_int(const SpryResizeParams *p, SpryQType type, const void *input,
                                  void *output);
/* Any element type, `element_size` bytes each. */
void spry_ref_resize_nearest(const SpryResizeParams *p, size_t element_size, const void *input,
                             void *output);

#endif /* SPRY_KERNELS_REFERENCE_RESIZE_H */
