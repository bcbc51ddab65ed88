/* SPDX-License-Identifier: Apache-2.0 */
/* test_infer_tensors.c — spryinfer on other/tensors: exact output bytes against libspry, model state and its resets, negotiation and its errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <spry/spry.h>

#include "gst/spry/spry-meta.h"
#include "pipeline_util.h"

#define MS (GST_MSECOND)
#define WINDOW 480
#define AUDIO_MODEL "audio_preprocessor_int8.tflite"
#define AUDIO_INPUT "'serving_default_audio_frame:0' wants int16 [1,480]"
#define TENSORS "other/tensors, format=(string)static, "
#define S16_WINDOWS TENSORS "num_tensors=(int)1, types=(string)int16, framerate=(fraction)50/1, "

/* A pipeline that must be complete (a missing element fails the test). */
static GstElement *parse_or_fail(const gchar *desc) {
  GError *error = NULL;
  GstElement *pipe = gst_parse_launch(desc, &error);
  if (!pipe || error) fail_msg("cannot build \"%s\": %s", desc, error ? error->message : "?");
  return pipe;
}

static gchar *model_path(const gchar *name) {
  return g_build_filename(test_data_dir(), "models", name, NULL);
}

/* A deterministic, noisy, non-periodic int16 signal of `n` samples. */
static gint16 *signal_s16(guint n) {
  gint16 *s = g_new(gint16, n);
  guint32 state = 12345;
  for (guint i = 0; i < n; i++) {
    state = state * 1664525u + 1013904223u;
    gint tri = (gint)(i % 64) * 200 - 6400;     /* a 250 Hz triangle */
    gint noise = (gint)(state >> 20) - 2048;     /* +-2048 */
    gint loud = i < 3 * WINDOW ? 1 : 4;         /* gets louder: the noise estimate moves */
    s[i] = (gint16)((tri + noise) * loud);
  }
  return s;
}

/* ---- libspry, the reference ------------------------------------------- */

typedef struct {
  SpryModel *model;
  SpryInterpreter *interp;
} Ref;

