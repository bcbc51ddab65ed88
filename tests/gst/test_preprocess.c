/* SPDX-License-Identifier: Apache-2.0 */
/* test_preprocess.c — spryinfer's frame → tensor conversion against a plain double-precision reference of its definition, for every input format and scaling mode. */
/*
 * The reference is the definition written out simply, pixel by pixel in
 * double precision: each model pixel's centre mapped into the frame with half
 * pixel centres (the region the preprocessor reports, clamped to its source
 * rectangle; outside the frame is letterbox black), each component
 * interpolated bilinearly in its own plane's grid (chroma subsampling and
 * siting), YUV converted with the exact matrix and range and clamped to
 * 0..255, grey from RGB as BT.601 luma, then the normalisation formula.
 *
 * Every case must be within 1 step of the output. Measured maxima with uint8
 * identity normalisation (a step is one pixel value): 0.500 for every format
 * (RGB, BGR, RGBx, BGRx, RGBA, BGRA, GRAY8, I420, NV12, YUY2), RGB and grey
 * models, every scaling mode, shrinking and enlarging, on the smooth and the
 * sharp saturated pictures, odd sizes, padded rows, other chroma sitings and
 * colorimetries: only the final rounding remains. Other types (I420): int8
 * 0.500, uint8 with ImageNet mean/std 0.500, int16 (p * 256) 0.505 output
 * steps; float32 0.0001 pixel steps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include <gst/gst.h>
#include <gst/video/video.h>

#include "preprocess.h"

static const GstVideoFormat every_format[] = {
    GST_VIDEO_FORMAT_RGB,  GST_VIDEO_FORMAT_BGR,   GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA,  GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420,
    GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_YUY2};
static const SpryScaleMode every_mode[] = {SPRY_SCALE_STRETCH, SPRY_SCALE_LETTERBOX, SPRY_SCALE_CROP};
static const char *mode_names[] = {"stretch", "letterbox", "crop"};

/* ---- Test pictures ---------------------------------------------------------------- */

typedef enum { SMOOTH, SHARP } Picture;

/* A smooth colour picture, like a photograph: brightness varies faster than
 * colour. */
static double smooth(int x, int y, int c) {
  double luma = 120.0 + 70.0 * sin(x * 0.05) * cos(y * 0.06);
  double tint = 30.0 * sin(x * 0.012 + c * 2.1) * cos(y * 0.015 + c * 1.3);
  return luma + tint;
}

/* Hard-edged blocks of extreme and near-extreme values in every component,
 * independently: YUV combinations far outside the RGB gamut (clamping). */
static guint8 sharp(int x, int y, int c) {
  static const guint8 levels[] = {0, 255, 16, 235, 128, 240, 1, 254};
  return levels[(x / 3 + 2 * (y / 4) + 3 * c) % 8];
}

/* Frame description: `padding` extra bytes at the end of every row. */
typedef struct FrameSpec {
  GstVideoFormat format;
  int width, height, padding;
  Picture picture;
  GstVideoChromaSite site;   /* 0: the format's default */
  const char *colorimetry;   /* NULL: the default */
} FrameSpec;

static void frame_info(const FrameSpec *s, GstVideoInfo *info) {
  gst_video_info_set_format(info, s->format, (guint)s->width, (guint)s->height);
  if (s->site) info->chroma_site = s->site;
  if (s->colorimetry) assert_true(gst_video_colorimetry_from_string(&info->colorimetry, s->colorimetry));
  if (s->padding) {
    GstVideoAlignment align;
    gst_video_alignment_reset(&align);
    align.padding_right = (guint)s->padding;
    assert_true(gst_video_info_align(info, &align));
  }
}

/* The smooth picture as RGB, converted by GStreamer into `info`. */
static void convert_smooth(const GstVideoInfo *info, GstBuffer *out) {
  GstVideoInfo rgb_info;
  gst_video_info_set_format(&rgb_info, GST_VIDEO_FORMAT_RGB, (guint)info->width, (guint)info->height);
  GstBuffer *rgb = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&rgb_info), NULL);
  GstVideoFrame in, o;
  assert_true(gst_video_frame_map(&in, &rgb_info, rgb, GST_MAP_WRITE));
  guint8 *p = GST_VIDEO_FRAME_PLANE_DATA(&in, 0);
  for (int y = 0; y < info->height; y++)
    for (int x = 0; x < info->width; x++)
      for (int c = 0; c < 3; c++)
        p[y * GST_VIDEO_FRAME_PLANE_STRIDE(&in, 0) + 3 * x + c] = (guint8)lround(smooth(x, y, c));
  GstVideoConverter *conv = gst_video_converter_new(
      &rgb_info, info,
      gst_structure_new("options", GST_VIDEO_CONVERTER_OPT_DITHER_METHOD,
                        GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE, NULL));
  assert_non_null(conv);
  assert_true(gst_video_frame_map(&o, info, out, GST_MAP_WRITE));
  gst_video_converter_frame(conv, &in, &o);
  gst_video_frame_unmap(&o);
  gst_video_frame_unmap(&in);
  gst_video_converter_free(conv);
  gst_buffer_unref(rgb);
}

