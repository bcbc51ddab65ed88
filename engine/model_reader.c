/* SPDX-License-Identifier: Apache-2.0 */
/* model_reader.c — verifies a .tflite FlatBuffer and builds the SpryModel description. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatbuffer.h"
#include "model.h"
#include "sparsity.h"
#include "status.h"

/* Field ids of TFLite's schema.fbs: declaration order, a union taking two
 * (its type, then its value). */
enum { MODEL_VERSION = 0, MODEL_OPERATOR_CODES = 1, MODEL_SUBGRAPHS = 2, MODEL_DESCRIPTION = 3,
       MODEL_BUFFERS = 4, MODEL_METADATA_BUFFER = 5, MODEL_METADATA = 6,
       MODEL_SIGNATURE_DEFS = 7 };
enum { OPCODE_DEPRECATED_BUILTIN = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3 };
enum { SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2, SUBGRAPH_OPERATORS = 3,
       SUBGRAPH_NAME = 4 };
enum { TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_NAME = 3,
       TENSOR_QUANTIZATION = 4, TENSOR_IS_VARIABLE = 5, TENSOR_SPARSITY = 6,
       TENSOR_SHAPE_SIGNATURE = 7, TENSOR_VARIANT_TENSORS = 9, TENSOR_EXTERNAL_BUFFER = 10 };
enum { QUANT_MIN = 0, QUANT_MAX = 1, QUANT_SCALE = 2, QUANT_ZERO_POINT = 3,
       QUANT_DETAILS_TYPE = 4, QUANT_DIMENSION = 6 };
enum { OP_OPCODE_INDEX = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_BUILTIN_OPTIONS_TYPE = 3,
       OP_CUSTOM_OPTIONS = 5, OP_MUTATING_VARIABLE_INPUTS = 7, OP_INTERMEDIATES = 8,
       OP_LARGE_CUSTOM_OPTIONS_OFFSET = 9, OP_LARGE_CUSTOM_OPTIONS_SIZE = 10,
       OP_BUILTIN_OPTIONS_2_TYPE = 11 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };
enum { METADATA_NAME = 0, METADATA_BUFFER = 1 };
enum { SIGNATURE_INPUTS = 0, SIGNATURE_OUTPUTS = 1, SIGNATURE_KEY = 2,
       SIGNATURE_SUBGRAPH_INDEX = 4 };
enum { TENSOR_MAP_NAME = 0, TENSOR_MAP_INDEX = 1 };

/* The schema version this reader understands (TFLite accepts only it). */
#define SPRY_TFLITE_SCHEMA_VERSION 3u
/* Alignment of the copies made for misaligned constant data. */
#define SPRY_DATA_ALIGNMENT 16u
/* Work budget, in bytes allocated or entries visited, per byte of file. */
#define SPRY_BUDGET_PER_BYTE 64u
#define SPRY_BUDGET_MINIMUM ((size_t)1 << 20)

/* Data of zero-element constants: never read (they have no elements), but
 * not NULL, so kernels tell them from tensors without data and may hand the
 * pointer to memcpy with a length of 0. */
static _Alignas(SPRY_DATA_ALIGNMENT) const uint8_t spry_empty_constant_data[SPRY_DATA_ALIGNMENT];

/* Returns on failure after prefixing the message with context. */
#define SPRY_TRY_IN(expr, ...)                                           \
  do {                                                                   \
    SpryStatus spry_in_status_ = (expr);                                 \
    if (spry_in_status_ != SPRY_OK) {                                    \
      return spry_prefix_error(spry_in_status_, __VA_ARGS__);            \
    }                                                                    \
  } while (0)

typedef struct SpryBufferRef {
  const uint8_t *data;     /* NULL when the buffer is empty */
  size_t size;
  const uint8_t *aligned;  /* aligned copy, made on first misaligned use */
} SpryBufferRef;

typedef struct SpryReader {
  SpryFb fb;
  SpryModel *model;
  SpryBufferRef *buffers;
  uint32_t num_buffers;
  int32_t owned_capacity;
  /* FlatBuffers may share a table or vector between many parents, so a
   * small file could make the reader copy or visit the same data millions
   * of times. Everything copied or visited is charged here, which keeps the
   * work and memory of reading linear in the file size. */
  size_t budget;
} SpryReader;

static SpryStatus out_of_memory(void) {
  return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
}

static SpryStatus spend(SpryReader *r, size_t count, size_t size) {
  if (size != 0 && count > r->budget / size) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "tables reference far more data than the file holds "
                          "(%zu bytes); shared tables?",
                          r->fb.size);
  }
  r->budget -= count * size;
  return SPRY_OK;
}

/* Zeroed array of `count` items, charged to the budget; never asks calloc
 * for 0 bytes, so NULL always means failure. */
