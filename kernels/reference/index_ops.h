/* SPDX-License-Identifier: Apache-2.0 */
/*
 * index_ops.h — reference loops of the index and generator ops: ONE_HOT,
 * CUMSUM, TOPK_V2, BROADCAST_ARGS, SCATTER_ND and RANGE.
 *
 * Layout is row-major; every buffer is a raw element array of the stated
 * type. Callers validate shapes and sizes; the loops only check what depends
 * on run-time data (indices, shape values) and report it by return value.
 * Each function names the TFLite kernel it matches (tensorflow/lite/kernels/).
 */
#ifndef SPRY_KERNELS_REFERENCE_INDEX_OPS_H
#define SPRY_KERNELS_REFERENCE_INDEX_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

/* one_hot.cc: output viewed as [prefix, depth, suffix] holds `on` where
 * (int32)indices[p * suffix + s] == j, else `off` (elements of elem_size
 * bytes). int64 indices are narrowed to int32 first, as TFLite's
 * static_cast<int> does; indices outside [0, depth) give all-off rows. */
void spry_ref_one_hot(const void *indices, SpryType index_type, size_t prefix, int32_t depth,
                      size_t suffix, const void *on, const void *off, size_t elem_size,
                      void *output);

/* cumsum.cc (optimized_ops::CumSum): running sums along an axis viewed as
 * [outer, n, inner], walked backwards when `reverse`; `exclusive` stores the
 * sum before adding each element. float32 accumulates in float in walk order;
 * int32/int64 wrap modulo their width. */
void spry_ref_cumsum(SpryType type, const void *input, void *output, size_t outer, int32_t n,
                     size_t inner, bool exclusive, bool reverse);

/* topk_v2.cc: for each of `rows` rows of row_size elements, the k largest
 * values in decreasing order, ties broken towards the lower index (TFLite's
 * comparator is a strict total order on (value, index) without NaN, so
 * the result is unique). Indices are stored as index_type (INT32 or INT16). */
void spry_ref_topk(SpryType type, const void *input, size_t rows, int32_t row_size, int32_t k,
                   void *values, SpryType index_type, void *indices);

/* broadcast_args.cc: the broadcast shape of two int32/int64 shape vectors
 * (right-aligned, out_len = max(n0, n1)). False when two dimensions differ
 * and neither is 1. */
bool spry_ref_broadcast_args(SpryType type, const void *s0, int32_t n0, const void *s1,
                             int32_t n1, void *output, int32_t out_len);

typedef struct SpryScatterNdParams {
  size_t num_slices;            /* product of indices' outer dims */
  int32_t index_depth;          /* indices' last dim: coordinates per slice */
  int32_t out_dims[SPRY_MAX_RANK]; /* leading index_depth output dims */
  size_t out_strides[SPRY_MAX_RANK]; /* in slices of slice_size elements */
  size_t slice_size;            /* elements copied per index */
  size_t output_count;
} SpryScatterNdParams;

/* reference_ops::ScatterNd: zeroes the output, then adds each update slice
 * at its int32 coordinates (duplicates accumulate in update order; bool adds
 * as OR, integers wrap). Returns the first slice whose coordinate lies
 * outside its dimension — checked per coordinate, stricter than TFLite's
 * flat bound — or -1 when all are valid (nothing is written then either
 * way past the output). */
int64_t spry_ref_scatter_nd(const SpryScatterNdParams *p, SpryType type, const int32_t *indices,
                            const void *updates, void *output);

/* range.cc: output[i] = start + i * delta by repeated addition (float
 * rounding as TFLite's running sum; integers wrap). start and delta point to
 * one element of `type` (INT32, INT64 or FLOAT32). */
void spry_ref_range(SpryType type, const void *start, const void *delta, size_t count,
                    void *output);

#endif /* SPRY_KERNELS_REFERENCE_INDEX_OPS_H */