static Ref ref_open(const gchar *name) {
  Ref r = {0};
  gchar *path = model_path(name);
  assert_int_equal(spry_model_open_file(path, &r.model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(r.model, NULL, &r.interp), SPRY_OK);
  assert_int_equal(spry_interpreter_prepare(r.interp), SPRY_OK);
  g_free(path);
  return r;
}

/* Runs one input and returns a copy of output `index` (g_free). */
static guint8 *ref_run(Ref *r, const void *input, gsize size, gint index, gsize *out_size) {
  SpryTensor *in = spry_interpreter_input(r->interp, 0);
  assert_int_equal(spry_tensor_byte_size(in), size);
  memcpy(spry_tensor_data(in), input, size);
  assert_int_equal(spry_interpreter_invoke(r->interp), SPRY_OK);
  const SpryTensor *out = spry_interpreter_output(r->interp, index);
  *out_size = spry_tensor_byte_size(out);
  return g_memdup2(spry_tensor_data_const(out), *out_size);
}

static void ref_close(Ref *r) {
  spry_interpreter_free(r->interp);
  spry_model_free(r->model);
}

/* ---- appsrc ! spryinfer ! appsink ------------------------------------- */

typedef struct {
  GstElement *pipe, *src, *sink;
} Pipe;

static Pipe pipe_start(const gchar *infer_props, const gchar *caps_text) {
  gchar *desc = g_strdup_printf("appsrc name=src format=time ! spryinfer %s ! "
                                "appsink name=sink sync=false", infer_props);
  Pipe p;
  p.pipe = parse_or_fail(desc);
  g_free(desc);
  p.src = gst_bin_get_by_name(GST_BIN(p.pipe), "src");
  p.sink = gst_bin_get_by_name(GST_BIN(p.pipe), "sink");
  GstCaps *caps = gst_caps_from_string(caps_text);
  assert_non_null(caps);
  gst_app_src_set_caps(GST_APP_SRC(p.src), caps);
  gst_caps_unref(caps);
  assert_int_not_equal(gst_element_set_state(p.pipe, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  return p;
}

static Pipe audio_pipe(const gchar *caps_text) {
  gchar *model = model_path(AUDIO_MODEL);
  gchar *props = g_strdup_printf("model=%s", model);
  Pipe p = pipe_start(props, caps_text);
  g_free(props);
  g_free(model);
  return p;
}

/* Window k of `s` stamped k x 20 ms, offset k. */
static GstBuffer *window_buffer(const gint16 *s, guint k, gboolean discont) {
  GstBuffer *b = gst_buffer_new_memdup(s + 320 * k, WINDOW * sizeof *s);
  GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = k * 20 * MS;
  GST_BUFFER_DURATION(b) = 20 * MS;
  GST_BUFFER_OFFSET(b) = k;
  if (discont) GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DISCONT);
  return b;
}

static void pipe_push(Pipe *p, GstBuffer *buf) {
  assert_int_equal(gst_app_src_push_buffer(GST_APP_SRC(p->src), buf), GST_FLOW_OK);
}

static void pipe_free(Pipe *p) {
  gst_element_set_state(p->pipe, GST_STATE_NULL);
  gst_object_unref(p->src);
  gst_object_unref(p->sink);
  gst_object_unref(p->pipe);
}

/* Ends the stream; returns the samples that reached the appsink (fails on a
 * bus error). */
static GPtrArray *pipe_finish(Pipe *p) {
  gst_app_src_end_of_stream(GST_APP_SRC(p->src));
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_sample_unref);
  GstSample *sample;
  while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(p->sink), 30 * GST_SECOND)))
    g_ptr_array_add(out, sample);
  GstBus *bus = gst_element_get_bus(p->pipe);
  GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  if (msg) {
    GError *error = NULL;
    gst_message_parse_error(msg, &error, NULL);
    fail_msg("bus error: %s", error->message);
  }
  gst_object_unref(bus);
  assert_true(gst_app_sink_is_eos(GST_APP_SINK(p->sink)));
  pipe_free(p);
  return out;
}

/* The first error on the bus within 10 s (g_error_free): a negotiation error
 * names both shapes. */
static GError *pipe_error(Pipe *p) {
  GstBus *bus = gst_element_get_bus(p->pipe);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  gst_object_unref(bus);
  if (!msg) fail_msg("no error on the bus");
  GError *error = NULL;
  gst_message_parse_error(msg, &error, NULL);
  gst_message_unref(msg);
  return error;
}

static void expect_negotiation_error(Pipe *p, const gchar *expected) {
  GError *error = pipe_error(p);
  if (!strstr(error->message, expected))
    fail_msg("expected \"%s\" in \"%s\"", expected, error->message);
  assert_true(g_error_matches(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION));
  g_error_free(error);
  pipe_free(p);
}

static GstBuffer *sample_buffer(GPtrArray *out, guint i) {
  assert_true(i < out->len);
  return gst_sample_get_buffer(g_ptr_array_index(out, i));
}

/* One int8 [40] output equal to `expect`, with the input's timing and flags,
 * and a meta with the same bytes and the model's quantization. */
static void check_audio_output(GstBuffer *b, const guint8 *expect, guint k, gboolean discont) {
  assert_int_equal(gst_buffer_n_memory(b), 1);
  assert_int_equal(gst_buffer_get_size(b), 40);
  assert_int_equal(gst_buffer_memcmp(b, 0, expect, 40), 0);
  assert_int_equal(GST_BUFFER_PTS(b), k * 20 * MS);
  assert_int_equal(GST_BUFFER_DTS(b), k * 20 * MS);
  assert_int_equal(GST_BUFFER_DURATION(b), 20 * MS);
  assert_int_equal(GST_BUFFER_OFFSET(b), k);
  assert_int_equal(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DISCONT) ? 1 : 0, discont ? 1 : 0);
  const SpryTensorMeta *m = spry_buffer_get_tensor_meta(b);
  assert_non_null(m);
  assert_int_equal(m->num_tensors, 1);
  assert_int_equal(m->tensors[0].type, SPRY_TYPE_INT8);
  assert_int_equal(m->tensors[0].size, 40);
  assert_memory_equal(m->tensors[0].data, expect, 40);
  assert_int_equal(m->source_pts, k * 20 * MS);
}

