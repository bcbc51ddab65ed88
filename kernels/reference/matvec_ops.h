/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matvec_ops.h — the matrix x vector products of the recurrent steps, as a
 * table a step receives from its op: the op picks a faster table at prepare
 * (kernels/fast/gemv.h) or passes NULL for the reference products.
 *
 * Any table must give the reference's results: gemv_acc_f32 within float
 * rounding of spry_ref_gemv_acc_f32 (only the summation order may differ),
 * dot_s8 exactly the int32 sum TFLite computes (wrapping modulo 2^32, so the
 * order of the products does not matter).
 */
#ifndef SPRY_KERNELS_REFERENCE_MATVEC_OPS_H
#define SPRY_KERNELS_REFERENCE_MATVEC_OPS_H

#include <stdint.h>

/* result[b][r] += matrix[r] . vectors[b]; matrix [rows][cols], vectors
 * [n_batch][cols], result [n_batch][rows]. */
typedef void (*SpryGemvAccF32)(const float *matrix, int32_t rows, int32_t cols,
                               const float *vectors, int32_t n_batch, float *result);

/* sum of a[i] * b[i] for i < n, wrapped to int32. */
typedef int32_t (*SpryDotS8)(const int8_t *a, const int8_t *b, int32_t n);

typedef struct SpryMatvecOps {
  SpryGemvAccF32 gemv_acc_f32;
  SpryDotS8 dot_s8;
} SpryMatvecOps;

#endif /* SPRY_KERNELS_REFERENCE_MATVEC_OPS_H */
