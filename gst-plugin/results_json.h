/* SPDX-License-Identifier: Apache-2.0 */
/* results_json.h — the JSON objects describing one frame's results or events (docs/results-json.md). */
#ifndef SPRY_GST_RESULTS_JSON_H
#define SPRY_GST_RESULTS_JSON_H

#include <json-glib/json-glib.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* Builds the frame's object; width/height are omitted when <= 0. Sets
 * `*has_results` when the buffer carried any result meta. */
JsonNode *spry_results_to_json(GstBuffer *buffer, guint64 frame, gint width, gint height,
                               gboolean *has_results);
/* One object per SpryEventMeta on the buffer, in the order they were
 * attached (an empty array when there are none). */
GPtrArray *spry_events_to_json(GstBuffer *buffer);

G_END_DECLS

#endif /* SPRY_GST_RESULTS_JSON_H */
