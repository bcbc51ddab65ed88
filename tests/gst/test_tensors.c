/* SPDX-License-Identifier: Apache-2.0 */
/* test_tensors.c — spryconvert and spryaggregate: exact bytes, caps and timestamps through appsrc/appsink and pad-level pushes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#define MS (GST_MSECOND)
#define S16_MONO "audio/x-raw, format=S16LE, layout=interleaved, rate=16000, channels=1"

/* ---- Helpers ----------------------------------------------------------- */

static GstBuffer *buffer_with(const void *data, gsize size, GstClockTime pts, GstClockTime dur,
                              gboolean discont) {
  GstBuffer *buf = gst_buffer_new_memdup(data, size);
  GST_BUFFER_PTS(buf) = pts;
  GST_BUFFER_DURATION(buf) = dur;
  if (discont) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
  return buf;
}

/* A recognisable, non-periodic signal. */
static gint16 *ramp_s16(guint n, gint seed) {
  gint16 *s = g_new(gint16, n);
  for (guint i = 0; i < n; i++) s[i] = (gint16)(((gint)i * 37 + seed) % 20000 - 10000);
  return s;
}

static GstClockTime at16k(guint64 sample) {
  return gst_util_uint64_scale(sample, GST_SECOND, 16000);
}

/* Exact content, one memory, timestamps and DISCONT. */
static void check_buffer(GstBuffer *b, const void *bytes, gsize size, GstClockTime pts,
                         GstClockTime dur, gboolean discont) {
  assert_int_equal(gst_buffer_n_memory(b), 1);
  assert_int_equal(gst_buffer_get_size(b), size);
  assert_int_equal(gst_buffer_memcmp(b, 0, bytes, size), 0);
  assert_int_equal(GST_BUFFER_PTS(b), pts);
  assert_int_equal(GST_BUFFER_DURATION(b), dur);
  assert_int_equal(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DISCONT) ? 1 : 0, discont ? 1 : 0);
}

/* A window of `frame` samples from `src`, zero-padded after `valid`. */
static void check_window_s16(GstBuffer *b, const gint16 *src, guint frame, guint valid,
                             GstClockTime pts, GstClockTime dur, gboolean discont) {
  gint16 *expect = g_new0(gint16, frame);
  memcpy(expect, src, valid * sizeof *src);
  check_buffer(b, expect, frame * sizeof *expect, pts, dur, discont);
  g_free(expect);
}

static void check_caps(GstCaps *caps, const gchar *dims, const gchar *types, gint rate_n,
                       gint rate_d) {
  assert_non_null(caps);
  GstStructure *s = gst_caps_get_structure(caps, 0);
  assert_true(gst_structure_has_name(s, "other/tensors"));
  assert_string_equal(gst_structure_get_string(s, "format"), "static");
  gint num = 0, n = 0, d = 0;
  assert_true(gst_structure_get_int(s, "num_tensors", &num));
  assert_int_equal(num, 1);
  assert_string_equal(gst_structure_get_string(s, "dimensions"), dims);
  assert_string_equal(gst_structure_get_string(s, "types"), types);
  assert_true(gst_structure_get_fraction(s, "framerate", &n, &d));
  assert_int_equal(n, rate_n);
  assert_int_equal(d, rate_d);
}

/* ---- appsrc ! ... ! appsink -------------------------------------------- */

typedef struct {
  GstElement *pipe, *src, *sink;
} Pipe;

