/* SPDX-License-Identifier: Apache-2.0 */
/* gst_bench.c — `spry-gst-bench`: what spryinfer adds per frame over the bare engine, and preprocessing alone. */
/*
 * For each model, in alternating rounds so that machine noise hits every
 * measurement alike:
 *   invoke      the median invoke time of the model (as `spry bench` times it);
 *   preprocess  the median time of spryinfer's frame-to-tensor conversion of
 *               one WIDTHxHEIGHT frame (colour, scaling, normalisation);
 *   per frame   the time a frame spends in spryinfer (async=off): a pipeline
 *               videotestsrc ! spryinfer ! fakesink minus the same pipeline
 *               without spryinfer, divided by the frames.
 * and prints per frame / invoke (the goal is <= 1.05).
 *
 * Usage: spry-gst-bench [--frames N] [--rounds N] [--threads N]
 *                       [--size WxH] [--format NAME] [--json] MODEL...
 */
#include <gst/gst.h>
#include <gst/video/video.h>
#include <spry/spry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess.h"

typedef struct BenchOptions {
  gint frames, rounds, threads, width, height;
  const gchar *format;
  gboolean json;
} BenchOptions;

typedef struct ModelTimes {
  GArray *invoke_ms, *preprocess_ms, *per_frame_ms;
} ModelTimes;

static int compare_doubles(gconstpointer a, gconstpointer b) {
  gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
  return (x > y) - (x < y);
}

static gdouble median(GArray *values) {
  if (values->len == 0) return 0;
  g_array_sort(values, compare_doubles);
  guint n = values->len;
  gdouble *v = (gdouble *)values->data;
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static gdouble now_ms(void) { return (gdouble)g_get_monotonic_time() / 1000.0; }

/* `count` invokes; appends each time. */
static gboolean time_invokes(SpryInterpreter *interp, gint count, GArray *out) {
  for (gint i = 0; i < count; i++) {
    gdouble start = now_ms();
    if (spry_interpreter_invoke(interp) != SPRY_OK) return FALSE;
    gdouble ms = now_ms() - start;
    g_array_append_val(out, ms);
  }
  return TRUE;
}

/* A grey-gradient frame of the benchmark format, and a preprocessor for it. */
static gboolean time_preprocess(SpryInterpreter *interp, const BenchOptions *o, gint count,
                                GArray *out, GError **error) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, gst_video_format_from_string(o->format), (guint)o->width,
                            (guint)o->height);
  SpryTensorInfo input;
  SpryPreprocessConfig config;
  if (spry_tensor_info(spry_interpreter_input(interp, 0), &input) != SPRY_OK ||
      !spry_preprocess_config_from_tensor(&input, &config, error))
    return FALSE;
  spry_preprocess_default_normalization(&config);
  config.threads = 1;
  SpryPreprocessor *pre = spry_preprocessor_new(&info, &config, error);
  if (!pre) return FALSE;
  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  gst_buffer_memset(buf, 0, 0x80, GST_VIDEO_INFO_SIZE(&info));
  GstVideoFrame frame;
  gboolean ok = gst_video_frame_map(&frame, &info, buf, GST_MAP_READ);
  SpryTensor *tensor = spry_interpreter_input(interp, 0);
  for (gint i = 0; ok && i < count; i++) {
    gdouble start = now_ms();
    ok = spry_preprocessor_run(pre, &frame, spry_tensor_data(tensor), spry_tensor_byte_size(tensor),
                               error);
    gdouble ms = now_ms() - start;
    g_array_append_val(out, ms);
  }
  if (frame.buffer) gst_video_frame_unmap(&frame);
  gst_buffer_unref(buf);
  spry_preprocessor_free(pre);
  return ok;
}

/* Milliseconds from PLAYING to EOS (the first frame is prerolled before). */
static gdouble run_pipeline_ms(const gchar *description, GError **error) {
  GstElement *pipeline = gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (!pipeline) return -1;
  GstBus *bus = gst_element_get_bus(pipeline);
  gst_element_set_state(pipeline, GST_STATE_PAUSED);
  gst_element_get_state(pipeline, NULL, NULL, GST_CLOCK_TIME_NONE);
  gdouble start = now_ms();
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gdouble ms = now_ms() - start;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    gst_message_parse_error(msg, error, NULL);
    ms = -1;
  }
  gst_message_unref(msg);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  return ms;
}

/* One frame's time in spryinfer: with it minus without it, per timed frame. */
static gboolean time_pipeline(const gchar *model, const BenchOptions *o, GArray *out,
                              GError **error) {
  gchar *source = g_strdup_printf(
      "videotestsrc num-buffers=%d pattern=ball ! video/x-raw,format=%s,width=%d,height=%d", o->frames,
      o->format, o->width, o->height);
  gchar *quoted = g_strescape(model, NULL);
  gchar *with = g_strdup_printf("%s ! spryinfer model=\"%s\" async=off threads=%d ! fakesink",
                                source, quoted, o->threads);
  gchar *without = g_strdup_printf("%s ! fakesink", source);
  gdouble bare = run_pipeline_ms(without, error);
  gdouble full = bare >= 0 ? run_pipeline_ms(with, error) : -1;
  if (full >= 0) {
    gdouble per_frame = (full - bare) / (o->frames - 1);
    g_array_append_val(out, per_frame);
  }
  g_free(without);
  g_free(with);
  g_free(quoted);
  g_free(source);
  return full >= 0;
}

