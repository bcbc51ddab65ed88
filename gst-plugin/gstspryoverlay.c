/* SPDX-License-Identifier: Apache-2.0 */
/* gstspryoverlay.c — the spryoverlay element: draws boxes, labels, masks and keypoints onto the frames with cairo. */
/**
 * SECTION:element-spryoverlay
 *
 * Draws what sprydecode attached to each frame: detection boxes with their
 * label and score, the top classifications, segmentation masks blended over
 * the picture (background, class 0, left clear) and keypoints. Works on
 * BGRx/BGRA frames (cairo's native layout); put a videoconvert in front.
 *
 * |[
 * gst-launch-1.0 ... ! sprydecode task=detect ! videoconvert ! spryoverlay ! videoconvert ! pngenc ! filesink location=out.png
 * ]|
 */
#include "gstspryoverlay.h"

#include <math.h>

#include <cairo.h>

#include "result_metas.h"

GST_DEBUG_CATEGORY_STATIC(spry_overlay_debug);
#define GST_CAT_DEFAULT spry_overlay_debug

enum { PROP_0, PROP_MASK_ALPHA, PROP_LINE_WIDTH, PROP_FONT_SIZE, PROP_SHOW_LABELS };

#define DEFAULT_MASK_ALPHA 0.5
#define DEFAULT_LINE_WIDTH 2.0
#define DEFAULT_FONT_SIZE 14.0

/* Cairo's ARGB32/RGB24 are B, G, R, A/x bytes on little-endian machines. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define OVERLAY_CAPS GST_VIDEO_CAPS_MAKE("{ BGRx, BGRA }")
#else
#define OVERLAY_CAPS GST_VIDEO_CAPS_MAKE("{ xRGB, ARGB }")
#endif

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(OVERLAY_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(OVERLAY_CAPS));

G_DEFINE_TYPE(GstSpryOverlay, gst_spry_overlay, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE(spryoverlay, "spryoverlay", GST_RANK_NONE, GST_TYPE_SPRY_OVERLAY);

typedef struct Colour {
  double r, g, b;
} Colour;

/* A distinct, stable colour per class index (golden-angle hue steps). */
static Colour class_colour(gint index) {
  double h = fmod((double)(index < 0 ? 0 : index) * 137.508, 360.0) / 60.0;
  double x = 1.0 - fabs(fmod(h, 2.0) - 1.0);
  Colour c = {0, 0, 0};
  switch ((int)h) {
  case 0: c = (Colour){1, x, 0}; break;
  case 1: c = (Colour){x, 1, 0}; break;
  case 2: c = (Colour){0, 1, x}; break;
  case 3: c = (Colour){0, x, 1}; break;
  case 4: c = (Colour){x, 0, 1}; break;
  default: c = (Colour){1, 0, x}; break;
  }
  return c;
}

/* ---- Masks: blended pixel by pixel (cairo would need a frame-sized image) ---- */

static void blend_mask(GstVideoFrame *frame, const SprySegmentationMeta *m, double alpha) {
  const gint fw = GST_VIDEO_FRAME_WIDTH(frame), fh = GST_VIDEO_FRAME_HEIGHT(frame);
  guint8 *pixels = GST_VIDEO_FRAME_PLANE_DATA(frame, 0);
  const gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
  const guint a = (guint)(alpha * 256.0 + 0.5);
  guint8 lut[256][3];
  for (guint c = 0; c < 256; c++) {
    Colour col = class_colour((gint)c);
    lut[c][0] = (guint8)(col.b * 255);
    lut[c][1] = (guint8)(col.g * 255);
    lut[c][2] = (guint8)(col.r * 255);
  }
  for (gint y = 0; y < fh; y++) {
    double my = ((y + 0.5) - m->region.y) / m->region.height * m->height;
    if (my < 0 || my >= m->height) continue;
    const guint8 *row = m->classes + (gsize)my * (gsize)m->width;
    guint8 *dst = pixels + (gsize)y * (gsize)stride;
    for (gint x = 0; x < fw; x++) {
      double mx = ((x + 0.5) - m->region.x) / m->region.width * m->width;
      if (mx < 0 || mx >= m->width) continue;
      guint8 cls = row[(gsize)mx];
      if (cls == 0) continue; /* background stays clear */
      for (int k = 0; k < 3; k++)
        dst[4 * x + k] = (guint8)((dst[4 * x + k] * (256 - a) + lut[cls][k] * a) >> 8);
    }
  }
}

