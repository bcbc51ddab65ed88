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
 * Quantized, 8-bit layout (variants with dot-product instructions, whose
 * table sets qgemm8_acc): A and B keep the 8-bit values as stored, and the
 * offsets come back as corrections,
 *
 *   sum (a + input_offset)(w + filter_offset)
 *     = sum a*w + filter_offset * sum a + input_offset * sum (w + filter_offset),
 *
 * all modulo 2^32, so the int32 results equal the int16 layout's bit for
 * bit, wrapping included. The last term is per column: packing stores it
 * after each block. K is stored in quads (4 consecutive depth values): an A
 * row has spry_qgemm8_row_bytes(k) bytes, zero past K; a B block is
 * [k_quads][SPRY_GEMM_NR][4] bytes, zero past K, then SPRY_GEMM_NR int32
 * column terms. A padding tap of A holds the input's zero point, which
 * makes its (a + input_offset) zero. Both operands have the node's type
 * (int8 x int8: SDOT, uint8 x uint8: UDOT); a mixed pair would flip the top
 * bit of its uint8 side, u = (int8_t)(u ^ 0x80) + 128, and add 128 to that
 * side's offset, making it int8 x int8 exactly. AVX-512 VNNI's VPDPBUSD
 * takes such a mixed pair itself (unsigned x signed): its kernel flips B's
 * top bits as it loads them and folds the +-128 into the filter_offset
 * term, so the layout is the same for every variant.
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

/* The shift constants of each column's requantization, derived from its
 * shift once, at prepare (spry_qgemm_shifts_derive), so that the vector
 * kernels derive nothing per call. Shifts lie within [-31, 31]. */
typedef struct SpryQgemmShifts {
  const int32_t *left;      /* max(shift, 0) */
  const int32_t *right;     /* max(-shift, 0) */
  const int32_t *neg_right; /* -right: for instructions that shift right by negative counts */
  const int32_t *mask;      /* 2^right - 1: the bits the right shift drops */
  const int32_t *half;      /* mask >> 1: the largest dropped part that rounds down */
} SpryQgemmShifts;

/* One row of quantized outputs from n (<= NR) accumulators:
 * clamp(MultiplyByQuantizedMultiplier(acc[c] + bias[c], multiplier[c],
 * shift[c]) + output_offset, act_min, act_max), stored as uint8 (`is_u8`) or
 * int8 — TFLite's per-channel requantization, bit for bit. */
typedef struct SpryQgemmOutput {
  const int32_t *bias;       /* per column (zeros where the op has none) */
  const int32_t *multiplier; /* per column */
  const int32_t *shift;      /* per column, TFLite's sign convention */
  SpryQgemmShifts shifts;    /* optional (all NULL: kernels derive them from shift) */
  int32_t output_offset;
  int32_t act_min, act_max;
  int is_u8;
} SpryQgemmOutput;

/* Number of int32 values spry_qgemm_shifts_derive stores for `columns`. */
static inline size_t spry_qgemm_shifts_values(size_t columns) { return 5 * columns; }

/* Derives the shift constants of `columns` shifts (each within [-31, 31])
 * into `table` (spry_qgemm_shifts_values(columns) values) and points *out
 * at them. */
void spry_qgemm_shifts_derive(size_t columns, const int32_t *shift, int32_t *table,
                              SpryQgemmShifts *out);
typedef void (*SpryQgemmRequantFn)(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                                   int32_t column, void *out);
/* qgemm_requant of rows r < mr (1..MR) of a tile (acc is only read), row
 * r stored at out + r * out_stride bytes: the per-column constants are
 * loaded once for all the rows. */
typedef void (*SpryQgemmRequantTileFn)(int32_t mr, int32_t n,
                                       int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                                       const SpryQgemmOutput *o, int32_t column, void *out,
                                       size_t out_stride);

/* c[r*c_stride + j] = clamp(bias[j] + sum_k A[r][k] * B[k][j], lo, hi) for
 * r < mr (1..fgemm_rows) and j < nr (1..NR * fgemm_blocks), where column j
 * of B is column j % NR of block j / NR, the blocks k*NR values each and
 * consecutive from b_block; bias has an entry for every column of the
 * blocks (zeros where the op has none). The summation order is the
 * kernel's own: results stay within the float tolerance of the reference.
 *
 * Row r of A is `segments` runs of k / segments values (k a multiple of
 * segments), run s at a + r*a_stride + s*segment_stride: one run is a
 * plain matrix; one run per filter row lets a convolution read a patch
 * that lies inside the image straight from its input, rows a stride
 * apart, with nothing gathered. */
typedef void (*SpryFgemmFn)(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                            int32_t segments, size_t segment_stride, const float *b_block,
                            const float *bias, float lo, float hi, float *c, size_t c_stride);

