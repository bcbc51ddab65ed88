/* SPDX-License-Identifier: Apache-2.0 */
/* gstsprydecode.c — the sprydecode element: classifications, detections, masks, keypoints and events from output tensors. */
/**
 * SECTION:element-sprydecode
 *
 * Reads the output tensors spryinfer attached to each frame (the
 * SpryTensorMeta), or, on an `other/tensors` stream without that meta (e.g.
 * from NNStreamer's tensor_filter), the tensors in the buffer itself as its
 * caps describe them — float types as they are, integer types as raw values,
 * since such a stream carries no quantization parameters. It attaches
 * results an application, spryoverlay and sprypublish understand, and lets
 * the buffer pass unchanged:
 *
 * - task=classify: the top-k classes as a SpryClassificationMeta.
 * - task=detect: one GstVideoRegionOfInterestMeta per object, in frame
 *   pixels, labelled, with a "detection" parameter structure (label, index,
 *   confidence). Models ending in TFLite_Detection_PostProcess (4 outputs) are
 *   read directly; models with raw box regressors and scores (2 outputs) are
 *   decoded with generated SSD anchors and non-maximum suppression (the
 *   MediaPipe face detector's configuration is built in).
 * - task=segment: a class per pixel as a SprySegmentationMeta, from per-class
 *   scores (argmax), class ids, or a single-channel probability mask.
 * - task=pose: MoveNet keypoints as a SpryKeypointsMeta.
 * - task=keyword: keyword spotting (TensorFlow Lite Micro's RecognizeCommands
 *   semantics): class scores averaged over the last `average-window` ms of
 *   results, a keyword reported when the best class not in `ignore` averages
 *   at least `threshold` (default 0.8) over at least `minimum-count`
 *   results and no keyword came in the last `suppression` ms.
 * - task=presence: a `target` class (default: class 1, "person" of
 *   person_detect) "appeared" after `hold` consecutive scores >= `threshold`
 *   (default 0.7) and "left" after `hold` consecutive scores <=
 *   `off-threshold`; at the start nobody is present.
 *
 * Detect, segment and pose need the meta (its frame geometry); classify,
 * keyword and presence work on tensor streams too. Keyword and presence read
 * 8/16-bit integer scores without quantization parameters with TFLite's
 * softmax output quantization (int8: (v + 128) / 256; see decode_events.h).
 *
 * Each keyword or presence event becomes a SpryEventMeta on the buffer whose
 * result triggered it and a "spry-event" element message on the bus; its pts
 * is that result's timestamp (the meta's source_pts, else the buffer's PTS:
 * for spryaggregate windows the start of the audio the model heard). The
 * state restarts on DISCONT buffers, flushes and new streams.
 *
 * |[
 * gst-launch-1.0 ... spryinfer model=micro_speech_int8.tflite ! \
 *     sprydecode task=keyword labels=micro_speech_labels.txt ! sprypublish skip-empty=true
 * ]|
 *
 * Labels come from the `labels` file, else from the model's metadata.
 */
#include "gstsprydecode.h"

#include <string.h>

#include <gst/video/video.h>

#include "decode_input.h"
#include "postprocess.h"
#include "result_metas.h"

GST_DEBUG_CATEGORY_STATIC(spry_decode_debug);
#define GST_CAT_DEFAULT spry_decode_debug

enum {
  PROP_0,
  PROP_TASK,
  PROP_LABELS,
  PROP_TOP_K,
  PROP_THRESHOLD,
  PROP_IOU_THRESHOLD,
  PROP_MAX_DETECTIONS,
  PROP_LABEL_OFFSET,
  PROP_AVERAGE_WINDOW,
  PROP_MINIMUM_COUNT,
  PROP_SUPPRESSION,
  PROP_IGNORE,
  PROP_TARGET,
  PROP_HOLD,
  PROP_OFF_THRESHOLD,
};

#define DEFAULT_TOP_K 5
#define DEFAULT_IOU_THRESHOLD 0.3
#define DEFAULT_MAX_DETECTIONS 100
#define MAX_DETECTIONS 1000
/* Keyword spotting: TensorFlow Lite Micro's micro_speech values, except the
 * threshold: its 200 on a 0..255 scale is 0.78; 0.8 is the round number
 * next to it, a little stricter. */