static void check_caps_fields(GstCaps *caps, gint num, const gchar *dims, const gchar *types,
                              gint rate_n, gint rate_d) {
  GstStructure *s = gst_caps_get_structure(caps, 0);
  gint n = 0, fn = 0, fd = 0;
  assert_true(gst_structure_has_name(s, "other/tensors"));
  assert_string_equal(gst_structure_get_string(s, "format"), "static");
  assert_true(gst_structure_get_int(s, "num_tensors", &n));
  assert_int_equal(n, num);
  assert_string_equal(gst_structure_get_string(s, "dimensions"), dims);
  assert_string_equal(gst_structure_get_string(s, "types"), types);
  assert_true(gst_structure_get_fraction(s, "framerate", &fn, &fd));
  assert_int_equal(fn, rate_n);
  assert_int_equal(fd, rate_d);
}

/* ---- Exact bytes and model state --------------------------------------- */

/* Windows 0-5 in order, then 6 with DISCONT and 7: spryinfer's outputs are
 * libspry's on one interpreter fed 0-5 (the noise estimate carries across
 * buffers), then a fresh interpreter's on 6 and 7 (DISCONT resets it). */
static void test_exact_bytes_and_state(void **state) {
  (void)state;
  gint16 *s = signal_s16(320 * 8 + 160);
  Ref carried = ref_open(AUDIO_MODEL), fresh = ref_open(AUDIO_MODEL);
  guint8 *expect[8];
  gsize size = 0;
  for (guint k = 0; k < 6; k++) expect[k] = ref_run(&carried, s + 320 * k, WINDOW * 2, 0, &size);
  for (guint k = 6; k < 8; k++) expect[k] = ref_run(&fresh, s + 320 * k, WINDOW * 2, 0, &size);
  assert_int_equal(size, 40);
  /* The state matters: a fresh interpreter on window 5 gives other bytes. */
  Ref other = ref_open(AUDIO_MODEL);
  guint8 *stateless = ref_run(&other, s + 320 * 5, WINDOW * 2, 0, &size);
  assert_memory_not_equal(stateless, expect[5], 40);

  Pipe p = audio_pipe(S16_WINDOWS "dimensions=(string)1:480");
  for (guint k = 0; k < 8; k++) pipe_push(&p, window_buffer(s, k, k == 0 || k == 6));
  GPtrArray *out = pipe_finish(&p);
  assert_int_equal(out->len, 8);
  GstCaps *caps = gst_sample_get_caps(g_ptr_array_index(out, 0));
  GstCaps *want = gst_caps_from_string(TENSORS "num_tensors=(int)1, dimensions=(string)40, "
                                               "types=(string)int8, framerate=(fraction)50/1");
  assert_true(gst_caps_is_equal(caps, want));
  for (guint k = 0; k < 8; k++)
    check_audio_output(sample_buffer(out, k), expect[k], k, k == 0 || k == 6);
  /* The meta carries what caps cannot: the output's quantization. */
  SpryTensorInfo info;
  assert_int_equal(spry_tensor_info(spry_interpreter_output(other.interp, 0), &info), SPRY_OK);
  const SpryTensorMeta *m = spry_buffer_get_tensor_meta(sample_buffer(out, 0));
  assert_true(m->tensors[0].scale == info.scale);
  assert_int_equal(m->tensors[0].zero_point, info.zero_point);

  g_ptr_array_unref(out);
  gst_caps_unref(want);
  for (guint k = 0; k < 8; k++) g_free(expect[k]);
  g_free(stateless);
  ref_close(&carried), ref_close(&fresh), ref_close(&other);
  g_free(s);
}

