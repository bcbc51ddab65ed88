/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryinfer.c — the spryinfer element: runs the model on each video frame (outputs attached as a SpryTensorMeta) or on each tensor buffer (outputs as other/tensors). */
/**
 * SECTION:element-spryinfer
 *
 * Runs a TensorFlow Lite model on video frames. The video passes through
 * unchanged; each frame leaves with a #SpryTensorMeta holding the model's
 * output tensors (read them with sprydecode, or in an application with
 * gst/spry/spry-meta.h).
 *
 * Any of the usual raw formats (RGB, BGR, RGBx, BGRx, RGBA, BGRA, GRAY8,
 * I420, NV12, YUY2, ...) at any size is converted straight into the model
 * input: colour conversion and scaling in one pass (`scaling`), then
 * normalisation (`mean`, `std`) and quantization to the input type.
 *
 * On a live source (or with async=on) inference runs on a thread of its own:
 * frames are never held back by a slow model; each carries the latest result,
 * computed from an earlier frame.
 *
 * Outputs must have fixed shapes: a model with an output whose shape depends
 * on the data (WHERE's coordinates, or anything computed from them) is
 * refused when the element starts.
 *
 * |[
 * gst-launch-1.0 filesrc location=photo.bmp ! decodebin ! videoconvert ! imagefreeze num-buffers=1 ! \
 *     spryinfer model=mobilenet_v2_1.0_224_quant.tflite ! sprydecode task=classify ! \
 *     sprypublish location=out.jsonl
 * ]|
 *
 * Tensor mode: on `other/tensors` input (static format, one tensor per model
 * input with the input's type and shape, dimensions of size 1 aside) each
 * buffer is inferred on the streaming thread and leaves as `other/tensors`
 * holding the model's outputs, one memory per output, with the input's
 * timestamps and flags and a #SpryTensorMeta (quantization, labels). Every
 * buffer is inferred: `async` and `interval` apply to video only. Model state
 * (variable tensors) carries from buffer to buffer and is reset on a DISCONT
 * buffer, after a flush and when the element restarts (docs/tensor-caps.md).
 *
 * |[
 * gst-launch-1.0 audiotestsrc ! audio/x-raw,format=S16LE,rate=16000,channels=1 ! \
 *     spryconvert frame-size=480 hop=320 ! spryinfer model=audio_preprocessor_int8.tflite ! \
 *     spryaggregate frames=49 ! fakesink
 * ]|
 */
#include "gstspryinfer.h"

#include <stdlib.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(spry_infer_debug);
#define GST_CAT_DEFAULT spry_infer_debug

enum {
  PROP_0,
  PROP_MODEL,
  PROP_THREADS,
  PROP_INTERVAL,
  PROP_SCALING,
  PROP_MEAN,
  PROP_STD,
  PROP_ASYNC,
};

#define DEFAULT_THREADS 1
#define DEFAULT_INTERVAL 1
#define DEFAULT_SCALING SPRY_SCALE_STRETCH
#define DEFAULT_ASYNC GST_SPRY_INFER_ASYNC_AUTO

#define VIDEO_FORMATS                                                                            \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, GRAY8, I420, YV12, NV12, NV21, " \
  "YUY2, UYVY }"

#define TENSOR_CAPS                                                       \
  "other/tensors, format=(string)static, num_tensors=(int)[ 1, 16 ], " \
  "framerate=(fraction)[ 0/1, max ]"

static GstStaticCaps video_caps = GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS));
static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                            GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS) "; " TENSOR_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS,
                            GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(VIDEO_FORMATS) "; " TENSOR_CAPS));

G_DEFINE_TYPE(GstSpryInfer, gst_spry_infer, GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE(spryinfer, "spryinfer", GST_RANK_NONE, GST_TYPE_SPRY_INFER);

#define GST_TYPE_SPRY_SCALING (gst_spry_scaling_get_type())
static GType gst_spry_scaling_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {SPRY_SCALE_STRETCH, "Scale the whole frame to the input (aspect ratio changes)", "stretch"},
      {SPRY_SCALE_LETTERBOX, "Scale the whole frame keeping its aspect ratio, black borders",
       "letterbox"},
      {SPRY_SCALE_CROP, "Scale the centre of the frame, cut to the input's aspect ratio", "crop"},
      {0, NULL, NULL}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, g_enum_register_static("GstSpryScaling", values));
  return type;
}

