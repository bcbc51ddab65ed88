/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resize_bilinear.h — RESIZE_BILINEAR for float32, uint8, int8 and int16
 * with the same arithmetic as the reference kernel, expression for
 * expression (so the results are identical), but with the source taps and
 * weights computed once per output pixel (int8 and int16: the four weight
 * products too), a tight loop over the channels, and output rows split over
 * the interpreter's threads.
 */
#ifndef SPRY_KERNELS_FAST_RESIZE_BILINEAR_H
#define SPRY_KERNELS_FAST_RESIZE_BILINEAR_H

#include <stdbool.h>

#include "reference/resize.h"
#include "spry/op.h"

/* Runs the fast path for data of `type`; false when the variant is the
 * reference one or the type has no fast path (the caller runs the
 * reference kernel). */
bool spry_fast_resize_bilinear(SpryContext *ctx, const SpryResizeParams *p, SpryType type,
                               const void *input, void *output);

#endif /* SPRY_KERNELS_FAST_RESIZE_BILINEAR_H */
