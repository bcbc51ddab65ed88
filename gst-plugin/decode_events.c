/* SPDX-License-Identifier: Apache-2.0 */
/* decode_events.c — keyword and presence events for sprydecode: reading scores, building the state machines, reporting. */
#include "decode_events.h"

#include <string.h>

#include "result_metas.h"

GST_DEBUG_CATEGORY_STATIC(spry_events_debug);
#define GST_CAT_DEFAULT spry_events_debug

#define MAX_CLASSES 65536

void spry_decode_events_init_debug(void) {
  GST_DEBUG_CATEGORY_INIT(spry_events_debug, "sprydecode-events", 0,
                          "sprydecode keyword and presence events");
}

void spry_event_state_reset(SpryEventState *state) {
  spry_keyword_reset(state->spotter);
  spry_presence_reset(&state->presence);
  state->have_source = FALSE;
  state->warned_no_pts = FALSE;
}

void spry_event_state_clear(SpryEventState *state) {
  spry_keyword_destroy(state->spotter);
  g_free(state->scores);
  memset(state, 0, sizeof *state);
}

/* ---- Reading scores ------------------------------------------------------------ */

/* 8/16-bit integers without parameters: TFLite's softmax output quantization. */
static gboolean apply_score_quantization(SpryTensorView *v) {
  if (v->info.scale > 0) return TRUE;
  switch (v->info.type) {
  case SPRY_TYPE_INT8: v->info.scale = 1.0f / 256; v->info.zero_point = -128; return TRUE;
  case SPRY_TYPE_UINT8: v->info.scale = 1.0f / 256; v->info.zero_point = 0; return TRUE;
  case SPRY_TYPE_INT16: v->info.scale = 1.0f / 32768; v->info.zero_point = 0; return TRUE;
  case SPRY_TYPE_FLOAT32: return TRUE;
  default: return FALSE;
  }
}

static gboolean read_scores(GstElement *element, SpryEventState *state, const SpryDecodeInput *in,
                            const gchar *task, gsize *out_count) {
  if (in->num_tensors < 1) return FALSE;
  SpryTensorView v = in->views[0];
  SpryPostError err;
  if (!apply_score_quantization(&v)) {
    GST_ELEMENT_ERROR(element, STREAM, DECODE,
                      ("task=%s needs scores: float, or 8/16-bit integers, not %s", task,
                       spry_type_name(v.info.type)),
                      ("check that the model's first output is its class scores"));
    return FALSE;
  }
  if (spry_tensor_view_check(&v, &err) != SPRY_OK) {
    GST_ELEMENT_ERROR(element, STREAM, DECODE, ("cannot read the scores: %s", err.message), (NULL));
    return FALSE;
  }
  gsize n = spry_tensor_view_count(&v);
  if (n < 1 || n > MAX_CLASSES) {
    GST_ELEMENT_ERROR(element, STREAM, DECODE,
                      ("task=%s needs 1 to %d scores, the tensor holds %" G_GSIZE_FORMAT, task,
                       MAX_CLASSES, n), (NULL));
    return FALSE;
  }
  if (n > state->capacity) {
    state->scores = g_renew(gfloat, state->scores, n); /* n <= MAX_CLASSES: no overflow */
    state->capacity = n;
  }
  for (gsize i = 0; i < n; i++) {
    gfloat f = spry_tensor_view_value(&v, i);
    /* Into [0, 1]; NaN stays NaN (presence treats it as no evidence either way). */
    state->scores[i] = f > 1.0f ? 1.0f : f < 0.0f ? 0.0f : f;
  }
  *out_count = n;
  return TRUE;
}

/* The result's time, and whether it is new (not a frame repeating an
 * inference already counted). */
static gboolean take_result(SpryEventState *state, const SpryDecodeInput *in, GstBuffer *buf,
                            GstClockTime *out_pts) {
  if (!in->meta) {
    *out_pts = GST_BUFFER_PTS(buf);
    return TRUE;
  }
  if (state->have_source && in->meta->source_frame == state->last_source_frame) return FALSE;
  state->have_source = TRUE;
  state->last_source_frame = in->meta->source_frame;
  *out_pts = in->meta->source_pts;
  return TRUE;
}

/* ---- Labels and reporting --------------------------------------------------------- */

static const gchar *label_at(const SpryEventLabels *labels, gint index) {
  return index >= 0 && (guint)index < labels->count ? labels->labels[index] : NULL;
}