#define DEFAULT_KEYWORD_THRESHOLD 0.8
#define DEFAULT_AVERAGE_WINDOW_MS 1000
#define DEFAULT_MINIMUM_COUNT 3
#define DEFAULT_SUPPRESSION_MS 1500
#define DEFAULT_IGNORE "silence,unknown"
/* Presence. */
#define DEFAULT_PRESENCE_THRESHOLD 0.7
#define DEFAULT_OFF_THRESHOLD 0.3
#define DEFAULT_HOLD 3

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE(GstSpryDecode, gst_spry_decode, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(sprydecode, "sprydecode", GST_RANK_NONE, GST_TYPE_SPRY_DECODE);

#define GST_TYPE_SPRY_TASK (gst_spry_task_get_type())
static GType gst_spry_task_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_SPRY_TASK_CLASSIFY, "Top classes of a classifier", "classify"},
      {GST_SPRY_TASK_DETECT, "Boxes of an object detector", "detect"},
      {GST_SPRY_TASK_SEGMENT, "Class per pixel of a segmentation model", "segment"},
      {GST_SPRY_TASK_POSE, "Body keypoints of a pose model (MoveNet)", "pose"},
      {GST_SPRY_TASK_KEYWORD, "Keyword events from a keyword-spotting classifier", "keyword"},
      {GST_SPRY_TASK_PRESENCE, "Appeared/left events of one class's score", "presence"},
      {0, NULL, NULL}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstSpryTask", values));
  return type;
}

/* ---- Helpers ------------------------------------------------------------------------ */

/* The label set of this frame: the labels file, else the model's own. */
static SpryEventLabels labels_of(GstSpryDecode *self, const SpryDecodeInput *in) {
  if (self->labels) return (SpryEventLabels){self->labels->count, self->labels->labels};
  return (SpryEventLabels){in->labels ? in->num_labels : 0, in->labels};
}

static const gchar *label_of(GstSpryDecode *self, const SpryDecodeInput *in, gint index) {
  SpryEventLabels l = labels_of(self, in);
  return index >= 0 && (guint)index < l.count ? l.labels[index] : NULL;
}

static const gchar *first_label(GstSpryDecode *self, const SpryDecodeInput *in) {
  return label_of(self, in, 0);
}

typedef struct FrameMap {
  SpryMetaRegion region;
  gint width, height;
} FrameMap;

static gdouble to_frame_x(const FrameMap *f, gdouble u) { return f->region.x + u * f->region.width; }
static gdouble to_frame_y(const FrameMap *f, gdouble v) { return f->region.y + v * f->region.height; }

static gboolean decode_failed(GstSpryDecode *self, const gchar *what, const SpryPostError *err) {
  GST_ELEMENT_ERROR(self, STREAM, DECODE, ("cannot decode the model output as %s: %s", what, err->message),
                    ("check that the model fits task=%s", what));
  return FALSE;
}

/* ---- Tasks ------------------------------------------------------------------------ */

static gboolean decode_classify(GstSpryDecode *self, const SpryDecodeInput *in, GstBuffer *buf,
                                gdouble threshold) {
  const SpryTensorView *scores = &in->views[0];
  SpryClassifyOptions opts;
  spry_classify_options_init(&opts);
  GST_OBJECT_LOCK(self);
  opts.top_k = (int32_t)MIN(self->top_k, (guint)SPRY_META_MAX_CLASSES);
  gint offset = MAX(0, self->label_offset);
  GST_OBJECT_UNLOCK(self);
  opts.score_threshold = (float)threshold;
  SpryClassification classes[SPRY_META_MAX_CLASSES];
  int32_t n = 0;
  SpryPostError err;
  if (spry_classify(scores, &opts, classes, SPRY_META_MAX_CLASSES, &n, &err) != SPRY_OK)
    return decode_failed(self, "classify", &err);
  SpryClassificationMeta *cm = spry_buffer_add_classification_meta(buf);
  for (int32_t i = 0; i < n; i++) {
    cm->entries[i] = (SpryClassificationEntry){classes[i].index, classes[i].score,
                                               label_of(self, in, classes[i].index + offset)};
  }
  cm->count = (guint)n;
  return TRUE;
}

