/* SPDX-License-Identifier: Apache-2.0 */
/* run_stats.h — frames, inferences and latency measured at the end of a running pipeline. */
#ifndef SPRY_RUN_STATS_H
#define SPRY_RUN_STATS_H

#include <gst/gst.h>

/* Counters for one interval; the launcher prints and resets them. */
typedef struct SpryRunCounts {
  guint64 frames;          /* buffers that reached the results sink */
  guint64 inferences;      /* distinct inferred frames among them */
  gdouble inference_ms;    /* sum of their engine times */
  guint64 latency_samples;
  gdouble latency_ms;      /* sum: time at the sink minus capture time (live only) */
  gdouble latency_max_ms;
} SpryRunCounts;

typedef struct SpryRunStats SpryRunStats;

/* Watches the sink pad of the element named "publish" (else of the first
 * sink found) of `pipeline`. NULL when the pipeline has no sink. */
SpryRunStats *spry_run_stats_attach(GstElement *pipeline);
void spry_run_stats_free(SpryRunStats *stats);

/* Copies the counters since the last take (or since attaching) and resets
 * them; `total` accumulates everything since attaching. */
void spry_run_stats_take(SpryRunStats *stats, SpryRunCounts *interval, SpryRunCounts *total);

/* When the first frame reached the sink (g_get_monotonic_time), 0 if none
 * has: the summary's rates count from there, leaving out model loading. */
gint64 spry_run_stats_first_frame_us(SpryRunStats *stats);

/* One human-readable line: "30.0 fps, 2.9 inferences/s (331.2 ms each), latency 35.1 ms (max 60.2)". */
gchar *spry_run_counts_describe(const SpryRunCounts *counts, gdouble seconds);

#endif /* SPRY_RUN_STATS_H */
