/* SPDX-License-Identifier: Apache-2.0 */
/* frame_sampler.c — bilinear sampling of 8-bit RGB, grey and YUV frames at model pixel centres (definition in frame_sampler.h). */
/*
 * Everything that depends on the geometry is computed once in _new: for each
 * model column the byte offsets of its two samples and the weight of the
 * second, per component grid (luma and chroma), and for each model row its two
 * source rows and weight. A row function chosen once per format family then
 * runs a branch-free loop over the row; only the row pointers are computed
 * per row, from the frame's own strides.
 */
#include "frame_sampler.h"

#include <math.h>
#include <stddef.h>

/* Where the outputs along one axis read in one component grid. */
typedef struct Taps {
  gint32 *i0, *i1; /* columns: offsets of the two samples in a line; rows: row indices */
  gfloat *w;       /* weight of the second sample */
  gint first;      /* columns: the frame row byte that offset 0 stands for */
} Taps;

/* A span of one plane's row bytes blended between the two rows of a model
 * row: the vertical half of the interpolation, done for every component of
 * the plane on one grid at once (contiguous, so it vectorises). */
typedef struct Line {
  gint plane;
  gboolean chroma; /* rows of the chroma grid */
  gint lo, len;    /* frame row bytes [lo, lo + len) */
  gfloat *buf;     /* len values */
} Line;

/* The blended lines of one model row, one per component read. */
typedef struct RowSource {
  const gfloat *comp[3];
} RowSource;

typedef void (*RowFn)(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out);

/* YUV → pixel values: R = y * Y + rv * V + r0, G = y * Y + gu * U + gv * V +
 * g0, B = y * Y + bu * U + b0; grey = y * Y + y0. */
typedef struct Colour {
  gfloat y, y0, r0, g0, b0, rv, gu, gv, bu;
} Colour;

struct SpryFrameSampler {
  SpryRect dst;
  gint n_comps;          /* components read: 1 or 3 */
  gint comp[3];          /* their GstVideoFormat component indices */
  gboolean on_chroma[3]; /* sampled on the chroma grid */
  gint line_of[3], base[3]; /* each component's line and its first value there */
  Line lines[3];
  gint n_lines;
  gint min_stride[GST_VIDEO_MAX_PLANES]; /* row bytes each plane must have */
  Taps luma_cols, luma_rows, chroma_cols, chroma_rows;
  Colour colour;
  RowFn row;
};

/* ---- Row functions ---------------------------------------------------------------- */

/* Fixed-size blocks let the compiler vectorise at -O2. */
#define BLOCK 16

static void blend_rows(const guint8 *restrict top, const guint8 *restrict bottom, gfloat w, gint n,
                       gfloat *restrict out) {
  gint i = 0;
  for (; i + BLOCK <= n; i += BLOCK)
    for (gint k = 0; k < BLOCK; k++)
      out[i + k] = (gfloat)top[i + k] + w * ((gfloat)bottom[i + k] - (gfloat)top[i + k]);
  for (; i < n; i++) out[i] = (gfloat)top[i] + w * ((gfloat)bottom[i] - (gfloat)top[i]);
}

static inline gfloat lerp(const gfloat *line, gint32 o0, gint32 o1, gfloat w) {
  return line[o0] + w * (line[o1] - line[o0]);
}

/* Comparisons rather than fminf/fmaxf: these compile to min/max
 * instructions instead of calls, and a NaN becomes 0. */
static inline gfloat clamp_pixel(gfloat v) {
  v = v > 0.0f ? v : 0.0f;
  return v < 255.0f ? v : 255.0f;
}

static void row_rgb(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out) {
  const gint32 *o0 = s->luma_cols.i0, *o1 = s->luma_cols.i1;
  const gfloat *w = s->luma_cols.w;
  const gfloat *red = r->comp[0], *green = r->comp[1], *blue = r->comp[2];
  for (gint i = 0; i < s->dst.w; i++) {
    out[3 * i + 0] = lerp(red, o0[i], o1[i], w[i]);
    out[3 * i + 1] = lerp(green, o0[i], o1[i], w[i]);
    out[3 * i + 2] = lerp(blue, o0[i], o1[i], w[i]);
  }
}

