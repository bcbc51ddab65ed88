/* SPDX-License-Identifier: Apache-2.0 */
/* test_pipelines.c — the README's pipelines on the shared models and media: the right labels, boxes and masks come out as JSON and pictures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "pipeline_util.h"

/* Runs `desc` (with %s placeholders already filled) and returns the JSON
 * lines written to `out`; `playing_s` (may be NULL) gets the time spent
 * playing (see run_pipeline_timed). */
static GPtrArray *run_and_read_timed(const gchar *desc, const gchar *out, double *playing_s) {
  gchar *error = NULL;
  double seconds = 0;
  if (!run_pipeline_timed(desc, 600, &error, &seconds))
    fail_msg("pipeline failed: %s\n%s", error, desc);
  if (playing_s) *playing_s = seconds;
  GPtrArray *lines = read_json_lines(out);
  assert_non_null(lines);
  return lines;
}

static GPtrArray *run_and_read(const gchar *desc, const gchar *out) {
  return run_and_read_timed(desc, out, NULL);
}

static JsonObject *line_object(GPtrArray *lines, guint i) {
  assert_true(i < lines->len);
  return json_node_get_object(g_ptr_array_index(lines, i));
}

/* Image source: decoded, converted to BGRx (spryoverlay's format, and no later
 * conversion that would drop detection parameters), one frame. */
static gchar *image_source(const gchar *media) {
  gchar *path = test_shared_path_or_skip(media);
  gchar *s = g_strdup_printf("filesrc location=%s ! decodebin ! videoconvert ! "
                             "video/x-raw,format=BGRx ! imagefreeze num-buffers=1", path);
  g_free(path);
  return s;
}

static void test_classify_grace_hopper(void **state) {
  (void)state;
  gchar *src = image_source("media/grace_hopper.bmp");
  gchar *model = test_shared_path_or_skip("models/mobilenet_v2_1.0_224_quant.tflite");
  gchar *out = temp_path(".jsonl");
  gchar *desc = g_strdup_printf("%s ! spryinfer model=%s ! sprydecode task=classify ! "
                                "sprypublish location=%s", src, model, out);
  GPtrArray *lines = run_and_read(desc, out);
  assert_int_equal(lines->len, 1);
  JsonObject *o = line_object(lines, 0);
  assert_int_equal(json_object_get_int_member(o, "width"), 512);
  JsonArray *classes = json_object_get_array_member(o, "classifications");
  assert_int_equal(json_array_get_length(classes), 5);
  JsonObject *top = json_array_get_object_element(classes, 0);
  assert_string_equal(json_object_get_string_member(top, "label"), "military uniform");
  assert_int_equal(json_object_get_int_member(top, "index"), 653);
  g_ptr_array_unref(lines);
  g_unlink(out);
  g_free(desc), g_free(out), g_free(model), g_free(src);
}

static void test_detect_person_with_overlay(void **state) {
  (void)state;
  gchar *src = image_source("media/grace_hopper.bmp");
  gchar *model = test_shared_path_or_skip("models/ssd_mobilenet_v1_coco_quant.tflite");
  gchar *labels = test_shared_path_or_skip("models/coco_labels.txt");
  gchar *out = temp_path(".jsonl"), *png = temp_path(".png");
  gchar *desc = g_strdup_printf(
      "%s ! spryinfer model=%s ! sprydecode task=detect labels=%s ! tee name=t ! queue ! "
      "sprypublish location=%s t. ! queue ! spryoverlay ! videoconvert ! pngenc ! filesink location=%s",
      src, model, labels, out, png);
  GPtrArray *lines = run_and_read(desc, out);
  assert_int_equal(lines->len, 1);
  JsonArray *dets = json_object_get_array_member(line_object(lines, 0), "detections");
  gboolean person = FALSE;
  for (guint i = 0; i < json_array_get_length(dets); i++) {
    JsonObject *d = json_array_get_object_element(dets, i);
    if (!strcmp(json_object_get_string_member(d, "label"), "person") &&
        json_object_get_double_member(d, "score") > 0.5) {
      person = TRUE;
      /* The box covers her: most of the frame's height, from near the top. */
      assert_true(json_object_get_int_member(d, "h") > 400);
      assert_true(json_object_get_int_member(d, "y") < 100);
    }
  }
  assert_true(person);
  /* The picture was written (what spryoverlay draws: test_overlay_draws_box). */
  GError *error = NULL;
  gchar *png_data = NULL;
  gsize png_size = 0;
  assert_true(g_file_get_contents(png, &png_data, &png_size, &error));
  assert_true(png_size > 10000 && memcmp(png_data, "\x89PNG", 4) == 0);
  g_free(png_data);
  g_ptr_array_unref(lines);
  g_unlink(out), g_unlink(png);
  g_free(desc), g_free(out), g_free(png), g_free(labels), g_free(model), g_free(src);
}

