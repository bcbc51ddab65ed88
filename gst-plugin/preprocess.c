/* SPDX-License-Identifier: Apache-2.0 */
/* preprocess.c — frame → input tensor: scaling geometry, a one-pass bilinear sampler, normalisation. */
/*
 * What a model input holds: each model pixel's centre is mapped into the
 * frame with half-pixel centres (TensorFlow's resize_bilinear with
 * half_pixel_centers=True, within the source rectangle of the scaling mode)
 * and the frame is interpolated bilinearly there, YUV planes each in their own
 * grid before the colour matrix (frame_sampler.h has the details). There is
 * no antialiasing: when shrinking, each model pixel sees only the 2x2 frame
 * pixels around its centre, like the bilinear resizes models are usually
 * trained on, so fine detail can alias. Letterbox borders are black.
 *
 * Each model row is sampled into one row of floats (pixel values 0..255),
 * then normalised, rounded and clamped straight into the tensor; nothing
 * frame-sized is made and nothing is allocated per frame.
 */
#include "preprocess.h"

#include <string.h>

#include "frame_sampler.h"

/* Tensor values of one row: value = pixel * gain + bias, rounded and clamped
 * to the type (float32: as is), stored unaligned. */
typedef void (*StoreFn)(const gfloat *pixels, const gfloat *gain, const gfloat *bias, gsize n,
                        guint8 *dst);

