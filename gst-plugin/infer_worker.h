/* SPDX-License-Identifier: Apache-2.0 */
/* infer_worker.h — one model and its interpreter, run on the streaming thread or on a thread of its own. */
#ifndef SPRY_GST_INFER_WORKER_H
#define SPRY_GST_INFER_WORKER_H

#include <gst/gst.h>
#include <spry/spry.h>

#include "tensor_meta.h"

G_BEGIN_DECLS

typedef struct SpryInferWorker SpryInferWorker;

/* What the next inference is computed from, copied into its result. */
typedef struct SpryInferSource {
  SpryMetaRegion region;
  gint frame_width, frame_height;
  guint64 frame;
  GstClockTime pts;
} SpryInferSource;

/* Opens and prepares the model and runs it once on zeros (so the first frame
 * does not pay for first-touch page faults, and to measure its latency). */
SpryInferWorker *spry_infer_worker_new(const gchar *model_path, gint threads, GError **error);
/* Waits for a running inference, stops the thread, frees everything. */
void spry_infer_worker_free(SpryInferWorker *w);

const SpryModel *spry_infer_worker_model(const SpryInferWorker *w);
SpryInterpreter *spry_infer_worker_interpreter(SpryInferWorker *w);
/* Labels of the first output from the model metadata (NULL when none). */
SpryLabelSet *spry_infer_worker_labels(const SpryInferWorker *w);
/* Duration of the warm-up inference. */
gdouble spry_infer_worker_warmup_ms(const SpryInferWorker *w);

/* The first input tensor's bytes; write them only while the worker is idle. */
void *spry_infer_worker_input(SpryInferWorker *w, gsize *size);

/* Runs the model now on the calling thread; returns the new result, which
 * also becomes the latest. */
SpryInferResult *spry_infer_worker_run(SpryInferWorker *w, const SpryInferSource *source,
                                       GError **error);

/* Asynchronous use (never mixed with spry_infer_worker_run on one stream):
 * TRUE while an inference runs on the worker thread. */
gboolean spry_infer_worker_busy(SpryInferWorker *w);
/* Starts an inference on the worker thread (the input must be written
 * first); FALSE when one is still running. */
gboolean spry_infer_worker_submit(SpryInferWorker *w, const SpryInferSource *source,
                                  GError **error);
/* The most recent completed result (a new reference) or NULL. */
SpryInferResult *spry_infer_worker_latest(SpryInferWorker *w);
/* Forgets the latest result (after a flush). */
void spry_infer_worker_forget(SpryInferWorker *w);
/* The error of a failed asynchronous inference, once; FALSE when none. */
gboolean spry_infer_worker_take_error(SpryInferWorker *w, GError **error);

G_END_DECLS

#endif /* SPRY_GST_INFER_WORKER_H */
