/* SPDX-License-Identifier: Apache-2.0 */
/* test_preprocess.c — spryinfer's frame → tensor conversion against a straightforward reference, for every input format and scaling mode. */
/*
 * The reference takes the straightforward path: the whole frame converted to
 * 16-bit RGB first, then each model pixel computed in double precision with a
 * tent filter at its centre (widened to the scale factor when shrinking), then
 * the normalisation formula. spryinfer instead converts and scales in one pass
 * into a model-sized image.
 *
 * Measured bounds, in steps of the 8-bit output, on a smooth picture:
 * - RGB-family and GRAY8 frames: within 2 steps (1.1 typical; the rest is the
 *   difference between GStreamer's linear resampler kernel and the tent).
 * - Chroma-subsampled YUV frames (I420, NV12, YUY2): within 4 steps. GStreamer
 *   scales the subsampled chroma planes before the colour matrix, which moves
 *   chroma by up to half a chroma sample against convert-then-scale.
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

#define FRAME_W 100
#define FRAME_H 76
#define MODEL_W 40
#define MODEL_H 30

/* A smooth colour picture, like a photograph: brightness varies faster than
 * colour (chroma-subsampled formats cannot carry finer colour detail, and
 * their siting conventions then do not matter). */
static double pattern(int x, int y, int c) {
  double luma = 120.0 + 70.0 * sin(x * 0.05) * cos(y * 0.06);
  double tint = 30.0 * sin(x * 0.012 + c * 2.1) * cos(y * 0.015 + c * 1.3);
  return luma + tint;
}

static GstBuffer *make_rgb_frame(GstVideoInfo *info) {
  gst_video_info_set_format(info, GST_VIDEO_FORMAT_RGB, FRAME_W, FRAME_H);
  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(info), NULL);
  GstVideoFrame f;
  assert_true(gst_video_frame_map(&f, info, buf, GST_MAP_WRITE));
  guint8 *p = GST_VIDEO_FRAME_PLANE_DATA(&f, 0);
  int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
  for (int y = 0; y < FRAME_H; y++)
    for (int x = 0; x < FRAME_W; x++)
      for (int c = 0; c < 3; c++) p[y * stride + 3 * x + c] = (guint8)lround(pattern(x, y, c));
  gst_video_frame_unmap(&f);
  return buf;
}

/* The picture in `format`, converted by GStreamer without scaling. */
static GstBuffer *make_frame(GstVideoFormat format, GstVideoInfo *info) {
  GstVideoInfo rgb_info;
  GstBuffer *rgb = make_rgb_frame(&rgb_info);
  gst_video_info_set_format(info, format, FRAME_W, FRAME_H);
  GstBuffer *out = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(info), NULL);
  GstStructure *opts = gst_structure_new("options", GST_VIDEO_CONVERTER_OPT_DITHER_METHOD,
                                         GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE, NULL);
  GstVideoConverter *conv = gst_video_converter_new(&rgb_info, info, opts);
  assert_non_null(conv);
  GstVideoFrame in, o;
  assert_true(gst_video_frame_map(&in, &rgb_info, rgb, GST_MAP_READ));
  assert_true(gst_video_frame_map(&o, info, out, GST_MAP_WRITE));
  gst_video_converter_frame(conv, &in, &o);
  gst_video_frame_unmap(&in);
  gst_video_frame_unmap(&o);
  gst_video_converter_free(conv);
  gst_buffer_unref(rgb);
  return out;
}

/* ---- Reference ------------------------------------------------------------------ */

/* The straightforward path: the whole frame converted to 16-bit RGB first (a
 * full-frame copy, which spryinfer avoids), read pixel by pixel. */
typedef struct FullFrame {
  GstVideoInfo info;
  GstBuffer *buf;
  GstVideoFrame frame;
} FullFrame;

static void full_frame_init(FullFrame *ff, const GstVideoInfo *src_info, GstBuffer *src) {
  gst_video_info_set_format(&ff->info, GST_VIDEO_FORMAT_ARGB64, FRAME_W, FRAME_H);
  ff->info.fps_n = src_info->fps_n;
  ff->info.fps_d = src_info->fps_d;
  ff->buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&ff->info), NULL);
  GstVideoConverter *conv = gst_video_converter_new(
      src_info, &ff->info,
      gst_structure_new("options", GST_VIDEO_CONVERTER_OPT_DITHER_METHOD,
                        GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE, NULL));
  assert_non_null(conv);
  GstVideoFrame in;
  assert_true(gst_video_frame_map(&in, src_info, src, GST_MAP_READ));
  assert_true(gst_video_frame_map(&ff->frame, &ff->info, ff->buf, GST_MAP_READWRITE));
  gst_video_converter_frame(conv, &in, &ff->frame);
  gst_video_frame_unmap(&in);
  gst_video_converter_free(conv);
}

static void full_frame_clear(FullFrame *ff) {
  gst_video_frame_unmap(&ff->frame);
  gst_buffer_unref(ff->buf);
}

/* RGB (0..255) of source pixel (x, y). */
static void reference_pixel(const FullFrame *ff, int x, int y, double rgb[3]) {
  const guint16 *row = (const guint16 *)(const void *)((const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
                                                            &ff->frame, 0) +
                                                        y * GST_VIDEO_FRAME_PLANE_STRIDE(&ff->frame, 0));
  for (int c = 0; c < 3; c++) rgb[c] = row[4 * x + 1 + c] / 257.0;
}

/* Tent-filtered sample at frame coordinates (fx, fy) (pixel centres at
 * +0.5): bilinear interpolation, widened to the scale factor when shrinking
 * (`sx`, `sy` frame pixels per model pixel) so every source pixel counts, as
 * any proper linear resampler does. Outside the frame is black (letterbox
 * borders). */
