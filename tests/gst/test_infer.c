/* SPDX-License-Identifier: Apache-2.0 */
/* test_infer.c — spryinfer: the outputs it attaches equal libspry's on the same input, and bad input gives clear bus errors, never a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <spry/spry.h>

#include "gst/spry/spry-meta.h"
#include "pipeline_util.h"

static gchar *small_model(void) {
  return g_build_filename(test_data_dir(), "models", "mobilenet_v1_0.25_128_quant.tflite", NULL);
}

/* Parses a pipeline that must be complete (a missing element fails). */
static GstElement *parse_or_fail(const gchar *desc) {
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch(desc, &error);
  if (!pipeline || error) fail_msg("cannot build \"%s\": %s", desc, error ? error->message : "?");
  return pipeline;
}

/* A pipeline ending in `appsink name=sink`, started in `state`. */
typedef struct AppsinkRun {
  GstElement *pipeline;
  GstElement *sink;
} AppsinkRun;

static AppsinkRun appsink_start(const gchar *desc, GstState state) {
  AppsinkRun run = {parse_or_fail(desc), NULL};
  run.sink = gst_bin_get_by_name(GST_BIN(run.pipeline), "sink");
  assert_non_null(run.sink);
  assert_int_not_equal(gst_element_set_state(run.pipeline, state), GST_STATE_CHANGE_FAILURE);
  return run;
}

/* The next frame at the appsink; NULL at EOS. Fails on a timeout (a pipeline
 * error ends in no EOS). */
static GstSample *next_sample(const AppsinkRun *run) {
  GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(run->sink), 120 * GST_SECOND);
  if (!s && !gst_app_sink_is_eos(GST_APP_SINK(run->sink)))
    fail_msg("no frame and no EOS within 120 s");
  return s;
}

static void appsink_stop(AppsinkRun *run) {
  gst_element_set_state(run->pipeline, GST_STATE_NULL);
  gst_object_unref(run->sink);
  gst_object_unref(run->pipeline);
}

