/* SPDX-License-Identifier: Apache-2.0 */
/* test_events.c — sprydecode on other/tensors streams (classify, keyword, presence) and sprypublish's event lines: exact JSON and bus messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/spry/spry-meta.h>
#include <glib/gstdio.h>

#include "pipeline_util.h"

#define MS (GST_MSECOND)
#define SCORES4_INT8                                                                         \
  "other/tensors,format=static,num_tensors=1,dimensions=(string)4:1,types=(string)int8,"    \
  "framerate=(fraction)50/1"
#define SCORES2_INT8                                                                         \
  "other/tensors,format=static,num_tensors=1,dimensions=(string)2:1,types=(string)int8,"    \
  "framerate=(fraction)10/1"

/* ---- Helpers ----------------------------------------------------------- */

typedef struct {
  GstElement *pipe, *src;
  gchar *out_path; /* sprypublish's file, or NULL */
} Run;

static gchar *labels_path(void) {
  return g_build_filename(test_data_dir(), "models", "micro_speech_labels.txt", NULL);
}

/* appsrc (with `caps`) ! `middle`; `middle` may use %s for a temp file. */
static Run run_start(const gchar *caps, const gchar *middle) {
  Run r = {0};
  r.out_path = temp_path(".jsonl");
  gchar *mid = g_strdup_printf(middle, r.out_path);
  gchar *desc = g_strdup_printf("appsrc name=src format=time caps=\"%s\" ! %s", caps, mid);
  GError *error = NULL;
  r.pipe = gst_parse_launch(desc, &error);
  if (!r.pipe || error) fail_msg("%s: %s", desc, error ? error->message : "?");
  g_free(mid);
  g_free(desc);
  r.src = gst_bin_get_by_name(GST_BIN(r.pipe), "src");
  assert_int_not_equal(gst_element_set_state(r.pipe, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  return r;
}

static void push_bytes(Run *r, const void *data, gsize size, GstClockTime pts, gboolean discont) {
  GstBuffer *buf = gst_buffer_new_memdup(data, size);
  GST_BUFFER_PTS(buf) = pts;
  if (discont) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
  assert_int_equal(gst_app_src_push_buffer(GST_APP_SRC(r->src), buf), GST_FLOW_OK);
}

static void push4(Run *r, gint8 s0, gint8 s1, gint8 s2, gint8 s3, GstClockTime pts) {
  const gint8 v[4] = {s0, s1, s2, s3};
  push_bytes(r, v, sizeof v, pts, FALSE);
}

/* Ends the stream; returns the "spry-event" structures posted before EOS
 * (copies), or fails on a bus error unless `error_text` is given. */
static GPtrArray *run_finish(Run *r, gchar **error_text) {
  gst_app_src_end_of_stream(GST_APP_SRC(r->src));
  GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free);
  GstBus *bus = gst_element_get_bus(r->pipe);
  for (;;) {
    GstMessage *msg = gst_bus_timed_pop_filtered(
        bus, 10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    assert_non_null(msg); /* no timeout */
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError *error = NULL;
      gst_message_parse_error(msg, &error, NULL);
      if (!error_text) fail_msg("bus error: %s", error->message);
      *error_text = g_strdup(error->message);
      g_error_free(error);
      gst_message_unref(msg);
      break;
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
      gst_message_unref(msg);
      break;
    }
    const GstStructure *s = gst_message_get_structure(msg);
    if (s && gst_structure_has_name(s, SPRY_EVENT_MESSAGE_NAME))
      g_ptr_array_add(events, gst_structure_copy(s));
    gst_message_unref(msg);
  }
  gst_object_unref(bus);
  gst_element_set_state(r->pipe, GST_STATE_NULL);
  gst_object_unref(r->src);
  gst_object_unref(r->pipe);
  return events;
}

static gchar *read_output(Run *r) {
  gchar *text = NULL;
  if (!g_file_get_contents(r->out_path, &text, NULL, NULL)) text = g_strdup("");
  g_unlink(r->out_path);
  g_free(r->out_path);
  r->out_path = NULL;
  return text;
}

static void check_event(GPtrArray *events, guint i, const gchar *kind, const gchar *label,
                        gint index, gdouble score, guint64 pts) {
  assert_true(i < events->len);
  const GstStructure *s = g_ptr_array_index(events, i);
  gint got_index = -1;
  gdouble got_score = -1;
  guint64 got_pts = 0;
  assert_string_equal(gst_structure_get_string(s, "kind"), kind);
  assert_string_equal(gst_structure_get_string(s, "label"), label);
  assert_true(gst_structure_get_int(s, "index", &got_index));
  assert_int_equal(got_index, index);
  assert_true(gst_structure_get_double(s, "score", &got_score));
  assert_true(got_score == score);
  assert_true(gst_structure_get_uint64(s, "pts", &got_pts));
  assert_int_equal(got_pts, pts);
}

/* ---- task=keyword ------------------------------------------------------ */

/* int8 scores without a meta read as (v + 128) / 256: 77 → 0.80078125,
 * 127 → 0.99609375, -128 → 0. A 40 ms window holds 3 results 20 ms apart. */
static void test_keyword_events(void **state) {
  (void)state;
  gchar *labels = labels_path();
  gchar *mid = g_strdup_printf("sprydecode task=keyword labels=%s average-window=40 ! "
                               "sprypublish skip-empty=true location=%%s", labels);
  Run r = run_start(SCORES4_INT8, mid);
  push4(&r, 127, -128, -128, -128, 0 * MS);  /* silence */
  push4(&r, 127, -128, -128, -128, 20 * MS);
  push4(&r, -128, -128, 77, -128, 40 * MS);  /* yes: window average 1/3, 2/3, then all */
  push4(&r, -128, -128, 77, -128, 60 * MS);
  push4(&r, -128, -128, 77, -128, 80 * MS);  /* → "yes", first clear at 40 ms */
  push4(&r, -128, -128, 77, -128, 100 * MS); /* suppressed */
  push4(&r, -128, 127, -128, -128, 400 * MS); /* unknown: ignored */
  push4(&r, -128, 127, -128, -128, 420 * MS);
  push4(&r, -128, 127, -128, -128, 440 * MS);
  push4(&r, -128, -128, -128, 127, 1540 * MS); /* no, but within 1500 ms of the "yes" */
  push4(&r, -128, -128, -128, 127, 1560 * MS);
  push4(&r, -128, -128, -128, 127, 1580 * MS); /* → "no" 1500 ms later, first clear at 1540 ms */
  GPtrArray *events = run_finish(&r, NULL);
  gchar *text = read_output(&r);
  assert_string_equal(text,
                      "{\"keyword\":\"yes\",\"index\":2,\"score\":0.80078125,\"pts\":40000000}\n"
                      "{\"keyword\":\"no\",\"index\":3,\"score\":0.99609375,\"pts\":1540000000}\n");
  assert_int_equal(events->len, 2);
  /* The time is the first result that scored the word clearly on its own
   * (these buffers carry no duration, so its start). */
  check_event(events, 0, "keyword", "yes", 2, 0.80078125, 40 * MS);
  check_event(events, 1, "keyword", "no", 3, 0.99609375, 1540 * MS);
  g_ptr_array_unref(events);
  g_free(text);
  g_free(mid);
  g_free(labels);
}

/* A DISCONT buffer starts over: the window must fill again. */
static void test_keyword_discont_resets(void **state) {
  (void)state;
  gchar *labels = labels_path();
  gchar *mid = g_strdup_printf("sprydecode task=keyword labels=%s ! "
                               "sprypublish skip-empty=true location=%%s", labels);
  Run r = run_start(SCORES4_INT8, mid);
  const gint8 yes[4] = {-128, -128, 127, -128};
  push_bytes(&r, yes, 4, 0 * MS, FALSE);
  push_bytes(&r, yes, 4, 20 * MS, FALSE);
  push_bytes(&r, yes, 4, 40 * MS, TRUE); /* count 1 again */
  push_bytes(&r, yes, 4, 60 * MS, FALSE);
  push_bytes(&r, yes, 4, 80 * MS, FALSE); /* the third since the break */
  GPtrArray *events = run_finish(&r, NULL);
  gchar *text = read_output(&r);
  /* Detected at 80 ms; the earliest clear result left after the reset is 40 ms. */
  assert_string_equal(text,
                      "{\"keyword\":\"yes\",\"index\":2,\"score\":0.99609375,\"pts\":40000000}\n");
  assert_int_equal(events->len, 1);
  g_ptr_array_unref(events);
  g_free(text);
  g_free(mid);
  g_free(labels);
}

/* Without labels: class names are "classN" and `ignore` takes indices. */
static void test_keyword_without_labels(void **state) {
  (void)state;
  Run r = run_start(SCORES4_INT8,
                    "sprydecode task=keyword ignore=0,1 threshold=0.5 ! "
                    "sprypublish skip-empty=true location=%s");
  for (int i = 0; i < 3; i++) push4(&r, 127, -128, -128, -128, (GstClockTime)i * 20 * MS);
  for (int i = 3; i < 6; i++) push4(&r, -128, -128, -128, 0, (GstClockTime)i * 20 * MS);
  GPtrArray *events = run_finish(&r, NULL);
  gchar *text = read_output(&r);
  /* "no" at 0.5 three times, but the 1 s window still holds the three
   * silences: its average is 0.25, below the threshold. */
  assert_string_equal(text, "");
  assert_int_equal(events->len, 0);
  g_ptr_array_unref(events);
  g_free(text);
  r = run_start(SCORES4_INT8, "sprydecode task=keyword ignore=0,1 threshold=0.5 ! "
                              "sprypublish skip-empty=true location=%s");
  for (int i = 0; i < 3; i++) push4(&r, 127, -128, -128, 0, (GstClockTime)i * 20 * MS);
  events = run_finish(&r, NULL);
  text = read_output(&r);
  assert_string_equal(text, "{\"keyword\":\"class3\",\"index\":3,\"score\":0.5,\"pts\":0}\n");
  check_event(events, 0, "keyword", "class3", 3, 0.5, 0);
  g_ptr_array_unref(events);
  g_free(text);
}

/* ---- task=presence ----------------------------------------------------- */

static gchar *person_labels(void) {
  gchar *path = temp_path(".txt");
  assert_true(g_file_set_contents(path, "no person\nperson\n", -1, NULL));
  return path;
}

/* person = (v + 128) / 256: 60 → 0.734375 (>= 0.7), 0 → 0.5 (neither),
 * -60 → 0.265625 (<= 0.3). Three in a row to change. */
static void test_presence_events(void **state) {
  (void)state;
  gchar *labels = person_labels();
  gchar *mid = g_strdup_printf("sprydecode task=presence labels=%s ! "
                               "sprypublish skip-empty=true location=%%s", labels);
  Run r = run_start(SCORES2_INT8, mid);
  const gint8 person[] = {-100, 60, 60, 0, 60, 60, 60, 60, -60, -60, 0, -60, -60, -60};
  for (guint i = 0; i < G_N_ELEMENTS(person); i++) {
    const gint8 v[2] = {(gint8)(-1 - person[i]), person[i]};
    push_bytes(&r, v, 2, (GstClockTime)i * 100 * MS, FALSE);
  }
  GPtrArray *events = run_finish(&r, NULL);
  gchar *text = read_output(&r);
  assert_string_equal(text,
      "{\"event\":\"appeared\",\"label\":\"person\",\"index\":1,\"score\":0.734375,\"pts\":600000000}\n"
      "{\"event\":\"left\",\"label\":\"person\",\"index\":1,\"score\":0.265625,\"pts\":1300000000}\n");
  assert_int_equal(events->len, 2);
  check_event(events, 0, "appeared", "person", 1, 0.734375, 600 * MS);
  check_event(events, 1, "left", "person", 1, 0.265625, 1300 * MS);
  g_ptr_array_unref(events);
  g_free(text);
  g_free(mid);
  g_unlink(labels);
  g_free(labels);
}

/* target by label and custom thresholds; float scores as they are. */
static void test_presence_target_float(void **state) {
  (void)state;
  gchar *labels = person_labels();
  gchar *mid = g_strdup_printf("sprydecode task=presence labels=%s target=\"no person\" "
                               "threshold=0.5 off-threshold=0.25 hold=2 ! "
                               "sprypublish skip-empty=true location=%%s", labels);
  Run r = run_start("other/tensors,format=static,num_tensors=1,dimensions=(string)2:1,"
                    "types=(string)float32,framerate=(fraction)10/1", mid);
  const gfloat nobody[] = {0.25f, 0.5f, 0.75f, 0.125f, 0.25f};
  for (guint i = 0; i < G_N_ELEMENTS(nobody); i++) {
    const gfloat v[2] = {nobody[i], 1.0f - nobody[i]};
    push_bytes(&r, v, sizeof v, (GstClockTime)i * 100 * MS, FALSE);
  }
  GPtrArray *events = run_finish(&r, NULL);
  gchar *text = read_output(&r);
  assert_string_equal(text,
      "{\"event\":\"appeared\",\"label\":\"no person\",\"index\":0,\"score\":0.75,\"pts\":200000000}\n"
      "{\"event\":\"left\",\"label\":\"no person\",\"index\":0,\"score\":0.25,\"pts\":400000000}\n");
  assert_int_equal(events->len, 2);
  g_ptr_array_unref(events);
  g_free(text);
  g_free(mid);
  g_unlink(labels);
  g_free(labels);
}

/* On video with spryinfer's meta: frames repeating an inference (interval=3:
 * frames 0-2 carry frame 0's) count once, and pts is the inferred frame's.
 * With both thresholds at 0 every result points to "present". */
static void test_presence_video(void **state) {
  (void)state;
  gchar *model = g_build_filename(test_data_dir(), "models", "person_detect_int8.tflite", NULL);
  gchar *out = temp_path(".jsonl");
  gchar *desc = g_strdup_printf(
      "videotestsrc num-buffers=7 ! video/x-raw,width=96,height=96,framerate=30/1 ! "
      "spryinfer model=%s interval=3 ! sprydecode task=presence threshold=0 off-threshold=0 "
      "hold=2 ! sprypublish skip-empty=true location=%s", model, out);
  gchar *error = NULL;
  if (!run_pipeline(desc, 60, &error)) fail_msg("%s", error);
  GPtrArray *lines = read_json_lines(out);
  assert_non_null(lines);
  assert_true(lines->len >= 1);
  JsonObject *o = json_node_get_object(g_ptr_array_index(lines, 0));
  assert_string_equal(json_object_get_string_member(o, "event"), "appeared");
  assert_string_equal(json_object_get_string_member(o, "label"), "class1");
  assert_int_equal(json_object_get_int_member(o, "index"), 1);
  assert_int_equal(json_object_get_int_member(o, "pts"), gst_util_uint64_scale(3, GST_SECOND, 30));
  double score = json_object_get_double_member(o, "score");
  assert_true(score >= 0.0 && score <= 1.0);
  g_ptr_array_unref(lines);
  g_unlink(out);
  g_free(out);
  g_free(desc);
  g_free(model);
}

/* ---- task=classify on tensor streams ------------------------------------ */

static GstSample *classify_one(const gchar *caps, const gchar *props, const void *data,
                               gsize size) {
  gchar *labels = labels_path();
  gchar *mid = g_strdup_printf("sprydecode task=classify labels=%s %s ! appsink name=sink "
                               "sync=false", labels, props);
  Run r = run_start(caps, mid);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(r.pipe), "sink");
  push_bytes(&r, data, size, 0, FALSE);
  GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
  assert_non_null(sample);
  gst_object_unref(sink);
  GPtrArray *events = run_finish(&r, NULL);
  assert_int_equal(events->len, 0);
  g_ptr_array_unref(events);
  g_free(read_output(&r));
  g_free(mid);
  g_free(labels);
  return sample;
}