static SpryInterpreter *open_model(const gchar *path, gint threads, SpryModel **model) {
  SpryOptions options;
  spry_options_init(&options);
  options.num_threads = threads;
  SpryInterpreter *interp = NULL;
  if (spry_model_open_file(path, model) != SPRY_OK ||
      spry_interpreter_new(*model, &options, &interp) != SPRY_OK)
    return NULL;
  return interp;
}

/* Alternates the three measurements over the rounds. */
static gboolean bench_model(const gchar *path, const BenchOptions *o, ModelTimes *t) {
  SpryModel *model = NULL;
  SpryInterpreter *interp = open_model(path, o->threads, &model);
  GError *error = NULL;
  GArray *warmup = g_array_new(FALSE, FALSE, sizeof(gdouble));
  gboolean ok = interp != NULL && time_invokes(interp, 2, warmup);
  g_array_unref(warmup);
  if (!interp) fprintf(stderr, "spry-gst-bench: %s: %s\n", path, spry_last_error());
  for (gint r = 0; ok && r < o->rounds; r++) {
    fprintf(stderr, "spry-gst-bench: %s: round %d of %d\n", path, r + 1, o->rounds);
    ok = time_invokes(interp, o->frames, t->invoke_ms) &&
         time_preprocess(interp, o, o->frames, t->preprocess_ms, &error) &&
         time_pipeline(path, o, t->per_frame_ms, &error);
  }
  if (interp && !ok)
    fprintf(stderr, "spry-gst-bench: %s: %s\n", path, error ? error->message : spry_last_error());
  g_clear_error(&error);
  spry_interpreter_free(interp);
  spry_model_free(model);
  return ok;
}

static void print_result(const gchar *path, const BenchOptions *o, ModelTimes *t, gboolean first) {
  gdouble invoke = median(t->invoke_ms), pre = median(t->preprocess_ms);
  gdouble frame = median(t->per_frame_ms);
  gchar *name = g_path_get_basename(path);
  if (o->json) {
    printf("%s{\"model\":\"%s\",\"threads\":%d,\"format\":\"%s\",\"width\":%d,\"height\":%d,"
           "\"invoke_ms\":%.3f,\"preprocess_ms\":%.3f,\"per_frame_ms\":%.3f,\"ratio\":%.3f}",
           first ? "[" : ",", name, o->threads, o->format, o->width, o->height, invoke, pre, frame,
           frame / invoke);
  } else {
    if (first)
      printf("%-40s %7s %10s %13s %13s %7s\n", "model", "threads", "invoke ms", "preprocess ms",
             "per frame ms", "ratio");
    printf("%-40s %7d %10.2f %13.3f %13.2f %7.3f\n", name, o->threads, invoke, pre, frame,
           frame / invoke);
  }
  g_free(name);
}

static void usage(void) {
  fprintf(stderr, "usage: spry-gst-bench [--frames N] [--rounds N] [--threads N] [--size WxH]\n"
                  "                      [--format NAME] [--json] MODEL...\n");
}

/* Parses the options; returns the index of the first model, or -1. */
static int parse_options(int argc, char **argv, BenchOptions *o) {
  *o = (BenchOptions){.frames = 30, .rounds = 5, .threads = 1, .width = 640, .height = 480,
                      .format = "I420"};
  int i = 1;
  for (; i < argc && g_str_has_prefix(argv[i], "--"); i++) {
    const gchar *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(arg, "--json")) { o->json = TRUE; continue; }
    if (!value) return -1;
    i++;
    if (!strcmp(arg, "--frames")) o->frames = atoi(value);
    else if (!strcmp(arg, "--rounds")) o->rounds = atoi(value);
    else if (!strcmp(arg, "--threads")) o->threads = atoi(value);
    else if (!strcmp(arg, "--format")) o->format = value;
    else if (!strcmp(arg, "--size")) {
      if (sscanf(value, "%dx%d", &o->width, &o->height) != 2) return -1;
    } else return -1;
  }
  gboolean valid = o->frames >= 2 && o->rounds >= 1 && o->threads >= 1 && o->width > 0 &&
                   o->height > 0 &&
                   gst_video_format_from_string(o->format) != GST_VIDEO_FORMAT_UNKNOWN;
  return valid && i < argc ? i : -1;
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  BenchOptions o;
  int first = parse_options(argc, argv, &o);
  if (first < 0) {
    usage();
    return 2;
  }
  int rc = 0;
  for (int m = first; m < argc; m++) {
    ModelTimes t = {g_array_new(FALSE, FALSE, sizeof(gdouble)),
                    g_array_new(FALSE, FALSE, sizeof(gdouble)),
                    g_array_new(FALSE, FALSE, sizeof(gdouble))};
    if (bench_model(argv[m], &o, &t)) print_result(argv[m], &o, &t, m == first);
    else rc = 1;
    g_array_unref(t.invoke_ms);
    g_array_unref(t.preprocess_ms);
    g_array_unref(t.per_frame_ms);
  }
  if (o.json) printf("]\n");
  return rc;
}