#define GST_TYPE_SPRY_INFER_ASYNC (gst_spry_infer_async_get_type())
static GType gst_spry_infer_async_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_SPRY_INFER_ASYNC_AUTO, "On for live sources, off otherwise", "auto"},
      {GST_SPRY_INFER_ASYNC_OFF, "Infer every selected frame before passing it on", "off"},
      {GST_SPRY_INFER_ASYNC_ON, "Infer on a separate thread; never hold frames back", "on"},
      {0, NULL, NULL}};
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("GstSpryInferAsync", values));
  return type;
}

/* ---- Properties ----------------------------------------------------------------- */

static void gst_spry_infer_set_property(GObject *object, guint id, const GValue *value,
                                        GParamSpec *pspec) {
  GstSpryInfer *self = GST_SPRY_INFER(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_MODEL:
    g_free(self->model_path);
    self->model_path = g_value_dup_string(value);
    break;
  case PROP_THREADS: self->threads = g_value_get_int(value); break;
  case PROP_INTERVAL: self->interval = g_value_get_uint(value); break;
  case PROP_SCALING: self->scaling = g_value_get_enum(value); break;
  case PROP_MEAN:
    g_free(self->mean);
    self->mean = g_value_dup_string(value);
    break;
  case PROP_STD:
    g_free(self->std);
    self->std = g_value_dup_string(value);
    break;
  case PROP_ASYNC: self->async_mode = g_value_get_enum(value); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_infer_get_property(GObject *object, guint id, GValue *value,
                                        GParamSpec *pspec) {
  GstSpryInfer *self = GST_SPRY_INFER(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_MODEL: g_value_set_string(value, self->model_path); break;
  case PROP_THREADS: g_value_set_int(value, self->threads); break;
  case PROP_INTERVAL: g_value_set_uint(value, self->interval); break;
  case PROP_SCALING: g_value_set_enum(value, self->scaling); break;
  case PROP_MEAN: g_value_set_string(value, self->mean); break;
  case PROP_STD: g_value_set_string(value, self->std); break;
  case PROP_ASYNC: g_value_set_enum(value, self->async_mode); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

/* Parses "v" or "v1,v2,v3" into three values; NULL/empty leaves them. */
static gboolean parse_triple(const gchar *text, const gchar *name, gfloat out[3], GError **error) {
  if (!text || !*text) return TRUE;
  gchar **parts = g_strsplit(text, ",", -1);
  guint n = g_strv_length(parts);
  gboolean ok = n == 1 || n == 3;
  gfloat v[3] = {0};
  for (guint i = 0; ok && i < n; i++) {
    gchar *end = NULL;
    v[i] = (gfloat)g_ascii_strtod(g_strstrip(parts[i]), &end);
    ok = end && end != parts[i] && *end == '\0';
  }
  g_strfreev(parts);
  if (!ok) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "%s='%s': give one number or three separated by commas", name, text);
    return FALSE;
  }
  for (int c = 0; c < 3; c++) out[c] = n == 1 ? v[0] : v[c];
  return TRUE;
}

/* ---- Life cycle ------------------------------------------------------------------ */

static gboolean gst_spry_infer_start(GstBaseTransform *trans) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  GST_OBJECT_LOCK(self);
  gchar *path = g_strdup(self->model_path);
  gint threads = self->threads;
  GST_OBJECT_UNLOCK(self);
  GError *error = NULL;
  self->worker = spry_infer_worker_new(path, threads, &error);
  g_free(path);
  if (!self->worker) {
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("%s", error->message), (NULL));
    g_error_free(error);
    return FALSE;
  }
  GST_INFO_OBJECT(self, "model ready, warm-up inference %.2f ms",
                  spry_infer_worker_warmup_ms(self->worker));
  self->frame = 0;
  self->inferred = 0;
  self->decided = FALSE;
  SpryInferTensorsModel desc;
  spry_infer_tensors_describe(spry_infer_worker_interpreter(self->worker), &desc);
  GST_OBJECT_LOCK(self);
  self->model_desc = desc;
  GST_OBJECT_UNLOCK(self);
  /* The warm-up ran the model on zeros, which moved any state it keeps. */
  spry_infer_tensors_request_reset(&self->tensors);
  return TRUE;
}

