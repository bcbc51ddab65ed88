/* SPDX-License-Identifier: Apache-2.0 */
/* infer_tensors.h — spryinfer's tensor mode: other/tensors in, the model's outputs as other/tensors out. */
#ifndef SPRY_GST_INFER_TENSORS_H
#define SPRY_GST_INFER_TENSORS_H

/*
 * The element (gstspryinfer.c) dispatches here when its sink caps are
 * `other/tensors`. The rules (docs/tensor-caps.md, "spryinfer on tensor
 * streams"):
 *
 * - Negotiation: one stream tensor per model input, same type, same shape
 *   once every dimension of size 1 is dropped on both sides (`1:480`, TFLite
 *   [480,1], feeds an input [1,480]: the bytes are laid out identically).
 * - Output: one GstMemory per model output, exact bytes, described by caps
 *   built from the output shapes; a SpryTensorMeta carries quantization and
 *   labels, which caps cannot.
 * - State: variable tensors (noise estimates, RNN state) carry over from one
 *   buffer to the next, and are reset before the first buffer, on a DISCONT
 *   buffer and after a flush.
 */

#include <gst/gst.h>
#include <spry/spry.h>

#include "infer_worker.h"
#include "tensor_caps.h"

G_BEGIN_DECLS

/* The model's inputs and outputs in caps form, for caps queries; a side is
 * unknown (FALSE) when no model is open or it has no other/tensors form. */
typedef struct SpryInferTensorsModel {
  gboolean have_inputs, have_outputs;
  SpryTensorsInfo inputs, outputs; /* no framerate */
} SpryInferTensorsModel;

/* Streaming state of tensor mode. */
typedef struct SpryInferTensors {
  gboolean configured;   /* `in` holds accepted caps */
  SpryTensorsInfo in;
  gboolean need_reset;   /* reset the model state before the next buffer */
} SpryInferTensors;

/* Fills `out` from the interpreter (never fails: unknown sides stay FALSE). */
void spry_infer_tensors_describe(SpryInterpreter *interp, SpryInferTensorsModel *out);

/* Whether `s` is an other/tensors structure (as opposed to video). */
gboolean spry_infer_tensors_is_tensors(const GstStructure *s);

/* The caps on the other side of the tensor structure `s`: for the sink
 * direction the model's outputs, for the src direction its inputs (empty when
 * `s` does not fit the outputs), each with `s`'s framerate. Without a model,
 * any static other/tensors. */
GstCaps *spry_infer_tensors_transform_caps(const SpryInferTensorsModel *model,
                                           GstPadDirection direction, const GstStructure *s);

/* The model's inputs (sink) or outputs (src) with any framerate; NULL when
 * unknown. For caps queries: upstream negotiates to what the model takes. */
GstCaps *spry_infer_tensors_model_caps(const SpryInferTensorsModel *model,
                                       GstPadDirection direction);

/* Checks that the stream `incaps` feeds the model and takes it as the
 * stream's format; FALSE with a message naming both shapes otherwise. */
gboolean spry_infer_tensors_configure(SpryInferTensors *t, SpryInterpreter *interp,
                                      GstCaps *incaps, GError **error);

/* Resets the model state before the next buffer (flush, new stream). */
void spry_infer_tensors_request_reset(SpryInferTensors *t);

/* Runs the model on `in` and fills the empty buffer `out` with one memory
 * per output plus a SpryTensorMeta. `frame` numbers the buffer in the meta. */
gboolean spry_infer_tensors_run(SpryInferTensors *t, SpryInferWorker *worker, GstBuffer *in,
                                GstBuffer *out, guint64 frame, GError **error);

G_END_DECLS

#endif /* SPRY_GST_INFER_TENSORS_H */
