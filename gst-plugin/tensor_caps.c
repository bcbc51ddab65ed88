/* SPDX-License-Identifier: Apache-2.0 */
/* tensor_caps.c — NNStreamer's static `other/tensors` caps: parse, build, compare, size and check buffers. */
#include "tensor_caps.h"

#include <string.h>

/* Both tables are indexed by SpryTensorsType: a new type without its entries
 * fails to compile. */
static const struct {
  const gchar *name;
  gsize size;
  SpryType spry;
} type_table[] = {
    [SPRY_TENSORS_INT8] = {"int8", 1, SPRY_TYPE_INT8},
    [SPRY_TENSORS_UINT8] = {"uint8", 1, SPRY_TYPE_UINT8},
    [SPRY_TENSORS_INT16] = {"int16", 2, SPRY_TYPE_INT16},
    [SPRY_TENSORS_UINT16] = {"uint16", 2, SPRY_TYPE_UINT16},
    [SPRY_TENSORS_INT32] = {"int32", 4, SPRY_TYPE_INT32},
    [SPRY_TENSORS_UINT32] = {"uint32", 4, SPRY_TYPE_UINT32},
    [SPRY_TENSORS_INT64] = {"int64", 8, SPRY_TYPE_INT64},
    [SPRY_TENSORS_UINT64] = {"uint64", 8, SPRY_TYPE_UINT64},
    [SPRY_TENSORS_FLOAT16] = {"float16", 2, SPRY_TYPE_FLOAT16},
    [SPRY_TENSORS_FLOAT32] = {"float32", 4, SPRY_TYPE_FLOAT32},
    [SPRY_TENSORS_FLOAT64] = {"float64", 8, SPRY_TYPE_FLOAT64},
};
_Static_assert(G_N_ELEMENTS(type_table) == SPRY_TENSORS_TYPE_COUNT, "one entry per type");

/* NNStreamer separates tensors with ',' or '.': a '.' survives gst-launch's
 * caps parser, which would split a quoted-less ',' into fields. */
#define TENSOR_SEPARATORS ",."

static gboolean type_valid(SpryTensorsType type) {
  return (guint)type < SPRY_TENSORS_TYPE_COUNT;
}

const gchar *spry_tensors_type_name(SpryTensorsType type) {
  return type_valid(type) ? type_table[type].name : NULL;
}

gboolean spry_tensors_type_from_name(const gchar *name, SpryTensorsType *out_type) {
  if (!name) return FALSE;
  for (guint i = 0; i < SPRY_TENSORS_TYPE_COUNT; i++) {
    if (strcmp(name, type_table[i].name) == 0) {
      *out_type = (SpryTensorsType)i;
      return TRUE;
    }
  }
  return FALSE;
}

gsize spry_tensors_type_size(SpryTensorsType type) {
  return type_valid(type) ? type_table[type].size : 0;
}

gboolean spry_tensors_type_to_spry(SpryTensorsType type, SpryType *out_type) {
  if (!type_valid(type)) return FALSE;
  *out_type = type_table[type].spry;
  return TRUE;
}

gboolean spry_tensors_type_from_spry(SpryType type, SpryTensorsType *out_type) {
  for (guint i = 0; i < SPRY_TENSORS_TYPE_COUNT; i++) {
    if (type_table[i].spry == type) {
      *out_type = (SpryTensorsType)i;
      return TRUE;
    }
  }
  return FALSE;
}

/* ---- One tensor -------------------------------------------------------- */

static gboolean desc_valid(const SpryTensorsDesc *desc) {
  if (!type_valid(desc->type) || desc->rank < 1 || desc->rank > SPRY_TENSORS_RANK_MAX)
    return FALSE;
  for (guint i = 0; i < desc->rank; i++)
    if (desc->dims[i] == 0) return FALSE;
  return TRUE;
}

guint spry_tensors_desc_effective_rank(const SpryTensorsDesc *desc) {
  guint rank = MIN(desc->rank, SPRY_TENSORS_RANK_MAX);
  while (rank > 1 && desc->dims[rank - 1] == 1) rank--;
  return rank;
}

gboolean spry_tensors_desc_equal(const SpryTensorsDesc *a, const SpryTensorsDesc *b) {
  if (a->type != b->type) return FALSE;
  guint rank = spry_tensors_desc_effective_rank(a);
  if (rank != spry_tensors_desc_effective_rank(b)) return FALSE;
  return memcmp(a->dims, b->dims, rank * sizeof a->dims[0]) == 0;
}