/* The 8-bit layout's accumulation: acc[r][c] = sum over k < 4 * k_quads of
 * a[r*a_stride + k] * w[c][k] + filter_offset * row_sums[r] + the block's
 * column term c, modulo 2^32, for r < mr (1..MR) and every c < NR; values
 * are int8, or uint8 when `is_u8`. row_sums[r] is sum_k a[r*a_stride + k]
 * modulo 2^32 (qgemm8_row_sums): the caller takes it once per row for
 * all the column blocks, and a kernel whose instruction needs a correction
 * of its own (VNNI's unsigned x signed) finds it there too. Rows r >= mr of
 * acc are left as they are; A rows are read in whole quads only. */
typedef void (*SpryQgemm8AccFn)(int32_t mr, int32_t k_quads, const uint8_t *a, size_t a_stride,
                                const uint8_t *b_block, const uint32_t *row_sums,
                                int32_t filter_offset, int is_u8,
                                int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]);

/* qgemm8_acc and qgemm_requant_tile fused over a column block: the output
 * bytes of rows r < rows (any count; out + r * out_stride) and columns
 * [column, column + nr) (nr 1..NR), with the fixed-point requantization of
 * o, as the two steps would give them. The sums stay in registers and the
 * columns' constants are loaded once for all the rows. */
typedef void (*SpryQgemm8ColumnFn)(int32_t rows, int32_t nr, int32_t k_quads, const uint8_t *a,
                                   size_t a_stride, const uint8_t *b_block,
                                   const uint32_t *row_sums, int32_t filter_offset,
                                   const SpryQgemmOutput *o, int32_t column, uint8_t *out,
                                   size_t out_stride);

/* qgemm_acc and qgemm_requant_tile fused over a column block, in the int16
 * layout: the output bytes of rows r < rows (any count; out + r *
 * out_stride) and columns [column, column + nr) (nr 1..NR), with the
 * fixed-point requantization of o. */
typedef void (*SpryQgemmColumnFn)(int32_t rows, int32_t nr, int32_t k_pairs, const int16_t *a,
                                  size_t a_stride, const int16_t *b_block,
                                  const SpryQgemmOutput *o, int32_t column, uint8_t *out,
                                  size_t out_stride);

/* sums[r] = sum of the first row_bytes values of A row r (at a + r *
 * a_stride; int8, or uint8 when `is_u8`), modulo 2^32, for r < rows: the
 * row sums qgemm8_acc takes. Rows are read to row_bytes only. */
typedef void (*SpryQgemm8RowSumsFn)(int32_t rows, size_t row_bytes, const uint8_t *a,
                                    size_t a_stride, int is_u8, uint32_t *sums);

/* dst[i] = src[i] + offset for i < n: 8-bit values (uint8 when `is_u8`,
 * else int8) widened to int16 with an offset in [-255, 255] — the int16
 * layout's A values. */
typedef void (*SpryQgemmWidenFn)(int32_t n, const void *src, int is_u8, int32_t offset,
                                 int16_t *dst);

/* Pairs [0, k / 2) of a whole block of B: SPRY_GEMM_NR rows of k 8-bit
 * weights, row c at rows + c * k (OHWI), widened with filter_offset into
 * the int16 layout (pair p of lane c at out[(p * NR + c) * 2]); returns
 * the end of what it wrote. Prepare's packing, which for a model of MBs of
 * weights took as long as the rest of its loading. */
typedef int16_t *(*SpryQgemmPackBlockFn)(const uint8_t *rows, int32_t k, int is_u8,
                                         int32_t filter_offset, int16_t *out);

typedef struct SpryGemmKernels {
  SpryQgemmAccFn qgemm_acc;
  SpryQgemmRequantTileFn qgemm_requant_tile;
  SpryFgemmFn fgemm;
  /* The most rows fgemm takes a call: MR, or more where the registers hold
   * more rows' sums (AVX-512: 2 * MR, enough independent sums to keep both
   * FMA ports busy). */
  int32_t fgemm_rows;
  /* The most column blocks fgemm takes a call: 1, or 2 on AVX-512, whose
   * 32 registers hold 8 rows of two blocks. */
  int32_t fgemm_blocks;
  SpryQgemmWidenFn qgemm_widen;
  SpryQgemmPackBlockFn qgemm_pack_block; /* optional: NULL takes the portable one */
  SpryQgemm8AccFn qgemm8_acc; /* optional: NULL where the variant has no 8-bit layout */
  SpryQgemm8RowSumsFn qgemm8_row_sums; /* set where qgemm8_acc is */
  SpryQgemm8ColumnFn qgemm8_column;    /* optional: NULL where the steps stay apart */
  SpryQgemmColumnFn qgemm_column;      /* optional: NULL where the steps stay apart */
} SpryGemmKernels;

/* The micro-kernels of a variant; NULL for SPRY_ISA_REFERENCE. */
const SpryGemmKernels *spry_gemm_kernels(SpryIsa isa);

/* A variant's one-row requantization (SpryQgemmRequantFn); NULL for
 * SPRY_ISA_REFERENCE. Only TRANSPOSE_CONV runs it: kept out of the table,
 * whose entries every convolution links, it stays out of a build without
 * that op. */
