/* SPDX-License-Identifier: Apache-2.0 */
/* keyword.h — keyword spotting over a stream of class scores: time-window averaging, threshold and suppression. */
#ifndef SPRY_POSTPROCESS_KEYWORD_H
#define SPRY_POSTPROCESS_KEYWORD_H

/*
 * A keyword model (micro_speech: silence, unknown, yes, no) scores each
 * window of audio independently; a single window often scores a word it only
 * half heard. The spotter smooths the scores over time, in the manner of
 * TensorFlow Lite Micro's RecognizeCommands:
 *
 *   1. each result (a time and one score per class, clamped to [0, 1]) joins
 *      the window of results whose time lies in [now - average_window, now];
 *      older ones leave it;
 *   2. with fewer than minimum_count results in the window, nothing is said;
 *   3. the class with the best average among those not ignored (ties: the
 *      lower index) is detected when its average is >= threshold and no
 *      keyword was detected in (now - suppression, now): detections are at
 *      least `suppression` apart, whatever their class.
 *
 * Unlike RecognizeCommands, suppression applies across classes (a "no" right
 * after a "yes" is usually the tail of the same utterance), and a result
 * older than the previous one starts a new stream instead of failing.
 *
 * Times are in nanoseconds (GStreamer PTS); any monotonic unit works if the
 * options use the same unit.
 */

#include <stdint.h>

#include "postprocess.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Results kept in a window at most; beyond it the oldest leave early. */
#define SPRY_KEYWORD_MAX_RESULTS 4096

typedef struct SpryKeywordOptions {
  int64_t average_window; /* >= 0 (default 1 s) */
  float threshold;        /* average needed, in [0, 1] (default 0.8) */
  int32_t minimum_count;  /* >= 1 results in the window (default 3) */
  int64_t suppression;    /* >= 0 time between detections (default 1.5 s) */
} SpryKeywordOptions;

typedef struct SpryKeywordDetection {
  int32_t index; /* the class */
  float score;   /* its average over the window */
  int64_t time;  /* the time of the result that triggered the detection */
  /* The time of the earliest result in the window that scored the class at
   * or above the threshold on its own: where the word first became clear
   * (for windows of audio: the window that first heard the whole word). */
  int64_t first_time;
} SpryKeywordDetection;

typedef struct SpryKeywordSpotter SpryKeywordSpotter;

void spry_keyword_options_init(SpryKeywordOptions *options);

/* A spotter for `num_classes` (1..65536) scores per result. `ignored` is NULL
 * or holds one flag per class: nonzero classes are never detected. */
SpryStatus spry_keyword_create(const SpryKeywordOptions *options, int32_t num_classes,
                               const uint8_t *ignored, SpryKeywordSpotter **out_spotter,
                               SpryPostError *err);
/* Accepts NULL. */
void spry_keyword_destroy(SpryKeywordSpotter *spotter);
/* Forgets every result and the last detection (a new stream). */
void spry_keyword_reset(SpryKeywordSpotter *spotter);
int32_t spry_keyword_num_classes(const SpryKeywordSpotter *spotter);

/* Adds one result of `count` (== num_classes) scores at `time`. Sets
 * *out_detected to 1 and fills *out when a keyword is detected, else to 0. */
SpryStatus spry_keyword_push(SpryKeywordSpotter *spotter, int64_t time, const float *scores,
                             int32_t count, SpryKeywordDetection *out, int *out_detected,
                             SpryPostError *err);

#ifdef __cplusplus
}
#endif

#endif /* SPRY_POSTPROCESS_KEYWORD_H */