gboolean spry_tensors_desc_byte_size(const SpryTensorsDesc *desc, gsize *out_size,
                                     GError **error) {
  if (!desc_valid(desc)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "invalid tensor description");
    return FALSE;
  }
  gsize size = type_table[desc->type].size;
  for (guint i = 0; i < desc->rank; i++) {
    if (!g_size_checked_mul(&size, size, desc->dims[i])) {
      gchar *dims = spry_tensors_desc_dims_string(desc);
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                  "a tensor of dimensions %s is too large for this machine", dims);
      g_free(dims);
      return FALSE;
    }
  }
  *out_size = size;
  return TRUE;
}

gchar *spry_tensors_desc_dims_string(const SpryTensorsDesc *desc) {
  GString *s = g_string_new(NULL);
  guint rank = MIN(desc->rank, SPRY_TENSORS_RANK_MAX);
  for (guint i = 0; i < rank; i++)
    g_string_append_printf(s, i ? ":%" G_GUINT32_FORMAT : "%" G_GUINT32_FORMAT, desc->dims[i]);
  return g_string_free(s, FALSE);
}

gboolean spry_tensors_desc_from_shape(SpryType type, int32_t rank, const int32_t *dims,
                                      SpryTensorsDesc *out_desc, GError **error) {
  SpryTensorsDesc desc = {0};
  if (!spry_tensors_type_from_spry(type, &desc.type)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "tensor type %d has no other/tensors equivalent", (int)type);
    return FALSE;
  }
  if (rank < 0 || rank > SPRY_TENSORS_RANK_MAX) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "a tensor of rank %d does not fit other/tensors (at most %d)", (int)rank,
                SPRY_TENSORS_RANK_MAX);
    return FALSE;
  }
  /* A scalar is a one-element tensor. */
  desc.rank = rank == 0 ? 1 : (guint)rank;
  desc.dims[0] = 1;
  for (int32_t i = 0; i < rank; i++) {
    int32_t d = dims[rank - 1 - i];
    if (d < 1) {
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                  "dimension %d of the shape is %d: other/tensors needs known sizes",
                  (int)(rank - 1 - i), (int)d);
      return FALSE;
    }
    desc.dims[i] = (guint32)d;
  }
  *out_desc = desc;
  return TRUE;
}

gboolean spry_tensors_desc_from_tensor(const SpryTensor *tensor, SpryTensorsDesc *out_desc,
                                       GError **error) {
  int32_t rank = spry_tensor_rank(tensor);
  int32_t dims[SPRY_MAX_RANK];
  if (rank < 0 || rank > SPRY_MAX_RANK) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "tensor rank %d is invalid",
                (int)rank);
    return FALSE;
  }
  for (int32_t i = 0; i < rank; i++) dims[i] = spry_tensor_dim(tensor, i);
  return spry_tensors_desc_from_shape(spry_tensor_type(tensor), rank, dims, out_desc, error);
}

gboolean spry_tensors_desc_to_shape(const SpryTensorsDesc *desc, SpryType *out_type,
                                    int32_t *out_rank, int32_t *out_dims, GError **error) {
  if (!desc_valid(desc)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "invalid tensor description");
    return FALSE;
  }
  /* Trailing 1s are optional in caps: shed them only when the engine needs it. */
  guint rank = desc->rank > SPRY_MAX_RANK ? spry_tensors_desc_effective_rank(desc) : desc->rank;
  if (rank > SPRY_MAX_RANK) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "a tensor of rank %u is beyond the engine's limit of %d", rank, SPRY_MAX_RANK);
    return FALSE;
  }
  for (guint i = 0; i < rank; i++) {
    if (desc->dims[i] > G_MAXINT32) {
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                  "dimension %" G_GUINT32_FORMAT " is beyond the engine's limit", desc->dims[i]);
      return FALSE;
    }
    out_dims[rank - 1 - i] = (int32_t)desc->dims[i];
  }
  *out_type = type_table[desc->type].spry;
  *out_rank = (int32_t)rank;
  return TRUE;
}

gboolean spry_tensors_desc_matches_shape(const SpryTensorsDesc *desc, SpryType type,
                                         int32_t rank, const int32_t *dims) {
  SpryTensorsDesc other;
  if (!spry_tensors_desc_from_shape(type, rank, dims, &other, NULL)) return FALSE;
  return desc_valid(desc) && spry_tensors_desc_equal(desc, &other);
}