/* BT.601 luma of full-range RGB: what grey models have always been given. */
static void row_rgb_to_grey(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out) {
  const gint32 *o0 = s->luma_cols.i0, *o1 = s->luma_cols.i1;
  const gfloat *w = s->luma_cols.w;
  const gfloat *red = r->comp[0], *green = r->comp[1], *blue = r->comp[2];
  for (gint i = 0; i < s->dst.w; i++)
    out[i] = 0.299f * lerp(red, o0[i], o1[i], w[i]) + 0.587f * lerp(green, o0[i], o1[i], w[i]) +
             0.114f * lerp(blue, o0[i], o1[i], w[i]);
}

static void row_grey(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out) {
  const gint32 *o0 = s->luma_cols.i0, *o1 = s->luma_cols.i1;
  const gfloat *w = s->luma_cols.w, *grey = r->comp[0];
  for (gint i = 0; i < s->dst.w; i++) out[i] = lerp(grey, o0[i], o1[i], w[i]);
}

static void row_grey_to_rgb(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out) {
  const gint32 *o0 = s->luma_cols.i0, *o1 = s->luma_cols.i1;
  const gfloat *w = s->luma_cols.w, *grey = r->comp[0];
  for (gint i = 0; i < s->dst.w; i++) {
    const gfloat v = lerp(grey, o0[i], o1[i], w[i]);
    out[3 * i + 0] = v;
    out[3 * i + 1] = v;
    out[3 * i + 2] = v;
  }
}

static void row_yuv_to_rgb(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out) {
  const gint32 *l0 = s->luma_cols.i0, *l1 = s->luma_cols.i1, *c0 = s->chroma_cols.i0,
               *c1 = s->chroma_cols.i1;
  const gfloat *lw = s->luma_cols.w, *cw = s->chroma_cols.w;
  const gfloat *luma = r->comp[0], *cb = r->comp[1], *cr = r->comp[2];
  const Colour k = s->colour;
  for (gint i = 0; i < s->dst.w; i++) {
    const gfloat y = k.y * lerp(luma, l0[i], l1[i], lw[i]);
    const gfloat u = lerp(cb, c0[i], c1[i], cw[i]), v = lerp(cr, c0[i], c1[i], cw[i]);
    out[3 * i + 0] = clamp_pixel(y + k.rv * v + k.r0);
    out[3 * i + 1] = clamp_pixel(y + k.gu * u + k.gv * v + k.g0);
    out[3 * i + 2] = clamp_pixel(y + k.bu * u + k.b0);
  }
}

static void row_yuv_to_grey(const SpryFrameSampler *s, const RowSource *r, gfloat *restrict out) {
  const gint32 *o0 = s->luma_cols.i0, *o1 = s->luma_cols.i1;
  const gfloat *w = s->luma_cols.w, *luma = r->comp[0];
  const gfloat gain = s->colour.y, offset = s->colour.y0;
  for (gint i = 0; i < s->dst.w; i++)
    out[i] = clamp_pixel(gain * lerp(luma, o0[i], o1[i], w[i]) + offset);
}

/* ---- Setup ------------------------------------------------------------------------- */

/* Frame coordinate u (luma pixels, centres at integers) in a component grid
 * subsampled by 2^sub, clamped to its `size` samples. */
static double grid_position(double u, guint sub, gboolean cosited, gint size) {
  const double factor = (double)(1u << sub);
  const double offset = cosited ? 0.0 : (factor - 1.0) / 2.0;
  return CLAMP((u - offset) / factor, 0.0, (double)(size - 1));
}

/* Taps of `n` outputs spread over frame pixels [start, start + len) of one
 * axis, read from a grid of `size` samples `scale` bytes apart (1 for rows). */
static gboolean build_taps(Taps *t, gint n, gint start, gint len, guint sub, gboolean cosited,
                           gint size, gint scale) {
  t->i0 = g_try_new(gint32, n);
  t->i1 = g_try_new(gint32, n);
  t->w = g_try_new(gfloat, n);
  if (!t->i0 || !t->i1 || !t->w) return FALSE;
  const double step = (double)len / n;
  for (gint i = 0; i < n; i++) {
    double u = CLAMP(start + (i + 0.5) * step - 0.5, (double)start, (double)(start + len - 1));
    double g = grid_position(u, sub, cosited, size);
    gint a = (gint)floor(g), b = MIN(a + 1, size - 1);
    t->i0[i] = a * scale;
    t->i1[i] = b * scale;
    t->w[i] = (gfloat)(g - a);
  }
  return TRUE;
}