/* spryoverlay draws the person's box outline in its class colour (class 0:
 * pure red) on the frame itself. */
static void test_overlay_draws_box(void **state) {
  (void)state;
  gchar *src = image_source("media/grace_hopper.bmp");
  gchar *model = test_shared_path_or_skip("models/ssd_mobilenet_v1_coco_quant.tflite");
  gchar *desc = g_strdup_printf("%s ! spryinfer model=%s ! sprydecode task=detect ! "
                                "spryoverlay show-labels=false line-width=4 ! appsink name=sink",
                                src, model);
  GstElement *pipeline = gst_parse_launch(desc, NULL);
  assert_non_null(pipeline);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 600 * GST_SECOND);
  assert_non_null(sample);
  GstBuffer *buf = gst_sample_get_buffer(sample);
  GstVideoInfo info;
  assert_true(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)));
  GstVideoRegionOfInterestMeta *roi = gst_buffer_get_video_region_of_interest_meta_id(buf, 0);
  assert_non_null(roi);
  assert_string_equal(g_quark_to_string(roi->roi_type), "class0"); /* no labels given */
  GstVideoFrame frame;
  assert_true(gst_video_frame_map(&frame, &info, buf, GST_MAP_READ));
  const guint8 *top_middle = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) +
                             roi->y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0) +
                             (roi->x + roi->w / 2) * 4;
  assert_true(top_middle[0] < 60 && top_middle[1] < 60 && top_middle[2] > 200); /* B, G, R */
  gst_video_frame_unmap(&frame);
  gst_sample_unref(sample);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  g_free(desc), g_free(model), g_free(src);
}

static double class_fraction(JsonObject *o, const gchar *label) {
  JsonObject *seg = json_object_get_object_member(o, "segmentation");
  assert_non_null(seg);
  JsonArray *classes = json_object_get_array_member(seg, "classes");
  for (guint i = 0; i < json_array_get_length(classes); i++) {
    JsonObject *c = json_array_get_object_element(classes, i);
    JsonNode *l = json_object_get_member(c, "label");
    if (l && !json_node_is_null(l) && !strcmp(json_node_get_string(l), label))
      return json_object_get_double_member(c, "fraction");
  }
  return 0;
}

static void test_segment_dog(void **state) {
  (void)state;
  gchar *src = image_source("media/dog_segmentation_256.bmp");
  gchar *model = test_shared_path_or_skip("models/deeplabv3_mnv2_pascal_quant.tflite");
  gchar *labels = test_shared_path_or_skip("models/pascal_voc_labels.txt");
  gchar *out = temp_path(".jsonl");
  gchar *desc = g_strdup_printf("%s ! spryinfer model=%s ! sprydecode task=segment labels=%s ! "
                                "spryoverlay ! sprypublish location=%s", src, model, labels, out);
  GPtrArray *lines = run_and_read(desc, out);
  double dog = class_fraction(line_object(lines, 0), "dog");
  assert_true(dog > 0.4 && dog < 0.7); /* the reference runtime's mask: 0.553 */
  g_ptr_array_unref(lines);
  g_unlink(out);
  g_free(desc), g_free(out), g_free(labels), g_free(model), g_free(src);
}

