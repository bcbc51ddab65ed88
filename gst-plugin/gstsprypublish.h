/* SPDX-License-Identifier: Apache-2.0 */
/* gstsprypublish.h — the sprypublish element: writes each frame's results as one JSON line. */
#ifndef GST_SPRY_PUBLISH_H
#define GST_SPRY_PUBLISH_H

#include <stdio.h>

#include <gst/base/gstbasesink.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_SPRY_PUBLISH (gst_spry_publish_get_type())
G_DECLARE_FINAL_TYPE(GstSpryPublish, gst_spry_publish, GST, SPRY_PUBLISH, GstBaseSink)

struct _GstSpryPublish {
  GstBaseSink parent;
  gchar *location;      /* NULL or "-": standard output */
  gboolean skip_empty;  /* frames without results are not written */
  FILE *file;
  gboolean owns_file;
  GstVideoInfo info;
  gboolean have_video;
  guint64 frame;
};

GST_ELEMENT_REGISTER_DECLARE(sprypublish);

G_END_DECLS

#endif /* GST_SPRY_PUBLISH_H */
