/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryconvert.c — the spryconvert element: raw audio windows and video frames to other/tensors (docs/tensor-caps.md). */
/**
 * SECTION:element-spryconvert
 *
 * Turns raw media into `other/tensors` (NNStreamer's static format, one
 * tensor per buffer):
 *
 * - audio/x-raw (S16LE or F32LE, interleaved): windows of `frame-size`
 *   samples, one every `hop` samples, as a tensor of dimensions
 *   `channels:frame-size` (int16 or float32). Each window's timestamp is the
 *   time of its first sample, counted in samples from the last
 *   discontinuity; its duration is `hop` samples.
 * - video/x-raw (RGB, BGR, RGBx, BGRx, RGBA, BGRA, GRAY8): each frame as a
 *   uint8 tensor of dimensions `C:W:H:1`, row padding removed.
 *
 * |[
 * gst-launch-1.0 filesrc location=speech.wav ! wavparse ! audioconvert ! audioresample ! \
 *     audio/x-raw,format=S16LE,rate=16000,channels=1 ! spryconvert frame-size=480 hop=320 ! \
 *     spryaggregate frames=49 ! fakesink
 * ]|
 *
 * A discontinuity (a DISCONT buffer, or a timestamp more than half a sample
 * away from the expected one), a flush or a new segment drops the samples
 * not yet sent (logged at INFO) and the next window starts afresh with the
 * DISCONT flag. At EOS and before a caps change the last partial window is
 * zero-padded and sent when `pad-last` is true.
 *
 * A plain element with a chain function rather than a GstBaseTransform: one
 * audio buffer gives any number of windows (none to many), the last window
 * is pushed from the EOS and caps handlers, and the DISCONT flag belongs to
 * windows rather than to input buffers; BaseTransform's one-in-one-out model
 * would be bent at every one of those points.
 */
#include "gstspryconvert.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC(spry_convert_debug);
#define GST_CAT_DEFAULT spry_convert_debug

#define DEFAULT_FRAME_SIZE 480
#define DEFAULT_HOP 320
#define DEFAULT_PAD_LAST TRUE
/* Keeps one window's bytes and the framerate's denominator well inside gint. */
#define MAX_WINDOW (1u << 24)

enum { PROP_0, PROP_FRAME_SIZE, PROP_HOP, PROP_PAD_LAST };

#define VIDEO_FORMATS "{ RGB, BGR, RGBx, BGRx, RGBA, BGRA, GRAY8 }"

/* At most 65535 channels: a frame's bytes (channels x 4) then fit GstAudioInfo's gint. */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("audio/x-raw, format=(string){ S16LE, F32LE }, layout=(string)interleaved, "
                    "rate=(int)[ 1, max ], channels=(int)[ 1, 65535 ]; "
                    "video/x-raw, format=(string)" VIDEO_FORMATS ", width=(int)[ 1, max ], "
                    "height=(int)[ 1, max ], framerate=(fraction)[ 0/1, max ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("other/tensors, format=(string)static, num_tensors=(int)1, "
                    "framerate=(fraction)[ 0/1, max ]"));

