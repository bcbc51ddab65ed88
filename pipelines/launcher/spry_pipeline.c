/* SPDX-License-Identifier: Apache-2.0 */
/* spry_pipeline.c — `spry-pipeline`: runs a named pipeline, restarts live ones after errors, reports fps on stderr. */
#include <glib-unix.h>
#include <gst/gst.h>
#include <signal.h>
#include <stdio.h>

#include "launch_config.h"
#include "pipeline_spec.h"
#include "run_stats.h"

#define PROGRAM "spry-pipeline"

typedef enum { RUN_EOS, RUN_ERROR, RUN_INTERRUPTED } RunEnd;

/* State of one run of the pipeline, shared by the main-loop callbacks. */
typedef struct Run {
  GMainLoop *loop;
  GstElement *pipeline;
  SpryRunStats *stats;
  RunEnd end;
  gchar *error;
  gboolean eos_sent; /* a first Ctrl-C asks for a clean end */
  gint64 interval_start_us;
} Run;

static gboolean interrupted; /* set by the signal handlers, read between runs */

static void usage(FILE *out) {
  fprintf(out,
          "Usage: " PROGRAM " list\n"
          "       " PROGRAM " NAME [key=value]...\n\n"
          "Runs a named pipeline from %s (or $SPRY_PIPELINES_DIR).\n"
          "Keys every pipeline accepts: model=PATH labels=PATH file=PATH output=PATH threads=N\n"
          "(also device=PATH, source=DESCRIPTION, max-restarts=N, restart-delay=SECONDS,\n"
          "stats-interval=SECONDS and element.property=VALUE). Results are JSON lines on\n"
          "standard output or in output=PATH; progress goes to standard error.\n",
          spry_pipeline_dir());
}

static int fail(const gchar *message) {
  fprintf(stderr, PROGRAM ": %s\n", message);
  return 1;
}

static int list_pipelines(void) {
  GError *error = NULL;
  const gchar *dir = spry_pipeline_dir();
  GPtrArray *names = spry_pipeline_spec_names(dir, &error);
  if (!names) {
    int rc = fail(error->message);
    g_error_free(error);
    return rc;
  }
  for (guint i = 0; i < names->len; i++) {
    const gchar *name = g_ptr_array_index(names, i);
    SpryPipelineSpec *spec = spry_pipeline_spec_load(dir, name, &error);
    if (spec) printf("%-16s %s\n", name, spec->summary ? spec->summary : "");
    else {
      fprintf(stderr, PROGRAM ": %s\n", error->message);
      g_clear_error(&error);
    }
    spry_pipeline_spec_free(spec);
  }
  g_ptr_array_unref(names);
  return 0;
}

static void print_interval(Run *run) {
  SpryRunCounts interval;
  spry_run_stats_take(run->stats, &interval, NULL);
  gint64 now = g_get_monotonic_time();
  gchar *line = spry_run_counts_describe(&interval, (gdouble)(now - run->interval_start_us) / 1e6);
  fprintf(stderr, PROGRAM ": %s\n", line);
  g_free(line);
  run->interval_start_us = now;
}

static gboolean on_stats_timer(gpointer data) {
  print_interval(data);
  return G_SOURCE_CONTINUE;
}

