/* SPDX-License-Identifier: Apache-2.0 */
/* keyword.c — the keyword spotter: a ring of recent results, their average, threshold and suppression. */
#include "keyword.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KEYWORD_MAX_CLASSES 65536
#define KEYWORD_FIRST_CAPACITY 64

struct SpryKeywordSpotter {
  SpryKeywordOptions options;
  int32_t num_classes;
  uint8_t *ignored;  /* num_classes flags */
  /* Ring of results, oldest at `head`: times[i] and scores[i * num_classes..]. */
  int64_t *times;
  float *scores;
  int32_t capacity, head, count;
  double *sums;      /* scratch: per-class sums */
  int have_last_result, have_last_detection;
  int64_t last_result, last_detection;
};

void spry_keyword_options_init(SpryKeywordOptions *options)
{
  if (options == NULL)
    return;
  options->average_window = INT64_C(1000000000);
  options->threshold = 0.8f;
  options->minimum_count = 3;
  options->suppression = INT64_C(1500000000);
}

static SpryStatus keyword_validate(const SpryKeywordOptions *o, int32_t num_classes,
                                   SpryPostError *err)
{
  if (o == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "keyword: options are NULL");
  if (num_classes < 1 || num_classes > KEYWORD_MAX_CLASSES)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "keyword: %d classes (scores per result) is out of range 1..%d",
                          (int)num_classes, KEYWORD_MAX_CLASSES);
  if (o->average_window < 0 || o->suppression < 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "keyword: the average window and suppression cannot be negative");
  if (!(o->threshold >= 0.0f && o->threshold <= 1.0f))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "keyword: threshold %g is outside [0, 1]", (double)o->threshold);
  if (o->minimum_count < 1 || o->minimum_count > SPRY_KEYWORD_MAX_RESULTS)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "keyword: minimum count %d is outside 1..%d", (int)o->minimum_count,
                          SPRY_KEYWORD_MAX_RESULTS);
  return SPRY_OK;
}

SpryStatus spry_keyword_create(const SpryKeywordOptions *options, int32_t num_classes,
                               const uint8_t *ignored, SpryKeywordSpotter **out_spotter,
                               SpryPostError *err)
{
  if (out_spotter == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "keyword: out_spotter is NULL");
  *out_spotter = NULL;
  SpryStatus status = keyword_validate(options, num_classes, err);
  if (status != SPRY_OK)
    return status;
  SpryKeywordSpotter *k = calloc(1, sizeof *k);
  if (k == NULL)
    goto fail;
  k->options = *options;
  k->num_classes = num_classes;
  k->ignored = calloc((size_t)num_classes, 1);
  k->sums = calloc((size_t)num_classes, sizeof *k->sums);
  if (k->ignored == NULL || k->sums == NULL)
    goto fail;
  if (ignored != NULL)
    for (int32_t c = 0; c < num_classes; c++)
      k->ignored[c] = ignored[c] != 0;
  *out_spotter = k;
  spry_post_ok(err);
  return SPRY_OK;
fail:
  spry_keyword_destroy(k);
  return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "keyword: out of memory");
}

void spry_keyword_destroy(SpryKeywordSpotter *spotter)
{
  if (spotter == NULL)
    return;
  free(spotter->ignored);
  free(spotter->times);
  free(spotter->scores);
  free(spotter->sums);
  free(spotter);
}

void spry_keyword_reset(SpryKeywordSpotter *spotter)
{
  if (spotter == NULL)
    return;
  spotter->head = 0;
  spotter->count = 0;
  spotter->have_last_result = 0;
  spotter->have_last_detection = 0;
}

int32_t spry_keyword_num_classes(const SpryKeywordSpotter *spotter)
{
  return spotter != NULL ? spotter->num_classes : 0;
}

/* Doubles the ring (up to SPRY_KEYWORD_MAX_RESULTS), unrolling it so that the
 * oldest result lands at index 0. Returns 0 when memory runs out. */
static int keyword_grow(SpryKeywordSpotter *k)
{
  int32_t capacity = k->capacity == 0 ? KEYWORD_FIRST_CAPACITY : 2 * k->capacity;
  if (capacity > SPRY_KEYWORD_MAX_RESULTS)
    capacity = SPRY_KEYWORD_MAX_RESULTS;
  size_t per = (size_t)k->num_classes; /* <= 65536: capacity * per fits size_t */
  int64_t *times = malloc((size_t)capacity * sizeof *times);
  float *scores = malloc((size_t)capacity * per * sizeof *scores);
  if (times == NULL || scores == NULL) {
    free(times);
    free(scores);
    return 0;
  }
  for (int32_t i = 0; i < k->count; i++) {
    int32_t from = (k->head + i) % k->capacity;
    times[i] = k->times[from];
    memcpy(scores + (size_t)i * per, k->scores + (size_t)from * per, per * sizeof *scores);
  }
  free(k->times);
  free(k->scores);
  k->times = times;
  k->scores = scores;
  k->capacity = capacity;
  k->head = 0;
  return 1;
}

