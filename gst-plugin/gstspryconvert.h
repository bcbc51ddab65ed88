/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryconvert.h — the spryconvert element: raw audio windows and video frames to other/tensors. */
#ifndef GST_SPRY_CONVERT_H
#define GST_SPRY_CONVERT_H

#include <gst/audio/audio.h>
#include <gst/base/gstadapter.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "tensor_caps.h"

G_BEGIN_DECLS

#define GST_TYPE_SPRY_CONVERT (gst_spry_convert_get_type())
G_DECLARE_FINAL_TYPE(GstSpryConvert, gst_spry_convert, GST, SPRY_CONVERT, GstElement)

typedef enum {
  GST_SPRY_CONVERT_NONE, /* no caps yet */
  GST_SPRY_CONVERT_AUDIO,
  GST_SPRY_CONVERT_VIDEO,
} GstSpryConvertMode;

struct _GstSpryConvert {
  GstElement parent;
  GstPad *sinkpad, *srcpad;

  /* Properties (object lock). */
  guint frame_size;
  guint hop;
  gboolean pad_last;

  /* Streaming state (stream lock). */
  GstSpryConvertMode mode;
  GstCaps *incaps;       /* the caps `mode` was set up from */
  GstAudioInfo audio;
  GstVideoInfo video;
  SpryTensorsInfo out;   /* the output tensor */
  gsize out_size;        /* its bytes */
  guint window, step;    /* frame-size and hop taken when the caps came */
  GstAdapter *adapter;   /* audio samples not yet past a window start */
  gboolean started;      /* base_pts is set */
  GstClockTime base_pts; /* time of sample 0 since the last discontinuity */
  guint64 received;      /* samples received since then */
  guint64 head;          /* index of the adapter's first sample */
  guint64 skip;          /* samples still to drop before the next window (hop > frame-size) */
  guint64 covered;       /* samples at the adapter's head already sent in a window */
  gboolean discont;      /* mark the next output buffer DISCONT */
  GstSegment segment;
};

GST_ELEMENT_REGISTER_DECLARE(spryconvert);

G_END_DECLS

#endif /* GST_SPRY_CONVERT_H */