static Pipe pipe_start(const gchar *middle, const gchar *caps_text) {
  Pipe p;
  gchar *desc = g_strdup_printf("appsrc name=src format=time ! %s ! appsink name=sink sync=false",
                                middle);
  GError *error = NULL;
  p.pipe = gst_parse_launch(desc, &error);
  if (!p.pipe || error) fail_msg("%s: %s", desc, error ? error->message : "?");
  g_free(desc);
  p.src = gst_bin_get_by_name(GST_BIN(p.pipe), "src");
  p.sink = gst_bin_get_by_name(GST_BIN(p.pipe), "sink");
  GstCaps *caps = gst_caps_from_string(caps_text);
  gst_app_src_set_caps(GST_APP_SRC(p.src), caps);
  gst_caps_unref(caps);
  assert_int_not_equal(gst_element_set_state(p.pipe, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  return p;
}

static void pipe_push(Pipe *p, GstBuffer *buf) {
  assert_int_equal(gst_app_src_push_buffer(GST_APP_SRC(p->src), buf), GST_FLOW_OK);
}

static void pipe_set_caps(Pipe *p, const gchar *caps_text) {
  GstCaps *caps = gst_caps_from_string(caps_text);
  gst_app_src_set_caps(GST_APP_SRC(p->src), caps);
  gst_caps_unref(caps);
}

/* Ends the stream and returns every GstSample that reached the appsink; fails
 * on a bus error. */
static GPtrArray *pipe_finish(Pipe *p) {
  gst_app_src_end_of_stream(GST_APP_SRC(p->src));
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_sample_unref);
  GstSample *sample;
  while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(p->sink), 10 * GST_SECOND)))
    g_ptr_array_add(out, sample);
  GstBus *bus = gst_element_get_bus(p->pipe);
  GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  if (msg) {
    GError *error = NULL;
    gst_message_parse_error(msg, &error, NULL);
    fail_msg("bus error: %s", error->message);
  }
  assert_true(gst_app_sink_is_eos(GST_APP_SINK(p->sink)));
  gst_object_unref(bus);
  gst_element_set_state(p->pipe, GST_STATE_NULL);
  gst_object_unref(p->src);
  gst_object_unref(p->sink);
  gst_object_unref(p->pipe);
  return out;
}

static GstBuffer *out_buffer(GPtrArray *out, guint i) {
  assert_true(i < out->len);
  return gst_sample_get_buffer(g_ptr_array_index(out, i));
}

static GstCaps *out_caps(GPtrArray *out, guint i) {
  assert_true(i < out->len);
  return gst_sample_get_caps(g_ptr_array_index(out, i));
}

/* 16 kHz mono S16 `samples` through `middle`, in buffers of `chunk` samples
 * stamped from sample 0. */
static GPtrArray *run_s16(const gchar *middle, const gint16 *samples, guint n, guint chunk) {
  Pipe p = pipe_start(middle, S16_MONO);
  for (guint i = 0; i < n; i += chunk) {
    guint len = MIN(chunk, n - i);
    pipe_push(&p, buffer_with(samples + i, len * sizeof *samples, at16k(i),
                              at16k(i + len) - at16k(i), FALSE));
  }
  return pipe_finish(&p);
}

/* ---- Pad-level pushes (for flushes and segments) ----------------------- */

typedef struct {
  GstElement *element;
  GstPad *src, *sink; /* ours: src feeds the element, sink receives from it */
  GPtrArray *out;     /* GstBuffer */
} Harness;

static GstFlowReturn harness_chain(GstPad *pad, GstObject *parent, GstBuffer *buf) {
  (void)parent;
  Harness *h = gst_pad_get_element_private(pad);
  g_ptr_array_add(h->out, buf);
  return GST_FLOW_OK;
}

static gboolean harness_event(GstPad *pad, GstObject *parent, GstEvent *event) {
  (void)pad, (void)parent;
  gst_event_unref(event);
  return TRUE;
}

static Harness *harness_new(const gchar *factory) {
  Harness *h = g_new0(Harness, 1);
  h->element = gst_object_ref_sink(gst_element_factory_make(factory, NULL));
  assert_non_null(h->element);
  h->src = gst_object_ref_sink(gst_pad_new("src", GST_PAD_SRC));
  h->sink = gst_object_ref_sink(gst_pad_new("sink", GST_PAD_SINK));
  gst_pad_set_element_private(h->sink, h);
  gst_pad_set_chain_function(h->sink, harness_chain);
  gst_pad_set_event_function(h->sink, harness_event);
  h->out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
  return h;
}

static void harness_push_segment(Harness *h) {
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  assert_true(gst_pad_push_event(h->src, gst_event_new_segment(&segment)));
}

