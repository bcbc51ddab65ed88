/* SPDX-License-Identifier: Apache-2.0 */
/* pipeline_util.c — runs pipelines to completion for the element tests. */
#include "pipeline_util.h"

#include <stdlib.h>
#include <unistd.h>

const gchar *test_data_dir(void) {
  const gchar *d = g_getenv("SPRY_TEST_DATA");
  return d ? d : "tests/data";
}

const gchar *test_shared_dir(void) {
  const gchar *d = g_getenv("SPRY_SHARED_DIR");
  return d ? d : "../shared";
}

gchar *test_shared_path_or_skip(const gchar *relative) {
  gchar *path = g_build_filename(test_shared_dir(), relative, NULL);
  if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
    g_printerr("skip: %s not found\n", path);
    g_free(path);
    exit(77);
  }
  return path;
}

gboolean run_pipeline(const gchar *description, guint timeout_s, gchar **error_text) {
  double unused;
  return run_pipeline_timed(description, timeout_s, error_text, &unused);
}

gboolean run_pipeline_timed(const gchar *description, guint timeout_s, gchar **error_text,
                            double *playing_s) {
  *error_text = NULL;
  *playing_s = 0;
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch(description, &error);
  if (!pipeline) {
    *error_text = g_strdup_printf("parse: %s", error ? error->message : "?");
    g_clear_error(&error);
    return FALSE;
  }
  if (error) { /* a recoverable parse problem, e.g. a missing property */
    *error_text = g_strdup_printf("parse: %s", error->message);
    g_clear_error(&error);
    gst_object_unref(pipeline);
    return FALSE;
  }
  GstBus *bus = gst_element_get_bus(pipeline);
  gboolean ok = FALSE;
  /* A failed state change leaves its reason on the bus, read below. */
  if (gst_element_set_state(pipeline, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE)
    gst_element_get_state(pipeline, NULL, NULL, (GstClockTime)timeout_s * GST_SECOND);
  gint64 start = g_get_monotonic_time();
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstMessage *msg = gst_bus_timed_pop_filtered(bus, (GstClockTime)timeout_s * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!msg) {
    *error_text = g_strdup("timeout");
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
    ok = TRUE;
  } else {
    gchar *debug = NULL;
    gst_message_parse_error(msg, &error, &debug);
    *error_text = g_strdup_printf("%s | %s", error->message, debug ? debug : "");
    g_clear_error(&error);
    g_free(debug);
  }
  *playing_s = (double)(g_get_monotonic_time() - start) / 1e6;
  if (msg) gst_message_unref(msg);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
  return ok;
}

gchar *temp_path(const gchar *suffix) {
  static guint counter = 0;
  return g_strdup_printf("%s/spry-test-%d-%u%s", g_get_tmp_dir(), (int)getpid(), counter++, suffix);
}

GPtrArray *read_json_lines(const gchar *path) {
  gchar *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL)) return NULL;
  GPtrArray *objects = parse_json_lines(text);
  g_free(text);
  return objects;
}

GPtrArray *parse_json_lines(const gchar *text) {
  GPtrArray *objects = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
  gchar **lines = g_strsplit(text, "\n", -1);
  for (gchar **l = lines; *l; l++) {
    if (!**l) continue;
    JsonNode *node = json_from_string(*l, NULL);
    if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
      if (node) json_node_unref(node);
      g_ptr_array_unref(objects);
      objects = NULL;
      break;
    }
    g_ptr_array_add(objects, node);
  }
  g_strfreev(lines);
  return objects;
}
