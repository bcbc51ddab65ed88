/* SPDX-License-Identifier: Apache-2.0 */
/* sparsity.c — verified reading and dense expansion of sparse constant tensors (see sparsity.h). */
#include "sparsity.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interpreter_internal.h"
#include "status.h"

/* Field ids of schema.fbs (a union takes two: its type, then its value). */
enum { SPARSITY_TRAVERSAL_ORDER = 0, SPARSITY_BLOCK_MAP = 1, SPARSITY_DIM_METADATA = 2 };
enum { DIM_FORMAT = 0, DIM_DENSE_SIZE = 1, DIM_SEGMENTS_TYPE = 2, DIM_INDICES_TYPE = 4 };
enum { INDEX_VECTOR_VALUES = 0 };
/* SparseIndexVector union members. */
enum { INDEX_INT32 = 1, INDEX_UINT16 = 2, INDEX_UINT8 = 3 };

static SpryStatus invalid(const char *format, int32_t a, int32_t b) {
  return spry_set_error(SPRY_ERROR_INVALID_MODEL, format, a, b);
}

static SpryStatus spend(size_t *budget, size_t count, size_t size) {
  if (count > *budget / size)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "sparsity: index arrays exceed what the file can hold");
  *budget -= count * size;
  return SPRY_OK;
}

/* Copies a SparseIndexVector (int32, uint16 or uint8 values) to int32. */
static SpryStatus read_index_vector(const SpryFbTable *dim, int type_field, const char *what,
                                    size_t *budget, int32_t **out, int32_t *count) {
  uint8_t type;
  SpryFbTable table;
  SpryFbVector v;
  SPRY_TRY(spry_fb_union_field(dim, type_field, &type, &table));
  if (type < INDEX_INT32 || type > INDEX_UINT8)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "%s: missing or unknown vector type %u", what,
                          type);
  const size_t elem = type == INDEX_INT32 ? 4 : type == INDEX_UINT16 ? 2 : 1;
  SPRY_TRY(spry_fb_vector_field(&table, INDEX_VECTOR_VALUES, elem, NULL, &v));
  if (v.length > INT32_MAX - 1)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "%s: too many entries", what);
  SPRY_TRY(spend(budget, v.length, sizeof(int32_t)));
  int32_t *values = malloc(((size_t)v.length + 1) * sizeof *values);
  if (!values) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  for (uint32_t i = 0; i < v.length; i++) {
    const uint8_t *p = spry_fb_vector_ptr(&v, i);
    if (type == INDEX_INT32) {
      values[i] = spry_fb_vector_i32(&v, i);
    } else if (type == INDEX_UINT16) {
      values[i] = (int32_t)spry_fb_load_u16(p);
    } else {
      values[i] = (int32_t)p[0];
    }
  }
  *out = values;
  *count = (int32_t)v.length;
  return SPRY_OK;
}

/* Segments start at 0, never decrease and end at the number of indices;
 * there is one per position of the level above, plus one. */
static SpryStatus check_csr(const SprySparseLevel *level, size_t positions) {
  if ((size_t)level->num_segments != positions + 1)
    return invalid("array_segments has %d entries, expected %d (positions above + 1)",
                   level->num_segments, positions + 1 > INT32_MAX ? -1 : (int32_t)positions + 1);
  if (level->segments[0] != 0) return invalid("array_segments[%d] is %d (must be 0)", 0,
                                              level->segments[0]);
  for (int32_t i = 1; i < level->num_segments; i++) {
    if (level->segments[i] < level->segments[i - 1])
      return invalid("array_segments[%d] is %d: segments must not decrease", i,
                     level->segments[i]);
  }
  if (level->segments[level->num_segments - 1] != level->num_indices)
    return invalid("array_segments ends at %d but array_indices has %d entries",
                   level->segments[level->num_segments - 1], level->num_indices);
  for (int32_t i = 0; i < level->num_indices; i++) {
    if (level->indices[i] < 0 || level->indices[i] >= level->size)
      return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                            "array_indices[%" PRId32 "] is %" PRId32 ", outside [0, %" PRId32 ")",
                            i, level->indices[i], level->size);
  }
  return SPRY_OK;
}

/* One level: format, size check, CSR arrays; updates the position count. */
static SpryStatus read_level(const SpryFbTable *dim, size_t *budget, SprySparseLevel *level,
                             size_t *positions) {
  uint8_t format;
  int32_t dense_size;
  SPRY_TRY(spry_fb_u8(dim, DIM_FORMAT, 0, &format));
  SPRY_TRY(spry_fb_i32(dim, DIM_DENSE_SIZE, 0, &dense_size));
  if (format == SPRY_DIM_DENSE) {
    level->format = SPRY_DIM_DENSE;
    if (dense_size != level->size)
      return invalid("dense_size is %d but the dimension has size %d", dense_size, level->size);
    if (level->size != 0 && *positions > (SIZE_MAX / 16) / (size_t)level->size)
      return spry_set_error(SPRY_ERROR_INVALID_MODEL, "too many positions");
    *positions *= (size_t)level->size;
    return SPRY_OK;
  }
  if (format != SPRY_DIM_SPARSE_CSR)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "format %u is not DENSE (0) or SPARSE_CSR (1)", format);
  level->format = SPRY_DIM_SPARSE_CSR;
  SPRY_TRY(read_index_vector(dim, DIM_SEGMENTS_TYPE, "array_segments", budget,
                                 &level->segments, &level->num_segments));
  SPRY_TRY(read_index_vector(dim, DIM_INDICES_TYPE, "array_indices", budget,
                                 &level->indices, &level->num_indices));
  SPRY_TRY(check_csr(level, *positions));
  *positions = (size_t)level->num_indices;
  return SPRY_OK;
}

