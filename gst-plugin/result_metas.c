/* SPDX-License-Identifier: Apache-2.0 */
/* result_metas.c — the classification, segmentation, keypoint and event metas (see gst/spry/spry-meta.h). */
#include "result_metas.h"

#include <string.h>

static GType register_api(GType *once, const gchar *name) {
  static const gchar *tags[] = {NULL}; /* results stay true whatever is done to the pixels */
  if (g_once_init_enter(once)) {
    GType t = gst_meta_api_type_register(name, tags);
    g_once_init_leave(once, t);
  }
  return *once;
}

GType spry_classification_meta_api_get_type(void) {
  static GType type = 0;
  return register_api(&type, SPRY_CLASSIFICATION_META_API_NAME);
}

GType spry_segmentation_meta_api_get_type(void) {
  static GType type = 0;
  return register_api(&type, SPRY_SEGMENTATION_META_API_NAME);
}

GType spry_keypoints_meta_api_get_type(void) {
  static GType type = 0;
  return register_api(&type, SPRY_KEYPOINTS_META_API_NAME);
}

GType spry_event_meta_api_get_type(void) {
  static GType type = 0;
  return register_api(&type, SPRY_EVENT_META_API_NAME);
}

/* ---- Plain-data metas: classification, keypoints and events ----------------------- */

/* Zeroes everything after the GstMeta header. */
static gboolean plain_meta_init(GstMeta *meta, gpointer params, GstBuffer *buffer) {
  (void)params;
  (void)buffer;
  memset((guint8 *)meta + sizeof(GstMeta), 0, meta->info->size - sizeof(GstMeta));
  return TRUE;
}

static gboolean plain_meta_transform(GstBuffer *dest, GstMeta *meta, GstBuffer *buffer,
                                     GQuark type, gpointer data) {
  (void)buffer;
  (void)type;
  (void)data;
  GstMeta *copy = gst_buffer_add_meta(dest, meta->info, NULL);
  if (!copy) return FALSE;
  memcpy((guint8 *)copy + sizeof(GstMeta), (const guint8 *)meta + sizeof(GstMeta),
         meta->info->size - sizeof(GstMeta));
  return TRUE;
}

static const GstMetaInfo *register_plain(const GstMetaInfo **once, GType api, const gchar *name,
                                         gsize size) {
  if (g_once_init_enter(once)) {
    const GstMetaInfo *i =
        gst_meta_register(api, name, size, plain_meta_init, NULL, plain_meta_transform);
    g_once_init_leave(once, i);
  }
  return *once;
}

SpryClassificationMeta *spry_buffer_add_classification_meta(GstBuffer *buffer) {
  static const GstMetaInfo *info = NULL;
  register_plain(&info, spry_classification_meta_api_get_type(), "SpryClassificationMeta",
                 sizeof(SpryClassificationMeta));
  return (SpryClassificationMeta *)gst_buffer_add_meta(buffer, info, NULL);
}

SpryKeypointsMeta *spry_buffer_add_keypoints_meta(GstBuffer *buffer) {
  static const GstMetaInfo *info = NULL;
  register_plain(&info, spry_keypoints_meta_api_get_type(), "SpryKeypointsMeta",
                 sizeof(SpryKeypointsMeta));
  return (SpryKeypointsMeta *)gst_buffer_add_meta(buffer, info, NULL);
}

/* Strings are interned, so a plain copy of the meta is a full copy. */
SpryEventMeta *spry_buffer_add_event_meta(GstBuffer *buffer, const gchar *kind,
                                          const gchar *label, gint index, gdouble score,
                                          GstClockTime pts) {
  static const GstMetaInfo *info = NULL;
  register_plain(&info, spry_event_meta_api_get_type(), "SpryEventMeta", sizeof(SpryEventMeta));
  SpryEventMeta *m = (SpryEventMeta *)gst_buffer_add_meta(buffer, info, NULL);
  if (!m) return NULL;
  m->kind = g_intern_string(kind);
  m->label = g_intern_string(label);
  m->index = index;
  m->score = score;
  m->pts = pts;
  return m;
}

/* ---- Segmentation: the class map is shared between copies ------------------------ */

typedef struct SegmentationData {
  guint8 *classes;
  SpryLabelSet *labels;
} SegmentationData;

static void segmentation_data_clear(gpointer p) {
  SegmentationData *d = p;
  g_free(d->classes);
  spry_label_set_unref(d->labels);
}

static void segmentation_meta_free(GstMeta *meta, GstBuffer *buffer) {
  (void)buffer;
  SprySegmentationMeta *m = (SprySegmentationMeta *)meta;
  if (m->priv) g_atomic_rc_box_release_full(m->priv, segmentation_data_clear);
}

static gboolean segmentation_meta_transform(GstBuffer *dest, GstMeta *meta, GstBuffer *buffer,
                                            GQuark type, gpointer data);

static const GstMetaInfo *segmentation_meta_info(void) {
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter(&info)) {
    const GstMetaInfo *i = gst_meta_register(
        spry_segmentation_meta_api_get_type(), "SprySegmentationMeta",
        sizeof(SprySegmentationMeta), plain_meta_init, segmentation_meta_free,
        segmentation_meta_transform);
    g_once_init_leave(&info, i);
  }
  return info;
}

static SprySegmentationMeta *add_segmentation(GstBuffer *buffer, const SprySegmentationMeta *from,
                                              SegmentationData *shared) {
  SprySegmentationMeta *m =
      (SprySegmentationMeta *)gst_buffer_add_meta(buffer, segmentation_meta_info(), NULL);
  if (!m) return NULL;
  m->width = from->width;
  m->height = from->height;
  m->region = from->region;
  m->priv = g_atomic_rc_box_acquire(shared);
  m->classes = shared->classes;
  m->labels = shared->labels ? shared->labels->labels : NULL;
  m->num_labels = shared->labels ? shared->labels->count : 0;
  return m;
}

static gboolean segmentation_meta_transform(GstBuffer *dest, GstMeta *meta, GstBuffer *buffer,
                                            GQuark type, gpointer data) {
  (void)buffer;
  (void)type;
  (void)data;
  SprySegmentationMeta *src = (SprySegmentationMeta *)meta;
  return add_segmentation(dest, src, src->priv) != NULL;
}

SprySegmentationMeta *spry_buffer_add_segmentation_meta(GstBuffer *buffer, gint width, gint height,
                                                         guint8 *classes, SpryLabelSet *labels,
                                                         const SpryMetaRegion *region) {
  SegmentationData *shared = g_atomic_rc_box_new0(SegmentationData);
  shared->classes = classes;
  shared->labels = spry_label_set_ref(labels);
  SprySegmentationMeta shape = {.width = width, .height = height, .region = *region};
  SprySegmentationMeta *m = add_segmentation(buffer, &shape, shared);
  g_atomic_rc_box_release_full(shared, segmentation_data_clear); /* the meta holds it now */
  return m;
}
