/* SPDX-License-Identifier: Apache-2.0 */
/* concat_split.c — reference joins and cuts along one axis, with TFLite's uint8 rescaling. */
#include "concat_split.h"

#include <math.h>
#include <string.h>

/* round(x * scale + bias) + zero_point; the clamp keeps the float-to-int
 * conversion defined (TFLite's int32 would overflow there anyway) and is
 * wider than every quantized type, so the final saturation is unchanged. */
static int32_t requantize(int32_t x, float scale, float bias, int32_t zero_point) {
  float r = roundf((float)x * scale + bias);
  if (r > 1073741824.0f) r = 1073741824.0f;
  if (r < -1073741824.0f) r = -1073741824.0f;
  return (int32_t)r + zero_point;
}

void spry_ref_concat(const SpryConcatParams *params, const SpryConcatPart *parts, int32_t count,
                     void *output) {
  spry_ref_concat_range(params, parts, count, 0, params->outer, output);
}

void spry_ref_concat_range(const SpryConcatParams *params, const SpryConcatPart *parts,
                           int32_t count, size_t first, size_t last, void *output) {
  const size_t es = params->elem_size;
  size_t row = 0; /* output elements per outer step */
  for (int32_t p = 0; p < count; p++) row += parts[p].block;
  uint8_t *out = (uint8_t *)output + first * row * es;
  for (size_t o = first; o < last; o++) {
    for (int32_t p = 0; p < count; p++) {
      const SpryConcatPart *part = &parts[p];
      /* Zero-size parts have no buffer at all (data may be NULL). */
      if (part->block == 0) continue;
      const size_t at = o * part->block;
      if (!part->rescale) {
        memcpy(out, (const uint8_t *)part->data + at * es, part->block * es);
      } else {
        for (size_t j = 0; j < part->block; j++) {
          const int32_t x = spry_load_q(part->data, params->qtype, at + j);
          spry_store_q(out, params->qtype, j,
                       requantize(x, part->scale, part->bias, params->output_zero_point));
        }
      }
      out += part->block * es;
    }
  }
}

void spry_ref_split(size_t outer, size_t elem_size, const void *input, void *const *outputs,
                    const size_t *blocks, int32_t count) {
  const uint8_t *in = input;
  for (size_t o = 0; o < outer; o++) {
    for (int32_t p = 0; p < count; p++) {
      const size_t bytes = blocks[p] * elem_size;
      if (bytes == 0) continue; /* zero-size outputs have no buffer */
      memcpy((uint8_t *)outputs[p] + o * bytes, in, bytes);
      in += bytes;
    }
  }
}
