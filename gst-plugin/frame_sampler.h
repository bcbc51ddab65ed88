/* SPDX-License-Identifier: Apache-2.0 */
/* frame_sampler.h — samples a raw 8-bit video frame bilinearly at the model's pixel centres, one model row at a time. */
/*
 * The definition (tests/gst/test_preprocess.c holds a plain double-precision
 * version of it):
 *
 * - Model pixel (ox, oy) inside the destination rectangle `dst` maps to the
 *   frame point u = src.x + (ox - dst.x + 0.5) * src.w / dst.w - 0.5 (and v
 *   alike), pixel centres at integer coordinates, as TensorFlow's
 *   resize_bilinear with half_pixel_centers; the point is clamped to the
 *   source rectangle `src`. No antialiasing: when shrinking, only the 2×2
 *   pixels around the point count.
 * - RGB and grey frames are interpolated per component there.
 * - YUV frames: Y is interpolated at the point in the luma grid, U and V at
 *   the same point in the chroma grid (its subsampling and the frame's chroma
 *   siting: a chroma sample lies on its first luma sample when cosited, in the
 *   middle of its luma samples otherwise), clamped to the chroma plane; then
 *   the frame's matrix and range give RGB, clamped to 0..255.
 * - Grey output: from RGB frames the BT.601 luma 0.299 R + 0.587 G + 0.114 B;
 *   from YUV frames Y expanded from the frame's range to 0..255 (clamped);
 *   from grey frames the value itself.
 *
 * Values are pixel values 0..255 as floats, unrounded. Any format whose
 * components are whole bytes is accepted (RGB, BGRx, GRAY8, I420, YV12,
 * NV12, NV21, YUY2, UYVY, Y444, ...).
 */
#ifndef SPRY_GST_FRAME_SAMPLER_H
#define SPRY_GST_FRAME_SAMPLER_H

#include <gst/video/video.h>

G_BEGIN_DECLS

typedef struct SpryRect {
  gint x, y, w, h;
} SpryRect;

typedef struct SpryFrameSampler SpryFrameSampler;

/* A sampler for frames described by `info`: the frame rectangle `src`
 * (inside the frame, not empty) onto the model rectangle `dst` (not empty),
 * `channels` (1 grey, 3 RGB) per model pixel. All tables are built here;
 * sampling allocates nothing. NULL with `error` set for unsupported formats. */
SpryFrameSampler *spry_frame_sampler_new(const GstVideoInfo *info, const SpryRect *src,
                                         const SpryRect *dst, gint channels, GError **error);
void spry_frame_sampler_free(SpryFrameSampler *sampler);

/* Whether `frame`'s strides hold a row of every component read (a video
 * meta may give strides other than the caps'). */
gboolean spry_frame_sampler_check(const SpryFrameSampler *sampler, const GstVideoFrame *frame);

/* Samples model row `y` (dst->y <= y < dst->y + dst->h) of `frame` (mapped,
 * with the format and size given to _new; its own strides are used): dst->w
 * pixels of `channels` floats each into `out`. */
void spry_frame_sampler_row(const SpryFrameSampler *sampler, const GstVideoFrame *frame, gint y,
                            gfloat *out);

G_END_DECLS

#endif /* SPRY_GST_FRAME_SAMPLER_H */