/* Pad-level pushes: a flush resets the state even without DISCONT. */
static GstFlowReturn collect_chain(GstPad *pad, GstObject *parent, GstBuffer *buf) {
  (void)parent;
  g_ptr_array_add(gst_pad_get_element_private(pad), buf);
  return GST_FLOW_OK;
}

static gboolean drop_event(GstPad *pad, GstObject *parent, GstEvent *event) {
  (void)pad, (void)parent;
  gst_event_unref(event);
  return TRUE;
}

static void push_segment(GstPad *src) {
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  assert_true(gst_pad_push_event(src, gst_event_new_segment(&segment)));
}

static void test_flush_resets_state(void **state) {
  (void)state;
  gint16 *s = signal_s16(320 * 6 + 160);
  Ref carried = ref_open(AUDIO_MODEL), fresh = ref_open(AUDIO_MODEL);
  gsize size = 0;
  guint8 *before = NULL;
  for (guint k = 0; k < 5; k++) {
    g_free(before);
    before = ref_run(&carried, s + 320 * k, WINDOW * 2, 0, &size);
  }
  guint8 *after = ref_run(&fresh, s + 320 * 5, WINDOW * 2, 0, &size);

  GstElement *made = gst_element_factory_make("spryinfer", NULL);
  assert_non_null(made);
  GstElement *infer = gst_object_ref_sink(made);
  gchar *model = model_path(AUDIO_MODEL);
  g_object_set(infer, "model", model, NULL);
  GstPad *src = gst_object_ref_sink(gst_pad_new("src", GST_PAD_SRC));
  GstPad *sink = gst_object_ref_sink(gst_pad_new("sink", GST_PAD_SINK));
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
  gst_pad_set_element_private(sink, out);
  gst_pad_set_chain_function(sink, collect_chain);
  gst_pad_set_event_function(sink, drop_event);
  GstPad *esink = gst_element_get_static_pad(infer, "sink");
  GstPad *esrc = gst_element_get_static_pad(infer, "src");
  assert_int_equal(gst_pad_link(src, esink), GST_PAD_LINK_OK);
  assert_int_equal(gst_pad_link(esrc, sink), GST_PAD_LINK_OK);
  gst_pad_set_active(src, TRUE);
  gst_pad_set_active(sink, TRUE);
  assert_int_equal(gst_element_set_state(infer, GST_STATE_PLAYING), GST_STATE_CHANGE_SUCCESS);
  assert_true(gst_pad_push_event(src, gst_event_new_stream_start("t")));
  GstCaps *caps = gst_caps_from_string(S16_WINDOWS "dimensions=(string)480");
  assert_true(gst_pad_push_event(src, gst_event_new_caps(caps)));
  gst_caps_unref(caps);
  push_segment(src);
  for (guint k = 0; k < 5; k++) assert_int_equal(gst_pad_push(src, window_buffer(s, k, FALSE)), 0);
  assert_true(gst_pad_push_event(src, gst_event_new_flush_start()));
  assert_true(gst_pad_push_event(src, gst_event_new_flush_stop(TRUE)));
  push_segment(src);
  assert_int_equal(gst_pad_push(src, window_buffer(s, 5, FALSE)), GST_FLOW_OK);
  assert_int_equal(out->len, 6);
  assert_int_equal(gst_buffer_memcmp(g_ptr_array_index(out, 4), 0, before, 40), 0);
  assert_int_equal(gst_buffer_memcmp(g_ptr_array_index(out, 5), 0, after, 40), 0);

  gst_element_set_state(infer, GST_STATE_NULL);
  gst_pad_set_active(src, FALSE), gst_pad_set_active(sink, FALSE);
  gst_object_unref(esink), gst_object_unref(esrc);
  gst_object_unref(src), gst_object_unref(sink), gst_object_unref(infer);
  g_ptr_array_unref(out);
  g_free(model), g_free(before), g_free(after), g_free(s);
  ref_close(&carried), ref_close(&fresh);
}

