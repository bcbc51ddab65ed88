/* SPDX-License-Identifier: Apache-2.0 */
/* tensor.c — public accessors for an interpreter's tensors and input resizing. */
#include <string.h>

#include "interpreter_internal.h"
#include "status.h"
#include "subgraph.h"

int32_t spry_interpreter_input_count(const SpryInterpreter *interp) {
  return interp ? interp->graph->num_inputs : 0;
}

int32_t spry_interpreter_output_count(const SpryInterpreter *interp) {
  return interp ? interp->graph->num_outputs : 0;
}

SpryTensor *spry_interpreter_input(SpryInterpreter *interp, int32_t index) {
  if (!interp || index < 0 || index >= interp->graph->num_inputs) {
    spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "input index %d out of range", (int)index);
    return NULL;
  }
  return &interp->tensors[interp->graph->inputs[index]];
}

const SpryTensor *spry_interpreter_output(const SpryInterpreter *interp, int32_t index) {
  if (!interp || index < 0 || index >= interp->graph->num_outputs) {
    spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "output index %d out of range", (int)index);
    return NULL;
  }
  return &interp->tensors[interp->graph->outputs[index]];
}

SpryStatus spry_interpreter_node_output(const SpryInterpreter *interp, int32_t node,
                                        int32_t index, const SpryTensor **out_tensor) {
  if (!interp || !out_tensor) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "NULL argument");
  *out_tensor = NULL;
  if (node < 0 || node >= interp->num_nodes)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "node %d out of range (%d nodes)",
                          (int)node, (int)interp->num_nodes);
  const SpryNode *n = &interp->nodes[node].node;
  if (index < 0 || index >= n->num_outputs)
    return spry_set_error(SPRY_ERROR_NOT_FOUND, "node %d has no output %d (%d outputs)", (int)node,
                          (int)index, (int)n->num_outputs);
  *out_tensor = &interp->tensors[n->outputs[index]];
  return SPRY_OK;
}

/* A figure summed over the interpreter's runtimes: subgraph 0's, then those
 * of the subgraphs that control-flow ops call (see subgraph.h). */
static size_t sum_over_runtimes(const SpryInterpreter *interp,
                                size_t (*measure)(const SpryInterpreter *runtime)) {
  size_t total = 0;
  for (int32_t i = 0; interp && i < interp->model->num_subgraphs; i++) {
    const SpryInterpreter *runtime = spry_subgraph_runtime(interp, i);
    if (runtime) total += measure(runtime);
  }
  return total;
}

static size_t arena_bytes(const SpryInterpreter *rt) { return rt->arena_bytes; }

static size_t arena_lower_bound(const SpryInterpreter *rt) { return rt->arena_lower_bound; }

static size_t persistent_bytes(const SpryInterpreter *rt) {
  size_t bytes = 0;
  for (int32_t n = 0; n < rt->num_nodes; n++)
    bytes += rt->nodes[n].init_allocs.bytes + rt->nodes[n].prepare_allocs.bytes;
  return bytes;
}

size_t spry_interpreter_arena_bytes(const SpryInterpreter *interp) {
  return sum_over_runtimes(interp, arena_bytes);
}

const char *spry_interpreter_kernel_isa(const SpryInterpreter *interp) {
  return interp ? spry_isa_name(interp->isa) : NULL;
}

size_t spry_interpreter_arena_lower_bound(const SpryInterpreter *interp) {
  return sum_over_runtimes(interp, arena_lower_bound);
}

size_t spry_interpreter_persistent_bytes(const SpryInterpreter *interp) {
  return sum_over_runtimes(interp, persistent_bytes);
}