/* ---- Vector drawing ----------------------------------------------------------------- */

static void draw_text_box(cairo_t *cr, double x, double y, const gchar *text, Colour bg,
                          double font_size) {
  cairo_set_font_size(cr, font_size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text, &ext);
  double pad = font_size * 0.25;
  cairo_set_source_rgba(cr, bg.r, bg.g, bg.b, 0.8);
  cairo_rectangle(cr, x, y, ext.x_advance + 2 * pad, font_size + 2 * pad);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, x + pad, y + pad + font_size * 0.8);
  cairo_show_text(cr, text);
}

static void draw_detections(GstSpryOverlay *self, cairo_t *cr, GstBuffer *buf) {
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered(buf, &state,
                                                  GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
    const GstStructure *s = gst_video_region_of_interest_meta_get_param(roi, SPRY_DETECTION_PARAMS_NAME);
    gint index = 0;
    gdouble score = 0;
    if (s) {
      gst_structure_get_int(s, "index", &index);
      gst_structure_get_double(s, "confidence", &score);
    }
    Colour c = class_colour(index);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, self->line_width);
    cairo_rectangle(cr, roi->x, roi->y, roi->w, roi->h);
    cairo_stroke(cr);
    if (self->show_labels) {
      gchar *text = g_strdup_printf("%s %.2f", roi->roi_type ? g_quark_to_string(roi->roi_type) : "?",
                                    score);
      draw_text_box(cr, roi->x, MAX(0.0, roi->y - self->font_size * 1.5), text, c, self->font_size);
      g_free(text);
    }
  }
}

static void draw_classifications(GstSpryOverlay *self, cairo_t *cr, GstBuffer *buf) {
  const SpryClassificationMeta *m = spry_buffer_get_classification_meta(buf);
  if (!m || !self->show_labels) return;
  for (guint i = 0; i < m->count && i < 3; i++) {
    gchar *text = m->entries[i].label
                      ? g_strdup_printf("%s %.2f", m->entries[i].label, m->entries[i].score)
                      : g_strdup_printf("#%d %.2f", m->entries[i].index, m->entries[i].score);
    draw_text_box(cr, 4, 4 + i * self->font_size * 1.6, text, (Colour){1, 1, 1}, self->font_size);
    g_free(text);
  }
}

static void draw_keypoints(GstSpryOverlay *self, cairo_t *cr, GstBuffer *buf) {
  const SpryKeypointsMeta *m = spry_buffer_get_keypoints_meta(buf);
  if (!m) return;
  for (guint i = 0; i < m->count && i < SPRY_META_MAX_KEYPOINTS; i++) {
    Colour c = class_colour((gint)i);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_arc(cr, m->points[i].x, m->points[i].y, self->line_width * 2, 0, 2 * G_PI);
    cairo_fill(cr);
  }
}

