/* SPDX-License-Identifier: Apache-2.0 */
/* app_results.c — an application runs a Spry pipeline and reads the result metas in an appsink callback. */
/*
 * Usage: app_results MODEL FILE [classify|detect|segment]
 *
 * Builds `filesrc ! decodebin ! videoconvert ! spryinfer ! sprydecode ! appsink`
 * and prints, for every frame, what the metas say. Only GStreamer and the
 * header <gst/spry/spry-meta.h> are needed: the metas are found by name.
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/spry/spry-meta.h>
#include <gst/video/gstvideometa.h>
#include <stdio.h>

static void print_classes(GstBuffer *buffer) {
  const SpryClassificationMeta *classes = spry_buffer_get_classification_meta(buffer);
  for (guint i = 0; classes && i < classes->count; i++)
    printf("  class %s (%d) %.3f\n", classes->entries[i].label ? classes->entries[i].label : "?",
           classes->entries[i].index, classes->entries[i].score);
}

/* Detections are standard region-of-interest metas with a "detection" structure. */
static void print_detections(GstBuffer *buffer) {
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered(buffer, &state,
                                                  GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
    const GstStructure *detection = gst_video_region_of_interest_meta_get_param(
        roi, SPRY_DETECTION_PARAMS_NAME);
    gdouble confidence = 0;
    if (detection) gst_structure_get_double(detection, "confidence", &confidence);
    printf("  box %s %.3f at %u,%u size %ux%u\n", g_quark_to_string(roi->roi_type), confidence,
           roi->x, roi->y, roi->w, roi->h);
  }
}

static void print_segmentation(GstBuffer *buffer) {
  const SprySegmentationMeta *mask = spry_buffer_get_segmentation_meta(buffer);
  if (!mask) return;
  guint counts[256] = {0};
  gsize pixels = (gsize)mask->width * (gsize)mask->height;
  for (gsize i = 0; i < pixels; i++) counts[mask->classes[i]]++;
  for (guint c = 0; c < 256; c++)
    if (counts[c])
      printf("  mask %s %.1f%%\n", mask->labels && c < mask->num_labels ? mask->labels[c] : "?",
             100.0 * counts[c] / (gdouble)pixels);
}

/* Called on the streaming thread for every frame that reaches the appsink. */
static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer user_data) {
  guint *frames = user_data;
  GstSample *sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_EOS;
  GstBuffer *buffer = gst_sample_get_buffer(sample);
  const SpryTensorMeta *tensors = spry_buffer_get_tensor_meta(buffer);
  printf("frame %u", (*frames)++);
  if (tensors)
    printf(": %u output tensors from frame %" G_GUINT64_FORMAT ", %.1f ms", tensors->num_tensors,
           tensors->source_frame, tensors->inference_ms);
  printf("\n");
  print_classes(buffer);
  print_detections(buffer);
  print_segmentation(buffer);
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

/* Runs until the end of the file; returns 0, or 1 after printing the error. */
static int run(GstElement *pipeline) {
  GstBus *bus = gst_element_get_bus(pipeline);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstMessage *message = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
                                                   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  int rc = 0;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gst_message_parse_error(message, &error, NULL);
    fprintf(stderr, "app_results: %s\n", error->message);
    g_error_free(error);
    rc = 1;
  }
  gst_message_unref(message);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  return rc;
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: app_results MODEL FILE [classify|detect|segment]\n");
    return 1;
  }
  /* Debian ships the BMP decoder with rank none; decodebin needs a rank. */
  GstPluginFeature *bmp = gst_registry_lookup_feature(gst_registry_get(), "gdkpixbufdec");
  if (bmp) {
    gst_plugin_feature_set_rank(bmp, MAX(gst_plugin_feature_get_rank(bmp), GST_RANK_MARGINAL));
    gst_object_unref(bmp);
  }
  gchar *description = g_strdup_printf(
      "filesrc name=src ! decodebin ! videoconvert ! spryinfer name=infer ! "
      "sprydecode task=%s ! appsink name=results sync=false", argc > 3 ? argv[3] : "classify");
  GError *error = NULL;
  /* Fatal errors: a missing element (plugin not found) must not go unnoticed. */
  GstElement *pipeline =
      gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  g_free(description);
  if (!pipeline) {
    fprintf(stderr, "app_results: %s\n", error->message);
    g_error_free(error);
    return 1;
  }
  /* Set paths as properties rather than in the text: no quoting problems. */
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement *infer = gst_bin_get_by_name(GST_BIN(pipeline), "infer");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "results");
  g_object_set(src, "location", argv[2], NULL);
  g_object_set(infer, "model", argv[1], NULL);
  guint frames = 0;
  GstAppSinkCallbacks callbacks = {.new_sample = on_new_sample};
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, &frames, NULL);
  int rc = run(pipeline);
  gst_object_unref(sink);
  gst_object_unref(infer);
  gst_object_unref(src);
  gst_object_unref(pipeline);
  return rc;
}
