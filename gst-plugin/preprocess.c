/* SPDX-License-Identifier: Apache-2.0 */
/* preprocess.c — frame → input tensor: GstVideoConverter does colour conversion
 * and scaling in one pass into a model-sized 16-bit RGB/grey image, then one
 * affine map per channel gives the tensor's values and quantization. */
/*
 * The only intermediate is model-sized (e.g. 224×224×3), never frame-sized.
 * It has 16 bits per channel because GStreamer's 8-bit YUV→RGB fast paths are
 * up to 3 steps off the exact matrix; through 16 bits the result stays within
 * one step of an exact conversion.
 */
#include "preprocess.h"

#include <math.h>
#include <string.h>

struct SpryPreprocessor {
  SpryPreprocessConfig config;
  GstVideoInfo frame_info;
  GstVideoInfo image_info;    /* model-sized RGB or GRAY8 */
  GstVideoConverter *converter;
  GstBuffer *image;
  SpryMetaRegion region;
  gsize element_size;
  /* Tensor value (before rounding and clamping) = 16-bit sample * gain + bias. */
  gfloat gain[3], bias[3];
  gfloat lo, hi; /* the output type's range */
};

gboolean spry_preprocess_config_from_tensor(const SpryTensorInfo *input, SpryPreprocessConfig *config,
                                            GError **error) {
  gboolean type_ok = input->type == SPRY_TYPE_FLOAT32 || input->type == SPRY_TYPE_UINT8 ||
                     input->type == SPRY_TYPE_INT8 || input->type == SPRY_TYPE_INT16;
  gboolean shape_ok = input->rank == 4 && input->dims[0] == 1 && input->dims[1] > 0 &&
                      input->dims[2] > 0 && (input->dims[3] == 1 || input->dims[3] == 3);
  if (!type_ok || !shape_ok) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "the model input '%s' is %s with rank %d; an image input must be "
                "[1,height,width,1 or 3] of float32, uint8, int8 or int16",
                input->name ? input->name : "", spry_type_name(input->type), (int)input->rank);
    return FALSE;
  }
  config->type = input->type;
  config->scale = input->scale;
  config->zero_point = input->zero_point;
  config->height = input->dims[1];
  config->width = input->dims[2];
  config->channels = input->dims[3];
  return TRUE;
}

void spry_preprocess_default_normalization(SpryPreprocessConfig *config) {
  gboolean quantized8 = config->scale > 0 &&
                        (config->type == SPRY_TYPE_UINT8 || config->type == SPRY_TYPE_INT8);
  for (int c = 0; c < 3; c++) {
    if (quantized8) {
      /* Real value whose quantized form is p (uint8) or p - 128 (int8). */
      gint offset = config->type == SPRY_TYPE_INT8 ? 128 : 0;
      config->mean[c] = (gfloat)(config->zero_point + offset);
      config->std[c] = 1.0f / config->scale;
    } else {
      config->mean[c] = 127.5f;
      config->std[c] = 127.5f;
    }
  }
}

/* ---- Normalisation --------------------------------------------------------------- */

/* GStreamer hands over the luma of YUV frames unchanged when converting to
 * grey, in the frame's range (16..235 for most cameras); grey models expect
 * 0..255, so the map expands it. */
static gboolean grey_from_limited_range(const SpryPreprocessor *pre) {
  const GstVideoInfo *fi = &pre->frame_info;
  return pre->config.channels == 1 && GST_VIDEO_INFO_IS_YUV(fi) &&
         fi->colorimetry.range == GST_VIDEO_COLOR_RANGE_16_235;
}

static void build_affine_maps(SpryPreprocessor *pre) {
  const SpryPreprocessConfig *c = &pre->config;
  /* 16-bit sample v -> pixel value p (0..255). */
  double p_gain = 1.0 / 257.0, p_bias = 0.0;
  if (grey_from_limited_range(pre)) {
    p_gain = 255.0 / (219.0 * 256.0);
    p_bias = -16.0 * 255.0 / 219.0;
  }
  /* p -> real (p - mean) / std -> quantized real / scale + zero_point. */
  const gboolean quantized = c->type != SPRY_TYPE_FLOAT32;
  const double q_gain = quantized && c->scale > 0 ? 1.0 / c->scale : 1.0;
  const double q_bias = quantized ? c->zero_point : 0.0;
  for (int ch = 0; ch < c->channels; ch++) {
    double g = q_gain / c->std[ch];
    pre->gain[ch] = (gfloat)(p_gain * g);
    pre->bias[ch] = (gfloat)((p_bias - c->mean[ch]) * g + q_bias);
  }
  switch (c->type) {
  case SPRY_TYPE_UINT8: pre->lo = 0; pre->hi = 255; break;
  case SPRY_TYPE_INT8: pre->lo = -128; pre->hi = 127; break;
  case SPRY_TYPE_INT16: pre->lo = -32768; pre->hi = 32767; break;
  default: pre->lo = -G_MAXFLOAT; pre->hi = G_MAXFLOAT; break;
  }
}