/* The sharp picture written straight into every component's samples. */
static void write_sharp(const GstVideoInfo *info, GstBuffer *out) {
  GstVideoFrame f;
  assert_true(gst_video_frame_map(&f, info, out, GST_MAP_WRITE));
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(&f); c++) {
    guint8 *p = GST_VIDEO_FRAME_COMP_DATA(&f, c);
    for (int y = 0; y < GST_VIDEO_FRAME_COMP_HEIGHT(&f, c); y++)
      for (int x = 0; x < GST_VIDEO_FRAME_COMP_WIDTH(&f, c); x++)
        p[y * GST_VIDEO_FRAME_COMP_STRIDE(&f, c) + x * GST_VIDEO_FRAME_COMP_PSTRIDE(&f, c)] =
            sharp(x, y, (int)c);
  }
  gst_video_frame_unmap(&f);
}

static GstBuffer *make_frame(const FrameSpec *s, GstVideoInfo *info) {
  frame_info(s, info);
  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(info), NULL);
  /* Padding and unused bytes hold a value no picture has nearby. */
  gst_buffer_memset(buf, 0, 0x5a, GST_VIDEO_INFO_SIZE(info));
  if (s->picture == SMOOTH) convert_smooth(info, buf);
  else write_sharp(info, buf);
  return buf;
}

/* ---- Reference ------------------------------------------------------------------ */

static double sample_at(const GstVideoFrame *f, int c, int x, int y) {
  const guint8 *p = GST_VIDEO_FRAME_COMP_DATA(f, c);
  return p[y * GST_VIDEO_FRAME_COMP_STRIDE(f, c) + x * GST_VIDEO_FRAME_COMP_PSTRIDE(f, c)];
}

/* Component c interpolated bilinearly at frame point (u, v) (luma pixels,
 * centres at integers), in its own grid: subsampled by 2^sub, its samples on
 * their first luma sample when cosited, else in the middle of them. */
static double bilinear(const GstVideoFrame *f, int c, double u, double v) {
  const GstVideoFormatInfo *fi = f->info.finfo;
  const double sx = 1 << GST_VIDEO_FORMAT_INFO_W_SUB(fi, c), sy = 1 << GST_VIDEO_FORMAT_INFO_H_SUB(fi, c);
  const double ox = f->info.chroma_site & GST_VIDEO_CHROMA_SITE_H_COSITED ? 0 : (sx - 1) / 2;
  const double oy = f->info.chroma_site & GST_VIDEO_CHROMA_SITE_V_COSITED ? 0 : (sy - 1) / 2;
  const int w = GST_VIDEO_FRAME_COMP_WIDTH(f, c), h = GST_VIDEO_FRAME_COMP_HEIGHT(f, c);
  double x = CLAMP((u - ox) / sx, 0, w - 1), y = CLAMP((v - oy) / sy, 0, h - 1);
  int x0 = (int)floor(x), y0 = (int)floor(y), x1 = MIN(x0 + 1, w - 1), y1 = MIN(y0 + 1, h - 1);
  double ax = x - x0, ay = y - y0;
  return (1 - ay) * ((1 - ax) * sample_at(f, c, x0, y0) + ax * sample_at(f, c, x1, y0)) +
         ay * ((1 - ax) * sample_at(f, c, x0, y1) + ax * sample_at(f, c, x1, y1));
}

/* Y' in 0..1 and Cb, Cr in -0.5..0.5 from the samples and the range. */
static void yuv_unit(const GstVideoInfo *info, double y, double u, double v, double out[3]) {
  gboolean full = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  out[0] = full ? y / 255 : (y - 16) / 219;
  out[1] = (u - 128) / (full ? 255 : 224);
  out[2] = (v - 128) / (full ? 255 : 224);
}

