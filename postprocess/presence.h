/* SPDX-License-Identifier: Apache-2.0 */
/* presence.h — presence of one class over a stream of scores, with hysteresis: "appeared" and "left" events. */
#ifndef SPRY_POSTPROCESS_PRESENCE_H
#define SPRY_POSTPROCESS_PRESENCE_H

/*
 * A person detector's score flickers around its decision boundary; a kiosk
 * wants one "appeared" when someone steps up and one "left" when they go.
 * Two thresholds and a hold count give that:
 *
 *   - at the start nobody is present;
 *   - while absent, `hold` consecutive scores >= on_threshold make the class
 *     present ("appeared", on the result that completes the run);
 *   - while present, `hold` consecutive scores <= off_threshold make it
 *     absent ("left").
 *
 * Any other score breaks the run, so noise between the thresholds, or a
 * single outlier, never toggles the state. NaN scores break the run too.
 */

#include <stdint.h>

#include "postprocess.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SpryPresenceOptions {
  float on_threshold;  /* default 0.7 */
  float off_threshold; /* <= on_threshold (default 0.3) */
  int32_t hold;        /* >= 1 consecutive results (default 3) */
} SpryPresenceOptions;

typedef enum SpryPresenceEvent {
  SPRY_PRESENCE_NONE = 0,
  SPRY_PRESENCE_APPEARED = 1,
  SPRY_PRESENCE_LEFT = 2,
} SpryPresenceEvent;

/* Plain data: copy it, keep it on the stack; no destroy needed. */
typedef struct SpryPresence {
  SpryPresenceOptions options;
  int present;
  int32_t run; /* consecutive results pointing to the other state */
} SpryPresence;

void spry_presence_options_init(SpryPresenceOptions *options);
/* Validates the options and starts absent. */
SpryStatus spry_presence_init(SpryPresence *presence, const SpryPresenceOptions *options,
                              SpryPostError *err);
/* Back to absent with no run (a new stream). */
void spry_presence_reset(SpryPresence *presence);
/* Feeds one score; returns the event it causes, if any. */
SpryPresenceEvent spry_presence_push(SpryPresence *presence, float score);
/* "appeared", "left", or NULL for SPRY_PRESENCE_NONE. */
const char *spry_presence_event_name(SpryPresenceEvent event);

#ifdef __cplusplus
}
#endif

#endif /* SPRY_POSTPROCESS_PRESENCE_H */