static GstFlowReturn gst_spry_overlay_transform_frame_ip(GstVideoFilter *filter, GstVideoFrame *frame) {
  GstSpryOverlay *self = GST_SPRY_OVERLAY(filter);
  GstBuffer *buf = frame->buffer;
  const SprySegmentationMeta *mask = spry_buffer_get_segmentation_meta(buf);
  if (mask && mask->width > 0 && mask->height > 0 && mask->region.width > 0 && mask->region.height > 0)
    blend_mask(frame, mask, self->mask_alpha);

  cairo_surface_t *surface = cairo_image_surface_create_for_data(
      GST_VIDEO_FRAME_PLANE_DATA(frame, 0),
      GST_VIDEO_INFO_HAS_ALPHA(&frame->info) ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
      GST_VIDEO_FRAME_WIDTH(frame), GST_VIDEO_FRAME_HEIGHT(frame),
      GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0));
  cairo_t *cr = cairo_create(surface);
  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("cannot draw on the frame: %s",
                      cairo_status_to_string(cairo_status(cr))), (NULL));
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return GST_FLOW_ERROR;
  }
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  draw_detections(self, cr, buf);
  draw_classifications(self, cr, buf);
  draw_keypoints(self, cr, buf);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  cairo_surface_destroy(surface);
  return GST_FLOW_OK;
}

static void gst_spry_overlay_set_property(GObject *object, guint id, const GValue *value,
                                          GParamSpec *pspec) {
  GstSpryOverlay *self = GST_SPRY_OVERLAY(object);
  switch (id) {
  case PROP_MASK_ALPHA: self->mask_alpha = g_value_get_double(value); break;
  case PROP_LINE_WIDTH: self->line_width = g_value_get_double(value); break;
  case PROP_FONT_SIZE: self->font_size = g_value_get_double(value); break;
  case PROP_SHOW_LABELS: self->show_labels = g_value_get_boolean(value); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

static void gst_spry_overlay_get_property(GObject *object, guint id, GValue *value,
                                          GParamSpec *pspec) {
  GstSpryOverlay *self = GST_SPRY_OVERLAY(object);
  switch (id) {
  case PROP_MASK_ALPHA: g_value_set_double(value, self->mask_alpha); break;
  case PROP_LINE_WIDTH: g_value_set_double(value, self->line_width); break;
  case PROP_FONT_SIZE: g_value_set_double(value, self->font_size); break;
  case PROP_SHOW_LABELS: g_value_set_boolean(value, self->show_labels); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec); break;
  }
}

static void gst_spry_overlay_class_init(GstSpryOverlayClass *klass) {
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS(klass);

  gobject_class->set_property = gst_spry_overlay_set_property;
  gobject_class->get_property = gst_spry_overlay_get_property;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE;
  g_object_class_install_property(gobject_class, PROP_MASK_ALPHA,
      g_param_spec_double("mask-alpha", "Mask opacity",
                          "Opacity of segmentation masks (0: invisible, 1: opaque)", 0, 1,
                          DEFAULT_MASK_ALPHA, rw));
  g_object_class_install_property(gobject_class, PROP_LINE_WIDTH,
      g_param_spec_double("line-width", "Line width", "Width of box outlines in pixels", 0.5, 64,
                          DEFAULT_LINE_WIDTH, rw));
  g_object_class_install_property(gobject_class, PROP_FONT_SIZE,
      g_param_spec_double("font-size", "Font size", "Size of label text in pixels", 4, 256,
                          DEFAULT_FONT_SIZE, rw));
  g_object_class_install_property(gobject_class, PROP_SHOW_LABELS,
      g_param_spec_boolean("show-labels", "Show labels", "Write labels and scores", TRUE, rw));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Spry result overlay", "Filter/Effect/Video",
      "Draws detections, classifications, segmentation masks and keypoints onto the video",
      "Spry developers");
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR(gst_spry_overlay_transform_frame_ip);
  GST_DEBUG_CATEGORY_INIT(spry_overlay_debug, "spryoverlay", 0, "Spry result overlay");
}

static void gst_spry_overlay_init(GstSpryOverlay *self) {
  self->mask_alpha = DEFAULT_MASK_ALPHA;
  self->line_width = DEFAULT_LINE_WIDTH;
  self->font_size = DEFAULT_FONT_SIZE;
  self->show_labels = TRUE;
}
