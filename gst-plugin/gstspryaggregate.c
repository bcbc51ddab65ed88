/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryaggregate.c — the spryaggregate element: stacks the last N tensor frames into one sliding window (docs/tensor-caps.md). */
/**
 * SECTION:element-spryaggregate
 *
 * Takes `other/tensors` frames of one tensor and outputs the last `frames`
 * of them stacked along a new outermost dimension, oldest first: input
 * dimensions "40" (or "40:1") with frames=49 give "40:49". A window goes out
 * every `hop` input frames once `frames` frames have arrived; its timestamp
 * is the oldest frame's and its duration runs to the end of the newest.
 *
 * |[
 * gst-launch-1.0 audiotestsrc ! audio/x-raw,format=F32LE,rate=16000,channels=1 ! \
 *     spryconvert frame-size=480 hop=320 ! spryaggregate frames=49 hop=1 ! fakesink
 * ]|
 *
 * The window is emptied on a DISCONT buffer, a flush, a new segment and a
 * caps change of shape or type: frames on both sides of a break never share
 * a window, and the next output is marked DISCONT. At EOS a partial window
 * is dropped: the output is a model's fixed-size input, and padding it with
 * invented frames would feed the model data that never happened.
 *
 * A plain element rather than a GstBaseTransform, for the same reason as
 * spryconvert: most input frames produce no output, and the window state is
 * driven by events as much as by buffers.
 */
#include "gstspryaggregate.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC(spry_aggregate_debug);
#define GST_CAT_DEFAULT spry_aggregate_debug

#define DEFAULT_FRAMES 49
#define DEFAULT_HOP 1
#define MAX_FRAMES 65535

enum { PROP_0, PROP_FRAMES, PROP_HOP, PROP_FLATTEN };

#define TENSORS_ONE "other/tensors, format=(string)static, num_tensors=(int)1, " \
                    "framerate=(fraction)[ 0/1, max ]"

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(TENSORS_ONE));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(TENSORS_ONE));

G_DEFINE_TYPE(GstSpryAggregate, gst_spry_aggregate, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE(spryaggregate, "spryaggregate", GST_RANK_NONE,
                            GST_TYPE_SPRY_AGGREGATE);

/* ---- The window -------------------------------------------------------- */

static void window_empty(GstSpryAggregate *self, const gchar *why) {
  if (self->count > 0)
    GST_INFO_OBJECT(self, "%s: emptying the window of %u frames", why, self->count);
  self->count = self->next = 0;
  self->arrived = 0;
  self->discont = TRUE;
}

static void window_free(GstSpryAggregate *self) {
  g_clear_pointer(&self->ring, g_free);
  g_clear_pointer(&self->pts, g_free);
  g_clear_pointer(&self->dur, g_free);
  self->count = self->next = 0;
}

static gboolean window_alloc(GstSpryAggregate *self) {
  window_free(self);
  self->ring = g_try_malloc(self->out_bytes);
  self->pts = g_try_new(GstClockTime, self->window);
  self->dur = g_try_new(GstClockTime, self->window);
  return self->ring && self->pts && self->dur;
}

static GstFlowReturn window_push(GstSpryAggregate *self) {
  GstBuffer *out = gst_buffer_new_allocate(NULL, self->out_bytes, NULL);
  if (!out) {
    GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT, ("out of memory for a tensor window"), (NULL));
    return GST_FLOW_ERROR;
  }
  /* Once full, slot `next` holds the oldest frame: copy in time order. */
  guint oldest = self->next, newest = (self->next + self->window - 1) % self->window;
  gsize tail = (gsize)(self->window - oldest) * self->frame_bytes;
  gst_buffer_fill(out, 0, self->ring + (gsize)oldest * self->frame_bytes, tail);
  gst_buffer_fill(out, tail, self->ring, self->out_bytes - tail);
  GstClockTime start = self->pts[oldest], last = self->pts[newest], dur = self->dur[newest];
  GST_BUFFER_PTS(out) = start;
  if (GST_CLOCK_TIME_IS_VALID(start) && GST_CLOCK_TIME_IS_VALID(last) &&
      GST_CLOCK_TIME_IS_VALID(dur) && last + dur >= start)
    GST_BUFFER_DURATION(out) = last + dur - start;
  if (self->discont) GST_BUFFER_FLAG_SET(out, GST_BUFFER_FLAG_DISCONT);
  self->discont = FALSE;
  return gst_pad_push(self->srcpad, out);
}

