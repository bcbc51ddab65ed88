/* SPDX-License-Identifier: Apache-2.0 */
/* space_batch.c — reference SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND element moves. */
#include "space_batch.h"

#include <stdbool.h>
#include <string.h>

/* The space tensor's element offset of the first channel matching batch
 * position (ob, y, x); false when it lies in the padding / crop. */
static bool space_offset(const SprySpaceBatchShape *s, int32_t ob, int32_t y, int32_t x,
                         size_t *offset) {
  const int32_t shift = ob / s->batch;
  const int32_t b = ob % s->batch;
  const int64_t sy = (int64_t)y * s->block_h + shift / s->block_w - s->offset_h;
  const int64_t sx = (int64_t)x * s->block_w + shift % s->block_w - s->offset_w;
  if (sy < 0 || sy >= s->height || sx < 0 || sx >= s->width) return false;
  *offset = (((size_t)b * (size_t)s->height + (size_t)sy) * (size_t)s->width + (size_t)sx) *
            (size_t)s->depth;
  return true;
}

/* Walks every batch-side pixel; to_batch picks the direction of the copy. */
static void walk(const SprySpaceBatchShape *s, uint8_t *space, uint8_t *batch, size_t elem_size,
                 const void *pad_elem, bool to_batch) {
  const int32_t batches = s->batch * s->block_h * s->block_w;
  const size_t run = (size_t)s->depth * elem_size;
  size_t at = 0; /* batch-side byte offset */
  for (int32_t ob = 0; ob < batches; ob++)
    for (int32_t y = 0; y < s->blocks_h; y++)
      for (int32_t x = 0; x < s->blocks_w; x++, at += run) {
        size_t off = 0;
        const bool inside = space_offset(s, ob, y, x, &off);
        if (to_batch && inside) {
          memcpy(batch + at, space + off * elem_size, run);
        } else if (to_batch) {
          for (int32_t c = 0; c < s->depth; c++)
            memcpy(batch + at + (size_t)c * elem_size, pad_elem, elem_size);
        } else if (inside) {
          memcpy(space + off * elem_size, batch + at, run);
        }
      }
}

void spry_ref_space_to_batch(const SprySpaceBatchShape *shape, const void *space, void *batch,
                             size_t elem_size, const void *pad_elem) {
  /* The space side is only read in this direction. */
  walk(shape, (uint8_t *)(uintptr_t)space, batch, elem_size, pad_elem, true);
}

void spry_ref_batch_to_space(const SprySpaceBatchShape *shape, const void *batch, void *space,
                             size_t elem_size) {
  walk(shape, space, (uint8_t *)(uintptr_t)batch, elem_size, NULL, false);
}