/* Column offsets grow with i: relative to the first, where lines start. */
static void make_relative(Taps *t, gint n) {
  t->first = t->i0[0];
  for (gint i = 0; i < n; i++) {
    t->i0[i] -= t->first;
    t->i1[i] -= t->first;
  }
}

static void free_taps(Taps *t) {
  g_free(t->i0);
  g_free(t->i1);
  g_free(t->w);
}

/* Formats whose components are whole bytes at fixed places: byte-sized
 * depth, no shift, a pixel stride, U and V laid out alike. */
static gboolean format_supported(const GstVideoFormatInfo *f) {
  if (GST_VIDEO_FORMAT_INFO_IS_COMPLEX(f) || GST_VIDEO_FORMAT_INFO_IS_TILED(f) ||
      GST_VIDEO_FORMAT_INFO_HAS_PALETTE(f))
    return FALSE;
  const gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV(f), grey = GST_VIDEO_FORMAT_INFO_IS_GRAY(f);
  if (!yuv && !grey && !GST_VIDEO_FORMAT_INFO_IS_RGB(f)) return FALSE;
  const guint n = grey ? 1 : 3;
  if (GST_VIDEO_FORMAT_INFO_N_COMPONENTS(f) < n) return FALSE;
  for (guint c = 0; c < n; c++) {
    if (GST_VIDEO_FORMAT_INFO_DEPTH(f, c) != 8 || GST_VIDEO_FORMAT_INFO_SHIFT(f, c) != 0 ||
        GST_VIDEO_FORMAT_INFO_PSTRIDE(f, c) < 1)
      return FALSE;
    /* Only U and V of YUV may be subsampled, and then alike. */
    gboolean chroma = yuv && c > 0;
    if (!chroma && (GST_VIDEO_FORMAT_INFO_W_SUB(f, c) || GST_VIDEO_FORMAT_INFO_H_SUB(f, c)))
      return FALSE;
  }
  return !yuv || (GST_VIDEO_FORMAT_INFO_W_SUB(f, 1) == GST_VIDEO_FORMAT_INFO_W_SUB(f, 2) &&
                  GST_VIDEO_FORMAT_INFO_H_SUB(f, 1) == GST_VIDEO_FORMAT_INFO_H_SUB(f, 2) &&
                  GST_VIDEO_FORMAT_INFO_PSTRIDE(f, 1) == GST_VIDEO_FORMAT_INFO_PSTRIDE(f, 2));
}

/* The frame's matrix and range as pixel-value coefficients; BT.601 when the
 * matrix is unknown. */
static void build_colour(const GstVideoInfo *info, Colour *k) {
  gdouble kr, kb;
  if (!gst_video_color_matrix_get_Kr_Kb(info->colorimetry.matrix, &kr, &kb)) {
    kr = 0.299;
    kb = 0.114;
  }
  gint offset[GST_VIDEO_MAX_COMPONENTS], scale[GST_VIDEO_MAX_COMPONENTS];
  gst_video_color_range_offsets(info->colorimetry.range, info->finfo, offset, scale);
  const double kg = 1.0 - kr - kb;
  const double y = 255.0 / MAX(scale[0], 1), c = 255.0 / MAX(scale[1], 1);
  const double rv = 2.0 * (1.0 - kr) * c, bu = 2.0 * (1.0 - kb) * c;
  const double gu = -2.0 * kb * (1.0 - kb) / kg * c, gv = -2.0 * kr * (1.0 - kr) / kg * c;
  const double y0 = -y * offset[0], u0 = -(double)offset[1], v0 = -(double)offset[2];
  *k = (Colour){.y = (gfloat)y, .y0 = (gfloat)y0, .rv = (gfloat)rv, .gu = (gfloat)gu,
                .gv = (gfloat)gv, .bu = (gfloat)bu, .r0 = (gfloat)(y0 + rv * v0),
                .g0 = (gfloat)(y0 + gu * u0 + gv * v0), .b0 = (gfloat)(y0 + bu * u0)};
}