static void report(GstElement *element, GstBuffer *buf, const SpryEventLabels *labels,
                   const gchar *kind, gint index, gdouble score, GstClockTime pts) {
  gchar *fallback = NULL;
  const gchar *label = label_at(labels, index);
  if (!label) label = fallback = g_strdup_printf("class%d", index);
  spry_buffer_add_event_meta(buf, kind, label, index, score, pts);
  GstStructure *s = gst_structure_new(SPRY_EVENT_MESSAGE_NAME, "kind", G_TYPE_STRING, kind,
                                      "label", G_TYPE_STRING, label, "index", G_TYPE_INT, index,
                                      "score", G_TYPE_DOUBLE, score, "pts", G_TYPE_UINT64,
                                      (guint64)pts, NULL);
  /* How much of the stream had been heard when the event was decided. */
  GstClockTime heard = GST_BUFFER_PTS(buf);
  if (GST_CLOCK_TIME_IS_VALID(heard) && GST_BUFFER_DURATION_IS_VALID(buf))
    heard += GST_BUFFER_DURATION(buf);
  GST_INFO_OBJECT(element, "%s %s (%d) %.3f at %" GST_TIME_FORMAT ", decided at %" GST_TIME_FORMAT,
                  kind, label, index, score, GST_TIME_ARGS(pts), GST_TIME_ARGS(heard));
  gst_element_post_message(element, gst_message_new_element(GST_OBJECT(element), s));
  g_free(fallback);
}

/* A class index written as a number ("2"), or -1. */
static gint parse_index(const gchar *text) {
  guint64 v = 0;
  if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT32, &v, NULL)) return -1;
  return (gint)v;
}

/* Ignored: listed by label (any case) or index, or a label starting with '_'
 * (the speech-commands convention for "_silence_", "_unknown_"). */
static guint8 *ignored_classes(const SpryEventSettings *settings, const SpryEventLabels *labels,
                               gint32 num_classes) {
  guint8 *ignored = g_new0(guint8, num_classes);
  gchar **names = g_strsplit(settings->ignore ? settings->ignore : "", ",", -1);
  for (gint32 c = 0; c < num_classes; c++) {
    const gchar *label = label_at(labels, c);
    ignored[c] = label && label[0] == '_';
    for (gchar **n = names; *n && !ignored[c]; n++) {
      const gchar *name = g_strstrip(*n);
      ignored[c] = *name && (parse_index(name) == c ||
                             (label && g_ascii_strcasecmp(name, label) == 0));
    }
  }
  g_strfreev(names);
  return ignored;
}

/* ---- Keyword ------------------------------------------------------------------------ */

static gboolean keyword_settings_changed(const SpryEventSettings *a, const SpryEventSettings *b) {
  return a->threshold != b->threshold || a->average_window_ms != b->average_window_ms ||
         a->suppression_ms != b->suppression_ms || a->minimum_count != b->minimum_count;
}

static gboolean keyword_build(GstElement *element, SpryEventState *state,
                              const SpryEventSettings *settings, const SpryEventLabels *labels,
                              gint32 num_classes) {
  SpryKeywordOptions o;
  spry_keyword_options_init(&o);
  o.threshold = (float)settings->threshold;
  o.average_window = (int64_t)settings->average_window_ms * (int64_t)GST_MSECOND;
  o.suppression = (int64_t)settings->suppression_ms * (int64_t)GST_MSECOND;
  o.minimum_count = (int32_t)MIN(settings->minimum_count, (guint)G_MAXINT32);
  guint8 *ignored = ignored_classes(settings, labels, num_classes);
  SpryPostError err;
  spry_keyword_destroy(state->spotter);
  state->spotter = NULL;
  SpryStatus status = spry_keyword_create(&o, num_classes, ignored, &state->spotter, &err);
  g_free(ignored);
  if (status != SPRY_OK) {
    GST_ELEMENT_ERROR(element, LIBRARY, SETTINGS, ("%s", err.message),
                      ("check average-window, threshold and minimum-count"));
    return FALSE;
  }
  state->num_classes = num_classes;
  state->built = *settings;
  state->built.ignore = state->built.target = NULL; /* borrowed for this call only */
  return TRUE;
}

/* When the word was heard: the end of the first result (window of audio)
 * that scored it clearly, i.e. about the end of the word. Windows all last
 * as long as this buffer's; without a duration, that result's start. */
static GstClockTime keyword_time(const SpryKeywordDetection *d, GstBuffer *buf) {
  GstClockTime duration = GST_BUFFER_DURATION(buf);
  GstClockTime start = (GstClockTime)d->first_time;
  return GST_CLOCK_TIME_IS_VALID(duration) && duration <= G_MAXINT64 ? start + duration : start;
}