static void harness_start(Harness *h, const gchar *caps_text) {
  GstPad *esink = gst_element_get_static_pad(h->element, "sink");
  GstPad *esrc = gst_element_get_static_pad(h->element, "src");
  assert_int_equal(gst_pad_link(h->src, esink), GST_PAD_LINK_OK);
  assert_int_equal(gst_pad_link(esrc, h->sink), GST_PAD_LINK_OK);
  gst_object_unref(esink);
  gst_object_unref(esrc);
  gst_pad_set_active(h->src, TRUE);
  gst_pad_set_active(h->sink, TRUE);
  assert_int_equal(gst_element_set_state(h->element, GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  assert_true(gst_pad_push_event(h->src, gst_event_new_stream_start("test")));
  GstCaps *caps = gst_caps_from_string(caps_text);
  assert_true(gst_pad_push_event(h->src, gst_event_new_caps(caps)));
  gst_caps_unref(caps);
  harness_push_segment(h);
}

static void harness_flush(Harness *h) {
  assert_true(gst_pad_push_event(h->src, gst_event_new_flush_start()));
  assert_true(gst_pad_push_event(h->src, gst_event_new_flush_stop(TRUE)));
  harness_push_segment(h);
}

static GstFlowReturn harness_push(Harness *h, GstBuffer *buf) {
  return gst_pad_push(h->src, buf);
}

static void harness_free(Harness *h) {
  gst_element_set_state(h->element, GST_STATE_NULL);
  gst_pad_set_active(h->src, FALSE);
  gst_pad_set_active(h->sink, FALSE);
  gst_object_unref(h->src);
  gst_object_unref(h->sink);
  gst_object_unref(h->element);
  g_ptr_array_unref(h->out);
  g_free(h);
}

/* ---- spryconvert: audio ------------------------------------------------ */

static void test_audio_any_buffer_size(void **state) {
  (void)state;
  const guint n = 4000;
  gint16 *s = ramp_s16(n, 5);
  static const guint chunks[] = {1, 100, 480, 4096};
  for (guint c = 0; c < G_N_ELEMENTS(chunks); c++) {
    GPtrArray *out = run_s16("spryconvert", s, n, chunks[c]);
    /* Windows start every 320 samples while 480 fit: 0..3520, 12 of them;
     * the 160 samples after the last start are in the last window already. */
    assert_int_equal(out->len, 12);
    check_caps(out_caps(out, 0), "1:480", "int16", 50, 1);
    for (guint k = 0; k < out->len; k++)
      check_window_s16(out_buffer(out, k), s + 320 * k, 480, 480, k * 20 * MS, 20 * MS, k == 0);
    g_ptr_array_unref(out);
  }
  g_free(s);
}

static void test_audio_timestamps_exact(void **state) {
  (void)state;
  /* 44.1 kHz: a window is 7.256... ms, so per-window rounding would drift. */
  const guint n = 44100;
  gint16 *s = ramp_s16(n, 1);
  Pipe p = pipe_start("spryconvert", "audio/x-raw, format=S16LE, layout=interleaved, "
                                     "rate=44100, channels=1");
  for (guint i = 0; i < n; i += 1000) {
    guint len = MIN(1000u, n - i);
    GstClockTime pts = gst_util_uint64_scale(i, GST_SECOND, 44100);
    pipe_push(&p, buffer_with(s + i, len * 2, pts, GST_CLOCK_TIME_NONE, FALSE));
  }
  GPtrArray *out = pipe_finish(&p);
  /* (44100 - 480) / 320 + 1 = 137 full windows, then 260 samples padded. */
  assert_int_equal(out->len, 138);
  check_caps(out_caps(out, 0), "1:480", "int16", 2205, 16);
  for (guint k = 0; k < out->len; k++) {
    GstBuffer *b = out_buffer(out, k);
    GstClockTime start = gst_util_uint64_scale(320 * k, GST_SECOND, 44100);
    GstClockTime end = gst_util_uint64_scale(320 * (k + 1), GST_SECOND, 44100);
    assert_int_equal(GST_BUFFER_PTS(b), start);
    assert_int_equal(GST_BUFFER_DURATION(b), end - start);
  }
  check_window_s16(out_buffer(out, 137), s + 320 * 137, 480, n - 320 * 137,
                   gst_util_uint64_scale(320 * 137, GST_SECOND, 44100),
                   gst_util_uint64_scale(320 * 138, GST_SECOND, 44100) -
                       gst_util_uint64_scale(320 * 137, GST_SECOND, 44100),
                   FALSE);
  g_ptr_array_unref(out);
  g_free(s);
}

static void test_audio_pad_last(void **state) {
  (void)state;
  gint16 *s = ramp_s16(1080, 9);
  /* 1000 samples: windows at 0 and 320; 640..999 are in no full window. */
  GPtrArray *out = run_s16("spryconvert", s, 1000, 256);
  assert_int_equal(out->len, 3);
  check_window_s16(out_buffer(out, 2), s + 640, 480, 360, 40 * MS, 20 * MS, FALSE);
  g_ptr_array_unref(out);
  out = run_s16("spryconvert pad-last=false", s, 1000, 256);
  assert_int_equal(out->len, 2);
  check_window_s16(out_buffer(out, 1), s + 320, 480, 480, 20 * MS, 20 * MS, FALSE);
  g_ptr_array_unref(out);
  /* hop > frame-size: windows of 100 at 0, 250, 500, 750, then 1000..1079 padded;
   * the samples between windows are skipped. */
  out = run_s16("spryconvert frame-size=100 hop=250", s, 1080, 77);
  assert_int_equal(out->len, 5);
  check_caps(out_caps(out, 0), "1:100", "int16", 64, 1);
  for (guint k = 0; k < 4; k++)
    check_window_s16(out_buffer(out, k), s + 250 * k, 100, 100, at16k(250 * k),
                     at16k(250 * (k + 1)) - at16k(250 * k), k == 0);
  check_window_s16(out_buffer(out, 4), s + 1000, 100, 80, at16k(1000), at16k(1250) - at16k(1000),
                   FALSE);
  g_ptr_array_unref(out);
  g_free(s);
}

/* 700 samples from 0, then 500 more stamped `second_pts`. */
static GPtrArray *run_two_parts(const gint16 *a, const gint16 *b, GstClockTime second_pts,
                                gboolean discont) {
  Pipe p = pipe_start("spryconvert", S16_MONO);
  pipe_push(&p, buffer_with(a, 700 * 2, 0, at16k(700), FALSE));
  pipe_push(&p, buffer_with(b, 500 * 2, second_pts, at16k(500), discont));
  return pipe_finish(&p);
}

static void test_audio_discontinuity(void **state) {
  (void)state;
  gint16 *a = ramp_s16(700, 3), *b = ramp_s16(500, 11);
  /* DISCONT flag: a's unsent tail is dropped, b starts afresh at its PTS. */
  GPtrArray *out = run_two_parts(a, b, GST_SECOND, TRUE);
  assert_int_equal(out->len, 3);
  check_window_s16(out_buffer(out, 0), a, 480, 480, 0, 20 * MS, TRUE);
  check_window_s16(out_buffer(out, 1), b, 480, 480, GST_SECOND, 20 * MS, TRUE);
  check_window_s16(out_buffer(out, 2), b + 320, 480, 180, GST_SECOND + 20 * MS, 20 * MS, FALSE);
  g_ptr_array_unref(out);

  /* A gap of one sample without the flag is a discontinuity too. */
  GstClockTime late = at16k(700) + at16k(1);
  out = run_two_parts(a, b, late, FALSE);
  assert_int_equal(out->len, 3);
  check_window_s16(out_buffer(out, 1), b, 480, 480, late, 20 * MS, TRUE);
  check_window_s16(out_buffer(out, 2), b + 320, 480, 180, late + 20 * MS, 20 * MS, FALSE);
  g_ptr_array_unref(out);

  /* Half a sample (31.25 us) of jitter is not: the stream runs on. */
  out = run_two_parts(a, b, at16k(700) + 31250, FALSE);
  gint16 joined[1200];
  memcpy(joined, a, 700 * 2);
  memcpy(joined + 700, b, 500 * 2);
  assert_int_equal(out->len, 4);
  for (guint k = 0; k < 3; k++)
    check_window_s16(out_buffer(out, k), joined + 320 * k, 480, 480, k * 20 * MS, 20 * MS, k == 0);
  check_window_s16(out_buffer(out, 3), joined + 960, 480, 240, 60 * MS, 20 * MS, FALSE);
  g_ptr_array_unref(out);
  g_free(a), g_free(b);
}

static void test_audio_flush_and_segment(void **state) {
  (void)state;
  gint16 *s = ramp_s16(1500, 2);
  Harness *h = harness_new("spryconvert");
  harness_start(h, S16_MONO);
  assert_int_equal(harness_push(h, buffer_with(s, 400 * 2, 0, at16k(400), FALSE)), GST_FLOW_OK);
  harness_flush(h); /* drops the 400 */
  assert_int_equal(harness_push(h, buffer_with(s + 400, 480 * 2, 2 * GST_SECOND, 30 * MS, FALSE)),
                   GST_FLOW_OK);
  assert_int_equal(h->out->len, 1);
  check_window_s16(g_ptr_array_index(h->out, 0), s + 400, 480, 480, 2 * GST_SECOND, 20 * MS, TRUE);
  assert_int_equal(harness_push(h, buffer_with(s + 880, 100 * 2, 2 * GST_SECOND + 30 * MS,
                                               at16k(100), FALSE)),
                   GST_FLOW_OK);
  harness_push_segment(h); /* drops the 100 */
  assert_int_equal(harness_push(h, buffer_with(s + 980, 480 * 2, 5 * GST_SECOND, 30 * MS, FALSE)),
                   GST_FLOW_OK);
  assert_true(gst_pad_push_event(h->src, gst_event_new_eos()));
  assert_int_equal(h->out->len, 2);
  check_window_s16(g_ptr_array_index(h->out, 1), s + 980, 480, 480, 5 * GST_SECOND, 20 * MS, TRUE);
  harness_free(h);
  g_free(s);
}

static void test_audio_f32_stereo(void **state) {
  (void)state;
  float f[16];
  for (guint i = 0; i < 16; i++) f[i] = (float)i * 0.25f - 1.0f;
  Pipe p = pipe_start("spryconvert frame-size=4 hop=2",
                      "audio/x-raw, format=F32LE, layout=interleaved, rate=8000, channels=2");
  pipe_push(&p, buffer_with(f, 5 * 2 * sizeof(float), 0, GST_CLOCK_TIME_NONE, FALSE));
  pipe_push(&p, buffer_with(f + 10, 3 * 2 * sizeof(float), 625 * GST_USECOND, GST_CLOCK_TIME_NONE,
                            FALSE));
  GPtrArray *out = pipe_finish(&p);
  /* 8 stereo frames: windows at frames 0, 2, 4; 6..7 already sent. */
  assert_int_equal(out->len, 3);
  check_caps(out_caps(out, 0), "2:4", "float32", 4000, 1);
  for (guint k = 0; k < 3; k++)
    check_buffer(out_buffer(out, k), f + 4 * k, 8 * sizeof(float), k * 250 * GST_USECOND,
                 250 * GST_USECOND, k == 0);
  g_ptr_array_unref(out);
}

static void test_audio_caps_change(void **state) {
  (void)state;
  gint16 *s = ramp_s16(700, 4);
  float f[960];
  for (guint i = 0; i < 960; i++) f[i] = (float)i;
  Pipe p = pipe_start("spryconvert", S16_MONO);
  pipe_push(&p, buffer_with(s, 700 * 2, 0, at16k(700), FALSE));
  pipe_set_caps(&p, "audio/x-raw, format=F32LE, layout=interleaved, rate=16000, channels=2");
  pipe_push(&p, buffer_with(f, sizeof f, at16k(700), 30 * MS, FALSE));
  GPtrArray *out = pipe_finish(&p);
  /* The old stream's tail goes out padded, with the old caps; then the new. */
  assert_int_equal(out->len, 3);
  check_caps(out_caps(out, 1), "1:480", "int16", 50, 1);
  check_window_s16(out_buffer(out, 1), s + 320, 480, 380, 20 * MS, 20 * MS, FALSE);
  check_caps(out_caps(out, 2), "2:480", "float32", 50, 1);
  check_buffer(out_buffer(out, 2), f, sizeof f, at16k(700), 20 * MS, TRUE);
  g_ptr_array_unref(out);
  g_free(s);
}

static void test_audio_negotiates_downstream_type(void **state) {
  (void)state;
  GError *error = NULL;
  GstElement *pipe = gst_parse_launch(
      "audiotestsrc num-buffers=2 ! spryconvert ! other/tensors,types=(string)float32 ! "
      "appsink name=sink sync=false", &error);
  assert_non_null(pipe);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
  assert_non_null(sample);
  check_caps(gst_sample_get_caps(sample), "1:480", "float32", 2205, 16);
  assert_int_equal(gst_buffer_get_size(gst_sample_get_buffer(sample)), 480 * 4);
  gst_sample_unref(sample);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
}

static void test_audio_wrong_format(void **state) {
  (void)state;
  Pipe p = pipe_start("spryconvert", "audio/x-raw, format=S32LE, layout=interleaved, "
                                                "rate=16000, channels=1");
  gint32 s[64] = {0};
  /* The push itself succeeds; the streaming thread hits the refusal. */
  gst_app_src_push_buffer(GST_APP_SRC(p.src), buffer_with(s, sizeof s, 0, GST_CLOCK_TIME_NONE, FALSE));
  GstBus *bus = gst_element_get_bus(p.pipe);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  assert_non_null(msg);
  GError *error = NULL;
  gchar *debug = NULL;
  gst_message_parse_error(msg, &error, &debug);
  assert_non_null(debug);
  assert_non_null(strstr(debug, "not-negotiated"));
  g_clear_error(&error);
  g_free(debug);
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(p.pipe, GST_STATE_NULL);
  gst_object_unref(p.src), gst_object_unref(p.sink), gst_object_unref(p.pipe);
}

/* ---- spryconvert: video ------------------------------------------------ */

static void check_video(GstVideoFormat format, guint channels) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, format, 33, 17);
  GST_VIDEO_INFO_FPS_N(&info) = 30;
  GST_VIDEO_INFO_FPS_D(&info) = 1;
  gsize stride = (gsize)GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
  assert_true(stride > 33 * channels); /* the test needs row padding */
  guint8 *frame = g_malloc(GST_VIDEO_INFO_SIZE(&info));
  guint8 *packed = g_malloc(33 * 17 * channels);
  memset(frame, 0xEE, GST_VIDEO_INFO_SIZE(&info));
  for (guint y = 0; y < 17; y++)
    for (guint x = 0; x < 33 * channels; x++)
      frame[GST_VIDEO_INFO_PLANE_OFFSET(&info, 0) + y * stride + x] =
          packed[(y * 33 * channels) + x] = (guint8)(x * 7 + y * 13);
  GstCaps *caps = gst_video_info_to_caps(&info);
  gchar *caps_text = gst_caps_to_string(caps);
  Pipe p = pipe_start("spryconvert", caps_text);
  pipe_push(&p, buffer_with(frame, GST_VIDEO_INFO_SIZE(&info), 0, 33 * MS, TRUE));
  pipe_push(&p, buffer_with(frame, GST_VIDEO_INFO_SIZE(&info), 33 * MS, 33 * MS, FALSE));
  GPtrArray *out = pipe_finish(&p);
  assert_int_equal(out->len, 2);
  gchar *dims = g_strdup_printf("%u:33:17:1", channels);
  check_caps(out_caps(out, 0), dims, "uint8", 30, 1);
  check_buffer(out_buffer(out, 0), packed, 33 * 17 * channels, 0, 33 * MS, TRUE);
  check_buffer(out_buffer(out, 1), packed, 33 * 17 * channels, 33 * MS, 33 * MS, FALSE);
  g_ptr_array_unref(out);
  g_free(dims), g_free(caps_text), g_free(frame), g_free(packed);
  gst_caps_unref(caps);
}