static gboolean gst_spry_infer_stop(GstBaseTransform *trans) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  spry_preprocessor_free(self->pre);
  self->pre = NULL;
  spry_infer_worker_free(self->worker);
  self->worker = NULL;
  GST_OBJECT_LOCK(self);
  self->model_desc = (SpryInferTensorsModel){0};
  GST_OBJECT_UNLOCK(self);
  self->tensors.configured = FALSE;
  GST_INFO_OBJECT(self, "%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " inferred",
                  self->frame, self->inferred);
  return TRUE;
}

/* The model metadata's NormalizationOptions, when it has them, replace the
 * defaults for float and int16 inputs (the mean/std properties still
 * override both). 8-bit quantized inputs take the pixel as it is, as TFLite's
 * Task Library does: the metadata says such images are "scaled back to
 * [0, 255]", and normalising then quantizing with a scale of 1/128 instead of
 * 1/127.5 would only shift the upper half of the range by one step. */
static gboolean apply_metadata_normalization(GstSpryInfer *self, SpryPreprocessConfig *config,
                                             GError **error) {
  if (config->type == SPRY_TYPE_UINT8 || config->type == SPRY_TYPE_INT8) return TRUE;
  SpryNormalization n;
  SpryStatus status = spry_model_input_normalization(spry_infer_worker_model(self->worker), 0, &n);
  if (status == SPRY_ERROR_NOT_FOUND) return TRUE;
  if (status != SPRY_OK || (n.channels != 1 && n.channels != config->channels)) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "the model's input normalisation cannot be used: %s",
                status != SPRY_OK ? spry_last_error() : "its channel count differs from the input's");
    return FALSE;
  }
  for (int c = 0; c < 3; c++) {
    config->mean[c] = n.mean[n.channels == 1 ? 0 : MIN(c, n.channels - 1)];
    config->std[c] = n.std[n.channels == 1 ? 0 : MIN(c, n.channels - 1)];
  }
  GST_INFO_OBJECT(self, "normalisation from the model metadata: mean %g std %g", config->mean[0],
                  config->std[0]);
  return TRUE;
}

static gboolean make_preprocessor(GstSpryInfer *self, GError **error) {
  SpryTensorInfo input;
  if (spry_tensor_info(spry_interpreter_input(spry_infer_worker_interpreter(self->worker), 0),
                       &input) != SPRY_OK) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "%s", spry_last_error());
    return FALSE;
  }
  SpryPreprocessConfig config = {0};
  if (!spry_preprocess_config_from_tensor(&input, &config, error)) return FALSE;
  spry_preprocess_default_normalization(&config);
  if (!apply_metadata_normalization(self, &config, error)) return FALSE;
  GST_OBJECT_LOCK(self);
  config.mode = self->scaling;
  config.threads = 1;
  gboolean ok = parse_triple(self->mean, "mean", config.mean, error) &&
                parse_triple(self->std, "std", config.std, error);
  GST_OBJECT_UNLOCK(self);
  for (int c = 0; ok && c < 3; c++) {
    if (config.std[c] == 0) {
      g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, "std must not be 0");
      ok = FALSE;
    }
  }
  if (!ok) return FALSE;
  spry_preprocessor_free(self->pre);
  self->pre = spry_preprocessor_new(&self->info, &config, error);
  return self->pre != NULL;
}