static void attach_detection(GstSpryDecode *self, const SpryDecodeInput *in, GstBuffer *buf,
                             const FrameMap *f, const SpryDetection *d, gint label_offset,
                             SpryKeypointsMeta **keypoints) {
  gdouble x0 = CLAMP(to_frame_x(f, d->x), 0, f->width), y0 = CLAMP(to_frame_y(f, d->y), 0, f->height);
  gdouble x1 = CLAMP(to_frame_x(f, d->x + d->w), 0, f->width);
  gdouble y1 = CLAMP(to_frame_y(f, d->y + d->h), 0, f->height);
  if (x1 <= x0 || y1 <= y0) return;
  const gchar *label = label_of(self, in, d->index + label_offset);
  gchar fallback[32];
  if (!label) {
    g_snprintf(fallback, sizeof fallback, "class%d", d->index);
    label = fallback;
  }
  GstVideoRegionOfInterestMeta *roi = gst_buffer_add_video_region_of_interest_meta(
      buf, label, (guint)(x0 + 0.5), (guint)(y0 + 0.5), (guint)(x1 - x0 + 0.5), (guint)(y1 - y0 + 0.5));
  gst_video_region_of_interest_meta_add_param(
      roi, gst_structure_new(SPRY_DETECTION_PARAMS_NAME, "label", G_TYPE_STRING, label, "index",
                             G_TYPE_INT, d->index, "confidence", G_TYPE_DOUBLE,
                             (gdouble)d->score, NULL));
  for (int32_t k = 0; k < d->num_keypoints; k++) {
    if (!*keypoints) *keypoints = spry_buffer_add_keypoints_meta(buf);
    if ((*keypoints)->count >= SPRY_META_MAX_KEYPOINTS) break;
    (*keypoints)->points[(*keypoints)->count++] = (SpryMetaKeypoint){
        (gfloat)to_frame_x(f, d->keypoints[2 * k]), (gfloat)to_frame_y(f, d->keypoints[2 * k + 1]),
        d->score};
  }
}

/* The anchors (the built-in face detector's) depend only on the
 * configuration: generated once per stream. */
static gboolean make_anchors(GstSpryDecode *self, SpryPostError *err) {
  SpryAnchorOptions options;
  spry_anchor_options_face_short_range(&options);
  int32_t count = 0;
  if (spry_anchors_count(&options, &count, err) != SPRY_OK) return FALSE;
  SpryAnchor *anchors = g_new(SpryAnchor, count);
  if (spry_anchors_generate(&options, anchors, count, &count, err) != SPRY_OK) {
    g_free(anchors);
    return FALSE;
  }
  self->anchors = anchors;
  self->num_anchors = count;
  return TRUE;
}

/* SSD post-processed outputs (4 tensors) or raw regressors + scores (2). */
static gboolean run_detector(GstSpryDecode *self, const SpryDecodeInput *in, gdouble threshold,
                             SpryDetection *dets, int32_t capacity, int32_t *n, gboolean *ssd) {
  const SpryTensorMeta *m = in->meta;
  const SpryTensorView *views = in->views;
  SpryPostError err;
  *ssd = m->num_tensors == 4;
  if (*ssd) {
    SprySsdOutputs which;
    SprySsdOptions opts;
    spry_ssd_options_init(&opts);
    opts.score_threshold = (float)threshold;
    if (spry_ssd_identify(views, 4, &which, &err) != SPRY_OK ||
        spry_detect_ssd(&views[which.boxes], &views[which.classes], &views[which.scores],
                        &views[which.count], &opts, dets, capacity, n, &err) != SPRY_OK)
      return decode_failed(self, "detect", &err);
    return TRUE;
  }
  if (m->num_tensors != 2) {
    g_snprintf(err.message, sizeof err.message,
             "detection models have 4 outputs (TFLite_Detection_PostProcess) or 2 (boxes and "
             "scores); this one has %u", m->num_tensors);
    return decode_failed(self, "detect", &err);
  }
  /* Raw outputs: the regressors are the tensor with more values per anchor. */
  gboolean first_is_boxes = m->tensors[0].rank == 3 && m->tensors[1].rank == 3 &&
                            m->tensors[0].dims[2] >= m->tensors[1].dims[2];
  const SpryTensorView *boxes = &views[first_is_boxes ? 0 : 1], *scores = &views[first_is_boxes ? 1 : 0];
  SpryRawDetectOptions opts;
  spry_raw_detect_options_face_short_range(&opts);
  opts.min_score_thresh = (float)threshold;
  GST_OBJECT_LOCK(self);
  opts.nms.iou_threshold = (float)self->iou_threshold;
  opts.nms.max_detections = (int32_t)MIN(self->max_detections, (guint)capacity);
  GST_OBJECT_UNLOCK(self);
  if (!self->anchors && !make_anchors(self, &err)) return decode_failed(self, "detect", &err);
  if (spry_detect_raw(boxes, scores, self->anchors, self->num_anchors, &opts, dets, capacity, n,
                      &err) != SPRY_OK)
    return decode_failed(self, "detect", &err);
  return TRUE;
}

