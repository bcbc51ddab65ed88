/* SPDX-License-Identifier: Apache-2.0 */
/* launch_config.h — turns `spry-pipeline NAME key=value...` into a pipeline description and element properties. */
#ifndef SPRY_LAUNCH_CONFIG_H
#define SPRY_LAUNCH_CONFIG_H

#include <gst/gst.h>

#include "pipeline_spec.h"

/* Keys every pipeline accepts, and the element property each one sets:
 *   model=PATH    infer.model      labels=PATH  decode.labels
 *   threads=N     infer.threads    output=PATH  publish.location
 *   file=PATH     src.location (and the pipeline's file source)
 *   device=PATH   src.device (the camera)
 * Launcher keys: source=DESCRIPTION (any source instead of the camera),
 * max-restarts=N, restart-delay=SECONDS, stats-interval=SECONDS.
 * A pipeline's [keys] section adds keys; `element.property=value` sets any
 * property of a named element. Values of `model` and `labels` properties that
 * name no existing file are looked up in $SPRY_MODEL_PATH (colon-separated)
 * and then in the installed model folder. */
typedef struct SpryLaunchConfig {
  const SpryPipelineSpec *spec;
  GHashTable *values;     /* key -> value: command line over the defaults */
  GHashTable *from_user;  /* keys given on the command line */
  gchar *description;     /* the gst-launch description to run */
  gboolean live;          /* reading a camera or a custom source: restart on errors */
  guint max_restarts;     /* G_MAXUINT: without end */
  gdouble restart_delay_s;
  gdouble stats_interval_s; /* 0: only the summary at the end */
} SpryLaunchConfig;

/* Reads `args` (key=value strings) against `spec`; FALSE with `error` set on
 * an unknown key, a malformed value or a missing file. */
gboolean spry_launch_config_init(SpryLaunchConfig *config, const SpryPipelineSpec *spec,
                                 gint argc, gchar **args, GError **error);
void spry_launch_config_clear(SpryLaunchConfig *config);

/* Sets every key's element property on `pipeline` (built from
 * config->description). */
gboolean spry_launch_config_apply(const SpryLaunchConfig *config, GstBin *pipeline, GError **error);

#endif /* SPRY_LAUNCH_CONFIG_H */
