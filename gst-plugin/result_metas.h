/* SPDX-License-Identifier: Apache-2.0 */
/* result_metas.h — registration and constructors of the classification, segmentation, keypoint and event metas. */
#ifndef SPRY_GST_RESULT_METAS_H
#define SPRY_GST_RESULT_METAS_H

#include <gst/gst.h>

#include "gst/spry/spry-meta.h"
#include "tensor_meta.h"

G_BEGIN_DECLS

GType spry_classification_meta_api_get_type(void);
GType spry_segmentation_meta_api_get_type(void);
GType spry_keypoints_meta_api_get_type(void);
GType spry_event_meta_api_get_type(void);

/* Each returns the new meta, empty (count 0), ready to be filled. */
SpryClassificationMeta *spry_buffer_add_classification_meta(GstBuffer *buffer);
SpryKeypointsMeta *spry_buffer_add_keypoints_meta(GstBuffer *buffer);
/* An event; `kind` and `label` are interned. */
SpryEventMeta *spry_buffer_add_event_meta(GstBuffer *buffer, const gchar *kind,
                                          const gchar *label, gint index, gdouble score,
                                          GstClockTime pts);
/* Takes ownership of `classes` (width * height bytes, g_malloc'ed) and a new
 * reference to `labels` (may be NULL). */
SprySegmentationMeta *spry_buffer_add_segmentation_meta(GstBuffer *buffer, gint width, gint height,
                                                         guint8 *classes, SpryLabelSet *labels,
                                                         const SpryMetaRegion *region);

G_END_DECLS

#endif /* SPRY_GST_RESULT_METAS_H */
