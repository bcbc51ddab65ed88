/* SPDX-License-Identifier: Apache-2.0 */
/* detect_raw.c — raw box regressors + class scores + anchors → detections (MediaPipe TensorsToDetections). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void spry_raw_detect_options_init(SpryRawDetectOptions *options)
{
  if (options == NULL)
    return;
  memset(options, 0, sizeof *options);
  options->num_values_per_keypoint = 2;
  options->box_format = SPRY_BOX_YXHW;
  options->x_scale = options->y_scale = options->w_scale = options->h_scale = 1.0f;
  options->min_score_thresh = 0.5f;
  options->nms.algorithm = SPRY_NMS_HARD;
  options->nms.iou_threshold = 0.5f;
  options->nms.max_detections = 100;
}

void spry_raw_detect_options_face_short_range(SpryRawDetectOptions *options)
{
  if (options == NULL)
    return;
  spry_raw_detect_options_init(options);
  options->keypoint_coord_offset = 4;
  options->num_keypoints = 6;
  options->num_values_per_keypoint = 2;
  options->box_format = SPRY_BOX_XYWH;
  options->x_scale = options->y_scale = options->w_scale = options->h_scale = 128.0f;
  options->sigmoid_score = 1;
  options->score_clipping_thresh = 100.0f;
  options->min_score_thresh = 0.5f;
  options->nms.algorithm = SPRY_NMS_WEIGHTED;
  options->nms.iou_threshold = 0.3f;
  options->nms.max_detections = 100;
}

/* Tensor geometry once validated: A anchors, K coordinates, C classes. */
typedef struct RawShape {
  int32_t anchors, coords, classes;
} RawShape;

static SpryStatus raw_check_options(const SpryRawDetectOptions *o, int32_t coords,
                                    SpryPostError *err)
{
  if (o->box_format < SPRY_BOX_YXHW || o->box_format > SPRY_BOX_XYHW)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "raw detect: unknown box format %d",
                          (int)o->box_format);
  if (o->x_scale == 0.0f || o->y_scale == 0.0f || o->w_scale == 0.0f || o->h_scale == 0.0f)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "raw detect: a box scale is 0");
  if (o->num_keypoints < 0 || o->num_keypoints > SPRY_MAX_KEYPOINTS_PER_DETECTION ||
      o->num_values_per_keypoint < 2 || o->box_coord_offset < 0 || o->keypoint_coord_offset < 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "raw detect: bad keypoint or offset options");
  /* In int64: every offset an option names must fall inside one row. */
  int64_t box_end = (int64_t)o->box_coord_offset + 4;
  int64_t kp_end = (int64_t)o->keypoint_coord_offset +
                   (int64_t)o->num_keypoints * o->num_values_per_keypoint;
  if (box_end > coords || (o->num_keypoints > 0 && kp_end > coords))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "raw detect: options need more than the %d coordinates per anchor",
                          (int)coords);
  return SPRY_OK;
}

static SpryStatus raw_validate(const SpryTensorView *regressors, const SpryTensorView *scores,
                               int32_t num_anchors, const SpryRawDetectOptions *o, RawShape *shape,
                               SpryPostError *err)
{
  SpryStatus status;
  if ((status = spry_post_check_view(regressors, "raw detect regressors", err)) != SPRY_OK ||
      (status = spry_post_check_view(scores, "raw detect scores", err)) != SPRY_OK)
    return status;
  int32_t rd[SPRY_MAX_RANK], sd[SPRY_MAX_RANK];
  char text[64];
  if (!spry_post_squeeze(regressors, 2, rd))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "raw detect: regressors must be [1,A,K], got %s",
                          spry_post_shape(regressors, text, sizeof text));
  if (rd[0] != num_anchors)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "raw detect: %d boxes but %d anchors", (int)rd[0], (int)num_anchors);
  /* [1,A] scores are one class; [1,A,C] several; either way A must agree. */
  int one_class = spry_post_squeeze(scores, 1, sd) && sd[0] == num_anchors && num_anchors != 1;
  if (one_class)
    sd[1] = 1;
  else if (!spry_post_squeeze(scores, 2, sd) || sd[0] != num_anchors || sd[1] < 1)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "raw detect: scores must be [1,%d,C], got %s", (int)num_anchors,
                          spry_post_shape(scores, text, sizeof text));
  shape->anchors = num_anchors;
  shape->coords = rd[1];
  shape->classes = sd[1];
  return raw_check_options(o, rd[1], err);
}