/* ---- Two inputs, two outputs ------------------------------------------- */

/* A buffer of two 6-float tensors, one memory each. */
static GstBuffer *two_tensors(const float *x, const float *y) {
  GstBuffer *b = gst_buffer_new();
  for (guint t = 0; t < 2; t++) {
    gpointer copy = g_memdup2(t ? y : x, 6 * sizeof *x);
    gst_buffer_append_memory(
        b, gst_memory_new_wrapped(0, copy, 6 * sizeof *x, 0, 6 * sizeof *x, copy, g_free));
  }
  return b;
}

static void test_two_inputs_two_outputs(void **state) {
  (void)state;
  gchar *model = model_path("two_io_float.tflite");
  gchar *props = g_strdup_printf("model=%s", model);
  /* [2,3] and [2,1,3,1] (dims of size 1 do not matter) feed the inputs [2,3]. */
  Pipe p = pipe_start(props, TENSORS "num_tensors=(int)2, dimensions=(string)\"3:2,1:3:1:2\", "
                                     "types=(string)\"float32,float32\", framerate=(fraction)10/1");
  static const float x[6] = {1.5f, -2.0f, 3.25f, 0.0f, 100.0f, -0.5f};
  static const float y[6] = {2.0f, 4.0f, -1.0f, 7.0f, 0.25f, 8.0f};
  GstBuffer *b = two_tensors(x, y);
  GST_BUFFER_PTS(b) = 0;
  pipe_push(&p, b);
  GPtrArray *out = pipe_finish(&p);
  assert_int_equal(out->len, 1);
  check_caps_fields(gst_sample_get_caps(g_ptr_array_index(out, 0)), 2, "3:2,6", "float32,float32",
                    10, 1);
  GstBuffer *o = sample_buffer(out, 0);
  assert_int_equal(gst_buffer_n_memory(o), 2);
  float sum[6], prod[6];
  for (guint i = 0; i < 6; i++) sum[i] = x[i] + y[i], prod[i] = x[i] * y[i];
  GstMapInfo map;
  assert_true(gst_memory_map(gst_buffer_peek_memory(o, 0), &map, GST_MAP_READ));
  assert_int_equal(map.size, sizeof sum);
  assert_memory_equal(map.data, sum, sizeof sum);
  gst_memory_unmap(gst_buffer_peek_memory(o, 0), &map);
  assert_true(gst_memory_map(gst_buffer_peek_memory(o, 1), &map, GST_MAP_READ));
  assert_int_equal(map.size, sizeof prod);
  assert_memory_equal(map.data, prod, sizeof prod);
  gst_memory_unmap(gst_buffer_peek_memory(o, 1), &map);
  assert_int_equal(spry_buffer_get_tensor_meta(o)->num_tensors, 2);
  g_ptr_array_unref(out);

  /* Same element count, other shape: [3,2] is not [2,3]. */
  p = pipe_start(props, TENSORS "num_tensors=(int)2, dimensions=(string)\"2:3,3:2\", "
                                "types=(string)\"float32,float32\", framerate=(fraction)10/1");
  pipe_push(&p, two_tensors(x, y));
  expect_negotiation_error(&p,
                           "tensor 0 is float32 2:3 but the model input 'x' wants float32 [2,3]");
  g_free(props);
  g_free(model);
}

/* ---- Negotiation -------------------------------------------------------- */

static gchar *audio_chain(const gchar *audio_caps, const gchar *infer_props) {
  gchar *model = model_path(AUDIO_MODEL);
  gchar *desc = g_strdup_printf(
      "audiotestsrc num-buffers=10 samplesperbuffer=1024 ! %s ! spryconvert frame-size=480 "
      "hop=320 ! spryinfer model=%s %s ! appsink name=sink sync=false",
      audio_caps, model, infer_props);
  g_free(model);
  return desc;
}

