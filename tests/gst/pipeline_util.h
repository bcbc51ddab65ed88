/* SPDX-License-Identifier: Apache-2.0 */
/* pipeline_util.h — running gst-launch style pipelines to completion in tests, and reading their JSON lines. */
#ifndef SPRY_TEST_PIPELINE_UTIL_H
#define SPRY_TEST_PIPELINE_UTIL_H

#include <gst/gst.h>
#include <json-glib/json-glib.h>

/* Paths for pipeline descriptions. */
const gchar *test_data_dir(void);   /* $SPRY_TEST_DATA */
const gchar *test_shared_dir(void); /* $SPRY_SHARED_DIR */
/* Exits 77 (skip) when the shared folder lacks `relative`; else its path. */
gchar *test_shared_path_or_skip(const gchar *relative);

/* Runs the pipeline until EOS, an error or `timeout_s`. Returns TRUE on EOS;
 * otherwise FALSE with `*error_text` (g_free) set to the bus error message
 * and its debug details, or to "timeout". */
gboolean run_pipeline(const gchar *description, guint timeout_s, gchar **error_text);

/* run_pipeline that also measures, in `*playing_s`, the time from PLAYING to
 * the end: the pipeline first goes to PAUSED, so opening and warming up
 * models (and, for non-live sources, the first frame) are not counted. */
gboolean run_pipeline_timed(const gchar *description, guint timeout_s, gchar **error_text,
                            double *playing_s);

/* A fresh temporary file name (the file does not exist). */
gchar *temp_path(const gchar *suffix);

/* Parses a JSON-lines file into an array of objects (NULL on a parse error). */
GPtrArray *read_json_lines(const gchar *path);
/* The same for text in memory. */
GPtrArray *parse_json_lines(const gchar *text);

#endif /* SPRY_TEST_PIPELINE_UTIL_H */