static void test_video_frames(void **state) {
  (void)state;
  check_video(GST_VIDEO_FORMAT_RGB, 3);
  check_video(GST_VIDEO_FORMAT_GRAY8, 1);
}

/* ---- spryaggregate ----------------------------------------------------- */

#define T3 "other/tensors, format=static, num_tensors=1, types=int16, framerate=100/1, dimensions="

/* Frame f of 3 int16 values {10f, 10f+1, 10f+2}, 10 ms each. */
static GstBuffer *frame3(guint f, GstClockTime pts, gboolean discont) {
  gint16 v[3] = {(gint16)(10 * f), (gint16)(10 * f + 1), (gint16)(10 * f + 2)};
  return buffer_with(v, sizeof v, pts, 10 * MS, discont);
}

/* The window of frames first..first+3, as the output should hold it. */
static void check_stack(GstBuffer *b, guint first, GstClockTime pts, gboolean discont) {
  gint16 v[12];
  for (guint i = 0; i < 12; i++) v[i] = (gint16)(10 * (first + i / 3) + i % 3);
  check_buffer(b, v, sizeof v, pts, 40 * MS, discont);
}

static void test_aggregate_stacks(void **state) {
  (void)state;
  static const gchar *const dims[] = {T3 "(string)3", T3 "(string)\"3:1\""};
  for (guint d = 0; d < G_N_ELEMENTS(dims); d++) {
    Pipe p = pipe_start("spryaggregate frames=4 hop=2", dims[d]);
    for (guint f = 0; f < 9; f++) pipe_push(&p, frame3(f, f * 10 * MS, FALSE));
    GPtrArray *out = pipe_finish(&p);
    /* Full at frame 3, then every 2nd frame: windows 0-3, 2-5, 4-7; 8 is left. */
    assert_int_equal(out->len, 3);
    check_caps(out_caps(out, 0), "3:4", "int16", 50, 1);
    for (guint k = 0; k < 3; k++) check_stack(out_buffer(out, k), 2 * k, 20 * k * MS, k == 0);
    g_ptr_array_unref(out);
  }
}