static SpryStatus alloc_zeroed(SpryReader *r, size_t count, size_t size, void **out) {
  *out = NULL;
  SPRY_TRY(spend(r, count, size));
  *out = calloc(count == 0 ? 1 : count, size);
  return *out ? SPRY_OK : out_of_memory();
}

static SpryStatus copy_string(SpryReader *r, const char *text, size_t length, char **out) {
  SPRY_TRY(spend(r, length, 1));
  char *copy = malloc(length + 1);
  if (copy == NULL) return out_of_memory();
  if (length > 0) memcpy(copy, text, length);
  copy[length] = '\0';
  *out = copy;
  return SPRY_OK;
}

/* Copies an optional string field; an absent one becomes "". */
static SpryStatus read_string(SpryReader *r, const SpryFbTable *table, int field, char **out) {
  const char *text;
  size_t length;
  SPRY_TRY(spry_fb_string_field(table, field, &text, &length));
  return copy_string(r, text ? text : "", length, out);
}

/* Vector lengths become int32 counts in the model description. */
static SpryStatus check_count(const SpryFbVector *v, const char *what) {
  if (v->length > INT32_MAX) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "%s has too many entries (%" PRIu32 ")",
                          what, v->length);
  }
  return SPRY_OK;
}

/* Reads a vector of tensor indices, each in [0, num_tensors) or, when
 * `allow_absent`, -1 (an omitted optional input). */
static SpryStatus read_indices(SpryReader *r, const SpryFbTable *table, int field,
                               const char *what, int32_t num_tensors, bool allow_absent,
                               int32_t **out, int32_t *count) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(table, field, sizeof(int32_t), NULL, &v), "%ss", what);
  SPRY_TRY(check_count(&v, what));
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof(int32_t), &memory));
  int32_t *indices = memory;
  *out = indices;  /* owned by the description from here on */
  *count = (int32_t)v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    int32_t index = spry_fb_vector_i32(&v, i);
    if ((index < 0 || index >= num_tensors) && !(allow_absent && index == -1)) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "%s index %" PRId32 " out of range (%" PRId32 " tensors)", what,
                            index, num_tensors);
    }
    indices[i] = index;
  }
  return SPRY_OK;
}

/* ---- buffers ---- */

static SpryStatus read_buffer(SpryReader *r, const SpryFbTable *table, SpryBufferRef *out) {
  SpryFbVector data;
  uint64_t offset, size;
  SPRY_TRY_IN(spry_fb_vector_field(table, BUFFER_DATA, 1, NULL, &data), "data");
  SPRY_TRY(spry_fb_u64(table, BUFFER_OFFSET, 0, &offset));
  SPRY_TRY(spry_fb_u64(table, BUFFER_SIZE, 0, &size));
  /* Models over 2 GB keep data after the FlatBuffer; the schema marks such a
   * buffer with an offset greater than 1, counted from the start of the file. */
  if (offset > 1) {
    if (data.length > 0) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "has both inline data (%" PRIu32 " bytes) and external data at "
                            "offset 0x%" PRIx64,
                            data.length, offset);
    }
    if (offset > r->fb.size || size > r->fb.size - offset) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "truncated: external data at 0x%" PRIx64 " (%" PRIu64
                            " bytes) extends past end of file (size %zu)",
                            offset, size, r->fb.size);
    }
    if (size > 0) {
      out->data = r->fb.base + offset;
      out->size = (size_t)size;
    }
  } else if (data.length > 0) {
    out->data = spry_fb_vector_ptr(&data, 0);
    out->size = data.length;
  }
  return SPRY_OK;
}

static SpryStatus read_buffers(SpryReader *r, const SpryFbTable *root) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(root, MODEL_BUFFERS, 4, NULL, &v), "buffers");
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof *r->buffers, &memory));
  r->buffers = memory;
  r->num_buffers = v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable table;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &table), "buffer %" PRIu32, i);
    SPRY_TRY_IN(read_buffer(r, &table, &r->buffers[i]), "buffer %" PRIu32, i);
  }
  return SPRY_OK;
}

/* Keeps `copy` in model->owned_copies so spry_model_release() frees it. */
static SpryStatus own_copy(SpryReader *r, void *copy) {
  SpryModel *m = r->model;
  if (m->num_owned_copies == r->owned_capacity) {
    int32_t capacity = r->owned_capacity == 0 ? 8 : r->owned_capacity * 2;
    void **grown = realloc(m->owned_copies, (size_t)capacity * sizeof *grown);
    if (grown == NULL) {
      free(copy);
      return out_of_memory();
    }
    m->owned_copies = grown;
    r->owned_capacity = capacity;
  }
  m->owned_copies[m->num_owned_copies++] = copy;
  return SPRY_OK;
}

/* TFLite's kernels take the packed sub-byte types (int4, int2, uint4) only
 * as constants (weights, tables), so the engine stores no sub-byte
 * activations: such a tensor without constant data (a graph input, an
 * operator's output, a variable) or with sparse data is refused here. */
