/* SPDX-License-Identifier: Apache-2.0 */
/* conv_mock_context.c — the mock kernel context of the convolution, pooling and softmax tests. */
#include "conv_mock_context.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fusion.h"
#include "status.h"

void mock_context_init(SpryContext *ctx, SpryTensor *tensors, int32_t num_tensors) {
  memset(ctx, 0, sizeof(*ctx));
  ctx->tensors = tensors;
  ctx->num_tensors = num_tensors;
  ctx->isa = SPRY_ISA_REFERENCE;
  ctx->threads = 1;
}

void mock_context_release(SpryContext *ctx) {
  for (int32_t i = 0; i < ctx->num_allocs; i++) free(ctx->allocs[i]);
  ctx->num_allocs = 0;
  for (int32_t i = 0; i < ctx->num_scratch; i++) free(ctx->scratch[i]);
  ctx->num_scratch = 0;
}

/* The slot of `field`, a new one if it has none; -1 when the table is full. */
static int32_t option_slot(SpryOptionsTable *table, int32_t field) {
  for (int32_t i = 0; i < table->count; i++)
    if (table->fields[i] == field) return i;
  if (table->count == MOCK_MAX_OPTIONS) return -1;
  table->fields[table->count] = field;
  return table->count++;
}

void mock_options_set(SpryOptionsTable *table, int32_t field, int64_t value) {
  const int32_t i = option_slot(table, field);
  if (i < 0) return;
  table->values[i] = value;
  table->is_real[i] = false;
}

void mock_options_set_f32(SpryOptionsTable *table, int32_t field, float value) {
  const int32_t i = option_slot(table, field);
  if (i < 0) return;
  table->reals[i] = value;
  table->is_real[i] = true;
}

SpryTensor *spry_context_tensor(SpryContext *ctx, int32_t index) {
  if (!ctx || index < 0 || index >= ctx->num_tensors) return NULL;
  return &ctx->tensors[index];
}

SpryTensor *spry_node_input(SpryContext *ctx, const SpryNode *node, int32_t i) {
  if (!node || i < 0 || i >= node->num_inputs) return NULL;
  return spry_context_tensor(ctx, node->inputs[i]);
}

SpryTensor *spry_node_output(SpryContext *ctx, const SpryNode *node, int32_t i) {
  if (!node || i < 0 || i >= node->num_outputs) return NULL;
  return spry_context_tensor(ctx, node->outputs[i]);
}

size_t spry_type_size(SpryType type) {
  switch (type) {
    case SPRY_TYPE_FLOAT32:
    case SPRY_TYPE_INT32:
      return 4;
    case SPRY_TYPE_UINT8:
    case SPRY_TYPE_INT8:
      return 1;
    case SPRY_TYPE_INT16:
      return 2;
    case SPRY_TYPE_INT64:
      return 8;
    default:
      return 0;
  }
}

const char *spry_type_name(SpryType type) {
  switch (type) {
    case SPRY_TYPE_FLOAT32:
      return "float32";
    case SPRY_TYPE_INT32:
      return "int32";
    case SPRY_TYPE_UINT8:
      return "uint8";
    case SPRY_TYPE_INT8:
      return "int8";
    case SPRY_TYPE_INT16:
      return "int16";
    case SPRY_TYPE_INT64:
      return "int64";
    default:
      return "unknown";
  }
}

SpryStatus spry_context_resize_tensor(SpryContext *ctx, SpryTensor *tensor, int32_t rank,
                                      const int32_t *dims) {
  if (!tensor || rank < 0 || rank > SPRY_MAX_RANK || tensor->kind == SPRY_TENSOR_CONSTANT)
    return spry_context_error(ctx, SPRY_ERROR_INVALID_ARGUMENT, "bad resize");
  size_t bytes = spry_type_size(tensor->type);
  for (int32_t i = 0; i < rank; i++) {
    if (dims[i] < 0 || (dims[i] != 0 && bytes > (SIZE_MAX / 4) / (size_t)dims[i]))
      return spry_context_error(ctx, SPRY_ERROR_INVALID_MODEL, "bad shape");
    bytes *= (size_t)dims[i];
    tensor->dims[i] = dims[i];
  }
  tensor->rank = rank;
  tensor->bytes = bytes;
  return SPRY_OK;
}

