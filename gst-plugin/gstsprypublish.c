/* SPDX-License-Identifier: Apache-2.0 */
/* gstsprypublish.c — the sprypublish sink: one JSON object per frame or per event (docs/results-json.md) to a file or standard output. */
/**
 * SECTION:element-sprypublish
 *
 * Writes the results attached by sprydecode (classifications, detections,
 * segmentation, keypoints) as JSON lines: one object per frame, flushed as
 * soon as it is written so that another program can follow the file.
 *
 * |[
 * gst-launch-1.0 ... ! spryinfer model=m.tflite ! sprydecode task=classify ! sprypublish location=out.jsonl
 * ]|
 *
 * A buffer carrying events (sprydecode task=keyword or task=presence) is
 * written as one object per event instead of the frame object. In such
 * pipelines most buffers carry nothing: use skip-empty=true so that only the
 * events are written.
 *
 * |[
 * ... ! sprydecode task=keyword labels=labels.txt ! sprypublish skip-empty=true location=-
 * ]|
 *
 * To draw and publish the same frames, split the stream with a tee.
 */
#include "gstsprypublish.h"

#include <errno.h>
#include <string.h>

#include "results_json.h"

GST_DEBUG_CATEGORY_STATIC(spry_publish_debug);
#define GST_CAT_DEFAULT spry_publish_debug

enum { PROP_0, PROP_LOCATION, PROP_SKIP_EMPTY };

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE(GstSpryPublish, gst_spry_publish, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE(sprypublish, "sprypublish", GST_RANK_NONE, GST_TYPE_SPRY_PUBLISH);

static void gst_spry_publish_set_property(GObject *object, guint id, const GValue *value,
                                          GParamSpec *pspec) {
  GstSpryPublish *self = GST_SPRY_PUBLISH(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_LOCATION:
    g_free(self->location);
    self->location = g_value_dup_string(value);
    break;
  case PROP_SKIP_EMPTY: self->skip_empty = g_value_get_boolean(value); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_publish_get_property(GObject *object, guint id, GValue *value,
                                          GParamSpec *pspec) {
  GstSpryPublish *self = GST_SPRY_PUBLISH(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_LOCATION: g_value_set_string(value, self->location); break;
  case PROP_SKIP_EMPTY: g_value_set_boolean(value, self->skip_empty); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static gboolean gst_spry_publish_start(GstBaseSink *sink) {
  GstSpryPublish *self = GST_SPRY_PUBLISH(sink);
  GST_OBJECT_LOCK(self);
  gchar *location = g_strdup(self->location);
  GST_OBJECT_UNLOCK(self);
  self->frame = 0;
  self->have_video = FALSE;
  if (!location || !*location || strcmp(location, "-") == 0) {
    self->file = stdout;
    self->owns_file = FALSE;
  } else {
    self->file = fopen(location, "w");
    self->owns_file = TRUE;
  }
  if (!self->file) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                      ("cannot write results to %s: %s", location, g_strerror(errno)), (NULL));
  }
  g_free(location);
  return self->file != NULL;
}

static gboolean gst_spry_publish_stop(GstBaseSink *sink) {
  GstSpryPublish *self = GST_SPRY_PUBLISH(sink);
  gboolean ok = TRUE;
  if (self->file && self->owns_file) ok = fclose(self->file) == 0;
  else if (self->file) fflush(self->file);
  self->file = NULL;
  if (!ok) GST_ELEMENT_ERROR(self, RESOURCE, CLOSE, ("cannot close the results file"), (NULL));
  return ok;
}

static gboolean gst_spry_publish_set_caps(GstBaseSink *sink, GstCaps *caps) {
  GstSpryPublish *self = GST_SPRY_PUBLISH(sink);
  GstStructure *s = gst_caps_get_structure(caps, 0);
  self->have_video = gst_structure_has_name(s, "video/x-raw") &&
                     gst_video_info_from_caps(&self->info, caps);
  return TRUE;
}

static gboolean write_line(GstSpryPublish *self, JsonNode *node) {
  gchar *line = json_to_string(node, FALSE);
  gboolean ok = fputs(line, self->file) >= 0 && fputc('\n', self->file) != EOF;
  g_free(line);
  return ok;
}

/* Events replace the frame object; otherwise the frame, unless it is empty
 * and skip-empty is set. */
static gboolean write_buffer(GstSpryPublish *self, GstBuffer *buf) {
  GPtrArray *events = spry_events_to_json(buf);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < events->len; i++) ok = write_line(self, g_ptr_array_index(events, i));
  gboolean had_events = events->len > 0;
  g_ptr_array_unref(events);
  guint64 frame = self->frame++;
  if (had_events) return ok;
  gint width = self->have_video ? GST_VIDEO_INFO_WIDTH(&self->info) : 0;
  gint height = self->have_video ? GST_VIDEO_INFO_HEIGHT(&self->info) : 0;
  gboolean has_results = FALSE;
  JsonNode *root = spry_results_to_json(buf, frame, width, height, &has_results);
  GST_OBJECT_LOCK(self);
  gboolean skip = self->skip_empty && !has_results;
  GST_OBJECT_UNLOCK(self);
  if (!skip) ok = write_line(self, root);
  json_node_unref(root);
  return ok;
}

static GstFlowReturn gst_spry_publish_render(GstBaseSink *sink, GstBuffer *buf) {
  GstSpryPublish *self = GST_SPRY_PUBLISH(sink);
  if (!write_buffer(self, buf) || fflush(self->file) != 0) {
    GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("cannot write results: %s", g_strerror(errno)), (NULL));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static void gst_spry_publish_finalize(GObject *object) {
  g_free(GST_SPRY_PUBLISH(object)->location);
  G_OBJECT_CLASS(gst_spry_publish_parent_class)->finalize(object);
}

static void gst_spry_publish_class_init(GstSpryPublishClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS(klass);

  gobject_class->set_property = gst_spry_publish_set_property;
  gobject_class->get_property = gst_spry_publish_get_property;
  gobject_class->finalize = gst_spry_publish_finalize;

  g_object_class_install_property(gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location",
                          "File to write the JSON lines to (\"-\" or unset: standard output)",
                          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(gobject_class, PROP_SKIP_EMPTY,
      g_param_spec_boolean("skip-empty", "Skip empty",
                           "Write only frames that carry results or events (recommended with "
                           "sprydecode task=keyword or presence)", FALSE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_set_static_metadata(element_class, "Spry result publisher", "Sink/Analyzer",
      "Writes each frame's inference results, or each event, as one JSON object per line",
      "Spry developers");

  sink_class->start = GST_DEBUG_FUNCPTR(gst_spry_publish_start);
  sink_class->stop = GST_DEBUG_FUNCPTR(gst_spry_publish_stop);
  sink_class->set_caps = GST_DEBUG_FUNCPTR(gst_spry_publish_set_caps);
  sink_class->render = GST_DEBUG_FUNCPTR(gst_spry_publish_render);
  GST_DEBUG_CATEGORY_INIT(spry_publish_debug, "sprypublish", 0, "Spry result publisher");
}

static void gst_spry_publish_init(GstSpryPublish *self) {
  /* Results are written as they come: waiting for the clock buys nothing. */
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}
