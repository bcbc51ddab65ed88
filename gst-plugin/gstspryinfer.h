/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryinfer.h — the spryinfer element: runs a model on video frames or on tensor streams. */
#ifndef GST_SPRY_INFER_H
#define GST_SPRY_INFER_H

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

#include "infer_tensors.h"
#include "infer_worker.h"
#include "preprocess.h"

G_BEGIN_DECLS

#define GST_TYPE_SPRY_INFER (gst_spry_infer_get_type())
G_DECLARE_FINAL_TYPE(GstSpryInfer, gst_spry_infer, GST, SPRY_INFER, GstBaseTransform)

typedef enum {
  GST_SPRY_INFER_ASYNC_AUTO, /* on for live sources, off otherwise */
  GST_SPRY_INFER_ASYNC_OFF,
  GST_SPRY_INFER_ASYNC_ON,
} GstSpryInferAsync;

struct _GstSpryInfer {
  GstBaseTransform parent;

  /* Properties (object lock). */
  gchar *model_path;
  gint threads;
  guint interval;
  SpryScaleMode scaling;
  gchar *mean;
  gchar *std;
  GstSpryInferAsync async_mode;

  /* Streaming state. */
  SpryInferWorker *worker;
  SpryPreprocessor *pre;
  GstVideoInfo info;
  guint64 frame;
  gboolean use_async;   /* decided on the first frame */
  gboolean decided;
  guint64 inferred;     /* frames inferred (statistics) */

  /* Tensor mode (other/tensors caps): infer_tensors.h. */
  gboolean tensor_mode;
  SpryInferTensors tensors;
  SpryInferTensorsModel model_desc; /* object lock: read by caps queries */
};

GST_ELEMENT_REGISTER_DECLARE(spryinfer);

G_END_DECLS

#endif /* GST_SPRY_INFER_H */
