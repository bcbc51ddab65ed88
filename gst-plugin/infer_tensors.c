/* SPDX-License-Identifier: Apache-2.0 */
/* infer_tensors.c — spryinfer's tensor mode: caps rules, state resets and one inference per tensor buffer. */
#include "infer_tensors.h"

#include <string.h>

/* ---- Describing the model ---------------------------------------------- */

/* The interpreter's inputs or outputs as other/tensors; FALSE when one has
 * no such form (a bool or string tensor, more than 16 tensors...). */
static gboolean describe_side(SpryInterpreter *interp, gboolean inputs, SpryTensorsInfo *out,
                              GError **error) {
  int32_t n = inputs ? spry_interpreter_input_count(interp) : spry_interpreter_output_count(interp);
  const gchar *side = inputs ? "input" : "output";
  if (n < 1 || n > SPRY_TENSORS_MAX) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "the model has %d %ss; other/tensors carries 1 to %d", (int)n, side,
                SPRY_TENSORS_MAX);
    return FALSE;
  }
  SpryTensorsInfo info = {.num_tensors = (guint)n};
  for (int32_t i = 0; i < n; i++) {
    const SpryTensor *t = inputs ? spry_interpreter_input(interp, i)
                                 : spry_interpreter_output(interp, i);
    GError *inner = NULL;
    if (!t || !spry_tensors_desc_from_tensor(t, &info.tensors[i], &inner)) {
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "model %s %d ('%s'): %s",
                  side, (int)i, t ? spry_tensor_name(t) : "?", inner ? inner->message : "missing");
      g_clear_error(&inner);
      return FALSE;
    }
  }
  *out = info;
  return TRUE;
}

void spry_infer_tensors_describe(SpryInterpreter *interp, SpryInferTensorsModel *out) {
  *out = (SpryInferTensorsModel){0};
  if (!interp) return;
  out->have_inputs = describe_side(interp, TRUE, &out->inputs, NULL);
  out->have_outputs = describe_side(interp, FALSE, &out->outputs, NULL);
}

/* ---- Caps -------------------------------------------------------------- */

gboolean spry_infer_tensors_is_tensors(const GstStructure *s) {
  return gst_structure_has_name(s, SPRY_TENSORS_MEDIA_TYPE);
}

/* Any static other/tensors: what the pads take before a model is open. */
static GstCaps *any_tensors(void) {
  return gst_caps_new_simple(SPRY_TENSORS_MEDIA_TYPE, "format", G_TYPE_STRING, "static",
                             "num_tensors", GST_TYPE_INT_RANGE, 1, SPRY_TENSORS_MAX, NULL);
}

/* `info` as caps whose framerate is `s`'s (fixed or not), or any. */
static GstCaps *caps_with_rate(const SpryTensorsInfo *info, const GstStructure *s) {
  GstCaps *caps = info ? spry_tensors_info_to_caps(info) : any_tensors();
  if (!caps) return gst_caps_new_empty();
  const GValue *rate = s ? gst_structure_get_value(s, "framerate") : NULL;
  if (rate) {
    gst_caps_set_value(caps, "framerate", rate);
  } else if (!s) {
    gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, G_MAXINT, 1, NULL);
  }
  return caps;
}

GstCaps *spry_infer_tensors_transform_caps(const SpryInferTensorsModel *model,
                                           GstPadDirection direction, const GstStructure *s) {
  if (direction == GST_PAD_SINK) {
    /* Whatever the input, the output is the model's: a stream that does not
     * fit is refused when its caps are set, with a message saying why. */
    return caps_with_rate(model->have_outputs ? &model->outputs : NULL, s);
  }
  if (!model->have_outputs || !model->have_inputs) return caps_with_rate(NULL, s);
  GstCaps *outputs = spry_tensors_info_to_caps(&model->outputs);
  gboolean fits = outputs && gst_structure_can_intersect(s, gst_caps_get_structure(outputs, 0));
  if (outputs) gst_caps_unref(outputs);
  return fits ? caps_with_rate(&model->inputs, s) : gst_caps_new_empty();
}