static void reference_sample(const FullFrame *f, double fx, double fy, double sx, double sy,
                             double rgb[3]) {
  rgb[0] = rgb[1] = rgb[2] = 0;
  if (fx < 0 || fy < 0 || fx > FRAME_W || fy > FRAME_H) return;
  double rx = MAX(1.0, sx), ry = MAX(1.0, sy); /* filter radii */
  double total = 0;
  for (int y = (int)floor(fy - ry); y <= (int)ceil(fy + ry); y++) {
    double wy = 1.0 - fabs(y + 0.5 - fy) / ry;
    if (wy <= 0) continue;
    for (int x = (int)floor(fx - rx); x <= (int)ceil(fx + rx); x++) {
      double wx = 1.0 - fabs(x + 0.5 - fx) / rx;
      if (wx <= 0) continue;
      double p[3];
      reference_pixel(f, CLAMP(x, 0, FRAME_W - 1), CLAMP(y, 0, FRAME_H - 1), p);
      for (int c = 0; c < 3; c++) rgb[c] += wx * wy * p[c];
      total += wx * wy;
    }
  }
  for (int c = 0; c < 3; c++) rgb[c] /= total;
}

/* ---- The comparison ---------------------------------------------------------------- */

typedef struct Case {
  GstVideoFormat format;
  SpryScaleMode mode;
  gint channels;
} Case;

/* Largest difference between the conversion and the reference, in steps of
 * the uint8 output (identity normalisation). Border pixels of letterboxing are
 * compared too (must be exactly black). */
static double max_error(const Case *k) {
  GstVideoInfo info;
  GstBuffer *buf = make_frame(k->format, &info);
  SpryPreprocessConfig config = {.type = SPRY_TYPE_UINT8, .scale = 1.0f, .zero_point = 0,
                                 .width = MODEL_W, .height = MODEL_H, .channels = k->channels,
                                 .mode = k->mode, .mean = {0, 0, 0}, .std = {1, 1, 1},
                                 .threads = 1};
  GError *error = NULL;
  SpryPreprocessor *pre = spry_preprocessor_new(&info, &config, &error);
  assert_non_null(pre);
  guint8 out[MODEL_W * MODEL_H * 3];
  GstVideoFrame f;
  assert_true(gst_video_frame_map(&f, &info, buf, GST_MAP_READ));
  assert_true(spry_preprocessor_run(pre, &f, out, (gsize)MODEL_W * MODEL_H * k->channels, &error));
  SpryMetaRegion r = spry_preprocessor_region(pre);
  FullFrame ff;
  full_frame_init(&ff, &info, buf);
  double worst = 0;
  for (int oy = 0; oy < MODEL_H; oy++) {
    for (int ox = 0; ox < MODEL_W; ox++) {
      double rgb[3];
      reference_sample(&ff, r.x + (ox + 0.5) * r.width / MODEL_W, r.y + (oy + 0.5) * r.height / MODEL_H,
                       r.width / MODEL_W, r.height / MODEL_H, rgb);
      for (int c = 0; c < k->channels; c++) {
        /* Grey models get the luma of the picture (BT.601 weights, full range). */
        double want = k->channels == 3 ? rgb[c] : 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
        want = CLAMP(want, 0, 255);
        double diff = fabs(out[(oy * MODEL_W + ox) * k->channels + c] - want);
        worst = MAX(worst, diff);
      }
    }
  }
  full_frame_clear(&ff);
  gst_video_frame_unmap(&f);
  spry_preprocessor_free(pre);
  gst_buffer_unref(buf);
  return worst;
}

static double tolerance(GstVideoFormat format) {
  const GstVideoFormatInfo *fi = gst_video_format_get_info(format);
  return GST_VIDEO_FORMAT_INFO_IS_YUV(fi) ? 4.0 : 2.0;
}

static void test_every_format_stretch(void **state) {
  (void)state;
  static const GstVideoFormat formats[] = {
      GST_VIDEO_FORMAT_RGB,  GST_VIDEO_FORMAT_BGR,  GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
      GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420,
      GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_YUY2};
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    Case k = {formats[i], SPRY_SCALE_STRETCH, 3};
    double err = max_error(&k);
    printf("%-6s stretch  max error %.3f\n", gst_video_format_to_string(formats[i]), err);
    assert_true(err <= tolerance(formats[i]));
  }
}

static void test_scaling_modes(void **state) {
  (void)state;
  static const GstVideoFormat formats[] = {GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_I420,
                                           GST_VIDEO_FORMAT_NV12};
  static const SpryScaleMode modes[] = {SPRY_SCALE_LETTERBOX, SPRY_SCALE_CROP};
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    for (size_t m = 0; m < G_N_ELEMENTS(modes); m++) {
      Case k = {formats[i], modes[m], 3};
      double err = max_error(&k);
      printf("%-6s %s max error %.3f\n", gst_video_format_to_string(formats[i]),
             modes[m] == SPRY_SCALE_CROP ? "crop     " : "letterbox", err);
      assert_true(err <= tolerance(formats[i]));
    }
  }
}

static void test_grey_model(void **state) {
  (void)state;
  static const GstVideoFormat formats[] = {GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420,
                                           GST_VIDEO_FORMAT_RGB};
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    Case k = {formats[i], SPRY_SCALE_STRETCH, 1};
    double err = max_error(&k);
    printf("%-6s -> grey  max error %.3f\n", gst_video_format_to_string(formats[i]), err);
    assert_true(err <= tolerance(formats[i]));
  }
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_format_stretch),
      cmocka_unit_test(test_scaling_modes),
      cmocka_unit_test(test_grey_model),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  gst_deinit();
  return failed;
}
