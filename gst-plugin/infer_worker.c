/* SPDX-License-Identifier: Apache-2.0 */
/* infer_worker.c — model, interpreter and the optional inference thread behind spryinfer. */
/*
 * Live streams must not wait for a slow model, so spryinfer hands a frame's
 * input to a thread of its own and lets frames through meanwhile, attaching
 * the latest completed result. One job at a time: a frame arriving while the
 * thread is busy is simply not inferred.
 */
#include "infer_worker.h"

#include <string.h>

struct SpryInferWorker {
  SpryModel *model;
  SpryInterpreter *interp;
  SpryLabelSet *labels;
  gdouble warmup_ms;

  GMutex lock;
  GCond cond;
  GThread *thread;
  gboolean busy;          /* a job is queued or running */
  gboolean quit;
  SpryInferSource job;
  SpryInferResult *latest;
  GError *error;          /* of the last asynchronous job */
};

static gboolean set_spry_error(GError **error, const gchar *what) {
  g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, "%s: %s", what,
              spry_last_error());
  return FALSE;
}

static SpryLabelSet *model_labels(const SpryModel *model) {
  const char *text = NULL;
  size_t size = 0;
  if (spry_model_output_labels(model, 0, &text, &size) != SPRY_OK) return NULL;
  return spry_label_set_new_from_text(text, size);
}

/* Output caps, tensor metas and the decoders are laid out once from the
 * output shapes, so an output whose shape depends on the data (WHERE's, and
 * whatever is computed from it) cannot be carried. */
static gboolean check_static_outputs(SpryInferWorker *w, const gchar *path, GError **error) {
  for (int32_t i = 0; i < spry_interpreter_output_count(w->interp); i++) {
    const SpryTensor *t = spry_interpreter_output(w->interp, i);
    if (!spry_tensor_is_dynamic(t)) continue;
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "model %s: output %d ('%s') has a shape that depends on the data (known only "
                "after each inference); spryinfer needs outputs of fixed shape",
                path, (int)i, spry_tensor_name(t));
    return FALSE;
  }
  return TRUE;
}

static gboolean open_model(SpryInferWorker *w, const gchar *path, gint threads, GError **error) {
  if (!path || !*path) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                "no model: set the 'model' property to a .tflite file");
    return FALSE;
  }
  if (spry_model_open_file(path, &w->model) != SPRY_OK) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
                "cannot open model %s: %s", path, spry_last_error());
    return FALSE;
  }
  SpryOptions options;
  spry_options_init(&options);
  options.num_threads = MAX(1, threads);
  if (spry_interpreter_new(w->model, &options, &w->interp) != SPRY_OK)
    return set_spry_error(error, "cannot create an interpreter for the model");
  if (spry_interpreter_prepare(w->interp) != SPRY_OK)
    return set_spry_error(error, "cannot run this model");
  if (!check_static_outputs(w, path, error)) return FALSE;
  w->labels = model_labels(w->model);
  return TRUE;
}

static gboolean warm_up(SpryInferWorker *w, GError **error) {
  for (int32_t i = 0; i < spry_interpreter_input_count(w->interp); i++) {
    SpryTensor *t = spry_interpreter_input(w->interp, i);
    memset(spry_tensor_data(t), 0, spry_tensor_byte_size(t));
  }
  gint64 start = g_get_monotonic_time();
  if (spry_interpreter_invoke(w->interp) != SPRY_OK)
    return set_spry_error(error, "the model failed on its first run");
  w->warmup_ms = (gdouble)(g_get_monotonic_time() - start) / 1000.0;
  return TRUE;
}

SpryInferWorker *spry_infer_worker_new(const gchar *model_path, gint threads, GError **error) {
  SpryInferWorker *w = g_new0(SpryInferWorker, 1);
  g_mutex_init(&w->lock);
  g_cond_init(&w->cond);
  if (!open_model(w, model_path, threads, error) || !warm_up(w, error)) {
    spry_infer_worker_free(w);
    return NULL;
  }
  return w;
}

void spry_infer_worker_free(SpryInferWorker *w) {
  if (!w) return;
  if (w->thread) {
    g_mutex_lock(&w->lock);
    w->quit = TRUE;
    g_cond_broadcast(&w->cond);
    g_mutex_unlock(&w->lock);
    g_thread_join(w->thread);
  }
  spry_infer_result_unref(w->latest);
  g_clear_error(&w->error);
  spry_label_set_unref(w->labels);
  spry_interpreter_free(w->interp);
  spry_model_free(w->model);
  g_mutex_clear(&w->lock);
  g_cond_clear(&w->cond);
  g_free(w);
}

