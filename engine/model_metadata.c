/* SPDX-License-Identifier: Apache-2.0 */
/* model_metadata.c — output labels and input normalisation from TFLite model metadata and the zip appended to a model. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "flatbuffer.h"
#include "model.h"
#include "status.h"

/* Field ids of metadata_schema.fbs (tflite-support, file identifier "M001"),
 * checked against mobilenet's metadata with flatc. */
enum { MODEL_METADATA_SUBGRAPHS = 3 };
enum { SUBGRAPH_METADATA_INPUTS = 2, SUBGRAPH_METADATA_OUTPUTS = 3 };
enum { TENSOR_METADATA_PROCESS_UNITS = 4, TENSOR_METADATA_ASSOCIATED_FILES = 6 };
/* ProcessUnit's `options` union: its type (id 0) and table (id 1). */
enum { PROCESS_UNIT_OPTIONS_TYPE = 0, PROCESS_UNIT_OPTIONS = 1 };
enum { PROCESS_UNIT_NORMALIZATION = 1 };
enum { NORMALIZATION_MEAN = 0, NORMALIZATION_STD = 1 };
enum { ASSOCIATED_FILE_NAME = 0, ASSOCIATED_FILE_TYPE = 2 };
/* AssociatedFileType values that hold one label per line. */
enum { SPRY_FILE_TENSOR_AXIS_LABELS = 2, SPRY_FILE_TENSOR_VALUE_LABELS = 3 };

#define SPRY_METADATA_NAME "TFLITE_METADATA"

/* Zip record layouts (PKWARE APPNOTE): fixed sizes before variable parts. */
#define SPRY_ZIP_EOCD_SIZE 22u
#define SPRY_ZIP_MAX_COMMENT 65535u
#define SPRY_ZIP_CENTRAL_SIZE 46u
#define SPRY_ZIP_LOCAL_SIZE 30u

typedef struct SpryLabelsName {
  const char *text;  /* NULL: the metadata names no labels file */
  size_t length;
  int type;          /* AssociatedFileType of the file found */
} SpryLabelsName;

static uint16_t load16(const uint8_t *p) { return spry_fb_load_u16(p); }
static uint32_t load32(const uint8_t *p) { return spry_fb_load_u32(p); }

/* Finds the labels file of one TensorMetadata: the first axis-labels file,
 * else the first value-labels file. */
static SpryStatus tensor_labels(const SpryFbTable *tensor, size_t *budget, SpryLabelsName *out) {
  SpryFbVector files;
  SPRY_TRY(spry_fb_vector_field(tensor, TENSOR_METADATA_ASSOCIATED_FILES, 4, NULL, &files));
  /* Tensors may share one file list; a budget keeps the walk linear. */
  if (files.length > *budget) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "associated files are shared too often");
  }
  *budget -= files.length;
  for (uint32_t i = 0; i < files.length; i++) {
    SpryFbTable file;
    int8_t type;
    SPRY_TRY(spry_fb_vector_table(&files, i, &file));
    SPRY_TRY(spry_fb_i8(&file, ASSOCIATED_FILE_TYPE, 0, &type));
    if (type != SPRY_FILE_TENSOR_AXIS_LABELS && type != SPRY_FILE_TENSOR_VALUE_LABELS) continue;
    bool better = out->text == NULL ||
                  (type == SPRY_FILE_TENSOR_AXIS_LABELS && out->type != type);
    if (!better) continue;
    const char *name;
    size_t length;
    SPRY_TRY(spry_fb_string_field(&file, ASSOCIATED_FILE_NAME, &name, &length));
    if (name == NULL || length == 0) continue;
    out->text = name;
    out->length = length;
    out->type = type;
  }
  return SPRY_OK;
}

/* Reads subgraph_metadata[0].output_tensor_metadata from the metadata.
 * `for_output` gets the labels of output `index`; `any` tells whether some
 * output has labels (then no fallback guess is made for the others). */
static SpryStatus metadata_labels(const void *data, size_t size, int32_t index,
                                  SpryLabelsName *for_output, bool *any) {
  SpryFb fb = {.base = data, .size = size, .what = "metadata"};
  SpryFbTable root, subgraph;
  SpryFbVector subgraphs, outputs;
  size_t budget = size / 4 + 64;
  SPRY_TRY(spry_fb_root(&fb, NULL, &root));
  SPRY_TRY(spry_fb_vector_field(&root, MODEL_METADATA_SUBGRAPHS, 4, NULL, &subgraphs));
  if (subgraphs.length == 0) return SPRY_OK;
  SPRY_TRY(spry_fb_vector_table(&subgraphs, 0, &subgraph));
  SPRY_TRY(spry_fb_vector_field(&subgraph, SUBGRAPH_METADATA_OUTPUTS, 4, NULL, &outputs));
  for (uint32_t i = 0; i < outputs.length; i++) {
    SpryFbTable tensor;
    SpryLabelsName name = {0};
    SPRY_TRY(spry_fb_vector_table(&outputs, i, &tensor));
    SPRY_TRY(tensor_labels(&tensor, &budget, &name));
    if (name.text != NULL) *any = true;
    if (i == (uint32_t)index) *for_output = name;
  }
  return SPRY_OK;
}