GstCaps *spry_infer_tensors_model_caps(const SpryInferTensorsModel *model,
                                       GstPadDirection direction) {
  gboolean sink = direction == GST_PAD_SINK;
  if (sink ? !model->have_inputs : !model->have_outputs) return NULL;
  return caps_with_rate(sink ? &model->inputs : &model->outputs, NULL);
}

/* ---- Negotiation ------------------------------------------------------- */

/* Dims without the 1s, outermost first (caps dims are innermost first). */
static guint squeeze_caps_dims(const SpryTensorsDesc *desc, guint32 *out) {
  guint n = 0;
  for (guint i = MIN(desc->rank, SPRY_TENSORS_RANK_MAX); i-- > 0;)
    if (desc->dims[i] != 1) out[n++] = desc->dims[i];
  return n;
}

static guint squeeze_shape(const SpryTensorInfo *info, guint32 *out) {
  guint n = 0;
  for (int32_t i = 0; i < info->rank && i < SPRY_MAX_RANK; i++) {
    /* A negative (unknown) dim never equals a caps dim, which is >= 1. */
    if (info->dims[i] != 1) out[n++] = info->dims[i] < 0 ? 0 : (guint32)info->dims[i];
  }
  return n;
}

static gboolean same_squeezed(const SpryTensorsDesc *desc, const SpryTensorInfo *info) {
  guint32 a[SPRY_TENSORS_RANK_MAX], b[SPRY_MAX_RANK];
  guint na = squeeze_caps_dims(desc, a), nb = squeeze_shape(info, b);
  return na == nb && memcmp(a, b, na * sizeof a[0]) == 0;
}

/* "[1,480]" */
static gchar *shape_string(const SpryTensorInfo *info) {
  GString *s = g_string_new("[");
  for (int32_t i = 0; i < info->rank && i < SPRY_MAX_RANK; i++)
    g_string_append_printf(s, i ? ",%d" : "%d", (int)info->dims[i]);
  g_string_append_c(s, ']');
  return g_string_free(s, FALSE);
}

/* "'x' float32 [2,3], 'y' float32 [2,3]" */
static gchar *inputs_string(SpryInterpreter *interp) {
  GString *s = g_string_new(NULL);
  for (int32_t i = 0; i < spry_interpreter_input_count(interp); i++) {
    SpryTensorInfo info;
    if (spry_tensor_info(spry_interpreter_input(interp, i), &info) != SPRY_OK) continue;
    gchar *shape = shape_string(&info);
    g_string_append_printf(s, "%s'%s' %s %s", i ? ", " : "", info.name ? info.name : "",
                           spry_type_name(info.type), shape);
    g_free(shape);
  }
  return g_string_free(s, FALSE);
}

static gboolean mismatch(const SpryTensorsDesc *desc, guint index, const SpryTensorInfo *info,
                         GError **error) {
  gchar *dims = spry_tensors_desc_dims_string(desc), *shape = shape_string(info);
  g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
              "tensor %u is %s %s but the model input '%s' wants %s %s", index,
              spry_tensors_type_name(desc->type), dims, info->name ? info->name : "",
              spry_type_name(info->type), shape);
  g_free(dims);
  g_free(shape);
  return FALSE;
}

static gboolean check_input(SpryInterpreter *interp, const SpryTensorsDesc *desc, guint index,
                            GError **error) {
  SpryTensor *t = spry_interpreter_input(interp, (int32_t)index);
  SpryTensorInfo info;
  if (!t || spry_tensor_info(t, &info) != SPRY_OK) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "cannot describe model input %u: %s", index, spry_last_error());
    return FALSE;
  }
  SpryType type;
  if (!spry_tensors_type_to_spry(desc->type, &type) || type != info.type ||
      !same_squeezed(desc, &info))
    return mismatch(desc, index, &info, error);
  /* Equal element counts and types give equal sizes; checked anyway because
   * every buffer is copied by this size. */
  gsize size = 0;
  if (!spry_tensors_desc_byte_size(desc, &size, error)) return FALSE;
  if (size != spry_tensor_byte_size(t)) return mismatch(desc, index, &info, error);
  return TRUE;
}