/* ---- Parsing ----------------------------------------------------------- */

static gboolean parse_dim(const gchar *token, guint32 *out, guint tensor, guint index,
                          GError **error) {
  gchar *end = NULL;
  guint64 value = 0;
  gboolean digits = token[0] != '\0';
  for (const gchar *p = token; *p; p++) digits = digits && g_ascii_isdigit(*p);
  if (digits) value = g_ascii_strtoull(token, &end, 10);
  if (!digits || !end || *end != '\0' || value > G_MAXUINT32) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "tensor %u: dimension %u (\"%s\") is not a number from 1 to %u", tensor, index,
                token, G_MAXUINT32);
    return FALSE;
  }
  if (value == 0) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "tensor %u: dimension %u is 0; every dimension must be at least 1", tensor, index);
    return FALSE;
  }
  *out = (guint32)value;
  return TRUE;
}

static gboolean parse_dims(const gchar *text, SpryTensorsDesc *desc, guint tensor,
                           GError **error) {
  gchar *copy = g_strstrip(g_strdup(text));
  gchar **tokens = g_strsplit(copy, ":", -1);
  guint count = g_strv_length(tokens);
  gboolean ok = TRUE;
  if (copy[0] == '\0') {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "tensor %u has no dimensions", tensor);
    ok = FALSE;
  } else if (count > SPRY_TENSORS_RANK_MAX) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "tensor %u has %u dimensions; other/tensors allows at most %d", tensor, count,
                SPRY_TENSORS_RANK_MAX);
    ok = FALSE;
  }
  for (guint i = 0; ok && i < count; i++)
    ok = parse_dim(g_strstrip(tokens[i]), &desc->dims[i], tensor, i, error);
  if (ok) desc->rank = count;
  g_strfreev(tokens);
  g_free(copy);
  return ok;
}

/* Splits a per-tensor list ("a,b,c") and checks it has `expected` entries. */
static gchar **split_list(const gchar *text, const gchar *field, guint expected, GError **error) {
  gchar **items = g_strsplit_set(text, TENSOR_SEPARATORS, -1);
  guint count = g_strv_length(items);
  if (count == 1 && g_strstrip(items[0])[0] == '\0') count = 0;
  if (count != expected) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "num_tensors is %u but %s lists %u tensor%s (\"%s\")", expected, field, count,
                count == 1 ? "" : "s", text);
    g_strfreev(items);
    return NULL;
  }
  return items;
}

static const gchar *get_string_field(const GstStructure *s, const gchar *field, GError **error) {
  const GValue *v = gst_structure_get_value(s, field);
  if (!v || !G_VALUE_HOLDS_STRING(v) || !g_value_get_string(v)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "other/tensors caps need a fixed string field \"%s\"", field);
    return NULL;
  }
  return g_value_get_string(v);
}

static gboolean parse_header(const GstStructure *s, SpryTensorsInfo *info, GError **error) {
  if (!gst_structure_has_name(s, SPRY_TENSORS_MEDIA_TYPE)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "expected other/tensors caps, got %s", gst_structure_get_name(s));
    return FALSE;
  }
  /* Older NNStreamer omits format; absent means static. */
  if (gst_structure_has_field(s, "format")) {
    const gchar *format = get_string_field(s, "format", error);
    if (!format) return FALSE;
    if (strcmp(format, "static") != 0) {
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                  "other/tensors format \"%s\" is not supported; only format=static", format);
      return FALSE;
    }
  }
  gint num = 0;
  if (!gst_structure_get_int(s, "num_tensors", &num) || num < 1 || num > SPRY_TENSORS_MAX) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                "other/tensors caps need a fixed num_tensors from 1 to %d", SPRY_TENSORS_MAX);
    return FALSE;
  }
  info->num_tensors = (guint)num;
  if (gst_structure_has_field(s, "framerate")) {
    if (!gst_structure_get_fraction(s, "framerate", &info->rate_n, &info->rate_d) ||
        info->rate_n < 0 || info->rate_d <= 0) {
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                  "other/tensors framerate must be a fixed, non-negative fraction");
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean parse_types(const gchar *text, SpryTensorsInfo *info, GError **error) {
  gchar **items = split_list(text, "types", info->num_tensors, error);
  if (!items) return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < info->num_tensors; i++) {
    const gchar *name = g_strstrip(items[i]);
    ok = spry_tensors_type_from_name(name, &info->tensors[i].type);
    if (!ok)
      g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                  "tensor %u: unknown type \"%s\" (expected int8, uint8, int16, uint16, int32, "
                  "uint32, int64, uint64, float16, float32 or float64)", i, name);
  }
  g_strfreev(items);
  return ok;
}