/* ---- input normalisation ---- */

/* The TensorMetadata of input `index` of subgraph 0; *found = false when the
 * metadata describes no such input. */
static SpryStatus input_tensor_metadata(const SpryFb *fb, int32_t index, SpryFbTable *out,
                                        bool *found) {
  SpryFbTable root, subgraph;
  SpryFbVector subgraphs, inputs;
  *found = false;
  SPRY_TRY(spry_fb_root(fb, NULL, &root));
  SPRY_TRY(spry_fb_vector_field(&root, MODEL_METADATA_SUBGRAPHS, 4, NULL, &subgraphs));
  if (subgraphs.length == 0) return SPRY_OK;
  SPRY_TRY(spry_fb_vector_table(&subgraphs, 0, &subgraph));
  SPRY_TRY(spry_fb_vector_field(&subgraph, SUBGRAPH_METADATA_INPUTS, 4, NULL, &inputs));
  if ((uint32_t)index >= inputs.length) return SPRY_OK;
  SPRY_TRY(spry_fb_vector_table(&inputs, (uint32_t)index, out));
  *found = true;
  return SPRY_OK;
}

/* Copies one float vector of NormalizationOptions; one value stands for
 * every channel (the metadata's rule). */
static SpryStatus normalization_values(const SpryFbTable *options, int field, const char *what,
                                       float *out, int32_t capacity, int32_t *count) {
  SpryFbVector v;
  bool present = false;
  SPRY_TRY(spry_fb_vector_field(options, field, 4, &present, &v));
  if (!present || v.length == 0 || v.length > (uint32_t)capacity) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "NormalizationOptions %s has %u values (expected 1 to %d)", what,
                          present ? (unsigned)v.length : 0u, (int)capacity);
  }
  for (uint32_t i = 0; i < v.length; i++) {
    out[i] = spry_fb_vector_f32(&v, i);
    if (!isfinite(out[i])) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL, "NormalizationOptions %s[%u] is not finite",
                            what, (unsigned)i);
    }
  }
  *count = (int32_t)v.length;
  return SPRY_OK;
}

/* Finds the first NormalizationOptions among the input's process units. */
static SpryStatus metadata_normalization(const void *data, size_t size, int32_t index,
                                         SpryNormalization *out, bool *found) {
  SpryFb fb = {.base = data, .size = size, .what = "metadata"};
  SpryFbTable tensor;
  SPRY_TRY(input_tensor_metadata(&fb, index, &tensor, found));
  if (!*found) return SPRY_OK;
  *found = false;
  SpryFbVector units;
  SPRY_TRY(spry_fb_vector_field(&tensor, TENSOR_METADATA_PROCESS_UNITS, 4, NULL, &units));
  for (uint32_t i = 0; i < units.length; i++) {
    SpryFbTable unit, options;
    uint8_t type;
    bool present = false;
    SPRY_TRY(spry_fb_vector_table(&units, i, &unit));
    SPRY_TRY(spry_fb_u8(&unit, PROCESS_UNIT_OPTIONS_TYPE, 0, &type));
    if (type != PROCESS_UNIT_NORMALIZATION) continue;
    SPRY_TRY(spry_fb_table_field(&unit, PROCESS_UNIT_OPTIONS, &present, &options));
    if (!present) continue;
    int32_t means = 0, stds = 0;
    SPRY_TRY(normalization_values(&options, NORMALIZATION_MEAN, "mean", out->mean,
                                  SPRY_MAX_NORMALIZATION_CHANNELS, &means));
    SPRY_TRY(normalization_values(&options, NORMALIZATION_STD, "std", out->std,
                                  SPRY_MAX_NORMALIZATION_CHANNELS, &stds));
    for (int32_t c = 0; c < stds; c++) {
      if (out->std[c] == 0.0f) {
        return spry_set_error(SPRY_ERROR_INVALID_MODEL, "NormalizationOptions std[%d] is zero",
                              (int)c);
      }
    }
    if (means != stds && means != 1 && stds != 1) {
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "NormalizationOptions has %d means but %d stds", (int)means,
                            (int)stds);
    }
    out->channels = means > stds ? means : stds;
    for (int32_t c = 1; c < out->channels; c++) { /* one value: every channel */
      if (means == 1) out->mean[c] = out->mean[0];
      if (stds == 1) out->std[c] = out->std[0];
    }
    *found = true;
    return SPRY_OK;
  }
  return SPRY_OK;
}

