/* SPDX-License-Identifier: Apache-2.0 */
/* detect_ssd.c — detections from TFLite_Detection_PostProcess outputs (boxes, classes, scores, count). */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "internal.h"

void spry_ssd_options_init(SprySsdOptions *options)
{
  if (options == NULL)
    return;
  options->score_threshold = 0.5f;
  options->label_offset = 0;
}

/* Case-insensitive substring test, for output names like "detection_scores". */
static int ssd_name_has(const char *name, const char *word)
{
  if (name == NULL)
    return 0;
  size_t n = strlen(name), w = strlen(word);
  for (size_t i = 0; i + w <= n; i++) {
    size_t j = 0;
    while (j < w && tolower((unsigned char)name[i + j]) == word[j])
      j++;
    if (j == w)
      return 1;
  }
  return 0;
}

/* True when every value is a whole number: class ids are, scores rarely. */
static int ssd_all_whole(const SpryTensorView *view)
{
  size_t n = spry_tensor_view_count(view);
  for (size_t i = 0; i < n; i++) {
    float v = spry_tensor_view_value(view, i);
    if (!isfinite(v) || v != floorf(v))
      return 0;
  }
  return 1;
}

/* Orders the two same-shaped outputs a (earlier) and b as classes, scores. */
static void ssd_split_pair(const SpryTensorView *outputs, int32_t a, int32_t b, SprySsdOutputs *out)
{
  const char *na = outputs[a].info.name, *nb = outputs[b].info.name;
  int a_first = 1; /* TF1 order: classes come before scores */
  if (ssd_name_has(na, "score") || ssd_name_has(nb, "class"))
    a_first = 0;
  else if (ssd_name_has(na, "class") || ssd_name_has(nb, "score"))
    a_first = 1;
  else if (ssd_all_whole(&outputs[a]) != ssd_all_whole(&outputs[b]))
    a_first = ssd_all_whole(&outputs[a]);
  out->classes = a_first ? a : b;
  out->scores = a_first ? b : a;
}

/* Boxes: last dimension 4 and the highest rank, so that [1,4] classes of a
 * 4-box model lose to [1,4,4] boxes. Count: one element and the lowest rank,
 * so that [1] wins over [1,1] classes of a 1-box model. The other two form
 * the pair. Returns 0 when no output fits boxes or count. */
static int ssd_by_shape(const SpryTensorView *outputs, int32_t *boxes, int32_t *count,
                        int32_t pair[2])
{
  for (int32_t i = 0; i < 4; i++) {
    const SpryTensorInfo *info = &outputs[i].info;
    if (info->rank >= 2 && info->dims[info->rank - 1] == 4 &&
        (*boxes < 0 || info->rank > outputs[*boxes].info.rank))
      *boxes = i;
  }
  for (int32_t i = 0; i < 4; i++)
    if (i != *boxes && spry_tensor_view_count(&outputs[i]) == 1 &&
        (*count < 0 || outputs[i].info.rank < outputs[*count].info.rank))
      *count = i;
  int32_t npair = 0;
  for (int32_t i = 0; i < 4; i++)
    if (i != *boxes && i != *count && npair < 2)
      pair[npair++] = i;
  return *boxes >= 0 && *count >= 0 && npair == 2;
}

SpryStatus spry_ssd_identify(const SpryTensorView *outputs, int32_t num_outputs,
                             SprySsdOutputs *out, SpryPostError *err)
{
  if (outputs == NULL || out == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "ssd: bad arguments");
  if (num_outputs != 4)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "ssd: expected 4 outputs (boxes, classes, scores, count), got %d",
                          (int)num_outputs);
  for (int32_t i = 0; i < 4; i++) {
    SpryStatus status = spry_post_check_view(&outputs[i], "ssd output", err);
    if (status != SPRY_OK)
      return status;
  }
  int32_t boxes = -1, count = -1, pair[2] = {-1, -1};
  if (!ssd_by_shape(outputs, &boxes, &count, pair))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "ssd: outputs do not look like boxes [1,N,4], classes [1,N], "
                          "scores [1,N] and count [1]");
  out->boxes = boxes;
  out->count = count;
  ssd_split_pair(outputs, pair[0], pair[1], out);
  spry_post_ok(err);
  return SPRY_OK;
}