/* Drops results older than the window; times never exceed `now`, so the
 * unsigned difference is exact even across the whole int64 range. */
static void keyword_evict(SpryKeywordSpotter *k, int64_t now)
{
  while (k->count > 0) {
    uint64_t age = (uint64_t)now - (uint64_t)k->times[k->head];
    if (age <= (uint64_t)k->options.average_window)
      break;
    k->head = (k->head + 1) % k->capacity;
    k->count--;
  }
}

static SpryStatus keyword_append(SpryKeywordSpotter *k, int64_t time, const float *scores,
                                 SpryPostError *err)
{
  if (k->count == k->capacity && k->capacity < SPRY_KEYWORD_MAX_RESULTS && !keyword_grow(k))
    return spry_post_fail(err, SPRY_ERROR_OUT_OF_MEMORY, "keyword: out of memory");
  if (k->count == k->capacity) { /* full at the maximum: the oldest leaves early */
    k->head = (k->head + 1) % k->capacity;
    k->count--;
  }
  int32_t slot = (k->head + k->count) % k->capacity;
  float *dst = k->scores + (size_t)slot * (size_t)k->num_classes;
  for (int32_t c = 0; c < k->num_classes; c++) {
    float s = scores[c];
    /* Logits or NaN would make the average meaningless: keep it in [0, 1]. */
    dst[c] = s >= 0.0f ? (s <= 1.0f ? s : 1.0f) : 0.0f;
  }
  k->times[slot] = time;
  k->count++;
  return SPRY_OK;
}

/* The best average among classes that are not ignored; -1 when all are. */
static int32_t keyword_best(SpryKeywordSpotter *k, float *out_average)
{
  size_t per = (size_t)k->num_classes;
  memset(k->sums, 0, per * sizeof *k->sums);
  for (int32_t i = 0; i < k->count; i++) {
    const float *s = k->scores + (size_t)((k->head + i) % k->capacity) * per;
    for (size_t c = 0; c < per; c++)
      k->sums[c] += s[c];
  }
  int32_t best = -1;
  for (int32_t c = 0; c < k->num_classes; c++)
    if (!k->ignored[c] && (best < 0 || k->sums[c] > k->sums[best]))
      best = c;
  if (best >= 0)
    *out_average = (float)(k->sums[best] / k->count);
  return best;
}

static int keyword_suppressed(const SpryKeywordSpotter *k, int64_t now)
{
  if (!k->have_last_detection)
    return 0;
  uint64_t since = (uint64_t)now - (uint64_t)k->last_detection;
  return since < (uint64_t)k->options.suppression;
}

/* The earliest result in the window whose own score for `index` reaches the
 * threshold; `fallback` when none does (the average got there on many
 * middling scores). */
static int64_t keyword_first_clear(const SpryKeywordSpotter *spotter, int32_t index,
                                   int64_t fallback)
{
  for (int32_t k = 0; k < spotter->count; k++) {
    int32_t slot = (spotter->head + k) % spotter->capacity;
    if (spotter->scores[(size_t)slot * (size_t)spotter->num_classes + (size_t)index] >=
        spotter->options.threshold)
      return spotter->times[slot];
  }
  return fallback;
}

SpryStatus spry_keyword_push(SpryKeywordSpotter *spotter, int64_t time, const float *scores,
                             int32_t count, SpryKeywordDetection *out, int *out_detected,
                             SpryPostError *err)
{
  if (spotter == NULL || scores == NULL || out == NULL || out_detected == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "keyword: bad arguments");
  *out_detected = 0;
  if (count != spotter->num_classes)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "keyword: %d scores given, the spotter has %d classes", (int)count,
                          (int)spotter->num_classes);
  if (spotter->have_last_result && time < spotter->last_result)
    spry_keyword_reset(spotter); /* time went back: a new stream */
  SpryStatus status = keyword_append(spotter, time, scores, err);
  if (status != SPRY_OK)
    return status;
  spotter->have_last_result = 1;
  spotter->last_result = time;
  keyword_evict(spotter, time);
  spry_post_ok(err);
  if (spotter->count < spotter->options.minimum_count)
    return SPRY_OK;
  float average = 0.0f;
  int32_t best = keyword_best(spotter, &average);
  if (best < 0 || !(average >= spotter->options.threshold) || keyword_suppressed(spotter, time))
    return SPRY_OK;
  spotter->have_last_detection = 1;
  spotter->last_detection = time;
  *out = (SpryKeywordDetection){best, average, time, keyword_first_clear(spotter, best, time)};
  *out_detected = 1;
  return SPRY_OK;
}
