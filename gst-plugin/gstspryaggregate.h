/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryaggregate.h — the spryaggregate element: stacks the last N tensor frames into one sliding window. */
#ifndef GST_SPRY_AGGREGATE_H
#define GST_SPRY_AGGREGATE_H

#include <gst/gst.h>

#include "tensor_caps.h"

G_BEGIN_DECLS

#define GST_TYPE_SPRY_AGGREGATE (gst_spry_aggregate_get_type())
G_DECLARE_FINAL_TYPE(GstSpryAggregate, gst_spry_aggregate, GST, SPRY_AGGREGATE, GstElement)

struct _GstSpryAggregate {
  GstElement parent;
  GstPad *sinkpad, *srcpad;

  /* Properties (object lock). */
  guint frames;
  guint hop;
  gboolean flatten;

  /* Streaming state (stream lock). */
  gboolean have_caps;
  SpryTensorsInfo in;      /* one input frame */
  gsize frame_bytes, out_bytes;
  guint window, step;      /* frames and hop taken when the caps came */
  gboolean flat;           /* flatten, taken when the caps came */
  guint8 *ring;            /* `window` frames, slot `next` is the oldest once full */
  GstClockTime *pts, *dur; /* per slot */
  guint count;             /* frames in the window */
  guint next;              /* slot the next frame goes to */
  guint64 arrived;         /* frames since the window was last emptied */
  gboolean discont;        /* mark the next output DISCONT */
};

GST_ELEMENT_REGISTER_DECLARE(spryaggregate);

G_END_DECLS

#endif /* GST_SPRY_AGGREGATE_H */