/* RGB pixel values (0..255) of the frame at (u, v). */
static void reference_rgb(const GstVideoFrame *f, double u, double v, double rgb[3]) {
  const GstVideoFormatInfo *fi = f->info.finfo;
  if (GST_VIDEO_FORMAT_INFO_IS_GRAY(fi)) {
    rgb[0] = rgb[1] = rgb[2] = bilinear(f, 0, u, v);
    return;
  }
  if (GST_VIDEO_FORMAT_INFO_IS_RGB(fi)) {
    for (int c = 0; c < 3; c++) rgb[c] = bilinear(f, c, u, v);
    return;
  }
  const GstVideoColorMatrix m = f->info.colorimetry.matrix;
  assert_true(m == GST_VIDEO_COLOR_MATRIX_BT601 || m == GST_VIDEO_COLOR_MATRIX_BT709);
  const double kr = m == GST_VIDEO_COLOR_MATRIX_BT601 ? 0.299 : 0.2126;
  const double kb = m == GST_VIDEO_COLOR_MATRIX_BT601 ? 0.114 : 0.0722, kg = 1 - kr - kb;
  double yuv[3];
  yuv_unit(&f->info, bilinear(f, 0, u, v), bilinear(f, 1, u, v), bilinear(f, 2, u, v), yuv);
  rgb[0] = yuv[0] + 2 * (1 - kr) * yuv[2];
  rgb[1] = yuv[0] - 2 * kb * (1 - kb) / kg * yuv[1] - 2 * kr * (1 - kr) / kg * yuv[2];
  rgb[2] = yuv[0] + 2 * (1 - kb) * yuv[1];
  for (int c = 0; c < 3; c++) rgb[c] = CLAMP(255 * rgb[c], 0, 255);
}

