/* SPDX-License-Identifier: Apache-2.0 */
/* tensor_meta.c — reference-counted inference results and the SpryTensorMeta API. */
#include "tensor_meta.h"

#include <string.h>

/* ---- Labels ------------------------------------------------------------------ */

SpryLabelSet *spry_label_set_new_from_text(const gchar *text, gsize size) {
  if (!text || size == 0) return NULL;
  gchar *copy = g_strndup(text, size);
  gchar **lines = g_strsplit(copy, "\n", -1);
  g_free(copy);
  guint n = g_strv_length(lines);
  while (n > 0 && g_strstrip(lines[n - 1])[0] == '\0') n--; /* trailing empty lines */
  SpryLabelSet *set = NULL;
  if (n > 0) {
    set = g_atomic_rc_box_new0(SpryLabelSet);
    set->count = n;
    set->labels = g_new0(const gchar *, n + 1);
    for (guint i = 0; i < n; i++) set->labels[i] = g_intern_string(g_strchomp(lines[i]));
  }
  g_strfreev(lines);
  return set;
}

SpryLabelSet *spry_label_set_new_from_file(const gchar *path, GError **error) {
  gchar *text = NULL;
  gsize size = 0;
  if (!g_file_get_contents(path, &text, &size, error)) return NULL;
  SpryLabelSet *set = spry_label_set_new_from_text(text, size);
  g_free(text);
  if (!set)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "labels file %s has no labels", path);
  return set;
}

SpryLabelSet *spry_label_set_ref(SpryLabelSet *set) {
  return set ? g_atomic_rc_box_acquire(set) : NULL;
}

static void label_set_clear(gpointer data) {
  SpryLabelSet *set = data;
  g_free(set->labels);
}

void spry_label_set_unref(SpryLabelSet *set) {
  if (set) g_atomic_rc_box_release_full(set, label_set_clear);
}

/* ---- Inference results --------------------------------------------------------- */

static gboolean describe_output(const SpryTensor *t, SpryMetaTensor *out, GError **error) {
  SpryTensorInfo info;
  if (spry_tensor_info(t, &info) != SPRY_OK || info.rank > SPRY_META_MAX_RANK) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "cannot describe output tensor: %s", spry_last_error());
    return FALSE;
  }
  out->name = g_intern_string(info.name ? info.name : "");
  out->type = info.type;
  out->rank = info.rank;
  memcpy(out->dims, info.dims, sizeof(gint) * (gsize)info.rank);
  out->scale = info.scale;
  out->zero_point = info.zero_point;
  out->size = spry_tensor_byte_size(t);
  return TRUE;
}

SpryInferResult *spry_infer_result_new(SpryInterpreter *interp, SpryLabelSet *labels,
                                       GError **error) {
  gint32 n = spry_interpreter_output_count(interp);
  if (n < 0 || n > SPRY_META_MAX_TENSORS) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "the model has %d outputs; at most %d are supported", (int)n,
                SPRY_META_MAX_TENSORS);
    return NULL;
  }
  SpryInferResult *r = g_atomic_rc_box_new0(SpryInferResult);
  r->num_tensors = (guint)n;
  r->source_pts = GST_CLOCK_TIME_NONE;
  gsize total = 0;
  for (guint i = 0; i < r->num_tensors; i++) {
    if (!describe_output(spry_interpreter_output(interp, (int32_t)i), &r->tensors[i], error)) {
      spry_infer_result_unref(r);
      return NULL;
    }
    total += r->tensors[i].size;
  }
  r->storage = g_try_malloc(total ? total : 1);
  if (!r->storage) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "out of memory (%zu bytes)",
                (size_t)total);
    spry_infer_result_unref(r);
    return NULL;
  }
  gsize offset = 0;
  for (guint i = 0; i < r->num_tensors; i++) {
    const void *src = spry_tensor_data_const(spry_interpreter_output(interp, (int32_t)i));
    if (src && r->tensors[i].size) memcpy(r->storage + offset, src, r->tensors[i].size);
    r->tensors[i].data = r->storage + offset;
    offset += r->tensors[i].size;
  }
  r->labels = spry_label_set_ref(labels);
  return r;
}

SpryInferResult *spry_infer_result_ref(SpryInferResult *result) {
  return result ? g_atomic_rc_box_acquire(result) : NULL;
}

static void infer_result_clear(gpointer data) {
  SpryInferResult *r = data;
  g_free(r->storage);
  spry_label_set_unref(r->labels);
}

void spry_infer_result_unref(SpryInferResult *result) {
  if (result) g_atomic_rc_box_release_full(result, infer_result_clear);
}

/* ---- The meta ------------------------------------------------------------------ */

GType spry_tensor_meta_api_get_type(void) {
  static GType type = 0;
  static const gchar *tags[] = {NULL}; /* survives any transformation of the frame */
  if (g_once_init_enter(&type)) {
    GType t = gst_meta_api_type_register(SPRY_TENSOR_META_API_NAME, tags);
    g_once_init_leave(&type, t);
  }
  return type;
}

static gboolean tensor_meta_init(GstMeta *meta, gpointer params, GstBuffer *buffer) {
  (void)params;
  (void)buffer;
  SpryTensorMeta *m = (SpryTensorMeta *)meta;
  m->num_tensors = 0;
  m->priv = NULL;
  m->labels = NULL;
  m->num_labels = 0;
  return TRUE;
}

static void tensor_meta_free(GstMeta *meta, GstBuffer *buffer) {
  (void)buffer;
  spry_infer_result_unref(((SpryTensorMeta *)meta)->priv);
}

static void tensor_meta_fill(SpryTensorMeta *m, SpryInferResult *r) {
  m->priv = spry_infer_result_ref(r);
  m->num_tensors = r->num_tensors;
  memcpy(m->tensors, r->tensors, sizeof m->tensors);
  m->region = r->region;
  m->frame_width = r->frame_width;
  m->frame_height = r->frame_height;
  m->source_frame = r->source_frame;
  m->source_pts = r->source_pts;
  m->inference_ms = r->inference_ms;
  m->num_labels = r->labels ? r->labels->count : 0;
  m->labels = r->labels ? r->labels->labels : NULL;
}

/* Copies keep sharing the results; scaling or cropping the frame leaves the
 * tensors as they are (regions refer to the original frame size). */
static gboolean tensor_meta_transform(GstBuffer *dest, GstMeta *meta, GstBuffer *buffer,
                                      GQuark type, gpointer data) {
  (void)buffer;
  (void)type;
  (void)data;
  SpryTensorMeta *src = (SpryTensorMeta *)meta;
  return spry_buffer_add_tensor_meta(dest, src->priv) != NULL;
}

const GstMetaInfo *spry_tensor_meta_get_info(void) {
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter(&info)) {
    const GstMetaInfo *i = gst_meta_register(
        spry_tensor_meta_api_get_type(), "SpryTensorMeta", sizeof(SpryTensorMeta),
        tensor_meta_init, tensor_meta_free, tensor_meta_transform);
    g_once_init_leave(&info, i);
  }
  return info;
}

SpryTensorMeta *spry_buffer_add_tensor_meta(GstBuffer *buffer, SpryInferResult *result) {
  g_return_val_if_fail(GST_IS_BUFFER(buffer) && result, NULL);
  SpryTensorMeta *m =
      (SpryTensorMeta *)gst_buffer_add_meta(buffer, spry_tensor_meta_get_info(), NULL);
  if (m) tensor_meta_fill(m, result);
  return m;
}
