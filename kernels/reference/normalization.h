/* SPDX-License-Identifier: Apache-2.0 */
/*
 * normalization.h — reference L2_NORMALIZATION and LOCAL_RESPONSE_NORMALIZATION
 * over the last dimension: `outer` rows of `depth` contiguous elements.
 *
 * L2 normalisation matches TFLite's reference_ops::L2Normalization (float,
 * epsilon 1e-6 on the norm; uint8 with output scale 1/128 and zero point 128)
 * and reference_integer_ops::L2Normalization (int8, scale 1/128, zero point
 * 0): the quantized kernels take 1/sqrt of the integer sum of squares in
 * fixed point. Local response normalisation matches
 * reference_ops::LocalResponseNormalization (float only), including its
 * window [c - radius, c + radius) with an exclusive upper end.
 */
#ifndef SPRY_KERNELS_REFERENCE_NORMALIZATION_H
#define SPRY_KERNELS_REFERENCE_NORMALIZATION_H

#include <stddef.h>
#include <stdint.h>

#include "quant_access.h"

void spry_ref_l2_norm_f32(size_t outer, size_t depth, const float *input, float *output);

/* type is SPRY_Q_U8 or SPRY_Q_S8; input_zero_point is the input's. */
void spry_ref_l2_norm_q(SpryQType type, int32_t input_zero_point, size_t outer, size_t depth,
                        const void *input, void *output);

typedef struct SpryLrnParams {
  int32_t radius;
  float bias, alpha, beta;
} SpryLrnParams;

void spry_ref_local_response_norm_f32(const SpryLrnParams *params, size_t outer, size_t depth,
                                      const float *input, float *output);

#endif /* SPRY_KERNELS_REFERENCE_NORMALIZATION_H */