/* flatten=true: the same bytes, described as one dimension of 3 x 4. */
static void test_aggregate_flatten(void **state) {
  (void)state;
  Pipe p = pipe_start("spryaggregate frames=4 hop=2 flatten=true", T3 "(string)\"3:1\"");
  for (guint f = 0; f < 6; f++) pipe_push(&p, frame3(f, f * 10 * MS, FALSE));
  GPtrArray *out = pipe_finish(&p);
  assert_int_equal(out->len, 2);
  check_caps(out_caps(out, 0), "12", "int16", 50, 1);
  for (guint k = 0; k < 2; k++) check_stack(out_buffer(out, k), 2 * k, 20 * k * MS, k == 0);
  g_ptr_array_unref(out);
}

static void test_aggregate_discont(void **state) {
  (void)state;
  Pipe p = pipe_start("spryaggregate frames=4 hop=2", T3 "(string)3");
  for (guint f = 0; f < 5; f++) pipe_push(&p, frame3(f, f * 10 * MS, FALSE));
  for (guint f = 5; f < 9; f++) pipe_push(&p, frame3(f, GST_SECOND + (f - 5) * 10 * MS, f == 5));
  GPtrArray *out = pipe_finish(&p);
  /* Frame 4 is dropped with the window; 5-8 fill a fresh one. */
  assert_int_equal(out->len, 2);
  check_stack(out_buffer(out, 0), 0, 0, TRUE);
  check_stack(out_buffer(out, 1), 5, GST_SECOND, TRUE);
  g_ptr_array_unref(out);
}