/* Best class of anchor i and its (optionally sigmoid) score. */
static float raw_best_score(const SpryTensorView *scores, const RawShape *s,
                            const SpryRawDetectOptions *o, int32_t i, int32_t *out_class)
{
  float best = -INFINITY;
  *out_class = 0;
  for (int32_t c = 0; c < s->classes; c++) {
    float v = spry_tensor_view_value(scores, (size_t)i * (size_t)s->classes + (size_t)c);
    if (o->sigmoid_score) {
      if (o->score_clipping_thresh > 0.0f)
        v = fminf(fmaxf(v, -o->score_clipping_thresh), o->score_clipping_thresh);
      v = 1.0f / (1.0f + expf(-v));
    }
    if (v > best) {
      best = v;
      *out_class = c;
    }
  }
  return best;
}

/* Decodes box i relative to its anchor; returns 0 when its size is negative
 * or NaN (models do predict such boxes; downstream code assumes w, h >= 0). */
static int raw_decode_box(const SpryTensorView *reg, const RawShape *s,
                          const SpryRawDetectOptions *o, const SpryAnchor *anchor, int32_t i,
                          SpryDetection *det)
{
  size_t row = (size_t)i * (size_t)s->coords;
  size_t b = row + (size_t)o->box_coord_offset;
  float v0 = spry_tensor_view_value(reg, b), v1 = spry_tensor_view_value(reg, b + 1);
  float v2 = spry_tensor_view_value(reg, b + 2), v3 = spry_tensor_view_value(reg, b + 3);
  float xc, yc, w, h;
  switch (o->box_format) {
  case SPRY_BOX_XYWH: xc = v0; yc = v1; w = v2; h = v3; break;
  case SPRY_BOX_XYHW: xc = v0; yc = v1; h = v2; w = v3; break;
  default:            yc = v0; xc = v1; h = v2; w = v3; break;
  }
  xc = xc / o->x_scale * anchor->w + anchor->x_center;
  yc = yc / o->y_scale * anchor->h + anchor->y_center;
  if (o->apply_exponential_on_box_size) {
    w = expf(w / o->w_scale) * anchor->w;
    h = expf(h / o->h_scale) * anchor->h;
  } else {
    w = w / o->w_scale * anchor->w;
    h = h / o->h_scale * anchor->h;
  }
  if (!(w >= 0.0f) || !(h >= 0.0f))
    return 0;
  det->x = xc - w / 2.0f;
  det->y = yc - h / 2.0f;
  det->w = w;
  det->h = h;
  memset(det->keypoints, 0, sizeof det->keypoints);
  det->num_keypoints = o->num_keypoints;
  int yx = o->box_format == SPRY_BOX_YXHW;
  for (int32_t k = 0; k < o->num_keypoints; k++) {
    size_t p = row + (size_t)o->keypoint_coord_offset + (size_t)k * (size_t)o->num_values_per_keypoint;
    float a = spry_tensor_view_value(reg, p), c = spry_tensor_view_value(reg, p + 1);
    float kx = yx ? c : a, ky = yx ? a : c;
    det->keypoints[2 * k] = kx / o->x_scale * anchor->w + anchor->x_center;
    det->keypoints[2 * k + 1] = ky / o->y_scale * anchor->h + anchor->y_center;
  }
  return 1;
}

SpryStatus spry_detect_raw(const SpryTensorView *regressors, const SpryTensorView *scores,
                           const SpryAnchor *anchors, int32_t num_anchors,
                           const SpryRawDetectOptions *options, SpryDetection *out,
                           int32_t capacity, int32_t *out_count, SpryPostError *err)
{
  if (options == NULL || out_count == NULL || anchors == NULL || num_anchors < 1 ||
      capacity < 0 || (out == NULL && capacity > 0))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "raw detect: bad arguments");
  *out_count = 0;
  RawShape shape = {0, 0, 0};
  SpryStatus status = raw_validate(regressors, scores, num_anchors, options, &shape, err);
  if (status != SPRY_OK)
    return status;
  if ((size_t)num_anchors > SIZE_MAX / sizeof(SpryDetection))
    return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "raw detect: too many anchors");
  SpryDetection *cand = malloc((size_t)num_anchors * sizeof *cand);
  if (cand == NULL)
    return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "raw detect: out of memory");
  int32_t n = 0;
  for (int32_t i = 0; i < num_anchors; i++) {
    int32_t cls;
    float score = raw_best_score(scores, &shape, options, i, &cls);
    if (!(score >= options->min_score_thresh))
      continue;
    if (!raw_decode_box(regressors, &shape, options, &anchors[i], i, &cand[n]))
      continue;
    cand[n].index = cls;
    cand[n].score = score;
    n++;
  }
  int32_t kept = 0;
  status = spry_nms(cand, n, &options->nms, &kept, err);
  if (status == SPRY_OK) {
    kept = kept < capacity ? kept : capacity;
    if (kept > 0)
      memcpy(out, cand, (size_t)kept * sizeof *out);
    *out_count = kept;
  }
  free(cand);
  return status;
}