static gboolean decode_detect(GstSpryDecode *self, const SpryDecodeInput *in, GstBuffer *buf,
                              const FrameMap *f, gdouble threshold) {
  if (!self->detections) self->detections = g_new(SpryDetection, MAX_DETECTIONS);
  SpryDetection *dets = self->detections;
  int32_t n = 0;
  gboolean ssd = FALSE;
  gboolean ok = run_detector(self, in, threshold, dets, MAX_DETECTIONS, &n, &ssd);
  if (ok) {
    GST_OBJECT_LOCK(self);
    gint offset = self->label_offset;
    guint max = self->max_detections;
    GST_OBJECT_UNLOCK(self);
    if (offset < 0) { /* SSD label maps start with a placeholder: class 0 is line 1 */
      const gchar *first = first_label(self, in);
      offset = ssd && first && (!strcmp(first, "???") || !strcmp(first, "background")) ? 1 : 0;
    }
    SpryKeypointsMeta *keypoints = NULL;
    for (int32_t i = 0; i < n && (guint)i < max; i++)
      attach_detection(self, in, buf, f, &dets[i], offset, &keypoints);
  }
  return ok;
}

static gboolean decode_segment(GstSpryDecode *self, const SpryDecodeInput *in, GstBuffer *buf,
                               gdouble threshold) {
  const SpryTensorMeta *m = in->meta;
  SpryTensorView out = in->views[0];
  SprySegmentOptions opts;
  spry_segment_options_init(&opts);
  opts.mask_threshold = (float)threshold;
  SprySegmentation seg = {0};
  gsize pixels = out.info.rank >= 3 ? (gsize)MAX(0, out.info.dims[1]) * (gsize)MAX(0, out.info.dims[2]) : 0;
  seg.class_map = g_malloc(MAX(pixels, 1));
  seg.capacity = pixels;
  SpryPostError err;
  if (spry_segment(&out, &opts, &seg, &err) != SPRY_OK) {
    g_free(seg.class_map);
    return decode_failed(self, "segment", &err);
  }
  SpryLabelSet *labels = self->labels ? self->labels : ((SpryInferResult *)m->priv)->labels;
  spry_buffer_add_segmentation_meta(buf, seg.width, seg.height, seg.class_map, labels, &m->region);
  return TRUE;
}

static gboolean decode_pose(GstSpryDecode *self, const SpryDecodeInput *in, GstBuffer *buf,
                            const FrameMap *f) {
  const SpryTensorView out = in->views[0];
  SpryKeypoint points[SPRY_MOVENET_KEYPOINTS];
  int32_t n = 0;
  SpryPostError err;
  if (spry_pose_movenet(&out, points, SPRY_MOVENET_KEYPOINTS, &n, &err) != SPRY_OK)
    return decode_failed(self, "pose", &err);
  SpryKeypointsMeta *km = spry_buffer_add_keypoints_meta(buf);
  for (int32_t i = 0; i < n && i < SPRY_META_MAX_KEYPOINTS; i++)
    km->points[km->count++] = (SpryMetaKeypoint){(gfloat)to_frame_x(f, points[i].x),
                                                 (gfloat)to_frame_y(f, points[i].y), points[i].score};
  return TRUE;
}