static void test_aggregate_flush_and_segment(void **state) {
  (void)state;
  Harness *h = harness_new("spryaggregate");
  g_object_set(h->element, "frames", 4, "hop", 1, NULL);
  harness_start(h, T3 "(string)3");
  for (guint f = 0; f < 3; f++) assert_int_equal(harness_push(h, frame3(f, f * 10 * MS, FALSE)), 0);
  harness_flush(h);
  for (guint f = 3; f < 7; f++) assert_int_equal(harness_push(h, frame3(f, f * 10 * MS, FALSE)), 0);
  assert_int_equal(h->out->len, 1);
  check_stack(g_ptr_array_index(h->out, 0), 3, 30 * MS, TRUE);
  harness_push_segment(h);
  for (guint f = 7; f < 11; f++) assert_int_equal(harness_push(h, frame3(f, f * 10 * MS, FALSE)), 0);
  assert_int_equal(h->out->len, 2);
  check_stack(g_ptr_array_index(h->out, 1), 7, 70 * MS, TRUE);
  /* A buffer of the wrong size is refused, not read past. */
  gint16 two[2] = {0, 0};
  assert_int_equal(harness_push(h, buffer_with(two, sizeof two, 0, 0, FALSE)), GST_FLOW_ERROR);
  harness_free(h);
}