struct SpryPreprocessor {
  SpryPreprocessConfig config;
  GstVideoInfo frame_info;
  SpryFrameSampler *sampler;
  SpryRect dst;          /* where the frame lands in the model input */
  SpryMetaRegion region;
  gsize row_values, row_bytes;
  gsize padded_values;   /* row_values rounded up to whole blocks */
  gfloat *pixels;        /* one model row; letterbox columns and padding stay 0 */
  gfloat *gain, *bias;   /* per value of a row (the channels repeat) */
  guint8 *packed;        /* one padded row in the tensor's type */
  guint8 *black_row;     /* a letterbox border row in the tensor's type */
  StoreFn store;
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

/* Rows are processed in blocks of fixed size so that the compiler
 * vectorises them at -O2; rows are padded to whole blocks. Clamping comes
 * first and in its own loop (a conversion next to it would keep the loop
 * scalar), which keeps the float → integer conversions in range; a NaN (from
 * an absurd std) becomes the low end. Adding 0.5 after shifting to
 * non-negative values rounds to nearest. Comparisons rather than
 * fminf/fmaxf, which compile to calls. */
#define BLOCK 16

static inline void clamp_block(const gfloat *p, const gfloat *gain, const gfloat *bias, gfloat lo,
                               gfloat hi, gfloat *restrict v) {
  for (gint k = 0; k < BLOCK; k++) {
    gfloat x = p[k] * gain[k] + bias[k];
    x = x > lo ? x : lo;
    v[k] = x < hi ? x : hi;
  }
}

static void store_u8(const gfloat *p, const gfloat *gain, const gfloat *bias, gsize n, guint8 *dst) {
  for (gsize i = 0; i < n; i += BLOCK) {
    gfloat v[BLOCK];
    clamp_block(p + i, gain + i, bias + i, 0.0f, 255.0f, v);
    for (gint k = 0; k < BLOCK; k++) dst[i + k] = (guint8)(gint)(v[k] + 0.5f);
  }
}

static void store_s8(const gfloat *p, const gfloat *gain, const gfloat *bias, gsize n, guint8 *dst) {
  for (gsize i = 0; i < n; i += BLOCK) {
    gfloat v[BLOCK];
    clamp_block(p + i, gain + i, bias + i, -128.0f, 127.0f, v);
    for (gint k = 0; k < BLOCK; k++) dst[i + k] = (guint8)((gint)(v[k] + 128.5f) - 128);
  }
}

static void store_s16(const gfloat *p, const gfloat *gain, const gfloat *bias, gsize n, guint8 *dst) {
  for (gsize i = 0; i < n; i += BLOCK) {
    gfloat v[BLOCK];
    gint16 q[BLOCK];
    clamp_block(p + i, gain + i, bias + i, -32768.0f, 32767.0f, v);
    for (gint k = 0; k < BLOCK; k++) q[k] = (gint16)((gint)(v[k] + 32768.5f) - 32768);
    memcpy(dst + 2 * i, q, sizeof q);
  }
}

static void store_f32(const gfloat *p, const gfloat *gain, const gfloat *bias, gsize n, guint8 *dst) {
  for (gsize i = 0; i < n; i += BLOCK) {
    gfloat v[BLOCK];
    for (gint k = 0; k < BLOCK; k++) v[k] = p[i + k] * gain[i + k] + bias[i + k];
    memcpy(dst + 4 * i, v, sizeof v);
  }
}

/* Pixel value p (0..255) -> real (p - mean) / std -> quantized real / scale +
 * zero_point, as one gain and bias per channel, repeated along a row. */
static void build_affine_maps(SpryPreprocessor *pre) {
  const SpryPreprocessConfig *c = &pre->config;
  const gboolean quantized = c->type != SPRY_TYPE_FLOAT32;
  const double q_gain = quantized && c->scale > 0 ? 1.0 / c->scale : 1.0;
  const double q_bias = quantized ? c->zero_point : 0.0;
  for (gsize i = 0; i < pre->padded_values; i++) {
    const gint ch = (gint)(i % (gsize)c->channels);
    const double g = q_gain / c->std[ch];
    pre->gain[i] = (gfloat)g;
    pre->bias[i] = (gfloat)(q_bias - c->mean[ch] * g);
  }
  switch (c->type) {
  case SPRY_TYPE_UINT8: pre->store = store_u8; break;
  case SPRY_TYPE_INT8: pre->store = store_s8; break;
  case SPRY_TYPE_INT16: pre->store = store_s16; break;
  default: pre->store = store_f32; break;
  }
}

/* ---- Geometry ----------------------------------------------------------------- */

/* Source rectangle (crop) and destination rectangle (letterbox) for the
 * sampler, and the region of the frame the model input covers. */
static void plan_geometry(SpryPreprocessor *pre, SpryRect *src, SpryRect *dst) {
  const gint fw = GST_VIDEO_INFO_WIDTH(&pre->frame_info), fh = GST_VIDEO_INFO_HEIGHT(&pre->frame_info);
  const gint mw = pre->config.width, mh = pre->config.height;
  *src = (SpryRect){0, 0, fw, fh};
  *dst = (SpryRect){0, 0, mw, mh};
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


/* Row buffers and the letterbox border row, sized with overflow checks. */
static gboolean allocate_rows(SpryPreprocessor *pre) {
  const SpryPreprocessConfig *c = &pre->config;
  const gsize element_size = c->type == SPRY_TYPE_FLOAT32 ? 4 : c->type == SPRY_TYPE_INT16 ? 2 : 1;
  gsize packed_bytes;
  if (!g_size_checked_mul(&pre->row_values, (gsize)c->width, (gsize)c->channels) ||
      !g_size_checked_mul(&pre->row_bytes, pre->row_values, element_size) ||
      pre->row_values > G_MAXSIZE / sizeof(gfloat) - BLOCK)
    return FALSE;
  pre->padded_values = (pre->row_values + BLOCK - 1) / BLOCK * BLOCK;
  packed_bytes = pre->padded_values * element_size;
  pre->pixels = g_try_new0(gfloat, pre->padded_values);
  pre->gain = g_try_new(gfloat, pre->padded_values);
  pre->bias = g_try_new(gfloat, pre->padded_values);
  pre->packed = g_try_malloc(packed_bytes);
  pre->black_row = g_try_malloc(pre->row_bytes);
  return pre->pixels && pre->gain && pre->bias && pre->packed && pre->black_row;
}

SpryPreprocessor *spry_preprocessor_new(const GstVideoInfo *frame_info,
                                        const SpryPreprocessConfig *config, GError **error) {
  if (config->width < 1 || config->height < 1 || (config->channels != 1 && config->channels != 3)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "a model input of %dx%d with %d channels is not an image", config->width,
                config->height, config->channels);
    return NULL;
  }
  SpryPreprocessor *pre = g_new0(SpryPreprocessor, 1);
  pre->config = *config;
  pre->frame_info = *frame_info;
  SpryRect src;
  plan_geometry(pre, &src, &pre->dst);
  pre->sampler = spry_frame_sampler_new(frame_info, &src, &pre->dst, config->channels, error);
  if (!pre->sampler) goto fail;
  if (!allocate_rows(pre)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "no memory for a %dx%d model input", config->width, config->height);
    goto fail;
  }
  build_affine_maps(pre);
  /* Black is pixel value 0, which the row buffer holds before any sampling. */
  pre->store(pre->pixels, pre->gain, pre->bias, pre->padded_values, pre->packed);
  memcpy(pre->black_row, pre->packed, pre->row_bytes);
  return pre;
fail:
  spry_preprocessor_free(pre);
  return NULL;
}