/* A snapshot of the properties; the strings are copies (g_free them), as
 * nothing stops an application from setting them while streaming. */
static SpryEventSettings event_settings(GstSpryDecode *self, GstSpryTask task) {
  GST_OBJECT_LOCK(self);
  SpryEventSettings st = {self->threshold, self->off_threshold, self->average_window_ms,
                          self->suppression_ms, self->minimum_count, self->hold,
                          g_strdup(self->ignore), g_strdup(self->target)};
  GST_OBJECT_UNLOCK(self);
  if (st.threshold < 0)
    st.threshold = task == GST_SPRY_TASK_KEYWORD ? DEFAULT_KEYWORD_THRESHOLD
                                                 : DEFAULT_PRESENCE_THRESHOLD;
  return st;
}

static gboolean decode_events(GstSpryDecode *self, GstSpryTask task, const SpryDecodeInput *in,
                              GstBuffer *buf) {
  SpryEventSettings st = event_settings(self, task);
  SpryEventLabels labels = labels_of(self, in);
  GstElement *e = GST_ELEMENT(self);
  gboolean ok = task == GST_SPRY_TASK_KEYWORD
                    ? spry_decode_keyword(e, &self->events, &st, &labels, in, buf)
                    : spry_decode_presence(e, &self->events, &st, &labels, in, buf);
  g_free((gchar *)st.ignore);
  g_free((gchar *)st.target);
  return ok;
}

/* Frame geometry exists only with spryinfer's meta on video frames: TRUE
 * (after posting an error) when the task needs it and it is missing. */
static gboolean lacks_meta(GstSpryDecode *self, GstSpryTask task, const SpryDecodeInput *in) {
  if (in->meta || task == GST_SPRY_TASK_CLASSIFY || task == GST_SPRY_TASK_KEYWORD ||
      task == GST_SPRY_TASK_PRESENCE)
    return FALSE;
  GST_ELEMENT_ERROR(self, STREAM, DECODE,
                    ("task=detect, segment and pose need spryinfer's tensor meta (the frame the "
                     "results refer to); this tensor stream has none"),
                    ("use task=classify, keyword or presence on plain tensor streams"));
  return TRUE;
}

static gboolean decode_input(GstSpryDecode *self, GstSpryTask task, const SpryDecodeInput *in,
                             GstBuffer *buf, gdouble threshold) {
  if (lacks_meta(self, task, in)) return FALSE;
  if (in->num_tensors == 0) return TRUE;
  const SpryTensorMeta *m = in->meta;
  FrameMap f = {m ? m->region : (SpryMetaRegion){0, 0, 1, 1}, m ? m->frame_width : 1,
                m ? m->frame_height : 1};
  switch (task) {
  case GST_SPRY_TASK_CLASSIFY: return decode_classify(self, in, buf, threshold);
  case GST_SPRY_TASK_DETECT: return decode_detect(self, in, buf, &f, threshold);
  case GST_SPRY_TASK_SEGMENT: return decode_segment(self, in, buf, threshold);
  case GST_SPRY_TASK_POSE: return decode_pose(self, in, buf, &f);
  case GST_SPRY_TASK_KEYWORD:
  case GST_SPRY_TASK_PRESENCE: return decode_events(self, task, in, buf);
  }
  return TRUE;
}

/* The meta when spryinfer attached one, else the buffer's own tensors on a
 * tensor stream; FALSE (nothing to decode) otherwise. */
static gboolean open_input(GstSpryDecode *self, GstBuffer *buf, SpryDecodeInput *in,
                           GstFlowReturn *flow) {
  const SpryTensorMeta *m = spry_buffer_get_tensor_meta(buf);
  *flow = GST_FLOW_OK;
  if (m && m->num_tensors > 0) {
    spry_decode_input_from_meta(m, in);
    return TRUE;
  }
  if (!self->have_tensors) return FALSE; /* video before the first inference */
  GError *error = NULL;
  if (spry_decode_input_from_buffer(&self->tensors_info, buf, in, &error)) return TRUE;
  GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("cannot read the tensors: %s", error->message),
                    ("the buffer does not match its other/tensors caps"));
  g_error_free(error);
  *flow = GST_FLOW_ERROR;
  return FALSE;
}