/* spryconvert negotiates to the model's input; `interval` leaves tensor
 * streams alone (every buffer is inferred). */
static void test_spryconvert_chain(void **state) {
  (void)state;
  gchar *desc = audio_chain("audio/x-raw,format=S16LE,rate=16000,channels=1", "interval=3");
  GstElement *pipe = parse_or_fail(desc);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  guint n = 0;
  GstSample *sample;
  while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 30 * GST_SECOND))) {
    if (n == 0) {
      GstCaps *want = gst_caps_from_string(TENSORS "num_tensors=(int)1, dimensions=(string)40, "
                                                   "types=(string)int8, framerate=(fraction)50/1");
      assert_true(gst_caps_is_equal(gst_sample_get_caps(sample), want));
      gst_caps_unref(want);
    }
    assert_int_equal(gst_buffer_get_size(gst_sample_get_buffer(sample)), 40);
    gst_sample_unref(sample);
    n++;
  }
  assert_true(gst_app_sink_is_eos(GST_APP_SINK(sink)));
  /* 10240 samples: windows start every 320 while 480 fit (31), then the
   * last 160 samples go out padded (pad-last). */
  assert_int_equal(n, 32);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  g_free(desc);
}

static void test_wrong_streams_refused(void **state) {
  (void)state;
  /* Stereo audio: two channels per window. */
  gchar *desc = audio_chain("audio/x-raw,format=S16LE,rate=16000,channels=2", "");
  gchar *error = NULL;
  assert_false(run_pipeline(desc, 30, &error));
  if (!strstr(error, "tensor 0 is int16 2:480 but the model input " AUDIO_INPUT))
    fail_msg("unexpected error: %s", error);
  g_free(error), g_free(desc);

  /* Float samples: spryconvert already learns from spryinfer's caps that the
   * model takes int16, so negotiation fails upstream. */
  desc = audio_chain("audio/x-raw,format=F32LE,rate=16000,channels=1", "");
  assert_false(run_pipeline(desc, 30, &error));
  assert_non_null(strstr(error, "not-negotiated"));
  g_free(error), g_free(desc);

  /* A float32 tensor stream straight into the int16 model. */
  Pipe p = audio_pipe(TENSORS "num_tensors=(int)1, types=(string)float32, "
                              "dimensions=(string)1:480, framerate=(fraction)50/1");
  gst_app_src_push_buffer(GST_APP_SRC(p.src), gst_buffer_new_allocate(NULL, 480 * 4, NULL));
  expect_negotiation_error(&p, "tensor 0 is float32 1:480 but the model input " AUDIO_INPUT);

  /* Two tensors into a one-input model. */
  p = audio_pipe(TENSORS "num_tensors=(int)2, types=(string)\"int16,int16\", "
                         "dimensions=(string)\"480,480\", framerate=(fraction)50/1");
  gst_app_src_push_buffer(GST_APP_SRC(p.src), gst_buffer_new_allocate(NULL, 960, NULL));
  expect_negotiation_error(&p, "the stream carries 2 tensors but the model takes 1 input: "
                               "'serving_default_audio_frame:0' int16 [1,480]");
}

/* A buffer that does not match its caps is refused with a stream error. */
static void test_bad_buffer(void **state) {
  (void)state;
  Pipe p = audio_pipe(S16_WINDOWS "dimensions=(string)480");
  gst_app_src_push_buffer(GST_APP_SRC(p.src), gst_buffer_new_allocate(NULL, 100, NULL));
  GError *error = pipe_error(&p);
  assert_non_null(strstr(error->message, "tensor 0 holds 100 bytes but its caps need 960"));
  g_error_free(error);
  pipe_free(&p);
}