/* The float MediaPipe models want [0, 1] (selfie) and [-1, 1] (face) inputs. */
static void test_selfie_segmentation(void **state) {
  (void)state;
  gchar *src = image_source("media/grace_hopper.bmp");
  gchar *model = test_shared_path_or_skip("models/selfie_segmentation_float.tflite");
  gchar *out = temp_path(".jsonl");
  gchar *labels = temp_path(".txt");
  assert_true(g_file_set_contents(labels, "background\nperson\n", -1, NULL));
  gchar *desc = g_strdup_printf("%s ! spryinfer model=%s mean=0 std=255 ! "
                                "sprydecode task=segment labels=%s ! sprypublish location=%s",
                                src, model, labels, out);
  GPtrArray *lines = run_and_read(desc, out);
  double person = class_fraction(line_object(lines, 0), "person");
  assert_true(person > 0.3);
  g_ptr_array_unref(lines);
  g_unlink(out), g_unlink(labels);
  g_free(desc), g_free(out), g_free(labels), g_free(model), g_free(src);
}

static void test_face_detection(void **state) {
  (void)state;
  gchar *src = image_source("media/grace_hopper.bmp");
  gchar *model = test_shared_path_or_skip("models/face_detection_short_range_float.tflite");
  gchar *out = temp_path(".jsonl");
  gchar *desc = g_strdup_printf("%s ! spryinfer model=%s scaling=letterbox ! "
                                "sprydecode task=detect ! sprypublish location=%s", src, model, out);
  GPtrArray *lines = run_and_read(desc, out);
  JsonArray *dets = json_object_get_array_member(line_object(lines, 0), "detections");
  assert_true(json_array_get_length(dets) >= 1);
  JsonObject *face = json_array_get_object_element(dets, 0);
  assert_true(json_object_get_double_member(face, "score") > 0.5);
  /* Her face: centred horizontally, in the upper half of the 512x600 frame. */
  gint64 cx = json_object_get_int_member(face, "x") + json_object_get_int_member(face, "w") / 2;
  gint64 cy = json_object_get_int_member(face, "y") + json_object_get_int_member(face, "h") / 2;
  assert_true(cx > 180 && cx < 330);
  assert_true(cy > 150 && cy < 330);
  g_ptr_array_unref(lines);
  g_unlink(out);
  g_free(desc), g_free(out), g_free(model), g_free(src);
}

/* A live 30 fps source and a model far slower than 33 ms: once playing, the
 * video keeps flowing (300 frames in about 10 s), frames carry earlier
 * results. Opening and warming up the model come before and do not count. */
static void test_live_source_keeps_flowing(void **state) {
  (void)state;
  gchar *model = test_shared_path_or_skip("models/mobilenet_v2_1.0_224_quant.tflite");
  gchar *out = temp_path(".jsonl");
  gchar *desc = g_strdup_printf(
      "videotestsrc is-live=true num-buffers=300 ! video/x-raw,width=320,height=240,framerate=30/1 ! "
      "spryinfer model=%s ! sprydecode task=classify ! spryoverlay ! "
      "tee name=t ! queue ! fakesink sync=true t. ! queue ! sprypublish location=%s", model, out);
  double seconds = 0;
  GPtrArray *lines = run_and_read_timed(desc, out, &seconds);
  assert_int_equal(lines->len, 300);
  gint64 inferred_last = -1, distinct = 0;
  for (guint i = 0; i < lines->len; i++) {
    JsonObject *o = line_object(lines, i);
    if (!json_object_has_member(o, "inference")) continue;
    gint64 src = json_object_get_int_member(json_object_get_object_member(o, "inference"),
                                            "source_frame");
    assert_true(src <= (gint64)i); /* results come from this or an earlier frame */
    if (src != inferred_last) distinct++, inferred_last = src;
  }
  printf("300 frames in %.1f s, %" G_GINT64_FORMAT " inferences\n", seconds, distinct);
  assert_true(seconds < 20.0);
  assert_true(distinct >= 1);
  g_ptr_array_unref(lines);
  g_unlink(out);
  g_free(desc), g_free(out), g_free(model);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_classify_grace_hopper),
      cmocka_unit_test(test_detect_person_with_overlay),
      cmocka_unit_test(test_overlay_draws_box),
      cmocka_unit_test(test_segment_dog),
      cmocka_unit_test(test_selfie_segmentation),
      cmocka_unit_test(test_face_detection),
      cmocka_unit_test(test_live_source_keeps_flowing),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
