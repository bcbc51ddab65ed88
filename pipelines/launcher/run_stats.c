/* SPDX-License-Identifier: Apache-2.0 */
/* run_stats.c — a pad probe that counts frames and inferences and measures live latency. */
#include "run_stats.h"

#include <gst/spry/spry-meta.h>
#include <string.h>

struct SpryRunStats {
  GstPad *pad;
  gulong probe_id;
  GMutex lock; /* the probe runs on a streaming thread */
  SpryRunCounts interval;
  SpryRunCounts total;
  guint64 last_source_frame;
  gboolean seen_inference;
  gint live; /* -1 until the first buffer asks upstream */
  gint64 first_us; /* monotonic time of the first buffer, 0 before */
};

static void add_counts(SpryRunCounts *into, const SpryRunCounts *from) {
  into->frames += from->frames;
  into->inferences += from->inferences;
  into->inference_ms += from->inference_ms;
  into->latency_samples += from->latency_samples;
  into->latency_ms += from->latency_ms;
  into->latency_max_ms = MAX(into->latency_max_ms, from->latency_max_ms);
}

/* How long ago, on the pipeline clock, the buffer was captured; negative when
 * it cannot be known (no clock, no timestamp, not a time segment). */
static gdouble buffer_age_ms(GstPad *pad, GstBuffer *buffer) {
  gdouble age = -1;
  GstElement *element = gst_pad_get_parent_element(pad);
  GstClock *clock = element ? gst_element_get_clock(element) : NULL;
  GstEvent *event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (clock && event && GST_BUFFER_PTS_IS_VALID(buffer)) {
    const GstSegment *segment;
    gst_event_parse_segment(event, &segment);
    guint64 running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
    GstClockTime now = gst_clock_get_time(clock);
    GstClockTime base = gst_element_get_base_time(element);
    if (segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID(running) && now >= base)
      age = ((gdouble)(now - base) - (gdouble)running) / 1e6;
  }
  if (event) gst_event_unref(event);
  if (clock) gst_object_unref(clock);
  if (element) gst_object_unref(element);
  return age;
}

/* Latency is measured for live sources only: a file has no capture time. */
static gboolean upstream_is_live(GstPad *pad) {
  gboolean live = FALSE;
  GstQuery *query = gst_query_new_latency();
  if (gst_pad_peer_query(pad, query)) gst_query_parse_latency(query, &live, NULL, NULL);
  gst_query_unref(query);
  return live;
}

static GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  SpryRunStats *stats = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  const SpryTensorMeta *meta = spry_buffer_get_tensor_meta(buffer);
  if (stats->live < 0) stats->live = upstream_is_live(pad);
  gdouble age = stats->live ? buffer_age_ms(pad, buffer) : -1;
  g_mutex_lock(&stats->lock);
  if (!stats->first_us) stats->first_us = g_get_monotonic_time();
  stats->interval.frames++;
  if (meta && (!stats->seen_inference || meta->source_frame != stats->last_source_frame)) {
    stats->seen_inference = TRUE;
    stats->last_source_frame = meta->source_frame;
    stats->interval.inferences++;
    stats->interval.inference_ms += meta->inference_ms;
  }
  if (age >= 0) {
    stats->interval.latency_samples++;
    stats->interval.latency_ms += age;
    stats->interval.latency_max_ms = MAX(stats->interval.latency_max_ms, age);
  }
  g_mutex_unlock(&stats->lock);
  return GST_PAD_PROBE_OK;
}

static GstElement *find_results_sink(GstElement *pipeline) {
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "publish");
  if (sink) return sink;
  GstIterator *it = gst_bin_iterate_sinks(GST_BIN(pipeline));
  GValue item = G_VALUE_INIT;
  if (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    sink = g_value_dup_object(&item);
    g_value_unset(&item);
  }
  gst_iterator_free(it);
  return sink;
}

SpryRunStats *spry_run_stats_attach(GstElement *pipeline) {
  GstElement *sink = find_results_sink(pipeline);
  GstPad *pad = sink ? gst_element_get_static_pad(sink, "sink") : NULL;
  if (sink) gst_object_unref(sink);
  if (!pad) return NULL;
  SpryRunStats *stats = g_new0(SpryRunStats, 1);
  g_mutex_init(&stats->lock);
  stats->pad = pad;
  stats->live = -1;
  stats->probe_id = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, stats, NULL);
  return stats;
}

void spry_run_stats_free(SpryRunStats *stats) {
  if (!stats) return;
  gst_pad_remove_probe(stats->pad, stats->probe_id);
  gst_object_unref(stats->pad);
  g_mutex_clear(&stats->lock);
  g_free(stats);
}

void spry_run_stats_take(SpryRunStats *stats, SpryRunCounts *interval, SpryRunCounts *total) {
  g_mutex_lock(&stats->lock);
  add_counts(&stats->total, &stats->interval);
  if (interval) *interval = stats->interval;
  if (total) *total = stats->total;
  memset(&stats->interval, 0, sizeof(stats->interval));
  g_mutex_unlock(&stats->lock);
}

gint64 spry_run_stats_first_frame_us(SpryRunStats *stats) {
  g_mutex_lock(&stats->lock);
  gint64 first = stats->first_us;
  g_mutex_unlock(&stats->lock);
  return first;
}

gchar *spry_run_counts_describe(const SpryRunCounts *counts, gdouble seconds) {
  GString *text = g_string_new(NULL);
  /* Rates need a span: a single picture gives a count and a time only. */
  gboolean rates = counts->frames > 1 && seconds > 0;
  gdouble per_s = rates ? 1.0 / seconds : 0;
  g_string_append_printf(text, "%" G_GUINT64_FORMAT " frame%s in %.1f s", counts->frames,
                         counts->frames == 1 ? "" : "s", seconds);
  if (rates) g_string_append_printf(text, " (%.1f fps)", (gdouble)counts->frames * per_s);
  g_string_append_printf(text, ", %" G_GUINT64_FORMAT " inference%s", counts->inferences,
                         counts->inferences == 1 ? "" : "s");
  if (rates) g_string_append_printf(text, " (%.1f/s", (gdouble)counts->inferences * per_s);
  if (counts->inferences)
    g_string_append_printf(text, "%s%.1f ms each", rates ? ", " : " (",
                           counts->inference_ms / (gdouble)counts->inferences);
  if (rates || counts->inferences) g_string_append(text, ")");
  if (counts->latency_samples)
    g_string_append_printf(text, ", latency %.1f ms (max %.1f)",
                           counts->latency_ms / (gdouble)counts->latency_samples,
                           counts->latency_max_ms);
  return g_string_free(text, FALSE);
}