G_DEFINE_TYPE(GstSpryConvert, gst_spry_convert, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE(spryconvert, "spryconvert", GST_RANK_NONE, GST_TYPE_SPRY_CONVERT);

/* ---- Audio windows ----------------------------------------------------- */

static guint64 pending_samples(GstSpryConvert *self) {
  return gst_adapter_available(self->adapter) / GST_AUDIO_INFO_BPF(&self->audio);
}

static GstClockTime sample_time(GstSpryConvert *self, guint64 index) {
  /* Scaled from the discontinuity each time, so rounding never accumulates. */
  gint rate = GST_AUDIO_INFO_RATE(&self->audio);
  return self->base_pts + gst_util_uint64_scale(index, GST_SECOND, (guint64)rate);
}

/* Forgets pending samples; the next window is stamped from `pts`. */
static void audio_restart(GstSpryConvert *self, GstClockTime pts, const gchar *why) {
  if (self->mode == GST_SPRY_CONVERT_AUDIO && self->adapter) {
    guint64 pending = pending_samples(self);
    if (pending > self->covered)
      GST_INFO_OBJECT(self, "%s: dropping %" G_GUINT64_FORMAT " samples not yet in a window", why,
                      pending - self->covered);
  }
  if (self->adapter) gst_adapter_clear(self->adapter);
  self->started = GST_CLOCK_TIME_IS_VALID(pts);
  self->base_pts = pts;
  self->received = self->head = self->skip = self->covered = 0;
  self->discont = TRUE;
}

/* Pushes a window made of the first `samples` pending samples, zero-padded. */
static GstFlowReturn push_window(GstSpryConvert *self, guint64 samples) {
  GstBuffer *out = gst_buffer_new_allocate(NULL, self->out_size, NULL);
  if (!out) {
    GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, ("out of memory for a tensor window"), (NULL));
    return GST_FLOW_ERROR;
  }
  GstMapInfo map;
  if (!gst_buffer_map(out, &map, GST_MAP_WRITE)) {
    gst_buffer_unref(out);
    GST_ELEMENT_ERROR(self, RESOURCE, FAILED, ("cannot map a tensor buffer"), (NULL));
    return GST_FLOW_ERROR;
  }
  gsize bytes = (gsize)samples * GST_AUDIO_INFO_BPF(&self->audio); /* <= out_size */
  gst_adapter_copy(self->adapter, map.data, 0, bytes);
  memset(map.data + bytes, 0, map.size - bytes);
  gst_buffer_unmap(out, &map);
  GstClockTime pts = sample_time(self, self->head);
  GST_BUFFER_PTS(out) = pts;
  GST_BUFFER_DURATION(out) = sample_time(self, self->head + self->step) - pts;
  GST_BUFFER_OFFSET(out) = self->head;
  if (self->discont) GST_BUFFER_FLAG_SET(out, GST_BUFFER_FLAG_DISCONT);
  self->discont = FALSE;
  return gst_pad_push(self->srcpad, out);
}

/* Sends every complete window, then keeps what the next one needs. */
static GstFlowReturn audio_windows(GstSpryConvert *self) {
  gsize bpf = GST_AUDIO_INFO_BPF(&self->audio);
  for (;;) {
    guint64 pending = pending_samples(self);
    if (self->skip > 0) {
      /* hop > frame-size: the samples between windows belong to none. */
      guint64 n = MIN(self->skip, pending);
      gst_adapter_flush(self->adapter, (gsize)n * bpf);
      self->head += n, self->skip -= n, pending -= n;
      if (self->skip > 0) return GST_FLOW_OK;
    }
    if (pending < self->window) return GST_FLOW_OK;
    GstFlowReturn ret = push_window(self, self->window);
    guint64 advance = MIN((guint64)self->step, pending);
    gst_adapter_flush(self->adapter, (gsize)advance * bpf);
    self->head += advance;
    self->skip = self->step - advance;
    self->covered = self->window > self->step ? self->window - self->step : 0;
    if (ret != GST_FLOW_OK) return ret;
  }
}

/* At EOS or before new caps: the samples no window has carried yet. */
static GstFlowReturn audio_drain(GstSpryConvert *self) {
  if (self->mode != GST_SPRY_CONVERT_AUDIO || !self->started) return GST_FLOW_OK;
  guint64 pending = pending_samples(self);
  GstFlowReturn ret = GST_FLOW_OK;
  if (pending > self->covered) {
    GST_OBJECT_LOCK(self);
    gboolean pad = self->pad_last;
    GST_OBJECT_UNLOCK(self);
    if (pad) {
      GST_DEBUG_OBJECT(self, "padding the last %" G_GUINT64_FORMAT " samples", pending);
      /* Fewer than a window unless a refused push stopped audio_windows early. */
      ret = push_window(self, MIN(pending, (guint64)self->window));
    } else {
      GST_INFO_OBJECT(self, "pad-last=false: dropping %" G_GUINT64_FORMAT " trailing samples",
                      pending - self->covered);
    }
  }
  gst_adapter_clear(self->adapter);
  self->covered = 0;
  return ret;
}

