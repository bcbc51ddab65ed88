/* SPDX-License-Identifier: Apache-2.0 */
/* anchors.c — SSD anchor generation with the semantics of MediaPipe's SsdAnchorsCalculator. */
#include <math.h>
#include <string.h>

#include "internal.h"

/* Anchors of one grid cell for a group of layers sharing a stride. */
#define ANCHOR_MAX_PER_CELL (SPRY_ANCHOR_MAX_LAYERS * (SPRY_ANCHOR_MAX_ASPECT_RATIOS + 3))

/* Largest feature map side: keeps every count far from int32 overflow. */
#define ANCHOR_MAX_FEATURE_SIDE 4096

void spry_anchor_options_init(SpryAnchorOptions *options)
{
  if (options == NULL)
    return;
  memset(options, 0, sizeof *options);
  options->anchor_offset_x = 0.5f;
  options->anchor_offset_y = 0.5f;
  options->interpolated_scale_aspect_ratio = 1.0f;
}

void spry_anchor_options_face_short_range(SpryAnchorOptions *options)
{
  if (options == NULL)
    return;
  spry_anchor_options_init(options);
  options->num_layers = 4;
  options->min_scale = 0.1484375f;
  options->max_scale = 0.75f;
  options->input_width = 128;
  options->input_height = 128;
  const int32_t strides[4] = {8, 16, 16, 16};
  memcpy(options->strides, strides, sizeof strides);
  options->num_aspect_ratios = 1;
  options->aspect_ratios[0] = 1.0f;
  options->fixed_anchor_size = 1;
}

/* Scale of layer `index` of `count`, linear between min and max. */
static float anchor_scale(const SpryAnchorOptions *o, int32_t index, int32_t count)
{
  if (count == 1)
    return (o->min_scale + o->max_scale) * 0.5f;
  return o->min_scale + (o->max_scale - o->min_scale) * (float)index / ((float)count - 1.0f);
}

static SpryStatus anchor_validate(const SpryAnchorOptions *o, SpryPostError *err)
{
  if (o == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: options are NULL");
  if (o->num_layers < 1 || o->num_layers > SPRY_ANCHOR_MAX_LAYERS)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: num_layers %d not in [1, %d]",
                          (int)o->num_layers, SPRY_ANCHOR_MAX_LAYERS);
  if (o->num_aspect_ratios < 0 || o->num_aspect_ratios > SPRY_ANCHOR_MAX_ASPECT_RATIOS)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "anchors: num_aspect_ratios %d not in [0, %d]",
                          (int)o->num_aspect_ratios, SPRY_ANCHOR_MAX_ASPECT_RATIOS);
  for (int32_t i = 0; i < o->num_aspect_ratios; i++)
    if (!(o->aspect_ratios[i] > 0.0f) || !isfinite(o->aspect_ratios[i]))
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: aspect ratio %d invalid",
                            (int)i);
  if (!isfinite(o->min_scale) || !isfinite(o->max_scale) || !isfinite(o->anchor_offset_x) ||
      !isfinite(o->anchor_offset_y) || !isfinite(o->interpolated_scale_aspect_ratio))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: non-finite option");
  for (int32_t l = 0; l < o->num_layers; l++) {
    int32_t fw = o->feature_map_width[l], fh = o->feature_map_height[l];
    int need_stride = fw == 0 || fh == 0;
    if (need_stride && (o->strides[l] < 1 || o->input_width < 1 || o->input_height < 1))
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                            "anchors: layer %d needs a stride >= 1 and an input size", (int)l);
    if (fw < 0 || fh < 0 || fw > ANCHOR_MAX_FEATURE_SIDE || fh > ANCHOR_MAX_FEATURE_SIDE)
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                            "anchors: feature map of layer %d out of range", (int)l);
  }
  return SPRY_OK;
}

/* Per-cell anchor sizes of the layers [first, *out_end) that share the stride
 * of `first` (MediaPipe merges them into one grid). Returns the count. */
