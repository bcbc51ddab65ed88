/* SPDX-License-Identifier: Apache-2.0 */
/* tensor_caps.h — NNStreamer's static `other/tensors` caps: parse, build, compare, size and check buffers. */
#ifndef SPRY_GST_TENSOR_CAPS_H
#define SPRY_GST_TENSOR_CAPS_H

/*
 * The caps look like (docs/tensor-caps.md):
 *
 *   other/tensors, format=(string)static, num_tensors=(int)2,
 *       dimensions=(string)"3:224:224:1,1001:1", types=(string)"uint8,float32",
 *       framerate=(fraction)30/1
 *
 * Dimensions are written innermost first (the reverse of a TFLite shape) and
 * trailing 1s are optional: "40" and "40:1:1:1" describe the same tensor. A
 * buffer carries one GstMemory per tensor, each exactly the tensor's size.
 *
 * Typical use in an element:
 *
 *   SpryTensorsInfo info;
 *   GError *err = NULL;
 *   if (!spry_tensors_info_from_caps(caps, &info, &err)) {
 *     GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("%s", err->message), (NULL));
 *     ...
 *   }
 *   ...
 *   if (!spry_tensors_buffer_check(&info, buf, &err)) ...   // per buffer
 */

#include <stdint.h>

#include <gst/gst.h>
#include <spry/spry.h>

G_BEGIN_DECLS

/* NNStreamer's limits: tensors per buffer (= GstBuffer's memory limit) and rank. */
#define SPRY_TENSORS_MAX 16
#define SPRY_TENSORS_RANK_MAX 16

#define SPRY_TENSORS_MEDIA_TYPE "other/tensors"

/* Element types, named exactly as in NNStreamer caps. */
typedef enum SpryTensorsType {
  SPRY_TENSORS_INT8,
  SPRY_TENSORS_UINT8,
  SPRY_TENSORS_INT16,
  SPRY_TENSORS_UINT16,
  SPRY_TENSORS_INT32,
  SPRY_TENSORS_UINT32,
  SPRY_TENSORS_INT64,
  SPRY_TENSORS_UINT64,
  SPRY_TENSORS_FLOAT16,
  SPRY_TENSORS_FLOAT32,
  SPRY_TENSORS_FLOAT64,
  SPRY_TENSORS_TYPE_COUNT
} SpryTensorsType;

/* One tensor: dims[0] is the innermost dimension; every dims[i] >= 1. */
typedef struct SpryTensorsDesc {
  SpryTensorsType type;
  guint rank; /* 1..SPRY_TENSORS_RANK_MAX, as written in the caps */
  guint32 dims[SPRY_TENSORS_RANK_MAX];
} SpryTensorsDesc;

typedef struct SpryTensorsInfo {
  guint num_tensors; /* 1..SPRY_TENSORS_MAX */
  SpryTensorsDesc tensors[SPRY_TENSORS_MAX];
  gint rate_n, rate_d; /* framerate; rate_d == 0: none in the caps */
} SpryTensorsInfo;

/* ---- Element types ----------------------------------------------------- */

/* NNStreamer's name ("float32"), or NULL when `type` is out of range. */
const gchar *spry_tensors_type_name(SpryTensorsType type);
gboolean spry_tensors_type_from_name(const gchar *name, SpryTensorsType *out_type);
/* Bytes per element (0 when `type` is out of range). */
gsize spry_tensors_type_size(SpryTensorsType type);
/* Every NNStreamer type has a SpryType; not every SpryType (bool, string,
 * complex, int4, bfloat16...) has an NNStreamer type. */
gboolean spry_tensors_type_to_spry(SpryTensorsType type, SpryType *out_type);
gboolean spry_tensors_type_from_spry(SpryType type, SpryTensorsType *out_type);

/* ---- One tensor -------------------------------------------------------- */

/* Rank without trailing 1s (at least 1): the rank NNStreamer compares. */
guint spry_tensors_desc_effective_rank(const SpryTensorsDesc *desc);
/* Same type and the same dims once trailing 1s are ignored. */
gboolean spry_tensors_desc_equal(const SpryTensorsDesc *a, const SpryTensorsDesc *b);
/* Bytes of the tensor; FALSE (and `error`) when it overflows or is invalid. */
gboolean spry_tensors_desc_byte_size(const SpryTensorsDesc *desc, gsize *out_size,
                                     GError **error);
/* "d0:d1:..." with all `rank` dims written (g_free). */
gchar *spry_tensors_desc_dims_string(const SpryTensorsDesc *desc);

/* From a TFLite shape (outermost first) to NNStreamer dims (innermost first).
 * Fails for a type NNStreamer lacks, rank 0 becomes "1", dims < 1 fail. */
gboolean spry_tensors_desc_from_shape(SpryType type, int32_t rank, const int32_t *dims,
                                      SpryTensorsDesc *out_desc, GError **error);
/* The same for an interpreter's tensor. */
gboolean spry_tensors_desc_from_tensor(const SpryTensor *tensor, SpryTensorsDesc *out_desc,
                                       GError **error);
/* Back to a TFLite shape of `desc->rank` dims, dropping trailing 1s only
 * when the rank exceeds SPRY_MAX_RANK. `out_dims` holds SPRY_MAX_RANK. */
gboolean spry_tensors_desc_to_shape(const SpryTensorsDesc *desc, SpryType *out_type,
                                    int32_t *out_rank, int32_t *out_dims, GError **error);
/* Whether `desc` describes a tensor of this type and shape (leading 1s of the
 * shape, i.e. trailing 1s of the dims, do not matter). */
gboolean spry_tensors_desc_matches_shape(const SpryTensorsDesc *desc, SpryType type,
                                         int32_t rank, const int32_t *dims);

/* ---- Whole caps -------------------------------------------------------- */

/* Parses a fixed `other/tensors` structure of static format; FALSE with a
 * reason in `error` (GST_CORE_ERROR_NEGOTIATION) otherwise. */
gboolean spry_tensors_info_from_structure(const GstStructure *s, SpryTensorsInfo *out_info,
                                          GError **error);
/* The same for the first structure of fixed caps. */
gboolean spry_tensors_info_from_caps(const GstCaps *caps, SpryTensorsInfo *out_info,
                                     GError **error);
/* Fixed caps for `info` (every dimension written up to its rank); NULL when
 * `info` is invalid. */
GstCaps *spry_tensors_info_to_caps(const SpryTensorsInfo *info);
/* Same number of tensors with equal types and shapes; framerate ignored. */
gboolean spry_tensors_info_equal(const SpryTensorsInfo *a, const SpryTensorsInfo *b);
/* `buffer` holds exactly `info->num_tensors` memories of the tensors' sizes. */
gboolean spry_tensors_buffer_check(const SpryTensorsInfo *info, GstBuffer *buffer,
                                   GError **error);

G_END_DECLS

#endif /* SPRY_GST_TENSOR_CAPS_H */