static GstFlowReturn gst_spry_aggregate_chain(GstPad *pad, GstObject *parent, GstBuffer *buf) {
  (void)pad;
  GstSpryAggregate *self = GST_SPRY_AGGREGATE(parent);
  GError *error = NULL;
  if (!self->have_caps) {
    gst_buffer_unref(buf);
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("data arrived before any caps"), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!spry_tensors_buffer_check(&self->in, buf, &error)) {
    gst_buffer_unref(buf);
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("%s", error->message),
                      ("check the element before spryaggregate"));
    g_clear_error(&error);
    return GST_FLOW_ERROR;
  }
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT)) window_empty(self, "discontinuity");
  guint slot = self->next;
  gst_buffer_extract(buf, 0, self->ring + (gsize)slot * self->frame_bytes, self->frame_bytes);
  self->pts[slot] = GST_BUFFER_PTS(buf);
  self->dur[slot] = GST_BUFFER_DURATION(buf);
  gst_buffer_unref(buf);
  self->next = (slot + 1) % self->window;
  self->count = MIN(self->count + 1, self->window);
  self->arrived++;
  if (self->count < self->window || (self->arrived - self->window) % self->step != 0)
    return GST_FLOW_OK;
  return window_push(self);
}

/* ---- Caps -------------------------------------------------------------- */

/* Flattened: one dimension of all the window's elements (a model input such
 * as micro_speech's [1,1960] for 49 frames of 40 features). */
static gboolean flat_output_desc(GstSpryAggregate *self, const SpryTensorsDesc *in,
                                 SpryTensorsDesc *desc, GError **error) {
  guint64 elements = self->window;
  for (guint i = 0; i < in->rank; i++) elements *= in->dims[i];
  if (elements > G_MAXUINT32) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "a window of %u frames holds %" G_GUINT64_FORMAT " elements, more than a "
                "tensor dimension can", self->window, elements);
    return FALSE;
  }
  desc->rank = 1;
  desc->dims[0] = (guint32)elements;
  return TRUE;
}

/* The output: the input's dims without trailing 1s, then `window` (or all in
 * one dimension when flattening). */
static gboolean output_info(GstSpryAggregate *self, const SpryTensorsInfo *in,
                            SpryTensorsInfo *out, GError **error) {
  *out = *in;
  SpryTensorsDesc *desc = &out->tensors[0];
  desc->rank = spry_tensors_desc_effective_rank(&in->tensors[0]);
  if (self->flat) {
    if (!flat_output_desc(self, &in->tensors[0], desc, error)) return FALSE;
  } else if (desc->rank >= SPRY_TENSORS_RANK_MAX) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "a tensor of rank %u leaves no room for the window dimension (at most %d)",
                desc->rank, SPRY_TENSORS_RANK_MAX);
    return FALSE;
  } else {
    desc->dims[desc->rank++] = self->window;
  }
  /* One window every `step` frames; no framerate in, none out. */
  if (in->rate_d > 0 &&
      !gst_util_fraction_multiply(in->rate_n, in->rate_d, 1, (gint)self->step, &out->rate_n,
                                  &out->rate_d))
    out->rate_n = out->rate_d = 0;
  return spry_tensors_desc_byte_size(&in->tensors[0], &self->frame_bytes, error) &&
         spry_tensors_desc_byte_size(desc, &self->out_bytes, error);
}

static gboolean gst_spry_aggregate_set_caps(GstSpryAggregate *self, GstCaps *caps) {
  SpryTensorsInfo in, out;
  GError *error = NULL;
  GST_OBJECT_LOCK(self);
  guint window = self->frames, step = self->hop;
  gboolean flat = self->flatten;
  GST_OBJECT_UNLOCK(self);
  if (!spry_tensors_info_from_caps(caps, &in, &error)) goto fail;
  if (in.num_tensors != 1) {
    g_set_error(&error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "spryaggregate stacks a single tensor, but the caps carry %u", in.num_tensors);
    goto fail;
  }
  gboolean same = self->have_caps && self->window == window &&
                  spry_tensors_info_equal(&self->in, &in);
  self->window = window, self->step = step, self->flat = flat;
  if (!output_info(self, &in, &out, &error)) goto fail;
  if (!same) {
    window_empty(self, "new tensor shape");
    if (!window_alloc(self)) {
      g_set_error(&error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT,
                  "out of memory for a window of %u frames of %" G_GSIZE_FORMAT " bytes", window,
                  self->frame_bytes);
      goto fail;
    }
  }
  self->in = in;
  self->have_caps = TRUE;
  GstCaps *outcaps = spry_tensors_info_to_caps(&out);
  GST_DEBUG_OBJECT(self, "output caps %" GST_PTR_FORMAT, outcaps);
  gboolean ok = gst_pad_push_event(self->srcpad, gst_event_new_caps(outcaps));
  gst_caps_unref(outcaps);
  if (!ok) GST_WARNING_OBJECT(self, "downstream does not accept the window caps");
  return ok;

fail:
  GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", error->message),
                    ("input caps %" GST_PTR_FORMAT, caps));
  g_clear_error(&error);
  self->have_caps = FALSE;
  window_free(self);
  return FALSE;
}