/* Tensor mode: a new output buffer per input, always inferred here. */
static gboolean set_tensor_caps(GstSpryInfer *self, GstCaps *incaps, GstCaps *outcaps) {
  GError *error = NULL;
  if (!spry_infer_tensors_configure(&self->tensors,
                                    spry_infer_worker_interpreter(self->worker), incaps, &error)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->message),
                      ("input caps %" GST_PTR_FORMAT, incaps));
    g_error_free(error);
    return FALSE;
  }
  spry_preprocessor_free(self->pre);
  self->pre = NULL;
  GST_OBJECT_LOCK(self);
  self->tensor_mode = TRUE;
  GST_OBJECT_UNLOCK(self);
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), FALSE);
  GST_DEBUG_OBJECT(self, "tensor mode, caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, incaps,
                   outcaps);
  return TRUE;
}

static gboolean gst_spry_infer_set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  if (spry_infer_tensors_is_tensors(gst_caps_get_structure(incaps, 0)))
    return set_tensor_caps(self, incaps, outcaps);
  GST_OBJECT_LOCK(self);
  self->tensor_mode = FALSE;
  GST_OBJECT_UNLOCK(self);
  self->tensors.configured = FALSE;
  gst_base_transform_set_in_place(trans, TRUE);
  if (!gst_video_info_from_caps(&self->info, incaps)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("cannot read the video caps %" GST_PTR_FORMAT, incaps),
                      (NULL));
    return FALSE;
  }
  GError *error = NULL;
  if (!make_preprocessor(self, &error)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->message), (NULL));
    g_error_free(error);
    return FALSE;
  }
  GST_DEBUG_OBJECT(self, "caps %" GST_PTR_FORMAT, incaps);
  return TRUE;
}

/* ---- Streaming --------------------------------------------------------------------- */

/* Async is used for live sources (auto), decided once per stream. */
static void decide_async(GstSpryInfer *self) {
  GST_OBJECT_LOCK(self);
  GstSpryInferAsync mode = self->async_mode;
  GST_OBJECT_UNLOCK(self);
  gboolean live = FALSE;
  if (mode == GST_SPRY_INFER_ASYNC_AUTO) {
    GstQuery *q = gst_query_new_latency();
    if (gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(self), q))
      gst_query_parse_latency(q, &live, NULL, NULL);
    gst_query_unref(q);
  }
  self->use_async = mode == GST_SPRY_INFER_ASYNC_ON || (mode == GST_SPRY_INFER_ASYNC_AUTO && live);
  self->decided = TRUE;
  GST_INFO_OBJECT(self, "inference %s", self->use_async ? "asynchronous" : "on the streaming thread");
}

static gboolean fill_input(GstSpryInfer *self, GstBuffer *buf, SpryInferSource *source,
                           GError **error) {
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &self->info, buf, GST_MAP_READ)) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE, "cannot map the video frame");
    return FALSE;
  }
  gsize size = 0;
  void *dst = spry_infer_worker_input(self->worker, &size);
  gboolean ok = spry_preprocessor_run(self->pre, &frame, dst, size, error);
  gst_video_frame_unmap(&frame);
  *source = (SpryInferSource){
      .region = spry_preprocessor_region(self->pre),
      .frame_width = GST_VIDEO_INFO_WIDTH(&self->info),
      .frame_height = GST_VIDEO_INFO_HEIGHT(&self->info),
      .frame = self->frame,
      .pts = GST_BUFFER_PTS(buf),
  };
  return ok;
}

/* Returns the result to attach to this frame (may be NULL), or FALSE on error. */
static gboolean infer(GstSpryInfer *self, GstBuffer *buf, gboolean selected,
                      SpryInferResult **out, GError **error) {
  *out = NULL;
  SpryInferSource source;
  if (!self->use_async) {
    if (!selected) {
      *out = spry_infer_worker_latest(self->worker);
      return TRUE;
    }
    if (!fill_input(self, buf, &source, error)) return FALSE;
    *out = spry_infer_worker_run(self->worker, &source, error);
    self->inferred += *out != NULL;
    return *out != NULL;
  }
  if (spry_infer_worker_take_error(self->worker, error)) return FALSE;
  if (selected && !spry_infer_worker_busy(self->worker)) {
    if (!fill_input(self, buf, &source, error)) return FALSE;
    if (spry_infer_worker_submit(self->worker, &source, error)) self->inferred++;
    else if (error && *error) return FALSE;
  }
  *out = spry_infer_worker_latest(self->worker);
  return TRUE;
}

