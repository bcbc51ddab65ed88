/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemm.h — the matrix-multiply micro-kernels behind the fast CONV_2D and
 * FULLY_CONNECTED paths, one set per instruction set.
 *
 * C[m][n] = sum_k A[m][k] * B[n][k]: A holds one row per output position
 * (an image patch, or a batch row), B one row per output channel (the
 * weights, OHWI as stored). A micro-kernel computes a tile of up to
 * SPRY_GEMM_MR rows by SPRY_GEMM_NR columns; B is packed once, at prepare,
 * into blocks of SPRY_GEMM_NR columns (the last block padded with zeros), so
 * a kernel reads each block front to back.
 *
 * Quantized (8-bit activations and weights): both operands are widened to
 * int16 with their offsets already added (x + input_offset, w +
 * filter_offset, both within [-255, 255]), so every product and every sum of
 * two products is exact in int32 and the int32 accumulator wraps exactly as
 * TFLite's does. A and B store K in pairs: A rows have k_pairs * 2 values,
 * zero past K; a B block is [k_pairs][SPRY_GEMM_NR][2] int16.
 *
 * Float: A rows have K floats; a B block is [K][SPRY_GEMM_NR] floats.
 */
#ifndef SPRY_KERNELS_FAST_GEMM_H
#define SPRY_KERNELS_FAST_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_isa.h"

#define SPRY_GEMM_MR 4
#define SPRY_GEMM_NR 16

/* acc[r][c] = sum over the k_pairs pairs of a[r*a_stride + 2p + j] *
 * b_block[(p*NR + c)*2 + j], for r < mr (1..MR) and every c < NR, modulo
 * 2^32. Rows r >= mr of acc are left as they are. */
typedef void (*SpryQgemmAccFn)(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                               const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]);

/* One row of quantized outputs from n (<= NR) accumulators:
 * clamp(MultiplyByQuantizedMultiplier(acc[c] + bias[c], multiplier[c],
 * shift[c]) + output_offset, act_min, act_max), stored as uint8 (`is_u8`) or
 * int8 — TFLite's per-channel requantization, bit for bit. */
typedef struct SpryQgemmOutput {
  const int32_t *bias;       /* per column (zeros where the op has none) */
  const int32_t *multiplier; /* per column */
  const int32_t *shift;      /* per column, TFLite's sign convention */
  int32_t output_offset;
  int32_t act_min, act_max;
  int is_u8;
} SpryQgemmOutput;
typedef void (*SpryQgemmRequantFn)(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                                   int32_t column, void *out);

/* c[r*c_stride + j] = clamp(bias[j] + sum_k a[r*a_stride + k] *
 * b_block[k*NR + j], lo, hi) for r < mr (1..MR) and j < nr (1..NR); bias
 * has NR entries (zeros where the op has none). The summation order is the
 * kernel's own: results stay within the float tolerance of the reference. */
typedef void (*SpryFgemmFn)(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                            const float *b_block, const float *bias, float lo, float hi, float *c,
                            size_t c_stride);

typedef struct SpryGemmKernels {
  SpryQgemmAccFn qgemm_acc;
  SpryQgemmRequantFn qgemm_requant;
  SpryFgemmFn fgemm;
} SpryGemmKernels;

/* The micro-kernels of a variant; NULL for SPRY_ISA_REFERENCE. */
const SpryGemmKernels *spry_gemm_kernels(SpryIsa isa);

/* The per-ISA tables (gemm_<isa>.c). Every entry is set: a variant without
 * its own kernel for an entry names the portable one below. */
extern const SpryGemmKernels spry_gemm_portable;
extern const SpryGemmKernels spry_gemm_avx2;
extern const SpryGemmKernels spry_gemm_neon;
extern const SpryGemmKernels spry_gemm_neondot;

void spry_qgemm_acc_portable(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                             const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]);
void spry_qgemm_requant_portable(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                                 int32_t column, void *out);
void spry_fgemm_portable(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                         const float *b_block, const float *bias, float lo, float hi, float *c,
                         size_t c_stride);

/* Bytes of a packed B of n columns and depth k (quantized: int16 pairs). */
size_t spry_qgemm_packed_bytes(int32_t n, int32_t k);
size_t spry_fgemm_packed_bytes(int32_t n, int32_t k);

/* Where B's element (column c, depth d) is stored: at c * column_stride +
 * d * depth_stride. Filters stored OHWI have (k, 1); depthwise filters,
 * [1, H, W, n], have (1, n). */
typedef struct SpryGemmLayout {
  size_t column_stride, depth_stride;
} SpryGemmLayout;

/* Packs B (`weights`: 8-bit values, signed unless `is_u8`), adding
 * filter_offset to each. */
void spry_qgemm_pack(int32_t n, int32_t k, const void *weights, SpryGemmLayout layout, int is_u8,
                     int32_t filter_offset, int16_t *packed);
void spry_fgemm_pack(int32_t n, int32_t k, const float *weights, SpryGemmLayout layout,
                     float *packed);

/* Number of int16 values in a quantized A row of depth k. */
static inline size_t spry_qgemm_row_values(int32_t k) { return ((size_t)k + 1) & ~(size_t)1; }

#endif /* SPRY_KERNELS_FAST_GEMM_H */