SpryStatus spry_interpreter_resize_input(SpryInterpreter *interp, int32_t index, int32_t rank,
                                         const int32_t *dims) {
  if (!interp) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "interpreter is NULL");
  if (index < 0 || index >= interp->graph->num_inputs)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "input index %d out of range (%d inputs)",
                          (int)index, (int)interp->graph->num_inputs);
  if (rank < 0 || rank > SPRY_MAX_RANK || (rank > 0 && !dims))
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "bad rank %d (max %d)", (int)rank,
                          SPRY_MAX_RANK);
  const int32_t t = interp->graph->inputs[index];
  const SpryTensorDesc *desc = &interp->graph->tensors[t];
  SpryTensor *tensor = &interp->tensors[t];
  if (tensor->kind != SPRY_TENSOR_ARENA)
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "input %d is not resizable", (int)index);
  for (int32_t i = 0; i < rank; i++)
    if (dims[i] < 0)
      return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "dimension %d is negative (%d)", (int)i,
                            (int)dims[i]);
  if (desc->has_signature) {
    if (rank != desc->rank)
      return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                            "input %d has rank %d; cannot resize to rank %d", (int)index,
                            (int)desc->rank, (int)rank);
    for (int32_t i = 0; i < rank; i++)
      if (desc->signature[i] != -1 && dims[i] != desc->dims[i])
        return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                              "input %d: dimension %d is fixed at %d by the model (asked for %d)",
                              (int)index, (int)i, (int)desc->dims[i], (int)dims[i]);
  }
  size_t bytes = 0;
  if (!spry_shape_bytes(tensor->type, rank, dims, &bytes))
    return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "input %d: shape too large", (int)index);
  const bool unchanged = tensor->rank == rank &&
                         memcmp(tensor->dims, dims, (size_t)rank * sizeof *dims) == 0;
  if (unchanged) return SPRY_OK;
  tensor->rank = rank;
  memset(tensor->dims, 0, sizeof tensor->dims);
  for (int32_t i = 0; i < rank; i++) tensor->dims[i] = dims[i];
  tensor->bytes = bytes;
  interp->needs_prepare = true;
  return SPRY_OK;
}

SpryType spry_tensor_type(const SpryTensor *tensor) {
  return tensor ? tensor->type : SPRY_TYPE_FLOAT32;
}

int32_t spry_tensor_rank(const SpryTensor *tensor) { return tensor ? tensor->rank : 0; }

int32_t spry_tensor_dim(const SpryTensor *tensor, int32_t i) {
  if (!tensor || i < 0 || i >= tensor->rank) return 0;
  return tensor->dims[i];
}

size_t spry_tensor_byte_size(const SpryTensor *tensor) { return tensor ? tensor->bytes : 0; }

size_t spry_tensor_element_count(const SpryTensor *tensor) {
  if (!tensor) return 0;
  /* A packed sub-byte byte holds a varying number of values: only the
   * shape tells. */
  if (spry_type_values_per_byte(tensor->type) != 0) {
    size_t count = 0;
    return spry_shape_bytes(SPRY_TYPE_INT8, tensor->rank, tensor->dims, &count) ? count : 0;
  }
  const size_t size = spry_type_size(tensor->type);
  return size ? tensor->bytes / size : 0;
}

void *spry_tensor_data(SpryTensor *tensor) {
  if (!tensor || tensor->kind == SPRY_TENSOR_CONSTANT) return NULL;
  return tensor->data;
}

const void *spry_tensor_data_const(const SpryTensor *tensor) {
  return tensor ? tensor->data : NULL;
}

int spry_tensor_is_dynamic(const SpryTensor *tensor) {
  return tensor && tensor->kind == SPRY_TENSOR_DYNAMIC;
}

const char *spry_tensor_name(const SpryTensor *tensor) {
  return tensor && tensor->name ? tensor->name : "";
}

SpryStatus spry_tensor_info(const SpryTensor *tensor, SpryTensorInfo *out_info) {
  if (!tensor || !out_info) return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT, "NULL argument");
  memset(out_info, 0, sizeof *out_info);
  out_info->name = spry_tensor_name(tensor);
  out_info->type = tensor->type;
  out_info->rank = tensor->rank;
  memcpy(out_info->dims, tensor->dims, sizeof out_info->dims);
  out_info->scale = tensor->quant.num_channels > 0 ? tensor->quant.scale : 0.0f;
  out_info->zero_point = tensor->quant.num_channels > 0 ? tensor->quant.zero_point : 0;
  out_info->num_channels = tensor->quant.num_channels;
  return SPRY_OK;
}