gboolean spry_tensors_info_from_structure(const GstStructure *s, SpryTensorsInfo *out_info,
                                          GError **error) {
  SpryTensorsInfo info = {0};
  if (!parse_header(s, &info, error)) return FALSE;
  gint dim = 0;
  /* gst-launch reads an unquoted dimensions=40 as an integer. */
  gchar *dims = gst_structure_get_int(s, "dimensions", &dim)
                    ? g_strdup_printf("%d", dim)
                    : g_strdup(get_string_field(s, "dimensions", error));
  const gchar *types = dims ? get_string_field(s, "types", error) : NULL;
  gchar **items = types ? split_list(dims, "dimensions", info.num_tensors, error) : NULL;
  g_free(dims);
  if (!items) return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < info.num_tensors; i++)
    ok = parse_dims(items[i], &info.tensors[i], i, error);
  g_strfreev(items);
  if (!ok || !parse_types(types, &info, error)) return FALSE;
  for (guint i = 0; i < info.num_tensors; i++) {
    gsize size;
    if (!spry_tensors_desc_byte_size(&info.tensors[i], &size, error)) return FALSE;
  }
  *out_info = info;
  return TRUE;
}

gboolean spry_tensors_info_from_caps(const GstCaps *caps, SpryTensorsInfo *out_info,
                                     GError **error) {
  if (!caps || gst_caps_get_size(caps) < 1) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "no other/tensors caps");
    return FALSE;
  }
  return spry_tensors_info_from_structure(gst_caps_get_structure(caps, 0), out_info, error);
}

/* ---- Building ---------------------------------------------------------- */

GstCaps *spry_tensors_info_to_caps(const SpryTensorsInfo *info) {
  if (info->num_tensors < 1 || info->num_tensors > SPRY_TENSORS_MAX) return NULL;
  GString *dims = g_string_new(NULL), *types = g_string_new(NULL);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < info->num_tensors; i++) {
    const SpryTensorsDesc *desc = &info->tensors[i];
    ok = desc_valid(desc);
    if (!ok) break;
    gchar *d = spry_tensors_desc_dims_string(desc);
    g_string_append_printf(dims, "%s%s", i ? "," : "", d);
    g_string_append_printf(types, "%s%s", i ? "," : "", type_table[desc->type].name);
    g_free(d);
  }
  GstCaps *caps = NULL;
  if (ok) {
    caps = gst_caps_new_simple(SPRY_TENSORS_MEDIA_TYPE, "format", G_TYPE_STRING, "static",
                               "num_tensors", G_TYPE_INT, (gint)info->num_tensors, "dimensions",
                               G_TYPE_STRING, dims->str, "types", G_TYPE_STRING, types->str, NULL);
    if (info->rate_d > 0 && info->rate_n >= 0)
      gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, info->rate_n, info->rate_d, NULL);
  }
  g_string_free(dims, TRUE);
  g_string_free(types, TRUE);
  return caps;
}

gboolean spry_tensors_info_equal(const SpryTensorsInfo *a, const SpryTensorsInfo *b) {
  if (a->num_tensors != b->num_tensors || a->num_tensors > SPRY_TENSORS_MAX) return FALSE;
  for (guint i = 0; i < a->num_tensors; i++)
    if (!spry_tensors_desc_equal(&a->tensors[i], &b->tensors[i])) return FALSE;
  return TRUE;
}

gboolean spry_tensors_buffer_check(const SpryTensorsInfo *info, GstBuffer *buffer,
                                   GError **error) {
  guint n = gst_buffer_n_memory(buffer);
  if (n != info->num_tensors) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                "a tensor buffer holds %u memories but the caps announce %u tensors", n,
                info->num_tensors);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    gsize expected = 0;
    if (!spry_tensors_desc_byte_size(&info->tensors[i], &expected, error)) return FALSE;
    gsize size = gst_memory_get_sizes(gst_buffer_peek_memory(buffer, i), NULL, NULL);
    if (size != expected) {
      g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                  "tensor %u holds %" G_GSIZE_FORMAT " bytes but its caps need %" G_GSIZE_FORMAT,
                  i, size, expected);
      return FALSE;
    }
  }
  return TRUE;
}