static GstFlowReturn gst_spry_decode_transform_ip(GstBaseTransform *trans, GstBuffer *buf) {
  GstSpryDecode *self = GST_SPRY_DECODE(trans);
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT)) spry_event_state_reset(&self->events);
  SpryDecodeInput in;
  GstFlowReturn flow;
  if (!open_input(self, buf, &in, &flow)) return flow;
  GST_OBJECT_LOCK(self);
  GstSpryTask task = self->task;
  gdouble threshold = self->threshold;
  GST_OBJECT_UNLOCK(self);
  if (threshold < 0) threshold = task == GST_SPRY_TASK_CLASSIFY ? 0.0 : 0.5;
  gboolean ok = decode_input(self, task, &in, buf, threshold);
  spry_decode_input_clear(&in);
  return ok ? GST_FLOW_OK : GST_FLOW_ERROR;
}

static gboolean gst_spry_decode_set_caps(GstBaseTransform *trans, GstCaps *incaps,
                                         GstCaps *outcaps) {
  (void)outcaps;
  GstSpryDecode *self = GST_SPRY_DECODE(trans);
  GstStructure *s = gst_caps_get_structure(incaps, 0);
  self->have_tensors = gst_structure_has_name(s, SPRY_TENSORS_MEDIA_TYPE);
  if (!self->have_tensors) return TRUE;
  GError *error = NULL;
  if (spry_tensors_info_from_caps(incaps, &self->tensors_info, &error)) return TRUE;
  GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->message),
                    ("sprydecode reads static other/tensors streams"));
  g_error_free(error);
  self->have_tensors = FALSE;
  return FALSE;
}

/* Keyword and presence state belongs to one continuous stream. */
static gboolean gst_spry_decode_sink_event(GstBaseTransform *trans, GstEvent *event) {
  GstSpryDecode *self = GST_SPRY_DECODE(trans);
  if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP || GST_EVENT_TYPE(event) == GST_EVENT_STREAM_START)
    spry_event_state_reset(&self->events);
  return GST_BASE_TRANSFORM_CLASS(gst_spry_decode_parent_class)->sink_event(trans, event);
}

/* ---- Life cycle and properties --------------------------------------------------------- */

static gboolean gst_spry_decode_start(GstBaseTransform *trans) {
  GstSpryDecode *self = GST_SPRY_DECODE(trans);
  GST_OBJECT_LOCK(self);
  gchar *path = g_strdup(self->labels_path);
  GST_OBJECT_UNLOCK(self);
  if (!path || !*path) {
    g_free(path);
    return TRUE;
  }
  GError *error = NULL;
  self->labels = spry_label_set_new_from_file(path, &error);
  g_free(path);
  if (!self->labels) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("cannot read labels: %s", error->message), (NULL));
    g_error_free(error);
    return FALSE;
  }
  return TRUE;
}

static gboolean gst_spry_decode_stop(GstBaseTransform *trans) {
  GstSpryDecode *self = GST_SPRY_DECODE(trans);
  spry_label_set_unref(self->labels);
  self->labels = NULL;
  g_clear_pointer(&self->detections, g_free);
  g_clear_pointer(&self->anchors, g_free);
  self->num_anchors = 0;
  spry_event_state_clear(&self->events);
  self->have_tensors = FALSE;
  return TRUE;
}

