/* SPDX-License-Identifier: Apache-2.0 */
/*
 * concat_split.h — reference CONCATENATION / PACK (joining) and SPLIT /
 * SPLIT_V / UNPACK (cutting) along one axis.
 *
 * Every tensor is viewed as [outer][block]: `outer` is the product of the
 * dimensions before the axis, a part's block the product of the rest. Joining
 * interleaves the parts' blocks per outer step (TFLite's
 * reference_ops::Concatenation); cutting is the inverse. Bytes move with
 * memcpy, except parts of a quantized join whose scale or zero point differ
 * from the output's, which are requantized in float exactly as TFLite's
 * reference_ops::ConcatenationWithScaling does:
 *   q_out = clamp(round(q_in * scale + bias) + zero_point_out), with
 *   scale = in_scale * (1 / out_scale), bias = -in_zero_point * scale
 * (round half away from zero, float arithmetic).
 */
#ifndef SPRY_KERNELS_REFERENCE_CONCAT_SPLIT_H
#define SPRY_KERNELS_REFERENCE_CONCAT_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "quant_access.h"

typedef struct SpryConcatPart {
  const void *data;
  size_t block; /* elements per outer step */
  bool rescale; /* requantize instead of copying */
  float scale, bias;
} SpryConcatPart;

/* Output element type and zero point, used by the parts that rescale. */
typedef struct SpryConcatParams {
  size_t outer;
  size_t elem_size;
  SpryQType qtype;
  int32_t output_zero_point;
} SpryConcatParams;

void spry_ref_concat(const SpryConcatParams *params, const SpryConcatPart *parts, int32_t count,
                     void *output);
/* Outer steps [first, last) only, into their place in the whole output. */
void spry_ref_concat_range(const SpryConcatParams *params, const SpryConcatPart *parts,
                           int32_t count, size_t first, size_t last, void *output);

/* outputs[i] receives blocks[i] elements per outer step. */
void spry_ref_split(size_t outer, size_t elem_size, const void *input, void *const *outputs,
                    const size_t *blocks, int32_t count);

#endif /* SPRY_KERNELS_REFERENCE_CONCAT_SPLIT_H */
