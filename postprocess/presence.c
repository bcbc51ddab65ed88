/* SPDX-License-Identifier: Apache-2.0 */
/* presence.c — the presence hysteresis: two thresholds and a run of consecutive results. */
#include "presence.h"

#include "internal.h"

void spry_presence_options_init(SpryPresenceOptions *options)
{
  if (options == NULL)
    return;
  options->on_threshold = 0.7f;
  options->off_threshold = 0.3f;
  options->hold = 3;
}

SpryStatus spry_presence_init(SpryPresence *presence, const SpryPresenceOptions *options,
                              SpryPostError *err)
{
  if (presence == NULL || options == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "presence: bad arguments");
  /* NaN thresholds fail these comparisons too. */
  if (!(options->off_threshold <= options->on_threshold))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "presence: off threshold %g must not exceed the threshold %g",
                          (double)options->off_threshold, (double)options->on_threshold);
  if (options->hold < 1)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "presence: hold %d must be >= 1",
                          (int)options->hold);
  presence->options = *options;
  spry_presence_reset(presence);
  spry_post_ok(err);
  return SPRY_OK;
}

void spry_presence_reset(SpryPresence *presence)
{
  if (presence == NULL)
    return;
  presence->present = 0;
  presence->run = 0;
}

SpryPresenceEvent spry_presence_push(SpryPresence *presence, float score)
{
  if (presence == NULL)
    return SPRY_PRESENCE_NONE;
  int toward_other = presence->present ? score <= presence->options.off_threshold
                                       : score >= presence->options.on_threshold;
  if (!toward_other) {
    presence->run = 0;
    return SPRY_PRESENCE_NONE;
  }
  if (++presence->run < presence->options.hold)
    return SPRY_PRESENCE_NONE;
  presence->run = 0;
  presence->present = !presence->present;
  return presence->present ? SPRY_PRESENCE_APPEARED : SPRY_PRESENCE_LEFT;
}

const char *spry_presence_event_name(SpryPresenceEvent event)
{
  switch (event) {
  case SPRY_PRESENCE_APPEARED:
    return "appeared";
  case SPRY_PRESENCE_LEFT:
    return "left";
  default:
    return NULL;
  }
}