static SpryStatus check_packed_constant(const SpryTensorDesc *desc) {
  if (spry_type_values_per_byte(desc->type) == 0) return SPRY_OK;
  const char *type = spry_type_name(desc->type);
  if (desc->is_sparse) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "%s tensor '%s' is sparse (sparse %s weights are not supported)", type,
                          desc->name, type);
  }
  if (desc->data == NULL) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "%s tensor '%s' has no constant data: %s is supported for "
                          "constant weights only, not for activations or variables",
                          type, desc->name, type);
  }
  return SPRY_OK;
}

/* Sub-byte values are stored packed, as TFLite stores them (kernels/subbyte.h
 * unpacks them): the buffer holds exactly the bytes the values need. */
static SpryStatus check_packed_size(const SpryTensorDesc *desc, uint32_t buffer, size_t size,
                                    size_t elements) {
  const size_t per_byte = spry_type_values_per_byte(desc->type);
  const size_t expected = spry_packed_bytes(desc->type, elements);
  if (per_byte == 0 || desc->is_sparse || size == expected) return SPRY_OK;
  const char *word = per_byte == 2 ? "two" : "four";
  return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                        "%s tensor '%s': buffer %" PRIu32 " holds %zu bytes, expected %zu "
                        "(%zu values packed %s a byte)",
                        spry_type_name(desc->type), desc->name, buffer, size, expected, elements,
                        word);
}

/* Points the tensor at its constant data: in place when the data is aligned
 * to its element size, else in an aligned copy (made once per buffer). */
static SpryStatus attach_data(SpryReader *r, uint32_t buffer, size_t elements,
                              SpryTensorDesc *desc) {
  if (buffer == 0 || buffer >= r->num_buffers) return SPRY_OK;
  SpryBufferRef *ref = &r->buffers[buffer];
  size_t elem_size = spry_type_size(desc->type);
  const bool packed = spry_type_values_per_byte(desc->type) != 0;
  if (ref->data == NULL) {
    /* A buffer of its own with no bytes: a constant when the tensor has no
     * elements either (an empty axis list, an empty shape), as in TFLite;
     * else an activation (converters give activations empty buffers). The
     * interpreter turns it back into an activation if an operator writes it
     * or it is a graph input. */
    if (elements == 0 && (elem_size != 0 || packed) && !desc->is_variable && !desc->is_sparse) {
      desc->data = spry_empty_constant_data;
      desc->data_size = 0;
    }
    return SPRY_OK;
  }
  SPRY_TRY(check_packed_size(desc, buffer, ref->size, elements));
  /* Sparse data is compressed and string data has no fixed element size:
   * their length cannot be derived from the shape. */
  if (elem_size != 0 && !desc->is_sparse && ref->size != elements * elem_size) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "buffer %" PRIu32 " holds %zu bytes, expected %zu (%zu elements of %s)",
                          buffer, ref->size, elements * elem_size, elements,
                          spry_type_name(desc->type));
  }
  size_t align = elem_size > 1 ? elem_size : 1;
  if ((uintptr_t)ref->data % align == 0) {
    desc->data = ref->data;
  } else {
    if (ref->aligned == NULL) {
      /* Buffer tables may share one data vector: charge every copy. */
      SPRY_TRY(spend(r, ref->size, 1));
      size_t padded = (ref->size + SPRY_DATA_ALIGNMENT - 1) / SPRY_DATA_ALIGNMENT *
                      SPRY_DATA_ALIGNMENT;
      uint8_t *copy = aligned_alloc(SPRY_DATA_ALIGNMENT, padded);
      if (copy == NULL) return out_of_memory();
      memcpy(copy, ref->data, ref->size);
      SPRY_TRY(own_copy(r, copy));
      ref->aligned = copy;
    }
    desc->data = ref->aligned;
  }
  desc->data_size = ref->size;
  return SPRY_OK;
}

/* ---- tensors ---- */

static SpryStatus read_shape(const SpryFbTable *table, SpryTensorDesc *desc) {
  SpryFbVector shape, signature;
  bool has_signature;
  SPRY_TRY_IN(spry_fb_vector_field(table, TENSOR_SHAPE, sizeof(int32_t), NULL, &shape), "shape");
  if (shape.length > SPRY_MAX_RANK) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED, "shape has rank %" PRIu32 " (max %d)",
                          shape.length, SPRY_MAX_RANK);
  }
  desc->rank = (int32_t)shape.length;
  for (uint32_t i = 0; i < shape.length; i++) {
    desc->dims[i] = spry_fb_vector_i32(&shape, i);
    if (desc->dims[i] < 0) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "shape dimension %" PRIu32 " is %" PRId32 " (must be >= 0)", i,
                            desc->dims[i]);
    }
  }
  SPRY_TRY_IN(spry_fb_vector_field(table, TENSOR_SHAPE_SIGNATURE, sizeof(int32_t),
                                   &has_signature, &signature),
              "shape_signature");
  if (!has_signature) return SPRY_OK;
  if (signature.length != shape.length) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "shape_signature has %" PRIu32 " entries but the shape has rank %" PRId32,
                          signature.length, desc->rank);
  }
  desc->has_signature = true;
  for (uint32_t i = 0; i < signature.length; i++) {
    desc->signature[i] = spry_fb_vector_i32(&signature, i);
    if (desc->signature[i] < -1) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "shape_signature dimension %" PRIu32 " is %" PRId32
                            " (must be >= -1)",
                            i, desc->signature[i]);
    }
  }
  return SPRY_OK;
}