static GstFlowReturn gst_spry_infer_transform_ip(GstBaseTransform *trans, GstBuffer *buf) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  if (!self->pre) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("no video caps before the first frame"), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!self->decided) decide_async(self);
  GST_OBJECT_LOCK(self);
  guint interval = MAX(1u, self->interval);
  GST_OBJECT_UNLOCK(self);
  gboolean selected = self->frame % interval == 0;

  SpryInferResult *result = NULL;
  GError *error = NULL;
  gboolean ok = infer(self, buf, selected, &result, &error);
  self->frame++;
  if (!ok) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s", error->message), (NULL));
    g_error_free(error);
    return GST_FLOW_ERROR;
  }
  if (result) {
    spry_buffer_add_tensor_meta(buf, result);
    spry_infer_result_unref(result);
  }
  return GST_FLOW_OK;
}

/* ---- Tensor mode (the work is in infer_tensors.c) ----------------------------------- */

static GstFlowReturn gst_spry_infer_prepare_output_buffer(GstBaseTransform *trans, GstBuffer *inbuf,
                                                          GstBuffer **outbuf) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  if (!self->tensor_mode)
    return GST_BASE_TRANSFORM_CLASS(gst_spry_infer_parent_class)
        ->prepare_output_buffer(trans, inbuf, outbuf);
  /* Memories come with the outputs; timestamps, offsets and DISCONT from the input. */
  *outbuf = gst_buffer_new();
  gst_buffer_copy_into(*outbuf, inbuf, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  return GST_FLOW_OK;
}

static GstFlowReturn gst_spry_infer_transform(GstBaseTransform *trans, GstBuffer *inbuf,
                                              GstBuffer *outbuf) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  GError *error = NULL;
  if (!self->tensor_mode || !self->worker) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("no tensor caps before the first buffer"), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  gboolean ok = spry_infer_tensors_run(&self->tensors, self->worker, inbuf, outbuf, self->frame,
                                       &error);
  self->frame++;
  if (!ok) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s", error->message), (NULL));
    g_error_free(error);
    return GST_FLOW_ERROR;
  }
  self->inferred++;
  return GST_FLOW_OK;
}

static SpryInferTensorsModel model_desc(GstSpryInfer *self) {
  GST_OBJECT_LOCK(self);
  SpryInferTensorsModel desc = self->model_desc;
  GST_OBJECT_UNLOCK(self);
  return desc;
}

/* Video passes through as it is; tensors become the model's inputs or outputs. */
static GstCaps *gst_spry_infer_transform_caps(GstBaseTransform *trans, GstPadDirection direction,
                                              GstCaps *caps, GstCaps *filter) {
  GstCaps *result;
  if (gst_caps_is_any(caps)) {
    result = gst_caps_ref(caps);
  } else {
    SpryInferTensorsModel desc = model_desc(GST_SPRY_INFER(trans));
    result = gst_caps_new_empty();
    for (guint i = 0; i < gst_caps_get_size(caps); i++) {
      const GstStructure *s = gst_caps_get_structure(caps, i);
      if (spry_infer_tensors_is_tensors(s)) {
        result = gst_caps_merge(result, spry_infer_tensors_transform_caps(&desc, direction, s));
      } else {
        GstCapsFeatures *f = gst_caps_get_features(caps, i);
        result = gst_caps_merge_structure_full(result, gst_structure_copy(s),
                                               f ? gst_caps_features_copy(f) : NULL);
      }
    }
  }
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = tmp;
  }
  return result;
}

/* Tensor caps on the sink pad need only be valid: whether they fit the model
 * is checked in set_caps, which can say why on the bus (a refused
 * accept-caps ends in a bare not-negotiated). */