static void test_aggregate_caps_change(void **state) {
  (void)state;
  Pipe p = pipe_start("spryaggregate frames=4 hop=1", T3 "(string)3");
  for (guint f = 0; f < 3; f++) pipe_push(&p, frame3(f, f * 10 * MS, FALSE));
  /* Same shape (trailing 1s), new framerate: the window is kept. */
  pipe_set_caps(&p, "other/tensors, format=static, num_tensors=1, types=int16, framerate=50/1, "
                    "dimensions=(string)\"3:1:1\"");
  pipe_push(&p, frame3(3, 30 * MS, FALSE));
  /* New shape: the window starts over. */
  pipe_set_caps(&p, "other/tensors, format=static, num_tensors=1, types=int16, framerate=100/1, "
                    "dimensions=(string)2");
  gint16 v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (guint f = 0; f < 4; f++) pipe_push(&p, buffer_with(v + 2 * f, 4, (5 + f) * 10 * MS, 10 * MS, FALSE));
  GPtrArray *out = pipe_finish(&p);
  assert_int_equal(out->len, 2);
  check_caps(out_caps(out, 0), "3:4", "int16", 50, 1);
  check_stack(out_buffer(out, 0), 0, 0, TRUE);
  check_caps(out_caps(out, 1), "2:4", "int16", 100, 1);
  check_buffer(out_buffer(out, 1), v, sizeof v, 50 * MS, 40 * MS, TRUE);
  g_ptr_array_unref(out);
}