/* traversal_order: the tensor's dimensions in any order, then the block
 * dimensions in their own order (TFLite's converter assumes that order). */
static SpryStatus read_traversal(const SpryFbVector *v, int32_t rank, SprySparsity *s) {
  bool seen[SPRY_MAX_RANK] = {false};
  for (int32_t l = 0; l < s->num_levels; l++) {
    const int32_t d = spry_fb_vector_i32(v, (uint32_t)l);
    s->traversal_order[l] = d;
    if (l >= rank) {
      if (d == l) continue;
      if (d >= rank && d < s->num_levels)
        return spry_set_error(SPRY_ERROR_UNSUPPORTED,
                              "traversal_order[%" PRId32 "]: block dimensions out of order", l);
      return invalid("traversal_order[%d] is %d (expected a block dimension)", l, d);
    }
    if (d < 0 || d >= rank || seen[d])
      return invalid("traversal_order[%d] is %d: not a permutation of the dimensions", l, d);
    seen[d] = true;
  }
  return SPRY_OK;
}

/* block_map: strictly increasing dimensions, each divisible by its block
 * size (the DENSE level of that block dimension). */
static SpryStatus read_blocks(const SpryFbVector *map, const SpryFbVector *dims_meta,
                              const SpryTensorDesc *desc, SprySparsity *s) {
  for (int32_t b = 0; b < s->block_rank; b++) {
    const int32_t d = spry_fb_vector_i32(map, (uint32_t)b);
    if (d < 0 || d >= desc->rank || (b > 0 && d <= s->block_map[b - 1]))
      return invalid("block_map[%d] is %d: must be increasing dimensions of the tensor", b, d);
    SpryFbTable dim;
    int32_t size;
    uint8_t format;
    SPRY_TRY(spry_fb_vector_table(dims_meta, (uint32_t)(desc->rank + b), &dim));
    SPRY_TRY(spry_fb_u8(&dim, DIM_FORMAT, 0, &format));
    SPRY_TRY(spry_fb_i32(&dim, DIM_DENSE_SIZE, 0, &size));
    if (format != SPRY_DIM_DENSE)
      return spry_set_error(SPRY_ERROR_UNSUPPORTED, "block %" PRId32 " is not DENSE", b);
    if (size <= 0 || desc->dims[d] % size != 0)
      return invalid("block size %d does not divide dimension size %d", size, desc->dims[d]);
    s->block_map[b] = d;
    s->block_size[b] = size;
  }
  return SPRY_OK;
}

/* Size of each level in the blocked shape. */
static void level_sizes(const SpryTensorDesc *desc, SprySparsity *s) {
  int32_t blocked[SPRY_MAX_RANK];
  for (int32_t d = 0; d < desc->rank; d++) blocked[d] = desc->dims[d];
  for (int32_t b = 0; b < s->block_rank; b++) blocked[s->block_map[b]] /= s->block_size[b];
  for (int32_t l = 0; l < s->num_levels; l++)
    s->levels[l].size =
        l < desc->rank ? blocked[s->traversal_order[l]] : s->block_size[l - desc->rank];
}

static SpryStatus read_all(const SpryFbTable *table, const SpryTensorDesc *desc, size_t *budget,
                           SprySparsity *s) {
  SpryFbVector order, map, meta;
  SPRY_TRY(spry_fb_vector_field(table, SPARSITY_TRAVERSAL_ORDER, 4, NULL, &order));
  SPRY_TRY(spry_fb_vector_field(table, SPARSITY_BLOCK_MAP, 4, NULL, &map));
  SPRY_TRY(spry_fb_vector_field(table, SPARSITY_DIM_METADATA, 4, NULL, &meta));
  const int32_t rank = desc->rank;
  if (rank < 1 || order.length < (uint32_t)rank || order.length > 2u * (uint32_t)rank)
    return invalid("traversal_order has %d entries for rank %d", (int32_t)order.length, rank);
  s->num_levels = (int32_t)order.length;
  s->block_rank = s->num_levels - rank;
  if (map.length != (uint32_t)s->block_rank || meta.length != order.length)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "block_map has %" PRIu32 " entries and dim_metadata %" PRIu32
                          " for %" PRIu32 " traversed dimensions of rank %" PRId32,
                          map.length, meta.length, order.length, rank);
  SPRY_TRY(read_traversal(&order, rank, s));
  SPRY_TRY(read_blocks(&map, &meta, desc, s));
  level_sizes(desc, s);
  size_t positions = 1;
  for (int32_t l = 0; l < s->num_levels; l++) {
    SpryFbTable dim;
    SPRY_TRY(spry_fb_vector_table(&meta, (uint32_t)l, &dim));
    const SpryStatus status = read_level(&dim, budget, &s->levels[l], &positions);
    if (status != SPRY_OK) return spry_prefix_error(status, "dim_metadata %" PRId32, l);
  }
  const size_t elem = spry_type_size(desc->type);
  if (elem == 0)
    return spry_set_error(SPRY_ERROR_UNSUPPORTED, "sparse %s tensors are not supported",
                          spry_type_name(desc->type));
  if (desc->data == NULL || desc->data_size % elem != 0 || desc->data_size / elem != positions)
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "holds %zu bytes of values, expected %zu %s values", desc->data_size,
                          positions, spry_type_name(desc->type));
  s->num_values = positions;
  return SPRY_OK;
}

