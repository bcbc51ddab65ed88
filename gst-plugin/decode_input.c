/* SPDX-License-Identifier: Apache-2.0 */
/* decode_input.c — tensor views for sprydecode from the SpryTensorMeta or from other/tensors memories. */
#include "decode_input.h"

#include <string.h>

G_STATIC_ASSERT(SPRY_META_MAX_TENSORS == SPRY_TENSORS_MAX);

void spry_decode_input_from_meta(const SpryTensorMeta *meta, SpryDecodeInput *in) {
  memset(in, 0, sizeof *in);
  in->meta = meta;
  in->num_tensors = MIN(meta->num_tensors, (guint)SPRY_META_MAX_TENSORS);
  for (guint i = 0; i < in->num_tensors; i++) {
    const SpryMetaTensor *t = &meta->tensors[i];
    SpryTensorView *v = &in->views[i];
    v->info.name = t->name;
    v->info.type = (SpryType)t->type;
    v->info.rank = t->rank;
    memcpy(v->info.dims, t->dims, sizeof(gint) * (gsize)CLAMP(t->rank, 0, SPRY_META_MAX_RANK));
    v->info.scale = t->scale;
    v->info.zero_point = t->zero_point;
    v->info.num_channels = t->scale > 0 ? 1 : 0;
    v->data = t->data;
    v->bytes = t->size;
  }
  in->num_labels = meta->labels ? meta->num_labels : 0;
  in->labels = meta->labels;
}

/* IEEE half to float: the decoders read float32 only. */
static gfloat half_to_float(guint16 h) {
  guint32 sign = (guint32)(h >> 15) << 31, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  guint32 bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (frac << 13); /* inf, NaN */
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (frac << 13);
  } else if (frac == 0) {
    bits = sign;
  } else { /* subnormal: normalise */
    exp = 113;
    while (!(frac & 0x400)) {
      frac <<= 1;
      exp--;
    }
    bits = sign | (exp << 23) | ((frac & 0x3ff) << 13);
  }
  gfloat f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* Element i of a type the views cannot read, as float (memcpy: memories
 * carry no alignment promise). */
static gfloat convert_element(SpryTensorsType type, const guint8 *p, gsize i) {
  switch (type) {
  case SPRY_TENSORS_UINT16: { guint16 v; memcpy(&v, p + 2 * i, 2); return (gfloat)v; }
  case SPRY_TENSORS_UINT32: { guint32 v; memcpy(&v, p + 4 * i, 4); return (gfloat)v; }
  case SPRY_TENSORS_UINT64: { guint64 v; memcpy(&v, p + 8 * i, 8); return (gfloat)v; }
  case SPRY_TENSORS_FLOAT16: { guint16 v; memcpy(&v, p + 2 * i, 2); return half_to_float(v); }
  case SPRY_TENSORS_FLOAT64: { gdouble v; memcpy(&v, p + 8 * i, 8); return (gfloat)v; }
  default: return 0.0f;
  }
}

static gboolean view_readable(SpryType type) {
  return type == SPRY_TYPE_UINT8 || type == SPRY_TYPE_INT8 || type == SPRY_TYPE_INT16 ||
         type == SPRY_TYPE_INT32 || type == SPRY_TYPE_INT64 || type == SPRY_TYPE_FLOAT32;
}

/* Points view `i` at `data`, converting to a float32 copy when needed. */
static gboolean make_view(const SpryTensorsDesc *desc, guint i, const guint8 *data, gsize bytes,
                          SpryDecodeInput *in, GError **error) {
  SpryTensorView *v = &in->views[i];
  SpryType type;
  int32_t rank = 0;
  if (!spry_tensors_desc_to_shape(desc, &type, &rank, v->info.dims, error)) return FALSE;
  v->info.name = "";
  v->info.type = type;
  v->info.rank = rank;
  v->data = data;
  v->bytes = bytes;
  if (view_readable(type)) return TRUE;
  gsize elem = spry_tensors_type_size(desc->type), count = elem ? bytes / elem : 0, size = 0;
  gfloat *f = g_size_checked_mul(&size, count, sizeof(gfloat)) ? g_try_malloc(MAX(size, 1)) : NULL;
  if (!f) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "out of memory converting tensor %u to float32", i);
    return FALSE;
  }
  for (gsize k = 0; k < count; k++) f[k] = convert_element(desc->type, data, k);
  in->converted[i] = f;
  v->info.type = SPRY_TYPE_FLOAT32;
  v->data = f;
  v->bytes = size;
  return TRUE;
}

/* One tensor may arrive in several memories (appsrc, buffer lists): map the
 * whole buffer. Several tensors need one memory each (the static format). */
static gboolean map_memories(const SpryTensorsInfo *info, GstBuffer *buffer, SpryDecodeInput *in,
                             GError **error) {
  if (info->num_tensors == 1) {
    gsize expected = 0;
    if (!spry_tensors_desc_byte_size(&info->tensors[0], &expected, error)) return FALSE;
    if (gst_buffer_get_size(buffer) != expected) {
      g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                  "a tensor buffer holds %" G_GSIZE_FORMAT " bytes but its caps need %"
                  G_GSIZE_FORMAT, gst_buffer_get_size(buffer), expected);
      return FALSE;
    }
    in->mapped_whole = gst_buffer_map(buffer, &in->map, GST_MAP_READ);
    if (!in->mapped_whole) goto unmappable;
    in->maps[0] = in->map;
    return TRUE;
  }
  if (!spry_tensors_buffer_check(info, buffer, error)) return FALSE;
  for (guint i = 0; i < info->num_tensors; i++) {
    if (!gst_memory_map(gst_buffer_peek_memory(buffer, i), &in->maps[i], GST_MAP_READ))
      goto unmappable;
    in->num_maps++;
  }
  return TRUE;
unmappable:
  g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "cannot read the tensor buffer");
  return FALSE;
}

gboolean spry_decode_input_from_buffer(const SpryTensorsInfo *info, GstBuffer *buffer,
                                       SpryDecodeInput *in, GError **error) {
  memset(in, 0, sizeof *in);
  in->buffer = buffer; /* borrowed: sprydecode attaches metas to it, so it must stay writable */
  if (info->num_tensors < 1 || info->num_tensors > SPRY_TENSORS_MAX ||
      !map_memories(info, buffer, in, error))
    goto fail;
  in->num_tensors = info->num_tensors;
  for (guint i = 0; i < info->num_tensors; i++) {
    if (!make_view(&info->tensors[i], i, in->maps[i].data, in->maps[i].size, in, error))
      goto fail;
  }
  return TRUE;
fail:
  if (error && !*error)
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, "invalid tensor description");
  spry_decode_input_clear(in);
  return FALSE;
}

void spry_decode_input_clear(SpryDecodeInput *in) {
  for (guint i = 0; i < SPRY_TENSORS_MAX; i++) g_clear_pointer(&in->converted[i], g_free);
  if (in->mapped_whole) gst_buffer_unmap(in->buffer, &in->map);
  for (guint i = 0; i < in->num_maps; i++)
    gst_memory_unmap(gst_buffer_peek_memory(in->buffer, i), &in->maps[i]);
  in->mapped_whole = FALSE;
  in->num_maps = 0;
  in->buffer = NULL;
  in->num_tensors = 0;
}