static void test_classify_tensor_stream(void **state) {
  (void)state;
  /* float32: scores as they are; the buffer passes unchanged. */
  const gfloat f[4] = {0.125f, 0.0f, 0.25f, 0.625f};
  GstSample *sample = classify_one("other/tensors,format=static,num_tensors=1,"
                                   "dimensions=(string)4:1,types=(string)float32", "top-k=2",
                                   f, sizeof f);
  GstBuffer *buf = gst_sample_get_buffer(sample);
  assert_int_equal(gst_buffer_get_size(buf), sizeof f);
  assert_int_equal(gst_buffer_memcmp(buf, 0, f, sizeof f), 0);
  const SpryClassificationMeta *c = spry_buffer_get_classification_meta(buf);
  assert_non_null(c);
  assert_int_equal(c->count, 2);
  assert_string_equal(c->entries[0].label, "no");
  assert_int_equal(c->entries[0].index, 3);
  assert_true(c->entries[0].score == 0.625f);
  assert_string_equal(c->entries[1].label, "yes");
  assert_true(c->entries[1].score == 0.25f);
  gst_sample_unref(sample);
  /* int8 without a meta: raw values. */
  const gint8 q[4] = {-5, 100, 3, 7};
  sample = classify_one(SCORES4_INT8, "top-k=3", q, sizeof q);
  c = spry_buffer_get_classification_meta(gst_sample_get_buffer(sample));
  assert_non_null(c);
  assert_int_equal(c->count, 3);
  assert_string_equal(c->entries[0].label, "unknown");
  assert_true(c->entries[0].score == 100.0f);
  assert_int_equal(c->entries[1].index, 3);
  assert_true(c->entries[1].score == 7.0f);
  assert_int_equal(c->entries[2].index, 2);
  assert_true(c->entries[2].score == 3.0f);
  gst_sample_unref(sample);
  /* float64 is converted; sprypublish writes the frame object. */
  gchar *labels = labels_path();
  gchar *mid = g_strdup_printf("sprydecode task=classify top-k=1 labels=%s ! "
                               "sprypublish location=%%s", labels);
  Run r = run_start("other/tensors,format=static,num_tensors=1,dimensions=(string)4:1,"
                    "types=(string)float64", mid);
  const gdouble d[4] = {0.5, 0.25, 0.125, 0.125};
  push_bytes(&r, d, sizeof d, 20 * MS, FALSE);
  g_ptr_array_unref(run_finish(&r, NULL));
  gchar *text = read_output(&r);
  assert_string_equal(text, "{\"frame\":0,\"pts\":20000000,\"classifications\":[{\"label\":"
                            "\"silence\",\"index\":0,\"score\":0.5}],\"detections\":[]}\n");
  g_free(text);
  g_free(mid);
  g_free(labels);
}