/* Grey: BT.601 luma of RGB frames, Y expanded from its range for YUV. */
static double reference_grey(const GstVideoFrame *f, double u, double v) {
  const GstVideoFormatInfo *fi = f->info.finfo;
  if (GST_VIDEO_FORMAT_INFO_IS_YUV(fi)) {
    double yuv[3];
    yuv_unit(&f->info, bilinear(f, 0, u, v), 128, 128, yuv);
    return CLAMP(255 * yuv[0], 0, 255);
  }
  double rgb[3];
  reference_rgb(f, u, v, rgb);
  return GST_VIDEO_FORMAT_INFO_IS_GRAY(fi) ? rgb[0] : 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

/* Pixel values of model pixel (ox, oy): its centre in the frame through the
 * region, clamped to the source rectangle (the region within the frame);
 * black outside the frame. */
static void reference_pixel(const GstVideoFrame *f, SpryMetaRegion r, int mw, int mh, int ox, int oy,
                            int channels, double out[3]) {
  const double fw = f->info.width, fh = f->info.height;
  const double fx = r.x + (ox + 0.5) * r.width / mw, fy = r.y + (oy + 0.5) * r.height / mh;
  out[0] = out[1] = out[2] = 0;
  if (fx < 0 || fy < 0 || fx > fw || fy > fh) return;
  const double u = CLAMP(fx - 0.5, MAX(0, r.x), MIN(fw, r.x + r.width) - 1);
  const double v = CLAMP(fy - 0.5, MAX(0, r.y), MIN(fh, r.y + r.height) - 1);
  if (channels == 1) out[0] = reference_grey(f, u, v);
  else reference_rgb(f, u, v, out);
}

/* ---- The comparison ---------------------------------------------------------------- */

typedef struct Case {
  FrameSpec frame;
  SpryScaleMode mode;
  int channels, model_w, model_h;
  SpryType type;          /* UINT8 with identity normalisation unless set */
  float scale, mean, std;
  int zero_point;
} Case;

/* Tensor value i as a double. */
static double tensor_value(const void *t, SpryType type, int i) {
  switch (type) {
  case SPRY_TYPE_FLOAT32: return ((const float *)t)[i];
  case SPRY_TYPE_INT16: return ((const gint16 *)t)[i];
  case SPRY_TYPE_INT8: return ((const gint8 *)t)[i];
  default: return ((const guint8 *)t)[i];
  }
}

/* The normalisation formula: (p - mean) / std, quantized and clamped. */
static double normalise(const Case *k, double p) {
  double real = (p - k->mean) / k->std;
  if (k->type == SPRY_TYPE_FLOAT32) return real;
  double q = real / k->scale + k->zero_point;
  double lo = k->type == SPRY_TYPE_INT16 ? -32768 : k->type == SPRY_TYPE_INT8 ? -128 : 0;
  double hi = k->type == SPRY_TYPE_INT16 ? 32767 : k->type == SPRY_TYPE_INT8 ? 127 : 255;
  return CLAMP(q, lo, hi);
}

/* Largest difference between the conversion and the reference, in output
 * steps (float32: in pixel steps). */
static double max_error(const Case *k) {
  GstVideoInfo info;
  GstBuffer *buf = make_frame(&k->frame, &info);
  SpryPreprocessConfig config = {.type = k->type, .scale = k->scale, .zero_point = k->zero_point,
                                 .width = k->model_w, .height = k->model_h, .channels = k->channels,
                                 .mode = k->mode, .mean = {k->mean, k->mean, k->mean},
                                 .std = {k->std, k->std, k->std}, .threads = 1};
  GError *error = NULL;
  SpryPreprocessor *pre = spry_preprocessor_new(&info, &config, &error);
  assert_non_null(pre);
  const gsize size = (gsize)k->model_w * k->model_h * k->channels *
                     (k->type == SPRY_TYPE_FLOAT32 ? 4 : k->type == SPRY_TYPE_INT16 ? 2 : 1);
  void *out = g_malloc(size);
  GstVideoFrame f;
  assert_true(gst_video_frame_map(&f, &info, buf, GST_MAP_READ));
  assert_true(spry_preprocessor_run(pre, &f, out, size, &error));
  const SpryMetaRegion r = spry_preprocessor_region(pre);
  double worst = 0;
  for (int oy = 0; oy < k->model_h; oy++) {
    for (int ox = 0; ox < k->model_w; ox++) {
      double p[3];
      reference_pixel(&f, r, k->model_w, k->model_h, ox, oy, k->channels, p);
      for (int c = 0; c < k->channels; c++) {
        double got = tensor_value(out, k->type, (oy * k->model_w + ox) * k->channels + c);
        double diff = fabs(got - normalise(k, p[c]));
        worst = MAX(worst, k->type == SPRY_TYPE_FLOAT32 ? diff * k->std : diff);
      }
    }
  }
  gst_video_frame_unmap(&f);
  g_free(out);
  spry_preprocessor_free(pre);
  gst_buffer_unref(buf);
  return worst;
}

static Case identity_case(GstVideoFormat format, int w, int h, Picture picture, SpryScaleMode mode,
                          int channels, int model_w, int model_h) {
  return (Case){.frame = {.format = format, .width = w, .height = h, .picture = picture},
                .mode = mode, .channels = channels, .model_w = model_w, .model_h = model_h,
                .type = SPRY_TYPE_UINT8, .scale = 1.0f, .mean = 0.0f, .std = 1.0f};
}

static double check(const Case *k, const char *what) {
  double err = max_error(k);
  printf("%-6s %4dx%-3d %-9s %s -> %dx%dx%d: max error %.4f\n",
         gst_video_format_to_string(k->frame.format), k->frame.width, k->frame.height,
         mode_names[k->mode], what, k->model_w, k->model_h, k->channels, err);
  assert_true(err <= 1.0);
  return err;
}

/* Every format, every mode, shrinking to RGB and grey models. */
static void test_smooth_picture(void **state) {
  (void)state;
  for (size_t i = 0; i < G_N_ELEMENTS(every_format); i++) {
    for (size_t m = 0; m < G_N_ELEMENTS(every_mode); m++) {
      for (int channels = 1; channels <= 3; channels += 2) {
        Case k = identity_case(every_format[i], 100, 76, SMOOTH, every_mode[m], channels, 40, 30);
        check(&k, "smooth");
      }
    }
  }
}

/* Sharp saturated blocks on odd frame sizes (odd chroma planes, YUY2's last
 * half macropixel), shrinking, enlarging and odd model sizes. */
static void test_sharp_odd_sizes(void **state) {
  (void)state;
  static const int models[][2] = {{37, 29}, {130, 90}, {40, 40}};
  for (size_t i = 0; i < G_N_ELEMENTS(every_format); i++) {
    for (size_t m = 0; m < G_N_ELEMENTS(every_mode); m++) {
      for (size_t s = 0; s < G_N_ELEMENTS(models); s++) {
        Case k = identity_case(every_format[i], 101, 77, SHARP, every_mode[m], 3, models[s][0],
                               models[s][1]);
        check(&k, "sharp ");
        k.channels = 1;
        check(&k, "sharp ");
      }
    }
  }
}

/* Rows longer than the picture: only the picture's bytes may count. */
static void test_row_padding(void **state) {
  (void)state;
  for (size_t i = 0; i < G_N_ELEMENTS(every_format); i++) {
    for (Picture p = SMOOTH; p <= SHARP; p++) {
      Case k = identity_case(every_format[i], 101, 77, p, SPRY_SCALE_LETTERBOX, 3, 50, 50);
      k.frame.padding = 13;
      GstVideoInfo info;
      frame_info(&k.frame, &info);
      assert_true(GST_VIDEO_INFO_PLANE_STRIDE(&info, 0) >
                  101 * GST_VIDEO_FORMAT_INFO_PSTRIDE(info.finfo, 0));
      check(&k, "padded");
    }
  }
}

/* Chroma siting and colorimetry other than the defaults. */
static void test_siting_and_colorimetry(void **state) {
  (void)state;
  static const GstVideoFormat formats[] = {GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12,
                                           GST_VIDEO_FORMAT_YUY2};
  static const GstVideoChromaSite sites[] = {GST_VIDEO_CHROMA_SITE_MPEG2, GST_VIDEO_CHROMA_SITE_COSITED,
                                             GST_VIDEO_CHROMA_SITE_JPEG};
  static const char *colorimetries[] = {"bt709", "1:4:0:0" /* full-range BT.601 */, "bt601"};
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    for (size_t s = 0; s < G_N_ELEMENTS(sites); s++) {
      Case k = identity_case(formats[i], 101, 77, SHARP, SPRY_SCALE_STRETCH, 3, 130, 90);
      k.frame.site = sites[s];
      k.frame.colorimetry = colorimetries[s];
      check(&k, colorimetries[s]);
      k.channels = 1;
      check(&k, colorimetries[s]);
    }
  }
}