/* Checks scale/zero-point arrays against each other and the shape. */
static SpryStatus check_quantization(const SpryFbVector *scale, const SpryFbVector *zero_point,
                                     int32_t *dimension, const SpryTensorDesc *desc) {
  uint32_t n = scale->length;
  if (zero_point->length != 0 && zero_point->length != n) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "quantization has %" PRIu32 " scales but %" PRIu32 " zero points", n,
                          zero_point->length);
  }
  if (n == 1) {
    /* Per-tensor: the dimension means nothing; keep it in range for users. */
    if (*dimension < 0 || *dimension >= desc->rank) *dimension = 0;
    return SPRY_OK;
  }
  if (*dimension < 0 || *dimension >= desc->rank) {
    /* Old TOCO models (TFLM's person detection) give rank-1 bias tensors the
     * filter's quantized dimension; the only possible meaning is dimension 0. */
    if (desc->rank == 1 && desc->dims[0] >= 0 && (uint32_t)desc->dims[0] == n) {
      *dimension = 0;
    } else {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "quantized_dimension %" PRId32 " out of range (rank %" PRId32 ")",
                            *dimension, desc->rank);
    }
  }
  if ((uint32_t)desc->dims[*dimension] != n) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "per-channel quantization has %" PRIu32 " scales but dimension %" PRId32
                          " has size %" PRId32,
                          n, *dimension, desc->dims[*dimension]);
  }
  return SPRY_OK;
}

static SpryStatus read_quantization(SpryReader *r, const SpryFbTable *tensor,
                                    SpryTensorDesc *desc) {
  SpryFbTable q, details;
  SpryFbVector min, max, scale, zero_point;
  bool present;
  uint8_t details_type;
  int32_t dimension;
  SPRY_TRY(spry_fb_table_field(tensor, TENSOR_QUANTIZATION, &present, &q));
  if (!present) return SPRY_OK;
  SPRY_TRY_IN(spry_fb_vector_field(&q, QUANT_MIN, sizeof(float), NULL, &min), "min");
  SPRY_TRY_IN(spry_fb_vector_field(&q, QUANT_MAX, sizeof(float), NULL, &max), "max");
  SPRY_TRY_IN(spry_fb_vector_field(&q, QUANT_SCALE, sizeof(float), NULL, &scale), "scale");
  SPRY_TRY_IN(spry_fb_vector_field(&q, QUANT_ZERO_POINT, sizeof(int64_t), NULL, &zero_point),
              "zero_point");
  SPRY_TRY_IN(spry_fb_union_field(&q, QUANT_DETAILS_TYPE, &details_type, &details), "details");
  SPRY_TRY(spry_fb_i32(&q, QUANT_DIMENSION, 0, &dimension));
  if (details_type != 0) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "quantization details type %u is not supported", details_type);
  }
  if (scale.length == 0) return SPRY_OK;  /* min/max only: not quantized */
  SPRY_TRY_IN(check_quantization(&scale, &zero_point, &dimension, desc), "quantization");
  uint32_t n = scale.length;
  void *memory;
  SPRY_TRY(alloc_zeroed(r, n, sizeof(float), &memory));
  float *scales = memory;
  desc->quant.scales = scales;  /* owned by the description from here on */
  SPRY_TRY(alloc_zeroed(r, n, sizeof(int32_t), &memory));
  int32_t *zero_points = memory;
  desc->quant.zero_points = zero_points;
  for (uint32_t i = 0; i < n; i++) {
    scales[i] = spry_fb_vector_f32(&scale, i);
    if (!isfinite(scales[i])) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL, "quantization scale %" PRIu32 " is %g",
                            i, (double)scales[i]);
    }
    int64_t zp = zero_point.length ? spry_fb_vector_i64(&zero_point, i) : 0;
    if (zp < INT32_MIN || zp > INT32_MAX) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "zero point %" PRIu32 " (%" PRId64 ") does not fit in 32 bits", i,
                            zp);
    }
    zero_points[i] = (int32_t)zp;
  }
  desc->quant.scale = scales[0];
  desc->quant.zero_point = zero_points[0];
  desc->quant.num_channels = (int32_t)n;
  desc->quant.quantized_dimension = dimension;
  return SPRY_OK;
}