static gboolean gst_spry_infer_accept_caps(GstBaseTransform *trans, GstPadDirection direction,
                                           GstCaps *caps) {
  if (!gst_caps_is_fixed(caps) ||
      !spry_infer_tensors_is_tensors(gst_caps_get_structure(caps, 0)))
    return GST_BASE_TRANSFORM_CLASS(gst_spry_infer_parent_class)
        ->accept_caps(trans, direction, caps);
  SpryTensorsInfo info;
  if (!spry_tensors_info_from_caps(caps, &info, NULL)) return FALSE;
  SpryInferTensorsModel desc = model_desc(GST_SPRY_INFER(trans));
  if (direction == GST_PAD_SINK || !desc.have_outputs) return TRUE;
  return spry_tensors_info_equal(&info, &desc.outputs);
}

/* Narrows a caps query's tensor answer to the model's inputs (sink) or
 * outputs (src), so that upstream negotiates to what the model takes even
 * when downstream accepts anything. */
static void restrict_caps_query(GstSpryInfer *self, GstPadDirection direction, GstQuery *query) {
  SpryInferTensorsModel desc = model_desc(self);
  GstCaps *allowed = spry_infer_tensors_model_caps(&desc, direction);
  if (!allowed) return;
  GstCaps *caps = NULL;
  gst_query_parse_caps_result(query, &caps);
  if (!caps) {
    gst_caps_unref(allowed);
    return;
  }
  allowed = gst_caps_merge(gst_static_caps_get(&video_caps), allowed);
  GstCaps *narrowed = gst_caps_intersect_full(caps, allowed, GST_CAPS_INTERSECT_FIRST);
  gst_query_set_caps_result(query, narrowed);
  gst_caps_unref(narrowed);
  gst_caps_unref(allowed);
}

static gboolean gst_spry_infer_sink_event(GstBaseTransform *trans, GstEvent *event) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP && self->worker) {
    /* Results from before a seek must not land on frames after it. */
    spry_infer_worker_forget(self->worker);
  }
  /* Model state from before a flush must not shape what comes after it; the
   * reset waits for the next buffer, so it also covers the new segment. */
  if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
    spry_infer_tensors_request_reset(&self->tensors);
  return GST_BASE_TRANSFORM_CLASS(gst_spry_infer_parent_class)->sink_event(trans, event);
}

/* Inference on the streaming thread delays every frame by about one
 * inference: say so in latency queries. Asynchronous inference adds none. */
static gboolean gst_spry_infer_query(GstBaseTransform *trans, GstPadDirection direction,
                                     GstQuery *query) {
  GstSpryInfer *self = GST_SPRY_INFER(trans);
  gboolean ok = GST_BASE_TRANSFORM_CLASS(gst_spry_infer_parent_class)->query(trans, direction, query);
  if (ok && GST_QUERY_TYPE(query) == GST_QUERY_CAPS) restrict_caps_query(self, direction, query);
  if (!ok || direction != GST_PAD_SRC || GST_QUERY_TYPE(query) != GST_QUERY_LATENCY) return ok;
  GST_OBJECT_LOCK(self);
  /* Tensor mode always infers on the streaming thread. */
  gboolean sync = self->async_mode == GST_SPRY_INFER_ASYNC_OFF || self->tensor_mode;
  GST_OBJECT_UNLOCK(self);
  gboolean live;
  GstClockTime min, max;
  gst_query_parse_latency(query, &live, &min, &max);
  if (live && sync && self->worker) {
    GstClockTime added = (GstClockTime)(spry_infer_worker_warmup_ms(self->worker) * GST_MSECOND);
    min += added;
    if (GST_CLOCK_TIME_IS_VALID(max)) max += added;
    gst_query_set_latency(query, live, min, max);
    GST_DEBUG_OBJECT(self, "added latency %" GST_TIME_FORMAT, GST_TIME_ARGS(added));
  }
  return TRUE;
}

/* ---- Class --------------------------------------------------------------------------- */