void *spry_context_alloc_persistent(SpryContext *ctx, size_t bytes) {
  if (ctx->num_allocs == MOCK_MAX_ALLOCS) {
    spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "mock: too many allocations");
    return NULL;
  }
  void *p = calloc(1, bytes ? bytes : 1);
  if (!p) {
    spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
    return NULL;
  }
  ctx->allocs[ctx->num_allocs++] = p;
  return p;
}

SpryStatus spry_context_request_scratch(SpryContext *ctx, size_t bytes, int32_t *out_index) {
  if (ctx->num_scratch == MOCK_MAX_SCRATCH)
    return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "mock: too many scratch buffers");
  /* Filled with a pattern, as the arena holds other tensors' leftovers. */
  void *p = malloc(bytes ? bytes : 1);
  if (!p) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  memset(p, 0xA5, bytes ? bytes : 1);
  ctx->scratch[ctx->num_scratch] = p;
  *out_index = ctx->num_scratch++;
  return SPRY_OK;
}

void *spry_context_scratch(SpryContext *ctx, int32_t index) {
  return index >= 0 && index < ctx->num_scratch ? ctx->scratch[index] : NULL;
}

int32_t spry_context_num_threads(const SpryContext *ctx) { return ctx->threads; }

SpryIsa spry_context_isa(const SpryContext *ctx) { return ctx->isa; }

/* The mock engine fuses nothing (engine/fusion.h). */
bool spry_context_fuse_activation(SpryContext *ctx, int *activation) {
  (void)ctx;
  (void)activation;
  return false;
}

void spry_context_parallel_for(SpryContext *ctx, int32_t count, void (*fn)(void *arg, int32_t i),
                               void *arg) {
  ctx->parallel_loops++;
  for (int32_t i = count - 1; i >= 0; i--) fn(arg, i);
}

SpryStatus spry_context_error(SpryContext *ctx, SpryStatus code, const char *format, ...) {
  if (ctx) {
    va_list args;
    va_start(args, format);
    vsnprintf(ctx->message, sizeof(ctx->message), format, args);
    va_end(args);
  }
  return code;
}

static bool find_option(const SpryOptionsTable *table, int field, int64_t *value) {
  if (!table) return false;
  for (int32_t i = 0; i < table->count; i++)
    if (table->fields[i] == field) {
      *value = table->values[i];
      return true;
    }
  return false;
}

bool spry_option_bool(const SpryOptionsTable *table, int field, bool default_value) {
  int64_t v = 0;
  return find_option(table, field, &v) ? v != 0 : default_value;
}

int8_t spry_option_i8(const SpryOptionsTable *table, int field, int8_t default_value) {
  int64_t v = 0;
  return find_option(table, field, &v) ? (int8_t)v : default_value;
}

int16_t spry_option_i16(const SpryOptionsTable *table, int field, int16_t default_value) {
  int64_t v = 0;
  return find_option(table, field, &v) ? (int16_t)v : default_value;
}

int32_t spry_option_i32(const SpryOptionsTable *table, int field, int32_t default_value) {
  int64_t v = 0;
  return find_option(table, field, &v) ? (int32_t)v : default_value;
}

int64_t spry_option_i64(const SpryOptionsTable *table, int field, int64_t default_value) {
  int64_t v = 0;
  return find_option(table, field, &v) ? v : default_value;
}

float spry_option_f32(const SpryOptionsTable *table, int field, float default_value) {
  if (table)
    for (int32_t i = 0; i < table->count; i++)
      if (table->fields[i] == field && table->is_real[i]) return table->reals[i];
  int64_t v = 0;
  return find_option(table, field, &v) ? (float)v : default_value;
}

int32_t spry_option_i32_vector(const SpryOptionsTable *table, int field, int32_t *dst,
                               int32_t capacity) {
  (void)table;
  (void)field;
  (void)dst;
  (void)capacity;
  return -1;
}

/* engine/cpu_isa.c reports an unknown SPRY_ISA through the engine's error
 * slot; the tests that compile it in only read spry_isa_supported(). */
SpryStatus spry_set_error(SpryStatus code, const char *format, ...) {
  (void)format;
  return code;
}