/* Element count of the shape; fails when the byte size overflows size_t. */
static SpryStatus element_count(const SpryTensorDesc *desc, size_t *out) {
  size_t count = 1;
  size_t elem_size = spry_type_size(desc->type);
  size_t limit = SIZE_MAX / (elem_size ? elem_size : 1);
  for (int32_t i = 0; i < desc->rank; i++) {
    size_t dim = (size_t)desc->dims[i];
    if (dim != 0 && count > limit / dim) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL, "shape is too large to address");
    }
    count *= dim;
  }
  *out = count;
  return SPRY_OK;
}

/* Only DENSIFY reads sparse tensors (the interpreter refuses any other
 * reader), so a build without it skips their index arrays: the tensor stays
 * marked sparse, and the model fails at interpreter creation, naming the op
 * this build lacks, instead of at open. */
static SpryStatus read_sparsity(SpryReader *r, const SpryFbTable *table, SpryTensorDesc *desc) {
#if SPRY_SPARSE_TENSORS
  return spry_sparsity_read(table, desc, &r->budget, &desc->sparsity);
#else
  (void)r, (void)table, (void)desc;
  return SPRY_OK;
#endif
}

static SpryStatus read_tensor(SpryReader *r, const SpryFbTable *table, SpryTensorDesc *desc) {
  int8_t type;
  uint32_t buffer, external;
  uint8_t is_variable;
  bool sparse;
  SpryFbTable sparsity;
  SpryFbVector variants;
  size_t elements = 0;
  SPRY_TRY_IN(read_string(r, table, TENSOR_NAME, &desc->name), "name");
  SPRY_TRY(read_shape(table, desc));
  SPRY_TRY(spry_fb_i8(table, TENSOR_TYPE, 0, &type));
  if (type < 0) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "type %d is not a TFLite tensor type", type);
  }
  if (type > SPRY_TYPE_UINT4) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "tensor \"%s\" has type %d, which is not supported", desc->name, type);
  }
  desc->type = (SpryType)type;
  SPRY_TRY(element_count(desc, &elements));
  SPRY_TRY(spry_fb_u32(table, TENSOR_BUFFER, 0, &buffer));
  if (buffer != 0 && buffer >= r->num_buffers) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "buffer index %" PRIu32 " out of range (%" PRIu32 " buffers)", buffer,
                          r->num_buffers);
  }
  SPRY_TRY(spry_fb_u8(table, TENSOR_IS_VARIABLE, 0, &is_variable));
  desc->is_variable = is_variable != 0;
  SPRY_TRY_IN(spry_fb_table_field(table, TENSOR_SPARSITY, &sparse, &sparsity), "sparsity");
  desc->is_sparse = sparse;
  SPRY_TRY_IN(spry_fb_vector_field(table, TENSOR_VARIANT_TENSORS, 4, NULL, &variants),
              "variant_tensors");
  SPRY_TRY(spry_fb_u32(table, TENSOR_EXTERNAL_BUFFER, 0, &external));
  if (external != 0) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "data in external buffer %" PRIu32 " is not supported", external);
  }
  SPRY_TRY(read_quantization(r, table, desc));
  SPRY_TRY(attach_data(r, buffer, elements, desc));
  SPRY_TRY(check_packed_constant(desc));
  return sparse ? read_sparsity(r, &sparsity, desc) : SPRY_OK;
}

/* ---- operators ---- */

/* Options beyond the FlatBuffer (models over 2 GB): offset > 1 is valid. */
static SpryStatus read_large_custom_options(SpryReader *r, const SpryFbTable *table,
                                            SpryOperatorDesc *op) {
  uint64_t offset, size;
  SPRY_TRY(spry_fb_u64(table, OP_LARGE_CUSTOM_OPTIONS_OFFSET, 0, &offset));
  SPRY_TRY(spry_fb_u64(table, OP_LARGE_CUSTOM_OPTIONS_SIZE, 0, &size));
  if (offset <= 1) return SPRY_OK;
  if (op->custom_options != NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "has both custom_options and large custom options");
  }
  if (offset > r->fb.size || size > r->fb.size - offset) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "truncated: large custom options at 0x%" PRIx64 " (%" PRIu64
                          " bytes) extend past end of file (size %zu)",
                          offset, size, r->fb.size);
  }
  if (size > 0) {
    op->custom_options = r->fb.base + offset;
    op->custom_options_size = (size_t)size;
  }
  return SPRY_OK;
}