static void test_state_cycles(void **state) {
  (void)state;
  GError *error = NULL;
  GstElement *pipe =
      gst_parse_launch("audiotestsrc ! spryconvert ! spryaggregate ! fakesink", &error);
  assert_non_null(pipe);
  GstBus *bus = gst_element_get_bus(pipe);
  for (guint i = 0; i < 200; i++) {
    assert_int_not_equal(gst_element_set_state(pipe, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    /* Prerolled means 49 windows went through both elements. */
    assert_int_equal(gst_element_get_state(pipe, NULL, NULL, 10 * GST_SECOND),
                     GST_STATE_CHANGE_SUCCESS);
    assert_int_equal(gst_element_set_state(pipe, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (msg) fail_msg("error on cycle %u", i);
  }
  gst_object_unref(bus);
  gst_object_unref(pipe);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_audio_any_buffer_size),
      cmocka_unit_test(test_audio_timestamps_exact),
      cmocka_unit_test(test_audio_pad_last),
      cmocka_unit_test(test_audio_discontinuity),
      cmocka_unit_test(test_audio_flush_and_segment),
      cmocka_unit_test(test_audio_f32_stereo),
      cmocka_unit_test(test_audio_caps_change),
      cmocka_unit_test(test_audio_negotiates_downstream_type),
      cmocka_unit_test(test_audio_wrong_format),
      cmocka_unit_test(test_video_frames),
      cmocka_unit_test(test_aggregate_stacks),
      cmocka_unit_test(test_aggregate_flatten),
      cmocka_unit_test(test_aggregate_discont),
      cmocka_unit_test(test_aggregate_flush_and_segment),
      cmocka_unit_test(test_aggregate_caps_change),
      cmocka_unit_test(test_state_cycles),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
