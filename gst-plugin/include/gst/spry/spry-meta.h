/* SPDX-License-Identifier: Apache-2.0 */
/* spry-meta.h — the metas Spry's elements attach to buffers, readable by an
 * application without linking against the plugin. */
/*
 * The plugin registers each meta API under the name given here; the inline
 * getters look the API type up by that name, so an application only needs
 * this header (plus GStreamer) and a running `spry` plugin:
 *
 *   const SpryClassificationMeta *c = spry_buffer_get_classification_meta(buf);
 *   if (c && c->count > 0)
 *     g_print("%s %.3f\n", c->entries[0].label, c->entries[0].score);
 *
 * Detections are standard GstVideoRegionOfInterestMeta: roi_type is the label's
 * quark, x/y/w/h are frame pixels, and a "detection" parameter structure holds
 * "label" (string), "index" (int) and "confidence" (double).
 *
 * Events — a keyword heard, a person appearing or leaving — are
 * SpryEventMetas, attached by sprydecode task=keyword / task=presence to the
 * buffer whose result triggered them (a buffer may carry several; iterate):
 *
 *   gpointer state = NULL;
 *   const SpryEventMeta *e;
 *   while ((e = spry_buffer_iterate_event_metas(buf, &state)))
 *     g_print("%s %s %.2f at %" GST_TIME_FORMAT "\n", e->kind, e->label, e->score,
 *             GST_TIME_ARGS(e->pts));
 *
 * The same events are posted on the bus as element messages named
 * SPRY_EVENT_MESSAGE_NAME with the fields "kind" (string), "label" (string),
 * "index" (int), "score" (double) and "pts" (guint64, GST_CLOCK_TIME_NONE when
 * unknown).
 *
 * Every pointer inside a meta stays valid as long as the buffer holding the
 * meta; strings are interned (never freed).
 */
#ifndef GST_SPRY_META_H
#define GST_SPRY_META_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define SPRY_TENSOR_META_API_NAME "SpryTensorMetaAPI"
#define SPRY_CLASSIFICATION_META_API_NAME "SpryClassificationMetaAPI"
#define SPRY_SEGMENTATION_META_API_NAME "SprySegmentationMetaAPI"
#define SPRY_KEYPOINTS_META_API_NAME "SpryKeypointsMetaAPI"
#define SPRY_EVENT_META_API_NAME "SpryEventMetaAPI"

/* Name of the element messages sprydecode posts for each event. */
#define SPRY_EVENT_MESSAGE_NAME "spry-event"

/* Name of the GstVideoRegionOfInterestMeta parameter structure of detections. */
#define SPRY_DETECTION_PARAMS_NAME "detection"

#define SPRY_META_MAX_TENSORS 16
#define SPRY_META_MAX_RANK 8
#define SPRY_META_MAX_CLASSES 32
#define SPRY_META_MAX_KEYPOINTS 64

/* The rectangle of the frame, in frame pixels, that the model's input covers:
 * model-normalised coordinates (u, v) in [0, 1] map to frame pixel
 * (x + u * width, y + v * height). With letterboxing it extends beyond the
 * frame; with centre-cropping it is a part of the frame. */
typedef struct SpryMetaRegion {
  gdouble x, y, width, height;
} SpryMetaRegion;

/* One output tensor of the model, as the engine produced it. */
typedef struct SpryMetaTensor {
  const gchar *name;
  gint type;                      /* SpryType (TFLite TensorType numbering) */
  gint rank;
  gint dims[SPRY_META_MAX_RANK];
  gfloat scale;                   /* 0 when not quantized */
  gint zero_point;
  gconstpointer data;
  gsize size;                     /* bytes */
} SpryMetaTensor;

/* Attached by spryinfer: the output tensors computed from a frame. When
 * inference runs behind a live stream, these are the latest results, computed
 * from an earlier frame (source_frame / source_pts say which). */
typedef struct SpryTensorMeta {
  GstMeta meta;
  guint num_tensors;
  SpryMetaTensor tensors[SPRY_META_MAX_TENSORS];
  SpryMetaRegion region;          /* where the model input lies in the frame */
  gint frame_width, frame_height; /* size of the frame the region refers to */
  guint64 source_frame;           /* index of the frame that was inferred */
  GstClockTime source_pts;        /* its timestamp */
  gdouble inference_ms;           /* engine time for that inference */
  guint num_labels;               /* labels of the model's first output */
  const gchar *const *labels;     /* from the model metadata, or NULL */
  gpointer priv;                  /* keeps the data alive */
} SpryTensorMeta;