SpryQgemmRequantFn spry_qgemm_requant_kernel(SpryIsa isa);

/* The per-ISA tables (gemm_<isa>.c). Every entry but the 8-bit layout's
 * two is set: a variant without its own kernel for an entry names the
 * portable one (or, neondot, the NEON one; avx512vnni, the AVX2 one)
 * below. */
extern const SpryGemmKernels spry_gemm_portable;
extern const SpryGemmKernels spry_gemm_avx2;
extern const SpryGemmKernels spry_gemm_neon;
extern const SpryGemmKernels spry_gemm_neondot;
extern const SpryGemmKernels spry_gemm_avx512vnni;

void spry_qgemm_acc_portable(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                             const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]);
void spry_qgemm_requant_portable(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                                 int32_t column, void *out);
void spry_qgemm_requant_tile_portable(int32_t mr, int32_t n,
                                      int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                                      const SpryQgemmOutput *o, int32_t column, void *out,
                                      size_t out_stride);
void spry_qgemm_widen_portable(int32_t n, const void *src, int is_u8, int32_t offset,
                               int16_t *dst);
void spry_fgemm_portable(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                         int32_t segments, size_t segment_stride, const float *b_block,
                         const float *bias, float lo, float hi, float *c, size_t c_stride);
/* gemm_neon.c's, which the neondot table shares. */
void spry_qgemm_acc_neon(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                         const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]);
void spry_qgemm_requant_neon(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                             int32_t column, void *out);
void spry_qgemm_requant_tile_neon(int32_t mr, int32_t n,
                                  int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR],
                                  const SpryQgemmOutput *o, int32_t column, void *out,
                                  size_t out_stride);
void spry_fgemm_neon(int32_t mr, int32_t nr, int32_t k, const float *a, size_t a_stride,
                     int32_t segments, size_t segment_stride, const float *b_block,
                     const float *bias, float lo, float hi, float *c, size_t c_stride);
void spry_qgemm_widen_neon(int32_t n, const void *src, int is_u8, int32_t offset, int16_t *dst);

/* gemm_avx2.c's, which the avx512vnni table shares. */
void spry_qgemm_acc_avx2(int32_t mr, int32_t k_pairs, const int16_t *a, size_t a_stride,
                         const int16_t *b_block, int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR]);
void spry_qgemm_widen_avx2(int32_t n, const void *src, int is_u8, int32_t offset, int16_t *dst);
int16_t *spry_qgemm_pack_block_avx2(const uint8_t *rows, int32_t k, int is_u8,
                                    int32_t filter_offset, int16_t *out);
/* The one-row requantization of AVX2 and AVX-512 VNNI alike. */
void spry_qgemm_requant_avx2(int32_t n, const int32_t *acc, const SpryQgemmOutput *o,
                             int32_t column, void *out);

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
 * filter_offset to each, whole blocks by the variant's qgemm_pack_block
 * (`kernels` may be NULL: the portable code throughout). */
void spry_qgemm_pack(const SpryGemmKernels *kernels, int32_t n, int32_t k, const void *weights,
                     SpryGemmLayout layout, int is_u8, int32_t filter_offset, int16_t *packed);

/* The portable qgemm_pack_block. */
int16_t *spry_qgemm_pack_block_portable(const uint8_t *rows, int32_t k, int is_u8,
                                        int32_t filter_offset, int16_t *out);
void spry_fgemm_pack(int32_t n, int32_t k, const float *weights, SpryGemmLayout layout,
                     float *packed);

/* Number of int16 values in a quantized A row of depth k. */
static inline size_t spry_qgemm_row_values(int32_t k) { return ((size_t)k + 1) & ~(size_t)1; }

/* The 8-bit layout: bytes of an A row (and of a B column) of depth k, and
 * of one packed B block with its column terms. */
static inline size_t spry_qgemm8_row_bytes(int32_t k) { return ((size_t)k + 3) & ~(size_t)3; }
static inline size_t spry_qgemm8_block_bytes(int32_t k) {
  return (spry_qgemm8_row_bytes(k) + sizeof(int32_t)) * SPRY_GEMM_NR;
}
size_t spry_qgemm8_packed_bytes(int32_t n, int32_t k);

/* The portable SpryQgemm8RowSumsFn (a model for the vector ones). */
void spry_qgemm8_row_sums(int32_t rows, size_t row_bytes, const uint8_t *a, size_t a_stride,
                          int is_u8, uint32_t *sums);

/* Packs B in the 8-bit layout: the weights' bytes as they are, and per
 * column input_offset * sum_k (w + filter_offset) modulo 2^32 (0 past n). */
void spry_qgemm8_pack(int32_t n, int32_t k, const void *weights, SpryGemmLayout layout, int is_u8,
                      int32_t filter_offset, int32_t input_offset, uint8_t *packed);

#endif /* SPRY_KERNELS_FAST_GEMM_H */
