/* SPDX-License-Identifier: Apache-2.0 */
/* nms.c — non-maximum suppression of detections: hard (by IoU) and MediaPipe's weighted variant. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

float spry_box_iou(const SpryDetection *a, const SpryDetection *b)
{
  if (a == NULL || b == NULL)
    return 0.0f;
  float x0 = fmaxf(a->x, b->x), y0 = fmaxf(a->y, b->y);
  float x1 = fminf(a->x + a->w, b->x + b->w), y1 = fminf(a->y + a->h, b->y + b->h);
  if (!(x1 >= x0) || !(y1 >= y0))
    return 0.0f;
  float inter = (x1 - x0) * (y1 - y0);
  float uni = a->w * a->h + b->w * b->h - inter;
  return uni > 0.0f ? inter / uni : 0.0f;
}

/* Sort key: the score, then the original position so that ties are stable. */
typedef struct NmsOrder {
  float score;
  int32_t pos;
} NmsOrder;

static int nms_compare(const void *pa, const void *pb)
{
  const NmsOrder *a = pa, *b = pb;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Reorders dets best first (NaN scores last). */
static SpryStatus nms_sort(SpryDetection *dets, int32_t count, SpryPostError *err)
{
  if ((size_t)count > SIZE_MAX / sizeof(SpryDetection))
    return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "nms: too many detections");
  NmsOrder *order = malloc((size_t)count * sizeof *order);
  SpryDetection *copy = malloc((size_t)count * sizeof *copy);
  if (order == NULL || copy == NULL) {
    free(order);
    free(copy);
    return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "nms: out of memory");
  }
  for (int32_t i = 0; i < count; i++) {
    order[i].score = isnan(dets[i].score) ? -INFINITY : dets[i].score;
    order[i].pos = i;
  }
  qsort(order, (size_t)count, sizeof *order, nms_compare);
  memcpy(copy, dets, (size_t)count * sizeof *copy);
  for (int32_t i = 0; i < count; i++)
    dets[i] = copy[order[i].pos];
  free(order);
  free(copy);
  return SPRY_OK;
}

/* Keeps a box unless it overlaps an already kept, better one. */
static int32_t nms_hard(SpryDetection *dets, int32_t count, const SpryNmsOptions *o, int32_t limit)
{
  int32_t kept = 0;
  for (int32_t i = 0; i < count && kept < limit; i++) {
    int suppressed = 0;
    for (int32_t k = 0; k < kept && !suppressed; k++)
      suppressed = spry_box_iou(&dets[k], &dets[i]) > o->iou_threshold;
    if (!suppressed)
      dets[kept++] = dets[i];
  }
  return kept;
}

/* Score-weighted mean of the group's boxes and keypoints; the score and class
 * stay those of the best member (`top`). */
static SpryDetection nms_weighted_mean(const SpryDetection *dets, const uint8_t *group,
                                       int32_t count, const SpryDetection *top)
{
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0, total = 0;
  double kp[2 * SPRY_MAX_KEYPOINTS_PER_DETECTION] = {0};
  int32_t nk = top->num_keypoints;
  for (int32_t i = 0; i < count; i++) {
    if (!group[i])
      continue;
    double s = dets[i].score;
    total += s;
    x0 += dets[i].x * s;
    y0 += dets[i].y * s;
    x1 += (dets[i].x + dets[i].w) * s;
    y1 += (dets[i].y + dets[i].h) * s;
    for (int32_t k = 0; k < 2 * nk; k++)
      kp[k] += dets[i].keypoints[k] * s;
  }
  SpryDetection out = *top;
  if (!(total > 0.0))
    return out; /* scores of 0 carry no weight: keep the best box as it is */
  out.x = (float)(x0 / total);
  out.y = (float)(y0 / total);
  out.w = (float)((x1 - x0) / total);
  out.h = (float)((y1 - y0) / total);
  for (int32_t k = 0; k < 2 * nk; k++)
    out.keypoints[k] = (float)(kp[k] / total);
  return out;
}

/* MediaPipe's weighted NMS: the best remaining box and every remaining box
 * overlapping it form a group, replaced by their weighted mean. Output k is
 * written at position k, which is the group's top or already consumed. */
static SpryStatus nms_weighted(SpryDetection *dets, int32_t count, const SpryNmsOptions *o,
                               int32_t limit, int32_t *out_kept, SpryPostError *err)
{
  uint8_t *state = calloc((size_t)count * 2, 1); /* [0,count): consumed; then: group */
  if (state == NULL)
    return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "nms: out of memory");
  uint8_t *consumed = state, *group = state + count;
  int32_t kept = 0;
  for (int32_t top = 0; top < count && kept < limit; top++) {
    if (consumed[top])
      continue;
    memset(group, 0, (size_t)count);
    for (int32_t i = top; i < count; i++) {
      /* The top always joins its group, even a degenerate box with IoU 0. */
      if (!consumed[i] && (i == top || spry_box_iou(&dets[top], &dets[i]) > o->iou_threshold)) {
        group[i] = 1;
        consumed[i] = 1;
      }
    }
    SpryDetection merged = nms_weighted_mean(dets, group, count, &dets[top]);
    dets[kept++] = merged;
  }
  free(state);
  *out_kept = kept;
  return SPRY_OK;
}

SpryStatus spry_nms(SpryDetection *dets, int32_t count, const SpryNmsOptions *options,
                    int32_t *out_count, SpryPostError *err)
{
  if (options == NULL || out_count == NULL || count < 0 || (dets == NULL && count > 0))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "nms: bad arguments");
  *out_count = 0;
  if (options->max_detections < 0 || isnan(options->iou_threshold))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "nms: bad options");
  for (int32_t i = 0; i < count; i++)
    if (dets[i].num_keypoints < 0 || dets[i].num_keypoints > SPRY_MAX_KEYPOINTS_PER_DETECTION)
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                            "nms: detection %d has %d keypoints", (int)i,
                            (int)dets[i].num_keypoints);
  if (count == 0) {
    spry_post_ok(err);
    return SPRY_OK;
  }
  SpryStatus status = nms_sort(dets, count, err);
  if (status != SPRY_OK)
    return status;
  int32_t limit = options->max_detections > 0 ? options->max_detections : count;
  int32_t kept = 0;
  switch (options->algorithm) {
  case SPRY_NMS_NONE:
    kept = count < limit ? count : limit;
    break;
  case SPRY_NMS_HARD:
    kept = nms_hard(dets, count, options, limit);
    break;
  case SPRY_NMS_WEIGHTED:
    status = nms_weighted(dets, count, options, limit, &kept, err);
    break;
  default:
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "nms: unknown algorithm %d",
                          (int)options->algorithm);
  }
  if (status != SPRY_OK)
    return status;
  *out_count = kept;
  spry_post_ok(err);
  return SPRY_OK;
}
