/* SPDX-License-Identifier: Apache-2.0 */
/* decode_input.h — the tensors sprydecode reads: from spryinfer's SpryTensorMeta, or from an other/tensors buffer's memories. */
#ifndef SPRY_GST_DECODE_INPUT_H
#define SPRY_GST_DECODE_INPUT_H

#include <gst/gst.h>

#include "postprocess.h"
#include "tensor_caps.h"
#include "tensor_meta.h"

G_BEGIN_DECLS

/*
 * Tensors from the meta carry their quantization and the model's labels.
 * Tensors read from a buffer's memories (NNStreamer's tensor_filter, or any
 * producer that does not attach the meta) have only what the caps say — type
 * and dimensions: float types are read as they are, integer types as raw
 * values (scale 0). float16, float64 and the unsigned 16/32/64-bit types are
 * converted to float32 first, since the decoders read float32 and the
 * TFLite integer types.
 */
typedef struct SpryDecodeInput {
  guint num_tensors;
  SpryTensorView views[SPRY_META_MAX_TENSORS];
  const SpryTensorMeta *meta;     /* NULL for tensors read from memories */
  guint num_labels;               /* the model's labels (the meta's), or 0 */
  const gchar *const *labels;
  /* Private: what to release. */
  GstBuffer *buffer;               /* borrowed */
  GstMapInfo map;                 /* a one-tensor stream: the whole buffer */
  GstMapInfo maps[SPRY_TENSORS_MAX];
  guint num_maps;
  gboolean mapped_whole;
  gpointer converted[SPRY_TENSORS_MAX];
} SpryDecodeInput;

/* Views over the meta's tensors (nothing to release, but clear() is safe). */
void spry_decode_input_from_meta(const SpryTensorMeta *meta, SpryDecodeInput *in);
/* Maps `buffer`'s tensors as `info` describes them; FALSE with `error` when
 * the buffer does not match its caps or memory runs out. On success the
 * input holds a mapping: release it with spry_decode_input_clear() before
 * `buffer` goes. */
gboolean spry_decode_input_from_buffer(const SpryTensorsInfo *info, GstBuffer *buffer,
                                       SpryDecodeInput *in, GError **error);
void spry_decode_input_clear(SpryDecodeInput *in);

G_END_DECLS

#endif /* SPRY_GST_DECODE_INPUT_H */