/* Checks every shape and returns N, the number of box slots. */
static SpryStatus ssd_validate(const SpryTensorView *boxes, const SpryTensorView *classes,
                               const SpryTensorView *scores, const SpryTensorView *count,
                               int32_t *out_n, SpryPostError *err)
{
  SpryStatus status;
  if ((status = spry_post_check_view(boxes, "ssd boxes", err)) != SPRY_OK ||
      (status = spry_post_check_view(classes, "ssd classes", err)) != SPRY_OK ||
      (status = spry_post_check_view(scores, "ssd scores", err)) != SPRY_OK ||
      (status = spry_post_check_view(count, "ssd count", err)) != SPRY_OK)
    return status;
  int32_t bd[SPRY_MAX_RANK], cd[SPRY_MAX_RANK], sd[SPRY_MAX_RANK];
  char shape[64];
  if (!spry_post_squeeze(boxes, 2, bd) || bd[1] != 4)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "ssd: boxes must be [1,N,4], got %s",
                          spry_post_shape(boxes, shape, sizeof shape));
  if (!spry_post_squeeze(classes, 1, cd) || cd[0] != bd[0])
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "ssd: classes must be [1,%d], got %s", (int)bd[0],
                          spry_post_shape(classes, shape, sizeof shape));
  if (!spry_post_squeeze(scores, 1, sd) || sd[0] != bd[0])
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "ssd: scores must be [1,%d], got %s", (int)bd[0],
                          spry_post_shape(scores, shape, sizeof shape));
  if (spry_tensor_view_count(count) != 1)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "ssd: count must hold one value, got %s",
                          spry_post_shape(count, shape, sizeof shape));
  *out_n = bd[0];
  return SPRY_OK;
}

static float ssd_clamp01(float v)
{
  return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

/* Fills one detection from box slot i; returns 0 when the box is unusable. */
static int ssd_box(const SpryTensorView *boxes, size_t i, SpryDetection *det)
{
  float c[4]; /* ymin, xmin, ymax, xmax */
  for (size_t j = 0; j < 4; j++) {
    c[j] = spry_tensor_view_value(boxes, 4 * i + j);
    if (!isfinite(c[j]))
      return 0;
    c[j] = ssd_clamp01(c[j]);
  }
  if (c[2] < c[0] || c[3] < c[1])
    return 0;
  det->x = c[1];
  det->y = c[0];
  det->w = c[3] - c[1];
  det->h = c[2] - c[0];
  det->num_keypoints = 0;
  memset(det->keypoints, 0, sizeof det->keypoints);
  return 1;
}

/* Stable insertion sort, best score first: ties keep the op's order. */
static void ssd_sort(SpryDetection *dets, int32_t n)
{
  for (int32_t i = 1; i < n; i++) {
    SpryDetection d = dets[i];
    int32_t j = i;
    while (j > 0 && dets[j - 1].score < d.score) {
      dets[j] = dets[j - 1];
      j--;
    }
    dets[j] = d;
  }
}

/* Reads the count: a whole number in [0, n]. */
static SpryStatus ssd_count(const SpryTensorView *count, int32_t n, int32_t *out, SpryPostError *err)
{
  float c = spry_tensor_view_value(count, 0);
  if (!isfinite(c) || c != floorf(c) || c < 0.0f || c > (float)n)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "ssd: detection count %g is not a whole number in [0, %d]", (double)c,
                          (int)n);
  *out = (int32_t)c;
  return SPRY_OK;
}

SpryStatus spry_detect_ssd(const SpryTensorView *boxes, const SpryTensorView *classes,
                           const SpryTensorView *scores, const SpryTensorView *count,
                           const SprySsdOptions *options, SpryDetection *out, int32_t capacity,
                           int32_t *out_count, SpryPostError *err)
{
  if (options == NULL || out_count == NULL || capacity < 0 || (out == NULL && capacity > 0))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "ssd: bad arguments");
  *out_count = 0;
  int32_t n = 0, valid = 0, kept = 0;
  SpryStatus status = ssd_validate(boxes, classes, scores, count, &n, err);
  if (status == SPRY_OK)
    status = ssd_count(count, n, &valid, err);
  if (status != SPRY_OK)
    return status;
  for (int32_t i = 0; i < valid && kept < capacity; i++) {
    float score = spry_tensor_view_value(scores, (size_t)i);
    if (!(score >= options->score_threshold))
      continue;
    float cls = spry_tensor_view_value(classes, (size_t)i);
    /* Range-check before converting: an out-of-range float to int is UB. */
    if (!isfinite(cls) || cls != floorf(cls) || cls < 0.0f ||
        (double)cls + options->label_offset > (double)INT32_MAX ||
        (double)cls + options->label_offset < 0.0)
      return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                            "ssd: class %g of detection %d is not a valid index", (double)cls,
                            (int)i);
    if (!ssd_box(boxes, (size_t)i, &out[kept]))
      continue;
    out[kept].index = (int32_t)((int64_t)cls + options->label_offset);
    out[kept].score = score;
    kept++;
  }
  /* The op already sorts by score; sorting again costs nothing and makes the
   * order a guarantee whatever produced the tensors. */
  ssd_sort(out, kept);
  *out_count = kept;
  spry_post_ok(err);
  return SPRY_OK;
}