/* The normalisation formula for every tensor type, clamping included. */
static void test_tensor_types(void **state) {
  (void)state;
  static const struct {
    SpryType type;
    float scale, mean, std;
    int zero_point;
  } types[] = {
      {SPRY_TYPE_FLOAT32, 0, 127.5f, 127.5f, 0},
      {SPRY_TYPE_INT8, 0.0078125f, 128.0f, 1.0f / 0.0078125f, 0}, /* p - 128 */
      {SPRY_TYPE_UINT8, 0.0186f, 123.7f, 58.4f, 114},             /* ImageNet-style, clamps */
      {SPRY_TYPE_INT16, 1.0f / 256, 0.0f, 1.0f, 0},               /* p * 256, clamps at 32767 */
  };
  for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
    for (Picture p = SMOOTH; p <= SHARP; p++) {
      Case k = identity_case(GST_VIDEO_FORMAT_I420, 101, 77, p, SPRY_SCALE_LETTERBOX, 3, 40, 40);
      k.type = types[t].type;
      k.scale = types[t].scale;
      k.mean = types[t].mean;
      k.std = types[t].std;
      k.zero_point = types[t].zero_point;
      check(&k, spry_type_name(k.type));
    }
  }
}

/* A frame of another size than the set-up one is refused, not read. */
static void test_frame_mismatch(void **state) {
  (void)state;
  GstVideoInfo set_up, other;
  gst_video_info_set_format(&set_up, GST_VIDEO_FORMAT_I420, 64, 48);
  gst_video_info_set_format(&other, GST_VIDEO_FORMAT_I420, 32, 24);
  SpryPreprocessConfig config = {.type = SPRY_TYPE_UINT8, .scale = 1.0f, .width = 8, .height = 8,
                                 .channels = 3, .std = {1, 1, 1}};
  GError *error = NULL;
  SpryPreprocessor *pre = spry_preprocessor_new(&set_up, &config, &error);
  assert_non_null(pre);
  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&other), NULL);
  GstVideoFrame f;
  guint8 out[8 * 8 * 3];
  assert_true(gst_video_frame_map(&f, &other, buf, GST_MAP_READ));
  assert_false(spry_preprocessor_run(pre, &f, out, sizeof out, &error));
  assert_non_null(error);
  g_clear_error(&error);
  gst_video_frame_unmap(&f);
  gst_buffer_unref(buf);
  spry_preprocessor_free(pre);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_smooth_picture),
      cmocka_unit_test(test_sharp_odd_sizes),
      cmocka_unit_test(test_row_padding),
      cmocka_unit_test(test_siting_and_colorimetry),
      cmocka_unit_test(test_tensor_types),
      cmocka_unit_test(test_frame_mismatch),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