/* Picks the components to read and the row function. */
static void choose_row_function(SpryFrameSampler *s, const GstVideoFormatInfo *f, gint channels) {
  const gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV(f);
  s->n_comps = GST_VIDEO_FORMAT_INFO_IS_GRAY(f) || (yuv && channels == 1) ? 1 : 3;
  for (gint c = 0; c < 3; c++) {
    s->comp[c] = c; /* R, G, B or Y, U, V */
    s->on_chroma[c] = yuv && c > 0;
  }
  if (GST_VIDEO_FORMAT_INFO_IS_GRAY(f)) s->row = channels == 1 ? row_grey : row_grey_to_rgb;
  else if (yuv) s->row = channels == 1 ? row_yuv_to_grey : row_yuv_to_rgb;
  else s->row = channels == 1 ? row_rgb_to_grey : row_rgb;
}

/* Components' byte extents must fit gint32 offsets. */
static gboolean extents_fit(const SpryFrameSampler *s, const GstVideoInfo *info) {
  for (gint c = 0; c < s->n_comps; c++) {
    const gint64 pstride = GST_VIDEO_FORMAT_INFO_PSTRIDE(info->finfo, c);
    gint64 bytes = GST_VIDEO_INFO_COMP_WIDTH(info, c) * pstride +
                   GST_VIDEO_FORMAT_INFO_POFFSET(info->finfo, c);
    if (bytes > G_MAXINT32 || GST_VIDEO_INFO_COMP_WIDTH(info, c) < 1 ||
        GST_VIDEO_INFO_COMP_HEIGHT(info, c) < 1)
      return FALSE;
  }
  return TRUE;
}

/* The line holding component c: one per plane and set of rows (the chroma
 * grid has rows of its own only when subsampled vertically: YUY2's Y, U and
 * V share one line). */
static Line *line_for(SpryFrameSampler *s, const GstVideoFormatInfo *f, gint c) {
  const gint plane = GST_VIDEO_FORMAT_INFO_PLANE(f, s->comp[c]);
  const gboolean chroma = s->on_chroma[c] && GST_VIDEO_FORMAT_INFO_H_SUB(f, s->comp[c]) > 0;
  for (gint l = 0; l < s->n_lines; l++) {
    if (s->lines[l].plane == plane && s->lines[l].chroma == chroma) {
      s->line_of[c] = l;
      return &s->lines[l];
    }
  }
  s->line_of[c] = s->n_lines;
  Line *line = &s->lines[s->n_lines++];
  *line = (Line){.plane = plane, .chroma = chroma, .lo = G_MAXINT32, .len = 0};
  return line;
}

/* Lines spanning every byte their components read, and where each
 * component's first column lies in its line. */
static gboolean plan_lines(SpryFrameSampler *s, const GstVideoInfo *info) {
  const GstVideoFormatInfo *f = info->finfo;
  gint hi[3] = {0, 0, 0};
  for (gint c = 0; c < s->n_comps; c++) {
    const Taps *cols = s->on_chroma[c] ? &s->chroma_cols : &s->luma_cols;
    const gint first = cols->first + GST_VIDEO_FORMAT_INFO_POFFSET(f, s->comp[c]);
    Line *line = line_for(s, f, c);
    line->lo = MIN(line->lo, first);
    hi[s->line_of[c]] = MAX(hi[s->line_of[c]], first + cols->i1[s->dst.w - 1] + 1);
  }
  for (gint l = 0; l < s->n_lines; l++) {
    Line *line = &s->lines[l];
    line->len = hi[l] - line->lo;
    line->buf = g_try_new(gfloat, line->len);
    s->min_stride[line->plane] = MAX(s->min_stride[line->plane], hi[l]);
    if (!line->buf || GST_VIDEO_INFO_PLANE_STRIDE(info, line->plane) < hi[l]) return FALSE;
  }
  for (gint c = 0; c < s->n_comps; c++) {
    const Taps *cols = s->on_chroma[c] ? &s->chroma_cols : &s->luma_cols;
    s->base[c] =
        cols->first + GST_VIDEO_FORMAT_INFO_POFFSET(f, s->comp[c]) - s->lines[s->line_of[c]].lo;
  }
  return TRUE;
}