void spry_preprocessor_free(SpryPreprocessor *pre) {
  if (!pre) return;
  spry_frame_sampler_free(pre->sampler);
  g_free(pre->pixels);
  g_free(pre->gain);
  g_free(pre->bias);
  g_free(pre->packed);
  g_free(pre->black_row);
  g_free(pre);
}

SpryMetaRegion spry_preprocessor_region(const SpryPreprocessor *pre) {
  return pre->region;
}

/* The frame must be what the sampler's tables were built for. */
static gboolean frame_matches(const SpryPreprocessor *pre, const GstVideoFrame *frame) {
  const GstVideoInfo *fi = &pre->frame_info;
  return GST_VIDEO_FRAME_FORMAT(frame) == GST_VIDEO_INFO_FORMAT(fi) &&
         GST_VIDEO_FRAME_WIDTH(frame) == GST_VIDEO_INFO_WIDTH(fi) &&
         GST_VIDEO_FRAME_HEIGHT(frame) == GST_VIDEO_INFO_HEIGHT(fi) &&
         spry_frame_sampler_check(pre->sampler, frame);
}

gboolean spry_preprocessor_run(SpryPreprocessor *pre, const GstVideoFrame *frame, void *dst,
                               gsize dst_size, GError **error) {
  gsize want = 0;
  if (!g_size_checked_mul(&want, pre->row_bytes, (gsize)pre->config.height) || dst_size != want) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "input tensor holds %zu bytes, expected %zu", (size_t)dst_size, (size_t)want);
    return FALSE;
  }
  if (!frame_matches(pre, frame)) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "the frame is not the %s %dx%d the conversion was set up for",
                gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&pre->frame_info)),
                GST_VIDEO_INFO_WIDTH(&pre->frame_info), GST_VIDEO_INFO_HEIGHT(&pre->frame_info));
    return FALSE;
  }
  const SpryRect *d = &pre->dst;
  gfloat *inside = pre->pixels + (gsize)d->x * (gsize)pre->config.channels;
  for (gint y = 0; y < pre->config.height; y++) {
    guint8 *out = (guint8 *)dst + (gsize)y * pre->row_bytes;
    if (y < d->y || y >= d->y + d->h) {
      memcpy(out, pre->black_row, pre->row_bytes);
      continue;
    }
    spry_frame_sampler_row(pre->sampler, frame, y, inside);
    pre->store(pre->pixels, pre->gain, pre->bias, pre->padded_values, pre->packed);
    memcpy(out, pre->packed, pre->row_bytes);
  }
  return TRUE;
}