SpryStatus spry_model_input_normalization(const SpryModel *model, int32_t index,
                                          SpryNormalization *out) {
  if (model == NULL || out == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "spry_model_input_normalization: NULL argument");
  }
  memset(out, 0, sizeof(*out));
  int32_t inputs = spry_model_input_count(model);
  if (index < 0 || index >= inputs) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "input %d out of range (%d inputs)",
                          (int)index, (int)inputs);
  }
  const void *metadata;
  size_t metadata_size;
  bool found = false;
  if (spry_model_metadata(model, SPRY_METADATA_NAME, &metadata, &metadata_size) == SPRY_OK &&
      metadata_size > 0) {
    SpryStatus status = metadata_normalization(metadata, metadata_size, index, out, &found);
    if (status != SPRY_OK) return spry_prefix_error(status, "model metadata " SPRY_METADATA_NAME);
  }
  if (!found) {
    memset(out, 0, sizeof(*out));
    return spry_set_error(SPRY_ERROR_NOT_FOUND, "model metadata gives no normalisation for input %d",
                          (int)index);
  }
  return SPRY_OK;
}

/* ---- the zip archive appended to the model ---- */

typedef struct SpryZip {
  const uint8_t *base;  /* the whole model file */
  size_t size;
  size_t central;       /* first central directory record */
  size_t central_end;
  size_t shift;         /* bytes before the zip when its offsets are zip-relative */
  uint32_t entries;
} SpryZip;

typedef struct SpryZipEntry {
  const char *name;
  size_t name_length;
  uint16_t flags;
  uint16_t method;
  uint32_t compressed_size;
  uint32_t size;
  uint32_t local_offset;
} SpryZipEntry;

static SpryStatus zip_invalid(const char *what) {
  return spry_set_error(SPRY_ERROR_INVALID_MODEL, "model zip archive: %s", what);
}

/* Locates the end-of-central-directory record: it ends the file, followed
 * only by its comment, so it lies in the last 22 + 65535 bytes. */
static SpryStatus find_zip(const uint8_t *base, size_t size, SpryZip *zip) {
  static const uint8_t signature[4] = {'P', 'K', 5, 6};
  if (size < SPRY_ZIP_EOCD_SIZE) return SPRY_ERROR_NOT_FOUND;
  size_t pos = size - SPRY_ZIP_EOCD_SIZE;
  size_t lowest = pos > SPRY_ZIP_MAX_COMMENT ? pos - SPRY_ZIP_MAX_COMMENT : 0;
  for (;; pos--) {
    const uint8_t *p = base + pos;
    if (memcmp(p, signature, 4) == 0 && pos + SPRY_ZIP_EOCD_SIZE + load16(p + 20) == size) break;
    if (pos == lowest) return SPRY_ERROR_NOT_FOUND;
  }
  const uint8_t *eocd = base + pos;
  uint32_t central_size = load32(eocd + 12);
  uint32_t central_offset = load32(eocd + 16);
  if (load16(eocd + 4) != 0 || load16(eocd + 6) != 0) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED, "model zip archive: multi-disk archives are "
                                                  "not supported");
  }
  if (load16(eocd + 10) == UINT16_MAX || central_offset == UINT32_MAX) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "model zip archive: zip64 archives are not supported");
  }
  if (central_size > pos) return zip_invalid("central directory extends before the file");
  size_t central = pos - central_size;
  /* Offsets count from the start of the zip; if the writer did not count the
   * model before it, they fall short by exactly the model's length. */
  if (central_offset > central) return zip_invalid("central directory offset past its record");
  zip->base = base;
  zip->size = size;
  zip->central = central;
  zip->central_end = pos;
  zip->shift = central - central_offset;
  zip->entries = load16(eocd + 10);
  return SPRY_OK;
}

/* Reads the central directory record at *pos and advances past it. */
static SpryStatus zip_next(const SpryZip *zip, size_t *pos, SpryZipEntry *entry) {
  static const uint8_t signature[4] = {'P', 'K', 1, 2};
  if (zip->central_end - *pos < SPRY_ZIP_CENTRAL_SIZE) {
    return zip_invalid("truncated central directory");
  }
  const uint8_t *p = zip->base + *pos;
  if (memcmp(p, signature, 4) != 0) return zip_invalid("bad central directory signature");
  size_t variable = (size_t)load16(p + 28) + load16(p + 30) + load16(p + 32);
  if (zip->central_end - *pos - SPRY_ZIP_CENTRAL_SIZE < variable) {
    return zip_invalid("truncated central directory entry");
  }
  entry->flags = load16(p + 8);
  entry->method = load16(p + 10);
  entry->compressed_size = load32(p + 20);
  entry->size = load32(p + 24);
  entry->name_length = load16(p + 28);
  entry->local_offset = load32(p + 42);
  entry->name = (const char *)(p + SPRY_ZIP_CENTRAL_SIZE);
  *pos += SPRY_ZIP_CENTRAL_SIZE + variable;
  return SPRY_OK;
}