static SpryStatus read_operator(SpryReader *r, const SpryFbTable *table, int32_t num_tensors,
                                SpryOperatorDesc *op) {
  uint32_t opcode_index;
  SpryFbTable options, options2;
  SpryFbVector custom, mutating;
  uint8_t options2_type;
  SPRY_TRY(spry_fb_u32(table, OP_OPCODE_INDEX, 0, &opcode_index));
  if (opcode_index >= (uint32_t)r->model->num_opcodes) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "opcode index %" PRIu32 " out of range (%" PRId32 " operator codes)",
                          opcode_index, r->model->num_opcodes);
  }
  op->opcode_index = (int32_t)opcode_index;
  SPRY_TRY(read_indices(r, table, OP_INPUTS, "input", num_tensors, true, &op->inputs,
                        &op->num_inputs));
  SPRY_TRY(read_indices(r, table, OP_OUTPUTS, "output", num_tensors, false, &op->outputs,
                        &op->num_outputs));
  SPRY_TRY(read_indices(r, table, OP_INTERMEDIATES, "intermediate", num_tensors, false,
                        &op->intermediates, &op->num_intermediates));
  SPRY_TRY_IN(spry_fb_union_field(table, OP_BUILTIN_OPTIONS_TYPE, &op->options_type, &options),
              "builtin_options");
  if (op->options_type != 0) {
    if (options.pos > UINT32_MAX) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "builtin_options table at 0x%zx is beyond 4 GiB", options.pos);
    }
    op->options.base = r->fb.base;
    op->options.size = r->fb.size;
    op->options.table = (uint32_t)options.pos;
  }
  SPRY_TRY_IN(spry_fb_union_field(table, OP_BUILTIN_OPTIONS_2_TYPE, &options2_type, &options2),
              "builtin_options_2");
  SPRY_TRY_IN(spry_fb_vector_field(table, OP_CUSTOM_OPTIONS, 1, NULL, &custom),
              "custom_options");
  if (custom.length > 0) {
    op->custom_options = spry_fb_vector_ptr(&custom, 0);
    op->custom_options_size = custom.length;
  }
  SPRY_TRY_IN(spry_fb_vector_field(table, OP_MUTATING_VARIABLE_INPUTS, 1, NULL, &mutating),
              "mutating_variable_inputs");
  return read_large_custom_options(r, table, op);
}

/* ---- subgraphs ---- */

static SpryStatus read_tensors(SpryReader *r, const SpryFbTable *table, uint32_t index,
                               SprySubgraphDesc *sg) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(table, SUBGRAPH_TENSORS, 4, NULL, &v),
              "subgraph %" PRIu32 ": tensors", index);
  SPRY_TRY_IN(check_count(&v, "tensors"), "subgraph %" PRIu32, index);
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof *sg->tensors, &memory));
  sg->tensors = memory;
  sg->num_tensors = (int32_t)v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable tensor;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &tensor),
                "subgraph %" PRIu32 ", tensor %" PRIu32, index, i);
    SPRY_TRY_IN(read_tensor(r, &tensor, &sg->tensors[i]),
                "subgraph %" PRIu32 ", tensor %" PRIu32, index, i);
  }
  return SPRY_OK;
}

static SpryStatus read_operators(SpryReader *r, const SpryFbTable *table, uint32_t index,
                                 SprySubgraphDesc *sg) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(table, SUBGRAPH_OPERATORS, 4, NULL, &v),
              "subgraph %" PRIu32 ": operators", index);
  SPRY_TRY_IN(check_count(&v, "operators"), "subgraph %" PRIu32, index);
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof *sg->operators, &memory));
  sg->operators = memory;
  sg->num_operators = (int32_t)v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable op;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &op),
                "operator %" PRIu32 " of subgraph %" PRIu32, i, index);
    SPRY_TRY_IN(read_operator(r, &op, sg->num_tensors, &sg->operators[i]),
                "operator %" PRIu32 " of subgraph %" PRIu32, i, index);
  }
  return SPRY_OK;
}

static SpryStatus read_subgraph(SpryReader *r, const SpryFbTable *table, uint32_t index,
                                SprySubgraphDesc *sg) {
  SPRY_TRY_IN(read_string(r, table, SUBGRAPH_NAME, &sg->name), "subgraph %" PRIu32 ": name",
              index);
  SPRY_TRY(read_tensors(r, table, index, sg));
  SPRY_TRY_IN(read_indices(r, table, SUBGRAPH_INPUTS, "input", sg->num_tensors, false,
                           &sg->inputs, &sg->num_inputs),
              "subgraph %" PRIu32, index);
  SPRY_TRY_IN(read_indices(r, table, SUBGRAPH_OUTPUTS, "output", sg->num_tensors, false,
                           &sg->outputs, &sg->num_outputs),
              "subgraph %" PRIu32, index);
  return read_operators(r, table, index, sg);
}

static SpryStatus read_subgraphs(SpryReader *r, const SpryFbTable *root) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(root, MODEL_SUBGRAPHS, 4, NULL, &v), "subgraphs");
  SPRY_TRY(check_count(&v, "subgraphs"));
  if (v.length == 0) return spry_set_error(SPRY_ERROR_INVALID_MODEL, "model has no subgraphs");
  SpryModel *m = r->model;
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof *m->subgraphs, &memory));
  m->subgraphs = memory;
  m->num_subgraphs = (int32_t)v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable table;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &table), "subgraph %" PRIu32, i);
    SPRY_TRY(read_subgraph(r, &table, i, &m->subgraphs[i]));
  }
  return SPRY_OK;
}