/* ---- Geometry ----------------------------------------------------------------- */

typedef struct Rect {
  gint x, y, w, h;
} Rect;

/* Source rectangle (crop) and destination rectangle (letterbox) for the
 * converter, and the region of the frame the model input covers. */
static void plan_geometry(SpryPreprocessor *pre, Rect *src, Rect *dst) {
  const gint fw = GST_VIDEO_INFO_WIDTH(&pre->frame_info), fh = GST_VIDEO_INFO_HEIGHT(&pre->frame_info);
  const gint mw = pre->config.width, mh = pre->config.height;
  *src = (Rect){0, 0, fw, fh};
  *dst = (Rect){0, 0, mw, mh};
  /* Compare aspect ratios without division: fw/fh vs mw/mh. */
  gint64 frame_wide = (gint64)fw * mh - (gint64)mw * fh;
  if (pre->config.mode == SPRY_SCALE_CROP && frame_wide != 0) {
    if (frame_wide > 0) {
      src->w = MAX(1, (gint)((gint64)fh * mw / mh));
      src->x = (fw - src->w) / 2;
    } else {
      src->h = MAX(1, (gint)((gint64)fw * mh / mw));
      src->y = (fh - src->h) / 2;
    }
  } else if (pre->config.mode == SPRY_SCALE_LETTERBOX && frame_wide != 0) {
    if (frame_wide > 0) {
      dst->h = MAX(1, (gint)((gint64)mw * fh / fw));
      dst->y = (mh - dst->h) / 2;
    } else {
      dst->w = MAX(1, (gint)((gint64)mh * fw / fh));
      dst->x = (mw - dst->w) / 2;
    }
  }
  /* Frame pixels per model pixel, then extend the source rectangle over the
   * whole model input (beyond the frame for letterboxing). */
  double sx = (double)src->w / dst->w, sy = (double)src->h / dst->h;
  pre->region = (SpryMetaRegion){src->x - dst->x * sx, src->y - dst->y * sy, mw * sx, mh * sy};
}

static GstVideoConverter *make_converter(SpryPreprocessor *pre) {
  Rect src, dst;
  plan_geometry(pre, &src, &dst);
  GstStructure *opts = gst_structure_new(
      "options", GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD, GST_TYPE_VIDEO_RESAMPLER_METHOD,
      GST_VIDEO_RESAMPLER_METHOD_LINEAR, GST_VIDEO_CONVERTER_OPT_CHROMA_MODE,
      GST_TYPE_VIDEO_CHROMA_MODE, GST_VIDEO_CHROMA_MODE_FULL,
      GST_VIDEO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE,
      GST_VIDEO_CONVERTER_OPT_SRC_X, G_TYPE_INT, src.x, GST_VIDEO_CONVERTER_OPT_SRC_Y, G_TYPE_INT,
      src.y, GST_VIDEO_CONVERTER_OPT_SRC_WIDTH, G_TYPE_INT, src.w,
      GST_VIDEO_CONVERTER_OPT_SRC_HEIGHT, G_TYPE_INT, src.h, GST_VIDEO_CONVERTER_OPT_DEST_X,
      G_TYPE_INT, dst.x, GST_VIDEO_CONVERTER_OPT_DEST_Y, G_TYPE_INT, dst.y,
      GST_VIDEO_CONVERTER_OPT_DEST_WIDTH, G_TYPE_INT, dst.w, GST_VIDEO_CONVERTER_OPT_DEST_HEIGHT,
      G_TYPE_INT, dst.h, GST_VIDEO_CONVERTER_OPT_FILL_BORDER, G_TYPE_BOOLEAN, TRUE,
      GST_VIDEO_CONVERTER_OPT_BORDER_ARGB, G_TYPE_UINT, 0xff000000u,
      GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, (guint)MAX(1, pre->config.threads), NULL);
  return gst_video_converter_new(&pre->frame_info, &pre->image_info, opts);
}

