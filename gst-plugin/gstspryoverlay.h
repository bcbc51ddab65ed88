/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryoverlay.h — the spryoverlay element: draws results onto the video. */
#ifndef GST_SPRY_OVERLAY_H
#define GST_SPRY_OVERLAY_H

#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define GST_TYPE_SPRY_OVERLAY (gst_spry_overlay_get_type())
G_DECLARE_FINAL_TYPE(GstSpryOverlay, gst_spry_overlay, GST, SPRY_OVERLAY, GstVideoFilter)

struct _GstSpryOverlay {
  GstVideoFilter parent;
  gdouble mask_alpha;
  gdouble line_width;
  gdouble font_size;
  gboolean show_labels;
};

GST_ELEMENT_REGISTER_DECLARE(spryoverlay);

G_END_DECLS

#endif /* GST_SPRY_OVERLAY_H */