/* ---- operator codes ---- */

static SpryStatus read_opcode(SpryReader *r, const SpryFbTable *table, SpryOpCodeDesc *op) {
  int8_t deprecated_code;
  int32_t code;
  const char *custom;
  size_t custom_length;
  SPRY_TRY(spry_fb_i8(table, OPCODE_DEPRECATED_BUILTIN, 0, &deprecated_code));
  SPRY_TRY(spry_fb_i32(table, OPCODE_BUILTIN, 0, &code));
  SPRY_TRY(spry_fb_i32(table, OPCODE_VERSION, 1, &op->version));
  SPRY_TRY_IN(spry_fb_string_field(table, OPCODE_CUSTOM, &custom, &custom_length),
              "custom_code");
  /* Codes past 127 live only in builtin_code; older files set only the
   * deprecated byte. The larger of the two is the real one (schema.fbs). */
  op->builtin_code = code > deprecated_code ? code : deprecated_code;
  if (op->builtin_code < 0) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "builtin code %" PRId32 " is negative",
                          op->builtin_code);
  }
  if (op->version < 1) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "version %" PRId32 " (must be >= 1)",
                          op->version);
  }
  if (op->builtin_code != SPRY_BUILTIN_CUSTOM) return SPRY_OK;
  if (custom == NULL || custom_length == 0) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "custom operator without a custom_code");
  }
  return copy_string(r, custom, custom_length, &op->custom_name);
}

static SpryStatus read_opcodes(SpryReader *r, const SpryFbTable *root) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(root, MODEL_OPERATOR_CODES, 4, NULL, &v), "operator_codes");
  SPRY_TRY(check_count(&v, "operator_codes"));
  SpryModel *m = r->model;
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof *m->opcodes, &memory));
  m->opcodes = memory;
  m->num_opcodes = (int32_t)v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable table;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &table), "operator code %" PRIu32, i);
    SPRY_TRY_IN(read_opcode(r, &table, &m->opcodes[i]), "operator code %" PRIu32, i);
  }
  return SPRY_OK;
}

/* ---- metadata and signatures ---- */

static SpryStatus read_metadata_entry(SpryReader *r, const SpryFbTable *table,
                                      SpryMetadataDesc *desc) {
  uint32_t buffer;
  SPRY_TRY_IN(read_string(r, table, METADATA_NAME, &desc->name), "name");
  SPRY_TRY(spry_fb_u32(table, METADATA_BUFFER, 0, &buffer));
  if (buffer >= r->num_buffers) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "\"%s\": buffer index %" PRIu32 " out of range (%" PRIu32 " buffers)",
                          desc->name, buffer, r->num_buffers);
  }
  desc->data = r->buffers[buffer].data;
  desc->size = r->buffers[buffer].size;
  return SPRY_OK;
}

static SpryStatus read_metadata(SpryReader *r, const SpryFbTable *root) {
  SpryFbVector v, old;
  SPRY_TRY_IN(spry_fb_vector_field(root, MODEL_METADATA, 4, NULL, &v), "metadata");
  SPRY_TRY(check_count(&v, "metadata"));
  SpryModel *m = r->model;
  void *memory;
  SPRY_TRY(alloc_zeroed(r, v.length, sizeof *m->metadata, &memory));
  m->metadata = memory;
  m->num_metadata = (int32_t)v.length;
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable table;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &table), "metadata %" PRIu32, i);
    SPRY_TRY_IN(read_metadata_entry(r, &table, &m->metadata[i]), "metadata %" PRIu32, i);
  }
  SPRY_TRY_IN(spry_fb_vector_field(root, MODEL_METADATA_BUFFER, sizeof(int32_t), NULL, &old),
              "metadata_buffer");
  for (uint32_t i = 0; i < old.length; i++) {
    int32_t buffer = spry_fb_vector_i32(&old, i);
    if (buffer < 0 || (uint32_t)buffer >= r->num_buffers) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "metadata_buffer %" PRIu32 ": buffer index %" PRId32
                            " out of range (%" PRIu32 " buffers)",
                            i, buffer, r->num_buffers);
    }
  }
  return SPRY_OK;
}