SpryStatus spry_sparsity_read(const SpryFbTable *table, const SpryTensorDesc *desc,
                              size_t *budget, SprySparsity **out) {
  *out = NULL;
  SprySparsity *s = calloc(1, sizeof *s);
  if (!s) return spry_set_error(SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  SpryStatus status = read_all(table, desc, budget, s);
  if (status != SPRY_OK) {
    spry_sparsity_free(s);
    return spry_prefix_error(status, "sparsity");
  }
  *out = s;
  return SPRY_OK;
}

void spry_sparsity_free(SprySparsity *sparsity) {
  if (!sparsity) return;
  for (int32_t l = 0; l < SPRY_MAX_SPARSE_LEVELS; l++) {
    free(sparsity->levels[l].segments);
    free(sparsity->levels[l].indices);
  }
  free(sparsity);
}

const SprySparsity *spry_tensor_sparsity(const SpryContext *ctx, const SpryTensor *tensor) {
  if (!ctx || !tensor) return NULL;
  const SpryInterpreter *interp = ctx->interpreter;
  /* Compare addresses as integers: the tensor may not be one of ours. */
  const uintptr_t base = (uintptr_t)interp->tensors, p = (uintptr_t)tensor;
  if (p < base || (p - base) % sizeof *tensor != 0) return NULL;
  const size_t index = (p - base) / sizeof *tensor;
  if (index >= (size_t)interp->num_tensors) return NULL;
  return interp->graph->tensors[index].sparsity;
}

/* The walk of spry_sparsity_densify: `pos` is the position in the level
 * above, idx the coordinates chosen so far, one per level. */
typedef struct SpryDensifyWalk {
  const SprySparsity *s;
  int32_t rank;
  const int32_t *dims;
  size_t elem;
  const uint8_t *values;
  uint8_t *dense;
  size_t next_value;
  int32_t idx[SPRY_MAX_SPARSE_LEVELS];
} SpryDensifyWalk;

static void densify_leaf(SpryDensifyWalk *w) {
  int32_t coord[SPRY_MAX_RANK];
  for (int32_t l = 0; l < w->rank; l++) coord[w->s->traversal_order[l]] = w->idx[l];
  for (int32_t b = 0; b < w->s->block_rank; b++) {
    const int32_t d = w->s->block_map[b];
    coord[d] = coord[d] * w->s->block_size[b] + w->idx[w->rank + b];
  }
  size_t flat = 0;
  for (int32_t d = 0; d < w->rank; d++) flat = flat * (size_t)w->dims[d] + (size_t)coord[d];
  memcpy(w->dense + flat * w->elem, w->values + w->next_value * w->elem, w->elem);
  w->next_value++;
}

static void densify_level(SpryDensifyWalk *w, int32_t level, size_t pos) {
  if (level == w->s->num_levels) {
    densify_leaf(w);
    return;
  }
  const SprySparseLevel *lv = &w->s->levels[level];
  if (lv->format == SPRY_DIM_DENSE) {
    for (int32_t i = 0; i < lv->size; i++) {
      w->idx[level] = i;
      densify_level(w, level + 1, pos * (size_t)lv->size + (size_t)i);
    }
    return;
  }
  for (int32_t i = lv->segments[pos]; i < lv->segments[pos + 1]; i++) {
    w->idx[level] = lv->indices[i];
    densify_level(w, level + 1, (size_t)i);
  }
}

void spry_sparsity_densify(const SprySparsity *sparsity, int32_t rank, const int32_t *dims,
                           size_t elem_size, const void *values, void *dense) {
  size_t count = elem_size;
  for (int32_t d = 0; d < rank; d++) count *= (size_t)dims[d];
  if (count > 0) memset(dense, 0, count);
  SpryDensifyWalk w = {.s = sparsity, .rank = rank, .dims = dims, .elem = elem_size,
                       .values = values, .dense = dense};
  densify_level(&w, 0, 0);
}