/* ---- Events and states ------------------------------------------------- */

static gboolean gst_spry_aggregate_sink_event(GstPad *pad, GstObject *parent, GstEvent *event) {
  GstSpryAggregate *self = GST_SPRY_AGGREGATE(parent);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CAPS: {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    gboolean ok = gst_spry_aggregate_set_caps(self, caps);
    gst_event_unref(event);
    return ok;
  }
  case GST_EVENT_FLUSH_STOP: window_empty(self, "flush"); break;
  case GST_EVENT_SEGMENT: window_empty(self, "new segment"); break;
  case GST_EVENT_EOS:
    if (self->count > 0 && self->count < self->window)
      GST_INFO_OBJECT(self, "EOS: dropping a partial window of %u frames", self->count);
    break;
  default: break;
  }
  return gst_pad_event_default(pad, parent, event);
}

static GstStateChangeReturn gst_spry_aggregate_change_state(GstElement *element,
                                                            GstStateChange transition) {
  GstSpryAggregate *self = GST_SPRY_AGGREGATE(element);
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS(gst_spry_aggregate_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    window_free(self);
    self->have_caps = FALSE;
    self->arrived = 0;
    self->discont = TRUE;
  }
  return ret;
}

/* ---- GObject ----------------------------------------------------------- */

static void gst_spry_aggregate_set_property(GObject *object, guint id, const GValue *value,
                                            GParamSpec *pspec) {
  GstSpryAggregate *self = GST_SPRY_AGGREGATE(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_FRAMES: self->frames = g_value_get_uint(value); break;
  case PROP_HOP: self->hop = g_value_get_uint(value); break;
  case PROP_FLATTEN: self->flatten = g_value_get_boolean(value); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_aggregate_get_property(GObject *object, guint id, GValue *value,
                                            GParamSpec *pspec) {
  GstSpryAggregate *self = GST_SPRY_AGGREGATE(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_FRAMES: g_value_set_uint(value, self->frames); break;
  case PROP_HOP: g_value_set_uint(value, self->hop); break;
  case PROP_FLATTEN: g_value_set_boolean(value, self->flatten); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_spry_aggregate_finalize(GObject *object) {
  window_free(GST_SPRY_AGGREGATE(object));
  G_OBJECT_CLASS(gst_spry_aggregate_parent_class)->finalize(object);
}

static void gst_spry_aggregate_class_init(GstSpryAggregateClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->set_property = gst_spry_aggregate_set_property;
  gobject_class->get_property = gst_spry_aggregate_get_property;
  gobject_class->finalize = gst_spry_aggregate_finalize;
  element_class->change_state = GST_DEBUG_FUNCPTR(gst_spry_aggregate_change_state);

  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  g_object_class_install_property(gobject_class, PROP_FRAMES,
      g_param_spec_uint("frames", "Frames",
                        "Input frames stacked in each output tensor, its new outermost dimension "
                        "(e.g. 49 feature frames for keyword spotting)",
                        1, MAX_FRAMES, DEFAULT_FRAMES, flags));
  g_object_class_install_property(gobject_class, PROP_HOP,
      g_param_spec_uint("hop", "Hop",
                        "Input frames between two outputs once the window is full: 1 slides by "
                        "one frame, equal to frames gives windows that do not overlap",
                        1, MAX_FRAMES, DEFAULT_HOP, flags));
  g_object_class_install_property(gobject_class, PROP_FLATTEN,
      g_param_spec_boolean("flatten", "Flatten",
                           "Output the window as one dimension of all its elements (49 frames "
                           "of 40 features: 1960) for models that take a flat input",
                           FALSE, flags));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Spry tensor aggregator",
      "Filter/Tensor",
      "Stacks the last N tensor frames into one tensor, a sliding window over the stream",
      "Spry developers");
  GST_DEBUG_CATEGORY_INIT(spry_aggregate_debug, "spryaggregate", 0, "Spry tensor aggregator");
}

static void gst_spry_aggregate_init(GstSpryAggregate *self) {
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(self->sinkpad, GST_DEBUG_FUNCPTR(gst_spry_aggregate_chain));
  gst_pad_set_event_function(self->sinkpad, GST_DEBUG_FUNCPTR(gst_spry_aggregate_sink_event));
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  /* Caps queries: the current output once negotiated, else the template. */
  gst_pad_use_fixed_caps(self->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
  self->frames = DEFAULT_FRAMES;
  self->hop = DEFAULT_HOP;
  self->discont = TRUE;
}