SpryPreprocessor *spry_preprocessor_new(const GstVideoInfo *frame_info,
                                        const SpryPreprocessConfig *config, GError **error) {
  SpryPreprocessor *pre = g_new0(SpryPreprocessor, 1);
  pre->config = *config;
  pre->frame_info = *frame_info;
  pre->element_size = config->type == SPRY_TYPE_FLOAT32 ? 4 : config->type == SPRY_TYPE_INT16 ? 2 : 1;
  gst_video_info_set_format(&pre->image_info,
                            config->channels == 1 ? GST_VIDEO_FORMAT_GRAY16_LE : GST_VIDEO_FORMAT_ARGB64,
                            (guint)config->width, (guint)config->height);
  /* The converter insists on equal frame rates. */
  GST_VIDEO_INFO_FPS_N(&pre->image_info) = GST_VIDEO_INFO_FPS_N(frame_info);
  GST_VIDEO_INFO_FPS_D(&pre->image_info) = GST_VIDEO_INFO_FPS_D(frame_info);
  pre->image = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&pre->image_info), NULL);
  pre->converter = pre->image ? make_converter(pre) : NULL;
  if (!pre->converter) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "cannot convert %s %dx%d frames to the model's %dx%d %s input",
                gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(frame_info)),
                GST_VIDEO_INFO_WIDTH(frame_info), GST_VIDEO_INFO_HEIGHT(frame_info), config->width,
                config->height, config->channels == 1 ? "grey" : "RGB");
    spry_preprocessor_free(pre);
    return NULL;
  }
  build_affine_maps(pre);
  return pre;
}

void spry_preprocessor_free(SpryPreprocessor *pre) {
  if (!pre) return;
  if (pre->converter) gst_video_converter_free(pre->converter);
  if (pre->image) gst_buffer_unref(pre->image);
  g_free(pre);
}

SpryMetaRegion spry_preprocessor_region(const SpryPreprocessor *pre) {
  return pre->region;
}

/* Maps one row of 16-bit samples (ARGB64: A, R, G, B; or GRAY16) into the tensor. */
static void normalize_row(const SpryPreprocessor *pre, const guint16 *src, guint8 *dst, gint pixels) {
  const gint channels = pre->config.channels;
  const gint src_step = channels == 1 ? 1 : 4, first = channels == 1 ? 0 : 1;
  for (gint x = 0; x < pixels; x++) {
    for (gint c = 0; c < channels; c++) {
      gfloat v = (gfloat)src[x * src_step + first + c] * pre->gain[c] + pre->bias[c];
      gint i = x * channels + c;
      if (pre->config.type == SPRY_TYPE_FLOAT32) {
        ((gfloat *)(void *)dst)[i] = v;
        continue;
      }
      v = CLAMP(nearbyintf(v), pre->lo, pre->hi);
      if (pre->config.type == SPRY_TYPE_INT16) ((gint16 *)(void *)dst)[i] = (gint16)v;
      else if (pre->config.type == SPRY_TYPE_INT8) dst[i] = (guint8)(gint8)v;
      else dst[i] = (guint8)v;
    }
  }
}

gboolean spry_preprocessor_run(SpryPreprocessor *pre, const GstVideoFrame *frame, void *dst,
                               gsize dst_size, GError **error) {
  const gsize row_bytes = (gsize)pre->config.width * (gsize)pre->config.channels * pre->element_size;
  if (dst_size != row_bytes * (gsize)pre->config.height) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "input tensor holds %zu bytes, expected %zu", (size_t)dst_size,
                (size_t)(row_bytes * (gsize)pre->config.height));
    return FALSE;
  }
  GstVideoFrame image;
  if (!gst_video_frame_map(&image, &pre->image_info, pre->image, GST_MAP_READWRITE)) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "cannot map the model image");
    return FALSE;
  }
  gst_video_converter_frame(pre->converter, frame, &image);
  const guint8 *rows = GST_VIDEO_FRAME_PLANE_DATA(&image, 0);
  const gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(&image, 0);
  for (gint y = 0; y < pre->config.height; y++)
    normalize_row(pre, (const guint16 *)(const void *)(rows + (gsize)y * (gsize)stride),
                  (guint8 *)dst + (gsize)y * row_bytes, pre->config.width);
  gst_video_frame_unmap(&image);
  return TRUE;
}
