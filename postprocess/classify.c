/* SPDX-License-Identifier: Apache-2.0 */
/* classify.c — top-k classification over a score vector, with optional softmax and threshold. */
#include <float.h>
#include <math.h>

#include "internal.h"

void spry_classify_options_init(SpryClassifyOptions *options)
{
  if (options == NULL)
    return;
  options->top_k = 5;
  options->score_threshold = -FLT_MAX;
  options->label_offset = 0;
  options->softmax = 0;
}

/* Softmax needs the maximum (for a stable exp) and the sum of exps. */
static void classify_softmax_terms(const SpryTensorView *scores, size_t n, float *out_max,
                                   double *out_sum)
{
  float max = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    float v = spry_tensor_view_value(scores, i);
    if (v > max)
      max = v;
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    float v = spry_tensor_view_value(scores, i);
    if (!isnan(v))
      sum += exp((double)v - (double)max);
  }
  *out_max = max;
  *out_sum = sum;
}

/* Inserts (index, score) into the sorted list; positions are visited in
 * increasing order, so an equal score never displaces an earlier one. */
static void classify_insert(SpryClassification *top, int32_t *count, int32_t k, int32_t index,
                            float score)
{
  int32_t pos = *count;
  while (pos > 0 && top[pos - 1].score < score)
    pos--;
  if (pos >= k)
    return;
  int32_t last = *count < k ? *count : k - 1;
  for (int32_t j = last; j > pos; j--)
    top[j] = top[j - 1];
  top[pos].index = index;
  top[pos].score = score;
  if (*count < k)
    (*count)++;
}

static SpryStatus classify_validate(const SpryTensorView *scores, const SpryClassifyOptions *options,
                                    SpryClassification *out, int32_t capacity, int32_t *out_count,
                                    SpryPostError *err)
{
  if (options == NULL || out_count == NULL || (out == NULL && capacity > 0) || capacity < 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "classify: bad arguments");
  SpryStatus status = spry_post_check_view(scores, "classify scores", err);
  if (status != SPRY_OK)
    return status;
  int32_t dims[SPRY_MAX_RANK];
  char shape[64];
  if (!spry_post_squeeze(scores, 1, dims) || dims[0] < 1)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "classify: scores must be [N] or [1,N], got %s",
                          spry_post_shape(scores, shape, sizeof shape));
  if (options->top_k < 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "classify: top_k %d is negative",
                          (int)options->top_k);
  return SPRY_OK;
}

SpryStatus spry_classify(const SpryTensorView *scores, const SpryClassifyOptions *options,
                         SpryClassification *out, int32_t capacity, int32_t *out_count,
                         SpryPostError *err)
{
  SpryStatus status = classify_validate(scores, options, out, capacity, out_count, err);
  if (status != SPRY_OK)
    return status;
  *out_count = 0;
  size_t n = spry_tensor_view_count(scores);
  int32_t k = options->top_k < capacity ? options->top_k : capacity;
  float max = 0.0f;
  double sum = 1.0;
  if (options->softmax)
    classify_softmax_terms(scores, n, &max, &sum);
  int32_t count = 0;
  for (size_t i = 0; i < n && k > 0; i++) {
    /* The reported index must fit int32 and not fall below 0. */
    int64_t index = (int64_t)i + options->label_offset;
    if (index < 0 || index > INT32_MAX)
      continue;
    float score = spry_tensor_view_value(scores, i);
    if (options->softmax && !isnan(score))
      score = sum > 0.0 ? (float)(exp((double)score - (double)max) / sum) : 0.0f;
    if (!(score >= options->score_threshold))
      continue;
    classify_insert(out, &count, k, (int32_t)index, score);
  }
  *out_count = count;
  spry_post_ok(err);
  return SPRY_OK;
}