static void gst_spry_infer_finalize(GObject *object) {
  GstSpryInfer *self = GST_SPRY_INFER(object);
  g_free(self->model_path);
  g_free(self->mean);
  g_free(self->std);
  G_OBJECT_CLASS(gst_spry_infer_parent_class)->finalize(object);
}

static void gst_spry_infer_class_init(GstSpryInferClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);

  gobject_class->set_property = gst_spry_infer_set_property;
  gobject_class->get_property = gst_spry_infer_get_property;
  gobject_class->finalize = gst_spry_infer_finalize;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  g_object_class_install_property(gobject_class, PROP_MODEL,
      g_param_spec_string("model", "Model", "Path of the .tflite model to run", NULL, rw));
  g_object_class_install_property(gobject_class, PROP_THREADS,
      g_param_spec_int("threads", "Threads", "Threads the engine may use for one inference",
                       1, 64, DEFAULT_THREADS, rw));
  g_object_class_install_property(gobject_class, PROP_INTERVAL,
      g_param_spec_uint("interval", "Interval",
                        "Video: infer every N-th frame; the frames between carry the latest "
                        "results (tensor streams: every buffer is inferred)",
                        1, G_MAXUINT, DEFAULT_INTERVAL,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(gobject_class, PROP_SCALING,
      g_param_spec_enum("scaling", "Scaling", "Video: how the frame is fitted to the model input",
                        GST_TYPE_SPRY_SCALING, DEFAULT_SCALING, rw));
  g_object_class_install_property(gobject_class, PROP_MEAN,
      g_param_spec_string("mean", "Mean",
                          "Video: pixel value that maps to 0: one number or R,G,B (default: the "
                          "input quantization for 8-bit models, i.e. the pixel as it is; for "
                          "float models the metadata's NormalizationOptions, else 127.5)",
                          NULL, rw));
  g_object_class_install_property(gobject_class, PROP_STD,
      g_param_spec_string("std", "Standard deviation",
                          "Video: pixel step that maps to 1: one number or R,G,B (default: "
                          "1/scale for 8-bit models; for float models the metadata's "
                          "NormalizationOptions, else 127.5, i.e. [-1, 1])",
                          NULL, rw));
  g_object_class_install_property(gobject_class, PROP_ASYNC,
      g_param_spec_enum("async", "Asynchronous inference",
                        "Video: run inference on its own thread so that a slow model never holds "
                        "frames back (frames then carry the latest finished result). Tensor "
                        "streams are always inferred on the streaming thread",
                        GST_TYPE_SPRY_INFER_ASYNC, DEFAULT_ASYNC, rw));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Spry inference", "Filter/Analyzer/Video",
      "Runs a TensorFlow Lite model on video frames and attaches its output tensors, or on "
      "other/tensors buffers and outputs other/tensors",
      "Spry developers");

  trans_class->start = GST_DEBUG_FUNCPTR(gst_spry_infer_start);
  trans_class->stop = GST_DEBUG_FUNCPTR(gst_spry_infer_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR(gst_spry_infer_set_caps);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR(gst_spry_infer_transform_ip);
  trans_class->transform = GST_DEBUG_FUNCPTR(gst_spry_infer_transform);
  trans_class->prepare_output_buffer = GST_DEBUG_FUNCPTR(gst_spry_infer_prepare_output_buffer);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR(gst_spry_infer_transform_caps);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR(gst_spry_infer_accept_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(gst_spry_infer_sink_event);
  trans_class->query = GST_DEBUG_FUNCPTR(gst_spry_infer_query);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;

  gst_type_mark_as_plugin_api(GST_TYPE_SPRY_SCALING, 0);
  gst_type_mark_as_plugin_api(GST_TYPE_SPRY_INFER_ASYNC, 0);
  GST_DEBUG_CATEGORY_INIT(spry_infer_debug, "spryinfer", 0, "Spry inference element");
}

static void gst_spry_infer_init(GstSpryInfer *self) {
  self->threads = DEFAULT_THREADS;
  self->interval = DEFAULT_INTERVAL;
  self->scaling = DEFAULT_SCALING;
  self->async_mode = DEFAULT_ASYNC;
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}