const SpryModel *spry_infer_worker_model(const SpryInferWorker *w) { return w->model; }
SpryInterpreter *spry_infer_worker_interpreter(SpryInferWorker *w) { return w->interp; }
SpryLabelSet *spry_infer_worker_labels(const SpryInferWorker *w) { return w->labels; }
gdouble spry_infer_worker_warmup_ms(const SpryInferWorker *w) { return w->warmup_ms; }

void *spry_infer_worker_input(SpryInferWorker *w, gsize *size) {
  SpryTensor *t = spry_interpreter_input(w->interp, 0);
  *size = spry_tensor_byte_size(t);
  return spry_tensor_data(t);
}

static void set_latest(SpryInferWorker *w, SpryInferResult *r) {
  g_mutex_lock(&w->lock);
  spry_infer_result_unref(w->latest);
  w->latest = spry_infer_result_ref(r);
  g_mutex_unlock(&w->lock);
}

/* Invokes and copies the outputs out (no locking: one caller at a time). */
static SpryInferResult *run_job(SpryInferWorker *w, const SpryInferSource *source, GError **error) {
  gint64 start = g_get_monotonic_time();
  if (spry_interpreter_invoke(w->interp) != SPRY_OK) {
    set_spry_error(error, "inference failed");
    return NULL;
  }
  gdouble ms = (gdouble)(g_get_monotonic_time() - start) / 1000.0;
  SpryInferResult *r = spry_infer_result_new(w->interp, w->labels, error);
  if (!r) return NULL;
  r->region = source->region;
  r->frame_width = source->frame_width;
  r->frame_height = source->frame_height;
  r->source_frame = source->frame;
  r->source_pts = source->pts;
  r->inference_ms = ms;
  return r;
}

SpryInferResult *spry_infer_worker_run(SpryInferWorker *w, const SpryInferSource *source,
                                       GError **error) {
  SpryInferResult *r = run_job(w, source, error);
  if (r) set_latest(w, r);
  return r;
}

/* ---- The inference thread -------------------------------------------------------- */

static gpointer worker_main(gpointer data) {
  SpryInferWorker *w = data;
  g_mutex_lock(&w->lock);
  for (;;) {
    while (!w->busy && !w->quit) g_cond_wait(&w->cond, &w->lock);
    if (w->quit) break;
    SpryInferSource job = w->job;
    g_mutex_unlock(&w->lock);

    GError *error = NULL;
    SpryInferResult *r = run_job(w, &job, &error);

    g_mutex_lock(&w->lock);
    if (r) {
      spry_infer_result_unref(w->latest);
      w->latest = r;
    } else {
      g_clear_error(&w->error);
      w->error = error;
    }
    w->busy = FALSE;
    g_cond_broadcast(&w->cond);
  }
  g_mutex_unlock(&w->lock);
  return NULL;
}

gboolean spry_infer_worker_busy(SpryInferWorker *w) {
  g_mutex_lock(&w->lock);
  gboolean busy = w->busy;
  g_mutex_unlock(&w->lock);
  return busy;
}

gboolean spry_infer_worker_submit(SpryInferWorker *w, const SpryInferSource *source,
                                  GError **error) {
  if (!w->thread) {
    w->thread = g_thread_try_new("spryinfer", worker_main, w, error);
    if (!w->thread) return FALSE;
  }
  g_mutex_lock(&w->lock);
  gboolean accepted = !w->busy;
  if (accepted) {
    w->job = *source;
    w->busy = TRUE;
    g_cond_broadcast(&w->cond);
  }
  g_mutex_unlock(&w->lock);
  return accepted;
}

SpryInferResult *spry_infer_worker_latest(SpryInferWorker *w) {
  g_mutex_lock(&w->lock);
  SpryInferResult *r = spry_infer_result_ref(w->latest);
  g_mutex_unlock(&w->lock);
  return r;
}

void spry_infer_worker_forget(SpryInferWorker *w) {
  g_mutex_lock(&w->lock);
  while (w->busy) g_cond_wait(&w->cond, &w->lock); /* its result would be stale too */
  spry_infer_result_unref(w->latest);
  w->latest = NULL;
  g_mutex_unlock(&w->lock);
}

gboolean spry_infer_worker_take_error(SpryInferWorker *w, GError **error) {
  g_mutex_lock(&w->lock);
  GError *e = w->error;
  w->error = NULL;
  g_mutex_unlock(&w->lock);
  if (!e) return FALSE;
  g_propagate_error(error, e);
  return TRUE;
}