static int32_t anchor_cell_sizes(const SpryAnchorOptions *o, int32_t first, int32_t *out_end,
                                 float *widths, float *heights)
{
  int32_t n = 0, last = first;
  for (; last < o->num_layers && o->strides[last] == o->strides[first]; last++) {
    float scale = anchor_scale(o, last, o->num_layers);
    if (last == 0 && o->reduce_boxes_in_lowest_layer) {
      const float ratios[3] = {1.0f, 2.0f, 0.5f};
      const float scales[3] = {0.1f, scale, scale};
      for (int32_t i = 0; i < 3; i++) {
        widths[n] = scales[i] * sqrtf(ratios[i]);
        heights[n++] = scales[i] / sqrtf(ratios[i]);
      }
      continue;
    }
    for (int32_t i = 0; i < o->num_aspect_ratios; i++) {
      widths[n] = scale * sqrtf(o->aspect_ratios[i]);
      heights[n++] = scale / sqrtf(o->aspect_ratios[i]);
    }
    if (o->interpolated_scale_aspect_ratio > 0.0f) {
      /* The extra anchor sits between this scale and the next (1 past the end). */
      float next = last == o->num_layers - 1 ? 1.0f : anchor_scale(o, last + 1, o->num_layers);
      float s = sqrtf(scale * next), r = sqrtf(o->interpolated_scale_aspect_ratio);
      widths[n] = s * r;
      heights[n++] = s / r;
    }
  }
  *out_end = last;
  return n;
}

/* Grid size of layer l: given, or the input divided by the stride, rounded up. */
static void anchor_grid(const SpryAnchorOptions *o, int32_t l, int32_t *fw, int32_t *fh)
{
  *fw = o->feature_map_width[l];
  *fh = o->feature_map_height[l];
  if (*fw == 0 || *fh == 0) {
    *fw = (int32_t)((o->input_width + (int64_t)o->strides[l] - 1) / o->strides[l]);
    *fh = (int32_t)((o->input_height + (int64_t)o->strides[l] - 1) / o->strides[l]);
  }
}

/* Writes the anchors of one grid (a group of layers sharing a stride). */
static void anchor_fill(const SpryAnchorOptions *o, int32_t fw, int32_t fh, int32_t per_cell,
                        const float *widths, const float *heights, SpryAnchor *out)
{
  for (int32_t y = 0; y < fh; y++)
    for (int32_t x = 0; x < fw; x++)
      for (int32_t a = 0; a < per_cell; a++, out++) {
        out->x_center = ((float)x + o->anchor_offset_x) / (float)fw;
        out->y_center = ((float)y + o->anchor_offset_y) / (float)fh;
        out->w = o->fixed_anchor_size ? 1.0f : widths[a];
        out->h = o->fixed_anchor_size ? 1.0f : heights[a];
      }
}

/* Counts every anchor, and writes them when `out` is not NULL. */
static SpryStatus anchor_walk(const SpryAnchorOptions *o, SpryAnchor *out, int32_t capacity,
                              int32_t *out_count, SpryPostError *err)
{
  float widths[ANCHOR_MAX_PER_CELL], heights[ANCHOR_MAX_PER_CELL];
  int64_t total = 0;
  for (int32_t l = 0; l < o->num_layers;) {
    int32_t end = l;
    int32_t per_cell = anchor_cell_sizes(o, l, &end, widths, heights);
    int32_t fw, fh;
    anchor_grid(o, l, &fw, &fh);
    if (fw > ANCHOR_MAX_FEATURE_SIDE || fh > ANCHOR_MAX_FEATURE_SIDE)
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                            "anchors: feature map of layer %d too large", (int)l);
    /* At most 4096 * 4096 * 88 per group: no int64 overflow. */
    int64_t group = (int64_t)fw * fh * per_cell;
    if (total + group > INT32_MAX)
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: too many anchors");
    if (out != NULL) {
      if (total + group > capacity)
        return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                              "anchors: output holds %d anchors, more are needed", (int)capacity);
      anchor_fill(o, fw, fh, per_cell, widths, heights, out + total);
    }
    total += group;
    l = end;
  }
  *out_count = (int32_t)total;
  return SPRY_OK;
}

SpryStatus spry_anchors_count(const SpryAnchorOptions *options, int32_t *out_count,
                              SpryPostError *err)
{
  if (out_count == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: out_count is NULL");
  *out_count = 0;
  SpryStatus status = anchor_validate(options, err);
  if (status == SPRY_OK)
    status = anchor_walk(options, NULL, 0, out_count, err);
  if (status == SPRY_OK)
    spry_post_ok(err);
  return status;
}

SpryStatus spry_anchors_generate(const SpryAnchorOptions *options, SpryAnchor *out,
                                 int32_t capacity, int32_t *out_count, SpryPostError *err)
{
  if (out == NULL || out_count == NULL || capacity < 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "anchors: bad arguments");
  *out_count = 0;
  SpryStatus status = anchor_validate(options, err);
  if (status == SPRY_OK)
    status = anchor_walk(options, out, capacity, out_count, err);
  if (status == SPRY_OK)
    spry_post_ok(err);
  return status;
}
