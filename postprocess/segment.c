/* SPDX-License-Identifier: Apache-2.0 */
/* segment.c — segmentation outputs (scores, class ids, probability masks) → per-pixel class maps. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

void spry_segment_options_init(SprySegmentOptions *options)
{
  if (options == NULL)
    return;
  options->mask_threshold = 0.5f;
  options->num_classes = 0;
}

/* Accepts [1,H,W,C] or, for one channel (single_channel), [1,H,W] too.
 * Checks the class map can hold H * W bytes. */
static SpryStatus segment_shape(const SpryTensorView *view, const char *what, int single_channel,
                                SprySegmentation *seg, int32_t *out_channels, SpryPostError *err)
{
  if (seg == NULL || (seg->class_map == NULL && seg->capacity > 0))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "%s: bad segmentation buffer", what);
  SpryStatus status = spry_post_check_view(view, what, err);
  if (status != SPRY_OK)
    return status;
  const SpryTensorInfo *info = &view->info;
  char text[64];
  int32_t rank = info->rank;
  int ok = (rank == 4 || (rank == 3 && single_channel)) && info->dims[0] == 1;
  int32_t h = ok ? info->dims[1] : 0, w = ok ? info->dims[2] : 0;
  int32_t c = rank == 4 ? info->dims[3] : 1;
  if (!ok || h < 1 || w < 1 || c < 1 || (single_channel && c != 1))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "%s: unexpected shape %s", what,
                          spry_post_shape(view, text, sizeof text));
  size_t pixels = (size_t)h * (size_t)w; /* view_check bounded the product */
  if (pixels > seg->capacity)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "%s: class map needs %zu bytes, buffer holds %zu", what, pixels,
                          seg->capacity);
  seg->height = h;
  seg->width = w;
  *out_channels = c;
  return SPRY_OK;
}

SpryStatus spry_segment_scores(const SpryTensorView *scores, SprySegmentation *seg,
                               SpryPostError *err)
{
  int32_t c = 0;
  SpryStatus status = segment_shape(scores, "segment scores", 0, seg, &c, err);
  if (status != SPRY_OK)
    return status;
  if (c < 2 || c > 256)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "segment scores: %d classes, need 2..256 for a class map", (int)c);
  size_t pixels = (size_t)seg->width * (size_t)seg->height;
  for (size_t p = 0; p < pixels; p++) {
    size_t base = p * (size_t)c;
    float best = spry_tensor_view_value(scores, base);
    int32_t arg = 0;
    for (int32_t k = 1; k < c; k++) {
      float v = spry_tensor_view_value(scores, base + (size_t)k);
      /* Strictly greater: ties stay with the lower class; NaN never wins. */
      if (v > best || isnan(best)) {
        best = v;
        arg = k;
      }
    }
    seg->class_map[p] = (uint8_t)arg;
  }
  seg->num_classes = c;
  spry_post_ok(err);
  return SPRY_OK;
}

/* Class id of pixel p as int64, read without going through float (int64 ids
 * beyond 2^24 must not round into range). */
static int64_t segment_id(const SpryTensorView *ids, size_t p)
{
  const unsigned char *data = ids->data;
  switch (ids->info.type) {
  case SPRY_TYPE_UINT8:
    return data[p];
  case SPRY_TYPE_INT32: {
    int32_t v;
    memcpy(&v, data + 4 * p, 4);
    return v;
  }
  default: {
    int64_t v;
    memcpy(&v, data + 8 * p, 8);
    return v;
  }
  }
}

SpryStatus spry_segment_ids(const SpryTensorView *ids, int32_t num_classes, SprySegmentation *seg,
                            SpryPostError *err)
{
  if (num_classes < 0 || num_classes > 256)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "segment ids: num_classes %d not in [0, 256]", (int)num_classes);
  int32_t c = 0;
  SpryStatus status = segment_shape(ids, "segment ids", 1, seg, &c, err);
  if (status != SPRY_OK)
    return status;
  SpryType t = ids->info.type;
  if (t != SPRY_TYPE_UINT8 && t != SPRY_TYPE_INT32 && t != SPRY_TYPE_INT64)
    return spry_post_fail(err, SPRY_ERROR_UNSUPPORTED,
                          "segment ids: class ids must be uint8, int32 or int64, got %s",
                          spry_type_name(t));
  int32_t limit = num_classes == 0 ? 256 : num_classes;
  size_t pixels = (size_t)seg->width * (size_t)seg->height;
  for (size_t p = 0; p < pixels; p++) {
    int64_t id = segment_id(ids, p);
    if (id < 0 || id >= limit)
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                            "segment ids: pixel %zu has class %lld, outside [0, %d)", p,
                            (long long)id, (int)limit);
    seg->class_map[p] = (uint8_t)id;
  }
  seg->num_classes = limit;
  spry_post_ok(err);
  return SPRY_OK;
}

SpryStatus spry_segment_mask(const SpryTensorView *probability, float threshold,
                             SprySegmentation *seg, SpryPostError *err)
{
  int32_t c = 0;
  SpryStatus status = segment_shape(probability, "segment mask", 1, seg, &c, err);
  if (status != SPRY_OK)
    return status;
  size_t pixels = (size_t)seg->width * (size_t)seg->height;
  for (size_t p = 0; p < pixels; p++)
    seg->class_map[p] = spry_tensor_view_value(probability, p) >= threshold ? 1 : 0;
  seg->num_classes = 2;
  spry_post_ok(err);
  return SPRY_OK;
}

SpryStatus spry_segment(const SpryTensorView *output, const SprySegmentOptions *options,
                        SprySegmentation *seg, SpryPostError *err)
{
  if (options == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "segment: options are NULL");
  SpryStatus status = spry_post_check_view(output, "segment", err);
  if (status != SPRY_OK)
    return status;
  const SpryTensorInfo *info = &output->info;
  int32_t channels = info->rank == 4 ? info->dims[3] : 1;
  if (channels > 1)
    return spry_segment_scores(output, seg, err);
  SpryType t = info->type;
  int is_id = (t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT32 || t == SPRY_TYPE_INT64) &&
              info->scale == 0.0f;
  if (is_id)
    return spry_segment_ids(output, options->num_classes, seg, err);
  return spry_segment_mask(output, options->mask_threshold, seg, err);
}

SpryStatus spry_segment_fractions(const SprySegmentation *seg, float *fractions,
                                  int32_t num_fractions, SpryPostError *err)
{
  if (seg == NULL || fractions == NULL || num_fractions < 0 || seg->width < 0 || seg->height < 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "segment fractions: bad arguments");
  size_t pixels = (size_t)seg->width * (size_t)seg->height;
  if (pixels > seg->capacity || (pixels > 0 && seg->class_map == NULL))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "segment fractions: %d x %d map exceeds its buffer", (int)seg->width,
                          (int)seg->height);
  size_t counts[256] = {0};
  for (size_t p = 0; p < pixels; p++)
    counts[seg->class_map[p]]++;
  for (int32_t c = 0; c < num_fractions; c++)
    fractions[c] = (c < 256 && pixels > 0) ? (float)((double)counts[c] / (double)pixels) : 0.0f;
  spry_post_ok(err);
  return SPRY_OK;
}