static void gst_spry_decode_set_property(GObject *object, guint id, const GValue *value,
                                         GParamSpec *pspec) {
  GstSpryDecode *self = GST_SPRY_DECODE(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_TASK: self->task = g_value_get_enum(value); break;
  case PROP_LABELS:
    g_free(self->labels_path);
    self->labels_path = g_value_dup_string(value);
    break;
  case PROP_TOP_K: self->top_k = g_value_get_uint(value); break;
  case PROP_THRESHOLD: self->threshold = g_value_get_double(value); break;
  case PROP_IOU_THRESHOLD: self->iou_threshold = g_value_get_double(value); break;
  case PROP_MAX_DETECTIONS: self->max_detections = g_value_get_uint(value); break;
  case PROP_LABEL_OFFSET: self->label_offset = g_value_get_int(value); break;
  case PROP_AVERAGE_WINDOW: self->average_window_ms = g_value_get_uint(value); break;
  case PROP_MINIMUM_COUNT: self->minimum_count = g_value_get_uint(value); break;
  case PROP_SUPPRESSION: self->suppression_ms = g_value_get_uint(value); break;
  case PROP_IGNORE:
    g_free(self->ignore);
    self->ignore = g_value_dup_string(value);
    break;
  case PROP_TARGET:
    g_free(self->target);
    self->target = g_value_dup_string(value);
    break;
  case PROP_HOLD: self->hold = g_value_get_uint(value); break;
  case PROP_OFF_THRESHOLD: self->off_threshold = g_value_get_double(value); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_decode_get_property(GObject *object, guint id, GValue *value,
                                         GParamSpec *pspec) {
  GstSpryDecode *self = GST_SPRY_DECODE(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_TASK: g_value_set_enum(value, self->task); break;
  case PROP_LABELS: g_value_set_string(value, self->labels_path); break;
  case PROP_TOP_K: g_value_set_uint(value, self->top_k); break;
  case PROP_THRESHOLD: g_value_set_double(value, self->threshold); break;
  case PROP_IOU_THRESHOLD: g_value_set_double(value, self->iou_threshold); break;
  case PROP_MAX_DETECTIONS: g_value_set_uint(value, self->max_detections); break;
  case PROP_LABEL_OFFSET: g_value_set_int(value, self->label_offset); break;
  case PROP_AVERAGE_WINDOW: g_value_set_uint(value, self->average_window_ms); break;
  case PROP_MINIMUM_COUNT: g_value_set_uint(value, self->minimum_count); break;
  case PROP_SUPPRESSION: g_value_set_uint(value, self->suppression_ms); break;
  case PROP_IGNORE: g_value_set_string(value, self->ignore); break;
  case PROP_TARGET: g_value_set_string(value, self->target); break;
  case PROP_HOLD: g_value_set_uint(value, self->hold); break;
  case PROP_OFF_THRESHOLD: g_value_set_double(value, self->off_threshold); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_decode_finalize(GObject *object) {
  GstSpryDecode *self = GST_SPRY_DECODE(object);
  g_free(self->labels_path);
  g_free(self->ignore);
  g_free(self->target);
  G_OBJECT_CLASS(gst_spry_decode_parent_class)->finalize(object);
}

/* task=keyword and task=presence. */
static void install_event_properties(GObjectClass *gobject_class) {
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  const GParamFlags live = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
  g_object_class_install_property(gobject_class, PROP_AVERAGE_WINDOW,
      g_param_spec_uint("average-window", "Average window",
                        "task=keyword: scores are averaged over the results of the last this "
                        "many milliseconds (by timestamp)", 0, 3600000,
                        DEFAULT_AVERAGE_WINDOW_MS, live));
  g_object_class_install_property(gobject_class, PROP_MINIMUM_COUNT,
      g_param_spec_uint("minimum-count", "Minimum count",
                        "task=keyword: results the window must hold before a keyword is reported",
                        1, SPRY_KEYWORD_MAX_RESULTS, DEFAULT_MINIMUM_COUNT, live));
  g_object_class_install_property(gobject_class, PROP_SUPPRESSION,
      g_param_spec_uint("suppression", "Suppression",
                        "task=keyword: milliseconds after a keyword during which no other is "
                        "reported", 0, 3600000, DEFAULT_SUPPRESSION_MS, live));
  g_object_class_install_property(gobject_class, PROP_IGNORE,
      g_param_spec_string("ignore", "Ignore",
                          "task=keyword: comma-separated labels (any case) or class indices never "
                          "reported; labels starting with '_' are always ignored",
                          DEFAULT_IGNORE, rw));
  g_object_class_install_property(gobject_class, PROP_TARGET,
      g_param_spec_string("target", "Target",
                          "task=presence: the class followed, a label or a class index (default: "
                          "class 1, \"person\" of person_detect)", NULL, rw));
  g_object_class_install_property(gobject_class, PROP_HOLD,
      g_param_spec_uint("hold", "Hold",
                        "task=presence: consecutive results needed to appear or leave", 1, 1000,
                        DEFAULT_HOLD, live));
  g_object_class_install_property(gobject_class, PROP_OFF_THRESHOLD,
      g_param_spec_double("off-threshold", "Off threshold",
                          "task=presence: the target has left after `hold` scores at or below "
                          "this", 0, 1, DEFAULT_OFF_THRESHOLD, live));
}

static void gst_spry_decode_class_init(GstSpryDecodeClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = gst_spry_decode_set_property;
  gobject_class->get_property = gst_spry_decode_get_property;
  gobject_class->finalize = gst_spry_decode_finalize;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  const GParamFlags live = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
  g_object_class_install_property(gobject_class, PROP_TASK,
      g_param_spec_enum("task", "Task", "What the model's outputs mean", GST_TYPE_SPRY_TASK,
                        GST_SPRY_TASK_CLASSIFY, rw));
  g_object_class_install_property(gobject_class, PROP_LABELS,
      g_param_spec_string("labels", "Labels",
                          "Labels file, one per line, line i naming class i (default: the labels "
                          "in the model's metadata)", NULL, rw));
  g_object_class_install_property(gobject_class, PROP_TOP_K,
      g_param_spec_uint("top-k", "Top k", "Classes reported by task=classify", 1,
                        SPRY_META_MAX_CLASSES, DEFAULT_TOP_K, live));
  g_object_class_install_property(gobject_class, PROP_THRESHOLD,
      g_param_spec_double("threshold", "Threshold",
                          "Minimum score of a reported class or detection, the mask threshold "
                          "of single-channel segmentation, the average a keyword needs, or the "
                          "score at which a presence target appears (-1: 0 for classify, 0.8 "
                          "for keyword, 0.7 for presence, 0.5 otherwise)",
                          -1, 1, -1, live));
  g_object_class_install_property(gobject_class, PROP_IOU_THRESHOLD,
      g_param_spec_double("iou-threshold", "IoU threshold",
                          "Overlap above which non-maximum suppression merges raw detections", 0, 1,
                          DEFAULT_IOU_THRESHOLD, live));
  g_object_class_install_property(gobject_class, PROP_MAX_DETECTIONS,
      g_param_spec_uint("max-detections", "Max detections", "Detections reported per frame", 1,
                        MAX_DETECTIONS, DEFAULT_MAX_DETECTIONS, live));
  g_object_class_install_property(gobject_class, PROP_LABEL_OFFSET,
      g_param_spec_int("label-offset", "Label offset",
                       "Added to a class index to find its label line (-1: automatic, 1 for SSD "
                       "label maps starting with ??? or background)", -1, 1000, -1, rw));
  install_event_properties(gobject_class);

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Spry result decoder", "Filter/Analyzer",
      "Turns output tensors into classifications, detections, masks, keypoints, keyword and "
      "presence events",
      "Spry developers");
  trans_class->start = GST_DEBUG_FUNCPTR(gst_spry_decode_start);
  trans_class->stop = GST_DEBUG_FUNCPTR(gst_spry_decode_stop);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR(gst_spry_decode_transform_ip);
  trans_class->set_caps = GST_DEBUG_FUNCPTR(gst_spry_decode_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(gst_spry_decode_sink_event);
  gst_type_mark_as_plugin_api(GST_TYPE_SPRY_TASK, 0);
  GST_DEBUG_CATEGORY_INIT(spry_decode_debug, "sprydecode", 0, "Spry result decoder");
  spry_decode_events_init_debug();
}

static void gst_spry_decode_init(GstSpryDecode *self) {
  self->task = GST_SPRY_TASK_CLASSIFY;
  self->top_k = DEFAULT_TOP_K;
  self->threshold = -1;
  self->iou_threshold = DEFAULT_IOU_THRESHOLD;
  self->max_detections = DEFAULT_MAX_DETECTIONS;
  self->label_offset = -1;
  self->average_window_ms = DEFAULT_AVERAGE_WINDOW_MS;
  self->minimum_count = DEFAULT_MINIMUM_COUNT;
  self->suppression_ms = DEFAULT_SUPPRESSION_MS;
  self->ignore = g_strdup(DEFAULT_IGNORE);
  self->hold = DEFAULT_HOLD;
  self->off_threshold = DEFAULT_OFF_THRESHOLD;
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}
