/* SPDX-License-Identifier: Apache-2.0 */
/* tensor_meta.h — inference results shared between frames, and the SpryTensorMeta that carries them. */
#ifndef SPRY_GST_TENSOR_META_H
#define SPRY_GST_TENSOR_META_H

#include <gst/gst.h>
#include <spry/spry.h>

#include "gst/spry/spry-meta.h"

G_BEGIN_DECLS

/* An immutable, reference-counted list of interned label strings. */
typedef struct SpryLabelSet {
  guint count;
  const gchar **labels;
} SpryLabelSet;

/* Splits `text` into lines (trailing whitespace trimmed, a final empty line
 * dropped). Returns NULL for empty text. */
SpryLabelSet *spry_label_set_new_from_text(const gchar *text, gsize size);
/* Reads a labels file; NULL with `error` set when it cannot be read. */
SpryLabelSet *spry_label_set_new_from_file(const gchar *path, GError **error);
SpryLabelSet *spry_label_set_ref(SpryLabelSet *set);
void spry_label_set_unref(SpryLabelSet *set);

/* One inference's outputs (copied out of the interpreter), with where they
 * came from. Reference-counted: every frame that carries them holds a ref. */
typedef struct SpryInferResult {
  guint num_tensors;
  SpryMetaTensor tensors[SPRY_META_MAX_TENSORS];
  SpryMetaRegion region;
  gint frame_width, frame_height;
  guint64 source_frame;
  GstClockTime source_pts;
  gdouble inference_ms;
  SpryLabelSet *labels; /* may be NULL */
  guint8 *storage;      /* all tensor data */
} SpryInferResult;

/* Copies the interpreter's outputs; NULL (and `error` set) when there are more
 * outputs than a meta holds or memory runs out. */
SpryInferResult *spry_infer_result_new(SpryInterpreter *interp, SpryLabelSet *labels,
                                       GError **error);
SpryInferResult *spry_infer_result_ref(SpryInferResult *result);
void spry_infer_result_unref(SpryInferResult *result);

GType spry_tensor_meta_api_get_type(void);
const GstMetaInfo *spry_tensor_meta_get_info(void);
/* Attaches `result` (a new reference is taken). */
SpryTensorMeta *spry_buffer_add_tensor_meta(GstBuffer *buffer, SpryInferResult *result);

G_END_DECLS

#endif /* SPRY_GST_TENSOR_META_H */