static gboolean build_all_taps(SpryFrameSampler *s, const GstVideoInfo *info, const SpryRect *src) {
  const GstVideoFormatInfo *f = info->finfo;
  const gboolean h_cosited = (info->chroma_site & GST_VIDEO_CHROMA_SITE_H_COSITED) != 0;
  const gboolean v_cosited = (info->chroma_site & GST_VIDEO_CHROMA_SITE_V_COSITED) != 0;
  const gint d = s->dst.w, h = s->dst.h;
  gboolean ok = build_taps(&s->luma_cols, d, src->x, src->w, 0, FALSE, GST_VIDEO_INFO_WIDTH(info),
                           GST_VIDEO_FORMAT_INFO_PSTRIDE(f, 0)) &&
                build_taps(&s->luma_rows, h, src->y, src->h, 0, FALSE, GST_VIDEO_INFO_HEIGHT(info), 1);
  if (ok && s->n_comps == 3 && s->on_chroma[1])
    ok = build_taps(&s->chroma_cols, d, src->x, src->w, GST_VIDEO_FORMAT_INFO_W_SUB(f, 1), h_cosited,
                    GST_VIDEO_INFO_COMP_WIDTH(info, 1), GST_VIDEO_FORMAT_INFO_PSTRIDE(f, 1)) &&
         build_taps(&s->chroma_rows, h, src->y, src->h, GST_VIDEO_FORMAT_INFO_H_SUB(f, 1), v_cosited,
                    GST_VIDEO_INFO_COMP_HEIGHT(info, 1), 1);
  if (ok) make_relative(&s->luma_cols, d);
  if (ok && s->chroma_cols.i0) make_relative(&s->chroma_cols, d);
  return ok;
}

SpryFrameSampler *spry_frame_sampler_new(const GstVideoInfo *info, const SpryRect *src,
                                         const SpryRect *dst, gint channels, GError **error) {
  const GstVideoFormatInfo *f = info->finfo;
  const gboolean geometry_ok = src->w > 0 && src->h > 0 && dst->w > 0 && dst->h > 0 &&
                               src->x >= 0 && src->y >= 0 &&
                               src->x <= GST_VIDEO_INFO_WIDTH(info) - src->w &&
                               src->y <= GST_VIDEO_INFO_HEIGHT(info) - src->h;
  if (!f || !format_supported(f) || !geometry_ok || (channels != 1 && channels != 3)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "cannot sample %s %dx%d frames (8-bit RGB, grey and YUV formats only)",
                f ? GST_VIDEO_FORMAT_INFO_NAME(f) : "unknown", GST_VIDEO_INFO_WIDTH(info),
                GST_VIDEO_INFO_HEIGHT(info));
    return NULL;
  }
  SpryFrameSampler *s = g_new0(SpryFrameSampler, 1);
  s->dst = *dst;
  choose_row_function(s, f, channels);
  build_colour(info, &s->colour);
  if (!extents_fit(s, info) || !build_all_taps(s, info, src) || !plan_lines(s, info)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "cannot sample %dx%d frames: too large", GST_VIDEO_INFO_WIDTH(info),
                GST_VIDEO_INFO_HEIGHT(info));
    spry_frame_sampler_free(s);
    return NULL;
  }
  return s;
}

void spry_frame_sampler_free(SpryFrameSampler *s) {
  if (!s) return;
  free_taps(&s->luma_cols);
  free_taps(&s->luma_rows);
  free_taps(&s->chroma_cols);
  free_taps(&s->chroma_rows);
  for (gint l = 0; l < s->n_lines; l++) g_free(s->lines[l].buf);
  g_free(s);
}

gboolean spry_frame_sampler_check(const SpryFrameSampler *s, const GstVideoFrame *frame) {
  for (gint l = 0; l < s->n_lines; l++)
    if (GST_VIDEO_FRAME_PLANE_STRIDE(frame, s->lines[l].plane) < s->min_stride[s->lines[l].plane])
      return FALSE;
  return TRUE;
}

void spry_frame_sampler_row(const SpryFrameSampler *s, const GstVideoFrame *frame, gint y,
                            gfloat *out) {
  const gint r = y - s->dst.y;
  for (gint l = 0; l < s->n_lines; l++) {
    const Line *line = &s->lines[l];
    const Taps *rows = line->chroma ? &s->chroma_rows : &s->luma_rows;
    const guint8 *plane = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(frame, line->plane) + line->lo;
    const ptrdiff_t stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, line->plane);
    blend_rows(plane + rows->i0[r] * stride, plane + rows->i1[r] * stride, rows->w[r], line->len,
               line->buf);
  }
  RowSource src;
  for (gint c = 0; c < s->n_comps; c++) src.comp[c] = s->lines[s->line_of[c]].buf + s->base[c];
  s->row(s, &src, out);
}