/* Points at the stored bytes of an entry. */
static SpryStatus zip_data(const SpryZip *zip, const SpryZipEntry *entry, const char **out,
                           size_t *out_size) {
  static const uint8_t signature[4] = {'P', 'K', 3, 4};
  int n = entry->name_length > 200 ? 200 : (int)entry->name_length;
  if (entry->flags & 1) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED, "model zip archive: %.*s is encrypted", n,
                          entry->name);
  }
  if (entry->method != 0) {
    return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                          "model zip archive: %.*s is compressed (method %u); only stored "
                          "entries are supported",
                          n, entry->name, (unsigned)entry->method);
  }
  if (entry->compressed_size != entry->size) {
    return zip_invalid("stored entry with different compressed and plain sizes");
  }
  size_t local = zip->shift + entry->local_offset;
  if (local > zip->central || zip->central - local < SPRY_ZIP_LOCAL_SIZE) {
    return zip_invalid("local header out of range");
  }
  const uint8_t *p = zip->base + local;
  if (memcmp(p, signature, 4) != 0) return zip_invalid("bad local header signature");
  size_t data = local + SPRY_ZIP_LOCAL_SIZE + load16(p + 26) + load16(p + 28);
  if (data > zip->central || zip->central - data < entry->size) {
    return zip_invalid("entry data extends into the central directory");
  }
  *out = (const char *)(zip->base + data);
  *out_size = entry->size;
  return SPRY_OK;
}

static bool ends_with_txt(const SpryZipEntry *entry) {
  return entry->name_length >= 4 &&
         memcmp(entry->name + entry->name_length - 4, ".txt", 4) == 0;
}

/* Finds the entry called `name`, or (name NULL) the only .txt entry. */
static SpryStatus zip_find(const SpryZip *zip, const SpryLabelsName *name, SpryZipEntry *found) {
  size_t pos = zip->central;
  int matches = 0;
  for (uint32_t i = 0; i < zip->entries; i++) {
    SpryZipEntry entry = {0};
    SPRY_TRY(zip_next(zip, &pos, &entry));
    if (name->text != NULL) {
      if (entry.name_length == name->length &&
          memcmp(entry.name, name->text, name->length) == 0) {
        *found = entry;
        return SPRY_OK;
      }
    } else if (ends_with_txt(&entry)) {
      *found = entry;
      matches++;
    }
  }
  return matches == 1 ? SPRY_OK : SPRY_ERROR_NOT_FOUND;
}

SpryStatus spry_model_output_labels(const SpryModel *model, int32_t index, const char **out_text,
                                    size_t *out_size) {
  if (model == NULL || out_text == NULL || out_size == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "spry_model_output_labels: NULL argument");
  }
  *out_text = NULL;
  *out_size = 0;
  int32_t outputs = spry_model_output_count(model);
  if (index < 0 || index >= outputs) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "output %d out of range (%d outputs)",
                          (int)index, (int)outputs);
  }
  SpryLabelsName name = {0};
  bool any = false;
  const void *metadata;
  size_t metadata_size;
  if (spry_model_metadata(model, SPRY_METADATA_NAME, &metadata, &metadata_size) == SPRY_OK &&
      metadata_size > 0) {
    SpryStatus status = metadata_labels(metadata, metadata_size, index, &name, &any);
    if (status != SPRY_OK) return spry_prefix_error(status, "model metadata " SPRY_METADATA_NAME);
  }
  if (name.text == NULL && any) {
    return spry_set_error(SPRY_ERROR_NOT_FOUND, "model metadata has no labels for output %d",
                          (int)index);
  }
  SpryZip zip = {0};
  SpryZipEntry entry = {0};
  SpryStatus status = find_zip(model->base, model->size, &zip);
  if (status == SPRY_OK) status = zip_find(&zip, &name, &entry);
  if (status == SPRY_ERROR_NOT_FOUND) {
    if (name.text != NULL) {
      return spry_set_error(SPRY_ERROR_NOT_FOUND,
                            "labels file %.*s named in the model metadata is not in the model",
                            (int)(name.length > 200 ? 200 : name.length), name.text);
    }
    return spry_set_error(SPRY_ERROR_NOT_FOUND, "model has no labels for output %d", (int)index);
  }
  if (status != SPRY_OK) return status;
  return zip_data(&zip, &entry, out_text, out_size);
}