/* Whether `pts` is more than half a sample away from where the stream was. */
static gboolean audio_gap(GstSpryConvert *self, GstClockTime pts) {
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return FALSE;
  GstClockTime expected = sample_time(self, self->received);
  GstClockTime diff = pts > expected ? pts - expected : expected - pts;
  /* diff > 1/(2 rate) s, without rounding the half sample. */
  guint64 two_rates = 2 * (guint64)GST_AUDIO_INFO_RATE(&self->audio);
  return gst_util_uint64_scale(diff, two_rates, 1) > GST_SECOND; /* saturates, never wraps */
}

static GstFlowReturn audio_chain(GstSpryConvert *self, GstBuffer *buf) {
  gsize size = gst_buffer_get_size(buf);
  gsize bpf = GST_AUDIO_INFO_BPF(&self->audio);
  if (size % bpf != 0) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("an audio buffer of %" G_GSIZE_FORMAT " bytes is not a whole number of "
                       "%" G_GSIZE_FORMAT "-byte frames; check the upstream element", size, bpf),
                      (NULL));
    gst_buffer_unref(buf);
    return GST_FLOW_ERROR;
  }
  GstClockTime pts = GST_BUFFER_PTS(buf);
  if (!self->started) {
    /* Untimed input: count from the segment's start. */
    if (!GST_CLOCK_TIME_IS_VALID(pts))
      pts = self->segment.format == GST_FORMAT_TIME ? self->segment.start : 0;
    audio_restart(self, pts, "start");
  } else if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT)) {
    audio_restart(self, GST_CLOCK_TIME_IS_VALID(pts) ? pts : sample_time(self, self->received),
                  "discontinuity");
  } else if (audio_gap(self, pts)) {
    GST_INFO_OBJECT(self, "timestamp %" GST_TIME_FORMAT " is not where the stream was (%"
                    GST_TIME_FORMAT ")", GST_TIME_ARGS(pts),
                    GST_TIME_ARGS(sample_time(self, self->received)));
    audio_restart(self, pts, "timestamp gap");
  }
  self->received += size / bpf;
  gst_adapter_push(self->adapter, buf);
  return audio_windows(self);
}

/* ---- Video frames ------------------------------------------------------ */

static GstFlowReturn video_chain(GstSpryConvert *self, GstBuffer *buf) {
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &self->video, buf, GST_MAP_READ)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("a video buffer does not match its caps %" GST_PTR_FORMAT, self->incaps),
                      (NULL));
    gst_buffer_unref(buf);
    return GST_FLOW_ERROR;
  }
  GstBuffer *out = gst_buffer_new_allocate(NULL, self->out_size, NULL);
  GstMapInfo map;
  if (!out || !gst_buffer_map(out, &map, GST_MAP_WRITE)) {
    if (out) gst_buffer_unref(out);
    gst_video_frame_unmap(&frame);
    gst_buffer_unref(buf);
    GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, ("out of memory for a video tensor"), (NULL));
    return GST_FLOW_ERROR;
  }
  /* Rows are packed: a tensor has no stride, the frame may have padding. */
  gsize row = self->out_size / (gsize)GST_VIDEO_INFO_HEIGHT(&self->video);
  const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA(&frame, 0);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
  for (gint y = 0; y < GST_VIDEO_INFO_HEIGHT(&self->video); y++)
    memcpy(map.data + (gsize)y * row, src + (gsize)y * (gsize)stride, row);
  gst_buffer_unmap(out, &map);
  gst_video_frame_unmap(&frame);
  gst_buffer_copy_into(out, buf, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  gst_buffer_unref(buf);
  return gst_pad_push(self->srcpad, out);
}

static GstFlowReturn gst_spry_convert_chain(GstPad *pad, GstObject *parent, GstBuffer *buf) {
  (void)pad;
  GstSpryConvert *self = GST_SPRY_CONVERT(parent);
  switch (self->mode) {
  case GST_SPRY_CONVERT_AUDIO: return audio_chain(self, buf);
  case GST_SPRY_CONVERT_VIDEO: return video_chain(self, buf);
  case GST_SPRY_CONVERT_NONE: break;
  }
  gst_buffer_unref(buf);
  GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("data arrived before any caps"),
                    ("the upstream element sent a buffer without a caps event"));
  return GST_FLOW_NOT_NEGOTIATED;
}