static SpryStatus check_tensor_maps(SpryReader *r, const SpryFbTable *signature, int field,
                                    const char *what, int32_t num_tensors) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(signature, field, 4, NULL, &v), "%ss", what);
  SPRY_TRY(spend(r, v.length, 16));
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable map;
    const char *name;
    size_t length;
    uint32_t tensor;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &map), "%s %" PRIu32, what, i);
    SPRY_TRY_IN(spry_fb_string_field(&map, TENSOR_MAP_NAME, &name, &length), "%s %" PRIu32,
                what, i);
    SPRY_TRY_IN(spry_fb_u32(&map, TENSOR_MAP_INDEX, 0, &tensor), "%s %" PRIu32, what, i);
    if (tensor >= (uint32_t)num_tensors) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "%s %" PRIu32 ": tensor index %" PRIu32 " out of range (%" PRId32
                            " tensors)",
                            what, i, tensor, num_tensors);
    }
  }
  return SPRY_OK;
}

/* Signatures are not used yet, but everything in the file is verified. */
static SpryStatus check_signatures(SpryReader *r, const SpryFbTable *root) {
  SpryFbVector v;
  SPRY_TRY_IN(spry_fb_vector_field(root, MODEL_SIGNATURE_DEFS, 4, NULL, &v), "signature_defs");
  for (uint32_t i = 0; i < v.length; i++) {
    SpryFbTable sig;
    const char *key;
    size_t length;
    uint32_t subgraph;
    SPRY_TRY_IN(spry_fb_vector_table(&v, i, &sig), "signature %" PRIu32, i);
    SPRY_TRY_IN(spry_fb_string_field(&sig, SIGNATURE_KEY, &key, &length),
                "signature %" PRIu32 ": signature_key", i);
    SPRY_TRY_IN(spry_fb_u32(&sig, SIGNATURE_SUBGRAPH_INDEX, 0, &subgraph), "signature %" PRIu32,
                i);
    if (subgraph >= (uint32_t)r->model->num_subgraphs) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "signature %" PRIu32 ": subgraph index %" PRIu32
                            " out of range (%" PRId32 " subgraphs)",
                            i, subgraph, r->model->num_subgraphs);
    }
    int32_t num_tensors = r->model->subgraphs[subgraph].num_tensors;
    SPRY_TRY_IN(check_tensor_maps(r, &sig, SIGNATURE_INPUTS, "input", num_tensors),
                "signature %" PRIu32, i);
    SPRY_TRY_IN(check_tensor_maps(r, &sig, SIGNATURE_OUTPUTS, "output", num_tensors),
                "signature %" PRIu32, i);
  }
  return SPRY_OK;
}

/* ---- the model ---- */

static SpryStatus read_model(SpryReader *r) {
  SpryFbTable root;
  uint32_t version;
  SpryModel *m = r->model;
  SPRY_TRY(spry_fb_root(&r->fb, "TFL3", &root));
  SPRY_TRY(spry_fb_u32(&root, MODEL_VERSION, 0, &version));
  if (version != SPRY_TFLITE_SCHEMA_VERSION) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "schema version %" PRIu32 " is not supported (expected %u)", version,
                          SPRY_TFLITE_SCHEMA_VERSION);
  }
  m->version = version;
  SPRY_TRY_IN(read_string(r, &root, MODEL_DESCRIPTION, &m->description), "description");
  SPRY_TRY(read_buffers(r, &root));
  SPRY_TRY(read_opcodes(r, &root));
  SPRY_TRY(read_subgraphs(r, &root));
  SPRY_TRY(read_metadata(r, &root));
  return check_signatures(r, &root);
}

SpryStatus spry_model_read(const uint8_t *base, size_t size, SpryModel *model) {
  if (model == NULL || (base == NULL && size != 0)) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "spry_model_read: NULL argument");
  }
  memset(model, 0, sizeof *model);
  model->base = base;
  model->size = size;
  SpryReader reader = {.fb = {.base = base, .size = size, .what = "file"}, .model = model};
  reader.budget = size > (SIZE_MAX - SPRY_BUDGET_MINIMUM) / SPRY_BUDGET_PER_BYTE
                      ? SIZE_MAX
                      : size * SPRY_BUDGET_PER_BYTE + SPRY_BUDGET_MINIMUM;
  if (base == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "model: empty buffer");
  }
  SpryStatus status = read_model(&reader);
  free(reader.buffers);
  if (status != SPRY_OK) {
    spry_prefix_error(status, "model");
    spry_model_release(model);
  }
  return status;
}

const char *spry_opcode_name(const SpryOpCodeDesc *opcode) {
  /* Unknown codes get a formatted name; it lives until the next such call on
   * this thread, which is enough for composing a message. */
  static _Thread_local char unknown[24];
  if (opcode == NULL) return "(null)";
  if (opcode->builtin_code == SPRY_BUILTIN_CUSTOM && opcode->custom_name != NULL) {
    return opcode->custom_name;
  }
  const char *name = spry_builtin_op_name(opcode->builtin_code);
  if (name != NULL) return name;
  if (opcode->custom_name != NULL) return opcode->custom_name;
  snprintf(unknown, sizeof unknown, "op %" PRId32, opcode->builtin_code);
  return unknown;
}
