/* SPDX-License-Identifier: Apache-2.0 */
/*
 * space_batch.h — reference SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on NHWC
 * tensors (3-D inputs are viewed as [N, H, 1, C] with a block width of 1).
 *
 * Both ops relate a "space" tensor [batch, height, width, depth] to a
 * "batch" tensor [batch * block_h * block_w, blocks_h, blocks_w, depth]:
 * batch element b' = (shift_h * block_w + shift_w) * batch + b at (y, x)
 * corresponds to space element b at (y * block_h + shift_h - offset_h,
 * x * block_w + shift_w - offset_w), where offset is the leading padding
 * (SPACE_TO_BATCH_ND) or crop (BATCH_TO_SPACE_ND). Batch positions that fall
 * outside the space tensor are padding (filled with pad_elem) or cropped
 * away. Matches TFLite's reference_ops::SpaceToBatchND / BatchToSpaceND;
 * elements move with memcpy by element size, so one loop serves every type.
 */
#ifndef SPRY_KERNELS_REFERENCE_SPACE_BATCH_H
#define SPRY_KERNELS_REFERENCE_SPACE_BATCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct SprySpaceBatchShape {
  int32_t batch, height, width, depth; /* the space tensor */
  int32_t block_h, block_w;
  int32_t blocks_h, blocks_w; /* spatial size of the batch tensor */
  int32_t offset_h, offset_w; /* leading padding / crop */
} SprySpaceBatchShape;

/* space -> batch; pad_elem points at one element of elem_size bytes. */
void spry_ref_space_to_batch(const SprySpaceBatchShape *shape, const void *space, void *batch,
                             size_t elem_size, const void *pad_elem);

/* batch -> space. */
void spry_ref_batch_to_space(const SprySpaceBatchShape *shape, const void *batch, void *space,
                             size_t elem_size);

#endif /* SPRY_KERNELS_REFERENCE_SPACE_BATCH_H */
