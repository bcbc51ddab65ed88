/* SPDX-License-Identifier: Apache-2.0 */
/* broadcast.c — broadcast shapes and per-operand strides for elementwise binary ops. */
#include "broadcast.h"

#include "kernel_util.h"

/* Dimension i of a shape aligned to `rank` trailing positions (1 if missing). */
static int32_t aligned_dim(int32_t rank, const int32_t *dims, int32_t out_rank, int32_t i) {
  const int32_t j = i - (out_rank - rank);
  return j < 0 ? 1 : dims[j];
}

static bool shape_ok(int32_t rank, const int32_t *dims) {
  if (rank < 0 || rank > SPRY_MAX_RANK || (rank > 0 && !dims)) return false;
  for (int32_t i = 0; i < rank; i++)
    if (dims[i] < 0) return false;
  return true;
}

bool spry_broadcast_shape(int32_t rank_a, const int32_t *dims_a, int32_t rank_b,
                          const int32_t *dims_b, int32_t *out_rank, int32_t *out_dims) {
  if (!shape_ok(rank_a, dims_a) || !shape_ok(rank_b, dims_b)) return false;
  const int32_t rank = rank_a > rank_b ? rank_a : rank_b;
  for (int32_t i = 0; i < rank; i++) {
    const int32_t da = aligned_dim(rank_a, dims_a, rank, i);
    const int32_t db = aligned_dim(rank_b, dims_b, rank, i);
    if (da != db && da != 1 && db != 1) return false;
    /* A 1 yields to the other size, so 1 against 0 gives an empty output. */
    out_dims[i] = da == 1 ? db : da;
  }
  *out_rank = rank;
  return true;
}

/* Row-major element strides of a shape aligned to the output rank, with 0
 * wherever the operand's dimension is 1 (repeated). */
static void operand_strides(int32_t rank, const int32_t *dims, int32_t out_rank, size_t *strides) {
  size_t stride = 1;
  for (int32_t i = out_rank - 1; i >= 0; i--) {
    const int32_t d = aligned_dim(rank, dims, out_rank, i);
    strides[i] = d == 1 ? 0 : stride;
    stride *= (size_t)(d > 0 ? d : 1);
  }
}

SPRY_PREPARE_CODE
bool spry_broadcast_init(SpryBroadcast *bc, int32_t rank_a, const int32_t *dims_a, int32_t rank_b,
                         const int32_t *dims_b) {
  if (!spry_broadcast_shape(rank_a, dims_a, rank_b, dims_b, &bc->rank, bc->dims)) return false;
  size_t count = 1;
  for (int32_t i = 0; i < bc->rank; i++) {
    const size_t d = (size_t)bc->dims[i];
    if (d != 0 && count > SIZE_MAX / d) return false;
    count *= d;
  }
  bc->count = count;
  /* Operand element counts never exceed the output's (each of their
   * dimensions is 1 or equal to the output's), so the strides cannot
   * overflow once the output count fits. */
  operand_strides(rank_a, dims_a, bc->rank, bc->stride_a);
  operand_strides(rank_b, dims_b, bc->rank, bc->stride_b);
  return true;
}

bool spry_broadcast_is_elementwise(const SpryBroadcast *bc) {
  for (int32_t i = 0; i < bc->rank; i++)
    if (bc->dims[i] != 1 && (bc->stride_a[i] == 0 || bc->stride_b[i] == 0)) return false;
  return true;
}
