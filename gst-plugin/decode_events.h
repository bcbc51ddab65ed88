/* SPDX-License-Identifier: Apache-2.0 */
/* decode_events.h — sprydecode's task=keyword and task=presence: scores through the state machines, events as metas and bus messages. */
#ifndef SPRY_GST_DECODE_EVENTS_H
#define SPRY_GST_DECODE_EVENTS_H

#include <gst/gst.h>

#include "decode_input.h"
#include "keyword.h"
#include "presence.h"

G_BEGIN_DECLS

/*
 * Scores are read from the first output tensor and brought to [0, 1]:
 * float scores as they are; quantized ones dequantized with their scale and
 * zero point; 8/16-bit integer scores without quantization parameters (a
 * tensor stream without spryinfer's meta, e.g. from NNStreamer's
 * tensor_filter) with TFLite's fixed softmax output quantization — int8
 * (v + 128) / 256, uint8 v / 256, int16 v / 32768 — which is exactly what a
 * quantized softmax output means. Then clamped to [0, 1].
 *
 * A result is counted once: video frames that carry the same inference
 * (spryinfer running behind the stream) are not fed again. Its time is the
 * meta's source_pts when the meta is present, else the buffer's PTS.
 */

/* What the element's properties say (the object lock is not held). */
typedef struct SpryEventSettings {
  gdouble threshold;     /* the task's default already applied */
  gdouble off_threshold;
  guint average_window_ms, suppression_ms, minimum_count, hold;
  const gchar *ignore;   /* comma-separated labels or class indices, may be NULL */
  const gchar *target;   /* presence: a label or class index; NULL: class 1 */
} SpryEventSettings;

/* Labels of the classes: the labels file, else the model's. */
typedef struct SpryEventLabels {
  guint count;
  const gchar *const *labels;
} SpryEventLabels;

/* Per-stream state (zero-initialised before first use). */
typedef struct SpryEventState {
  SpryKeywordSpotter *spotter;
  SpryPresence presence;
  gboolean presence_ready;
  gint32 num_classes;      /* classes the state machines were built for */
  gint target;             /* presence: the resolved class */
  SpryEventSettings built; /* numeric settings they were built with (strings unused) */
  gboolean have_source;    /* the last result taken from a meta */
  guint64 last_source_frame;
  gboolean warned_no_pts;
  gfloat *scores;          /* scratch, `capacity` floats */
  gsize capacity;
} SpryEventState;

void spry_decode_events_init_debug(void);
/* A new stream: forget every result and the presence state. */
void spry_event_state_reset(SpryEventState *state);
/* Frees everything (the state is zero again). */
void spry_event_state_clear(SpryEventState *state);

/* Feed one result; attach SpryEventMetas to `buf` and post "spry-event"
 * messages for the events it causes. FALSE after posting an error. */
gboolean spry_decode_keyword(GstElement *element, SpryEventState *state,
                             const SpryEventSettings *settings, const SpryEventLabels *labels,
                             const SpryDecodeInput *in, GstBuffer *buf);
gboolean spry_decode_presence(GstElement *element, SpryEventState *state,
                              const SpryEventSettings *settings, const SpryEventLabels *labels,
                              const SpryDecodeInput *in, GstBuffer *buf);

G_END_DECLS

#endif /* SPRY_GST_DECODE_EVENTS_H */
