/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hybrid_gemv.h — the building blocks of hybrid (dynamic-range) kernels:
 * float rows quantized to int8 at run time, int8 weights, int32 dot
 * products scaled back to float; plus the float matrix x batch-of-vectors
 * product the recurrent ops share.
 *
 * Matches TFLite's portable tensor_utils (portable_tensor_utils.cc):
 * SymmetricQuantizeFloats, AsymmetricQuantizeFloats, ReductionSumVector and
 * both MatrixBatchVectorMultiplyAccumulate forms, float operation for float
 * operation, so results agree with BUILTIN_REF to the last bit or nearly.
 *
 * Layout: matrices are row-major [rows][cols]; a batch of vectors is
 * [n_batch][cols]; results are [n_batch][rows]. No alignment or over-read.
 */
#ifndef SPRY_KERNELS_REFERENCE_HYBRID_GEMV_H
#define SPRY_KERNELS_REFERENCE_HYBRID_GEMV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matvec_ops.h"

/* True when every element is exactly 0.0f (TFLite's IsZeroVector: hybrid
 * kernels skip quantization and the matmul then). */
bool spry_ref_is_zero_f32(const float *v, size_t n);

/* Quantizes each of `rows` rows of `cols` floats to int8: symmetric ([-127,
 * 127], zero point 0) or asymmetric ([-128, 127] with a per-row zero point
 * stored in zero_points, which may be NULL when symmetric). scales[r] is the
 * row's scale. */
void spry_ref_quantize_rows_s8(const float *values, int32_t rows, int32_t cols, int8_t *quantized,
                               float *scales, int32_t *zero_points, bool asymmetric);

/* sums[r] = sum of row r of an int8 matrix (for asymmetric inputs). */
void spry_ref_row_sums_s8(const int8_t *matrix, int32_t rows, int32_t cols, int32_t *sums);

/* result[b][r] += scales[b] * (matrix[r] . vectors[b] - row_sums[r] * zero_points[b]),
 * with TFLite's int32 dot product. zero_points NULL: symmetric inputs
 * (row_sums unused). */
void spry_ref_hybrid_gemv_acc(const int8_t *matrix, int32_t rows, int32_t cols,
                              const int8_t *vectors, const float *scales,
                              const int32_t *zero_points, const int32_t *row_sums,
                              int32_t n_batch, float *result);

/* As spry_ref_hybrid_gemv_acc with the int8 dot products from `dot` (NULL:
 * the reference's; any other must give the same wrapped int32 sums). */
void spry_ref_hybrid_gemv_acc_dot(const int8_t *matrix, int32_t rows, int32_t cols,
                                  const int8_t *vectors, const float *scales,
                                  const int32_t *zero_points, const int32_t *row_sums,
                                  int32_t n_batch, SpryDotS8 dot, float *result);

/* As spry_ref_hybrid_gemv_acc with one weight scale per matrix row (per-
 * channel weights): result[b][r] += dot * (scales[b] * channel_scales[r]),
 * TFLite's portable order (bit-exact with BUILTIN_REF for symmetric inputs;
 * asymmetric ones differ from its x86 kernel by an ulp or so). */
void spry_ref_hybrid_gemv_acc_channels(const int8_t *matrix, int32_t rows, int32_t cols,
                                       const int8_t *vectors, const float *scales,
                                       const float *channel_scales, const int32_t *zero_points,
                                       const int32_t *row_sums, int32_t n_batch, float *result);

/* result[b][r] += matrix[r] . vectors[b] (float dot product from 0, then
 * added; TFLite's float MatrixBatchVectorMultiplyAccumulate). */
void spry_ref_gemv_acc_f32(const float *matrix, int32_t rows, int32_t cols, const float *vectors,
                           int32_t n_batch, float *result);

#endif /* SPRY_KERNELS_REFERENCE_HYBRID_GEMV_H */