/* A compatible caps change keeps going; an incompatible one is an error. */
static void test_caps_change(void **state) {
  (void)state;
  gint16 *s = signal_s16(320 * 4 + 160);
  Pipe p = audio_pipe(S16_WINDOWS "dimensions=(string)1:480");
  pipe_push(&p, window_buffer(s, 0, TRUE));
  GstCaps *caps = gst_caps_from_string(TENSORS "num_tensors=(int)1, types=(string)int16, "
                                       "dimensions=(string)480:1:1, framerate=(fraction)25/1");
  gst_app_src_set_caps(GST_APP_SRC(p.src), caps);
  gst_caps_unref(caps);
  pipe_push(&p, window_buffer(s, 1, FALSE));
  GstSample *a = gst_app_sink_try_pull_sample(GST_APP_SINK(p.sink), 30 * GST_SECOND);
  GstSample *b = gst_app_sink_try_pull_sample(GST_APP_SINK(p.sink), 30 * GST_SECOND);
  assert_non_null(a), assert_non_null(b);
  check_caps_fields(gst_sample_get_caps(b), 1, "40", "int8", 25, 1);
  /* The state survived the caps change: window 1 as the second of a run. */
  Ref ref = ref_open(AUDIO_MODEL);
  gsize size = 0;
  g_free(ref_run(&ref, s, WINDOW * 2, 0, &size));
  guint8 *expect = ref_run(&ref, s + 320, WINDOW * 2, 0, &size);
  assert_int_equal(gst_buffer_memcmp(gst_sample_get_buffer(b), 0, expect, 40), 0);
  g_free(expect);
  ref_close(&ref);
  gst_sample_unref(a), gst_sample_unref(b);

  caps = gst_caps_from_string(S16_WINDOWS "dimensions=(string)1:320");
  gst_app_src_set_caps(GST_APP_SRC(p.src), caps);
  gst_caps_unref(caps);
  gst_app_src_push_buffer(GST_APP_SRC(p.src), gst_buffer_new_allocate(NULL, 640, NULL));
  expect_negotiation_error(&p, "tensor 0 is int16 1:320 but the model input " AUDIO_INPUT);
  g_free(s);
}

static void test_eos_before_any_buffer(void **state) {
  (void)state;
  Pipe p = audio_pipe(S16_WINDOWS "dimensions=(string)1:480");
  GPtrArray *out = pipe_finish(&p);
  assert_int_equal(out->len, 0);
  g_ptr_array_unref(out);
}

/* 200 NULL <-> PLAYING cycles with a tensor stream: no crash, no error, no
 * leak (the ASan build checks). */
static void test_state_cycles(void **state) {
  (void)state;
  gchar *model = model_path(AUDIO_MODEL);
  gchar *desc = g_strdup_printf("audiotestsrc ! audio/x-raw,format=S16LE,rate=16000,channels=1 ! "
                                "spryconvert ! spryinfer model=%s ! fakesink", model);
  GstElement *pipe = parse_or_fail(desc);
  GstBus *bus = gst_element_get_bus(pipe);
  for (guint i = 0; i < 200; i++) {
    assert_int_not_equal(gst_element_set_state(pipe, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    /* Prerolled: a window went through spryinfer. */
    if (i % 10 == 0)
      assert_int_equal(gst_element_get_state(pipe, NULL, NULL, 10 * GST_SECOND),
                       GST_STATE_CHANGE_SUCCESS);
    assert_int_equal(gst_element_set_state(pipe, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (msg) fail_msg("error on cycle %u", i);
  }
  gst_object_unref(bus);
  gst_object_unref(pipe);
  g_free(desc);
  g_free(model);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exact_bytes_and_state),
      cmocka_unit_test(test_flush_resets_state),
      cmocka_unit_test(test_two_inputs_two_outputs),
      cmocka_unit_test(test_spryconvert_chain),
      cmocka_unit_test(test_wrong_streams_refused),
      cmocka_unit_test(test_bad_buffer),
      cmocka_unit_test(test_caps_change),
      cmocka_unit_test(test_eos_before_any_buffer),
      cmocka_unit_test(test_state_cycles),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
