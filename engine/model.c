/* SPDX-License-Identifier: Apache-2.0 */
/* model.c — opening (mmap or caller buffer), releasing and querying models. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "sparsity.h"
#include "status.h"

static void release_tensor(SpryTensorDesc *t) {
  free(t->name);
  free((void *)t->quant.scales);
  free((void *)t->quant.zero_points);
  spry_sparsity_free(t->sparsity);
}

static void release_subgraph(SprySubgraphDesc *sg) {
  free(sg->name);
  for (int32_t i = 0; sg->tensors != NULL && i < sg->num_tensors; i++) {
    release_tensor(&sg->tensors[i]);
  }
  for (int32_t i = 0; sg->operators != NULL && i < sg->num_operators; i++) {
    free(sg->operators[i].inputs);
    free(sg->operators[i].outputs);
    free(sg->operators[i].intermediates);
  }
  free(sg->tensors);
  free(sg->operators);
  free(sg->inputs);
  free(sg->outputs);
}

void spry_model_release(SpryModel *model) {
  if (model == NULL) return;
  free(model->description);
  for (int32_t i = 0; model->opcodes != NULL && i < model->num_opcodes; i++) {
    free(model->opcodes[i].custom_name);
  }
  free(model->opcodes);
  for (int32_t i = 0; model->subgraphs != NULL && i < model->num_subgraphs; i++) {
    release_subgraph(&model->subgraphs[i]);
  }
  free(model->subgraphs);
  for (int32_t i = 0; model->metadata != NULL && i < model->num_metadata; i++) {
    free(model->metadata[i].name);
  }
  free(model->metadata);
  for (int32_t i = 0; model->owned_copies != NULL && i < model->num_owned_copies; i++) {
    free(model->owned_copies[i]);
  }
  free(model->owned_copies);
  /* The mapping belongs to the caller (spry_model_free unmaps it). */
  void *mapping = model->mapping;
  size_t mapping_size = model->mapping_size;
  const uint8_t *base = model->base;
  size_t size = model->size;
  memset(model, 0, sizeof *model);
  model->mapping = mapping;
  model->mapping_size = mapping_size;
  model->base = base;
  model->size = size;
}

static SpryStatus new_model(SpryModel **out) {
  *out = calloc(1, sizeof **out);
  if (*out == NULL) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  return SPRY_OK;
}

/* Maps the whole regular file at `path` read-only. */
static SpryStatus map_file(const char *path, void **out_mapping, size_t *out_size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return spry_set_error(SPRY_ERROR_IO, "cannot open %s: %s", path, strerror(errno));
  }
  struct stat st;
  SpryStatus status = SPRY_OK;
  if (fstat(fd, &st) != 0) {
    status = spry_set_error(SPRY_ERROR_IO, "cannot stat %s: %s", path, strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    status = spry_set_error(SPRY_ERROR_IO, "cannot read %s: %s", path, strerror(EISDIR));
  } else if (!S_ISREG(st.st_mode)) {
    status = spry_set_error(SPRY_ERROR_IO, "cannot map %s: not a regular file", path);
  } else if (st.st_size == 0) {
    status = spry_set_error(SPRY_ERROR_INVALID_MODEL, "%s: model: file is empty", path);
  } else if ((uintmax_t)st.st_size > SIZE_MAX) {
    status = spry_set_error(SPRY_ERROR_IO, "cannot map %s: file too large", path);
  }
  if (status != SPRY_OK) {
    close(fd);
    return status;
  }
  size_t size = (size_t)st.st_size;
  void *mapping = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int map_errno = errno;
  close(fd);  /* the mapping keeps the file alive */
  if (mapping == MAP_FAILED) {
    return spry_set_error(SPRY_ERROR_IO, "cannot map %s: %s", path, strerror(map_errno));
  }
  *out_mapping = mapping;
  *out_size = size;
  return SPRY_OK;
}

SpryStatus spry_model_open_file(const char *path, SpryModel **out_model) {
  if (out_model != NULL) *out_model = NULL;
  if (path == NULL || out_model == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "spry_model_open_file: NULL argument");
  }
  void *mapping = NULL;
  size_t size = 0;
  SPRY_TRY(map_file(path, &mapping, &size));
  SpryModel *model;
  SpryStatus status = new_model(&model);
  if (status != SPRY_OK) {
    munmap(mapping, size);
    return status;
  }
  status = spry_model_read(mapping, size, model);
  if (status != SPRY_OK) {
    munmap(mapping, size);
    free(model);
    return spry_prefix_error(status, "%s", path);
  }
  model->mapping = mapping;
  model->mapping_size = size;
  *out_model = model;
  return SPRY_OK;
}