/* ---- Caps -------------------------------------------------------------- */

static gboolean setup_audio(GstSpryConvert *self, GstCaps *caps, SpryTensorsInfo *out) {
  if (!gst_audio_info_from_caps(&self->audio, caps) ||
      GST_AUDIO_INFO_LAYOUT(&self->audio) != GST_AUDIO_LAYOUT_INTERLEAVED) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("cannot read the audio caps %" GST_PTR_FORMAT, caps), (NULL));
    return FALSE;
  }
  GstAudioFormat format = GST_AUDIO_INFO_FORMAT(&self->audio);
  out->tensors[0].type =
      format == GST_AUDIO_FORMAT_S16LE ? SPRY_TENSORS_INT16 : SPRY_TENSORS_FLOAT32;
  out->tensors[0].rank = 2;
  out->tensors[0].dims[0] = (guint32)GST_AUDIO_INFO_CHANNELS(&self->audio);
  out->tensors[0].dims[1] = self->window;
  /* One window per hop: rate/hop windows a second (gst reduces the fraction). */
  out->rate_n = GST_AUDIO_INFO_RATE(&self->audio);
  out->rate_d = (gint)self->step;
  self->mode = GST_SPRY_CONVERT_AUDIO;
  return TRUE;
}

static gboolean setup_video(GstSpryConvert *self, GstCaps *caps, SpryTensorsInfo *out) {
  if (!gst_video_info_from_caps(&self->video, caps)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("cannot read the video caps %" GST_PTR_FORMAT, caps), (NULL));
    return FALSE;
  }
  out->tensors[0].type = SPRY_TENSORS_UINT8;
  out->tensors[0].rank = 4;
  out->tensors[0].dims[0] = (guint32)GST_VIDEO_INFO_COMP_PSTRIDE(&self->video, 0);
  out->tensors[0].dims[1] = (guint32)GST_VIDEO_INFO_WIDTH(&self->video);
  out->tensors[0].dims[2] = (guint32)GST_VIDEO_INFO_HEIGHT(&self->video);
  out->tensors[0].dims[3] = 1;
  out->rate_n = GST_VIDEO_INFO_FPS_N(&self->video);
  out->rate_d = GST_VIDEO_INFO_FPS_D(&self->video);
  self->mode = GST_SPRY_CONVERT_VIDEO;
  return TRUE;
}

static gboolean gst_spry_convert_set_caps(GstSpryConvert *self, GstCaps *caps) {
  if (self->incaps && gst_caps_is_equal(self->incaps, caps)) return TRUE;
  /* The old stream ends here: its last partial window still has its caps. */
  if (audio_drain(self) != GST_FLOW_OK)
    GST_DEBUG_OBJECT(self, "downstream refused the last window before the caps change");
  GST_OBJECT_LOCK(self);
  self->window = self->frame_size;
  self->step = self->hop;
  GST_OBJECT_UNLOCK(self);
  SpryTensorsInfo out = {.num_tensors = 1};
  GstStructure *s = gst_caps_get_structure(caps, 0);
  self->mode = GST_SPRY_CONVERT_NONE;
  gboolean ok = gst_structure_has_name(s, "audio/x-raw") ? setup_audio(self, caps, &out)
                                                         : setup_video(self, caps, &out);
  GError *error = NULL;
  if (ok && !spry_tensors_desc_byte_size(&out.tensors[0], &self->out_size, &error)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->message), (NULL));
    g_clear_error(&error);
    ok = FALSE;
  }
  if (!ok) {
    self->mode = GST_SPRY_CONVERT_NONE;
    return FALSE;
  }
  self->out = out;
  gst_caps_replace(&self->incaps, caps);
  audio_restart(self, GST_CLOCK_TIME_NONE, "caps change");
  GstCaps *outcaps = spry_tensors_info_to_caps(&out);
  GST_DEBUG_OBJECT(self, "output caps %" GST_PTR_FORMAT, outcaps);
  ok = gst_pad_push_event(self->srcpad, gst_event_new_caps(outcaps));
  gst_caps_unref(outcaps);
  if (!ok) GST_WARNING_OBJECT(self, "downstream does not accept the tensor caps");
  return ok;
}