/* ---- Errors ------------------------------------------------------------ */

static void test_errors_on_the_bus(void **state) {
  (void)state;
  /* A buffer that does not match its caps. */
  Run r = run_start(SCORES4_INT8, "sprydecode task=keyword ! fakesink");
  const gint8 three[3] = {0, 0, 0};
  push_bytes(&r, three, 3, 0, FALSE);
  gchar *error = NULL;
  g_ptr_array_unref(run_finish(&r, &error));
  assert_non_null(error);
  assert_non_null(strstr(error, "holds 3 bytes but its caps need 4"));
  g_free(error);
  g_free(read_output(&r));
  /* Detection needs the frame geometry of spryinfer's meta. */
  r = run_start(SCORES4_INT8, "sprydecode task=detect ! fakesink");
  push4(&r, 0, 0, 0, 0, 0);
  error = NULL;
  g_ptr_array_unref(run_finish(&r, &error));
  assert_non_null(error);
  assert_non_null(strstr(error, "need spryinfer's tensor meta"));
  g_free(error);
  g_free(read_output(&r));
  /* A presence target the model does not have. */
  r = run_start(SCORES2_INT8, "sprydecode task=presence target=5 ! fakesink");
  push_bytes(&r, three, 2, 0, FALSE);
  error = NULL;
  g_ptr_array_unref(run_finish(&r, &error));
  assert_non_null(error);
  assert_non_null(strstr(error, "target 5 is not one of the model's 2 classes"));
  g_free(error);
  g_free(read_output(&r));
  /* Off threshold above the threshold. */
  r = run_start(SCORES2_INT8, "sprydecode task=presence threshold=0.2 off-threshold=0.4 ! "
                              "fakesink");
  push_bytes(&r, three, 2, 0, FALSE);
  error = NULL;
  g_ptr_array_unref(run_finish(&r, &error));
  assert_non_null(error);
  assert_non_null(strstr(error, "off threshold"));
  g_free(error);
  g_free(read_output(&r));
  /* Integer scores a keyword spotter cannot interpret. */
  r = run_start("other/tensors,format=static,num_tensors=1,dimensions=(string)4:1,"
                "types=(string)int32", "sprydecode task=keyword ! fakesink");
  const gint32 i32[4] = {0, 0, 0, 0};
  push_bytes(&r, i32, sizeof i32, 0, FALSE);
  error = NULL;
  g_ptr_array_unref(run_finish(&r, &error));
  assert_non_null(error);
  assert_non_null(strstr(error, "not int32"));
  g_free(error);
  g_free(read_output(&r));
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keyword_events),
      cmocka_unit_test(test_keyword_discont_resets),
      cmocka_unit_test(test_keyword_without_labels),
      cmocka_unit_test(test_presence_events),
      cmocka_unit_test(test_presence_target_float),
      cmocka_unit_test(test_presence_video),
      cmocka_unit_test(test_classify_tensor_stream),
      cmocka_unit_test(test_errors_on_the_bus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
