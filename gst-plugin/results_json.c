/* SPDX-License-Identifier: Apache-2.0 */
/* results_json.c — turns the metas on a buffer into the documented JSON objects (see docs/results-json.md). */
#include "results_json.h"

#include <gst/video/video.h>

#include "result_metas.h"
#include "tensor_meta.h"

static void add_label(JsonBuilder *b, const gchar *label) {
  json_builder_set_member_name(b, "label");
  if (label) json_builder_add_string_value(b, label);
  else json_builder_add_null_value(b);
}

static void add_double(JsonBuilder *b, const gchar *name, gdouble v) {
  json_builder_set_member_name(b, name);
  json_builder_add_double_value(b, v);
}

static void add_int(JsonBuilder *b, const gchar *name, gint64 v) {
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

static gboolean add_classifications(JsonBuilder *b, GstBuffer *buf) {
  const SpryClassificationMeta *m = spry_buffer_get_classification_meta(buf);
  json_builder_set_member_name(b, "classifications");
  json_builder_begin_array(b);
  for (guint i = 0; m && i < m->count && i < SPRY_META_MAX_CLASSES; i++) {
    json_builder_begin_object(b);
    add_label(b, m->entries[i].label);
    add_int(b, "index", m->entries[i].index);
    add_double(b, "score", m->entries[i].score);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  return m != NULL;
}

static void add_detection(JsonBuilder *b, const GstVideoRegionOfInterestMeta *roi) {
  const GstStructure *s = gst_video_region_of_interest_meta_get_param(
      (GstVideoRegionOfInterestMeta *)roi, SPRY_DETECTION_PARAMS_NAME);
  gint index = -1;
  gdouble score = 0;
  const gchar *label = roi->roi_type ? g_quark_to_string(roi->roi_type) : NULL;
  if (s) {
    gst_structure_get_int(s, "index", &index);
    gst_structure_get_double(s, "confidence", &score);
    if (gst_structure_has_field_typed(s, "label", G_TYPE_STRING))
      label = gst_structure_get_string(s, "label");
  }
  json_builder_begin_object(b);
  add_label(b, label);
  add_int(b, "index", index);
  add_double(b, "score", score);
  add_int(b, "x", roi->x);
  add_int(b, "y", roi->y);
  add_int(b, "w", roi->w);
  add_int(b, "h", roi->h);
  json_builder_end_object(b);
}

static gboolean add_detections(JsonBuilder *b, GstBuffer *buf) {
  gpointer state = NULL;
  GstMeta *meta;
  gboolean any = FALSE;
  json_builder_set_member_name(b, "detections");
  json_builder_begin_array(b);
  while ((meta = gst_buffer_iterate_meta_filtered(buf, &state,
                                                  GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    add_detection(b, (GstVideoRegionOfInterestMeta *)meta);
    any = TRUE;
  }
  json_builder_end_array(b);
  return any;
}

static gboolean add_segmentation(JsonBuilder *b, GstBuffer *buf) {
  const SprySegmentationMeta *m = spry_buffer_get_segmentation_meta(buf);
  if (!m || m->width <= 0 || m->height <= 0) return FALSE;
  guint64 counts[256] = {0};
  const gsize pixels = (gsize)m->width * (gsize)m->height;
  for (gsize i = 0; i < pixels; i++) counts[m->classes[i]]++;
  json_builder_set_member_name(b, "segmentation");
  json_builder_begin_object(b);
  add_int(b, "width", m->width);
  add_int(b, "height", m->height);
  json_builder_set_member_name(b, "classes");
  json_builder_begin_array(b);
  for (guint c = 0; c < 256; c++) {
    if (!counts[c]) continue;
    json_builder_begin_object(b);
    add_label(b, m->labels && c < m->num_labels ? m->labels[c] : NULL);
    add_int(b, "index", c);
    add_double(b, "fraction", (gdouble)counts[c] / (gdouble)pixels);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  return TRUE;
}

static gboolean add_keypoints(JsonBuilder *b, GstBuffer *buf) {
  const SpryKeypointsMeta *m = spry_buffer_get_keypoints_meta(buf);
  if (!m) return FALSE;
  json_builder_set_member_name(b, "keypoints");
  json_builder_begin_array(b);
  for (guint i = 0; i < m->count && i < SPRY_META_MAX_KEYPOINTS; i++) {
    json_builder_begin_object(b);
    add_int(b, "index", i);
    add_double(b, "x", m->points[i].x);
    add_double(b, "y", m->points[i].y);
    add_double(b, "score", m->points[i].score);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  return TRUE;
}

static void add_inference(JsonBuilder *b, GstBuffer *buf) {
  const SpryTensorMeta *m = spry_buffer_get_tensor_meta(buf);
  if (!m) return;
  json_builder_set_member_name(b, "inference");
  json_builder_begin_object(b);
  add_int(b, "source_frame", (gint64)m->source_frame);
  json_builder_set_member_name(b, "source_pts");
  if (GST_CLOCK_TIME_IS_VALID(m->source_pts)) json_builder_add_int_value(b, (gint64)m->source_pts);
  else json_builder_add_null_value(b);
  add_int(b, "us", (gint64)(m->inference_ms * 1000.0 + 0.5));
  json_builder_end_object(b);
}

JsonNode *spry_results_to_json(GstBuffer *buffer, guint64 frame, gint width, gint height,
                               gboolean *has_results) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  add_int(b, "frame", (gint64)frame);
  json_builder_set_member_name(b, "pts");
  if (GST_BUFFER_PTS_IS_VALID(buffer)) json_builder_add_int_value(b, (gint64)GST_BUFFER_PTS(buffer));
  else json_builder_add_null_value(b);
  if (width > 0 && height > 0) {
    add_int(b, "width", width);
    add_int(b, "height", height);
  }
  gboolean any = add_classifications(b, buffer);
  any |= add_detections(b, buffer);
  any |= add_segmentation(b, buffer);
  any |= add_keypoints(b, buffer);
  add_inference(b, buffer);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  g_object_unref(b);
  if (has_results) *has_results = any;
  return root;
}

static void add_pts(JsonBuilder *b, GstClockTime pts) {
  json_builder_set_member_name(b, "pts");
  if (GST_CLOCK_TIME_IS_VALID(pts)) json_builder_add_int_value(b, (gint64)pts);
  else json_builder_add_null_value(b);
}

/* Keywords name the word first (what a listener greps for); presence events
 * name the change first. */
static JsonNode *event_to_json(const SpryEventMeta *e) {
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  gboolean keyword = g_strcmp0(e->kind, "keyword") == 0;
  if (keyword) {
    json_builder_set_member_name(b, "keyword");
    if (e->label) json_builder_add_string_value(b, e->label);
    else json_builder_add_null_value(b);
  } else {
    json_builder_set_member_name(b, "event");
    json_builder_add_string_value(b, e->kind ? e->kind : "");
    add_label(b, e->label);
  }
  add_int(b, "index", e->index);
  add_double(b, "score", e->score);
  add_pts(b, e->pts);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  g_object_unref(b);
  return root;
}

GPtrArray *spry_events_to_json(GstBuffer *buffer) {
  GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state, spry_event_meta_api_get_type())))
    g_ptr_array_add(events, event_to_json((const SpryEventMeta *)meta));
  return events;
}
