/* SPDX-License-Identifier: Apache-2.0 */
/*
 * where.h — reference loops of WHERE (TFLite's where.cc and
 * reference_ops::SelectTrueCoords): the coordinates of the nonzero elements
 * of a condition tensor.
 *
 * The condition is a raw row-major element array of `type`: BOOL (one byte,
 * any nonzero byte is true), FLOAT32 (true when != 0.0f, so NaN is true and
 * -0.0 false), INT8, UINT8, INT32, UINT32 or INT64 (true when nonzero, on the
 * raw value: quantization is ignored, as in TFLite). Callers validate the
 * type, the shape and the buffer sizes.
 */
#ifndef SPRY_KERNELS_REFERENCE_WHERE_H
#define SPRY_KERNELS_REFERENCE_WHERE_H

#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

/* Number of true elements among the first `count`. */
size_t spry_ref_where_count(SpryType type, const void *condition, size_t count);

/* For each true element of the condition of shape dims[0..rank), in
 * row-major order, one output row of `rank` int64 coordinates. The output
 * holds spry_ref_where_count() rows. */
void spry_ref_where(SpryType type, const void *condition, int32_t rank, const int32_t *dims,
                    int64_t *output);

#endif /* SPRY_KERNELS_REFERENCE_WHERE_H */