/* Which of our output types downstream would take: decides the input formats. */
static gboolean peer_takes_type(GstCaps *peer, const gchar *type) {
  GstCaps *probe = gst_caps_new_simple(SPRY_TENSORS_MEDIA_TYPE, "format", G_TYPE_STRING, "static",
                                       "num_tensors", G_TYPE_INT, 1, "types", G_TYPE_STRING, type,
                                       NULL);
  gboolean ok = gst_caps_can_intersect(peer, probe);
  gst_caps_unref(probe);
  return ok;
}

static GstCaps *sink_caps(GstSpryConvert *self, GstCaps *filter) {
  GstCaps *peer = gst_pad_peer_query_caps(self->srcpad, NULL);
  GstCaps *result = gst_caps_new_empty();
  GValue formats = G_VALUE_INIT;
  g_value_init(&formats, GST_TYPE_LIST);
  static const gchar *const audio[][2] = {{"S16LE", "int16"}, {"F32LE", "float32"}};
  for (guint i = 0; i < G_N_ELEMENTS(audio); i++) {
    if (!peer_takes_type(peer, audio[i][1])) continue;
    GValue v = G_VALUE_INIT;
    g_value_init(&v, G_TYPE_STRING);
    g_value_set_static_string(&v, audio[i][0]);
    gst_value_list_append_and_take_value(&formats, &v);
  }
  GstCaps *tmpl = gst_static_pad_template_get_caps(&sink_template);
  if (gst_value_list_get_size(&formats) > 0) {
    GstStructure *s = gst_structure_copy(gst_caps_get_structure(tmpl, 0));
    gst_structure_set_value(s, "format", &formats);
    gst_caps_append_structure(result, s);
  }
  if (peer_takes_type(peer, "uint8"))
    gst_caps_append_structure(result, gst_structure_copy(gst_caps_get_structure(tmpl, 1)));
  g_value_unset(&formats);
  gst_caps_unref(tmpl);
  gst_caps_unref(peer);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = tmp;
  }
  return result;
}

static gboolean gst_spry_convert_query(GstPad *pad, GstObject *parent, GstQuery *query) {
  GstSpryConvert *self = GST_SPRY_CONVERT(parent);
  if (GST_QUERY_TYPE(query) != GST_QUERY_CAPS) return gst_pad_query_default(pad, parent, query);
  GstCaps *filter = NULL, *caps;
  gst_query_parse_caps(query, &filter);
  if (pad == self->sinkpad) {
    caps = sink_caps(self, filter);
  } else {
    /* What we send is fixed by the input; before that, anything in the template. */
    GstCaps *current = gst_pad_get_current_caps(pad);
    caps = current ? current : gst_pad_get_pad_template_caps(pad);
    if (filter) {
      GstCaps *tmp = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
      gst_caps_unref(caps);
      caps = tmp;
    }
  }
  gst_query_set_caps_result(query, caps);
  gst_caps_unref(caps);
  return TRUE;
}

/* ---- Events and states ------------------------------------------------- */

static gboolean gst_spry_convert_sink_event(GstPad *pad, GstObject *parent, GstEvent *event) {
  GstSpryConvert *self = GST_SPRY_CONVERT(parent);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CAPS: {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    gboolean ok = gst_spry_convert_set_caps(self, caps);
    gst_event_unref(event);
    return ok;
  }
  case GST_EVENT_FLUSH_STOP:
    audio_restart(self, GST_CLOCK_TIME_NONE, "flush");
    gst_segment_init(&self->segment, GST_FORMAT_UNDEFINED);
    break;
  case GST_EVENT_SEGMENT:
    audio_restart(self, GST_CLOCK_TIME_NONE, "new segment");
    gst_event_copy_segment(event, &self->segment);
    break;
  case GST_EVENT_EOS:
    audio_drain(self);
    break;
  default: break;
  }
  return gst_pad_event_default(pad, parent, event);
}

static void reset_stream(GstSpryConvert *self) {
  audio_restart(self, GST_CLOCK_TIME_NONE, "stop");
  self->mode = GST_SPRY_CONVERT_NONE;
  gst_caps_replace(&self->incaps, NULL);
  gst_segment_init(&self->segment, GST_FORMAT_UNDEFINED);
}