gboolean spry_decode_keyword(GstElement *element, SpryEventState *state,
                             const SpryEventSettings *settings, const SpryEventLabels *labels,
                             const SpryDecodeInput *in, GstBuffer *buf) {
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  gsize n = 0;
  if (!take_result(state, in, buf, &pts)) return TRUE;
  if (!GST_CLOCK_TIME_IS_VALID(pts) || pts > (GstClockTime)G_MAXINT64) {
    /* Averaging is over time: a result without one cannot be placed. */
    if (!state->warned_no_pts)
      GST_WARNING_OBJECT(element, "task=keyword skips results without a timestamp");
    state->warned_no_pts = TRUE;
    return TRUE;
  }
  if (!read_scores(element, state, in, "keyword", &n)) return FALSE;
  if ((!state->spotter || state->num_classes != (gint32)n ||
       keyword_settings_changed(&state->built, settings)) &&
      !keyword_build(element, state, settings, labels, (gint32)n))
    return FALSE;
  SpryKeywordDetection d;
  int detected = 0;
  SpryPostError err;
  if (spry_keyword_push(state->spotter, (int64_t)pts, state->scores, (int32_t)n, &d, &detected,
                        &err) != SPRY_OK) {
    GST_ELEMENT_ERROR(element, STREAM, DECODE, ("%s", err.message), (NULL));
    return FALSE;
  }
  if (detected) report(element, buf, labels, "keyword", d.index, d.score, keyword_time(&d, buf));
  return TRUE;
}

/* ---- Presence ----------------------------------------------------------------------- */

static gboolean presence_settings_changed(const SpryEventSettings *a, const SpryEventSettings *b) {
  return a->threshold != b->threshold || a->off_threshold != b->off_threshold ||
         a->hold != b->hold;
}

/* The target class: unset → 1 (the "person" of a [no person, person]
 * classifier), a number → that index, else the class of that label. */
static gboolean resolve_target(GstElement *element, const SpryEventSettings *settings,
                               const SpryEventLabels *labels, gint32 num_classes, gint *out) {
  const gchar *t = settings->target && *settings->target ? settings->target : NULL;
  gint index = t ? parse_index(t) : 1;
  for (guint c = 0; t && index < 0 && c < labels->count && c < (guint)num_classes; c++)
    if (g_ascii_strcasecmp(labels->labels[c], t) == 0) index = (gint)c;
  if (index < 0 || index >= num_classes) {
    GST_ELEMENT_ERROR(element, LIBRARY, SETTINGS,
                      ("the presence target %s is not one of the model's %d classes",
                       t ? t : "1", (int)num_classes),
                      ("set target= to a class index below %d or a label of the labels file",
                       (int)num_classes));
    return FALSE;
  }
  *out = index;
  return TRUE;
}

static gboolean presence_build(GstElement *element, SpryEventState *state,
                               const SpryEventSettings *settings, const SpryEventLabels *labels,
                               gint32 num_classes) {
  SpryPresenceOptions o = {(float)settings->threshold, (float)settings->off_threshold,
                           (int32_t)MIN(settings->hold, (guint)G_MAXINT32)};
  SpryPostError err;
  if (!resolve_target(element, settings, labels, num_classes, &state->target)) return FALSE;
  if (spry_presence_init(&state->presence, &o, &err) != SPRY_OK) {
    GST_ELEMENT_ERROR(element, LIBRARY, SETTINGS, ("%s", err.message),
                      ("set off-threshold at or below threshold"));
    return FALSE;
  }
  state->presence_ready = TRUE;
  state->num_classes = num_classes;
  state->built = *settings;
  state->built.ignore = state->built.target = NULL; /* borrowed for this call only */
  return TRUE;
}

gboolean spry_decode_presence(GstElement *element, SpryEventState *state,
                              const SpryEventSettings *settings, const SpryEventLabels *labels,
                              const SpryDecodeInput *in, GstBuffer *buf) {
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  gsize n = 0;
  if (!take_result(state, in, buf, &pts)) return TRUE;
  if (!read_scores(element, state, in, "presence", &n)) return FALSE;
  if ((!state->presence_ready || state->num_classes != (gint32)n ||
       presence_settings_changed(&state->built, settings)) &&
      !presence_build(element, state, settings, labels, (gint32)n))
    return FALSE;
  gfloat score = state->scores[state->target];
  SpryPresenceEvent e = spry_presence_push(&state->presence, score);
  if (e != SPRY_PRESENCE_NONE)
    report(element, buf, labels, spry_presence_event_name(e), state->target, score, pts);
  return TRUE;
}