SpryStatus spry_model_open_buffer(const void *data, size_t size, SpryModel **out_model) {
  if (out_model != NULL) *out_model = NULL;
  if (data == NULL || size == 0 || out_model == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "spry_model_open_buffer: %s",
                          out_model == NULL ? "NULL out_model" : "empty or NULL buffer");
  }
  SpryModel *model;
  SPRY_TRY(new_model(&model));
  SpryStatus status = spry_model_read(data, size, model);
  if (status != SPRY_OK) {
    free(model);
    return status;
  }
  *out_model = model;
  return SPRY_OK;
}

void spry_model_free(SpryModel *model) {
  if (model == NULL) return;
  void *mapping = model->mapping;
  size_t mapping_size = model->mapping_size;
  spry_model_release(model);
  if (mapping != NULL) munmap(mapping, mapping_size);
  free(model);
}

int32_t spry_model_subgraph_count(const SpryModel *model) {
  return model ? model->num_subgraphs : 0;
}

static const SprySubgraphDesc *subgraph_at(const SpryModel *model, int32_t index) {
  if (model == NULL || index < 0 || index >= model->num_subgraphs) return NULL;
  return &model->subgraphs[index];
}

int32_t spry_model_operator_count(const SpryModel *model, int32_t subgraph) {
  const SprySubgraphDesc *sg = subgraph_at(model, subgraph);
  return sg ? sg->num_operators : 0;
}

SpryStatus spry_model_operator(const SpryModel *model, int32_t subgraph, int32_t index,
                               SpryOpInfo *out_info) {
  if (model == NULL || out_info == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "spry_model_operator: NULL argument");
  }
  const SprySubgraphDesc *sg = subgraph_at(model, subgraph);
  if (sg == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "subgraph %d out of range (%d subgraphs)", (int)subgraph,
                          (int)model->num_subgraphs);
  }
  if (index < 0 || index >= sg->num_operators) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                          "operator %d out of range (%d operators in subgraph %d)", (int)index,
                          (int)sg->num_operators, (int)subgraph);
  }
  const SpryOpCodeDesc *opcode = &model->opcodes[sg->operators[index].opcode_index];
  out_info->builtin_code = opcode->builtin_code;
  out_info->version = opcode->version;
  out_info->name = spry_opcode_name(opcode);
  out_info->custom = opcode->builtin_code == SPRY_BUILTIN_CUSTOM;
  return SPRY_OK;
}

int32_t spry_model_input_count(const SpryModel *model) {
  const SprySubgraphDesc *sg = subgraph_at(model, 0);
  return sg ? sg->num_inputs : 0;
}

int32_t spry_model_output_count(const SpryModel *model) {
  const SprySubgraphDesc *sg = subgraph_at(model, 0);
  return sg ? sg->num_outputs : 0;
}

static void describe_tensor(const SpryTensorDesc *t, SpryTensorInfo *info) {
  memset(info, 0, sizeof *info);
  info->name = t->name;
  info->type = t->type;
  info->rank = t->rank;
  memcpy(info->dims, t->dims, sizeof info->dims);
  info->scale = t->quant.scale;
  info->zero_point = t->quant.zero_point;
  info->num_channels = t->quant.num_channels;
}

/* Describes tensor `indices[index]` of subgraph 0 (an input or an output). */
static SpryStatus io_info(const SpryModel *model, int32_t index, SpryTensorInfo *out_info,
                          bool input) {
  const char *what = input ? "input" : "output";
  if (model == NULL || out_info == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "spry_model_%s_info: NULL argument",
                          what);
  }
  const SprySubgraphDesc *sg = subgraph_at(model, 0);
  if (sg == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "model has no subgraph");
  }
  int32_t count = input ? sg->num_inputs : sg->num_outputs;
  if (index < 0 || index >= count) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "%s %d out of range (%d %ss)", what,
                          (int)index, (int)count, what);
  }
  int32_t tensor = input ? sg->inputs[index] : sg->outputs[index];
  describe_tensor(&sg->tensors[tensor], out_info);
  return SPRY_OK;
}

SpryStatus spry_model_input_info(const SpryModel *model, int32_t index,
                                 SpryTensorInfo *out_info) {
  return io_info(model, index, out_info, true);
}

SpryStatus spry_model_output_info(const SpryModel *model, int32_t index,
                                  SpryTensorInfo *out_info) {
  return io_info(model, index, out_info, false);
}

SpryStatus spry_model_metadata(const SpryModel *model, const char *name, const void **out_data,
                               size_t *out_size) {
  if (model == NULL || name == NULL || out_data == NULL || out_size == NULL) {
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "spry_model_metadata: NULL argument");
  }
  *out_data = NULL;
  *out_size = 0;
  for (int32_t i = 0; i < model->num_metadata; i++) {
    if (strcmp(model->metadata[i].name, name) == 0) {
      *out_data = model->metadata[i].data;
      *out_size = model->metadata[i].size;
      return SPRY_OK;
    }
  }
  return spry_set_error(SPRY_ERROR_NOT_FOUND, "model has no metadata \"%s\"", name);
}