typedef struct SpryClassificationEntry {
  gint index;
  gfloat score;
  const gchar *label;             /* NULL when no label is known */
} SpryClassificationEntry;

/* Attached by sprydecode task=classify: the top classes, best first. */
typedef struct SpryClassificationMeta {
  GstMeta meta;
  guint count;
  SpryClassificationEntry entries[SPRY_META_MAX_CLASSES];
} SpryClassificationMeta;

/* Attached by sprydecode task=segment: one class id per mask pixel. The mask
 * covers `region` of the frame (see SpryMetaRegion). */
typedef struct SprySegmentationMeta {
  GstMeta meta;
  gint width, height;             /* mask size */
  const guint8 *classes;          /* width * height class ids, row-major */
  guint num_labels;
  const gchar *const *labels;     /* class id -> label, or NULL */
  SpryMetaRegion region;
  gpointer priv;
} SprySegmentationMeta;

typedef struct SpryMetaKeypoint {
  gfloat x, y;                    /* frame pixels */
  gfloat score;
} SpryMetaKeypoint;

/* Attached by sprydecode task=pose (and for detections with landmarks). */
typedef struct SpryKeypointsMeta {
  GstMeta meta;
  guint count;
  SpryMetaKeypoint points[SPRY_META_MAX_KEYPOINTS];
} SpryKeypointsMeta;

/* Attached by sprydecode task=keyword and task=presence, one per event. */
typedef struct SpryEventMeta {
  GstMeta meta;
  const gchar *kind;              /* "keyword", "appeared" or "left" */
  const gchar *label;             /* the class's label, "classN" when none is known */
  gint index;                     /* the model's class index */
  gdouble score;                  /* keyword: the class's average over the window;
                                   * presence: the score of the triggering result */
  GstClockTime pts;               /* timestamp of the result that triggered the event
                                   * (for spryaggregate windows: the start of the audio
                                   * the model heard); GST_CLOCK_TIME_NONE when unknown */
} SpryEventMeta;

static inline GstMeta *spry_buffer_get_meta_by_api_name_(GstBuffer *buffer, const gchar *api) {
  GType type = g_type_from_name(api);
  return type ? gst_buffer_get_meta(buffer, type) : NULL;
}

static inline const SpryTensorMeta *spry_buffer_get_tensor_meta(GstBuffer *buffer) {
  return (const SpryTensorMeta *)spry_buffer_get_meta_by_api_name_(buffer, SPRY_TENSOR_META_API_NAME);
}

static inline const SpryClassificationMeta *spry_buffer_get_classification_meta(GstBuffer *buffer) {
  return (const SpryClassificationMeta *)spry_buffer_get_meta_by_api_name_(
      buffer, SPRY_CLASSIFICATION_META_API_NAME);
}

static inline const SprySegmentationMeta *spry_buffer_get_segmentation_meta(GstBuffer *buffer) {
  return (const SprySegmentationMeta *)spry_buffer_get_meta_by_api_name_(
      buffer, SPRY_SEGMENTATION_META_API_NAME);
}

static inline const SpryKeypointsMeta *spry_buffer_get_keypoints_meta(GstBuffer *buffer) {
  return (const SpryKeypointsMeta *)spry_buffer_get_meta_by_api_name_(buffer,
                                                                      SPRY_KEYPOINTS_META_API_NAME);
}

/* The first event on the buffer, or NULL. */
static inline const SpryEventMeta *spry_buffer_get_event_meta(GstBuffer *buffer) {
  return (const SpryEventMeta *)spry_buffer_get_meta_by_api_name_(buffer, SPRY_EVENT_META_API_NAME);
}

/* Each event in turn: start with *state = NULL; NULL after the last. */
static inline const SpryEventMeta *spry_buffer_iterate_event_metas(GstBuffer *buffer,
                                                                   gpointer *state) {
  GType type = g_type_from_name(SPRY_EVENT_META_API_NAME);
  return type ? (const SpryEventMeta *)gst_buffer_iterate_meta_filtered(buffer, state, type) : NULL;
}

G_END_DECLS

#endif /* GST_SPRY_META_H */