gboolean spry_infer_tensors_configure(SpryInferTensors *t, SpryInterpreter *interp,
                                      GstCaps *incaps, GError **error) {
  SpryTensorsInfo in, outputs;
  t->configured = FALSE;
  if (!spry_tensors_info_from_caps(incaps, &in, error)) return FALSE;
  if (!describe_side(interp, FALSE, &outputs, error)) return FALSE;
  int32_t n = spry_interpreter_input_count(interp);
  if (n < 0 || in.num_tensors != (guint)n) {
    gchar *wanted = inputs_string(interp);
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "the stream carries %u tensor%s but the model takes %d input%s: %s",
                in.num_tensors, in.num_tensors == 1 ? "" : "s", (int)n, n == 1 ? "" : "s",
                wanted);
    g_free(wanted);
    return FALSE;
  }
  for (guint i = 0; i < in.num_tensors; i++)
    if (!check_input(interp, &in.tensors[i], i, error)) return FALSE;
  t->in = in;
  t->configured = TRUE;
  return TRUE;
}

void spry_infer_tensors_request_reset(SpryInferTensors *t) { t->need_reset = TRUE; }

/* ---- Streaming --------------------------------------------------------- */

static gboolean copy_inputs(SpryInterpreter *interp, GstBuffer *in, GError **error) {
  for (guint i = 0; i < gst_buffer_n_memory(in); i++) {
    SpryTensor *t = spry_interpreter_input(interp, (int32_t)i);
    GstMapInfo map;
    if (!gst_memory_map(gst_buffer_peek_memory(in, i), &map, GST_MAP_READ)) {
      g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                  "cannot read tensor %u of a buffer", i);
      return FALSE;
    }
    /* Sizes were checked against the caps, and the caps against the model. */
    gboolean ok = t && map.size == spry_tensor_byte_size(t);
    if (ok) memcpy(spry_tensor_data(t), map.data, map.size);
    gst_memory_unmap(gst_buffer_peek_memory(in, i), &map);
    if (!ok) {
      g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                  "tensor %u does not have the model input's size", i);
      return FALSE;
    }
  }
  return TRUE;
}

static void result_unref_notify(gpointer data) { spry_infer_result_unref(data); }

/* Each output memory shares the result's copy of the outputs (the meta holds
 * the same bytes): read-only, no second copy. */
static void append_outputs(GstBuffer *out, SpryInferResult *r) {
  for (guint i = 0; i < r->num_tensors; i++) {
    const SpryMetaTensor *t = &r->tensors[i];
    gst_buffer_append_memory(out, gst_memory_new_wrapped(GST_MEMORY_FLAG_READONLY,
                                                         (gpointer)t->data, t->size, 0, t->size,
                                                         spry_infer_result_ref(r),
                                                         result_unref_notify));
  }
}

gboolean spry_infer_tensors_run(SpryInferTensors *t, SpryInferWorker *worker, GstBuffer *in,
                                GstBuffer *out, guint64 frame, GError **error) {
  if (!t->configured) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "a tensor buffer arrived before accepted caps");
    return FALSE;
  }
  if (!spry_tensors_buffer_check(&t->in, in, error)) return FALSE;
  SpryInterpreter *interp = spry_infer_worker_interpreter(worker);
  if (t->need_reset || GST_BUFFER_FLAG_IS_SET(in, GST_BUFFER_FLAG_DISCONT)) {
    if (spry_interpreter_reset_state(interp) != SPRY_OK) {
      g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                  "cannot reset the model state: %s", spry_last_error());
      return FALSE;
    }
    t->need_reset = FALSE;
  }
  if (!copy_inputs(interp, in, error)) return FALSE;
  SpryInferSource source = {.frame = frame, .pts = GST_BUFFER_PTS(in)};
  SpryInferResult *r = spry_infer_worker_run(worker, &source, error);
  if (!r) return FALSE;
  if (r->num_tensors != (guint)spry_interpreter_output_count(interp) ||
      r->num_tensors > gst_buffer_get_max_memory()) {
    spry_infer_result_unref(r);
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "unexpected output count");
    return FALSE;
  }
  append_outputs(out, r);
  spry_buffer_add_tensor_meta(out, r);
  spry_infer_result_unref(r);
  return TRUE;
}