static GstStateChangeReturn gst_spry_convert_change_state(GstElement *element,
                                                          GstStateChange transition) {
  GstSpryConvert *self = GST_SPRY_CONVERT(element);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) reset_stream(self);
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS(gst_spry_convert_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) reset_stream(self);
  return ret;
}

/* ---- GObject ----------------------------------------------------------- */

static void gst_spry_convert_set_property(GObject *object, guint id, const GValue *value,
                                          GParamSpec *pspec) {
  GstSpryConvert *self = GST_SPRY_CONVERT(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_FRAME_SIZE: self->frame_size = g_value_get_uint(value); break;
  case PROP_HOP: self->hop = g_value_get_uint(value); break;
  case PROP_PAD_LAST: self->pad_last = g_value_get_boolean(value); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_convert_get_property(GObject *object, guint id, GValue *value,
                                          GParamSpec *pspec) {
  GstSpryConvert *self = GST_SPRY_CONVERT(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_FRAME_SIZE: g_value_set_uint(value, self->frame_size); break;
  case PROP_HOP: g_value_set_uint(value, self->hop); break;
  case PROP_PAD_LAST: g_value_set_boolean(value, self->pad_last); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_convert_finalize(GObject *object) {
  GstSpryConvert *self = GST_SPRY_CONVERT(object);
  g_clear_object(&self->adapter);
  gst_caps_replace(&self->incaps, NULL);
  G_OBJECT_CLASS(gst_spry_convert_parent_class)->finalize(object);
}

static void gst_spry_convert_class_init(GstSpryConvertClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = gst_spry_convert_set_property;
  gobject_class->get_property = gst_spry_convert_get_property;
  gobject_class->finalize = gst_spry_convert_finalize;
  element_class->change_state = GST_DEBUG_FUNCPTR(gst_spry_convert_change_state);

  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  g_object_class_install_property(gobject_class, PROP_FRAME_SIZE,
      g_param_spec_uint("frame-size", "Frame size",
                        "Audio: samples (per channel) in each output window, the tensor's "
                        "outer dimension (channels:frame-size). Taken when the caps are set",
                        1, MAX_WINDOW, DEFAULT_FRAME_SIZE, flags));
  g_object_class_install_property(gobject_class, PROP_HOP,
      g_param_spec_uint("hop", "Hop",
                        "Audio: samples from one window's start to the next. Smaller than "
                        "frame-size: windows overlap; larger: the samples between windows are "
                        "skipped. Windows per second = rate / hop",
                        1, MAX_WINDOW, DEFAULT_HOP, flags));
  g_object_class_install_property(gobject_class, PROP_PAD_LAST,
      g_param_spec_boolean("pad-last", "Pad last window",
                           "Audio: at EOS (and before a caps change), send the samples no window "
                           "has carried yet as a last window padded with zeros; false drops them",
                           DEFAULT_PAD_LAST, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Spry tensor converter",
      "Converter/Tensor",
      "Turns raw audio into windows and video frames into other/tensors (NNStreamer layout)",
      "Spry developers");
  GST_DEBUG_CATEGORY_INIT(spry_convert_debug, "spryconvert", 0, "Spry tensor converter");
}

static void gst_spry_convert_init(GstSpryConvert *self) {
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(self->sinkpad, GST_DEBUG_FUNCPTR(gst_spry_convert_chain));
  gst_pad_set_event_function(self->sinkpad, GST_DEBUG_FUNCPTR(gst_spry_convert_sink_event));
  gst_pad_set_query_function(self->sinkpad, GST_DEBUG_FUNCPTR(gst_spry_convert_query));
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_set_query_function(self->srcpad, GST_DEBUG_FUNCPTR(gst_spry_convert_query));
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);

  self->frame_size = DEFAULT_FRAME_SIZE;
  self->hop = DEFAULT_HOP;
  self->pad_last = DEFAULT_PAD_LAST;
  self->adapter = gst_adapter_new();
  gst_segment_init(&self->segment, GST_FORMAT_UNDEFINED);
  self->discont = TRUE;
}