static gboolean on_signal(gpointer data) {
  Run *run = data;
  interrupted = TRUE;
  if (!run->eos_sent) {
    /* Let the sinks finish their files: stop at the end of the stream. */
    run->eos_sent = TRUE;
    fprintf(stderr, PROGRAM ": interrupted, finishing (again to stop at once)\n");
    gst_element_send_event(run->pipeline, gst_event_new_eos());
  } else {
    run->end = RUN_INTERRUPTED;
    g_main_loop_quit(run->loop);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_bus_message(GstBus *bus, GstMessage *message, gpointer data) {
  (void)bus;
  Run *run = data;
  GError *error = NULL;
  gchar *debug = NULL;
  switch (GST_MESSAGE_TYPE(message)) {
  case GST_MESSAGE_EOS:
    run->end = RUN_EOS;
    g_main_loop_quit(run->loop);
    break;
  case GST_MESSAGE_ERROR:
    gst_message_parse_error(message, &error, &debug);
    run->error = g_strdup_printf("%s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(message)), error->message);
    if (debug) g_debug("%s", debug);
    run->end = RUN_ERROR;
    g_main_loop_quit(run->loop);
    break;
  case GST_MESSAGE_WARNING:
    gst_message_parse_warning(message, &error, &debug);
    fprintf(stderr, PROGRAM ": warning: %s: %s\n", GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
            error->message);
    break;
  default:
    break;
  }
  g_clear_error(&error);
  g_free(debug);
  return G_SOURCE_CONTINUE;
}

/* Builds the pipeline from the configuration; NULL with `*message` set. */
static GstElement *build_pipeline(const SpryLaunchConfig *config, gchar **message) {
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch_full(config->description, NULL,
                                               GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (pipeline && !spry_launch_config_apply(config, GST_BIN(pipeline), &error)) {
    gst_object_unref(pipeline);
    pipeline = NULL;
  }
  if (!pipeline) {
    *message = g_strdup(error ? error->message : "the pipeline could not be built");
    g_clear_error(&error);
  }
  return pipeline;
}

/* Runs the pipeline once, to its end or its first error. */
static RunEnd run_once(GstElement *pipeline, const SpryLaunchConfig *config, gchar **message) {
  Run run = {.loop = g_main_loop_new(NULL, FALSE), .pipeline = pipeline, .end = RUN_ERROR};
  run.stats = spry_run_stats_attach(pipeline);
  GstBus *bus = gst_element_get_bus(pipeline);
  guint bus_watch = gst_bus_add_watch(bus, on_bus_message, &run);
  guint sigint = g_unix_signal_add(SIGINT, on_signal, &run);
  guint sigterm = g_unix_signal_add(SIGTERM, on_signal, &run);
  guint timer = 0;
  if (run.stats && config->stats_interval_s > 0)
    timer = g_timeout_add((guint)(config->stats_interval_s * 1000), on_stats_timer, &run);
  gint64 start_us = g_get_monotonic_time();
  run.interval_start_us = start_us;
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE &&
      !gst_bus_have_pending(bus)) {
    run.error = g_strdup("the pipeline would not start");
  } else {
    g_main_loop_run(run.loop);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  if (timer) g_source_remove(timer);
  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_source_remove(bus_watch);
  gst_object_unref(bus);
  if (run.stats) {
    SpryRunCounts total;
    spry_run_stats_take(run.stats, NULL, &total);
    if (total.frames > 0 || run.end != RUN_ERROR) {
        /* Rates from the first frame on: loading and warming up the model is
       * start-up, not throughput. */
      gint64 first_us = spry_run_stats_first_frame_us(run.stats);
      gint64 from_us = first_us ? first_us : start_us;
      gchar *line =
          spry_run_counts_describe(&total, (gdouble)(g_get_monotonic_time() - from_us) / 1e6);
      fprintf(stderr, PROGRAM ": %s: %s\n", run.end == RUN_ERROR ? "stopped" : "done", line);
      g_free(line);
    }
    spry_run_stats_free(run.stats);
  }
  g_main_loop_unref(run.loop);
  *message = run.error;
  return run.error ? RUN_ERROR : run.end;
}

/* Waits `seconds` unless interrupted; FALSE when interrupted. */
static gboolean wait_before_restart(gdouble seconds) {
  gint64 until = g_get_monotonic_time() + (gint64)(seconds * 1e6);
  while (!interrupted && g_get_monotonic_time() < until) {
    g_main_context_iteration(NULL, FALSE);
    g_usleep(20000);
  }
  return !interrupted;
}

static gboolean on_signal_between_runs(gpointer data) {
  (void)data;
  interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

/* Runs the configured pipeline, again after each error while it is live. */
static int run_pipeline(const SpryLaunchConfig *config) {
  guint restarts = 0;
  guint sigint = g_unix_signal_add(SIGINT, on_signal_between_runs, NULL);
  int rc = 1;
  for (;;) {
    gchar *message = NULL;
    GstElement *pipeline = build_pipeline(config, &message);
    if (!pipeline) { /* a mistake in the configuration: restarting cannot help */
      fail(message);
      g_free(message);
      break;
    }
    RunEnd end = run_once(pipeline, config, &message);
    gst_object_unref(pipeline);
    if (end != RUN_ERROR) {
      rc = end == RUN_EOS ? 0 : 1;
      break;
    }
    if (!config->live || restarts >= config->max_restarts || interrupted) {
      fail(message);
      g_free(message);
      break;
    }
    restarts++;
    if (config->max_restarts == G_MAXUINT)
      fprintf(stderr, PROGRAM ": %s\n" PROGRAM ": restarting in %.1f s (restart %u)\n", message,
              config->restart_delay_s, restarts);
    else
      fprintf(stderr, PROGRAM ": %s\n" PROGRAM ": restarting in %.1f s (restart %u of %u)\n",
              message, config->restart_delay_s, restarts, config->max_restarts);
    g_free(message);
    if (!wait_before_restart(config->restart_delay_s)) break;
  }
  g_source_remove(sigint);
  return rc;
}

/* Debian ships GStreamer's only BMP decoder with rank none, so decodebin
 * would refuse file=photo.bmp: give it the lowest rank that decodebin uses. */
static void enable_bmp_decoder(void) {
  GstPluginFeature *feature = gst_registry_lookup_feature(gst_registry_get(), "gdkpixbufdec");
  if (!feature) return;
  if (gst_plugin_feature_get_rank(feature) < GST_RANK_MARGINAL)
    gst_plugin_feature_set_rank(feature, GST_RANK_MARGINAL);
  gst_object_unref(feature);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  enable_bmp_decoder();
  if (argc < 2 || !g_strcmp0(argv[1], "--help") || !g_strcmp0(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  if (!g_strcmp0(argv[1], "list")) return list_pipelines();
  GError *error = NULL;
  SpryPipelineSpec *spec = spry_pipeline_spec_load(spry_pipeline_dir(), argv[1], &error);
  SpryLaunchConfig config;
  int rc = 1;
  if (spec && spry_launch_config_init(&config, spec, argc - 2, argv + 2, &error))
    rc = run_pipeline(&config);
  else
    fail(error->message);
  g_clear_error(&error);
  if (spec) spry_launch_config_clear(&config);
  spry_pipeline_spec_free(spec);
  gst_deinit();
  return rc;
}
