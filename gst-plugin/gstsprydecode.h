/* SPDX-License-Identifier: Apache-2.0 */
/* gstsprydecode.h — the sprydecode element: turns output tensors into results and events. */
#ifndef GST_SPRY_DECODE_H
#define GST_SPRY_DECODE_H

#include <gst/base/gstbasetransform.h>

#include "decode_events.h"
#include "postprocess.h"
#include "tensor_caps.h"
#include "tensor_meta.h"

G_BEGIN_DECLS

#define GST_TYPE_SPRY_DECODE (gst_spry_decode_get_type())
G_DECLARE_FINAL_TYPE(GstSpryDecode, gst_spry_decode, GST, SPRY_DECODE, GstBaseTransform)

typedef enum {
  GST_SPRY_TASK_CLASSIFY,
  GST_SPRY_TASK_DETECT,
  GST_SPRY_TASK_SEGMENT,
  GST_SPRY_TASK_POSE,
  GST_SPRY_TASK_KEYWORD,
  GST_SPRY_TASK_PRESENCE,
} GstSpryTask;

struct _GstSpryDecode {
  GstBaseTransform parent;
  /* Properties (object lock). */
  GstSpryTask task;
  gchar *labels_path;
  guint top_k;
  gdouble threshold;     /* < 0: the task's default */
  gdouble iou_threshold;
  guint max_detections;
  gint label_offset;     /* < 0: automatic */
  guint average_window_ms, suppression_ms, minimum_count; /* task=keyword */
  gchar *ignore;
  gchar *target;         /* task=presence */
  guint hold;
  gdouble off_threshold;
  /* Streaming state. */
  SpryLabelSet *labels;  /* from labels_path */
  SpryDetection *detections; /* per-frame scratch of task=detect */
  SpryAnchor *anchors;   /* raw-box anchors, generated on first use */
  int32_t num_anchors;
  gboolean have_tensors; /* other/tensors caps: read buffers without a meta */
  SpryTensorsInfo tensors_info;
  SpryEventState events; /* task=keyword / presence */
};

GST_ELEMENT_REGISTER_DECLARE(sprydecode);

G_END_DECLS

#endif /* GST_SPRY_DECODE_H */