/* The model's output for an input tensor filled with `value`, from libspry. */
static guint8 *reference_output(const gchar *model_path, guint8 value, gsize *size) {
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_model_open_file(model_path, &model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
  SpryTensor *in = spry_interpreter_input(interp, 0);
  memset(spry_tensor_data(in), value, spry_tensor_byte_size(in));
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  *size = spry_tensor_byte_size(out);
  guint8 *copy = g_memdup2(spry_tensor_data_const(out), *size);
  spry_interpreter_free(interp);
  spry_model_free(model);
  return copy;
}

/* A white frame is pixel 255 everywhere, which this uint8 model takes as is:
 * spryinfer's tensor must be byte for byte libspry's on an all-255 input. */
static void test_outputs_match_libspry(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf(
      "videotestsrc pattern=white num-buffers=3 ! video/x-raw,format=I420,width=320,height=240 ! "
      "spryinfer model=%s ! appsink name=sink sync=false",
      model);
  AppsinkRun run = appsink_start(desc, GST_STATE_PLAYING);
  gsize ref_size = 0;
  guint8 *ref = reference_output(model, 255, &ref_size);
  int frames = 0;
  GstSample *sample;
  while ((sample = next_sample(&run))) {
    const SpryTensorMeta *m = spry_buffer_get_tensor_meta(gst_sample_get_buffer(sample));
    assert_non_null(m);
    assert_int_equal(m->num_tensors, 1);
    assert_int_equal(m->tensors[0].type, SPRY_TYPE_UINT8);
    assert_int_equal(m->tensors[0].rank, 2);
    assert_int_equal(m->tensors[0].dims[1], 1001);
    assert_int_equal(m->tensors[0].size, ref_size);
    assert_memory_equal(m->tensors[0].data, ref, ref_size);
    assert_int_equal(m->source_frame, (guint64)frames);
    assert_int_equal(m->frame_width, 320);
    assert_true(m->num_labels == 0 || m->labels != NULL);
    gst_sample_unref(sample);
    frames++;
  }
  assert_int_equal(frames, 3);
  g_free(ref);
  appsink_stop(&run);
  g_free(desc);
  g_free(model);
}

/* The values a float model's input gets from one RGB frame of a single
 * colour, through spryinfer with `props`. */
static void normalized_values(const gchar *props, gfloat out[3]) {
  gchar *model = g_build_filename(test_data_dir(), "models", "normalized_image_float.tflite", NULL);
  gchar *desc = g_strdup_printf(
      "appsrc name=src caps=video/x-raw,format=RGB,width=2,height=2,framerate=1/1 format=time ! "
      "spryinfer model=%s %s ! appsink name=sink sync=false", model, props);
  AppsinkRun run = appsink_start(desc, GST_STATE_PLAYING);
  GstElement *src = gst_bin_get_by_name(GST_BIN(run.pipeline), "src");
  /* RGB rows of 2 pixels are padded to 4-byte strides: 8 bytes a row. */
  static const guint8 frame[16] = {10, 128, 250, 10, 128, 250, 0, 0,
                                   10, 128, 250, 10, 128, 250, 0, 0};
  GstBuffer *buf = gst_buffer_new_memdup(frame, sizeof frame);
  GST_BUFFER_PTS(buf) = 0;
  assert_int_equal(gst_app_src_push_buffer(GST_APP_SRC(src), buf), GST_FLOW_OK);
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstSample *sample = next_sample(&run);
  assert_non_null(sample);
  const SpryTensorMeta *m = spry_buffer_get_tensor_meta(gst_sample_get_buffer(sample));
  assert_non_null(m);
  assert_int_equal(m->tensors[0].size, 12 * sizeof(gfloat));
  const gfloat *values = m->tensors[0].data;
  for (int i = 0; i < 12; i++) assert_true(values[i] == values[i % 3]); /* every pixel alike */
  memcpy(out, values, 3 * sizeof(gfloat));
  gst_sample_unref(sample);
  gst_object_unref(src);
  appsink_stop(&run);
  g_free(desc);
  g_free(model);
}

/* A float model's metadata NormalizationOptions (mean 16, std 64) replace the
 * default [-1, 1] mapping; mean/std properties replace both. */
static void test_normalization_from_metadata(void **state) {
  (void)state;
  gfloat v[3];
  normalized_values("", v);
  assert_true(v[0] == (10.0f - 16.0f) / 64.0f);
  assert_true(v[1] == (128.0f - 16.0f) / 64.0f);
  assert_true(v[2] == (250.0f - 16.0f) / 64.0f);
  normalized_values("mean=0 std=1", v);
  assert_true(v[0] == 10.0f && v[1] == 128.0f && v[2] == 250.0f);
}

/* interval=3: frames 0 and 3 are inferred, the others carry those results. */
static void test_interval(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf(
      "videotestsrc num-buffers=5 ! video/x-raw,width=64,height=64 ! "
      "spryinfer model=%s interval=3 ! appsink name=sink sync=false", model);
  AppsinkRun run = appsink_start(desc, GST_STATE_PLAYING);
  static const guint64 expected_source[] = {0, 0, 0, 3, 3};
  int frames = 0;
  GstSample *sample;
  while ((sample = next_sample(&run))) {
    const SpryTensorMeta *m = spry_buffer_get_tensor_meta(gst_sample_get_buffer(sample));
    assert_non_null(m);
    assert_true(frames < 5);
    assert_int_equal(m->source_frame, expected_source[frames]);
    gst_sample_unref(sample);
    frames++;
  }
  assert_int_equal(frames, 5);
  appsink_stop(&run);
  g_free(desc);
  g_free(model);
}

/* Runs `desc` and checks that it fails with a bus error containing `expected`. */
static void expect_error(const gchar *desc, const gchar *expected) {
  gchar *error = NULL;
  gboolean ok = run_pipeline(desc, 60, &error);
  if (ok || !error || !strstr(error, expected))
    fail_msg("expected an error containing \"%s\", got %s", expected, error ? error : "EOS");
  g_free(error);
}

static void test_missing_model(void **state) {
  (void)state;
  expect_error("videotestsrc num-buffers=1 ! spryinfer model=/nonexistent/m.tflite ! fakesink",
               "cannot open model /nonexistent/m.tflite");
  expect_error("videotestsrc num-buffers=1 ! spryinfer ! fakesink",
               "no model: set the 'model' property");
}

static void test_malformed_model(void **state) {
  (void)state;
  gchar *path = temp_path(".tflite");
  assert_true(g_file_set_contents(path, "this is not a flatbuffer, just text", -1, NULL));
  gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! spryinfer model=%s ! fakesink", path);
  expect_error(desc, "cannot open model");
  g_unlink(path);
  g_free(desc);
  g_free(path);
}

static void test_model_not_an_image(void **state) {
  (void)state;
  gchar *model = g_build_filename(test_data_dir(), "models", "add_float.tflite", NULL);
  gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! spryinfer model=%s ! fakesink", model);
  expect_error(desc, "an image input must be [1,height,width,1 or 3]");
  g_free(desc);
  g_free(model);
}

/* WHERE's output shape depends on the data: refused when the element starts. */
static void test_dynamic_output_refused(void **state) {
  (void)state;
  gchar *model = g_build_filename(test_data_dir(), "goldens", "op_where_bool_rank2",
                                  "model.tflite", NULL);
  gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! spryinfer model=%s ! fakesink", model);
  expect_error(desc, "output 0 ('Identity') has a shape that depends on the data");
  g_free(desc);
  g_free(model);
}

static void test_bad_normalisation(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf(
      "videotestsrc num-buffers=1 ! spryinfer model=%s mean=1,2 ! fakesink", model);
  expect_error(desc, "mean='1,2': give one number or three");
  g_free(desc);
  desc = g_strdup_printf("videotestsrc num-buffers=1 ! spryinfer model=%s std=0 ! fakesink", model);
  expect_error(desc, "std must not be 0");
  g_free(desc);
  g_free(model);
}

static void test_unsupported_caps(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf(
      "audiotestsrc num-buffers=1 ! spryinfer model=%s ! fakesink", model);
  gchar *error = NULL;
  assert_false(run_pipeline(desc, 60, &error));
  assert_non_null(error);
  g_free(error);
  g_free(desc);
  g_free(model);
}

static void test_eos_before_first_frame(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *out = temp_path(".jsonl");
  gchar *desc = g_strdup_printf(
      "videotestsrc num-buffers=0 ! spryinfer model=%s ! sprypublish location=%s", model, out);
  gchar *error = NULL;
  assert_true(run_pipeline(desc, 60, &error));
  GPtrArray *lines = read_json_lines(out);
  assert_non_null(lines);
  assert_int_equal(lines->len, 0);
  g_ptr_array_unref(lines);
  g_unlink(out);
  g_free(out);
  g_free(desc);
  g_free(model);
}

/* 200 NULL <-> PLAYING cycles: no crash, no leak (the ASan stage checks). */
static void test_state_cycles(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf(
      "videotestsrc is-live=true ! video/x-raw,width=64,height=48 ! spryinfer model=%s ! fakesink",
      model);
  GstElement *pipeline = parse_or_fail(desc);
  for (int i = 0; i < 200; i++) {
    assert_int_not_equal(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    if (i % 20 == 0) gst_element_get_state(pipeline, NULL, NULL, 5 * GST_SECOND);
    assert_int_not_equal(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_FAILURE);
  }
  gst_object_unref(pipeline);
  g_free(desc);
  g_free(model);
}

/* A flushing seek in the middle of a stream: frames keep coming, with
 * results, and the stream ends normally. */
static void test_flushing_seek(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf(
      "videotestsrc num-buffers=30 ! video/x-raw,width=64,height=48,framerate=30/1 ! "
      "spryinfer model=%s ! appsink name=sink sync=false", model);
  AppsinkRun run = appsink_start(desc, GST_STATE_PAUSED);
  gst_element_get_state(run.pipeline, NULL, NULL, 30 * GST_SECOND);
  assert_true(gst_element_seek_simple(run.pipeline, GST_FORMAT_TIME,
                                      GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
                                      500 * GST_MSECOND));
  gst_element_set_state(run.pipeline, GST_STATE_PLAYING);
  int frames = 0;
  GstSample *sample;
  while ((sample = next_sample(&run))) {
    assert_non_null(spry_buffer_get_tensor_meta(gst_sample_get_buffer(sample)));
    gst_sample_unref(sample);
    frames++;
  }
  assert_true(frames > 0);
  appsink_stop(&run);
  g_free(desc);
  g_free(model);
}

/* A labels file shorter than the model's classes: classes past its end are
 * reported with a null label, never read out of bounds. */
static void test_labels_file_too_short(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *labels = temp_path(".txt"), *out = temp_path(".jsonl");
  assert_true(g_file_set_contents(labels, "background\ntench\n", -1, NULL));
  gchar *image = g_build_filename(test_data_dir(), "..", "..", "data", "grace_hopper.bmp", NULL);
  gchar *desc = g_strdup_printf(
      "filesrc location=%s ! decodebin ! videoconvert ! imagefreeze num-buffers=1 ! "
      "spryinfer model=%s ! sprydecode task=classify top-k=1 labels=%s ! sprypublish location=%s",
      image, model, labels, out);
  gchar *error = NULL;
  if (!run_pipeline(desc, 60, &error)) fail_msg("pipeline failed: %s", error);
  GPtrArray *lines = read_json_lines(out);
  assert_non_null(lines);
  assert_int_equal(lines->len, 1);
  JsonArray *classes = json_object_get_array_member(
      json_node_get_object(g_ptr_array_index(lines, 0)), "classifications");
  JsonObject *top = json_array_get_object_element(classes, 0);
  assert_int_equal(json_object_get_int_member(top, "index"), 401); /* academic gown */
  assert_true(json_node_is_null(json_object_get_member(top, "label")));
  g_ptr_array_unref(lines);
  g_unlink(labels), g_unlink(out);
  g_free(desc), g_free(image), g_free(out), g_free(labels), g_free(model);
}

static void test_missing_labels_and_unwritable_output(void **state) {
  (void)state;
  gchar *model = small_model();
  gchar *desc = g_strdup_printf("videotestsrc num-buffers=1 ! spryinfer model=%s ! "
                                "sprydecode labels=/nonexistent/labels.txt ! fakesink", model);
  expect_error(desc, "cannot read labels");
  g_free(desc);
  desc = g_strdup_printf("videotestsrc num-buffers=1 ! spryinfer model=%s ! sprydecode ! "
                         "sprypublish location=/nonexistent/dir/out.jsonl", model);
  expect_error(desc, "cannot write results to /nonexistent/dir/out.jsonl");
  g_free(desc);
  g_free(model);
}

/* Minimum latency the pipeline reports once playing. */
static GstClockTime live_min_latency(const gchar *async_mode) {
  gchar *model = small_model();
  gchar *desc = g_strdup_printf("videotestsrc is-live=true ! video/x-raw,width=64,height=48 ! "
                                "spryinfer model=%s async=%s ! fakesink sync=true", model, async_mode);
  GstElement *pipeline = parse_or_fail(desc);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  assert_int_equal(gst_element_get_state(pipeline, NULL, NULL, 30 * GST_SECOND),
                   GST_STATE_CHANGE_SUCCESS);
  GstQuery *q = gst_query_new_latency();
  assert_true(gst_element_query(pipeline, q));
  gboolean live = FALSE;
  GstClockTime min = 0;
  gst_query_parse_latency(q, &live, &min, NULL);
  assert_true(live);
  gst_query_unref(q);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  g_free(desc);
  g_free(model);
  return min;
}

/* Inference on the streaming thread holds each frame back: the latency
 * query says so. Asynchronous inference (the default on live sources) adds
 * nothing. */
static void test_latency_query(void **state) {
  (void)state;
  GstClockTime blocking = live_min_latency("off");
  GstClockTime async = live_min_latency("auto");
  assert_true(blocking > async);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_outputs_match_libspry),
      cmocka_unit_test(test_normalization_from_metadata),
      cmocka_unit_test(test_interval),
      cmocka_unit_test(test_missing_model),
      cmocka_unit_test(test_malformed_model),
      cmocka_unit_test(test_model_not_an_image),
      cmocka_unit_test(test_dynamic_output_refused),
      cmocka_unit_test(test_bad_normalisation),
      cmocka_unit_test(test_unsupported_caps),
      cmocka_unit_test(test_eos_before_first_frame),
      cmocka_unit_test(test_state_cycles),
      cmocka_unit_test(test_flushing_seek),
      cmocka_unit_test(test_labels_file_too_short),
      cmocka_unit_test(test_missing_labels_and_unwritable_output),
      cmocka_unit_test(test_latency_query),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
